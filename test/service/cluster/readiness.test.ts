// Cluster readiness (--cluster.wait-for-size / --cluster.wait-timeout) on a fake clock: the
// not-ready / ready / deadline-passed transitions, Alloy's log lines, the cluster_ready_for_traffic
// gauge and the notification asked for when the deadline passes.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MetricsRegistry } from "../../../src/runtime/metrics/registry.ts";
import { ClusterReadiness, type ReadinessOptions } from "../../../src/service/cluster/readiness.ts";
import { Millisecond, Minute } from "../../../src/syntax/schema/duration.ts";
import { captureLogs } from "./log-capture.ts";
import { FakeClock } from "./sim.ts";

/** The fake clock counts milliseconds; durations in options are nanoseconds. */
const SECOND_MS = 1000;

function setup(overrides: Partial<Omit<ReadinessOptions, "clock">> & { clock?: FakeClock } = {}) {
  const { logger, lines } = captureLogs();
  const clock = overrides.clock ?? new FakeClock();
  const metrics = new MetricsRegistry();
  const cluster = { peers: 1, notifications: 0 };
  const readiness = new ClusterReadiness({
    enableClustering: true,
    minimumClusterSize: 3,
    minimumSizeWaitTimeout: Minute,
    clusterName: "prod",
    peerCount: () => cluster.peers,
    onDeadlinePassed: () => cluster.notifications++,
    logger,
    metrics,
    ...overrides,
    clock,
  });
  const gauge = (name: string) => {
    const family = metrics.gather().find((f) => f.name === name);
    return family?.samples.map((s) => ({ labels: s.labels, value: s.value }));
  };
  /** The log lines written since the last call, without their timestamps. */
  const newLines = () => lines.splice(0).map((l) => l.replace(/^ts=\S+ /, "").trimEnd());
  return { readiness, clock, cluster, gauge, newLines };
}

