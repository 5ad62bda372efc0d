// What node_exporter's collectors share here: their options, the families they fill, the "no data"
// outcome, and small readers of /proc and /sys files through the Platform.

import type { Platform } from "../../../../platform/mod.ts";
import type { Logger } from "../../../../runtime/logging/logger.ts";
import type { HistogramSnapshot, MetricType } from "../../../../runtime/metrics/registry.ts";
import type { GoRegexp } from "../../relabel/re2.ts";

export interface CollectorOptions {
  procfs: string;
  sysfs: string;
  rootfs: string;
  udevData: string;
  cpuGuest: boolean;
  diskExclude: GoRegexp | undefined;
  diskInclude: GoRegexp | undefined;
  fsTypesExclude: GoRegexp;
  mountPointsExclude: GoRegexp;
  mountTimeoutMs: number;
  netdevExclude: GoRegexp | undefined;
  netdevInclude: GoRegexp | undefined;
  netstatFields: GoRegexp;
  vmstatFields: GoRegexp;
  /** textfile { directory }: directories (or globs of them) holding *.prom files; empty: none. */
  textfileDirectories: string[];
  arpDeviceInclude: GoRegexp | undefined;
  arpDeviceExclude: GoRegexp | undefined;
  hwmonChipInclude: GoRegexp | undefined;
  hwmonChipExclude: GoRegexp | undefined;
  netclassIgnoredDevices: GoRegexp;
  netclassIgnoreInvalidSpeed: boolean;
  powersupplyIgnored: GoRegexp;
  tapestatsIgnored: GoRegexp;
  bcachePriorityStats: boolean;
  ipvsBackendLabels: string[];
}

/** What a collector may log (the component's logger, with the collector's name). */
export type CollectorLogger = Pick<Logger, "debug" | "info" | "warn" | "error">;

export type Collector = (platform: Platform, o: CollectorOptions, out: Families, log: CollectorLogger) => Promise<void>;

/**
 * node_exporter's ErrNoData: the collector found nothing to report on this host (no such subsystem).
 * The scrape reports node_scrape_collector_success 0 and logs it at debug level only.
 */
export class NoDataError extends Error {
  constructor() {
    super("collector returned no data");
  }
}

/** A summary sample (only the textfile collector passes summaries through). */
export interface SummaryValue {
  quantiles: [quantile: number, value: number][];
  sum: number;
  count: number;
}

export interface NodeSample {
  labels: Record<string, string>;
  value?: number;
  histogram?: HistogramSnapshot;
  summary?: SummaryValue;
}

export interface NodeFamily {
  name: string;
  help: string;
  type: MetricType | "summary";
  samples: NodeSample[];
}

/** Families by name, in insertion order. */
export class Families {
  readonly byName = new Map<string, NodeFamily>();

  add(name: string, help: string, type: MetricType, value: number, labels: Record<string, string> = {}): void {
    this.addSample(name, help, type, { labels, value });
  }

  addSample(name: string, help: string, type: NodeFamily["type"], sample: NodeSample): void {
    let f = this.byName.get(name);
    if (!f) {
      f = { name, help, type, samples: [] };
      this.byName.set(name, f);
    }
    f.samples.push(sample);
  }

  list(): NodeFamily[] {
    return [...this.byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

export async function read(platform: Platform, path: string): Promise<string> {
  return platform.fs.readTextFile(path);
}

/** The trimmed content of a file, or undefined when it cannot be read. */
export async function tryRead(platform: Platform, path: string): Promise<string | undefined> {
  try {
    return (await platform.fs.readTextFile(path)).trim();
  } catch {
    return undefined;
  }
}

/** Whether an error from the Platform's file system means "no such file or directory". */
export function isNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "ENOENT";
}

/** Names in a directory, sorted; undefined when the directory does not exist. */
export async function listDir(platform: Platform, path: string): Promise<string[] | undefined> {
  try {
    return (await platform.fs.readDir(path)).map((e) => e.name);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** Whether a path exists (following symlinks). */
export async function exists(platform: Platform, path: string): Promise<boolean> {
  try {
    return (await platform.fs.stat(path)) !== null;
  } catch {
    return false;
  }
}

/**
 * Go's strconv.ParseInt(s, 0, 64), which procfs uses for sysfs attributes: the base comes from the
 * prefix (0x…, 0o… or a leading 0 for octal, 0b…). Undefined when it does not parse.
 */
export function parseGoInt(text: string): number | undefined {
  const m = /^([+-]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]?([0-7]+)|0[bB]([01]+)|([1-9][0-9]*|0))$/.exec(text);
  if (!m) return undefined;
  const [, sign, hex, oct, bin, dec] = m;
  const v = hex !== undefined ? parseInt(hex, 16) : oct !== undefined ? parseInt(oct, 8) : bin !== undefined ? parseInt(bin, 2) : Number(dec);
  return sign === "-" ? -v : v;
}
