import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { xxh64, xxhash64, xxhash64Hex, xxhashResult } from "../../src/wire/labels/xxhash64.ts";
import { compareLabelSets, compareStrings } from "../../src/wire/labels/compare.ts";
import { LabelsBuilder } from "../../src/wire/labels/builder.ts";
import { SeriesTable } from "../../src/wire/labels/series.ts";
import { RawSeriesCache } from "../../src/wire/labels/rawcache.ts";
import { SymbolTable } from "../../src/wire/labels/symbols.ts";

const M = (1n << 64n) - 1n;
const P1 = 0x9e3779b185ebca87n, P2 = 0xc2b2ae3d27d4eb4fn, P3 = 0x165667b19e3779f9n, P4 = 0x85ebca77c2b2ae63n, P5 = 0x27d4eb2f165667c5n;
const rotl = (x: bigint, r: bigint) => ((x << r) | (x >> (64n - r))) & M;
const rd64 = (b: Uint8Array, i: number) => { let v = 0n; for (let k = 7; k >= 0; k--) v = (v << 8n) | BigInt(b[i + k]!); return v; };
const rd32 = (b: Uint8Array, i: number) => BigInt((b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0);
const round = (acc: bigint, x: bigint) => (rotl((acc + x * P2) & M, 31n) * P1) & M;
/** The XXH64 specification, in BigInt, as an independent reference. */
function reference(b: Uint8Array): bigint {
  let i = 0, h: bigint;
  if (b.length >= 32) {
    let v1 = (P1 + P2) & M, v2 = P2, v3 = 0n, v4 = (-P1) & M;
    for (; i + 32 <= b.length; i += 32) { v1 = round(v1, rd64(b, i)); v2 = round(v2, rd64(b, i + 8)); v3 = round(v3, rd64(b, i + 16)); v4 = round(v4, rd64(b, i + 24)); }
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & M;
    for (const v of [v1, v2, v3, v4]) h = (((h ^ round(0n, v)) * P1) + P4) & M;
  } else h = P5;
  h = (h + BigInt(b.length)) & M;
  for (; i + 8 <= b.length; i += 8) h = ((rotl(h ^ round(0n, rd64(b, i)), 27n) * P1) + P4) & M;
  if (i + 4 <= b.length) { h = ((rotl(h ^ ((rd32(b, i) * P1) & M), 23n) * P2) + P3) & M; i += 4; }
  for (; i < b.length; i++) h = (rotl(h ^ ((BigInt(b[i]!) * P5) & M), 11n) * P1) & M;
  h ^= h >> 33n; h = (h * P2) & M; h ^= h >> 29n; h = (h * P3) & M; h ^= h >> 32n;
  return h;
}

describe("xxhash64", () => {
  it("matches cespare/xxhash's test vectors", () => {
    const vectors: [string, string][] = [
      ["", "ef46db3751d8e999"], ["a", "d24ec4f1a98c6e5b"], ["as", "1c330fb2d66be179"], ["asd", "631c37ce72a97393"],
      ["asdf", "415872f599cea71e"], ["Call me Ishmael. Some years ago--never mind how long precisely-", "02a2e85470d6fd96"],
    ];
    for (const [s, h] of vectors) assert.equal(xxhash64Hex(s), h, s);
    assert.equal(xxhash64("a"), 0xd24ec4f1a98c6e5bn);
  });

  it("agrees with a BigInt reference on random lengths 0..300", () => {
    let x = 12345;
    for (let n = 0; n <= 300; n++) {
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; b[i] = x >>> 24; }
      assert.equal(xxhash64(b), reference(b), `length ${n}`);
    }
  });

  it("hashes a sub-range without copying", () => {
    const b = new TextEncoder().encode("xxasdfyy");
    xxh64(b, 2, 6);
    assert.equal(xxhashResult.hi.toString(16) + xxhashResult.lo.toString(16).padStart(8, "0"), "415872f599cea71e");
  });
});

