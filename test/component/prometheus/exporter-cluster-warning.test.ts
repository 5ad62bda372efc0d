// Host exporters warn when the agent is clustered (Alloy's exporter/common/cluster_warning.go): when
// the cluster is not ready or has peers, at build and at each update; not on an agent alone.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { builtinRegistry } from "../../../src/component/registry.ts";
import { createRuntime, type Service } from "../../../src/runtime/index.ts";
import type { Cluster, ClusterPeer } from "../../../src/runtime/cluster.ts";
import { LogController } from "../../../src/runtime/logging/logger.ts";
import { StateParticipant } from "../../../src/service/cluster/ckit/peer.ts";
import { makeTempDir } from "../../helpers/tmp.ts";

const dir = makeTempDir("alloy-ts-exporter-warning-");
after(() => dir.cleanup());

const WARNING = /level=warn msg="detected clustering is configured while using a host-specific exporter - please make sure your configuration is correct" .*exporter=prometheus\.exporter\.unix\.host details="The default instance label set by this exporter is the hostname/;

/** A service that only shares data (the exporter reads the http service's memory address too). */
function dataService(name: string, data: unknown): Service<unknown> {
  return {
    definition: { name, stability: "generally-available" },
    run: (_host, signal) => new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true })),
    update: () => {},
    data: () => data,
  };
}

function runtimeWith(cluster: Cluster, lines: string[]) {
  return createRuntime({
    registry: builtinRegistry(),
    logs: new LogController({ write: (line) => lines.push(line) }),
    storagePath: dir.path,
    services: [dataService("cluster", cluster), dataService("http", { memoryAddr: "alloy.internal:12345" })],
  });
}

const peer: ClusterPeer = { name: "other", addr: "127.0.0.1:2", self: false, state: StateParticipant };
const config = (extra = "") => `prometheus.exporter.unix "host" {\n${extra}}\n`;

describe("prometheus.exporter.unix on a clustered agent", () => {
  const cases: { name: string; ready: boolean; peers: ClusterPeer[]; warns: boolean }[] = [
    { name: "alone and ready: no warning", ready: true, peers: [], warns: false },
    { name: "with peers: a warning", ready: true, peers: [peer], warns: true },
    { name: "not ready: a warning", ready: false, peers: [], warns: true },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const lines: string[] = [];
      const runtime = runtimeWith({ lookup: () => [], peers: () => c.peers, ready: () => c.ready }, lines);
      const result = await runtime.load({ "main.alloy": config() });
      assert.ok(result.ok, result.error);
      assert.equal(lines.filter((l) => WARNING.test(l)).length, c.warns ? 1 : 0, lines.join(""));
      assert.ok((await runtime.load({ "main.alloy": config('  set_collectors = ["cpu"]\n') })).ok);
      assert.equal(lines.filter((l) => WARNING.test(l)).length, c.warns ? 2 : 0, "again at the update");
    });
  }
});
