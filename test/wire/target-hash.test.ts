// Alloy's target hashes, checked against the values Alloy's own tests pin
// (alloy:internal/component/discovery/target_test.go TestHashing, TestHashLargeLabelSets): Alloy
// promises they never change, because they decide which cluster node scrapes which target.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { hashLabelsWithPredicate, nonMetaLabelsHash, specificLabelsHash } from "../../src/wire/labels/target-hash.ts";
import { xxhash64 } from "../../src/wire/labels/xxhash64.ts";

function target(...generators: ((label: number) => [string, string])[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const generate of generators) {
    for (let i = 0; i < 10; i++) {
      const [name, value] = generate(i);
      out[name] = value;
    }
  }
  return out;
}

describe("target hashes", () => {
  it("hashes all labels and the non-meta ones as Alloy does (TestHashing)", () => {
    const plain = target((i) => [`label_${i}`, `value_${i}`]);
    assert.equal(hashLabelsWithPredicate(plain, () => true), 0xa28155048ff30d6fn);
    assert.equal(nonMetaLabelsHash(plain), 0xa28155048ff30d6fn);
    for (let t = 0; t < 3; t++) {
      const withMeta = target((i) => [`__meta_t${t}_l${i}`, `${t}_${i}`], (i) => [`label_${i}`, `val_${i}`]);
      assert.equal(nonMetaLabelsHash(withMeta), 0x77c5d28715ca6a11n, `target ${t}`);
      const specific = target((i) => [`t${t}_l${i}`, `${t}_${i}`], () => ["foo", "bar"], () => ["bin", "baz"]);
      assert.equal(specificLabelsHash(specific, ["foo", "bin"]), 0xbbbe498586b668f3n, `target ${t}`);
    }
  });

  it("hashes large label sets the same way (TestHashLargeLabelSets)", () => {
    const chars = "abcdefghijklmnopqrstuvwxyz";
    const gen = (id: number, length: number) => Array.from({ length }, (_, i) => chars[(i + id) % chars.length]).join("");
    const labelSet = (size: number) => {
      const out: Record<string, string> = {};
      for (let i = 0; i < size; i++) out[gen(i, 100)] = gen(i, 100);
      for (let i = 0; i < 5; i++) out[`__meta_${gen(i, 100)}`] = gen(i, 100);
      return out;
    };
    // NewTargetFromSpecificAndBaseLabelSet(own, base): own labels over shared ones.
    const labels = { ...labelSet(50), ...labelSet(100) };
    assert.equal(nonMetaLabelsHash(labels), 0x374005f6a622f4d8n);
    assert.equal(hashLabelsWithPredicate(labels, () => true), 0x174c789bf3b783a7n);
  });

  it("sorts names in UTF-8 byte order and separates with 0xFF", () => {
    // "\u{10000}" sorts after "\uffff" in UTF-8 (Go), before it in UTF-16 (JavaScript's default sort).
    const labels = { "\uffff": "x", "\u{10000}": "y", a: "" };
    const bytes = [...new TextEncoder().encode("a"), 0xff, 0xff, ...new TextEncoder().encode("\uffff"), 0xff,
      ...new TextEncoder().encode("x"), 0xff, ...new TextEncoder().encode("\u{10000}"), 0xff, ...new TextEncoder().encode("y"), 0xff];
    assert.equal(nonMetaLabelsHash(labels), xxhash64(Uint8Array.from(bytes)));
    assert.equal(nonMetaLabelsHash({}), xxhash64(""));
  });
});
