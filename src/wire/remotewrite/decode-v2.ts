// Decoding of io.prometheus.write.v2.Request (remote write 2.0), for prometheus.receive_http.
//
// A v2 request names every string once in a symbols table; series, exemplars and metadata refer to
// it by index. The reader decodes the table first (the fields may come in any order on the wire),
// then hands each TimeSeries to the caller whole, in scratch structures reused from series to series,
// with Prometheus's own messages for references outside the table.
//
// Why hand-written: as for v1 (decode.ts), the receiver wants labels in a scratch builder and samples
// as numbers, and stale markers told apart by their NaN bits.

import { LabelsBuilder } from "../labels/builder.ts";
import { decodeString } from "../exposition/common.ts";
import type { MetricType } from "../exposition/common.ts";
import { NativeHistogram } from "../histogram.ts";
import { ProtoReader } from "../protobuf/reader.ts";
import { isValidUtf8, readHistogram } from "./decode.ts";
import { STALE_NAN } from "./encode.ts";

/** io.prometheus.write.v2.Metadata.MetricType as Prometheus's model.MetricType names it. */
const V2_METRIC_TYPES: readonly MetricType[] = ["unknown", "counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset"];

export interface ExemplarV2 {
  /** Sorted flat [name, value, ...]; empty when `error` is set. */
  labels: string[];
  /** Why the exemplar's label refs could not be resolved, or "". */
  error: string;
  value: number;
  /** Milliseconds; 0 means none was given. */
  timestamp: number;
}

/** One TimeSeries of a v2 request, valid until the visitor returns. */
export class SeriesV2 {
  /** The series' labels, sorted; meaningless when labelsError is set. */
  readonly labels = new LabelsBuilder();
  labelsError = "";
  /** Whether every label name and value is valid UTF-8. */
  validUtf8 = true;
  type: MetricType = "unknown";
  help = "";
  unit = "";
  metadataError = "";
  /** Samples in columns; `sampleCount` of them are set. */
  sampleCount = 0;
  values: number[] = [];
  timestamps: number[] = [];
  startTimestamps: number[] = [];
  stale: boolean[] = [];
  histogramCount = 0;
  histograms: { timestamp: number; startTimestamp: number; histogram: NativeHistogram }[] = [];
  exemplars: ExemplarV2[] = [];

  reset(): void {
    this.labels.reset();
    this.labelsError = this.metadataError = this.help = this.unit = "";
    this.validUtf8 = true;
    this.type = "unknown";
    this.sampleCount = this.histogramCount = 0;
    this.exemplars.length = 0;
  }

  /** The refs of the series' labels as they came, for error messages ([1 2 3 4], as Go prints them). */
  labelRefs: number[] = [];
}

/** The symbols table of a request: strings and whether each was valid UTF-8. */
interface Symbols {
  strings: string[];
  valid: boolean[];
}

function readSymbols(bytes: Uint8Array): Symbols {
  const r = new ProtoReader(bytes);
  const strings: string[] = [];
  const valid: boolean[] = [];
  while (!r.done) {
    const tag = r.uvarint();
    if (tag === 0x22) {
      const n = r.len();
      valid.push(isValidUtf8(r.buf, r.pos, r.pos + n));
      strings.push(decodeString(r.buf, r.pos, r.pos + n));
      r.pos += n;
    } else r.skip(tag & 7);
  }
  return { strings, valid };
}

/** Packed or unpacked repeated uint32 (proto3 writes them packed; parsers must take both). */
function readRefs(r: ProtoReader, wireType: number, out: number[]): void {
  if (wireType === 2) {
    const n = r.len();
    const end = r.pos + n;
    while (r.pos < end) out.push(r.uvarint());
    if (r.pos !== end) r.fail("packed field overran its length");
  } else out.push(r.uvarint());
}

/** Prometheus's desymbolizeLabels into `lb` (sorted); returns its error message, or "". */
function desymbolize(refs: readonly number[], symbols: Symbols, lb: LabelsBuilder): { error: string; validUtf8: boolean } {
  lb.reset();
  if (refs.length % 2 !== 0) return { error: `invalid labelRefs length ${refs.length}`, validUtf8: true };
  let validUtf8 = true;
  const size = symbols.strings.length;
  for (let i = 0; i < refs.length; i += 2) {
    const name = refs[i]!, value = refs[i + 1]!;
    if (name >= size || value >= size) {
      return { error: `labelRefs ${name} (name) = ${value} (value) outside of symbols table (size ${size})`, validUtf8 };
    }
    if (!symbols.valid[name] || !symbols.valid[value]) validUtf8 = false;
    lb.add(symbols.strings[name]!, symbols.strings[value]!);
  }
  lb.sort();
  return { error: "", validUtf8 };
}

