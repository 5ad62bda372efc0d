// Prometheus remote write 1.0: prometheus.WriteRequest encoded straight from columns of samples.
//
// Why hand-written: a generic protobuf encoder measured 40-50 MiB/s here and needs a message object per
// sample. This encoder keeps the encoded `repeated Label` bytes of every series (external labels merged)
// in an arena indexed by series ref, so a TimeSeries costs one copy of those bytes plus a few varints and
// an 8-byte double, written into one reusable buffer. Field numbers are from prompb/types.proto and
// remote.proto; zero-valued scalars are omitted as gogo-protobuf does. Consecutive samples of the same
// series become one TimeSeries; NaN is written as Prometheus's NormalNaN, stale markers as StaleNaN.

import { compareStrings } from "../labels/compare.ts";
import type { SeriesTable } from "../labels/series.ts";
import type { NativeHistogram } from "../histogram.ts";
import { ProtoWriter, varintSize, zigzag } from "../protobuf/writer.ts";

/** Prometheus's value.StaleNaN (0x7ff0000000000002) and value.NormalNaN (0x7ff8000000000001). */
export const STALE_NAN = { hi: 0x7ff00000, lo: 0x00000002 } as const;
export const NORMAL_NAN = { hi: 0x7ff80000, lo: 0x00000001 } as const;

/** Samples in columns. `stale[i] === 1` marks a staleness marker (its value is ignored). */
export interface SampleColumns {
  length: number;
  refs: ArrayLike<number>;
  timestamps: ArrayLike<number>;
  values: ArrayLike<number>;
  stale?: ArrayLike<number>;
}

/** An exemplar of sample `sample` (index into the sample columns). Labels are flat [name, value, ...]. */
export interface ExemplarRecord {
  sample: number;
  labels: readonly string[];
  value: number;
  timestamp: number;
}

export interface HistogramRecord {
  ref: number;
  timestamp: number;
  histogram: NativeHistogram;
}

/** prompb.MetricMetadata.MetricType numbers. */
export const METRIC_TYPE_NUMBER: Record<string, number> = {
  unknown: 0, counter: 1, gauge: 2, histogram: 3, gaugehistogram: 4, summary: 5, info: 6, stateset: 7,
};

export interface MetadataRecord {
  type: string;
  family: string;
  help: string;
  unit: string;
}

export interface WriteBatch {
  samples?: SampleColumns;
  /** Sorted by `sample`. */
  exemplars?: readonly ExemplarRecord[];
  histograms?: readonly HistogramRecord[];
  metadata?: readonly MetadataRecord[];
}

export interface EncoderOptions {
  /** Added to every series that has no label of the same name (Prometheus's external_labels). */
  externalLabels?: Record<string, string>;
}

const utf8 = new TextEncoder();

export class WriteRequestEncoder {
  private readonly w = new ProtoWriter(0);
  private readonly scratch = new ProtoWriter(1024);
  // One ArrayBuffer holds the request being written (the writer's buffer is a view of its front,
  // [0, outCap)) and the label arena (the rest): a series' label bytes go into the request with
  // copyWithin, a native copy that allocates nothing. buf.set(arena.subarray(…)) cost a view object
  // per series (40% of what a Node agent allocated on the pipeline), a DataView copy loop a quarter of
  // the time Node spent encoding.
  private mem = new Uint8Array(0);
  private outCap = 0;
  private arena = new Uint8Array(0);
  private arenaLen = 0;
  private cacheOff = new Int32Array(1024).fill(-1);
  private cacheLen = new Int32Array(1024);
  private readonly external: [string, string][];

  constructor(readonly series: SeriesTable, options: EncoderOptions = {}) {
    this.external = Object.entries(options.externalLabels ?? {}).sort((a, b) => compareStrings(a[0], b[0]));
    this.layout(256 * 1024, 256 * 1024);
  }

