// node_exporter's bcache collector: each cache set under /sys/fs/bcache/<uuid> with its btree and
// cache figures, its backing devices' dirty data, writeback controller and total hit/miss counters, and
// its cache devices' writes and errors (and, with bcache { priority_stats = true }, their priority
// statistics). bcache prints sizes in human units ("1.5M"), read back as prometheus/procfs does.

import type { Platform } from "../../../../platform/mod.ts";
import { type Collector, Families, isNotFound, listDir, read } from "./common.ts";

const UNITS: Record<string, number> = { k: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50, E: 2 ** 60, Z: 2 ** 70, Y: 2 ** 80 };

function goFloat(text: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`);
  return Number(text);
}

/** bcache's human-readable sizes: "12.5k" is 12 + 5/10.24 KiB (its decimals are 1/1024ths printed as tenths). */
export function dehumanize(text: string): number {
  if (text === "") throw new Error("zero-length reply");
  const last = text.charCodeAt(text.length - 1);
  if (last <= 57) return Math.trunc(goFloat(text));
  const [whole, fraction] = text.slice(0, -1).split(".");
  let mantissa = goFloat(whole!);
  if (fraction !== undefined) mantissa += goFloat(fraction) / 10.24;
  return Math.trunc(mantissa * (UNITS[text[text.length - 1]!] ?? 0));
}

function dehumanizeSigned(text: string): number {
  const v = dehumanize(text.replace(/^-/, ""));
  return text.startsWith("-") ? -v : v;
}

/** A value file (its last byte, the newline, dropped); a missing file reads as 0. */
async function value(platform: Platform, path: string): Promise<number> {
  let text: string;
  try {
    text = await read(platform, path);
  } catch (e) {
    if (isNotFound(e)) return 0;
    throw new Error(`failed to read: ${path}`);
  }
  return dehumanize(text.slice(0, -1));
}

/** The last word of the line starting with key, without the suffix. */
function field(lines: string[], key: string, suffix = ""): string | undefined {
  const line = lines.find((l) => l.startsWith(key));
  if (line === undefined) return undefined;
  const last = line.trim().split(/\s+/).at(-1)!;
  return last.endsWith(suffix) ? last.slice(0, last.length - suffix.length) : last;
}

async function lines(platform: Platform, path: string): Promise<string[]> {
  try {
    return (await read(platform, path)).split("\n");
  } catch {
    throw new Error(`failed to read: ${path}`);
  }
}

const PERIOD: [file: string, name: string, help: string][] = [
  ["bypassed", "bypassed_bytes_total", "Amount of IO (both reads and writes) that has bypassed the cache."],
  ["cache_hits", "cache_hits_total", "Hits counted per individual IO as bcache sees them."],
  ["cache_misses", "cache_misses_total", "Misses counted per individual IO as bcache sees them."],
  ["cache_bypass_hits", "cache_bypass_hits_total", "Hits for IO intended to skip the cache."],
  ["cache_bypass_misses", "cache_bypass_misses_total", "Misses for IO intended to skip the cache."],
  ["cache_miss_collisions", "cache_miss_collisions_total", "Instances where data insertion from cache miss raced with write (data already present)."],
];

async function cacheSet(platform: Platform, dir: string, uuid: string, priorityStats: boolean, out: Families): Promise<void> {
  const add = (name: string, help: string, type: "gauge" | "counter", v: number, labels: Record<string, string> = {}) => out.add(`node_bcache_${name}`, help, type, v, { uuid, ...labels });
  const top: [file: string, name: string, help: string, type: "gauge" | "counter", scale: number][] = [
    ["average_key_size", "average_key_size_sectors", "Average data per key in the btree (sectors).", "gauge", 1],
    ["btree_cache_size", "btree_cache_size_bytes", "Amount of memory currently used by the btree cache.", "gauge", 1],
    ["cache_available_percent", "cache_available_percent", "Percentage of cache device without dirty data, usable for writeback (may contain clean cached data).", "gauge", 1],
    ["congested", "congested", "Congestion.", "gauge", 1],
    ["root_usage_percent", "root_usage_percent", "Percentage of the root btree node in use (tree depth increases if too high).", "gauge", 1],
    ["tree_depth", "tree_depth", "Depth of the btree.", "gauge", 1],
    ["internal/active_journal_entries", "active_journal_entries", "Number of journal entries that are newer than the index.", "gauge", 1],
    ["internal/btree_nodes", "btree_nodes", "Total nodes in the btree.", "gauge", 1],
    // The kernel writes microseconds; node_exporter scales the number as if it were nanoseconds.
    ["internal/btree_read_average_duration_us", "btree_read_average_duration_seconds", "Average btree read duration.", "gauge", 1e-9],
    [
      "internal/cache_read_races",
      "cache_read_races_total",
      "Counts instances where while data was being read from the cache, the bucket was reused and invalidated - i.e. where the pointer was stale after the read completed.",
      "counter",
      1,
    ],
  ];
  const values: number[] = [];
  for (const [file] of top) values.push(await value(platform, `${dir}/${file}`));
  const entries = (await listDir(platform, dir)) ?? [];
  const bdevs = entries.filter((n) => /^bdev[0-9]/.test(n));
  const caches = entries.filter((n) => /^cache[0-9]/.test(n));
  top.forEach(([, name, help, type, scale], i) => add(name, help, type, values[i]! * scale));
  for (const bdev of bdevs) {
    const d = `${dir}/${bdev}`;
    const labels = { backing_device: bdev };
    const dirty = await value(platform, `${d}/dirty_data`);
    const debug = await lines(platform, `${d}/writeback_rate_debug`);
    const num = (key: string, signed: boolean, suffix = "") => {
      const f = field(debug, key, suffix);
      return f === undefined ? 0 : signed ? dehumanizeSigned(f) : dehumanize(f);
    };
    add("dirty_data_bytes", "Amount of dirty data for this backing device in the cache.", "gauge", dirty, labels);
    add("dirty_target_bytes", "Current dirty data target threshold for this backing device in bytes.", "gauge", num("target:", false), labels);
    add("writeback_rate", "Current writeback rate for this backing device in bytes.", "gauge", num("rate:", false, "/sec"), labels);
    add("writeback_rate_proportional_term", "Current result of proportional controller, part of writeback rate", "gauge", num("proportional:", true), labels);
    add("writeback_rate_integral_term", "Current result of integral controller, part of writeback rate", "gauge", num("integral:", true), labels);
    add("writeback_change", "Last writeback rate change step for this backing device.", "gauge", num("change:", true, "/sec"), labels);
    for (const [file, name, help] of PERIOD) add(name, help, "counter", await value(platform, `${d}/stats_total/${file}`), labels);
    const readaheads = await value(platform, `${d}/stats_total/cache_readaheads`);
    if (readaheads !== 0) add("cache_readaheads_total", "Count of times readahead occurred.", "counter", readaheads, labels);
  }
  for (const cache of caches) {
    const d = `${dir}/${cache}`;
    const labels = { cache_device: cache };
    add("io_errors", "Number of errors that have occurred, decayed by io_error_halflife.", "gauge", await value(platform, `${d}/io_errors`), labels);
    add("metadata_written_bytes_total", "Sum of all non data writes (btree writes and all other metadata).", "counter", await value(platform, `${d}/metadata_written`), labels);
    add("written_bytes_total", "Sum of all data that has been written to the cache.", "counter", await value(platform, `${d}/written`), labels);
    if (!priorityStats) continue;
    const stats = await lines(platform, `${d}/priority_stats`);
    const percent = (key: string) => {
      const f = field(stats, key, "%");
      if (f !== undefined && !/^\d+$/.test(f)) throw new Error(`failed to parse path "${d}/priority_stats": invalid ${key} ${JSON.stringify(f)}`);
      return f === undefined ? 0 : Number(f);
    };
    add("priority_stats_unused_percent", "The percentage of the cache that doesn't contain any data.", "gauge", percent("Unused:"), labels);
    add("priority_stats_metadata_percent", "Bcache's metadata overhead.", "gauge", percent("Metadata:"), labels);
  }
}

export const bcache: Collector = async (platform, o, out) => {
  const base = `${o.sysfs}/fs/bcache`;
  // All cache sets are read before anything is reported: one unreadable set fails the collector whole.
  const collected = new Families();
  for (const uuid of ((await listDir(platform, base)) ?? []).filter((n) => n.includes("-"))) {
    try {
      await cacheSet(platform, `${base}/${uuid}`, uuid, o.bcachePriorityStats, collected);
    } catch (e) {
      throw new Error(`failed to retrieve bcache stats: ${(e as Error).message}`);
    }
  }
  for (const family of collected.byName.values()) for (const sample of family.samples) out.addSample(family.name, family.help, family.type, sample);
};
