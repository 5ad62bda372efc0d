// The sharder Alloy uses (ckit:shard, Ring(512)): read and read-write rings by peer state.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RingSharder } from "../../../../src/service/cluster/ckit/sharder.ts";
import { StateParticipant, StateTerminating, StateViewer, type Peer } from "../../../../src/service/cluster/ckit/peer.ts";
import { stringKey } from "../../../../src/service/cluster/ckit/keys.ts";

const peer = (name: string, state: number, self = false): Peer => ({ name, addr: `10.0.0.1:${name.length}`, self, state });

describe("RingSharder", () => {
  const viewer = peer("viewer-peer", StateViewer);
  const participant = peer("participant-peer", StateParticipant);
  const terminating = peer("terminating-peer", StateTerminating);

  // ckit's shard_test.go Test_Lookup, key 0, one owner.
  const cases: { name: string; peers: Peer[]; op: "read" | "readwrite"; expect?: Peer; error?: string }[] = [
    { name: "read fails without participants or terminating nodes", peers: [viewer], op: "read", error: "not enough nodes: need at least 1, have 0" },
    { name: "read permits participants", peers: [viewer, participant], op: "read", expect: participant },
    { name: "read permits terminating nodes", peers: [viewer, terminating], op: "read", expect: terminating },
    { name: "readwrite fails without participants", peers: [viewer, terminating], op: "readwrite", error: "not enough nodes: need at least 1, have 0" },
    { name: "readwrite permits participants only", peers: [viewer, participant, terminating], op: "readwrite", expect: participant },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const s = new RingSharder(128);
      s.setPeers(c.peers);
      if (c.error) assert.throws(() => s.lookup(0n, 1, c.op), { message: c.error });
      else assert.deepEqual(s.lookup(0n, 1, c.op), [c.expect]);
    });
  }

  it("gives ckit's Example owner and lists non-viewers sorted by name", () => {
    const s = new RingSharder(256);
    s.setPeers([
      peer("viewer-a", StateViewer),
      peer("viewer-b", StateViewer),
      peer("viewer-c", StateViewer),
      peer("node-c", StateTerminating),
      peer("node-a", StateParticipant, true),
      peer("node-b", StateParticipant),
    ]);
    assert.equal(s.lookup(stringKey("example-key"), 1, "readwrite")[0]!.name, "node-b");
    assert.deepEqual(s.peers().map((p) => p.name), ["node-a", "node-b", "node-c"]);
    // The lookup hands back the peers themselves, self flag and address included.
    const owners = s.lookup(stringKey("example-key"), 2, "readwrite");
    assert.deepEqual(owners.map((p) => [p.name, p.self]).sort(), [["node-a", true], ["node-b", false]]);
    assert.equal(s.lookup(stringKey("example-key"), 3, "read").length, 3);
    assert.throws(() => s.lookup(1n, 3, "readwrite"), { message: "not enough nodes: need at least 3, have 2" });
    assert.throws(() => s.lookup(1n, 1, "write" as "read"), { message: "unknown op write" });
  });

  it("follows state changes: a terminating node keeps reads, loses writes", () => {
    const s = new RingSharder();
    const names = ["a", "b", "c"];
    s.setPeers(names.map((n) => peer(n, StateParticipant)));
    const owned = (op: "read" | "readwrite") => {
      const set = new Set<string>();
      for (let i = 0; i < 2000; i++) set.add(s.lookup(stringKey(`k${i}`), 1, op)[0]!.name);
      return [...set].sort();
    };
    assert.deepEqual(owned("readwrite"), names);
    s.setPeers([peer("a", StateParticipant), peer("b", StateTerminating), peer("c", StateViewer)]);
    assert.deepEqual(owned("readwrite"), ["a"]);
    assert.deepEqual(owned("read"), ["a", "b"]);
    assert.deepEqual(s.peers().map((p) => `${p.name}:${p.state}`), ["a:1", "b:2"]);
  });
});