describe("cluster readiness", () => {
  it("is always ready without clustering or without a minimum size, and registers no metrics without clustering", () => {
    const off = setup({ enableClustering: false });
    assert.equal(off.readiness.ready(), true);
    assert.equal(off.readiness.state, "ready");
    assert.equal(off.gauge("cluster_ready_for_traffic"), undefined);
    off.cluster.peers = 0;
    off.readiness.update();
    assert.equal(off.readiness.ready(), true);

    const noMinimum = setup({ minimumClusterSize: 0 });
    assert.equal(noMinimum.readiness.ready(), true);
    assert.deepEqual(noMinimum.gauge("cluster_ready_for_traffic"), [{ labels: { cluster_name: "prod" }, value: 1 }]);
    assert.deepEqual(noMinimum.gauge("cluster_minimum_size"), [{ labels: { cluster_name: "prod" }, value: 0 }]);
    assert.equal(noMinimum.clock.pending, 0);
  });

  it("becomes ready when the cluster reaches the minimum size and not ready when it shrinks", () => {
    const { readiness, cluster, gauge, newLines } = setup({ minimumSizeWaitTimeout: 0 });
    assert.equal(readiness.ready(), false);
    assert.equal(readiness.state, "not-ready");
    assert.deepEqual(gauge("cluster_ready_for_traffic"), [{ labels: { cluster_name: "prod" }, value: 0 }]);
    assert.deepEqual(gauge("cluster_minimum_size"), [{ labels: { cluster_name: "prod" }, value: 3 }]);

    cluster.peers = 2;
    readiness.update();
    assert.equal(readiness.ready(), false);
    assert.deepEqual(newLines(), [], "staying not ready logs nothing");

    cluster.peers = 3;
    readiness.update();
    assert.equal(readiness.ready(), true);
    assert.equal(gauge("cluster_ready_for_traffic")![0]!.value, 1);
    assert.deepEqual(newLines(), [
      'level=info msg="minimum cluster size reached, marking cluster as ready to admit traffic" minimum_cluster_size=3 peers_count=3',
    ]);

    cluster.peers = 4;
    readiness.update();
    assert.deepEqual(newLines(), [], "staying ready logs nothing");

    cluster.peers = 2;
    readiness.update();
    assert.equal(readiness.ready(), false);
    assert.equal(gauge("cluster_ready_for_traffic")![0]!.value, 0);
    assert.deepEqual(newLines(), [
      'level=warn msg="minimum cluster size requirements are not met - marking cluster as not ready for traffic" minimum_cluster_size=3 minimum_size_wait_timeout=0s peers_count=2',
    ]);
  });

  it("admits traffic once the wait timeout passes, and asks for a component notification", async () => {
    const { readiness, clock, cluster, gauge, newLines } = setup();
    await clock.advance(59 * SECOND_MS);
    assert.equal(readiness.ready(), false);
    assert.equal(cluster.notifications, 0);

    await clock.advance(1 * SECOND_MS);
    assert.equal(readiness.state, "deadline-passed");
    assert.equal(readiness.ready(), true);
    assert.equal(gauge("cluster_ready_for_traffic")![0]!.value, 1);
    assert.equal(cluster.notifications, 1);
    assert.deepEqual(newLines(), [
      'level=warn msg="deadline passed, marking cluster as ready to admit traffic" minimum_cluster_size=3 minimum_size_wait_timeout=1m0s peers_count=1',
    ]);

    // Too small still, but the deadline has passed: stays ready.
    cluster.peers = 0;
    readiness.update();
    assert.equal(readiness.ready(), true);
    assert.deepEqual(newLines(), []);
  });

  it("stops the deadline when ready and starts it over on each fall back to not ready", async () => {
    const { readiness, clock, cluster, newLines } = setup();
    await clock.advance(30 * SECOND_MS);
    cluster.peers = 3;
    readiness.update();
    assert.equal(clock.pending, 0, "no deadline while ready");
    await clock.advance(10 * 60 * SECOND_MS);
    assert.equal(readiness.state, "ready");

    cluster.peers = 2;
    readiness.update();
    newLines();
    // A full minute from the fall, not from the start.
    await clock.advance(59 * SECOND_MS);
    assert.equal(readiness.state, "not-ready");
    await clock.advance(1 * SECOND_MS);
    assert.equal(readiness.state, "deadline-passed");
    assert.equal(cluster.notifications, 1);
    assert.deepEqual(newLines(), [
      'level=warn msg="deadline passed, marking cluster as ready to admit traffic" minimum_cluster_size=3 minimum_size_wait_timeout=1m0s peers_count=2',
    ]);

    // From deadline-passed the cluster can still become properly ready, then fall again.
    cluster.peers = 5;
    readiness.update();
    assert.equal(readiness.state, "ready");
    cluster.peers = 1;
    readiness.update();
    assert.equal(readiness.state, "not-ready");
    assert.equal(readiness.ready(), false);
    await clock.advance(1 * 60 * SECOND_MS);
    assert.equal(readiness.state, "deadline-passed");
    assert.equal(cluster.notifications, 2);
  });

  it("waits for ever without a timeout", async () => {
    const { readiness, clock } = setup({ minimumSizeWaitTimeout: 0 });
    assert.equal(clock.pending, 0);
    await clock.advance(1000 * 60 * SECOND_MS);
    assert.equal(readiness.ready(), false);
  });

  it("waits out timeouts longer than a timer can hold", async () => {
    const days30 = 30 * 24 * 60 * Minute;
    // Runtimes fire a timer at once when asked to wait more than 2^31-1 ms.
    const delays: number[] = [];
    const clock = new (class extends FakeClock {
      override setTimeout(fn: () => void, ms: number) {
        delays.push(ms);
        return super.setTimeout(fn, ms);
      }
    })();
    const { readiness, cluster } = setup({ minimumSizeWaitTimeout: days30, clock });
    await clock.advance(days30 / Millisecond - SECOND_MS);
    assert.equal(readiness.ready(), false);
    await clock.advance(SECOND_MS);
    assert.equal(readiness.ready(), true);
    assert.equal(cluster.notifications, 1);
    assert.ok(delays.length > 1 && delays.every((ms) => ms <= 2 ** 31 - 1), `timer delays ${delays.join(", ")}`);
  });

  it("stops the deadline at shutdown", async () => {
    const { readiness, clock, cluster } = setup();
    readiness.shutdown();
    assert.equal(clock.pending, 0);
    await clock.advance(2 * 60 * SECOND_MS);
    assert.equal(readiness.ready(), false);
    assert.equal(cluster.notifications, 0);
  });
});
