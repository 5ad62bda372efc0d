// A native (sparse) histogram sample, as remote write's prompb.Histogram and the protobuf exposition
// format carry it: integer counts as deltas, or float counts as absolute values.
//
// Why hand-written: a plain reusable record (arrays are cleared, not reallocated) shared by the protobuf
// exposition parser and the remote-write encoder/decoder, so no generated message classes are needed.

export const ResetHint = { Unknown: 0, Yes: 1, No: 2, Gauge: 3 } as const;

export class NativeHistogram {
  /** Float histogram (counts are absolute floats) rather than integer (counts are deltas). */
  isFloat = false;
  count = 0;
  sum = 0;
  schema = 0;
  zeroThreshold = 0;
  zeroCount = 0;
  /** Flat [offset, length, offset, length, ...] spans. */
  negativeSpans: number[] = [];
  negativeDeltas: number[] = [];
  negativeCounts: number[] = [];
  positiveSpans: number[] = [];
  positiveDeltas: number[] = [];
  positiveCounts: number[] = [];
  resetHint: number = ResetHint.Unknown;
  /** Bucket bounds of custom-bucket histograms (schema -53). */
  customValues: number[] = [];

  reset(): this {
    this.isFloat = false;
    this.count = this.sum = this.schema = this.zeroThreshold = this.zeroCount = 0;
    this.negativeSpans.length = this.negativeDeltas.length = this.negativeCounts.length = 0;
    this.positiveSpans.length = this.positiveDeltas.length = this.positiveCounts.length = 0;
    this.resetHint = ResetHint.Unknown;
    this.customValues.length = 0;
    return this;
  }

  copyFrom(h: NativeHistogram): this {
    this.isFloat = h.isFloat;
    this.count = h.count;
    this.sum = h.sum;
    this.schema = h.schema;
    this.zeroThreshold = h.zeroThreshold;
    this.zeroCount = h.zeroCount;
    this.negativeSpans = h.negativeSpans.slice();
    this.negativeDeltas = h.negativeDeltas.slice();
    this.negativeCounts = h.negativeCounts.slice();
    this.positiveSpans = h.positiveSpans.slice();
    this.positiveDeltas = h.positiveDeltas.slice();
    this.positiveCounts = h.positiveCounts.slice();
    this.resetHint = h.resetHint;
    this.customValues = h.customValues.slice();
    return this;
  }
}
