// The Bun adapter: the node: capabilities, with Bun's own file reading and the facts only Bun knows.
import { createBunFetchClient } from "./bun/fetch-client.ts";
import { nodeBasedPlatform } from "./node.ts";
import { goArch, goOs } from "./node/system.ts";
import type { Platform } from "./types.ts";

/** The part of Bun's global this adapter uses (bun-types would clash with @types/node project-wide). */
interface BunGlobal {
  version: string;
  main: string;
  file(path: string): { bytes(): Promise<Uint8Array>; text(): Promise<string> };
}

const bun = () => (globalThis as unknown as { Bun: BunGlobal }).Bun;

/** JavaScriptCore's heap figures: Bun's process.memoryUsage() reports no usable heap numbers. */
function jscHeap(): { heapSize: number; heapCapacity: number } {
  const jsc = (import.meta as unknown as { require(id: string): { heapStats(): { heapSize: number; heapCapacity: number } } })
    .require("bun:jsc");
  return jsc.heapStats();
}

export function createBunPlatform(): Platform {
  const base = nodeBasedPlatform(
    { name: "bun", version: bun().version, os: goOs(), arch: goArch() },
    // Bun's HTTP/2 server reads through the JS stream: it has to flow again after the hand-off.
    { resumeAfterHttp2Handoff: true },
  );
  return {
    ...base,
    fs: {
      ...base.fs,
      // Bun.file reads without node:fs's buffer copies.
      readFile: (path) => bun().file(path).bytes(),
      readTextFile: (path) => bun().file(path).text(),
    },
    processStats() {
      const stats = base.processStats();
      const heap = jscHeap();
      return { ...stats, heapUsedBytes: heap.heapSize, heapTotalBytes: Math.max(heap.heapCapacity, heap.heapSize) };
    },
    createFetchClient: (options) => createBunFetchClient(options, base.getEnv),
    // A `bun build --compile` executable runs its entry point from the embedded /$bunfs file system.
    isCompiled: () => bun().main.includes("$bunfs") || bun().main.startsWith("B:/~BUN"),
  };
}
