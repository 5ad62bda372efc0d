// The Deno adapter: the node: capabilities, with Deno's native APIs where they are better: signals,
// DNS (SRV records without node:dns's resolver), host facts, file watching and arguments.
//
// HTTP clients with TLS settings or a proxy stay on undici over node:tls: Deno.createHttpClient
// cannot skip verification, override the server name, set TLS versions or send CONNECT headers,
// and its CA certificates add to the system's roots where Go's replace them.
import { nodeBasedPlatform } from "./node.ts";
import { createNodeFetchClient } from "./node/fetch-client.ts";
import type { Dns, NameServer, NetworkInterface, Platform, SignalName, WatchEvent } from "./types.ts";

/** The part of Deno's global this adapter uses (the Deno types are not in the tsc project). */
interface DenoGlobal {
  version: { deno: string };
  build: { os: string; arch: string };
  args: string[];
  execPath(): string;
  hostname(): string;
  networkInterfaces(): { name: string; family: "IPv4" | "IPv6"; address: string; netmask: string }[];
  addSignalListener(signal: SignalName, handler: () => void): void;
  removeSignalListener(signal: SignalName, handler: () => void): void;
  resolveDns(query: string, type: "A" | "AAAA", options?: DenoResolveOptions): Promise<string[]>;
  resolveDns(
    query: string,
    type: "SRV",
    options?: DenoResolveOptions,
  ): Promise<{ priority: number; weight: number; port: number; target: string }[]>;
  resolveDns(query: string, type: "MX", options?: DenoResolveOptions): Promise<{ preference: number; exchange: string }[]>;
  resolveDns(query: string, type: "NS", options?: DenoResolveOptions): Promise<string[]>;
  watchFs(path: string, options?: { recursive: boolean }): AsyncIterable<{ kind: string; paths: string[] }> & {
    close(): void;
  };
  env: { get(name: string): string | undefined; toObject(): Record<string, string> };
}

interface DenoResolveOptions {
  nameServer?: { ipAddr: string; port: number };
}

const deno = () => (globalThis as unknown as { Deno: DenoGlobal }).Deno;

const GO_ARCH: Record<string, string> = { x86_64: "amd64", aarch64: "arm64" };

/** Deno keeps the root dot of names in records; node:dns and Go's resolver do not. */
const withoutRootDot = (name: string) => name.replace(/\.$/, "");

/**
 * Gives Deno's NotFound (no such name, or no records of the type) the code node:dns uses, so callers
 * can tell an answer from a failure. Deno's resolver also reports SERVFAIL and REFUSED this way.
 */
async function withNotFoundCode<T>(lookup: Promise<T>): Promise<T> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof Error && error.name === "NotFound") Object.assign(error, { code: "ENOTFOUND" });
    throw error;
  }
}

function denoDns(server?: NameServer): Dns {
  const options: DenoResolveOptions = server ? { nameServer: { ipAddr: server.address, port: server.port } } : {};
  return {
    resolveA: (name) => withNotFoundCode(deno().resolveDns(name, "A", options)),
    resolveAAAA: (name) => withNotFoundCode(deno().resolveDns(name, "AAAA", options)),
    async resolveSrv(name) {
      const records = await withNotFoundCode(deno().resolveDns(name, "SRV", options));
      return records.map((r) => ({ ...r, target: withoutRootDot(r.target) }));
    },
    async resolveMx(name) {
      const records = await withNotFoundCode(deno().resolveDns(name, "MX", options));
      return records.map((r) => ({ exchange: withoutRootDot(r.exchange), priority: r.preference }));
    },
    async resolveNs(name) {
      return (await withNotFoundCode(deno().resolveDns(name, "NS", options))).map(withoutRootDot);
    },
  };
}

function denoNetworkInterfaces(): NetworkInterface[] {
  const byName = new Map<string, NetworkInterface>();
  for (const entry of deno().networkInterfaces()) {
    let iface = byName.get(entry.name);
    if (!iface) byName.set(entry.name, (iface = { name: entry.name, addresses: [] }));
    const family = entry.family === "IPv6" ? 6 : 4;
    const internal = family === 4 ? entry.address.startsWith("127.") : entry.address === "::1";
    iface.addresses.push({ address: entry.address, family, netmask: entry.netmask, internal });
  }
  return [...byName.values()];
}

const WATCH_KINDS = new Set<WatchEvent["kind"]>(["create", "modify", "remove", "rename"]);

export function createDenoPlatform(): Platform {
  const d = deno();
  // Under least privilege (deno task alloy) a variable outside --allow-env reads as unset, as an
  // unset variable does for Alloy, instead of failing the agent.
  const getEnv = (name: string) => {
    try {
      return d.env.get(name);
    } catch (error) {
      if ((error as Error).name === "NotCapable" || (error as Error).name === "PermissionDenied") return undefined;
      throw error;
    }
  };
  const base = nodeBasedPlatform(
    { name: "deno", version: d.version.deno, os: d.build.os, arch: GO_ARCH[d.build.arch] ?? d.build.arch },
    { resumeAfterHttp2Handoff: false },
  );
  return {
    ...base,
    dns: denoDns(),
    dnsResolver: denoDns,
    args: () => [...d.args],
    execPath: () => d.execPath(),
    hostname: () => d.hostname(),
    networkInterfaces: denoNetworkInterfaces,
    getEnv,
    envObject: () => d.env.toObject(),
    createFetchClient: (options) => createNodeFetchClient(options, getEnv),
    onSignal(signal, handler) {
      if (d.build.os === "windows" && signal === "SIGHUP") return () => {};
      d.addSignalListener(signal, handler);
      return () => d.removeSignalListener(signal, handler);
    },
    fs: {
      ...base.fs,
      watch(path, onEvent) {
        const watcher = d.watchFs(path, { recursive: false });
        (async () => {
          try {
            for await (const event of watcher) {
              const kind = WATCH_KINDS.has(event.kind as WatchEvent["kind"]) ? (event.kind as WatchEvent["kind"]) : "other";
              for (const changed of event.paths) onEvent({ kind, path: changed });
            }
          } catch {
            // The watched path went away or the watcher was closed; the owner polls or re-watches.
          }
        })();
        return { close: () => watcher.close() };
      },
    },
  };
}
