// Clustering end to end (issue 7): real `alloy run` children under the runtime running the test,
// each on its own loopback port, gossiping over their HTTP ports.
//
// - Five agents joined through --cluster.join-addresses converge: each lists the five as
//   participants.
// - A synthetic exporter (a loopback HTTP server of the test's own) stands behind 300 targets,
//   /metrics/<n>; every agent runs the same prometheus.scrape with `clustering { enabled = true }`
//   and a `agent` query parameter of its own (params are not target labels, so they do not change
//   the sharding keys), so the exporter knows who scraped what and when. Over several intervals
//   each target is scraped by exactly one agent, once per interval.
// - SIGKILL one agent: the others find it dead and its targets move to them. The bound follows
//   from memberlist's timings as ckit sets them (probe interval 5s, probe timeout 2s, suspicion
//   multiplier 4, max-timeout multiplier 6): with 5 nodes the suspicion timeout is
//   4 · max(1, log10 5) · 5s = 20s once two other nodes have confirmed the suspicion, and at most
//   6 · 20s = 120s without confirmations; the first failed probe comes within a round of probes
//   (each survivor probes the others in turn, 5s each: ≤ 20s). So the kill is noticed in ≤ 140s,
//   typically 25–45s (a suspicion plus two confirmations), then the survivors re-shard within
//   the 1s notification limit and scrape the moved targets at their next interval.
// - The killed agent restarts on its port: it rejoins and owns targets again.
// - A newcomer that takes a live agent's name is refused with a clear log line and runs alone; a
//   newcomer with another --cluster.name logs "failed to join memberlist" and runs alone.
// - A TLS-only cluster (--cluster.enable-tls, the http block serving HTTPS) converges.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import { writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { makeTestCertificates } from "../helpers/tls.ts";
import { repoRoot, spawnRuntime, type ChildRun } from "../helpers/runtime.ts";
import { makeTempDir } from "../helpers/tmp.ts";

const entry = join(repoRoot, "src/cli/entry.ts");
const TARGETS = 300;
const INTERVAL_S = 2;

interface Peer {
  name: string;
  addr: string;
  isSelf: boolean;
  state: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await sleep(intervalMs);
  }
}

/** The exporter behind every target: counts who scraped which target when. */
class Exporter {
  readonly scrapes: { target: number; agent: string; at: number }[] = [];
  #server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.#server = createServer((request, response) => {
      const url = new URL(request.url ?? "/", "http://exporter");
      const match = /^\/metrics\/(\d+)$/.exec(url.pathname);
      if (!match) {
        response.writeHead(404).end();
        return;
      }
      this.scrapes.push({ target: Number(match[1]), agent: url.searchParams.get("agent") ?? "", at: Date.now() });
      response.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(`synthetic_up{target="${match[1]}"} 1\n`);
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.#server.address() as AddressInfo).port;
  }

  /** Who scraped each target, and how often, between from and to (ms since the epoch). */
  window(from: number, to: number): Map<number, Map<string, number>> {
    const byTarget = new Map<number, Map<string, number>>();
    for (const s of this.scrapes) {
      if (s.at < from || s.at >= to) continue;
      const agents = byTarget.get(s.target) ?? new Map<string, number>();
      agents.set(s.agent, (agents.get(s.agent) ?? 0) + 1);
      byTarget.set(s.target, agents);
    }
    return byTarget;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}

/** Every target scraped by exactly one agent, about once per interval, in the window. */
function checkExactlyOnce(window: Map<number, Map<string, number>>, intervals: number): string[] {
  const problems: string[] = [];
  for (let target = 0; target < TARGETS; target++) {
    const agents = window.get(target);
    if (!agents) {
      problems.push(`target ${target}: not scraped`);
      continue;
    }
    if (agents.size !== 1) problems.push(`target ${target}: scraped by ${[...agents.keys()].join(", ")}`);
    for (const [agent, count] of agents) {
      if (count < intervals - 1 || count > intervals + 1) problems.push(`target ${target}: ${count} scrapes by ${agent} in ${intervals} intervals`);
    }
  }
  return problems;
}

