// Benchmark: a cluster of 50 `alloy run` agents on loopback (issue 7). Every agent is a real
// process under one runtime (--runtime, Bun by default), with clustering on, a configuration that
// uses nothing outside the agent (prometheus.exporter.self), and an HTTP port of its own on
// 127.0.0.1; the first agent starts a cluster, the next two join it, and every later one joins
// those first three (--cluster.join-addresses). Agents start a few at a time (--batch), each
// announcing itself before the next batch, so that 2 cores are not asked to start 50 at once.
//
// Measured, in this order:
//   1. converge — from the last agent running until every agent's /api/v0/web/peers lists all of
//      them as participants;
//   2. gossip   — steady state: after a settling pause, the cluster_transport_* byte counters of
//      every agent over a window (--window, 60s): packets (probes, acks, piggybacked broadcasts)
//      and streams (push/pull), written bytes per second per node; also CPU per node from
//      /proc/<pid>/stat over the same window;
//   3. RSS      — VmRSS of every agent's process (/proc/<pid>/status) at the end of the window;
//   4. detect   — SIGKILL one agent (not a seed) and time until the first and until every survivor
//      no longer lists it.
//
// What to expect from memberlist's timings as ckit sets them (spec/memberlist.md): probe interval
// P = 5s, probe timeout 2s, suspicion multiplier 4, max-timeout multiplier 6, 3 indirect checks.
// With N = 50 every survivor probes one member per P in a shuffled round, so about one survivor
// per P probes the dead agent: the first suspicion comes ≈ P after the kill plus the failed
// probe's own P (direct ack timeout, then indirect probes until the probe period ends). Suspicion
// lasts between S_min = 4 · log10(50) · P ≈ 34s and S_max = 6 · S_min ≈ 204s, shortened towards
// S_min as other survivors confirm it (k = 2 confirmations reach S_min; each survivor that
// probes the victim independently is one, ≈ one per P). So typically ≈ 10s + 34s ≈ 45s until the
// first survivor declares it dead, then a few gossip rounds (200ms each, fan-out 3) until every
// survivor knows; the worst case without confirmations is ≈ 10s + 204s.
//
// ckit's README gives, for a 151-node cluster, ~20MB of memory and ~50B/s of network traffic per
// node. Those are the gossip library's own share inside a Go process; the RSS printed here is a
// whole agent (a JavaScript runtime, the component runtime, the HTTP server and the cluster) per
// process, so compare the RSS with an idle Alloy process rather than with ckit's 20MB. Bytes per
// second are the memberlist payload bytes ckit counts (cluster_transport_tx_bytes_total and
// cluster_transport_stream_tx_bytes_total), without HTTP/2 framing, the same counters ckit's own
// figure rests on. memberlist's traffic per node grows with log(N) (retransmits, push/pull scaling),
// so 50 nodes should be no more than ckit's 151.
//
// Stream bytes (push/pull) depend on Alloy more than on ckit: besides memberlist's own push/pull
// with one random node every 60s (memberlist's 30s, doubled above 32 nodes), every agent re-joins its join addresses
// every --cluster.rejoin-interval (Alloy's default 60s), a push/pull with each of the three seeds,
// each carrying the whole member list. So the seeds answer about 47 push/pulls a minute and
// write several times the mean; --rejoin=0s shows the cluster without it.
//
// Measured on this project's machine (2 cores, 24 GB; other work running), mean (min–max) per node:
//
//   runtime rejoin  converge  packet B/s  stream B/s     total B/s       RSS MiB        all drop the killed one
//   bun     60s     8.1s      31 (24–34)  178 (91–1218)  209 (115–1251)  83 (81–88)     45.8s
//   bun     0s      16.7s     32 (25–35)  46 (23–93)     78 (52–125)     83 (82–86)     46.1s
//   node    60s     5.0s      27 (20–32)  179 (92–1181)  205 (114–1205)  114 (104–159)  45.6s
//   deno    60s     8.2s      21 (17–28)  176 (90–1226)  198 (108–1250)  98 (94–109)    44.5s
//
// So without Alloy's rejoin, ≈ 30 B/s of packets and ≈ 80 B/s in all per node, next to ckit's
// ≈ 50 B/s at 151 nodes; with Alloy's default rejoin the seeds' answers dominate. Each agent is
// 80–115 MiB resident (a whole runtime and agent, not ckit's 20MB share), ≈ 0.5–1% of a core at
// rest. Starting 50 agents saturates both cores, and probes that miss the 2s probe timeout then
// make a handful of suspicions (all refuted, no deaths); none once running. Before the transport
// gave each peer its own send lane, the same start-up made 79 suspicions and 2 false deaths and
// took 49–68s to converge.
//
// Run: node --import tsx scripts/bench/cluster-50.ts [--runtime=bun|node|deno|all] [--agents=50]
//      [--batch=4] [--window=60] [--settle=15] [--rejoin=60s]
// Prints one table row per runtime. Everything is stopped and removed at the end (also on Ctrl-C).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

