// The streaming XXH64 digest, against values printed by github.com/cespare/xxhash (Debian's
// golang-github-cespare-xxhash-dev 2.1.1, the library ckit links): Sum64 of a Digest after
// writing "node-a" and then one byte at a time — exactly how ckit's ring derives a node's tokens.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Xxh64Digest, xxhash64 } from "../../src/wire/labels/xxhash64.ts";

describe("Xxh64Digest", () => {
  it("reads the sum after every byte without resetting, as cespare/xxhash's Digest.Sum64", () => {
    const d = new Xxh64Digest().writeString("node-a");
    assert.equal(d.sum64(), 0x05378e2c8885d70bn);
    const want = new Map([
      [0, 0x3df0185cb3568f70n],
      [1, 0xd7815091a264cce6n],
      [2, 0xb219ba70d34593cdn],
      [255, 0x492d64c2c2ebca12n],
      [256, 0xb9aa670f7056c9c2n],
      [511, 0x5d570bfe45f81cadn],
    ]);
    for (let t = 0; t < 512; t++) {
      d.writeByte(t & 0xff);
      const expected = want.get(t);
      if (expected !== undefined) assert.equal(d.sum64(), expected, `after token byte ${t}`);
    }
  });

  it("gives the one-shot hash whatever the write boundaries", () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (const length of [0, 1, 3, 4, 7, 8, 31, 32, 33, 63, 64, 65, 100, 257, 1000]) {
      const data = Uint8Array.from({ length }, () => Math.floor(random() * 256));
      const d = new Xxh64Digest();
      for (let i = 0; i < length; ) {
        const step = 1 + Math.floor(random() * 40);
        d.write(data, i, Math.min(length, i + step));
        i += step;
      }
      assert.equal(d.sum64(), xxhash64(data), `length ${length}`);
      assert.equal(d.reset().sum64(), xxhash64(""));
    }
  });

  it("matches the XXH64 reference values for short and long inputs", () => {
    const vectors: [string, bigint][] = [
      ["", 0xef46db3751d8e999n],
      ["a", 0xd24ec4f1a98c6e5bn],
      ["abc", 0x44bc2cf5ad770999n],
      ["hello world", 0x45ab6734b21e6968n],
      ["The quick brown fox jumps over the lazy dog", 0x0b242d361fda71bcn],
      ["0123456789".repeat(10), 0xf80e7b96315afffan],
    ];
    for (const [s, h] of vectors) {
      assert.equal(new Xxh64Digest().writeString(s).sum64(), h, JSON.stringify(s));
      assert.equal(xxhash64(s), h, JSON.stringify(s));
    }
  });
});