interface Agent {
  name: string;
  port: number;
  run: ChildRun;
}

describe("alloy run: clustering", () => {
  const dir = makeTempDir();
  const exporter = new Exporter();
  const agents = new Map<string, Agent>();
  const others: ChildRun[] = [];

  const scrapeConfig = (agent: string) => {
    const targets = Array.from(
      { length: TARGETS },
      (_, i) => `    { "__address__" = "127.0.0.1:${exporter.port}", "__metrics_path__" = "/metrics/${i}", "job" = "synthetic" },`,
    );
    return [
      'prometheus.scrape "shared" {',
      "  targets = [",
      ...targets,
      "  ]",
      "  forward_to = []",
      `  scrape_interval = "${INTERVAL_S}s"`,
      '  scrape_timeout = "1s"',
      `  params = { "agent" = ["${agent}"] }`,
      "  clustering {",
      "    enabled = true",
      "  }",
      "}",
      "",
    ].join("\n");
  };

  /** Starts `alloy run`; resolves with the port it listens on once it runs. */
  async function start(name: string, flags: string[], config: string, port = 0): Promise<{ run: ChildRun; port: number }> {
    const configPath = join(dir.path, `${name}-${Date.now()}.alloy`);
    writeFileSync(configPath, config);
    const run = spawnRuntime(
      entry,
      [
        "run",
        `--server.http.listen-addr=127.0.0.1:${port}`,
        `--storage.path=${join(dir.path, `data-${name}`)}`,
        "--disable-reporting",
        `--cluster.node-name=${name}`,
        "--cluster.advertise-address=127.0.0.1",
        ...flags,
        configPath,
      ],
      { cwd: dir.path },
    );
    const output = await run.waitFor(/msg="now listening for http traffic".*addr=127\.0\.0\.1:\d+/, 60_000);
    const bound = Number(/addr=127\.0\.0\.1:(\d+)/.exec(output.slice(output.indexOf("now listening for http traffic")))![1]);
    await run.waitFor(/Alloy is running/, 60_000);
    return { run, port: bound };
  }

  async function startAgent(name: string, join: string[], port = 0): Promise<Agent> {
    const flags = ["--cluster.enabled", ...(join.length > 0 ? [`--cluster.join-addresses=${join.join(",")}`] : [])];
    const started = await start(name, flags, scrapeConfig(name), port);
    const agent = { name, ...started };
    agents.set(name, agent);
    return agent;
  }

  async function peers(port: number): Promise<Peer[]> {
    const response = await fetch(`http://127.0.0.1:${port}/api/v0/web/peers`, { signal: AbortSignal.timeout(5000) });
    assert.equal(response.status, 200);
    return (await response.json()) as Peer[];
  }

  /** Resolves when every given agent lists exactly these participants. */
  async function converged(members: Agent[], names: string[], timeoutMs: number) {
    const want = [...names].sort().join(",");
    await eventually(
      `${members.map((a) => a.name).join(", ")} to list ${want}`,
      async () => {
        for (const a of members) {
          const list = await peers(a.port);
          const seen = list.map((p) => `${p.name}=${p.state}`).sort().join(",");
          if (seen !== names.map((n) => `${n}=participant`).sort().join(",")) return undefined;
        }
        return true;
      },
      timeoutMs,
    );
  }

  /** Waits for a window of `intervals` scrape intervals starting now, and checks it. */
  async function measure(intervals: number): Promise<{ problems: string[]; owners: Map<string, number> }> {
    const from = Date.now();
    await sleep(intervals * INTERVAL_S * 1000);
    const window = exporter.window(from, Date.now());
    const owners = new Map<string, number>();
    for (const agentsOf of window.values()) for (const agent of agentsOf.keys()) owners.set(agent, (owners.get(agent) ?? 0) + 1);
    return { problems: checkExactlyOnce(window, intervals), owners };
  }

  /** Polls windows until one shows every target scraped by exactly one agent. */
  async function settled(timeoutMs: number, intervals = 3) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = await measure(intervals);
      if (result.problems.length === 0) return result;
      if (Date.now() > deadline) throw new Error(`scrapes never settled:\n${result.problems.slice(0, 20).join("\n")}`);
    }
  }

  before(async () => {
    await exporter.start();
    const seed = await startAgent("agent-1", []);
    for (const name of ["agent-2", "agent-3", "agent-4", "agent-5"]) await startAgent(name, [`127.0.0.1:${seed.port}`]);
  });

  after(async () => {
    for (const run of [...[...agents.values()].map((a) => a.run), ...others]) run.kill("SIGTERM");
    await Promise.all([...[...agents.values()].map((a) => a.run), ...others].map((run) => run.completion(30_000).catch(() => {})));
    await exporter.stop();
    dir.cleanup();
  });

  it("converges: each of the five agents lists the five as participants", async () => {
    const all = [...agents.values()];
    await converged(all, all.map((a) => a.name), 60_000);
    const list = await peers(agents.get("agent-2")!.port);
    const self = list.find((p) => p.isSelf);
    assert.deepEqual(self, { name: "agent-2", addr: `127.0.0.1:${agents.get("agent-2")!.port}`, isSelf: true, state: "participant" });
    assert.equal(list.filter((p) => p.isSelf).length, 1);
  });

  it("scrapes each of the 300 targets with exactly one agent, once per interval", async () => {
    const { owners } = await settled(60_000, 4);
    // Every agent takes a share (the ring gives each about a fifth).
    assert.deepEqual([...owners.keys()].sort(), ["agent-1", "agent-2", "agent-3", "agent-4", "agent-5"]);
    for (const [agent, count] of owners) assert.ok(count > 20 && count < 120, `${agent} owns ${count} of ${TARGETS}`);
    // The targets gauges of the five agents add up to the whole set.
    let total = 0;
    for (const a of agents.values()) {
      const text = await (await fetch(`http://127.0.0.1:${a.port}/metrics`)).text();
      const line = text.split("\n").find((l) => l.startsWith("prometheus_scrape_targets_gauge{"));
      assert.ok(line, `${a.name} exports prometheus_scrape_targets_gauge`);
      total += Number(line.split(" ").pop());
      assert.match(text, /^cluster_node_peers\{cluster_name="",state="participant"\} 5$/m);
      assert.match(text, /^cluster_ready_for_traffic\{cluster_name=""\} 1$/m);
    }
    assert.equal(total, TARGETS);
  });

  it("moves a killed agent's targets to the others, and gives it targets again when it comes back", async () => {
    const victim = agents.get("agent-3")!;
    const survivors = [...agents.values()].filter((a) => a !== victim);
    const { owners } = await measure(2);
    const victimShare = owners.get("agent-3") ?? 0;
    assert.ok(victimShare > 0, "agent-3 had targets");

    const killedAt = Date.now();
    victim.run.kill("SIGKILL");
    await victim.run.completion(10_000);
    await converged(survivors, survivors.map((a) => a.name), 150_000);
    const detected = (Date.now() - killedAt) / 1000;
    await settled(60_000);
    const moved = (Date.now() - killedAt) / 1000;
    // Bounds explained at the top of the file: ≤ 140s to declare the agent dead, a few seconds more
    // to re-shard and scrape (the last window checked ends here).
    assert.ok(detected <= 140, `detected after ${detected}s`);
    console.log(`# agent-3 killed: found dead by every survivor after ${detected.toFixed(1)}s; its ${victimShare} targets scraped by the others within ${moved.toFixed(1)}s`);
    const after = await measure(2);
    assert.equal(after.owners.get("agent-3"), undefined);
    assert.deepEqual(after.problems, []);

    // Back on its port, under its name: it rejoins and owns targets again; the others count targets
    // that moved away from them.
    await startAgent("agent-3", [`127.0.0.1:${agents.get("agent-1")!.port}`], victim.port);
    const all = [...agents.values()];
    await converged(all, all.map((a) => a.name), 60_000);
    const back = await settled(60_000);
    assert.ok((back.owners.get("agent-3") ?? 0) > 0, "agent-3 scrapes again");
    const movedTotals = await Promise.all(
      survivors.map(async (a) => {
        const text = await (await fetch(`http://127.0.0.1:${a.port}/metrics`)).text();
        const line = text.split("\n").find((l) => l.startsWith("prometheus_scrape_targets_moved_total{"));
        return Number(line?.split(" ").pop() ?? "0");
      }),
    );
    assert.ok(movedTotals.reduce((a, b) => a + b, 0) > 0, `moved counters ${movedTotals.join(", ")}`);
  });

  it("refuses a newcomer that takes a live agent's name: it says why and runs alone", async () => {
    const seed = agents.get("agent-1")!;
    const { run, port } = await start("agent-1", ["--cluster.enabled", `--cluster.join-addresses=127.0.0.1:${seed.port}`], 'prometheus.exporter.self "x" {}\n');
    others.push(run);
    await run.waitFor(/msg="failed to connect to peers; bootstrapping a new cluster".*node name \\"agent-1\\" is already taken by the live member at 127\.0\.0\.1:\d+; every node in a cluster needs a unique name/, 30_000);
    await eventually("the newcomer alone", async () => ((await peers(port)).map((p) => p.addr).join() === `127.0.0.1:${port}` ? true : undefined), 10_000);
    // The cluster still has the original agent-1, at its own address.
    const list = await peers(seed.port);
    assert.equal(list.length, 5);
    assert.equal(list.find((p) => p.name === "agent-1")?.addr, `127.0.0.1:${seed.port}`);
    run.kill("SIGTERM");
    assert.equal((await run.completion(30_000)).code, 0);
  });

  it("keeps out a newcomer with another --cluster.name: it logs the failed join and runs alone", async () => {
    const seed = agents.get("agent-1")!;
    const { run, port } = await start(
      "stranger",
      ["--cluster.enabled", "--cluster.name=elsewhere", `--cluster.join-addresses=127.0.0.1:${seed.port}`],
      'prometheus.exporter.self "x" {}\n',
    );
    others.push(run);
    await run.waitFor(/msg="failed to connect to peers; bootstrapping a new cluster" .*err="failed to join memberlist.*hint="the peers closed the connection without answering: they may belong to a cluster with another --cluster.name/, 30_000);
    await eventually("the stranger alone", async () => ((await peers(port)).map((p) => p.name).join() === "stranger" ? true : undefined), 10_000);
    assert.equal((await peers(seed.port)).some((p) => p.name === "stranger"), false);
    run.kill("SIGTERM");
    assert.equal((await run.completion(30_000)).code, 0);
  });
});