const option = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const AGENTS = Number(option("agents", "50"));
const SEEDS = 3;
const BATCH = Number(option("batch", "4"));
const WINDOW_S = Number(option("window", "60"));
const SETTLE_S = Number(option("settle", "15"));
/** --cluster.rejoin-interval of every agent; Alloy's default is 60s, 0s turns rejoining off. */
const REJOIN = option("rejoin", "60s");
const runtimeOption = option("runtime", "bun");
const runtimes = runtimeOption === "all" ? ["bun", "node", "deno"] : runtimeOption.split(",");
/** Long enough for S_max (≈204s) after the first suspicion; beyond it something is wrong. */
const DETECT_TIMEOUT_MS = 300_000;
const CONVERGE_TIMEOUT_MS = 300_000;
const START_TIMEOUT_MS = 180_000;
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function alloyCommand(runtime: string): [string, string[]] {
  const entry = join(root, "src/cli/entry.ts");
  const bin = (name: string) => join(root, "node_modules", ".bin", name);
  if (runtime === "deno") return [bin("deno"), ["run", "--no-check", "--allow-all", entry]];
  if (runtime === "bun") return [bin("bun"), [entry]];
  if (runtime === "node") return [process.execPath, ["--import", pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href, entry]];
  throw new Error(`unknown runtime ${runtime} (bun, node, deno or all)`);
}

