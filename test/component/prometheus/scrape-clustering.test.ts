// prometheus.scrape's `clustering` block against a cluster service the test controls: the
// component scrapes only the targets this agent owns, re-balances when the cluster service
// notifies it (in modules too), leaves a moved target without staleness markers (its new owner
// carries the series on) and counts it, takes no targets while the cluster is not ready, and
// ignores the cluster when the block is off.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { builtinRegistry } from "../../../src/component/registry.ts";
import { createRuntime, type Runtime, type Service } from "../../../src/runtime/index.ts";
import type { Cluster, ClusterPeer } from "../../../src/runtime/cluster.ts";
import { LogController } from "../../../src/runtime/logging/logger.ts";
import { StateParticipant } from "../../../src/service/cluster/ckit/peer.ts";
import { nonMetaLabelsHash } from "../../../src/wire/labels/target-hash.ts";
import { makeTempDir } from "../../helpers/tmp.ts";
import { delay, eventually, metricsSink, sinks, startServer, type TestServer } from "./helpers.ts";

const dir = makeTempDir("alloy-ts-scrape-cluster-");
after(() => dir.cleanup());

const self: ClusterPeer = { name: "here", addr: "127.0.0.1:1", self: true, state: StateParticipant };
const other: ClusterPeer = { name: "there", addr: "127.0.0.1:2", self: false, state: StateParticipant };

/** A cluster whose ownership the test decides, as the "cluster" service's data. */
class TestCluster implements Cluster {
  remote = new Set<bigint>();
  isReady = true;
  lookup(key: bigint): ClusterPeer[] {
    return [this.remote.has(key) ? other : self];
  }
  peers(): ClusterPeer[] {
    return [self, other];
  }
  ready(): boolean {
    return this.isReady;
  }
}

function clusterService(cluster: Cluster): Service<unknown> {
  return {
    definition: { name: "cluster", stability: "generally-available" },
    run: (_host, signal) => new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true })),
    update: () => {},
    data: () => cluster,
  };
}

/** What the cluster service does on a change: tell every built component that has the hook. */
const notify = (runtime: Runtime) => {
  for (const component of runtime.builtComponents()) component.notifyClusterChange?.();
};

const targetLabels = (server: TestServer) => ({ __address__: server.host, job: "clustered" });

function scrapeBlock(servers: TestServer[], sink: string, clustering: boolean): string {
  const targets = servers.map((s) => `{ "__address__" = "${s.host}", "job" = "clustered" }`).join(", ");
  return `prometheus.scrape "s" {
  targets         = [${targets}]
  forward_to      = [testing.metrics_sink.${sink}.receiver]
  scrape_interval = "100ms"
  scrape_timeout  = "80ms"
${clustering ? "  clustering {\n    enabled = true\n  }\n" : ""}}
testing.metrics_sink "${sink}" {}
`;
}

async function serve(name: string): Promise<TestServer> {
  return startServer((_req, _body, res) => {
    res.setHeader("Content-Type", "text/plain; version=0.0.4");
    res.end(`${name}_value 1\n`);
  });
}

function newRuntime(cluster: Cluster, path: string): Runtime {
  return createRuntime({
    registry: builtinRegistry([metricsSink]),
    logs: new LogController({ write: () => {} }),
    storagePath: `${dir.path}/${path}`,
    services: [clusterService(cluster)],
  });
}

const scrapedFrom = (sink: string, name: string, since = 0) =>
  sinks.get(sink)!.slice(since).filter((s) => s.series.startsWith(`${name}_value`) && !s.stale).length;

function movedTotal(runtime: Runtime): number {
  const family = runtime.metrics().families.find((f) => f.name === "prometheus_scrape_targets_moved_total");
  return family?.samples.reduce((sum, s) => sum + (s.value ?? 0), 0) ?? 0;
}