describe("alloy run: a TLS-only cluster", () => {
  const dir = makeTempDir();
  const runs: ChildRun[] = [];
  after(async () => {
    for (const run of runs) run.kill("SIGTERM");
    await Promise.all(runs.map((run) => run.completion(30_000).catch(() => {})));
    dir.cleanup();
  });

  /** curl, trusting the test's CA. */
  const curlJSON = (url: string, ca: string) =>
    new Promise<Peer[]>((resolve, reject) => {
      execFile("curl", ["-s", "-S", "--fail", "--max-time", "5", "--cacert", ca, url], (error, stdout) => {
        if (error) reject(error);
        else resolve(JSON.parse(String(stdout)) as Peer[]);
      });
    });

  it("converges when peers speak HTTPS only", async () => {
    const certs = makeTestCertificates();
    const file = (name: string, text: string) => {
      writeFileSync(join(dir.path, name), text);
      return join(dir.path, name);
    };
    const ca = file("ca.pem", certs.ca);
    const config = file(
      "tls.alloy",
      `http {\n  tls {\n    cert_file = "${file("server.pem", certs.cert)}"\n    key_file = "${file("server.key", certs.key)}"\n  }\n}\n`,
    );
    const tlsFlags = [
      "--cluster.enabled",
      "--cluster.enable-tls",
      `--cluster.tls-ca-path=${ca}`,
      `--cluster.tls-cert-path=${file("client.pem", certs.clientCert)}`,
      `--cluster.tls-key-path=${file("client.key", certs.clientKey)}`,
      "--cluster.advertise-address=127.0.0.1",
      "--disable-reporting",
    ];
    const ports: number[] = [];
    for (const name of ["tls-1", "tls-2", "tls-3"]) {
      const joinFlag = ports.length > 0 ? [`--cluster.join-addresses=127.0.0.1:${ports[0]}`] : [];
      const run = spawnRuntime(
        entry,
        ["run", "--server.http.listen-addr=127.0.0.1:0", `--storage.path=${join(dir.path, `data-${name}`)}`, `--cluster.node-name=${name}`, ...tlsFlags, ...joinFlag, config],
        { cwd: dir.path },
      );
      runs.push(run);
      const output = await run.waitFor(/msg="now listening for http traffic".*addr=127\.0\.0\.1:\d+/, 60_000);
      ports.push(Number(/now listening for http traffic.*addr=127\.0\.0\.1:(\d+)/.exec(output)![1]));
      await run.waitFor(/Alloy is running/, 60_000);
    }
    for (const port of ports) {
      await eventually(
        `the agent on ${port} to list the three`,
        async () => {
          const list = await curlJSON(`https://127.0.0.1:${port}/api/v0/web/peers`, ca);
          return list.map((p) => `${p.name}=${p.state}`).sort().join() === "tls-1=participant,tls-2=participant,tls-3=participant" ? true : undefined;
        },
        60_000,
      );
    }
    // Every join went through at the first attempt, over TLS.
    for (const run of runs) assert.doesNotMatch(run.output, /bootstrapping a new cluster/);
  });
});