/**
 * Walks a v2 Request, calling `visit` once per TimeSeries. Throws ProtoError on malformed input
 * (before any series is visited only if the symbols table itself is malformed).
 */
export function visitWriteRequestV2(bytes: Uint8Array, visit: (series: SeriesV2) => void): void {
  const symbols = readSymbols(bytes);
  const r = new ProtoReader(bytes);
  const s = new SeriesV2();
  const exemplarLabels = new LabelsBuilder();
  const refs: number[] = [];
  while (!r.done) {
    const tag = r.uvarint();
    if (tag !== 0x2a) {
      r.skip(tag & 7);
      continue;
    }
    const n = r.len(); // (read before r.pos: len() moves it)
    const end = r.pos + n;
    s.reset();
    s.labelRefs.length = 0;
    let helpRef = 0, unitRef = 0, typeNumber = 0;
    while (r.pos < end) {
      const t = r.uvarint();
      const field = Math.floor(t / 8);
      const wireType = t & 7;
      if (field === 1) readRefs(r, wireType, s.labelRefs);
      else if (field === 2 && wireType === 2) readSample(r, s);
      else if (field === 3 && wireType === 2) {
        const n = r.len();
        const rec = s.histograms[s.histogramCount] ?? { timestamp: 0, startTimestamp: 0, histogram: new NativeHistogram() };
        s.histograms[s.histogramCount++] = rec;
        const hr = new ProtoReader(bytes, r.pos, r.pos + n);
        rec.timestamp = readHistogram(hr, rec.histogram.reset());
        rec.startTimestamp = histogramStartTimestamp(bytes, r.pos, r.pos + n);
        r.pos += n;
      } else if (field === 4 && wireType === 2) {
        const n = r.len();
        const ee = r.pos + n;
        refs.length = 0;
        let value = 0, timestamp = 0;
        while (r.pos < ee) {
          const et = r.uvarint();
          if (et >>> 3 === 1) readRefs(r, et & 7, refs);
          else if (et === 0x11) value = r.double();
          else if (et === 0x18) timestamp = r.int64();
          else r.skip(et & 7);
        }
        if (r.pos !== ee) r.fail("exemplar overran its length");
        const { error } = desymbolize(refs, symbols, exemplarLabels);
        s.exemplars.push({ labels: error === "" ? exemplarLabels.toArray() : [], error, value, timestamp });
      } else if (field === 5 && wireType === 2) {
        const n = r.len();
        const me = r.pos + n;
        while (r.pos < me) {
          const mt = r.uvarint();
          if (mt === 0x08) typeNumber = r.uvarint();
          else if (mt === 0x18) helpRef = r.uvarint();
          else if (mt === 0x20) unitRef = r.uvarint();
          else r.skip(mt & 7);
        }
        if (r.pos !== me) r.fail("metadata overran its length");
      } else r.skip(wireType);
    }
    if (r.pos !== end) r.fail("time series overran its length");
    const resolved = desymbolize(s.labelRefs, symbols, s.labels);
    s.labelsError = resolved.error;
    s.validUtf8 = resolved.validUtf8;
    s.type = V2_METRIC_TYPES[typeNumber] ?? "unknown";
    const size = symbols.strings.length;
    if (unitRef >= size) s.metadataError = `metadata unit_ref ${unitRef} outside of symbols table (size ${size})`;
    else if (helpRef >= size) s.metadataError = `metadata help_ref ${helpRef} outside of symbols table (size ${size})`;
    else {
      s.unit = symbols.strings[unitRef]!;
      s.help = symbols.strings[helpRef]!;
    }
    visit(s);
  }
}

function readSample(r: ProtoReader, s: SeriesV2): void {
  const n = r.len();
  const end = r.pos + n;
  let value = 0, timestamp = 0, start = 0, stale = false;
  while (r.pos < end) {
    const t = r.uvarint();
    if (t === 0x09) {
      if (r.pos + 8 > end) r.fail("truncated double");
      stale = r.doubleHi() === STALE_NAN.hi && r.doubleLo() === STALE_NAN.lo;
      value = r.double();
    } else if (t === 0x10) timestamp = r.int64();
    else if (t === 0x18) start = r.int64();
    else r.skip(t & 7);
  }
  if (r.pos !== end) r.fail("sample overran its length");
  const i = s.sampleCount++;
  s.values[i] = value;
  s.timestamps[i] = timestamp;
  s.startTimestamps[i] = start;
  s.stale[i] = stale;
}

/** Field 17 (start_timestamp) of a v2 Histogram, which the v1 histogram reader skips. */
function histogramStartTimestamp(bytes: Uint8Array, start: number, end: number): number {
  const r = new ProtoReader(bytes, start, end);
  let st = 0;
  while (!r.done) {
    const t = r.uvarint();
    if (t === 17 * 8) st = r.int64();
    else r.skip(t & 7);
  }
  return st;
}