/** memberlist's log lines about failure detection, counted per agent. */
const EVENT_PATTERNS: [string, RegExp][] = [
  ["suspicions", /msg="memberlist: suspect \S+ has failed, no acks received"/],
  ["deaths", /msg="memberlist: marking \S+ as failed/],
  ["refutations", /msg="memberlist: refuting a (suspect|dead) message/],
];

/** One agent process; keeps only the tail of its output, for error reports, and counts events. */
class Agent {
  readonly child: ChildProcess;
  readonly events = new Map<string, number>();
  port = 0;
  #tail = "";
  #exit: string | undefined;

  constructor(
    readonly name: string,
    command: [string, string[]],
    args: string[],
    cwd: string,
  ) {
    this.child = spawn(command[0], [...command[1], ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let partial = "";
    const append = (chunk: Buffer) => {
      const text = chunk.toString();
      this.#tail = (this.#tail + text).slice(-16_384);
      const lines = (partial + text).split("\n");
      partial = lines.pop()!;
      for (const line of lines) {
        for (const [event, pattern] of EVENT_PATTERNS) if (pattern.test(line)) this.events.set(event, (this.events.get(event) ?? 0) + 1);
      }
    };
    this.child.stdout!.on("data", append);
    this.child.stderr!.on("data", append);
    this.child.once("exit", (code, signal) => (this.#exit = `exited (${code ?? signal})`));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get gone(): boolean {
    return this.#exit !== undefined;
  }

  get tail(): string {
    return this.#tail;
  }

  /** Resolves with the port once the agent listens and runs. */
  async started(): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const port = /now listening for http traffic.*addr=127\.0\.0\.1:(\d+)/.exec(this.#tail)?.[1];
      if (port && this.#tail.includes("Alloy is running")) {
        this.port = Number(port);
        return;
      }
      if (this.#exit) throw new Error(`${this.name} ${this.#exit} while starting:\n${this.#tail}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not start within ${START_TIMEOUT_MS / 1000}s:\n${this.#tail}`);
      await sleep(100);
    }
  }

  /** The peers this agent lists (undefined when it does not answer). */
  async peers(): Promise<{ name: string; state: string }[] | undefined> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.port}/api/v0/web/peers`, { signal: AbortSignal.timeout(10_000) });
      return (await response.json()) as { name: string; state: string }[];
    } catch {
      return undefined;
    }
  }

  async participants(): Promise<string[] | undefined> {
    return (await this.peers())?.filter((p) => p.state === "participant").map((p) => p.name);
  }

  /** The sum of every series of each named counter in the agent's /metrics. */
  async counters(names: readonly string[]): Promise<Map<string, number>> {
    const text = await (await fetch(`http://127.0.0.1:${this.port}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
    const sums = new Map(names.map((n) => [n, 0]));
    for (const line of text.split("\n")) {
      const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
      if (name === undefined || !sums.has(name)) continue;
      sums.set(name, sums.get(name)! + Number(line.slice(line.lastIndexOf(" ") + 1)));
    }
    return sums;
  }

  /** Resident memory in MiB, from /proc. */
  rssMiB(): number {
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${this.pid}/status`, "utf8"))?.[1];
    return Number(kb) / 1024;
  }

  /** User + system CPU seconds so far, from /proc/<pid>/stat (fields 14 and 15). */
  cpuSeconds(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  }

  kill(signal: NodeJS.Signals) {
    if (!this.gone) this.child.kill(signal);
  }

  async stopped(timeoutMs: number): Promise<void> {
    if (this.gone) return;
    await Promise.race([new Promise((resolve) => this.child.once("exit", resolve)), sleep(timeoutMs)]);
  }
}

const COUNTERS = ["cluster_transport_tx_bytes_total", "cluster_transport_stream_tx_bytes_total", "cluster_transport_tx_packets_total"] as const;

interface Stats {
  mean: number;
  min: number;
  max: number;
}

function stats(values: number[]): Stats {
  if (values.length === 0) return { mean: NaN, min: NaN, max: NaN };
  return { mean: values.reduce((a, b) => a + b, 0) / values.length, min: Math.min(...values), max: Math.max(...values) };
}

interface Result {
  runtime: string;
  agents: number;
  startS: number;
  convergeS: number | string;
  packetBps: Stats;
  streamBps: Stats;
  totalBps: Stats;
  packetsPerS: Stats;
  cpuPct: Stats;
  rssMiB: Stats;
  detectFirstS: number | string;
  detectAllS: number | string;
  notes: string[];
}

/** Polls until check() holds for every agent; returns the seconds it took, or a description of the last state. */
async function until(agents: Agent[], check: (names: string[] | undefined) => boolean, timeoutMs: number, describe: () => Promise<string>): Promise<number | string> {
  const started = performance.now();
  let reported = started;
  for (;;) {
    const lists = await Promise.all(agents.map((a) => a.participants()));
    if (lists.every(check)) return (performance.now() - started) / 1000;
    if (performance.now() - started > timeoutMs) return `not after ${timeoutMs / 1000}s (${await describe()})`;
    // Progress every 10s, so that a slow phase shows what it waits for.
    if (performance.now() - reported > 10_000) {
      reported = performance.now();
      process.stderr.write(`  ${((reported - started) / 1000).toFixed(0)}s: ${await describe()}\n`);
    }
    await sleep(500);
  }
}

/** How many agents list how many peers, and how many of those as participants. */
async function distribution(agents: Agent[]): Promise<string> {
  const counts = new Map<string, number>();
  for (const list of await Promise.all(agents.map((a) => a.peers()))) {
    const participants = list?.filter((p) => p.state === "participant").length;
    const key = list === undefined ? "no answer" : participants === list.length ? `${participants} participants` : `${list.length} peers, ${participants} participants`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} agents see ${k}`).join(", ");
}

async function runCluster(runtime: string): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), `alloy-cluster-bench-${runtime}-`));
  const config = join(dir, "config.alloy");
  writeFileSync(config, 'prometheus.exporter.self "self" {}\n');
  const command = alloyCommand(runtime);
  const agents: Agent[] = [];
  const notes: string[] = [];
  const stopAll = async () => {
    for (const a of agents) a.kill("SIGTERM");
    await Promise.all(agents.map((a) => a.stopped(20_000)));
    for (const a of agents) a.kill("SIGKILL");
    await Promise.all(agents.map((a) => a.stopped(5_000)));
    rmSync(dir, { recursive: true, force: true });
  };
  onInterrupt = stopAll;
  try {
    const startedAt = performance.now();
    const startAgent = (i: number) => {
      const seeds = agents.slice(0, Math.min(i, SEEDS)).map((a) => `127.0.0.1:${a.port}`);
      const agent = new Agent(
        `agent-${String(i + 1).padStart(2, "0")}`,
        command,
        [
          "run",
          "--server.http.listen-addr=127.0.0.1:0",
          `--storage.path=${join(dir, `data-${i}`)}`,
          "--disable-reporting",
          "--cluster.enabled",
          `--cluster.node-name=agent-${String(i + 1).padStart(2, "0")}`,
          "--cluster.advertise-address=127.0.0.1",
          `--cluster.rejoin-interval=${REJOIN}`,
          ...(seeds.length > 0 ? [`--cluster.join-addresses=${seeds.join(",")}`] : []),
          config,
        ],
        dir,
      );
      agents.push(agent);
      return agent;
    };
    // The seeds one by one (the later ones join the earlier), then the rest in batches.
    for (let i = 0; i < Math.min(SEEDS, AGENTS); i++) await startAgent(i).started();
    for (let i = SEEDS; i < AGENTS; i += BATCH) {
      const batch = [];
      for (let j = i; j < Math.min(i + BATCH, AGENTS); j++) batch.push(startAgent(j));
      await Promise.all(batch.map((a) => a.started()));
      process.stderr.write(`\r${runtime}: ${agents.length}/${AGENTS} agents running`);
    }
    const startS = (performance.now() - startedAt) / 1000;
    process.stderr.write(`\n${runtime}: all running after ${startS.toFixed(1)}s; waiting for convergence\n`);

    const everyone = agents.map((a) => a.name).sort().join(",");
    const convergeS = await until(agents, (list) => list?.sort().join(",") === everyone, CONVERGE_TIMEOUT_MS, () => distribution(agents));
    process.stderr.write(`${runtime}: converged: ${typeof convergeS === "number" ? `${convergeS.toFixed(1)}s` : convergeS}\n`);

    const eventTotals = () => EVENT_PATTERNS.map(([event]) => agents.reduce((sum, a) => sum + (a.events.get(event) ?? 0), 0));
    const describeEvents = (counts: number[]) => counts.map((n, i) => `${n} ${EVENT_PATTERNS[i]![0]}`).join(", ");
    const atConvergence = eventTotals();
    notes.push(`failure-detection events among healthy agents until converged: ${describeEvents(atConvergence)}`);

    // Steady state: settle, then the counters and CPU over the window.
    await sleep(SETTLE_S * 1000);
    process.stderr.write(`${runtime}: measuring gossip over ${WINDOW_S}s\n`);
    const before = await Promise.all(agents.map(async (a) => ({ at: performance.now(), cpu: a.cpuSeconds(), counters: await a.counters(COUNTERS) })));
    await sleep(WINDOW_S * 1000);
    const after = await Promise.all(agents.map(async (a) => ({ at: performance.now(), cpu: a.cpuSeconds(), counters: await a.counters(COUNTERS) })));
    const rate = (name: (typeof COUNTERS)[number]) =>
      agents.map((_, i) => (after[i]!.counters.get(name)! - before[i]!.counters.get(name)!) / ((after[i]!.at - before[i]!.at) / 1000));
    const packetRates = rate("cluster_transport_tx_bytes_total");
    const streamRates = rate("cluster_transport_stream_tx_bytes_total");
    const cpu = agents.map((_, i) => (100 * (after[i]!.cpu - before[i]!.cpu)) / ((after[i]!.at - before[i]!.at) / 1000));
    const rss = agents.map((a) => a.rssMiB());
    const stillConverged = await distribution(agents);
    if (stillConverged !== `${AGENTS} agents see ${AGENTS} participants`) notes.push(`after the window: ${stillConverged}`);

    // Healthy agents should not suspect each other once settled.
    const atKill = eventTotals();
    notes.push(`failure-detection events among healthy agents from convergence to the kill: ${describeEvents(atKill.map((n, i) => n - atConvergence[i]!))}`);

    // Failure detection: SIGKILL one agent in the middle (not a seed), then watch the survivors.
    const victim = agents[Math.floor(AGENTS / 2)]!;
    const survivors = agents.filter((a) => a !== victim);
    process.stderr.write(`${runtime}: SIGKILL ${victim.name}; waiting for the survivors to drop it\n`);
    victim.kill("SIGKILL");
    const killedAt = performance.now();
    let firstS: number | string = "never";
    const allS = await until(
      survivors,
      (list) => {
        const dropped = list !== undefined && !list.includes(victim.name);
        if (dropped && typeof firstS !== "number") firstS = (performance.now() - killedAt) / 1000;
        return dropped;
      },
      DETECT_TIMEOUT_MS,
      async () => {
        const lists = await Promise.all(survivors.map((a) => a.participants()));
        return `${lists.filter((l) => l?.includes(victim.name)).length} of ${survivors.length} survivors still list it`;
      },
    );
    // until() measures from its own start, a moment after the kill; report from the kill.
    const detectAllS = typeof allS === "number" ? (performance.now() - killedAt) / 1000 : allS;
    const gone = agents.filter((a) => a !== victim && a.gone);
    if (gone.length > 0) notes.push(`${gone.length} agents exited on their own: ${gone.map((a) => `${a.name}: ${a.tail.slice(-300)}`).join("; ")}`);

    return {
      runtime,
      agents: AGENTS,
      startS,
      convergeS,
      packetBps: stats(packetRates),
      streamBps: stats(streamRates),
      totalBps: stats(packetRates.map((r, i) => r + streamRates[i]!)),
      packetsPerS: stats(rate("cluster_transport_tx_packets_total")),
      cpuPct: stats(cpu),
      rssMiB: stats(rss),
      detectFirstS: firstS,
      detectAllS,
      notes,
    };
  } finally {
    process.stderr.write(`${runtime}: stopping ${agents.length} agents\n`);
    await stopAll();
    onInterrupt = undefined;
  }
}

