// Real proxies for the HTTP client tests, from Debian's packages (.ci/run installs them): tinyproxy
// (HTTP: absolute-form requests and CONNECT tunnels, optional basic auth, a log of what it
// forwarded) and microsocks (SOCKS5, optional username/password), each on a free loopback port.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import process from "node:process";
import { type ChildRun, spawnCommand } from "./runtime.ts";
import { makeTempDir } from "./tmp.ts";

export type ProxyProgram = "tinyproxy" | "microsocks";

function programPath(name: ProxyProgram): string | undefined {
  for (const dir of (process.env.PATH ?? "/usr/bin:/usr/sbin").split(":")) {
    if (dir !== "" && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/**
 * A `skip` value for node:test: a reason when the program is missing outside CI, false otherwise.
 * In CI (CI=true) a missing program is not skipped: starting it fails the test.
 */
export function skipWithout(name: ProxyProgram): string | false {
  if (programPath(name) || process.env.CI === "true") return false;
  return `${name} is not installed (apt-get install ${name}; .ci/run installs it)`;
}

export interface RunningProxy {
  port: number;
  /** The proxy's URL, with credentials when it requires them. */
  url: string;
  /** What the proxy logged so far (tinyproxy: one line per request, with its request line). */
  log(): string;
  stop(): Promise<void>;
}

export interface ProxyAuth {
  user: string;
  password: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on the port. */
async function listening(port: number, child: ChildRun, name: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (child.child.exitCode !== null || child.child.signalCode !== null) throw new Error(`${name} exited before listening:\n${child.output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} is not listening on 127.0.0.1:${port}:\n${child.output}`);
}

function required(name: ProxyProgram): string {
  const path = programPath(name);
  if (!path) throw new Error(`${name} is not installed (apt-get install ${name}; .ci/run installs it)`);
  return path;
}

export async function startTinyproxy(auth?: ProxyAuth): Promise<RunningProxy> {
  const program = required("tinyproxy");
  const dir = makeTempDir("alloy-ts-tinyproxy-");
  const port = await freePort();
  const logFile = join(dir.path, "tinyproxy.log");
  writeFileSync(logFile, "");
  // No ConnectPort lines: CONNECT is allowed to every port (the test servers' ports are random).
  const config = [
    `Port ${port}`,
    "Listen 127.0.0.1",
    "Timeout 30",
    "MaxClients 20",
    "LogLevel Connect",
    `LogFile "${logFile}"`,
    ...(auth ? [`BasicAuth ${auth.user} ${auth.password}`] : []),
  ].join("\n");
  writeFileSync(join(dir.path, "tinyproxy.conf"), `${config}\n`);
  const child = spawnCommand(program, ["-d", "-c", join(dir.path, "tinyproxy.conf")]);
  await listening(port, child, "tinyproxy");
  const credentials = auth ? `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.password)}@` : "";
  return {
    port,
    url: `http://${credentials}127.0.0.1:${port}`,
    log: () => readFileSync(logFile, "utf8"),
    async stop() {
      child.kill("SIGTERM");
      await child.completion(10_000);
      dir.cleanup();
    },
  };
}

export async function startMicrosocks(auth?: ProxyAuth): Promise<RunningProxy> {
  const program = required("microsocks");
  const port = await freePort();
  const args = ["-i", "127.0.0.1", "-p", String(port), ...(auth ? ["-u", auth.user, "-P", auth.password] : [])];
  const child = spawnCommand(program, args);
  await listening(port, child, "microsocks");
  const credentials = auth ? `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.password)}@` : "";
  return {
    port,
    url: `socks5://${credentials}127.0.0.1:${port}`,
    log: () => child.output,
    async stop() {
      child.kill("SIGTERM");
      await child.completion(10_000);
    },
  };
}
