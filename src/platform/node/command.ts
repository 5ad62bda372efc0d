// Running a program to completion through node:child_process, which Node, Deno and Bun all
// implement. import.git drives the `git` program with it rather than re-implementing git.
import { spawn } from "node:child_process";
import * as os from "node:os";
import process from "node:process";
import type { CommandOptions, CommandResult } from "../types.ts";

const decoder = () => new TextDecoder("utf-8");

/** The exit status a shell reports for a program killed by `signal` (128 + its number). */
function signalStatus(signal: NodeJS.Signals): number {
  const number = (os.constants.signals as Record<string, number | undefined>)[signal];
  return 128 + (number ?? 0);
}

export function nodeRunCommand(command: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(options.signal.reason ?? new Error("aborted"));
      return;
    }
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      // An explicit env replaces the inherited one; extraEnv adds to it.
      env: options.env ?? (options.extraEnv ? { ...process.env, ...options.extraEnv } : undefined),
      stdio: [options.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      windowsHide: true,
    });
    const out: Uint8Array[] = [];
    const err: Uint8Array[] = [];
    let timedOut = false;
    let settled = false;

    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    };
    const timer = options.timeoutMs && options.timeoutMs > 0
      ? setTimeout(() => {
        timedOut = true;
        kill();
      }, options.timeoutMs)
      : undefined;
    const onAbort = () => kill();
    options.signal?.addEventListener("abort", onAbort, { once: true });

    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      fn();
    };

    child.stdout!.on("data", (chunk: Uint8Array) => out.push(chunk));
    child.stderr!.on("data", (chunk: Uint8Array) => err.push(chunk));
    child.once("error", (e) => finish(() => reject(e)));
    child.once("close", (code, signal) => {
      finish(() => {
        if (options.signal?.aborted) {
          reject(options.signal.reason ?? new Error("aborted"));
          return;
        }
        if (timedOut) {
          reject(new Error(`${command} timed out after ${options.timeoutMs}ms`));
          return;
        }
        resolve({
          code: code ?? (signal ? signalStatus(signal) : 1),
          stdout: decoder().decode(concat(out)),
          stderr: decoder().decode(concat(err)),
        });
      });
    });
    if (options.stdin !== undefined) {
      child.stdin!.on("error", () => {}); // the program may exit without reading its input
      child.stdin!.end(options.stdin);
    }
  });
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const result = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    result.set(chunk, offset);
    offset += chunk.length;
  }
  return result;
}
