// Benchmark: parsing scrape bodies in the Prometheus text format and OpenMetrics, ours against a
// straightforward split/regex parser (the naive peer) in the same run. Input: the real node_exporter's
// /metrics when `prometheus-node-exporter` is installed (started on 127.0.0.1:9101 for the capture and
// stopped), else a generated node_exporter-like body; plus a generated 10,000-series body.
// Run: node --import tsx scripts/bench/wire-exposition.ts (also bun / deno run -A).
// Figures: MB/s of body text and ns per sample for
//   - ours, parse only (entries and values; no label decoding),
//   - ours, first scrape (every series' labels decoded, sorted and interned),
//   - ours, repeated scrape (the series cache answers; what a scrape loop pays in steady state),
//   - naive peer (split lines, regex per line, label object per sample).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { LabelsBuilder } from "../../src/wire/labels/builder.ts";
import { RawSeriesCache } from "../../src/wire/labels/rawcache.ts";
import { SeriesTable } from "../../src/wire/labels/series.ts";
import { Entry, type ExpositionParser } from "../../src/wire/exposition/common.ts";
import { OpenMetricsParser } from "../../src/wire/exposition/openmetrics.ts";
import { PromTextParser } from "../../src/wire/exposition/promtext.ts";
import { SampleBatch, ScrapeReader } from "../../src/wire/exposition/reader.ts";

const MB = 1024 * 1024;
const enc = new TextEncoder();

async function nodeExporter(): Promise<{ text: string; om: string | undefined } | undefined> {
  const bin = "/usr/bin/prometheus-node-exporter";
  if (!existsSync(bin)) return undefined;
  const child = spawn(bin, ["--web.listen-address=127.0.0.1:9101"], { stdio: "ignore" });
  try {
    for (let i = 0; i < 50; i++) {
      try {
        const text = await (await fetch("http://127.0.0.1:9101/metrics")).text();
        const res = await fetch("http://127.0.0.1:9101/metrics", { headers: { Accept: "application/openmetrics-text; version=1.0.0" } });
        const om = await res.text();
        // Older node_exporters answer in the text format whatever the Accept header says.
        return { text, om: res.headers.get("content-type")?.startsWith("application/openmetrics-text") ? om : undefined };
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return undefined;
  } finally {
    child.kill("SIGTERM");
  }
}

function generated(series: number, openMetrics: boolean): string {
  const out: string[] = [];
  const modes = ["user", "system", "idle", "iowait", "irq", "softirq", "steal", "nice"];
  let n = 0;
  for (let f = 0; n < series; f++) {
    const name = `node_generated_metric_${f}_seconds_total`;
    out.push(`# HELP ${name} Seconds the CPUs spent in each mode (family ${f}).`, `# TYPE ${name} counter`);
    for (let i = 0; i < 64 && n < series; i++, n++) {
      out.push(`${name}{cpu="${i}",mode="${modes[i % 8]}",device="/dev/nvme0n${f % 4}p${i % 3}"} ${(Math.random() * 1e7).toFixed(2)}`);
    }
  }
  if (openMetrics) out.push("# EOF");
  return out.join("\n") + "\n";
}

/** The naive peer: lines, a regex per sample line, a label object per sample, parseFloat. */
const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+(\S+))?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
function naive(text: string): number {
  let samples = 0;
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`bad line: ${line}`);
    const labels: Record<string, string> = { __name__: m[1]! };
    if (m[2]) for (const l of m[2].matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\(["\\n])/g, (_, c) => (c === "n" ? "\n" : c));
    const v = parseFloat(m[3]!);
    const ts = m[4] ? Number(m[4]) : NaN;
    if (Number.isNaN(v) && m[3] !== "NaN") throw new Error("bad value");
    void ts;
    samples++;
  }
  return samples;
}

function time(fn: () => number, minMs = 700): { ms: number; samples: number } {
  const samples = fn();
  let runs = 0;
  const start = performance.now();
  let now = start;
  while (now - start < minMs) {
    fn();
    runs++;
    now = performance.now();
  }
  return { ms: (now - start) / runs, samples };
}

function row(name: string, bytes: number, r: { ms: number; samples: number }): void {
  console.log(`  ${name.padEnd(38)} ${(bytes / MB / (r.ms / 1000)).toFixed(1).padStart(7)} MB/s ${((r.ms * 1e6) / r.samples).toFixed(0).padStart(6)} ns/sample`);
}

function parseOnly(p: ExpositionParser): number {
  let n = 0;
  for (let e = p.next(); e !== Entry.EOF; e = p.next()) if (e === Entry.Series) n++;
  return n;
}

function bench(title: string, text: string, om: boolean): void {
  const body = enc.encode(text);
  const make = (): ExpositionParser => (om ? new OpenMetricsParser(body) : new PromTextParser(body));
  const lines = text.split("\n").filter((l) => l !== "" && !l.startsWith("#")).length;
  console.log(`${title}: ${(body.length / 1024).toFixed(0)} KiB, ${lines} samples`);
  const reuse = new PromTextParser();
  row("ours: parse only", body.length, time(() => parseOnly(om ? new OpenMetricsParser(body) : reuse.reset(body))));
  const batch = new SampleBatch(4096);
  row("ours: first scrape (labels, intern)", body.length, time(() => {
    const table = new SeriesTable();
    const reader = new ScrapeReader(new RawSeriesCache(), { resolve: (lb: LabelsBuilder) => table.intern(lb) });
    return reader.read(make(), batch.reset()).samples;
  }));
  const table = new SeriesTable();
  const reader = new ScrapeReader(new RawSeriesCache(), { resolve: (lb: LabelsBuilder) => table.intern(lb) });
  reader.read(make(), batch.reset());
  row("ours: repeated scrape (series cache)", body.length, time(() => {
    reader.cache.nextIteration();
    return reader.read(om ? new OpenMetricsParser(body) : reuse.reset(body), batch.reset()).samples;
  }));
  row("naive peer: split + regex", body.length, time(() => naive(text)));
}

const real = await nodeExporter();
if (real) {
  bench("node_exporter /metrics, text 0.0.4", real.text, false);
  if (real.om) bench("node_exporter /metrics, OpenMetrics", real.om, true);
  else console.log("(this node_exporter does not offer OpenMetrics)");
} else {
  console.log("(prometheus-node-exporter not installed: generated bodies only)");
}
bench("generated 10,000 series, text 0.0.4", generated(10_000, false), false);
bench("generated 10,000 series, OpenMetrics", generated(10_000, true), true);
