// Benchmark: scanning, parsing and formatting a generated 10,000-line Alloy
// configuration. Run: node --import tsx scripts/bench/syntax-parse-format.ts
// (also works with `bun` and `deno run`). Prints ms per run and MB/s.

import { parseFile } from "../../src/syntax/parser.ts";
import { printNode } from "../../src/syntax/printer.ts";
import { Scanner } from "../../src/syntax/scanner.ts";
import { SourceFile, Token } from "../../src/syntax/token.ts";

// Builds a realistic configuration of at least `lines` lines (whole pipelines): scrape pipelines,
// relabel rules, log processing stages, objects, arrays, comments, function
// calls and references between components.
export function generateConfig(lines: number): string {
  const out: string[] = [];
  let i = 0;
  while (out.length < lines) {
    const n = i++;
    out.push(
      `// Pipeline ${n}: discovery, relabelling and scraping for team-${n % 17}.`,
      `discovery.kubernetes "pods_${n}" {`,
      `\trole = "pod"`,
      `\tnamespaces {`,
      `\t\tnames = ["default", "monitoring", "team-${n % 17}"]`,
      `\t}`,
      `\tselectors {`,
      `\t\trole  = "pod"`,
      `\t\tlabel = "app.kubernetes.io/name=service-${n}"`,
      `\t}`,
      `}`,
      ``,
      `discovery.relabel "pods_${n}" {`,
      `\ttargets = discovery.kubernetes.pods_${n}.targets`,
      ``,
      `\trule {`,
      `\t\tsource_labels = ["__meta_kubernetes_pod_label_app", "__meta_kubernetes_namespace"]`,
      `\t\tseparator     = ";"`,
      `\t\tregex         = "(.+);(team-\\\\d+)"`,
      `\t\ttarget_label  = "job"`,
      `\t\treplacement   = "$2/$1"`,
      `\t}`,
      ``,
      `\trule {`,
      `\t\taction        = "keep"`,
      `\t\tsource_labels = ["__meta_kubernetes_pod_phase"]`,
      `\t\tregex         = "Running|Pending" // only live pods`,
      `\t}`,
      `}`,
      ``,
      `prometheus.scrape "pods_${n}" {`,
      `\ttargets         = discovery.relabel.pods_${n}.output`,
      `\tforward_to      = [prometheus.remote_write.default.receiver]`,
      `\tscrape_interval = "${15 + (n % 4) * 15}s"`,
      `\tscrape_timeout  = "10s"`,
      `\textra_metrics   = ${n % 2 === 0 ? "true" : "false"}`,
      `\tsample_limit    = ${1000 * (n % 9 + 1)}`,
      `\tbody_size_limit = 10 * 1024 * 1024 + ${n}`,
      `\tparams          = {`,
      `\t\t"collect[]" = ["cpu", "meminfo", "netdev"],`,
      `\t\tformat      = ["prometheus"],`,
      `\t}`,
      `\ttls_config {`,
      `\t\tca_file     = env("CA_FILE")`,
      `\t\tserver_name = string.format("svc-%d.cluster.local", ${n})`,
      `\t}`,
      `}`,
      ``,
      `loki.process "logs_${n}" {`,
      `\tforward_to = [loki.write.default.receiver]`,
      ``,
      `\tstage.json {`,
      `\t\texpressions = {`,
      `\t\t\tlevel = "level",`,
      `\t\t\tmsg   = "message",`,
      `\t\t\tts    = "timestamp",`,
      `\t\t}`,
      `\t}`,
      ``,
      `\tstage.labels {`,
      `\t\tvalues = { level = "", service = "service_${n}" }`,
      `\t}`,
      ``,
      `\t/* Drop debug lines older than an hour. */`,
      `\tstage.drop {`,
      `\t\tolder_than          = "1h"`,
      `\t\tdrop_counter_reason = "too old"`,
      `\t}`,
      `}`,
      ``,
    );
  }
  return out.join("\n") + "\n";
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

// Fastest run, besides the median: on a busy machine the minimum is the
// better estimate of the code's own cost.
const fastest = new Map<string, number>();

function time(runs: number, fn: () => void, name = ""): number {
  fn(); // warm up
  fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    t.push(performance.now() - start);
  }
  fastest.set(name, Math.min(...t));
  return median(t);
}

const LINES = 10_000;
const RUNS = 15;
const source = generateConfig(LINES);
const bytes = new TextEncoder().encode(source);
const mb = bytes.length / (1024 * 1024);

let tokens = 0;
const scanMs = time(RUNS, () => {
  const s = new Scanner(new SourceFile("bench.alloy"), bytes, null, 0);
  tokens = 0;
  while (s.scan() !== Token.EOF) tokens++;
}, "scan");
const parseMs = time(RUNS, () => {
  parseFile("bench.alloy", bytes);
}, "parse (incl. scan)");
const file = parseFile("bench.alloy", bytes);
let formatted = "";
const printMs = time(RUNS, () => {
  formatted = printNode(file);
}, "format (print AST)");
const totalMs = time(RUNS, () => {
  printNode(parseFile("bench.alloy", bytes));
}, "parse + format");

if (printNode(parseFile("bench.alloy", formatted)) !== formatted) throw new Error("formatting is not idempotent");

// Reference point from the same run: the engine's native JSON parser and
// serializer on a document of about the same size (Alloy's Go parser is not
// available here; JSON.parse is the fastest parser a JS program has).
const jsonDoc = JSON.stringify(
  Array.from({ length: Math.ceil(bytes.length / 330) }, (_, i) => ({
    name: `prometheus.scrape.pods_${i}`,
    targets: ["discovery.relabel.pods", "default", "monitoring"],
    args: { scrape_interval: "30s", sample_limit: 1000 * i, extra_metrics: i % 2 === 0, params: { format: ["prometheus"] } },
    rules: [{ source_labels: ["__meta_kubernetes_pod_phase"], regex: "Running|Pending", action: "keep" }],
  })),
  null,
  "\t",
);
const jsonMb = new TextEncoder().encode(jsonDoc).length / (1024 * 1024);
let parsed: unknown;
const jsonParseMs = time(RUNS, () => {
  parsed = JSON.parse(jsonDoc);
}, "JSON.parse");
const jsonStringifyMs = time(RUNS, () => {
  JSON.stringify(parsed, null, "\t");
}, "JSON.stringify");

const row = (name: string, ms: number, size = mb) =>
  `${name.padEnd(22)} ${ms.toFixed(2).padStart(8)} ms ${(size / (ms / 1000)).toFixed(1).padStart(8)} MB/s` +
  `   (fastest ${fastest.get(name)!.toFixed(2)} ms, ${(size / (fastest.get(name)! / 1000)).toFixed(1)} MB/s)`;
console.log(`input: ${source.split("\n").length - 1} lines, ${bytes.length} bytes, ${tokens} tokens (median of ${RUNS} runs)`);
console.log(row("scan", scanMs));
console.log(row("parse (incl. scan)", parseMs));
console.log(row("format (print AST)", printMs));
console.log(row("parse + format", totalMs));
console.log(`reference: native JSON on ${Math.round(jsonMb * 1024 * 1024)} bytes`);
console.log(row("JSON.parse", jsonParseMs, jsonMb));
console.log(row("JSON.stringify", jsonStringifyMs, jsonMb));
