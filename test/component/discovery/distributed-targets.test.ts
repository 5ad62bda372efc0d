// DistributedTargets (Alloy's distributed_targets_test.go cases, ported), and the property clustering
// rests on: agents with the same targets and the same ring each keep a disjoint share, together all
// of them, and a node leaving moves only its own share.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DistributedTargets } from "../../../src/component/discovery/distributed-targets.ts";
import type { Cluster, ClusterPeer } from "../../../src/runtime/cluster.ts";
import { StateParticipant, type Peer } from "../../../src/service/cluster/ckit/peer.ts";
import { RingSharder } from "../../../src/service/cluster/ckit/sharder.ts";
import { nonMetaLabelsHash } from "../../../src/wire/labels/target-hash.ts";

type Target = Record<string, string>;

const target1: Target = { instance: "1", host: "pie" };
const target2: Target = { instance: "2", host: "cake" };
const target3: Target = { instance: "3", host: "muffin" };
const all = [target1, target2, target3];
const errorTarget: Target = { instance: "-1", host: "error" };

const peer = (name: string, self = false): ClusterPeer => ({ name, addr: name, self, state: StateParticipant });
const peer1Self = peer("peer1", true);
const peer2 = peer("peer2");
const peer3 = peer("peer3");

const key = (t: Target) => nonMetaLabelsHash(t);

/** A cluster that answers lookups from a table, as Alloy's fakeCluster. */
function fakeCluster(lookup: Map<bigint, ClusterPeer[]>, options: { ready?: boolean; peers?: ClusterPeer[] } = {}): Cluster {
  return {
    lookup: (k) => {
      if (k === key(errorTarget)) throw new Error("test error for magic error key");
      return lookup.get(k) ?? [];
    },
    peers: () => options.peers ?? [peer1Self, peer2, peer3],
    ready: () => options.ready ?? true,
  };
}

const owners = (entries: [Target, ClusterPeer[]][]) => new Map(entries.map(([t, p]) => [key(t), p]));
const distributed = (entries: [Target, ClusterPeer[]][]) => new DistributedTargets(true, fakeCluster(owners(entries)), all);

describe("DistributedTargets: local targets", () => {
  it("keeps every target when clustering is disabled, or without a cluster", () => {
    const nobodyHere = fakeCluster(owners([[target1, [peer2]], [target2, [peer2]], [target3, [peer2]]]));
    assert.deepEqual(new DistributedTargets(false, nobodyHere, all).localTargets, all);
    assert.deepEqual(new DistributedTargets(true, undefined, all).localTargets, all);
  });

  it("keeps every target when the lookup names no owner", () => {
    assert.deepEqual(new DistributedTargets(true, fakeCluster(new Map(), { peers: [] }), all).localTargets, all);
  });

  it("keeps the targets whose first owner is this node, whatever the replicas", () => {
    assert.deepEqual(distributed([[target1, [peer1Self]], [target2, [peer2]], [target3, [peer1Self]]]).localTargets, [target1, target3]);
    assert.deepEqual(distributed([[target1, [peer2]], [target2, [peer2]], [target3, [peer3]]]).localTargets, []);
    assert.deepEqual(
      distributed([[target1, [peer1Self, peer2]], [target2, [peer1Self, peer2]], [target3, [peer2, peer3]]]).localTargets,
      [target1, target2],
    );
  });

  it("keeps a target whose lookup fails (fail open)", () => {
    const cluster = fakeCluster(owners([[errorTarget, [peer2]], [target1, [peer1Self]]]));
    assert.deepEqual(new DistributedTargets(true, cluster, [target1, errorTarget]).localTargets, [target1, errorTarget]);
  });

  it("keeps nothing while the cluster is not ready, and still counts the targets", () => {
    const cluster = fakeCluster(owners([[target1, [peer1Self]]]), { ready: false });
    const dt = new DistributedTargets(true, cluster, all);
    assert.deepEqual(dt.localTargets, []);
    assert.equal(dt.targetCount, 3);
  });

  it("counts targets with the same non-meta labels once", () => {
    const withMeta = { ...target1, __meta_discovered_by: "file" };
    const dt = new DistributedTargets(true, fakeCluster(owners([[target1, [peer1Self]]])), [target1, withMeta, { ...target1 }, target2]);
    assert.deepEqual(dt.localTargets, [target1, target2]);
    assert.equal(dt.targetCount, 2);
  });

  it("keys by the named labels only when given", () => {
    // Same instance, other host: one key when only `instance` counts.
    const a = { instance: "x", host: "a" };
    const b = { instance: "x", host: "b" };
    assert.equal(new DistributedTargets(false, undefined, [a, b], ["instance"]).targetCount, 1);
    assert.equal(new DistributedTargets(false, undefined, [a, b]).targetCount, 2);
  });
});