  /**
   * Lays the request and the arena out in a new buffer of the given capacities, keeping what the
   * writer has written (its buffer may have grown apart from the shared one) and the arena's bytes.
   */
  private layout(outCap: number, arenaCap: number): void {
    const w = this.w;
    const mem = new Uint8Array(outCap + arenaCap);
    mem.set(w.buf.subarray(0, w.pos));
    mem.set(this.arena.subarray(0, this.arenaLen), outCap);
    this.mem = mem;
    this.outCap = outCap;
    this.arena = mem.subarray(outCap);
    w.buf = mem.subarray(0, outCap);
  }

  /** Room for n more bytes in the request, in the shared buffer. */
  private room(n: number): void {
    const w = this.w;
    if (w.buf.buffer === this.mem.buffer && w.pos + n <= this.outCap) return;
    this.layout(Math.max(this.outCap * 2, w.buf.length, w.pos + n), this.arena.length);
  }

  /** Drops the cached label bytes of a series (call when its ref is deleted). */
  forget(ref: number): void {
    if (ref < this.cacheOff.length) this.cacheOff[ref] = -1;
  }

  /** Drops all cached label bytes (after external labels or relabelling change). */
  clearCache(): void {
    this.cacheOff.fill(-1);
    this.arenaLen = 0;
  }

  /**
   * Encodes one WriteRequest. Returns a view of the encoder's buffer, valid until the next call
   * (compress or copy it before then).
   */
  encode(batch: WriteBatch): Uint8Array {
    const w = this.w.reset();
    const s = batch.samples;
    const exemplars = batch.exemplars ?? [];
    let ex = 0;
    if (s !== undefined) {
      const { refs, timestamps, values, stale } = s;
      let i = 0;
      while (i < s.length) {
        const ref = refs[i]!;
        let j = i + 1;
        while (j < s.length && refs[j] === ref) j++;
        const labelsOff = this.labelOffset(ref);
        const labelsLen = this.cacheLen[ref]!;
        let size = labelsLen + samplesSize(values, timestamps, stale, i, j);
        const exStart = ex;
        while (ex < exemplars.length && exemplars[ex]!.sample < j) {
          if (exemplars[ex]!.sample >= i) size += this.exemplarSize(exemplars[ex]!);
          ex++;
        }
        this.room(11 + size);
        w.buf[w.pos++] = 0x0a; // WriteRequest.timeseries
        w.varint(size);
        const from = this.outCap + labelsOff;
        this.mem.copyWithin(w.pos, from, from + labelsLen);
        w.pos += labelsLen;
        writeSamples(w, values, timestamps, stale, i, j);
        for (let e = exStart; e < ex; e++) if (exemplars[e]!.sample >= i) this.writeExemplar(exemplars[e]!);
        i = j;
      }
    }
    for (const h of batch.histograms ?? []) {
      w.byte(0x0a);
      const mark = w.begin();
      w.raw(this.labelBytes(h.ref));
      w.byte(0x22); // TimeSeries.histograms
      const hm = w.begin();
      writeHistogram(w, h.histogram, h.timestamp);
      w.end(hm);
      w.end(mark);
    }
    for (const m of batch.metadata ?? []) {
      w.byte(0x1a); // WriteRequest.metadata
      const mark = w.begin();
      const type = METRIC_TYPE_NUMBER[m.type] ?? 0;
      if (type !== 0) {
        w.byte(0x08);
        w.varint(type);
      }
      writeString(w, 2, m.family);
      writeString(w, 4, m.help);
      writeString(w, 5, m.unit);
      w.end(mark);
    }
    return w.bytes();
  }

  /** The encoded `repeated Label labels = 1` of a series, cached by ref. */
  labelBytes(ref: number): Uint8Array {
    const off = this.labelOffset(ref);
    return this.arena.subarray(off, off + this.cacheLen[ref]!);
  }

