// Joins that must fail: another cluster name (memberlist label), and a node name already held by a
// live member — Alloy documents that such a node is rejected and won't join. The newcomer must be
// told who holds the name, stay on its own, and be able to bootstrap alone; the cluster must never
// list it. Checked between in-process TS nodes over HTTP/2, and against real Go memberlist nodes.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { platform } from "../../../../src/platform/mod.ts";
import { CkitNode } from "../../../../src/service/cluster/ckit/node.ts";
import { NodeNameConflictError } from "../../../../src/service/cluster/ckit/name-clash.ts";
import { StateParticipant } from "../../../../src/service/cluster/ckit/peer.ts";
import { NetTransport } from "../../../../src/service/cluster/memberlist/net-transport.ts";
import { startGoPeer, stopAll, type GossipProcess } from "../helpers.ts";
import { closeAll, eventually, fastTimings, names, sleep, startNode, view, type TestNode } from "./helpers.ts";

const WAIT = 15_000;

describe("joining a cluster with another cluster name", () => {
  const nodes: TestNode[] = [];
  after(() => closeAll(nodes));

  it("fails with `failed to join memberlist: …`; neither side lists the other", async () => {
    const blue = await startNode("blue-1", { clusterName: "blue" });
    nodes.push(blue);
    await blue.node.start([]);
    const green = await startNode("green-1", { clusterName: "green" });
    nodes.push(green);
    const unlabelled = await startNode("plain-1");
    nodes.push(unlabelled);
    await assert.rejects(green.node.start([blue.addr]), /^Error: failed to join memberlist: failed to join 127\.0\.0\.1:\d+: /);
    await assert.rejects(unlabelled.node.start([blue.addr]), /^Error: failed to join memberlist: /);
    await assert.rejects(blue.node.start([unlabelled.addr]), /^Error: failed to join memberlist: /);
    // The failed node can still run a cluster of its own.
    await green.node.start([]);
    await sleep(500);
    for (const n of nodes) assert.deepEqual(names(n.node.peers()), [n.node.name]);
  });
});