describe("prometheus.scrape clustering", () => {
  it("scrapes what this agent owns, re-balances when notified, and hands a moved target over without staleness markers", async () => {
    const [a, b] = [await serve("a"), await serve("b")];
    const cluster = new TestCluster();
    cluster.remote.add(nonMetaLabelsHash(targetLabels(b)));
    const runtime = newRuntime(cluster, "owned");
    try {
      const result = await runtime.load({ "c.alloy": scrapeBlock([a, b], "owned", true) });
      assert.ok(result.ok, result.error);
      runtime.start();
      await eventually(() => assert.ok(scrapedFrom("owned", "a") >= 3));
      assert.equal(b.requests.length, 0, "b belongs to the other agent");

      // b comes here, a goes there.
      cluster.remote = new Set([nonMetaLabelsHash(targetLabels(a))]);
      notify(runtime);
      await eventually(() => assert.ok(scrapedFrom("owned", "b") >= 3));
      const aRequests = a.requests.length;
      // Well past the two intervals after which a removed target's markers would come.
      await delay(500);
      assert.ok(a.requests.length <= aRequests + 1, "a is no longer scraped here");
      assert.deepEqual(sinks.get("owned")!.filter((s) => s.stale).map((s) => s.series), [], "no staleness markers for a moved target");
      assert.equal(movedTotal(runtime), 1);
    } finally {
      await runtime.stop();
      await a.close();
      await b.close();
    }
  });

  it("takes no targets while the cluster is not ready", async () => {
    const a = await serve("a");
    const cluster = new TestCluster();
    cluster.isReady = false;
    const runtime = newRuntime(cluster, "unready");
    try {
      assert.ok((await runtime.load({ "c.alloy": scrapeBlock([a], "unready", true) })).ok);
      runtime.start();
      await delay(300);
      assert.equal(a.requests.length, 0);
      cluster.isReady = true;
      notify(runtime);
      await eventually(() => assert.ok(scrapedFrom("unready", "a") >= 1));
    } finally {
      await runtime.stop();
      await a.close();
    }
  });

  it("ignores the cluster without the block", async () => {
    const [a, b] = [await serve("a"), await serve("b")];
    const cluster = new TestCluster();
    cluster.remote = new Set([nonMetaLabelsHash(targetLabels(a)), nonMetaLabelsHash(targetLabels(b))]);
    const runtime = newRuntime(cluster, "off");
    try {
      assert.ok((await runtime.load({ "c.alloy": scrapeBlock([a, b], "off", false) })).ok);
      runtime.start();
      notify(runtime);
      await eventually(() => assert.ok(scrapedFrom("off", "a") >= 2 && scrapedFrom("off", "b") >= 2));
    } finally {
      await runtime.stop();
      await a.close();
      await b.close();
    }
  });

  it("reaches a clustered scrape inside a module", async () => {
    const a = await serve("a");
    const cluster = new TestCluster();
    cluster.remote.add(nonMetaLabelsHash(targetLabels(a)));
    const runtime = newRuntime(cluster, "module");
    const config = `declare "wrapped" {
  argument "sink" {}
  prometheus.scrape "s" {
    targets         = [{ "__address__" = "${a.host}", "job" = "clustered" }]
    forward_to      = [argument.sink.value]
    scrape_interval = "100ms"
    scrape_timeout  = "80ms"
    clustering {
      enabled = true
    }
  }
}
wrapped "w" {
  sink = testing.metrics_sink.module.receiver
}
testing.metrics_sink "module" {}
`;
    try {
      const result = await runtime.load({ "c.alloy": config });
      assert.ok(result.ok, result.error);
      runtime.start();
      await eventually(() => assert.ok(runtime.builtComponents().length >= 2));
      await delay(300);
      assert.equal(a.requests.length, 0);
      cluster.remote.clear();
      notify(runtime);
      await eventually(() => assert.ok(scrapedFrom("module", "a") >= 1));
    } finally {
      await runtime.stop();
      await a.close();
    }
  });
});