  /** Where the label bytes of a series start in the arena (cacheLen[ref] long), encoding them when new. */
  private labelOffset(ref: number): number {
    if (ref < this.cacheOff.length) {
      const off = this.cacheOff[ref]!;
      if (off >= 0) return off;
    } else {
      let n = this.cacheOff.length;
      while (n <= ref) n *= 2;
      const off = new Int32Array(n).fill(-1);
      off.set(this.cacheOff);
      const len = new Int32Array(n);
      len.set(this.cacheLen);
      this.cacheOff = off;
      this.cacheLen = len;
    }
    const sw = this.scratch.reset();
    const t = this.series;
    const sym = t.symbols;
    const n = t.count(ref);
    const ext = this.external;
    let e = 0;
    for (let i = 0; i <= n; i++) {
      // Merge external labels (sorted) in front of series labels that sort after them.
      const name = i < n ? t.name(ref, i) : undefined;
      while (e < ext.length && (name === undefined || compareStrings(ext[e]![0], name) < 0)) {
        writeLabel(sw, utf8.encode(ext[e]![0]), utf8.encode(ext[e]![1]));
        e++;
      }
      if (name === undefined) break;
      if (e < ext.length && ext[e]![0] === name) e++; // the series' own label wins
      writeLabel(sw, sym.utf8(t.nameId(ref, i)), sym.utf8(t.valueId(ref, i)));
    }
    const bytes = sw.bytes();
    if (this.arenaLen + bytes.length > this.arena.length) {
      this.layout(Math.max(this.outCap, this.w.buf.length), Math.max(this.arena.length * 2, this.arenaLen + bytes.length));
    }
    const off = this.arenaLen;
    this.arena.set(bytes, off);
    this.arenaLen += bytes.length;
    this.cacheOff[ref] = off;
    this.cacheLen[ref] = bytes.length;
    return off;
  }

  private exemplarBody(e: ExemplarRecord): Uint8Array {
    const sw = this.scratch.reset();
    for (let k = 0; k + 1 < e.labels.length; k += 2) writeLabel(sw, utf8.encode(e.labels[k]!), utf8.encode(e.labels[k + 1]!));
    if (e.value !== 0) {
      sw.byte(0x11);
      if (e.value !== e.value) sw.doubleBits(NORMAL_NAN.hi, NORMAL_NAN.lo);
      else sw.double(e.value);
    }
    if (e.timestamp !== 0) {
      sw.byte(0x18);
      sw.varint(e.timestamp);
    }
    return sw.bytes();
  }

  private exemplarSize(e: ExemplarRecord): number {
    const n = this.exemplarBody(e).length;
    return 1 + varintSize(n) + n;
  }

  private writeExemplar(e: ExemplarRecord): void {
    const body = this.exemplarBody(e);
    this.w.byte(0x1a); // TimeSeries.exemplars
    this.w.lenBytes(body);
  }
}

// samplesSize and writeSamples take the columns and indexes rather than the numbers: a double passed
// to a function V8 does not inline is boxed (16 bytes on Node), and encode() is too big for V8 to
// inline all its calls; in one piece it allocated 48 bytes per sample.

/** Bytes of the Sample messages (tag and length included) of samples [i, j). */
function samplesSize(values: ArrayLike<number>, timestamps: ArrayLike<number>, stale: ArrayLike<number> | undefined, i: number, j: number): number {
  let size = 0;
  for (let k = i; k < j; k++) {
    const body = sampleBodySize(values[k]!, timestamps[k]!, stale !== undefined && stale[k] === 1);
    size += 1 + varintSize(body) + body;
  }
  return size;
}

/** The Sample messages of samples [i, j) (the writer has room for them). */
function writeSamples(w: ProtoWriter, values: ArrayLike<number>, timestamps: ArrayLike<number>, stale: ArrayLike<number> | undefined, i: number, j: number): void {
  for (let k = i; k < j; k++) {
    const v = values[k]!;
    const t = timestamps[k]!;
    const isStale = stale !== undefined && stale[k] === 1;
    w.buf[w.pos++] = 0x12; // TimeSeries.samples
    // A Sample is at most 20 bytes: its length is one byte, filled in once it is written.
    const lengthAt = w.pos++;
    if (isStale) {
      w.buf[w.pos++] = 0x09;
      w.doubleBits(STALE_NAN.hi, STALE_NAN.lo);
    } else if (v !== v) {
      w.buf[w.pos++] = 0x09;
      w.doubleBits(NORMAL_NAN.hi, NORMAL_NAN.lo);
    } else if (v !== 0) {
      w.buf[w.pos++] = 0x09;
      w.double(v);
    }
    if (t !== 0) {
      w.buf[w.pos++] = 0x10;
      w.varint(t);
    }
    w.buf[lengthAt] = w.pos - lengthAt - 1;
  }
}

