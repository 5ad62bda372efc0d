// Host and process facts through node:os and node:process, which Node, Deno and Bun all implement.
import * as os from "node:os";
import process from "node:process";
import { readdirSync, readFileSync } from "node:fs";
import type { NetworkInterface, ProcessStats } from "../types.ts";

export function nodeHostname(): string {
  return os.hostname();
}

export function nodeHostUptime(): number {
  return os.uptime();
}

export function nodeNetworkInterfaces(): NetworkInterface[] {
  const result: NetworkInterface[] = [];
  for (const [name, addresses] of Object.entries(os.networkInterfaces())) {
    result.push({
      name,
      addresses: (addresses ?? []).map((a) => ({
        address: a.address,
        family: a.family === "IPv6" || (a.family as unknown) === 6 ? 6 : 4,
        netmask: a.netmask,
        internal: a.internal,
      })),
    });
  }
  return result;
}

/** Go's names for the OS and architecture, which Alloy shows (constants.os, build info). */
export function goOs(platform: string = process.platform): string {
  return platform === "win32" ? "windows" : platform;
}

export function goArch(arch: string = process.arch): string {
  const names: Record<string, string> = { x64: "amd64", ia32: "386", arm: "arm", arm64: "arm64", ppc64: "ppc64le" };
  return names[arch] ?? arch;
}

const startTimeSeconds = Date.now() / 1000 - process.uptime();

export function nodeProcessStats(): ProcessStats {
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  const stats: ProcessStats = {
    residentMemoryBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    heapTotalBytes: memory.heapTotal,
    cpuUserSeconds: cpu.user / 1e6,
    cpuSystemSeconds: cpu.system / 1e6,
    startTimeSeconds,
  };
  Object.assign(stats, linuxProcFacts());
  return stats;
}

/** File descriptors and virtual memory from /proc on Linux; nothing elsewhere. */
function linuxProcFacts(): Partial<ProcessStats> {
  if (process.platform !== "linux") return {};
  const facts: Partial<ProcessStats> = {};
  try {
    facts.openFds = readdirSync("/proc/self/fd").length;
  } catch {
    // /proc is not mounted (some containers); leave it out.
  }
  try {
    const limits = readFileSync("/proc/self/limits", "utf8");
    const line = limits.split("\n").find((l) => l.startsWith("Max open files"));
    const soft = line?.slice("Max open files".length).trim().split(/\s+/)[0];
    if (soft && soft !== "unlimited") facts.maxFds = Number(soft);
  } catch {
    // As above.
  }
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const match = /^VmSize:\s+(\d+) kB/m.exec(status);
    if (match) facts.virtualMemoryBytes = Number(match[1]) * 1024;
  } catch {
    // As above.
  }
  return facts;
}

/** Totals of /proc/net/dev over every interface (what gopsutil's IOCounters sums for Alloy). */
export function nodeMachineNetworkBytes(): { received: number; sent: number } | undefined {
  if (process.platform !== "linux") return undefined;
  let text: string;
  try {
    text = readFileSync("/proc/net/dev", "utf8");
  } catch {
    return undefined;
  }
  let received = 0;
  let sent = 0;
  for (const line of text.split("\n").slice(2)) {
    const colon = line.indexOf(":");
    if (colon === -1) continue;
    const fields = line.slice(colon + 1).trim().split(/\s+/);
    received += Number(fields[0] ?? 0);
    sent += Number(fields[8] ?? 0);
  }
  return { received, sent };
}
