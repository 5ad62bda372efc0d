// ckit's hash ring token for token: expected owners and tokens were printed by testdata/golden.go,
// which runs ckit's internal/chash/ring.go algorithm on cespare/xxhash in Go.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { HashRing } from "../../../../src/service/cluster/ckit/ring.ts";
import { stringKey } from "../../../../src/service/cluster/ckit/keys.ts";

function ring(numTokens: number, nodes: string[]): HashRing {
  const r = new HashRing(numTokens);
  r.setNodes(nodes);
  return r;
}

describe("HashRing", () => {
  it("gives ckit's documented owner of example-key (shard.Ring(256), Example output node-b)", () => {
    assert.deepEqual(ring(256, ["node-a", "node-b"]).get(stringKey("example-key"), 1), ["node-b"]);
  });

  it("orders owners as Go ckit does with 512 tokens", () => {
    const r = ring(512, ["node-a", "node-b", "node-c"]);
    const want: [string, string[]][] = [
      ["example-key", ["node-c", "node-b", "node-a"]],
      ["some-key", ["node-c", "node-a", "node-b"]],
      ["key-0", ["node-a", "node-c", "node-b"]],
      ["key-1", ["node-b", "node-a", "node-c"]],
      ["key-2", ["node-b", "node-a", "node-c"]],
      ["key-3", ["node-c", "node-a", "node-b"]],
    ];
    for (const [key, owners] of want) {
      assert.deepEqual(r.get(stringKey(key), 3), owners, key);
      assert.deepEqual(r.get(stringKey(key), 1), owners.slice(0, 1), key);
    }
    // The lowest token is node-a's 0x001dec6c1791603c, the highest node-c's 0xffee474b54b81813:
    // key 0 lands on the first token, a key past the last wraps around to it.
    assert.deepEqual(r.get(0n, 3), ["node-a", "node-b", "node-c"]);
    assert.deepEqual(r.get(0x001dec6c1791603cn, 1), ["node-a"]);
    assert.deepEqual(r.get(0x001dec6c1791603dn, 1), ["node-b"]);
    assert.deepEqual(r.get(0xffee474b54b81813n, 1), ["node-c"]);
    assert.deepEqual(r.get(0xffee474b54b81814n, 3), ["node-a", "node-b", "node-c"]);
    assert.deepEqual(r.get((1n << 64n) - 1n, 3), ["node-a", "node-b", "node-c"]);
  });

  it("moves about 1/N of the keys when a node joins, and only the leaving node's keys when one leaves", () => {
    const five = ["alloy-0", "alloy-1", "alloy-2", "alloy-3", "alloy-4"];
    const r5 = ring(512, five);
    const r6 = ring(512, [...five, "alloy-5"]);
    const r4 = ring(512, five.filter((n) => n !== "alloy-2"));
    const counts = new Map<string, number>();
    let movedOnJoin = 0;
    let movedOnLeave = 0;
    for (let i = 0; i < 10_000; i++) {
      const key = stringKey(`key-${i}`);
      const owner = r5.get(key, 1)[0]!;
      counts.set(owner, (counts.get(owner) ?? 0) + 1);
      const afterJoin = r6.get(key, 1)[0]!;
      if (afterJoin !== owner) {
        movedOnJoin++;
        assert.equal(afterJoin, "alloy-5", "keys only move to the new node");
      }
      const afterLeave = r4.get(key, 1)[0]!;
      if (afterLeave !== owner) {
        movedOnLeave++;
        assert.equal(owner, "alloy-2", "only the leaving node's keys move");
      }
    }
    // Exactly Go's numbers for these keys.
    assert.deepEqual(Object.fromEntries([...counts].sort()), {
      "alloy-0": 2029,
      "alloy-1": 2059,
      "alloy-2": 2024,
      "alloy-3": 1935,
      "alloy-4": 1953,
    });
    assert.equal(movedOnJoin, 1592);
    assert.equal(movedOnLeave, 2024);
  });

  it("refuses more owners than nodes, gives none for n = 0, and does not depend on input order", () => {
    const r = ring(512, ["b", "a"]);
    assert.throws(() => r.get(1n, 3), { message: "not enough nodes: need at least 3, have 2" });
    assert.deepEqual(r.get(1n, 0), []);
    assert.throws(() => ring(512, []).get(1n, 1), { message: "not enough nodes: need at least 1, have 0" });
    assert.deepEqual(ring(512, []).get(1n, 0), []);
    const other = ring(512, ["a", "b"]);
    for (let i = 0; i < 200; i++) assert.deepEqual(r.get(stringKey(`k${i}`), 2), other.get(stringKey(`k${i}`), 2));
  });
});
