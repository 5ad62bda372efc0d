// Helpers for the gossip interop tests: the real Go memberlist peer (built once from Debian's
// sources by ../shared/tools/memberlist-peer/build.sh), alloy-ts gossip nodes in child processes,
// free ports, and bounded polling.
import { execFileSync } from "node:child_process";
import * as dgram from "node:dgram";
import { existsSync, mkdirSync, renameSync } from "node:fs";
import * as net from "node:net";
import { join, resolve } from "node:path";
import process from "node:process";
import { repoRoot, spawnCommand, spawnRuntime, type ChildRun } from "../../helpers/runtime.ts";

export const FAST_GO = ["-probe-interval", "200ms", "-probe-timeout", "100ms", "-gossip-interval", "50ms", "-pushpull-interval", "2s"];
export const FAST_TS = ["--probe-interval=200", "--probe-timeout=100", "--gossip-interval=50", "--pushpull-interval=2000"];

/** Where the peer's sources live: ../shared beside the repository, as .ci/run sees it. */
const buildScript = resolve(repoRoot, "..", "shared", "tools", "memberlist-peer", "build.sh");
const cachedBinary = join(repoRoot, "node_modules", ".cache", "memberlist-peer", "memberlist-peer");

/** The Go peer's binary, built on first use (build.sh is idempotent; .ci/run builds it up front). */
export function memberlistPeerBinary(): string {
  const fromEnv = process.env.MEMBERLIST_PEER;
  if (fromEnv) return fromEnv;
  if (existsSync(cachedBinary)) return cachedBinary;
  if (!existsSync(buildScript)) throw new Error(`memberlist-peer not built and ${buildScript} not found`);
  mkdirSync(join(cachedBinary, ".."), { recursive: true });
  // Build beside the target and rename, so that test files building at once never see half a file.
  const temp = `${cachedBinary}.${process.pid}.tmp`;
  execFileSync(buildScript, [temp], { stdio: ["ignore", "pipe", "inherit"], timeout: 600_000 });
  renameSync(temp, cachedBinary);
  return cachedBinary;
}

/** A port free for both TCP and UDP on 127.0.0.1 right now (memberlist binds both). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 40000);
    if ((await tcpFree(port)) && (await udpFree(port))) return port;
  }
  throw new Error("no free port found");
}

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = net.createServer();
    server.once("error", () => resolvePromise(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolvePromise(true)));
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = dgram.createSocket("udp4");
    socket.once("error", () => {
      socket.close();
      resolvePromise(false);
    });
    socket.bind(port, "127.0.0.1", () => socket.close(() => resolvePromise(true)));
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls check until it returns a value other than undefined/false, or fails after timeoutMs. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ""}`);
    }
    await sleep(intervalMs);
  }
}

export interface Member {
  name: string;
  addr: string;
  port: number;
  state: "alive" | "suspect" | "dead" | "left";
  incarnation: number;
  meta: string;
}

/** A node with the control API both the Go peer and our fixture serve. */
export interface GossipProcess {
  name: string;
  /** "127.0.0.1:port" where it gossips. */
  gossip: string;
  control: string;
  run: ChildRun;
  members(): Promise<Member[]>;
  member(name: string): Promise<Member | undefined>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

async function fetchMembers(control: string): Promise<Member[]> {
  const response = await fetch(`${control}/members`, { signal: AbortSignal.timeout(2000) });
  if (!response.ok) throw new Error(`GET ${control}/members: ${response.status}`);
  return (await response.json()) as Member[];
}

function gossipProcess(name: string, gossip: string, control: string, run: ChildRun): GossipProcess {
  return {
    name,
    gossip,
    control,
    run,
    members: () => fetchMembers(control),
    member: async (other) => (await fetchMembers(control)).find((m) => m.name === other),
    async stop(signal: NodeJS.Signals = "SIGKILL") {
      if (run.child.exitCode !== null || run.child.signalCode !== null) return;
      // A stopped process must run again to die of anything but SIGKILL.
      run.kill("SIGCONT");
      run.kill(signal);
      await run.completion(10_000).catch(() => {});
    },
  };
}

export interface GoPeerOptions {
  name: string;
  join?: string[];
  label?: string;
  meta?: string;
  extra?: string[];
}

export async function startGoPeer(options: GoPeerOptions): Promise<GossipProcess> {
  const port = await freePort();
  const httpPort = await freePort();
  const args = ["-name", options.name, "-bind", `127.0.0.1:${port}`, "-http", `127.0.0.1:${httpPort}`, ...FAST_GO];
  if (options.join?.length) args.push("-join", options.join.join(","));
  if (options.label) args.push("-label", options.label);
  if (options.meta) args.push("-meta", options.meta);
  args.push(...(options.extra ?? []));
  const run = spawnCommand(memberlistPeerBinary(), args);
  const control = `http://127.0.0.1:${httpPort}`;
  const peer = gossipProcess(options.name, `127.0.0.1:${port}`, control, run);
  try {
    await run.waitFor(/"event":"started"/, 10_000);
    if (options.join?.length) await run.waitFor(/"event":"join_result"/, 10_000);
    await eventually(`${options.name} control API`, async () => (await fetch(`${control}/health`)).ok, 10_000);
  } catch (error) {
    await peer.stop();
    throw error;
  }
  return peer;
}

export interface TsNodeOptions {
  name: string;
  transport: "udp" | "http2";
  join?: string[];
  label?: string;
  meta?: string;
  extra?: string[];
}

export async function startTsNode(options: TsNodeOptions): Promise<GossipProcess> {
  const port = await freePort();
  const args = [`--name=${options.name}`, `--transport=${options.transport}`, `--bind=127.0.0.1:${port}`, ...FAST_TS];
  if (options.transport === "udp") args.push(`--control=127.0.0.1:${await freePort()}`);
  if (options.join?.length) args.push(`--join=${options.join.join(",")}`);
  if (options.label) args.push(`--label=${options.label}`);
  if (options.meta) args.push(`--meta=${options.meta}`);
  args.push(...(options.extra ?? []));
  const run = spawnRuntime(join(repoRoot, "test", "fixtures", "gossip-node.ts"), args);
  let started: { gossip: string; control: string };
  try {
    await run.waitFor(/"event":"started"/, 30_000);
    started = JSON.parse(run.stdout.split("\n").find((l) => l.includes('"event":"started"'))!);
    if (options.join?.length) await run.waitFor(/"event":"join_result"/, 15_000);
  } catch (error) {
    run.kill("SIGKILL");
    await run.completion(5000).catch(() => {});
    throw error;
  }
  return gossipProcess(options.name, started.gossip, started.control, run);
}

/** Stops every process, whatever state it is in. */
export async function stopAll(processes: (GossipProcess | undefined)[]) {
  await Promise.all(processes.map((p) => p?.stop("SIGKILL")));
}

/** The join_result line a node printed. */
export function joinResult(p: GossipProcess): { contacted: number; error?: string } | undefined {
  const line = p.run.stdout.split("\n").find((l) => l.includes('"event":"join_result"'));
  return line ? JSON.parse(line) : undefined;
}

/** Waits until observer lists name in one of the states, and returns the entry. */
export function waitForState(
  observer: GossipProcess,
  name: string,
  states: Member["state"][],
  timeoutMs: number,
  extra: (m: Member) => boolean = () => true,
): Promise<Member> {
  return eventually(
    `${observer.name} to see ${name} ${states.join("/")}`,
    async () => {
      const m = await observer.member(name);
      return m && states.includes(m.state) && extra(m) ? m : undefined;
    },
    timeoutMs,
    25,
  );
}
