// ckit nodes in one process, each on its own HTTP/2 server on 127.0.0.1, gossiping over real
// sockets: membership, state gossip with its Lamport rules, observers, the ring, leaving.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { encodeStateMessage } from "../../../../src/service/cluster/ckit/messages.ts";
import { NodeStoppedError } from "../../../../src/service/cluster/ckit/node.ts";
import {
  StateParticipant,
  StateTerminating,
  StateViewer,
  type Peer,
} from "../../../../src/service/cluster/ckit/peer.ts";
import { stringKey } from "../../../../src/service/cluster/ckit/keys.ts";
import { closeAll, eventually, names, sleep, startNode, view, type TestNode } from "./helpers.ts";

const WAIT = 15_000;
const all = ["node-a", "node-b", "node-c", "node-d"];

function sample(n: TestNode, metric: string, labels: Record<string, string> = {}): number | undefined {
  const family = n.registry.gather().find((f) => f.name === metric);
  const s = family?.samples.find((x) => Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return s?.value;
}

/** Waits until every node lists exactly `expected` (name=state), and returns the lists. */
async function converge(nodes: TestNode[], expected: string[], what: string) {
  await eventually(
    what,
    () => nodes.every((n) => n.node.peers().map((p) => `${p.name}=${p.state}`).join() === expected.join()),
    WAIT,
  ).catch((error) => {
    throw new Error(`${(error as Error).message}\n${nodes.map((n) => `${n.node.name}: ${view(n.node.peers()).join(" ")}`).join("\n")}`);
  });
}

describe("ckit nodes over HTTP/2 on loopback", () => {
  const nodes: TestNode[] = [];
  const deliveries: (readonly Peer[])[] = [];
  after(() => closeAll(nodes));

  before(async () => {
    const a = await startNode("node-a");
    nodes.push(a);
    a.node.observe((peers) => void deliveries.push(peers));
    await a.node.start([]);
    for (const name of all.slice(1)) {
      const n = await startNode(name);
      nodes.push(n);
      await n.node.start([a.addr]);
    }
  });

  it("converges: every node lists every node with its address, itself flagged", async () => {
    await converge(nodes, all.map((n) => `${n}=${StateViewer}`), "all four nodes to list each other");
    for (const n of nodes) {
      const peers = n.node.peers();
      assert.deepEqual(
        peers.map((p) => [p.name, p.addr, p.self]),
        nodes.map((m) => [m.node.name, m.addr, m === n]),
        n.node.name,
      );
      // Viewers own nothing yet.
      assert.deepEqual(n.node.shardPeers(), []);
      assert.throws(() => n.node.lookup(1n, 1, "read"), { message: "not enough nodes: need at least 1, have 0" });
    }
  });

  it("propagates participant states; changeState resolves once its message has been gossiped", async () => {
    await Promise.all(nodes.map((n) => n.node.changeState(StateParticipant)));
    for (const n of nodes) assert.equal(n.node.currentState, StateParticipant);
    await converge(nodes, all.map((n) => `${n}=${StateParticipant}`), "everyone to see four participants");
    // One ring everywhere: every node names the same owners for every key.
    for (let i = 0; i < 300; i++) {
      const key = stringKey(`key-${i}`);
      const owners = nodes.map((n) => names(n.node.lookup(key, 2, "readwrite")).join());
      assert.ok(owners.every((o) => o === owners[0]), `key-${i}: ${owners.join(" | ")}`);
      // Each node's answer flags the owner as itself exactly when it is.
      for (const n of nodes) {
        const owner = n.node.lookup(key, 1, "readwrite")[0]!;
        assert.equal(owner.self, owner.name === n.node.name);
      }
    }
    const a = nodes[0]!;
    assert.equal(sample(a, "cluster_node_info", { state: "participant" }), 1);
    assert.equal(sample(a, "cluster_node_peers", { state: "participant", cluster_name: "" }), 4);
    assert.equal(sample(a, "cluster_node_peers", { state: "viewer" }), 0);
    assert.equal(sample(a, "cluster_node_peers", { state: "terminating" }), 0);
    assert.ok((sample(a, "cluster_node_lamport_time") ?? 0) >= 1);
    assert.equal(sample(a, "cluster_node_gossip_alive_peers"), 4);
    assert.equal(sample(a, "cluster_node_gossip_proto_version"), 2);
    assert.equal(sample(a, "cluster_node_update_observers"), 1);
    assert.ok((sample(a, "cluster_node_gossip_received_events_total", { event: "node_join" }) ?? 0) >= 4);
    assert.ok((sample(a, "cluster_node_gossip_received_events_total", { event: "state_change_message" }) ?? 0) >= 3);
    assert.ok((sample(a, "cluster_transport_tx_packets_total") ?? 0) > 0);
    assert.ok((sample(a, "cluster_transport_rx_bytes_total") ?? 0) > 0);
    assert.ok((sample(a, "cluster_transport_stream_tx_bytes_total") ?? 0) > 0, "the joins were push/pulls over streams");
  });

  it("applies ckit's Lamport rules to state messages from the wire", async () => {
    const [, b, c, d] = nodes as [TestNode, TestNode, TestNode, TestNode];
    // Giving up waiting does not undo the change, which still goes out.
    const gaveUp = new Error("gave up waiting");
    await assert.rejects(b.node.changeState(StateTerminating, AbortSignal.abort(gaveUp)), gaveUp);
    assert.equal(b.node.currentState, StateTerminating);
    await converge(
      nodes,
      all.map((n) => `${n}=${n === "node-b" ? StateTerminating : StateParticipant}`),
      "everyone to see node-b terminating",
    );
    const cOnWire = d.node.memberlist.members().find((m) => m.name === "node-c")!;
    const events = () => c.node.metrics.gossipEvents.with("state_change_message").value;
    const relayed = () => c.node.metrics.gossipBroadcasts.with("state_change_message").value;

    // An older message (node-b participant at time 1) changes nothing and is not passed on.
    await eventually("node-c's gossip to settle", async () => {
      const before = events();
      await sleep(300);
      return events() === before;
    }, WAIT);
    const [eventsBefore, relayedBefore] = [events(), relayed()];
    await d.node.memberlist.sendBestEffort(cOnWire, encodeStateMessage({ nodeName: "node-b", newState: StateParticipant, time: 1n }));
    await eventually("node-c to receive the old message", () => events() > eventsBefore, WAIT);
    assert.equal(c.node.peers().find((p) => p.name === "node-b")!.state, StateTerminating);
    assert.equal(relayed(), relayedBefore);

    // A newer message about node-c itself (as if from an earlier run under its name) reaches node-c
    // through node-a's relay; node-c answers with its real state at a later time, which wins everywhere.
    const aOnWire = d.node.memberlist.members().find((m) => m.name === "node-a")!;
    await d.node.memberlist.sendBestEffort(aOnWire, encodeStateMessage({ nodeName: "node-c", newState: StateViewer, time: 10_000n }));
    await eventually("node-c to move its clock past the stale message", () => c.node.metrics.collect().some(
      (f) => f.name === "cluster_node_lamport_time" && (f.samples[0]?.value ?? 0) > 10_000,
    ), WAIT);
    assert.equal(c.node.currentState, StateParticipant);
    await converge(
      nodes,
      all.map((n) => `${n}=${n === "node-b" ? StateTerminating : StateParticipant}`),
      "node-c's refutation to win everywhere",
    );
    for (const n of nodes) assert.ok((sample(n, "cluster_node_lamport_time") ?? 0) > 10_000, n.node.name);
  });

  it("shards reads over participants and terminating nodes, writes over participants only; refuses bad transitions", async () => {
    const [a, b] = nodes as [TestNode, TestNode];
    const owners = (op: "read" | "readwrite") => {
      const set = new Set<string>();
      for (let i = 0; i < 2000; i++) set.add(a.node.lookup(stringKey(`k${i}`), 1, op)[0]!.name);
      return [...set].sort();
    };
    assert.deepEqual(owners("readwrite"), ["node-a", "node-c", "node-d"]);
    assert.deepEqual(owners("read"), all);
    assert.deepEqual(names(a.node.shardPeers()), all);
    await assert.rejects(b.node.changeState(StateParticipant), { message: "invalid transition from terminating to participant" });
    await assert.rejects(a.node.changeState(StateParticipant), { message: "invalid transition from participant to participant" });
    await assert.rejects(a.node.changeState(StateViewer), { message: "invalid transition from participant to viewer" });
    assert.equal(b.node.currentState, StateTerminating);
  });

  it("removes a node that leaves; only the keys it owned move", async () => {
    const [a, b, c, d] = nodes as [TestNode, TestNode, TestNode, TestNode];
    const keys = Array.from({ length: 10_000 }, (_, i) => stringKey(`target-${i}`));
    const before = keys.map((k) => a.node.lookup(k, 1, "read")[0]!.name);
    await d.close();
    const rest = [a, b, c];
    await converge(
      rest,
      ["node-a", "node-b", "node-c"].map((n) => `${n}=${n === "node-b" ? StateTerminating : StateParticipant}`),
      "node-d to be gone",
    );
    let moved = 0;
    keys.forEach((k, i) => {
      const now = a.node.lookup(k, 1, "read")[0]!.name;
      if (now !== before[i]) {
        moved++;
        assert.equal(before[i], "node-d", "only node-d's keys move");
      }
    });
    const ownedByD = before.filter((o) => o === "node-d").length;
    assert.equal(moved, ownedByD);
    assert.ok(moved > 1000 && moved < 4000, `about a quarter of the keys moved: ${moved}`);
    assert.equal(sample(a, "cluster_node_gossip_alive_peers"), 3);
    assert.ok((sample(a, "cluster_node_gossip_received_events_total", { event: "node_leave" }) ?? 0) >= 1);
    await assert.rejects(d.node.start([a.addr]), NodeStoppedError);
    await assert.rejects(d.node.start([]), { message: "node stopped" });
  });

  it("removes a node that dies without leaving, once memberlist has found it dead", async () => {
    const [a, b, c] = nodes as [TestNode, TestNode, TestNode];
    // A crash: the gossip engine and the HTTP server stop, nothing is said to the others.
    await c.node.memberlist.shutdown();
    await c.server.close(0);
    await converge([a, b], [`node-a=${StateParticipant}`, `node-b=${StateTerminating}`], "node-c to be declared dead");
    assert.deepEqual(names(a.node.shardPeers()), ["node-a", "node-b"]);
    assert.deepEqual(names(a.node.lookup(stringKey("x"), 2, "read")).sort(), ["node-a", "node-b"]);
  });

  it("told its observer each distinct peer list, ending with the current one", () => {
    assert.ok(deliveries.length >= 3, `deliveries: ${deliveries.length}`);
    for (let i = 1; i < deliveries.length; i++) {
      assert.notDeepEqual(view(deliveries[i]!), view(deliveries[i - 1]!), `delivery ${i} repeats the one before`);
    }
    assert.deepEqual(view(deliveries.at(-1)!), view(nodes[0]!.node.peers()));
    assert.deepEqual(names(deliveries[0]!), ["node-a"], "the first list is the node alone");
  });
});

describe("ckit node alone", () => {
  it("bootstraps with no peers, changes state without waiting, and stops", async () => {
    const n = await startNode("solo", { clusterName: "c1" });
    try {
      await n.node.start([]);
      await n.node.start([]);
      // An aborted signal does not matter alone: there is nobody to wait for.
      await n.node.changeState(StateParticipant, AbortSignal.abort());
      assert.deepEqual(view(n.node.peers()), [`solo=1@${n.addr}*`]);
      assert.deepEqual(n.node.lookup(stringKey("x"), 1, "readwrite").map((p) => p.name), ["solo"]);
      const info = n.registry.gather().find((f) => f.name === "cluster_node_info")!;
      assert.deepEqual(info.samples, [{ labels: { state: "participant" }, value: 1 }]);
      assert.equal(info.help, "Info about the local node. Label values will change as the node changes state.");
      const peersFamily = n.registry.gather().find((f) => f.name === "cluster_node_peers")!;
      assert.equal(peersFamily.help, "Current number of healthy peers by state");
      assert.deepEqual(
        peersFamily.samples.map((s) => [s.labels.state, s.labels.cluster_name, s.value]),
        [["participant", "c1", 1], ["terminating", "c1", 0], ["viewer", "c1", 0]],
      );
      assert.ok(n.registry.gather().some((f) => f.name === "cluster_transport_tx_packets_failed_total" && f.type === "gauge"));
    } finally {
      await n.close();
    }
    assert.equal(n.registry.gather().length, 0, "stop unregisters the metrics");
  });

  it("rejects bad options with ckit's messages", async () => {
    const { CkitNode } = await import("../../../../src/service/cluster/ckit/node.ts");
    const { Http2Transport } = await import("../../../../src/service/cluster/memberlist/http2-transport.ts");
    const transport = () => new Http2Transport({ createClient: () => { throw new Error("unused"); } });
    await assert.rejects(CkitNode.create({ name: "", advertiseAddr: "127.0.0.1:1", transport: transport() }), { message: "node name is required" });
    await assert.rejects(CkitNode.create({ name: "x", advertiseAddr: "", transport: transport() }), { message: "advertise address is required" });
    await assert.rejects(CkitNode.create({ name: "x", advertiseAddr: "127.0.0.1", transport: transport() }), /^Error: failed to read advertise address: /);
    await assert.rejects(CkitNode.create({ name: "x", advertiseAddr: "alloy-0:1", transport: transport() }), {
      message: 'failed to lookup advertise address "alloy-0": not an IP address',
    });
    const resolved = await CkitNode.create({
      name: "x",
      advertiseAddr: "alloy-0:1",
      transport: transport(),
      resolveHost: async () => ["127.0.0.9"],
    });
    assert.equal(resolved.advertiseAddr, "127.0.0.9:1");
    assert.equal(resolved.peers()[0]!.addr, "127.0.0.9:1");
    await resolved.stop();
  });
});
