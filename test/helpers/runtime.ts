// Starting child processes under the same runtime that runs the test, so that every test that
// starts the agent (or a fixture) checks the runtime it runs under.
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";

export type Runtime = "node" | "deno" | "bun";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

export function currentRuntime(): Runtime {
  if ("Deno" in globalThis) return "deno";
  if ("Bun" in globalThis) return "bun";
  return "node";
}

const TSX_LOADER = pathToFileURL(fileURLToPath(new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url))).href;

/** The command line that runs a TypeScript file under the current runtime. */
export function runtimeCommand(script: string, args: string[] = [], denoFlags: string[] = ["--allow-all"]): string[] {
  const exec = process.execPath;
  switch (currentRuntime()) {
    case "deno":
      return [exec, "run", "--no-check", ...denoFlags, script, ...args];
    case "bun":
      return [exec, script, ...args];
    case "node":
      // tsx by path: `--import tsx` would resolve from the child's working directory.
      return [exec, "--import", TSX_LOADER, script, ...args];
  }
}

export interface Completed {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * A child process whose output is collected from the start, so that tests can wait for a line at any
 * time without racing the stream (and without adding and removing listeners, which some runtimes'
 * streams react to).
 */
export class ChildRun {
  stdout = "";
  stderr = "";
  readonly exited: Promise<Completed>;
  #waiters = new Set<() => void>();

  constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding("utf8").on("data", (text: string) => this.#append("stdout", text));
    child.stderr?.setEncoding("utf8").on("data", (text: string) => this.#append("stderr", text));
    this.exited = new Promise((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (code, signal) => {
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
        this.#notify();
      });
    });
  }

  #append(stream: "stdout" | "stderr", text: string) {
    this[stream] += text;
    this.#notify();
  }

  #notify() {
    for (const waiter of [...this.#waiters]) waiter();
  }

  get output() {
    return this.stdout + this.stderr;
  }

  /** Resolves once pattern matches the output (stdout then stderr) so far. */
  waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (pattern.test(this.stdout) || pattern.test(this.stderr)) {
          done();
          resolve(this.output);
        } else if (this.child.exitCode !== null || this.child.signalCode !== null) {
          done();
          reject(new Error(`child exited (${this.child.exitCode ?? this.child.signalCode}) before printing ${pattern}:\n${this.output}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${pattern}:\n${this.output}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Waits for the exit; kills the child if it takes longer than timeoutMs. */
  async completion(timeoutMs = 60_000): Promise<Completed> {
    const timer = setTimeout(() => this.kill("SIGKILL"), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Sends a signal with process.kill: Deno's ChildProcess.kill sometimes fails to deliver a signal
   * that the child handles (seen with SIGHUP).
   */
  kill(signal: NodeJS.Signals = "SIGTERM") {
    if (this.child.pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      process.kill(this.child.pid, signal);
    } catch {
      // Already gone.
    }
  }
}

export interface RuntimeSpawnOptions extends SpawnOptions {
  denoFlags?: string[];
  /**
   * A command that runs the runtime's command line for us, e.g. ["ip", "netns", "exec", "ns1"]:
   * it must exec the rest in place (so that the child's pid, signals and exit are the runtime's).
   */
  prefix?: string[];
}

export function spawnRuntime(script: string, args: string[] = [], options: RuntimeSpawnOptions = {}): ChildRun {
  const { denoFlags, prefix = [], ...spawnOptions } = options;
  const [command, ...rest] = [...prefix, ...runtimeCommand(script, args, denoFlags)];
  return new ChildRun(spawn(command!, rest, { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"], ...spawnOptions }));
}

/** Runs a TypeScript file under the current runtime to completion. */
export function runRuntime(
  script: string,
  args: string[] = [],
  options: RuntimeSpawnOptions & { timeoutMs?: number } = {},
): Promise<Completed> {
  return spawnRuntime(script, args, options).completion(options.timeoutMs);
}

/** Spawns any command, collecting its output. */
export function spawnCommand(command: string, args: string[], options: SpawnOptions = {}): ChildRun {
  return new ChildRun(spawn(command, args, { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"], ...options }));
}
