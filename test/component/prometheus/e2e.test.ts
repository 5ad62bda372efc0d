// End to end with real peers: `alloy run` (the CLI, as a child process under the runtime running the
// test) scrapes Debian's prometheus-node-exporter and its own metrics (prometheus.exporter.self, on the
// in-memory address), relabels, and remote-writes to Debian's Prometheus (--web.enable-remote-write-receiver).
// The test queries Prometheus's HTTP API: the series arrive with the right labels and plausible values;
// an outage of Prometheus leaves no gap; a SIGKILL of alloy-ts during an outage loses nothing that was
// scraped before the kill (the WAL and the saved position carry it over the restart).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { type ChildRun, repoRoot, spawnCommand, spawnRuntime } from "../../helpers/runtime.ts";
import { makeTempDir } from "../../helpers/tmp.ts";

const PROMETHEUS = "/usr/bin/prometheus";
const NODE_EXPORTER = "/usr/bin/prometheus-node-exporter";
const entry = join(repoRoot, "src/cli/entry.ts");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let error: unknown;
  for (;;) {
    try {
      last = await read();
      if (ok(last)) return last;
    } catch (e) {
      error = e;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs}ms; last: ${JSON.stringify(last)?.slice(0, 500)} ${error ?? ""}`);
    await sleep(250);
  }
}

interface Series {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

describe("metrics pipeline end to end (node_exporter -> alloy run -> Prometheus)", { timeout: 240_000 }, () => {
  const dir = makeTempDir("alloy-ts-e2e-");
  let promPort = 0, nodePort = 0;
  let prometheus: ChildRun | undefined;
  let nodeExporter: ChildRun | undefined;
  let alloy: ChildRun | undefined;
  const config = join(dir.path, "config.alloy");
  const storage = join(dir.path, "alloy-data");

  const startPrometheus = async () => {
    prometheus = spawnCommand(PROMETHEUS, [
      `--config.file=${join(dir.path, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir.path, "tsdb")}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      "--web.enable-remote-write-receiver",
    ]);
    await prometheus.waitFor(/Server is ready to receive web requests/, 30_000);
  };
  const stopPrometheus = async () => {
    prometheus?.kill("SIGTERM");
    await prometheus?.completion(30_000);
    prometheus = undefined;
  };
  const startAlloy = async () => {
    alloy = spawnRuntime(entry, ["run", "--server.http.listen-addr=127.0.0.1:0", `--storage.path=${storage}`, config]);
    await alloy.waitFor(/now listening for http traffic/, 60_000);
  };

  const query = async (q: string, time?: number): Promise<Series[]> => {
    const url = new URL(`http://127.0.0.1:${promPort}/api/v1/query`);
    url.searchParams.set("query", q);
    if (time !== undefined) url.searchParams.set("time", String(time / 1000));
    const res = await fetch(url);
    const json = (await res.json()) as { status: string; data: { result: Series[] }; error?: string };
    if (json.status !== "success") throw new Error(json.error);
    return json.data.result;
  };
  /** Timestamps (ms) of the raw samples of one series between from and to. */
  const sampleTimes = async (selector: string, from: number, to: number): Promise<number[]> => {
    const seconds = Math.ceil((to - from) / 1000) + 1;
    const r = await query(`${selector}[${seconds}s]`, to);
    if (r.length !== 1) throw new Error(`expected one series for ${selector}, got ${r.length}`);
    return r[0]!.values!.map(([t]) => Math.round(t * 1000)).filter((t) => t >= from && t <= to);
  };
  const maxGap = (times: number[]) => {
    let gap = 0;
    for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i]! - times[i - 1]!);
    return gap;
  };

  before(async () => {
    for (const bin of [PROMETHEUS, NODE_EXPORTER]) {
      assert.ok(existsSync(bin), `${bin} is needed (Debian packages prometheus and prometheus-node-exporter; .ci/run installs them)`);
    }
    promPort = await freePort();
    nodePort = await freePort();
    writeFileSync(join(dir.path, "prometheus.yml"), "global:\n  scrape_interval: 1m\n");
    nodeExporter = spawnCommand(NODE_EXPORTER, [`--web.listen-address=127.0.0.1:${nodePort}`]);
    await nodeExporter.waitFor(/Listening on/, 30_000);
    await startPrometheus();
    writeFileSync(
      config,
      `
prometheus.exporter.self "self" {}

prometheus.scrape "node" {
  targets         = [{"__address__" = "127.0.0.1:${nodePort}"}]
  forward_to      = [prometheus.relabel.pipeline.receiver]
  scrape_interval = "1s"
  scrape_timeout  = "900ms"
}

prometheus.scrape "self" {
  targets         = prometheus.exporter.self.self.targets
  forward_to      = [prometheus.relabel.pipeline.receiver]
  scrape_interval = "1s"
  scrape_timeout  = "900ms"
}

prometheus.relabel "pipeline" {
  forward_to = [prometheus.remote_write.prom.receiver]
  rule {
    target_label = "pipeline"
    replacement  = "alloy-ts"
  }
  rule {
    source_labels = ["__name__"]
    regex         = "node_scrape_collector_.*"
    action        = "drop"
  }
}

prometheus.remote_write "prom" {
  external_labels = { "agent" = "e2e" }
  endpoint {
    name = "prometheus"
    url  = "http://127.0.0.1:${promPort}/api/v1/write"
    queue_config {
      batch_send_deadline = "500ms"
      min_backoff         = "100ms"
      max_backoff         = "1s"
    }
  }
}
`,
    );
    await startAlloy();
  });

  after(async () => {
    alloy?.kill("SIGTERM");
    await alloy?.completion(30_000).catch(() => {});
    await stopPrometheus().catch(() => {});
    nodeExporter?.kill("SIGTERM");
    await nodeExporter?.completion(10_000).catch(() => {});
    dir.cleanup();
  });

  it("delivers node_exporter's and its own series with the right labels and plausible values", async () => {
    const cpu = await until(() => query(`node_cpu_seconds_total{pipeline="alloy-ts",mode="idle"}`), (r) => r.length > 0, 30_000, "node_cpu_seconds_total");
    const m = cpu[0]!.metric;
    assert.equal(m.job, "prometheus.scrape.node");
    assert.equal(m.instance, `127.0.0.1:${nodePort}`);
    assert.equal(m.agent, "e2e", "external label");
    assert.ok(m.cpu !== undefined);
    assert.ok(Number(cpu[0]!.value![1]) > 0, "idle CPU seconds are positive");
    const mem = await query(`node_memory_MemTotal_bytes{job="prometheus.scrape.node"}`);
    assert.ok(Number(mem[0]!.value![1]) > 64 * 1024 * 1024, "memory total is plausible");
    const up = await until(() => query(`up{pipeline="alloy-ts"}`), (r) => r.length === 2, 30_000, "up of both jobs");
    assert.deepEqual(up.map((s) => s.metric.job).sort(), ["integrations/self", "prometheus.scrape.node"]);
    assert.ok(up.every((s) => s.value![1] === "1"));
    assert.equal((await query(`node_scrape_collector_success{pipeline="alloy-ts"}`)).length, 0, "relabel drop rule applied");
    // alloy-ts's own metrics, scraped in memory through prometheus.exporter.self.
    const sent = await until(
      () => query(`prometheus_remote_storage_samples_total{job="integrations/self",remote_name="prometheus"}`),
      (r) => r.length === 1 && Number(r[0]!.value![1]) > 0,
      30_000,
      "self metrics",
    );
    assert.equal(sent[0]!.metric.component_id, "prometheus.remote_write.prom");
    const added = await query(`scrape_samples_scraped{job="prometheus.scrape.node"}`);
    assert.ok(Number(added[0]!.value![1]) > 100);
  });

  it("leaves no gap when Prometheus is down for a while", async () => {
    const selector = `up{job="prometheus.scrape.node"}`;
    await until(() => query(selector), (r) => r.length === 1, 30_000, "up");
    const from = Date.now() - 3000;
    await stopPrometheus();
    const downAt = Date.now();
    await sleep(6000);
    await startPrometheus();
    const upAgain = Date.now();
    // Wait for samples scraped after Prometheus came back, then look at the whole window.
    await until(() => sampleTimes(selector, from, Date.now()), (t) => t.length > 0 && t[t.length - 1]! > upAgain + 1000, 60_000, "samples after the outage");
    const times = await sampleTimes(selector, from, Date.now());
    const during = times.filter((t) => t > downAt && t < upAgain);
    assert.ok(during.length >= 4, `samples scraped during the outage arrived: ${during.length}`);
    assert.ok(maxGap(times) <= 2500, `no gap (largest: ${maxGap(times)}ms)`);
  });

  it("loses nothing scraped before a SIGKILL during an outage", async () => {
    const selector = `up{job="prometheus.scrape.node"}`;
    await stopPrometheus();
    const downAt = Date.now();
    await sleep(5000);
    alloy!.kill("SIGKILL");
    await alloy!.completion(10_000);
    const killedAt = Date.now();
    await startAlloy();
    const restartedAt = Date.now();
    await sleep(1000);
    await startPrometheus();
    await until(() => sampleTimes(selector, downAt - 2000, Date.now()), (t) => t.length > 0 && t[t.length - 1]! > restartedAt + 2000, 90_000, "samples after the restart");
    // Between the start of the outage and the kill, every scrape (one a second) is there.
    const before = await sampleTimes(selector, downAt - 2000, killedAt - 1500);
    assert.ok(before.length >= 5, `samples scraped before the kill arrived: ${before.length}`);
    assert.ok(maxGap(before) <= 2500, `no gap before the kill (largest: ${maxGap(before)}ms)`);
    const afterRestart = await sampleTimes(selector, restartedAt, Date.now());
    assert.ok(afterRestart.length >= 2, "scraping resumed after the restart");
  });
});
