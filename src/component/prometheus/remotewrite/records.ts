// WAL record payloads, as Prometheus's tsdb/record: series (1), samples (2), exemplars (4), histogram
// samples (7), float histogram samples (8), and their custom-bucket variants (9, 10). Series refs are
// the WAL's own refs; numbers are big-endian or (zigzag) varints exactly as record.go writes them.
//
// Why hand-written: records are written and read from typed columns without an object per sample, and
// staleness markers keep Prometheus's StaleNaN bits (0x7ff0000000000002): the bits are written and
// compared as two uint32 words, never through a JavaScript NaN (which may not keep its payload).

import { NativeHistogram } from "../../../wire/histogram.ts";
import type { SymbolTable } from "../../../wire/labels/symbols.ts";
import { ProtoReader } from "../../../wire/protobuf/reader.ts";
import { ProtoWriter, zigzag } from "../../../wire/protobuf/writer.ts";
import { STALE_NAN_HI, STALE_NAN_LO } from "../receiver.ts";

export const RECORD_SERIES = 1;
export const RECORD_SAMPLES = 2;
export const RECORD_EXEMPLARS = 4;
export const RECORD_HISTOGRAMS = 7;
export const RECORD_FLOAT_HISTOGRAMS = 8;
export const RECORD_CUSTOM_HISTOGRAMS = 9;
export const RECORD_CUSTOM_FLOAT_HISTOGRAMS = 10;

const CUSTOM_BUCKETS_SCHEMA = -53;
const TWO32 = 2 ** 32;
const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

/** A byte buffer with the record encoding primitives. */
export class RecordWriter extends ProtoWriter {
  /** A DataView of the buffer, made again when the buffer grows. */
  private view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);

  be32(n: number): void {
    this.ensure(4);
    const b = this.buf;
    b[this.pos++] = n >>> 24;
    b[this.pos++] = (n >>> 16) & 0xff;
    b[this.pos++] = (n >>> 8) & 0xff;
    b[this.pos++] = n & 0xff;
  }

  /** A big-endian 64-bit integer from a non-negative JS number (< 2^53) or a negative one (two's complement). */
  be64(n: number): void {
    let hi: number, lo: number;
    if (n >= 0) {
      hi = Math.floor(n / TWO32);
      lo = n % TWO32;
    } else {
      const m = -n;
      lo = (~(m % TWO32) + 1) >>> 0;
      hi = (~Math.floor(m / TWO32) + (lo === 0 ? 1 : 0)) >>> 0;
    }
    this.be32(hi >>> 0);
    this.be32(lo >>> 0);
  }

  /** A DataView of the current buffer (valid until the buffer grows). */
  dataView(): DataView {
    if (this.view.buffer !== this.buf.buffer) this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    return this.view;
  }

  beFloat(v: number): void {
    this.ensure(8);
    this.dataView().setFloat64(this.pos, v);
    this.pos += 8;
  }

  staleNaN(): void {
    this.be32(STALE_NAN_HI);
    this.be32(STALE_NAN_LO);
  }

  /** Go's binary.PutVarint (zigzag). */
  svarint(n: number): void {
    this.varint(zigzag(n));
  }

  bytesField(b: Uint8Array): void {
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  str(s: string): void {
    this.bytesField(utf8.encode(s));
  }
}

/** Reads records. */
export class RecordReader {
  readonly r: ProtoReader;
  private readonly view: DataView;

