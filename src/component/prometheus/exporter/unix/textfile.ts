// node_exporter's textfile collector: the *.prom files of the textfile { directory } (a directory or a
// glob of directories) become metrics; node_textfile_mtime_seconds tells when each good file was
// written and node_textfile_scrape_error is 1 when a directory or file could not be read or parsed
// (that file is left out, the others still count). With no directory set it only reports the error
// metric as 0, as node_exporter does.

import type { Platform } from "../../../../platform/mod.ts";
import { joinPath } from "../../../../runtime/paths.ts";
import { BadPatternError, glob } from "../../../discovery/glob.ts";
import { type Collector, type Families, isNotFound, type NodeSample } from "./common.ts";
import { parseTextFormat, type TextFamily, type TextMetric } from "./textfile-parser.ts";

interface ParsedFile {
  path: string;
  families: TextFamily[];
  mtimeSeconds?: number;
  error?: string;
}

export const textfile: Collector = async (platform, o, out, log) => {
  let errored = false;
  const directories: string[] = [];
  for (const pattern of o.textfileDirectories) {
    let matches: string[] = [];
    try {
      matches = await glob(platform.fs, pattern);
    } catch (e) {
      if (!(e instanceof BadPatternError)) throw e;
    }
    // Not a pattern, or nothing matched: the path itself, which reading then reports.
    directories.push(...(matches.length > 0 ? matches : [pattern]));
  }

  const helpOf = new Map<string, { first: string; conflicting: boolean }>();
  const filesOf = new Map<string, string[]>();
  const accepted: TextFamily[] = [];
  const mtimes = new Map<string, number>();
  for (const dir of directories) {
    let names: string[] = [];
    try {
      names = (await platform.fs.readDir(dir)).map((e) => e.name);
    } catch (e) {
      if (dir !== "") {
        errored = true;
        log.error("failed to read textfile collector directory", { path: dir, err: describe(e, dir) });
      }
    }
    for (const name of names) {
      if (!name.endsWith(".prom")) continue;
      const file = await readPromFile(platform, joinPath(dir, name));
      for (const family of file.families) {
        // The first help text of a metric wins; a file that disagrees loses that family.
        const seen = helpOf.get(family.name);
        if (seen && ((family.help !== undefined && family.help !== seen.first) || seen.conflicting)) {
          seen.conflicting = true;
          errored = true;
          log.error("inconsistent metric help text", { metric: family.name, original_help_text: seen.first, new_help_text: family.help ?? "", file: filesOf.get(family.name)?.[0] ?? "" });
          continue;
        }
        if (family.help !== undefined && !seen) helpOf.set(family.name, { first: family.help, conflicting: false });
        filesOf.set(family.name, [...(filesOf.get(family.name) ?? []), file.path]);
        accepted.push(family);
      }
      if (file.error !== undefined) {
        errored = true;
        log.error("failed to collect textfile data", { file: name, err: file.error });
        continue;
      }
      mtimes.set(file.path, file.mtimeSeconds!);
    }
  }

  for (const family of accepted) {
    const help = family.help ?? `Metric read from ${filesOf.get(family.name)!.join(", ")}`;
    if (family.type === "gaugehistogram") {
      // node_exporter cannot pass gauge histograms on (it would stop); report the file as bad instead.
      errored = true;
      log.error("failed to collect textfile data", { metric: family.name, err: "gauge histograms are not supported by the textfile collector" });
      continue;
    }
    addFamily(out, family, help);
  }
  for (const path of [...mtimes.keys()].sort()) {
    out.add("node_textfile_mtime_seconds", "Unixtime mtime of textfiles successfully read.", "gauge", mtimes.get(path)!, { file: path });
  }
  out.add("node_textfile_scrape_error", "1 if there was an error opening or reading a file, 0 otherwise", "gauge", errored ? 1 : 0);
};

async function readPromFile(platform: Platform, path: string): Promise<ParsedFile> {
  let text: string;
  try {
    text = await platform.fs.readTextFile(path);
  } catch (e) {
    return { path, families: [], error: `failed to open textfile data file "${path}": ${describe(e, path)}` };
  }
  let parsed: Map<string, TextFamily>;
  try {
    parsed = parseTextFormat(text);
  } catch (e) {
    return { path, families: [], error: `failed to parse textfile data from "${path}": ${(e as Error).message}` };
  }
  const families = [...parsed.values()];
  if (families.some((f) => f.metrics.some((m) => m.timestampMs !== undefined))) {
    return { path, families: [], error: `textfile "${path}" contains unsupported client-side timestamps, skipping entire file` };
  }
  // Stat only once parsed, so that a broken file never looks fresh.
  const info = await platform.fs.stat(path).catch(() => null);
  if (!info) return { path, families, error: `failed to stat "${path}"` };
  return { path, families, mtimeSeconds: Math.floor(info.mtimeMs / 1000) };
}

/** One parsed family as node_exporter passes it on: every sample gets every label name of the family. */
function addFamily(out: Families, family: TextFamily, help: string): void {
  const names = new Set<string>();
  for (const m of family.metrics) for (const [n] of m.labels) names.add(n);
  for (const m of family.metrics) {
    const labels: Record<string, string> = {};
    for (const n of names) labels[n] = "";
    for (const [n, v] of m.labels) labels[n] = v;
    out.addSample(family.name, help, family.type === undefined || family.type === "gaugehistogram" ? "untyped" : family.type, sample(family, m, labels));
  }
}

function sample(family: TextFamily, m: TextMetric, labels: Record<string, string>): NodeSample {
  if (family.type === "summary") {
    const s = m.summary ?? { quantiles: [], sum: 0, count: 0 };
    // Quantiles pass through a map in node_exporter: one value per quantile (the last), in order.
    const byQuantile = new Map<number, number>();
    for (const [q, v] of s.quantiles) byQuantile.set(q, v);
    return { labels, summary: { quantiles: [...byQuantile].sort((a, b) => a[0] - b[0]), sum: s.sum, count: s.count } };
  }
  if (family.type === "histogram") {
    const h = m.histogram ?? { buckets: [], sum: 0, count: 0, floatCounts: false };
    // Counts become integers on the way; a histogram with a fractional count has them all read as 0.
    const count = (v: number) => (h.floatCounts ? 0 : v);
    const byBound = new Map<number, number>();
    for (const [le, c] of h.buckets) byBound.set(le, count(c));
    const buckets = [...byBound].sort((a, b) => a[0] - b[0]).map(([le, c]) => ({ le, count: c }));
    return { labels, histogram: { buckets, sum: h.sum, count: count(h.count) } };
  }
  return { labels, value: m.value };
}

/** Go's *PathError text for the common cases ("open PATH: no such file or directory"). */
function describe(e: unknown, path: string): string {
  const code = (e as { code?: string }).code;
  if (isNotFound(e)) return `open ${path}: no such file or directory`;
  if (code === "ENOTDIR") return `open ${path}: not a directory`;
  if (code === "EISDIR") return `read ${path}: is a directory`;
  if (code === "EACCES") return `open ${path}: permission denied`;
  return (e as Error).message;
}