describe("alloy run: cluster flags that stop the start", () => {
  const dir = makeTempDir();
  after(() => dir.cleanup());

  const runAlloy = async (flags: string[], config = 'prometheus.exporter.self "x" {}\n') => {
    const configPath = join(dir.path, "c.alloy");
    writeFileSync(configPath, config);
    const run = spawnRuntime(entry, ["run", "--server.http.listen-addr=127.0.0.1:0", `--storage.path=${join(dir.path, "data")}`, ...flags, configPath], { cwd: dir.path });
    return run.completion(60_000);
  };

  it("refuses join addresses together with discover-peers, after saying Alloy is starting", async () => {
    const done = await runAlloy(["--cluster.join-addresses=a:1,b", "--cluster.discover-peers=provider=k8s"]);
    assert.equal(done.code, 1);
    assert.match(done.stderr, /msg="Alloy is starting"[\s\S]*Error: at most one of join peers and discover peers may be set, got join peers \["a:1" "b"\] and discover peers "provider=k8s"\n$/);
  });

  it("refuses unreadable cluster TLS files before the first load", async () => {
    const missing = join(dir.path, "missing-ca.pem");
    const done = await runAlloy(["--cluster.enabled", "--cluster.enable-tls", `--cluster.tls-ca-path=${missing}`]);
    assert.equal(done.code, 1);
    assert.match(done.stderr, new RegExp(`Error: failed to load TLS config from file: failed to read TLS CA file: open ${missing.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: no such file or directory\n$`));
    assert.doesNotMatch(done.stderr, /starting complete graph evaluation/);
  });

  it("exits after a failed first load even while waiting for the cluster size", async () => {
    const done = await runAlloy(["--cluster.enabled", "--cluster.wait-for-size=3", "--cluster.wait-timeout=1h"], "not valid alloy {\n");
    assert.equal(done.code, 1);
    assert.match(done.stderr, /Error: could not perform the initial load successfully\n$/);
  });
});
