// Usage reporting as Alloy does it — a seed that identifies this installation, and a report of the
// enabled component names every 4 hours — with one deliberate difference: alloy-ts sends reports
// only to an endpoint the operator configured. Alloy posts to Grafana's stats host by default; an
// agent rebuilt independently has no business doing that, and tests must never reach the internet.
import { join } from "pathe";
import type { Platform } from "../platform/mod.ts";
import type { Logger } from "../runtime/logging/logger.ts";
import { deployMode } from "../runtime/useragent.ts";

export interface Seed {
  UID: string;
  created_at: string;
  version: string;
}

const SEED_FILE = "alloy_seed.json";
const REPORT_INTERVAL_MS = 4 * 60 * 60 * 1000;
const CHECK_INTERVAL_MS = 60 * 1000;

/** Reads <storage.path>/alloy_seed.json, or creates it. Write errors are only logged, as in Alloy. */
export async function loadSeed(platform: Platform, storagePath: string, version: string, logger: Logger): Promise<Seed> {
  const path = join(storagePath, SEED_FILE);
  try {
    const seed = JSON.parse(await platform.fs.readTextFile(path)) as Seed;
    if (typeof seed.UID === "string" && typeof seed.created_at === "string") return seed;
  } catch {
    // Missing or unreadable: make a new one.
  }
  const seed: Seed = { UID: crypto.randomUUID(), created_at: new Date().toISOString(), version };
  try {
    await platform.fs.mkdirp(storagePath);
    await platform.fs.writeFileAtomic(path, JSON.stringify(seed));
  } catch (error) {
    logger.warn("failed to write seed file", { path, err: (error as Error).message });
  }
  return seed;
}

/** The next report time: the seed's creation time plus a whole number of intervals, after now. */
export function nextReportTime(seed: Seed, now: Date): Date {
  const created = Date.parse(seed.created_at);
  const periods = Math.max(1, Math.ceil((now.getTime() - created) / REPORT_INTERVAL_MS));
  return new Date(created + periods * REPORT_INTERVAL_MS);
}

export interface UsageReporterOptions {
  platform: Platform;
  logger: Logger;
  seed: Seed;
  version: string;
  /** Where reports go; reporting is off when it is absent. */
  endpoint: string;
  /** The distinct builtin component names in use. */
  enabledComponents(): string[];
  fetch?: typeof fetch;
}

export function usageReport(options: UsageReporterOptions, interval: Date) {
  return {
    usageStatsId: options.seed.UID,
    createdAt: options.seed.created_at,
    interval: interval.toISOString(),
    version: `v${options.version}`,
    metrics: { "enabled-components": options.enabledComponents() },
    os: options.platform.runtime.os,
    arch: options.platform.runtime.arch,
    deployMode: deployMode(options.platform),
    engine: "default",
  };
}

/** Sends one report, retrying with backoff (1s doubling to 30s, 5 tries) as Alloy does. */
export async function sendReport(options: UsageReporterOptions, interval: Date, signal?: AbortSignal): Promise<void> {
  const body = JSON.stringify(usageReport(options, interval), null, 1);
  const send = options.fetch ?? fetch;
  let delay = 1000;
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const response = await send(options.endpoint, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.any([AbortSignal.timeout(5000), ...(signal ? [signal] : [])]),
      });
      await response.body?.cancel();
      if (response.status === 200) return;
      lastError = new Error(`failed to send usage report: ${response.status}`);
    } catch (error) {
      lastError = error;
    }
    if (signal?.aborted) break;
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 30_000);
  }
  throw lastError;
}

/** Runs until the signal aborts: checks every minute, reports when the 4-hour window comes round. */
export async function runUsageReporter(options: UsageReporterOptions, signal: AbortSignal): Promise<void> {
  options.logger.info("running usage stats reporter", { endpoint: options.endpoint });
  let next = nextReportTime(options.seed, new Date());
  while (!signal.aborted) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CHECK_INTERVAL_MS);
      signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (signal.aborted || Date.now() < next.getTime()) continue;
    try {
      await sendReport(options, next, signal);
    } catch (error) {
      options.logger.warn("failed to report usage", { err: (error as Error).message });
    }
    // The window moves on after a failure too.
    next = nextReportTime(options.seed, new Date());
  }
}