describe("label ordering", () => {
  it("compares strings in UTF-8 byte order", () => {
    const words = ["", "a", "b", "ab", "A", "_", "é", "\u{ffff}", "\u{e000}", "\u{10000}", "😀", "a😀", "a\u{fffd}", "z"];
    const enc = new TextEncoder();
    for (const a of words) for (const b of words) {
      const ea = enc.encode(a), eb = enc.encode(b);
      let want = 0;
      for (let i = 0; i < Math.min(ea.length, eb.length) && want === 0; i++) want = ea[i]! - eb[i]!;
      if (want === 0) want = ea.length - eb.length;
      assert.equal(Math.sign(compareStrings(a, b)), Math.sign(want), `${a} vs ${b}`);
    }
  });

  it("orders label sets as labels.Compare does", () => {
    assert.ok(compareLabelSets(["a", "1"], ["a", "1", "b", "2"]) < 0);
    assert.ok(compareLabelSets(["a", "2"], ["a", "1", "b", "2"]) > 0);
    assert.ok(compareLabelSets(["a", "1", "c", "0"], ["a", "1", "b", "2"]) > 0);
    assert.equal(compareLabelSets(["a", "1"], ["a", "1"]), 0);
  });
});

describe("LabelsBuilder", () => {
  it("sorts by name, finds duplicates, sets and deletes", () => {
    const lb = new LabelsBuilder().add("job", "x").add("__name__", "up").add("instance", "h:1").add("Z", "z");
    lb.sort();
    assert.deepEqual(lb.toArray(), ["Z", "z", "__name__", "up", "instance", "h:1", "job", "x"]);
    assert.equal(lb.duplicateName(), undefined);
    lb.add("job", "y").sort();
    assert.equal(lb.duplicateName(), "job");
    lb.del("job").set("a", "1").set("Z", "zz").sort();
    assert.deepEqual(lb.toArray(), ["Z", "zz", "__name__", "up", "a", "1", "instance", "h:1"]);
    assert.equal(lb.get("a"), "1");
  });

  it("computes Prometheus's StableHash (xxhash of name 0xff value 0xff ...)", () => {
    const lb = new LabelsBuilder().add("__name__", "up").add("job", "node");
    const bytes = [...new TextEncoder().encode("__name__"), 0xff, ...new TextEncoder().encode("up"), 0xff,
      ...new TextEncoder().encode("job"), 0xff, ...new TextEncoder().encode("node"), 0xff];
    assert.equal(lb.stableHashBigInt(), reference(new Uint8Array(bytes)));
    const long = new LabelsBuilder().add("a", "v".repeat(3000));
    assert.equal(long.stableHashBigInt(), reference(new Uint8Array([0x61, 0xff, ...new Array(3000).fill(0x76), 0xff])));
  });
});

