// Benchmark: the scrape -> relabel -> remote_write pipeline, alloy-ts (`alloy run` under Bun, Deno and
// Node) against Prometheus 2.42 in agent mode (Debian's `prometheus --enable-feature=agent`), in one run,
// on the same synthetic targets and the same receiver (scripts/bench/pipeline-peer.ts, its own process).
// Each agent runs alone: a warm-up (first scrapes create every series), then a measured window. Printed:
//   CPU-s per million samples  (user+system CPU of the agent process over the window / samples received)
//   bytes per active series    (resident memory at the end of the window / series)
//   peak RSS, samples received, requests and bytes sent.
// Run: node --import tsx scripts/bench/pipeline-agent.ts [--series 200000] [--targets 20] [--interval 10]
//      [--warmup 30] [--window 60] [--churn 0] [--agents prometheus,bun,deno,node]
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const args = new Map<string, string>();
for (let i = 2; i + 1 < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1]!);
const SERIES = Number(args.get("series") ?? 200_000);
const TARGETS = Number(args.get("targets") ?? 20);
const INTERVAL = Number(args.get("interval") ?? 10);
const WARMUP = Number(args.get("warmup") ?? 30);
const WINDOW = Number(args.get("window") ?? 60);
const CHURN = Number(args.get("churn") ?? 0);
const AGENTS = (args.get("agents") ?? "prometheus,bun,deno,node").split(",");
const CLK_TCK = 100;
const PAGE = 4096;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const bin = (name: string) => join(root, "node_modules", ".bin", name);

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime, stime (and children's) are fields 14-17 of the line; after the command they start at index 11.
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / CLK_TCK;
}

function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+([0-9]+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

/** The process doing the work: the runtime itself, or (npm-style wrappers) its child. */
function leaf(pid: number): number {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
    return children.length === 1 ? leaf(Number(children[0])) : pid;
  } catch {
    return pid;
  }
}