let onInterrupt: (() => Promise<void>) | undefined;
process.once("SIGINT", () => {
  void (onInterrupt?.() ?? Promise.resolve()).finally(() => process.exit(130));
});

const fmt = (v: number, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : "-");
const range = (s: Stats, digits = 0) => `${fmt(s.mean, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
const seconds = (v: number | string) => (typeof v === "number" ? `${v.toFixed(1)}s` : v);

const results: Result[] = [];
for (const runtime of runtimes) {
  try {
    results.push(await runCluster(runtime));
  } catch (error) {
    console.log(`${runtime}: failed: ${(error as Error).message.slice(0, 2000)}`);
  }
}

console.log(
  `\nalloy-ts cluster of ${AGENTS} agents on loopback, --cluster.rejoin-interval=${REJOIN} (mean (min–max) per node; gossip over ${WINDOW_S}s of steady state)\n`,
);
const header = ["runtime", "start all", "converge", "packet B/s", "stream B/s", "total B/s", "packets/s", "CPU %", "RSS MiB", "RSS total", "first drops", "all drop"];
const rows = results.map((r) => [
  r.runtime,
  `${r.startS.toFixed(0)}s`,
  seconds(r.convergeS),
  range(r.packetBps),
  range(r.streamBps),
  range(r.totalBps),
  range(r.packetsPerS, 1),
  range(r.cpuPct, 1),
  range(r.rssMiB),
  `${fmt((r.rssMiB.mean * r.agents) / 1024, 1)} GiB`,
  seconds(r.detectFirstS),
  seconds(r.detectAllS),
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join("  "));
for (const r of results) for (const note of r.notes) console.log(`${r.runtime}: ${note}`);
console.log("\nckit (README, 151 nodes): ~50 B/s of network traffic and ~20MB of memory per node (the library's share of a Go process).");
