// Reducing native histogram resolution as Prometheus's Histogram.ReduceResolution does: buckets merge
// 2^(from-to) at a time (bucket i of the finer schema lands in ((i-1) >> shift) + 1), integer buckets
// stay deltas, float buckets stay absolute, and spans that do not match the buckets are errors.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { NativeHistogram } from "../../src/wire/histogram.ts";
import { HistogramError, isExponentialSchemaReserved, reduceResolution } from "../../src/wire/histogram-resolution.ts";

function hist(schema: number, spans: number[], buckets: number[], float = false): NativeHistogram {
  const h = new NativeHistogram();
  h.schema = schema;
  h.isFloat = float;
  h.positiveSpans = spans;
  if (float) h.positiveCounts = buckets;
  else h.positiveDeltas = buckets;
  return h;
}

/** Absolute counts by bucket index of one side, for comparing before and after. */
function absoluteByIndex(spans: number[], buckets: number[], deltas: boolean): Map<number, number> {
  const out = new Map<number, number>();
  let idx = 0, k = 0, abs = 0;
  for (let s = 0; s < spans.length; s += 2) {
    idx += spans[s]!;
    for (let j = 0; j < spans[s + 1]!; j++, idx++, k++) {
      abs = deltas ? abs + buckets[k]! : buckets[k]!;
      out.set(idx, abs);
    }
  }
  return out;
}

describe("native histogram resolution", () => {
  it("knows Prometheus's reserved exponential schemas", () => {
    assert.deepEqual([-10, -9, 8, 9, 52, 53, -53].map(isExponentialSchemaReserved), [false, true, true, true, true, false, false]);
  });

  it("merges integer buckets and keeps them as deltas", () => {
    const h = hist(10, [3, 3], [1, 2, 3]); // absolute 1, 3, 6 at 3, 4, 5
    h.negativeSpans = [-2, 2];
    h.negativeDeltas = [5, -4]; // absolute 5, 1 at -2, -1
    reduceResolution(h, 8);
    assert.equal(h.schema, 8);
    assert.deepEqual([h.positiveSpans, h.positiveDeltas], [[1, 2], [4, 2]]);
    assert.deepEqual([h.negativeSpans, h.negativeDeltas], [[0, 1], [6]]);
  });

  it("merges float buckets as absolute counts", () => {
    const h = hist(10, [3, 3], [1, 3, 6], true);
    reduceResolution(h, 8);
    assert.deepEqual([h.positiveSpans, h.positiveCounts], [[1, 2], [4, 6]]);
  });

  it("keeps gaps as spans and handles negative bucket indexes", () => {
    const h = hist(2, [0, 1, 5, 1], [4, 3]); // absolute 4 at 0, 7 at 6
    reduceResolution(h, 0);
    assert.deepEqual([h.positiveSpans, h.positiveDeltas], [[0, 1, 1, 1], [4, 3]]);
    const neg = hist(3, [-5, 2], [1, 1]); // -5 and -4
    reduceResolution(neg, 2);
    assert.deepEqual([neg.positiveSpans, neg.positiveDeltas], [[-2, 1], [3]]);
  });

  it("preserves the total count and each coarse bucket's sum on random histograms", () => {
    let seed = 12345;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    for (let round = 0; round < 200; round++) {
      const spans: number[] = [];
      const absolute: number[] = [];
      for (let s = 0, n = 1 + rand(4); s < n; s++) {
        spans.push(s === 0 ? rand(40) - 20 : rand(5), 1 + rand(6));
        for (let j = 0; j < spans[spans.length - 1]!; j++) absolute.push(rand(100));
      }
      const deltas = absolute.map((a, i) => a - (i > 0 ? absolute[i - 1]! : 0));
      const from = 5 + rand(4);
      const to = rand(from);
      const h = hist(from, spans.slice(), deltas);
      const before = absoluteByIndex(spans, deltas, true);
      reduceResolution(h, to);
      const after = absoluteByIndex(h.positiveSpans, h.positiveDeltas, true);
      const expected = new Map<number, number>();
      for (const [idx, count] of before) {
        const target = Math.floor((idx - 1) / 2 ** (from - to)) + 1;
        expected.set(target, (expected.get(target) ?? 0) + count);
      }
      assert.deepEqual([...after].sort((a, b) => a[0] - b[0]), [...expected].sort((a, b) => a[0] - b[0]), `round ${round}`);
    }
  });

  it("refuses spans that do not fit the buckets, with Prometheus's messages", () => {
    assert.throws(() => reduceResolution(hist(9, [0, 3], [1, 1]), 8), (e: unknown) => e instanceof HistogramError && /have 2 buckets but spans need more/.test(e.message));
    assert.throws(() => reduceResolution(hist(9, [0, 1], [1, 1]), 8), (e: unknown) => e instanceof HistogramError && /spans need 1 buckets, have 2 buckets/.test(e.message));
    assert.throws(() => reduceResolution(hist(9, [0, 1, -1, 1], [1, 1]), 8), (e: unknown) => e instanceof HistogramError && /span number 2 with offset -1/.test(e.message));
  });
});