describe("SeriesTable", () => {
  it("interns label sets to stable refs and finds them again", () => {
    const t = new SeriesTable();
    const lb = new LabelsBuilder();
    const refs: number[] = [];
    for (let i = 0; i < 5000; i++) refs.push(t.intern(lb.reset().add("__name__", "m" + (i % 50)).add("i", String(i)).sort()));
    assert.equal(new Set(refs).size, 5000);
    assert.equal(t.size, 5000);
    for (let i = 0; i < 5000; i += 7) {
      assert.equal(t.intern(lb.reset().add("__name__", "m" + (i % 50)).add("i", String(i)).sort()), refs[i]);
      assert.deepEqual(t.labels(refs[i]!), ["__name__", "m" + (i % 50), "i", String(i)]);
      assert.equal(t.get(refs[i]!, "i"), String(i));
    }
    assert.equal(t.lookup(lb.reset().add("__name__", "nope")), -1);
    // Symbols are shared: 50 names + 5000 values + 2 label names.
    assert.equal(t.symbols.size, 5052);
  });

  it("deletes without reusing refs and compacts", () => {
    const t = new SeriesTable(new SymbolTable());
    const lb = new LabelsBuilder();
    const refs: number[] = [];
    for (let i = 0; i < 3000; i++) refs.push(t.intern(lb.reset().add("a", String(i))));
    for (let i = 0; i < 3000; i += 2) assert.ok(t.delete(refs[i]!));
    assert.equal(t.delete(refs[0]!), false);
    assert.equal(t.size, 1500);
    t.compact();
    for (let i = 0; i < 3000; i++) {
      assert.equal(t.has(refs[i]!), i % 2 === 1);
      if (i % 2 === 1) assert.equal(t.lookup(lb.reset().add("a", String(i))), refs[i]);
      else assert.equal(t.lookup(lb.reset().add("a", String(i))), -1);
    }
    const again = t.intern(lb.reset().add("a", "0"));
    assert.ok(again >= 3000, "a deleted series comes back with a new ref");
    // Churn: many deletes and inserts keep the index healthy.
    for (let round = 0; round < 20; round++) {
      const made: number[] = [];
      for (let i = 0; i < 500; i++) made.push(t.intern(lb.reset().add("churn", `${round}-${i}`)));
      for (const r of made) t.delete(r);
    }
    assert.equal(t.size, 1501);
  });
});

describe("RawSeriesCache", () => {
  const enc = new TextEncoder();
  it("tells apart keys of the same length that differ in any one byte", () => {
    const text = enc.encode('abcdefghijklmnopqrstuvwxyz0123456789{a="b"}');
    for (let len = 1; len <= text.length; len++) {
      const c = new RawSeriesCache();
      c.insert(text, 0, len, 7);
      // The key at another offset of another buffer, as the next scrape body has it.
      const copy = new Uint8Array(len + 3);
      copy.set(text.subarray(0, len), 3);
      c.nextIteration();
      assert.equal(c.lookup(copy, 3, 3 + len), 0, `len ${len}`);
      for (let p = 0; p < len; p++) {
        copy[3 + p]! ^= 0x20;
        c.nextIteration();
        assert.equal(c.lookup(copy, 3, 3 + len), -1, `len ${len}, byte ${p}`);
        copy[3 + p]! ^= 0x20;
      }
    }
  });
  it("finds byte ranges, tracks iterations and sweeps", () => {
    const c = new RawSeriesCache();
    const body = enc.encode(Array.from({ length: 3000 }, (_, i) => `metric_${i % 10}{instance="host-${i}"}`).join("\n"));
    const spans: [number, number][] = [];
    let s = 0;
    for (let i = 0; i <= body.length; i++) if (i === body.length || body[i] === 10) { spans.push([s, i]); s = i + 1; }
    for (const [a, b] of spans) assert.equal(c.lookup(body, a, b), -1);
    spans.forEach(([a, b], i) => c.insert(body, a, b, i * 3));
    assert.equal(c.size, 3000);
    c.nextIteration();
    spans.forEach(([a, b], i) => { if (i % 3 !== 0) { const e = c.lookup(body, a, b); assert.ok(e >= 0); assert.equal(c.value(e), i * 3); } });
    const gone: number[] = [];
    c.forEachDisappeared((_, v) => gone.push(v / 3));
    assert.equal(gone.length, 1000);
    assert.ok(gone.every((i) => i % 3 === 0));
    const dropped: number[] = [];
    assert.equal(c.sweep(1, (v) => dropped.push(v)), 1000);
    assert.equal(c.size, 2000);
    spans.forEach(([a, b], i) => assert.equal(c.lookup(body, a, b) >= 0, i % 3 !== 0));
    const e = c.lookup(body, spans[1]![0], spans[1]![1]);
    assert.equal(new TextDecoder().decode(c.key(e)), `metric_1{instance="host-1"}`);
  });
});
