// /-/support: Alloy's support bundle — a zip an SRE attaches to a ticket, with the agent's metadata,
// components, peers, metrics at the start and end of a window, the flags it runs with, the relevant
// environment, the logs of the window, CPU and heap profiles, and the configuration with secrets
// redacted. File names and rules follow Alloy (spec run-http-cluster.md §5); the profiles are those
// the runtime can give (a pprof CPU profile and a V8 heap snapshot with string contents redacted,
// so that, like Go's heap profile, it holds no secret).
import { Zip, ZipDeflate } from "fflate";
import { stringify } from "yaml";
import type { Platform } from "../../platform/mod.ts";
import { cpuProfileToPprof } from "../../wire/pprof/encode.ts";
import { redactedHeapSnapshot } from "./heap-snapshot.ts";

export const SUPPORT_BUNDLE_DISABLED =
  "support bundle generation is disabled; it can be re-enabled by removing the --server.http.disable-support-bundle flag";

/** Environment variables Alloy records (unset ones as `VAR=`). */
const ENVIRONMENT = [
  "AUTOMEMLIMIT", "GODEBUG", "GOGC", "GOMAXPROCS", "GOMEMLIMIT", "HOSTNAME", "HTTP_PROXY", "http_proxy",
  "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy", "PPROF_BLOCK_PROFILING_RATE", "PPROF_MUTEX_PROFILING_PERCENT",
];

const MAX_SECONDS = 30;

export interface SupportBundleOptions {
  platform: Platform;
  version: string;
  /** Fetches a path from the agent's own HTTP app (through the in-memory address). */
  fetchLocal(path: string): Promise<Response>;
  /** Configuration sources by path, secrets already redacted. */
  sources(): Map<string, string>;
  /** `name=value` lines of every run flag, sorted; empty when the bundle is disabled. */
  runtimeFlags: string[];
  /** Starts collecting log lines; stop() returns them. */
  captureLogs(): { stop(): string };
}

/** Parses ?duration=; an error text (Alloy's) for a 400, or the number of seconds. */
export function bundleDuration(query: string | undefined): number | string {
  if (query === undefined || query === "") return MAX_SECONDS;
  if (!/^[+-]?\d+$/.test(query)) {
    return `duration value (in seconds) should be a positive integer: strconv.Atoi: parsing ${JSON.stringify(query)}: invalid syntax`;
  }
  const seconds = Number(query);
  if (seconds < 1) return "duration value (in seconds) should be larger than 1";
  if (seconds > MAX_SECONDS) return "duration value exceeds the server's write timeout";
  return seconds;
}

const encoder = new TextEncoder();

/** One bundle at a time, as Alloy's single-flight: later requests wait for the running one. */
let running: Promise<unknown> = Promise.resolve();

export function supportBundle(options: SupportBundleOptions, seconds: number, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  const turn = running.then(() => buildBundle(options, seconds, signal));
  running = turn.catch(() => {});
  return turn;
}

async function buildBundle(options: SupportBundleOptions, seconds: number, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  const { platform } = options;
  const logs = options.captureLogs();
  const fetchText = async (path: string) => {
    try {
      return await (await options.fetchLocal(path)).text();
    } catch (error) {
      throw new Error(`failed to get ${path}: ${(error as Error).message}`);
    }
  };
  let files: [string, Uint8Array | ReadableStream<Uint8Array>][];
  try {
    const metricsStart = await fetchText("/metrics");
    const components = await fetchText("/api/v0/web/components");
    const peers = await fetchText("/api/v0/web/peers");
    const metadata = stringify({
      build_version: `v${options.version}`,
      os: platform.runtime.os,
      architecture: platform.runtime.arch,
      runtime: `${platform.runtime.name} ${platform.runtime.version}`,
      uptime: platform.hostUptimeSeconds(),
    });
    // Alloy profiles the CPU for the window less 200ms, then takes the end sample.
    const profile = await platform.profiler.cpuProfile(Math.max(0, seconds * 1000 - 200), signal);
    const metricsEnd = await fetchText("/metrics");
    const environment = ENVIRONMENT.map((name) => `${name}=${platform.getEnv(name) ?? ""}`).join("\n") + "\n";

    files = [
      ["alloy-metadata.yaml", encoder.encode(metadata)],
      ["alloy-components.json", encoder.encode(components)],
      ["alloy-peers.json", encoder.encode(peers)],
      ["alloy-metrics-sample-start.txt", encoder.encode(metricsStart)],
      ["alloy-metrics-sample-end.txt", encoder.encode(metricsEnd)],
      ["alloy-runtime-flags.txt", encoder.encode(options.runtimeFlags.map((line) => line + "\n").join(""))],
      ["alloy-environment.txt", encoder.encode(environment)],
      ["pprof/cpu.pprof", cpuProfileToPprof(profile)],
      ["pprof/heap.heapsnapshot", await redactedHeapSnapshot(platform.profiler.heapSnapshot())],
    ];
    // Basename collisions overwrite, as in Alloy; the last source of a name wins.
    const byName = new Map<string, string>();
    for (const [path, text] of options.sources()) byName.set(path.split(/[\\/]/).pop()!, text);
    for (const [name, text] of byName) files.push([`sources/${name}`, encoder.encode(text)]);
  } finally {
    files ??= [];
    const captured = logs.stop();
    files.push(["alloy-logs.txt", encoder.encode(captured)]);
  }
  return zipStream(files.map(([name, data]) => [`alloy-support-bundle/${name}`, data]));
}

/** A streamed zip: large entries (heap snapshots) are deflated as they are read. */
function zipStream(files: [string, Uint8Array | ReadableStream<Uint8Array>][]): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      const zip = new Zip((error, chunk, final) => {
        if (error) return controller.error(error);
        controller.enqueue(chunk);
        if (final) controller.close();
      });
      try {
        for (const [name, data] of files) {
          const entry = new ZipDeflate(name, { level: 6 });
          zip.add(entry);
          if (data instanceof Uint8Array) {
            entry.push(data, true);
            continue;
          }
          const reader = data.getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            entry.push(value);
          }
          entry.push(new Uint8Array(0), true);
        }
        zip.end();
      } catch (error) {
        controller.error(error);
      }
    },
  });
}
