// CPU profiles and heap snapshots through node:inspector's Profiler and node:v8's heap snapshot,
// which Node, Deno and Bun all provide (checked on each): the CPU profile is V8's .cpuprofile
// format, the heap snapshot V8's .heapsnapshot format (Bun converts its own heap to it).
import { Session } from "node:inspector";
import { getHeapSnapshot } from "node:v8";
import type { CpuProfile, Profiler } from "../types.ts";

let profiling = false;

function post<T>(session: Session, method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T)));
  });
}

export const nodeProfiler: Profiler = {
  async cpuProfile(durationMs, signal) {
    // The inspector has one profiler per process: concurrent requests would stop each other.
    if (profiling) throw new Error("a CPU profile is already being taken");
    profiling = true;
    const session = new Session();
    session.connect();
    try {
      await post(session, "Profiler.enable");
      await post(session, "Profiler.setSamplingInterval", { interval: 1000 }).catch(() => {});
      await post(session, "Profiler.start");
      const started = performance.now();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, durationMs);
        signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        });
      });
      const { profile } = await post<{ profile: CpuProfile }>(session, "Profiler.stop");
      // Bun reports no duration for a profile without samples (an idle process): use the wall clock.
      if (!(profile.endTime > profile.startTime)) {
        profile.endTime = profile.startTime + Math.round((performance.now() - started) * 1000);
      }
      return profile;
    } finally {
      session.disconnect();
      profiling = false;
    }
  },
  heapSnapshot() {
    const snapshot = getHeapSnapshot();
    return new ReadableStream<Uint8Array>({
      async start(controller) {
        try {
          for await (const chunk of snapshot) {
            controller.enqueue(typeof chunk === "string" ? new TextEncoder().encode(chunk) : new Uint8Array(chunk));
          }
          controller.close();
        } catch (error) {
          controller.error(error);
        }
      },
    });
  },
};
