// Lowering the resolution of an exponential native histogram (Prometheus's Histogram.ReduceResolution):
// receivers take schemas up to 52 on the wire but store at most schema 8, merging 2^(from-8)
// neighbouring buckets into one.
import type { NativeHistogram } from "./histogram.ts";

/** The largest exponential schema Prometheus stores, and the reserved range it accepts on the wire. */
export const EXPONENTIAL_SCHEMA_MAX = 8;
export const EXPONENTIAL_SCHEMA_MIN_RESERVED = -9;
export const EXPONENTIAL_SCHEMA_MAX_RESERVED = 52;

/** A histogram whose spans and buckets do not fit together (Prometheus's histogram.Error). */
export class HistogramError extends Error {
  override name = "HistogramError";
}

/** Whether `schema` is in the exponential range Prometheus reserves (it reduces those above 8). */
export function isExponentialSchemaReserved(schema: number): boolean {
  return schema >= EXPONENTIAL_SCHEMA_MIN_RESERVED && schema <= EXPONENTIAL_SCHEMA_MAX_RESERVED;
}

/**
 * Reduces `h` in place to `targetSchema` (below its own). Integer histograms keep their buckets as
 * deltas, float histograms as absolute counts. Throws HistogramError when spans and buckets disagree.
 */
export function reduceResolution(h: NativeHistogram, targetSchema: number): void {
  if (targetSchema >= h.schema) throw new Error(`cannot reduce resolution from schema ${h.schema} to ${targetSchema}`);
  const shift = h.schema - targetSchema;
  if (h.isFloat) {
    [h.positiveSpans, h.positiveCounts] = reduceSide(h.positiveSpans, h.positiveCounts, shift, false);
    [h.negativeSpans, h.negativeCounts] = reduceSide(h.negativeSpans, h.negativeCounts, shift, false);
  } else {
    [h.positiveSpans, h.positiveDeltas] = reduceSide(h.positiveSpans, h.positiveDeltas, shift, true);
    [h.negativeSpans, h.negativeDeltas] = reduceSide(h.negativeSpans, h.negativeDeltas, shift, true);
  }
  h.schema = targetSchema;
}

/** Bucket index `idx` of the origin schema in a schema `shift` steps coarser (bucket 1 holds (1, base]). */
function targetIndex(idx: number, shift: number): number {
  return Math.floor((idx - 1) / 2 ** shift) + 1;
}

/** One side's flat [offset, length, ...] spans and buckets, merged into the coarser schema. */
function reduceSide(spans: number[], buckets: number[], shift: number, deltas: boolean): [number[], number[]] {
  const outSpans: number[] = [];
  const outBuckets: number[] = [];
  let idx = 0; // bucket index in the origin schema
  let k = 0; // position in `buckets`
  let lastTarget = 0;
  let absolute = 0; // running absolute count of the origin bucket (delta encoding)
  let lastTargetAbsolute = 0; // absolute count of the last target bucket (delta encoding)
  for (let s = 0; s < spans.length; s += 2) {
    const offset = spans[s]!;
    const length = spans[s + 1]!;
    if (s > 0 && offset < 0) throw new HistogramError(`span number ${s / 2 + 1} with offset ${offset}: histogram has a span whose offset is negative`);
    idx += offset;
    for (let j = 0; j < length; j++, idx++, k++) {
      if (k >= buckets.length) {
        throw new HistogramError(`have ${buckets.length} buckets but spans need more: histogram spans specify different number of buckets than provided`);
      }
      const target = targetIndex(idx, shift);
      const value = buckets[k]!;
      if (deltas) absolute += value;
      if (outSpans.length === 0) {
        outSpans.push(target, 1);
        outBuckets.push(value);
        lastTargetAbsolute = absolute;
      } else if (target === lastTarget) {
        // Merged into the last target bucket: its count grows by this bucket's count.
        outBuckets[outBuckets.length - 1]! += deltas ? absolute : value;
        if (deltas) lastTargetAbsolute += absolute;
      } else {
        if (target === lastTarget + 1) outSpans[outSpans.length - 1]!++;
        else outSpans.push(target - lastTarget - 1, 1);
        if (deltas) {
          outBuckets.push(absolute - lastTargetAbsolute);
          lastTargetAbsolute = absolute;
        } else {
          outBuckets.push(value);
        }
      }
      lastTarget = target;
    }
  }
  if (k !== buckets.length) {
    throw new HistogramError(`spans need ${k} buckets, have ${buckets.length} buckets: histogram spans specify different number of buckets than provided`);
  }
  return [outSpans, outBuckets];
}