describe("DistributedTargets: moved to a remote instance", () => {
  const same: [Target, ClusterPeer[]][] = [[target1, [peer1Self]], [target2, [peer2]], [target3, [peer1Self]]];
  const cases: { name: string; previous?: [Target, ClusterPeer[]][]; current: [Target, ClusterPeer[]][]; moved: Target[] }[] = [
    { name: "no previous distribution", current: same, moved: [] },
    { name: "nothing moved", previous: same, current: same, moved: [] },
    { name: "remote to other owners", previous: [[target1, [peer3]], [target2, [peer3]], [target3, [peer2]]], current: same, moved: [] },
    {
      name: "all moved here",
      previous: [[target1, [peer3]], [target2, [peer2]], [target3, [peer2]]],
      current: [[target1, [peer1Self]], [target2, [peer1Self]], [target3, [peer1Self]]],
      moved: [],
    },
    {
      name: "all moved away",
      previous: [[target1, [peer1Self]], [target2, [peer1Self]], [target3, [peer1Self]]],
      current: [[target1, [peer3]], [target2, [peer2]], [target3, [peer2]]],
      moved: all,
    },
    {
      name: "some moved away",
      previous: [[target1, [peer1Self]], [target2, [peer1Self]], [target3, [peer1Self]]],
      current: [[target1, [peer3]], [target2, [peer1Self]], [target3, [peer2]]],
      moved: [target1, target3],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const previous = c.previous ? distributed(c.previous) : undefined;
      assert.deepEqual(distributed(c.current).movedToRemoteInstance(previous), c.moved);
    });
  }

  it("does not count targets that are gone as moved", () => {
    const previous = distributed([[target1, [peer1Self]], [target2, [peer1Self]], [target3, [peer1Self]]]);
    const current = new DistributedTargets(true, fakeCluster(owners([[target1, [peer2]]])), [target1]);
    assert.deepEqual(current.movedToRemoteInstance(previous), [target1]);
  });
});

describe("DistributedTargets on ckit's ring", () => {
  const targets = Array.from({ length: 300 }, (_, i) => ({ __address__: "127.0.0.1:9100", __metrics_path__: `/metrics/${i}`, job: "ring" }));

  /** The cluster as the named node sees it: the same participants, itself as self. */
  function viewOf(self: string, names: string[]): Cluster {
    const sharder = new RingSharder();
    const peers: Peer[] = names.map((name) => ({ name, addr: `${name}:1`, self: name === self, state: StateParticipant }));
    sharder.setPeers(peers);
    return { lookup: (k, n, op) => sharder.lookup(k, n, op), peers: () => sharder.peers(), ready: () => true };
  }

  const shares = (names: string[]) => new Map(names.map((n) => [n, new DistributedTargets(true, viewOf(n, names), targets)]));

  it("gives each target to exactly one of the nodes", () => {
    const names = ["agent-1", "agent-2", "agent-3", "agent-4", "agent-5"];
    const owned = new Map<string, string[]>();
    for (const [name, dt] of shares(names)) {
      for (const t of dt.localTargets) owned.set(t.__metrics_path__!, [...(owned.get(t.__metrics_path__!) ?? []), name]);
    }
    assert.equal(owned.size, targets.length);
    for (const [path, nodes] of owned) assert.equal(nodes.length, 1, `${path} owned by ${nodes.join(", ")}`);
  });

  it("moves only the leaver's targets, about a fifth of them, when a node leaves", () => {
    const before = shares(["agent-1", "agent-2", "agent-3", "agent-4", "agent-5"]);
    const after = shares(["agent-1", "agent-2", "agent-4", "agent-5"]);
    const leaverShare = before.get("agent-3")!.localTargets.length;
    assert.ok(leaverShare > 30 && leaverShare < 100, `agent-3 owned ${leaverShare} of 300`);
    let gained = 0;
    for (const [name, dt] of after) {
      // Nobody loses a target to another survivor.
      assert.deepEqual(dt.movedToRemoteInstance(before.get(name)!), [], name);
      gained += dt.localTargets.length - before.get(name)!.localTargets.length;
    }
    assert.equal(gained, leaverShare);
  });
});