describe("joining with a name a live member holds", () => {
  const nodes: TestNode[] = [];
  after(() => closeAll(nodes));

  it("is refused: start names the holder, the newcomer stays alone and can bootstrap, the cluster never lists it", async () => {
    const a = await startNode("node-a");
    nodes.push(a);
    await a.node.start([]);
    for (const name of ["node-b", "node-c"]) {
      const n = await startNode(name);
      nodes.push(n);
      await n.node.start([a.addr]);
    }
    const [, b, c] = nodes as [TestNode, TestNode, TestNode];
    await Promise.all(nodes.map((n) => n.node.changeState(StateParticipant)));
    const cluster = nodes.slice();
    const expected = cluster.map((n) => `${n.node.name}=${StateParticipant}@${n.addr}`);
    await eventually("the cluster to converge", () => cluster.every((n) => view(n.node.peers()).map((v) => v.replace("*", "")).join() === expected.join()), WAIT);
    const incarnationOfB = a.node.memberlist.members().find((m) => m.name === "node-b")!.incarnation;

    const dup = await startNode("node-b");
    nodes.push(dup);
    // Through another member, through the holder itself, and through several addresses.
    for (const seeds of [[a.addr], [b.addr], [c.addr, a.addr]]) {
      const error = await dup.node.start(seeds).then(
        () => assert.fail(`joining through ${seeds.join(",")} succeeded`),
        (e: unknown) => e,
      );
      assert.ok(error instanceof NodeNameConflictError, String(error));
      assert.equal(
        error.message,
        `failed to join memberlist: node name "node-b" is already taken by the live member at ${b.addr}; every node in a cluster needs a unique name`,
      );
      assert.equal(error.nodeName, "node-b");
      assert.equal(error.holderAddr, b.addr);
      assert.equal(error.claimantAddr, dup.addr);
      assert.deepEqual(view(dup.node.peers()), [`node-b=0@${dup.addr}*`]);
      assert.deepEqual(dup.node.memberlist.allNodes().map((m) => m.name), ["node-b"]);
    }

    // It bootstraps a cluster of its own.
    await dup.node.start([]);
    await dup.node.changeState(StateParticipant);
    assert.deepEqual(view(dup.node.peers()), [`node-b=1@${dup.addr}*`]);

    // The holder and the others are untouched and never hear of the newcomer, through several
    // push/pull rounds (every 1s) and gossip (every 50ms).
    const dupPort = Number(dup.addr.split(":")[1]);
    for (let i = 0; i < 12; i++) {
      for (const n of cluster) {
        assert.deepEqual(view(n.node.peers()).map((v) => v.replace("*", "")), expected, `${n.node.name}, sample ${i}`);
        assert.ok(!n.node.memberlist.allNodes().some((m) => m.port === dupPort), `${n.node.name} has the newcomer in its table`);
      }
      await sleep(250);
    }
    const holderNow = a.node.memberlist.members().find((m) => m.name === "node-b")!;
    assert.equal(holderNow.incarnation, incarnationOfB, "the holder never had to refute anything");
    assert.equal(b.node.memberlist.healthScore(), 0);
    // The seeds counted the attempts as name conflicts.
    assert.ok(a.node.metrics.gossipEvents.with("node_conflict").value >= 1);
    assert.ok(b.node.metrics.gossipEvents.with("node_conflict").value >= 1);
  });

  it("lets a node at another address take a name its holder gave up by leaving", async () => {
    const [a, b, c] = nodes as [TestNode, TestNode, TestNode];
    await b.close();
    await eventually("node-b to be gone", () => [a, c].every((n) => names(n.node.peers()).join() === "node-a,node-c"), WAIT);
    const successor = await startNode("node-b");
    nodes.push(successor);
    await successor.node.start([a.addr]);
    await eventually(
      "everyone to list the new node-b",
      () =>
        [a, c, successor].every((n) => {
          const nb = n.node.peers().find((p) => p.name === "node-b");
          return n.node.peers().length === 3 && nb?.addr === successor.addr;
        }),
      WAIT,
    );
  });
});

describe("joining a Go memberlist cluster with a name a Go node holds", () => {
  const goPeers: GossipProcess[] = [];
  let node: CkitNode | undefined;
  after(async () => {
    await node?.stop();
    await stopAll(goPeers);
  });

  it("is refused the same way, and the Go nodes never list the newcomer", async () => {
    const g1 = await startGoPeer({ name: "taken" });
    goPeers.push(g1);
    const g2 = await startGoPeer({ name: "go-2", join: [g1.gossip] });
    goPeers.push(g2);
    await eventually("the Go nodes to see each other", async () => (await g2.members()).filter((m) => m.state === "alive").length === 2, WAIT);

    const transport = await NetTransport.create(platform(), { bindAddr: "127.0.0.1", bindPort: 0 });
    node = await CkitNode.create({
      name: "taken",
      advertiseAddr: `127.0.0.1:${transport.port}`,
      transport,
      memberlist: fastTimings,
    });
    const error = await node.start([g2.gossip]).then(
      () => assert.fail("the join succeeded"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof NodeNameConflictError, String(error));
    assert.equal(error.holderAddr, g1.gossip);
    assert.match(error.message, new RegExp(`node name "taken" is already taken by the live member at ${g1.gossip.replace(/\./g, "\\.")}`));
    assert.deepEqual(names(node.peers()), ["taken"]);
    await node.start([]);
    for (let i = 0; i < 6; i++) {
      for (const g of goPeers) {
        const members = await g.members();
        const taken = members.filter((m) => m.name === "taken");
        assert.deepEqual(taken.map((m) => `${m.addr}:${m.port}`), [g1.gossip], `${g.name} lists the name at its holder only`);
        assert.equal(taken[0]!.state, "alive");
        assert.ok(!members.some((m) => m.port === transport.port), `${g.name} lists the newcomer`);
      }
      await sleep(300);
    }
  });
});
