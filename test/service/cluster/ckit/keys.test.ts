import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { KeyBuilder, nonMetaLabelsHash, stringKey } from "../../../../src/service/cluster/ckit/keys.ts";

describe("ring keys", () => {
  it("StringKey is XXH64 of the string (cespare/xxhash Sum64String)", () => {
    assert.equal(stringKey(""), 0xef46db3751d8e999n);
    assert.equal(stringKey("abc"), 0x44bc2cf5ad770999n);
    assert.equal(stringKey("node-a"), 0x05378e2c8885d70bn);
  });

  it("KeyBuilder gives StringKey's key for the same bytes, reads without resetting, and resets", () => {
    const kb = new KeyBuilder();
    const empty = kb.key();
    kb.write("Hello, ").write(new TextEncoder().encode("world!"));
    assert.equal(kb.key(), stringKey("Hello, world!"));
    assert.equal(kb.key(), stringKey("Hello, world!"), "reading the key twice gives the same key");
    assert.equal(kb.reset().key(), empty);
  });

  it("targets are keyed by their non-meta labels", () => {
    const a = nonMetaLabelsHash({ __address__: "h:9100", job: "node", __meta_x: "1" });
    const b = nonMetaLabelsHash({ job: "node", __address__: "h:9100", __meta_x: "2", __meta_y: "3" });
    assert.equal(a, b);
    assert.notEqual(a, nonMetaLabelsHash({ __address__: "h:9101", job: "node" }));
  });
});