function sampleBodySize(v: number, t: number, stale: boolean): number {
  return (stale || v !== 0 ? 9 : 0) + (t !== 0 ? 1 + varintSize(t) : 0);
}

function writeLabel(w: ProtoWriter, name: Uint8Array, value: Uint8Array): void {
  const body = (name.length > 0 ? 1 + varintSize(name.length) + name.length : 0) +
    (value.length > 0 ? 1 + varintSize(value.length) + value.length : 0);
  w.byte(0x0a);
  w.varint(body);
  if (name.length > 0) {
    w.byte(0x0a);
    w.lenBytes(name);
  }
  if (value.length > 0) {
    w.byte(0x12);
    w.lenBytes(value);
  }
}

function writeString(w: ProtoWriter, field: number, s: string): void {
  if (s === "") return;
  w.varint((field << 3) | 2);
  w.lenBytes(utf8.encode(s));
}

function writePackedSint(w: ProtoWriter, field: number, xs: readonly number[], sint32: boolean): void {
  if (xs.length === 0) return;
  w.varint((field << 3) | 2);
  const mark = w.begin();
  for (const x of xs) w.varint(sint32 ? zigzag32(x) : zigzag(x));
  w.end(mark);
}

function writePackedDouble(w: ProtoWriter, field: number, xs: readonly number[]): void {
  if (xs.length === 0) return;
  w.varint((field << 3) | 2);
  w.varint(xs.length * 8);
  for (const x of xs) w.double(x);
}

function zigzag32(n: number): number {
  return ((n << 1) ^ (n >> 31)) >>> 0;
}

function writeSpans(w: ProtoWriter, field: number, spans: readonly number[]): void {
  for (let k = 0; k + 1 < spans.length; k += 2) {
    w.varint((field << 3) | 2);
    const mark = w.begin();
    if (spans[k] !== 0) {
      w.byte(0x08);
      w.varint(zigzag32(spans[k]!));
    }
    if (spans[k + 1] !== 0) {
      w.byte(0x10);
      w.varint(spans[k + 1]!);
    }
    w.end(mark);
  }
}

/** prompb.Histogram fields. */
export function writeHistogram(w: ProtoWriter, h: NativeHistogram, timestamp: number): void {
  if (h.isFloat) {
    w.byte(0x11); // count_float (oneof: written even when zero)
    w.double(h.count);
  } else {
    w.byte(0x08); // count_int
    w.varint(h.count);
  }
  if (h.sum !== 0) {
    w.byte(0x19);
    w.double(h.sum);
  }
  if (h.schema !== 0) {
    w.byte(0x20);
    w.varint(zigzag32(h.schema));
  }
  if (h.zeroThreshold !== 0) {
    w.byte(0x29);
    w.double(h.zeroThreshold);
  }
  if (h.isFloat) {
    w.byte(0x39); // zero_count_float
    w.double(h.zeroCount);
  } else {
    w.byte(0x30); // zero_count_int
    w.varint(h.zeroCount);
  }
  writeSpans(w, 8, h.negativeSpans);
  writePackedSint(w, 9, h.negativeDeltas, false);
  writePackedDouble(w, 10, h.negativeCounts);
  writeSpans(w, 11, h.positiveSpans);
  writePackedSint(w, 12, h.positiveDeltas, false);
  writePackedDouble(w, 13, h.positiveCounts);
  if (h.resetHint !== 0) {
    w.byte(0x70);
    w.varint(h.resetHint);
  }
  if (timestamp !== 0) {
    w.byte(0x78);
    w.varint(timestamp);
  }
  writePackedDouble(w, 16, h.customValues);
}