function start(command: string, argv: string[], log: string): ChildProcess {
  const child = spawn(command, argv, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  const out: string[] = [];
  child.stdout!.on("data", (d) => out.push(String(d)));
  child.stderr!.on("data", (d) => out.push(String(d)));
  child.on("exit", () => writeFileSync(log, out.join("")));
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const t = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(t);
}

async function stats(peer: string): Promise<Record<string, { requests: number; samples: number; bytes: number; errors: number }>> {
  return (await fetch(`${peer}/stats`)).json() as never;
}

const work = mkdtempSync(join(tmpdir(), "alloy-ts-bench-pipeline-"));
const peerChild = spawn(process.execPath, ["--import", "tsx", join(root, "scripts/bench/pipeline-peer.ts"), "--port", "0", "--series", String(SERIES), "--targets", String(TARGETS), "--churn", String(CHURN)], {
  cwd: root,
  stdio: ["ignore", "pipe", "inherit"],
});
const peerLine = await new Promise<string>((resolve) => {
  let buf = "";
  peerChild.stdout!.on("data", (d) => {
    buf += String(d);
    if (buf.includes("\n")) resolve(buf);
  });
});
const peerAddr = /listening on (\S+)/.exec(peerLine)![1]!;
const peer = `http://${peerAddr}`;
const series = Number(/series=([0-9]+)/.exec(peerLine)![1]);

const paths = Array.from({ length: TARGETS }, (_, i) => `/metrics/t${i}`);

function prometheusConfig(name: string): string {
  return `global:
  scrape_interval: ${INTERVAL}s
  scrape_timeout: ${INTERVAL}s
scrape_configs:
  - job_name: bench
    static_configs:
${paths.map((p) => `      - targets: ["${peerAddr}"]\n        labels:\n          __metrics_path__: "${p}"`).join("\n")}
    metric_relabel_configs:
      - target_label: env
        replacement: bench
      - source_labels: [handler]
        regex: "/api/v1/resource/49"
        action: drop
remote_write:
  - url: ${peer}/write/${name}
`;
}

function alloyConfig(name: string): string {
  return `prometheus.scrape "bench" {
  targets = [
${paths.map((p) => `    {"__address__" = "${peerAddr}", "__metrics_path__" = "${p}"},`).join("\n")}
  ]
  forward_to      = [prometheus.relabel.bench.receiver]
  job_name        = "bench"
  scrape_interval = "${INTERVAL}s"
  scrape_timeout  = "${INTERVAL}s"
}

prometheus.relabel "bench" {
  forward_to = [prometheus.remote_write.bench.receiver]
  max_cache_size = ${SERIES * 2}
  rule {
    target_label = "env"
    replacement  = "bench"
  }
  rule {
    source_labels = ["handler"]
    regex         = "/api/v1/resource/49"
    action        = "drop"
  }
}

prometheus.remote_write "bench" {
  endpoint {
    url = "${peer}/write/${name}"
  }
}
`;
}

interface Result {
  agent: string;
  cpu: number;
  samples: number;
  rss: number;
  hwm: number;
  requests: number;
  bytes: number;
  errors: number;
}

async function runAgent(agent: string): Promise<Result | undefined> {
  const dir = join(work, agent);
  rmSync(dir, { recursive: true, force: true });
  let child: ChildProcess;
  const name = agent === "prometheus" ? "prometheus" : `alloy-${agent}`;
  if (agent === "prometheus") {
    if (!existsSync("/usr/bin/prometheus")) {
      console.log("prometheus not installed: skipped");
      return undefined;
    }
    writeFileSync(`${work}/prometheus.yml`, prometheusConfig(name));
    child = start("/usr/bin/prometheus", [
      "--enable-feature=agent",
      `--config.file=${work}/prometheus.yml`,
      `--storage.agent.path=${dir}`,
      "--web.listen-address=127.0.0.1:0",
    ], `${work}/${agent}.log`);
  } else {
    writeFileSync(`${work}/${agent}.alloy`, alloyConfig(name));
    const entry = join(root, "src/cli/entry.ts");
    const flags = ["run", "--server.http.listen-addr=127.0.0.1:0", `--storage.path=${dir}`, `${work}/${agent}.alloy`];
    if (agent === "bun") child = start(bin("bun"), [entry, ...flags], `${work}/${agent}.log`);
    else if (agent === "deno") child = start(bin("deno"), ["run", "--no-check", "-A", entry, ...flags], `${work}/${agent}.log`);
    else child = start(process.execPath, ["--import", "tsx", entry, ...flags], `${work}/${agent}.log`);
  }
  try {
    await sleep(WARMUP * 1000);
    const pid = leaf(child.pid!);
    const cpu0 = cpuSeconds(pid);
    const s0 = (await stats(peer))[name] ?? { samples: 0, requests: 0, bytes: 0, errors: 0 };
    await sleep(WINDOW * 1000);
    const cpu1 = cpuSeconds(pid);
    const s1 = (await stats(peer))[name] ?? { samples: 0, requests: 0, bytes: 0, errors: 0 };
    const mem = memory(pid);
    return {
      agent: agent === "prometheus" ? "Prometheus 2.42 agent" : `alloy-ts (${agent})`,
      cpu: cpu1 - cpu0,
      samples: s1.samples - s0.samples,
      rss: mem.rss,
      hwm: mem.hwm,
      requests: s1.requests - s0.requests,
      bytes: s1.bytes - s0.bytes,
      errors: s1.errors,
    };
  } finally {
    await stop(child);
  }
}

console.log(`pipeline: ${series} series on ${TARGETS} targets, scrape every ${INTERVAL}s, 2 relabel rules, remote write to a local receiver`);
console.log(`warm-up ${WARMUP}s, measured ${WINDOW}s per agent, churn ${CHURN}; peer at ${peer}`);
const results: Result[] = [];
for (const agent of AGENTS) {
  const r = await runAgent(agent);
  if (!r) continue;
  results.push(r);
  console.log(`  ${r.agent}: done`);
}
await stop(peerChild);

const expected = ((series - series / 50) * WINDOW) / INTERVAL;
console.log("");
console.log(
  `${"agent".padEnd(24)} ${"CPU-s/M samples".padStart(16)} ${"bytes/series".padStart(13)} ${"RSS MiB".padStart(8)} ${"peak MiB".padStart(9)} ${"samples".padStart(10)} ${"req".padStart(6)} ${"MiB sent".padStart(9)}`,
);
for (const r of results) {
  const perM = r.samples > 0 ? r.cpu / (r.samples / 1e6) : NaN;
  console.log(
    `${r.agent.padEnd(24)} ${perM.toFixed(2).padStart(16)} ${(r.rss / series).toFixed(0).padStart(13)} ${(r.rss / 2 ** 20).toFixed(0).padStart(8)} ${(r.hwm / 2 ** 20).toFixed(0).padStart(9)} ${String(r.samples).padStart(10)} ${String(r.requests).padStart(6)} ${(r.bytes / 2 ** 20).toFixed(1).padStart(9)}${r.errors ? ` errors=${r.errors}` : ""}`,
  );
}
console.log(`(about ${Math.round(expected)} samples expected per window; the receiver counted samples, not series)`);
const prom = results.find((r) => r.agent.startsWith("Prometheus"));
if (prom) {
  const promPerM = prom.cpu / (prom.samples / 1e6);
  for (const r of results) {
    if (r === prom) continue;
    const perM = r.cpu / (r.samples / 1e6);
    console.log(`${r.agent}: ${(perM / promPerM).toFixed(2)}x Prometheus's CPU per sample, ${(r.rss / prom.rss).toFixed(2)}x its memory per series`);
  }
}
rmSync(work, { recursive: true, force: true });
void PAGE;