  constructor(readonly buf: Uint8Array) {
    this.r = new ProtoReader(buf);
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean {
    return this.r.pos >= this.r.end;
  }

  byte(): number {
    if (this.r.pos >= this.r.end) throw new Error("record: truncated");
    return this.buf[this.r.pos++]!;
  }

  be64(): number {
    const p = this.r.pos;
    if (p + 8 > this.r.end) throw new Error("record: truncated");
    this.r.pos += 8;
    const hi = this.view.getUint32(p);
    const lo = this.view.getUint32(p + 4);
    if (hi >= 0x80000000) return -((~hi >>> 0) * TWO32 + ((~lo >>> 0) + 1));
    return hi * TWO32 + lo;
  }

  /** A big-endian float64, or NaN with `staleFlag` set when its bits are StaleNaN. */
  beFloat(): number {
    const p = this.r.pos;
    if (p + 8 > this.r.end) throw new Error("record: truncated");
    this.r.pos += 8;
    const hi = this.view.getUint32(p);
    if (hi === STALE_NAN_HI && this.view.getUint32(p + 4) === STALE_NAN_LO) {
      this.stale = true;
      return NaN;
    }
    this.stale = false;
    return this.view.getFloat64(p);
  }

  stale = false;

  svarint(): number {
    const u = this.r.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  uvarint(): number {
    return this.r.uvarint();
  }

  str(): string {
    const n = this.r.uvarint();
    const p = this.r.pos;
    if (p + n > this.r.end) throw new Error("record: truncated string");
    this.r.pos += n;
    return utf8d.decode(this.buf.subarray(p, p + n));
  }
}

export function recordType(rec: Uint8Array): number {
  return rec.length > 0 ? rec[0]! : 255;
}

/** A series record entry: WAL ref and flat sorted labels. */
export interface SeriesEntry {
  ref: number;
  labels: string[];
}

/** Series record from symbol ids (names, values) of the global table. */
export function encodeSeries(
  w: RecordWriter,
  entries: ArrayLike<number>, // [walRef, globalRef, ...]
  labelsOf: (globalRef: number) => { count: number; nameId(i: number): number; valueId(i: number): number },
  symbols: SymbolTable,
): Uint8Array {
  w.reset();
  w.byte(RECORD_SERIES);
  for (let k = 0; k + 1 < entries.length; k += 2) {
    w.be64(entries[k]!);
    const l = labelsOf(entries[k + 1]!);
    w.varint(l.count);
    for (let i = 0; i < l.count; i++) {
      w.bytesField(symbols.utf8(l.nameId(i)));
      w.bytesField(symbols.utf8(l.valueId(i)));
    }
  }
  return w.bytes().slice();
}

export function decodeSeries(rec: Uint8Array, out: SeriesEntry[]): void {
  const r = new RecordReader(rec);
  if (r.byte() !== RECORD_SERIES) throw new Error("invalid record type");
  while (!r.done) {
    const ref = r.be64();
    const n = r.uvarint();
    const labels: string[] = [];
    for (let i = 0; i < n; i++) labels.push(r.str(), r.str());
    out.push({ ref, labels });
  }
}

/** Decoded samples in columns (reused). */
export class SampleColumns {
  refs = new Int32Array(1024);
  ts = new Float64Array(1024);
  values = new Float64Array(1024);
  stale = new Uint8Array(1024);
  length = 0;

  reset(): this {
    this.length = 0;
    return this;
  }

  push(ref: number, t: number, v: number, stale: boolean): void {
    const i = this.length;
    if (i === this.refs.length) this.grow();
    this.refs[i] = ref;
    this.ts[i] = t;
    this.values[i] = v;
    this.stale[i] = stale ? 1 : 0;
    this.length = i + 1;
  }

  private grow(): void {
    const n = this.refs.length * 2;
    const g = <T extends Int32Array | Float64Array | Uint8Array>(a: T, b: T): T => (b.set(a), b);
    this.refs = g(this.refs, new Int32Array(n));
    this.ts = g(this.ts, new Float64Array(n));
    this.values = g(this.values, new Float64Array(n));
    this.stale = g(this.stale, new Uint8Array(n));
  }
}

/** Samples record: first ref and time, then per sample varint deltas and the value's bits. */
export function encodeSamples(
  w: RecordWriter,
  refs: ArrayLike<number>,
  ts: ArrayLike<number>,
  values: ArrayLike<number>,
  isStale: (i: number) => boolean,
  from: number,
  to: number,
): Uint8Array {
  w.reset();
  w.byte(RECORD_SAMPLES);
  if (to > from) {
    const ref0 = refs[from]!;
    const t0 = ts[from]!;
    w.be64(ref0);
    w.be64(t0);
    // A sample takes at most 10 + 10 + 8 bytes: the buffer grows once, not in the loop, and values
    // are written through one DataView (a double passed to a call V8 does not inline is boxed).
    w.ensure((to - from) * 28);
    const view = w.dataView();
    for (let i = from; i < to; i++) {
      w.svarint(refs[i]! - ref0);
      w.svarint(ts[i]! - t0);
      if (isStale(i)) w.staleNaN();
      else {
        view.setFloat64(w.pos, values[i]!);
        w.pos += 8;
      }
    }
  }
  return w.bytes().slice();
}

export function decodeSamples(rec: Uint8Array, out: SampleColumns): void {
  const r = new RecordReader(rec);
  if (r.byte() !== RECORD_SAMPLES) throw new Error("invalid record type");
  if (r.done) return;
  const ref0 = r.be64();
  const t0 = r.be64();
  while (!r.done) {
    const ref = ref0 + r.svarint();
    const t = t0 + r.svarint();
    const v = r.beFloat();
    out.push(ref, t, v, r.stale);
  }
}

export interface ExemplarEntry {
  ref: number;
  ts: number;
  value: number;
  labels: readonly string[];
}

export function encodeExemplars(w: RecordWriter, exemplars: readonly ExemplarEntry[]): Uint8Array {
  w.reset();
  w.byte(RECORD_EXEMPLARS);
  if (exemplars.length > 0) {
    const first = exemplars[0]!;
    w.be64(first.ref);
    w.be64(first.ts);
    for (const e of exemplars) {
      w.svarint(e.ref - first.ref);
      w.svarint(e.ts - first.ts);
      w.beFloat(e.value);
      w.varint(e.labels.length / 2);
      for (const s of e.labels) w.str(s);
    }
  }
  return w.bytes().slice();
}

export function decodeExemplars(rec: Uint8Array, out: ExemplarEntry[]): void {
  const r = new RecordReader(rec);
  if (r.byte() !== RECORD_EXEMPLARS) throw new Error("invalid record type");
  if (r.done) return;
  const ref0 = r.be64();
  const t0 = r.be64();
  while (!r.done) {
    const ref = ref0 + r.svarint();
    const ts = t0 + r.svarint();
    const value = r.beFloat();
    const n = r.uvarint();
    const labels: string[] = [];
    for (let i = 0; i < n; i++) labels.push(r.str(), r.str());
    out.push({ ref, ts, value, labels });
  }
}

export interface HistogramEntry {
  ref: number;
  ts: number;
  histogram: NativeHistogram;
}

/** Histogram records of one kind (integer or float), custom-bucket ones in their own record type. */
export function encodeHistograms(w: RecordWriter, hs: readonly HistogramEntry[], float: boolean, custom: boolean): Uint8Array {
  w.reset();
  w.byte(float ? (custom ? RECORD_CUSTOM_FLOAT_HISTOGRAMS : RECORD_FLOAT_HISTOGRAMS) : custom ? RECORD_CUSTOM_HISTOGRAMS : RECORD_HISTOGRAMS);
  if (hs.length > 0) {
    const first = hs[0]!;
    w.be64(first.ref);
    w.be64(first.ts);
    for (const e of hs) {
      w.svarint(e.ref - first.ref);
      w.svarint(e.ts - first.ts);
      encodeHistogram(w, e.histogram, float);
    }
  }
  return w.bytes().slice();
}

function encodeHistogram(w: RecordWriter, h: NativeHistogram, float: boolean): void {
  w.byte(h.resetHint);
  w.svarint(h.schema);
  w.beFloat(h.zeroThreshold);
  if (float) {
    w.beFloat(h.zeroCount);
    w.beFloat(h.count);
  } else {
    w.varint(h.zeroCount);
    w.varint(h.count);
  }
  w.beFloat(h.sum);
  const spans = (s: readonly number[]) => {
    w.varint(s.length / 2);
    for (let k = 0; k + 1 < s.length; k += 2) {
      w.svarint(s[k]!);
      w.varint(s[k + 1]!);
    }
  };
  spans(h.positiveSpans);
  spans(h.negativeSpans);
  if (float) {
    w.varint(h.positiveCounts.length);
    for (const c of h.positiveCounts) w.beFloat(c);
    w.varint(h.negativeCounts.length);
    for (const c of h.negativeCounts) w.beFloat(c);
  } else {
    w.varint(h.positiveDeltas.length);
    for (const d of h.positiveDeltas) w.svarint(d);
    w.varint(h.negativeDeltas.length);
    for (const d of h.negativeDeltas) w.svarint(d);
  }
  if (h.schema === CUSTOM_BUCKETS_SCHEMA) {
    w.varint(h.customValues.length);
    for (const v of h.customValues) w.beFloat(v);
  }
}

export function decodeHistograms(rec: Uint8Array, out: HistogramEntry[]): void {
  const r = new RecordReader(rec);
  const type = r.byte();
  const float = type === RECORD_FLOAT_HISTOGRAMS || type === RECORD_CUSTOM_FLOAT_HISTOGRAMS;
  if (r.done) return;
  const ref0 = r.be64();
  const t0 = r.be64();
  while (!r.done) {
    const ref = ref0 + r.svarint();
    const ts = t0 + r.svarint();
    const h = new NativeHistogram();
    h.isFloat = float;
    h.resetHint = r.byte();
    h.schema = r.svarint();
    h.zeroThreshold = r.beFloat();
    if (float) {
      h.zeroCount = r.beFloat();
      h.count = r.beFloat();
    } else {
      h.zeroCount = r.uvarint();
      h.count = r.uvarint();
    }
    h.sum = r.beFloat();
    for (const spans of [h.positiveSpans, h.negativeSpans]) {
      const n = r.uvarint();
      for (let k = 0; k < n; k++) spans.push(r.svarint(), r.uvarint());
    }
    if (float) {
      for (const counts of [h.positiveCounts, h.negativeCounts]) {
        const n = r.uvarint();
        for (let k = 0; k < n; k++) counts.push(r.beFloat());
      }
    } else {
      for (const deltas of [h.positiveDeltas, h.negativeDeltas]) {
        const n = r.uvarint();
        for (let k = 0; k < n; k++) deltas.push(r.svarint());
      }
    }
    if (h.schema === CUSTOM_BUCKETS_SCHEMA) {
      const n = r.uvarint();
      for (let k = 0; k < n; k++) h.customValues.push(r.beFloat());
    }
    out.push({ ref, ts, histogram: h });
  }
}

export function isCustomBuckets(h: NativeHistogram): boolean {
  return h.schema === CUSTOM_BUCKETS_SCHEMA;
}
