// The protobuf exposition format (Content-Type application/vnd.google.protobuf;
// proto=io.prometheus.client.MetricFamily; encoding=delimited): varint-delimited MetricFamily messages,
// with native histograms.
//
// Why hand-written: the decoder reads one MetricFamily at a time into reusable records of numbers and
// byte ranges (no generated classes, no object per sample) and replays Prometheus's ProtobufParser entry
// sequence: HELP, UNIT (if any), TYPE, then per metric the series a classic representation implies
// (summary: _count, _sum, one per quantile; classic histogram: _count, _sum, _bucket per bound plus +Inf)
// or one Histogram entry for a native histogram (optionally followed by its classic series). The series
// key is built from the raw LabelPair bytes, so a repeated scrape finds its series without decoding them.

import type { LabelsBuilder } from "../labels/builder.ts";
import { NativeHistogram, ResetHint } from "../histogram.ts";
import { ProtoError, ProtoReader } from "../protobuf/reader.ts";
import { decodeString, type EntryKind, type ExpositionParser, type MetricType, ParseError } from "./common.ts";
import { formatOpenMetricsFloat } from "./float.ts";
import { validUTF8 } from "./goquote.ts";

const E_EOF: EntryKind = 0, E_SERIES: EntryKind = 1, E_HELP: EntryKind = 2, E_TYPE: EntryKind = 3, E_UNIT: EntryKind = 4, E_HISTOGRAM: EntryKind = 6;

// io.prometheus.client.MetricType
const COUNTER = 0, GAUGE = 1, SUMMARY = 2, UNTYPED = 3, HISTOGRAM = 4, GAUGE_HISTOGRAM = 5;
const TYPE_NAMES: MetricType[] = ["counter", "gauge", "summary", "unknown", "histogram", "gaugehistogram"];

interface Exemplar {
  labelsStart: number[]; // LabelPair message ranges [start, end, start, end, ...]
  value: number;
  timestamp: number; // ms, NaN when absent
}

interface Bucket {
  count: number;
  countFloat: number;
  upper: number;
  exemplar: Exemplar | undefined;
}

/** One decoded Metric; arrays are reused between metrics. */
class Metric {
  labels: number[] = []; // LabelPair message ranges
  value = 0;
  timestampMs = 0;
  startTimestamp = 0;
  exemplar: Exemplar | undefined;
  // Summary
  sampleCount = 0;
  sampleCountFloat = 0;
  sampleSum = 0;
  quantiles: number[] = []; // [q, v, q, v, ...]
  // Histogram
  buckets: Bucket[] = [];
  nBuckets = 0;
  h = new NativeHistogram();
  zeroCountInt = 0;
  zeroCountFloat = 0;
  hExemplars: Exemplar[] = [];

  reset(): void {
    this.labels.length = 0;
    this.value = this.timestampMs = this.startTimestamp = 0;
    this.exemplar = undefined;
    this.sampleCount = this.sampleCountFloat = this.sampleSum = 0;
    this.quantiles.length = 0;
    this.nBuckets = 0;
    this.h.reset();
    this.zeroCountInt = this.zeroCountFloat = 0;
    this.hExemplars.length = 0;
  }

  isNative(): boolean {
    const h = this.h;
    return h.positiveSpans.length > 0 || h.negativeSpans.length > 0 || h.zeroThreshold > 0 || this.zeroCountInt > 0 || this.zeroCountFloat > 0;
  }
}

export interface ProtobufParserOptions {
  /** Also report the classic series of a histogram that has a native representation. */
  keepClassicHistograms?: boolean;
}

export class ProtobufExpositionParser implements ExpositionParser {
  private readonly r: ProtoReader;
  private readonly keepClassic: boolean;
  // Current family.
  private nameStart = 0;
  private nameEnd = 0;
  private name = "";
  private help = "";
  private unit = "";
  private type = UNTYPED;
  private metricRanges: number[] = [];
  private metricIdx = 0;
  private readonly m = new Metric();
  // Position in the family's entry sequence.
  private phase = 0; // 0: before family, 1: help given, 2: unit given, 3: type given / in metrics
  private fieldPos = -2;
  private inClassic = false; // emitting classic series of the current metric
  private exemplarDone = false;
  // Key of the current series.
  buf = new Uint8Array(256);
  seriesStart = 0;
  seriesEnd = 0;
  value = 0;
  hasTimestamp = false;
  timestamp = 0;
  metricType: MetricType = "unknown";
  exemplarValue = 0;
  exemplarHasTimestamp = false;
  exemplarTimestamp = 0;
  private current: EntryKind = E_EOF;

  constructor(private readonly body: Uint8Array, options: ProtobufParserOptions = {}) {
    this.r = new ProtoReader(body);
    this.keepClassic = options.keepClassicHistograms ?? false;
  }

  private fail(reason: string): ParseError {
    return new ParseError(reason, 0);
  }

  next(): EntryKind {
    try {
      return (this.current = this.advance());
    } catch (e) {
      if (e instanceof ProtoError) throw this.fail(e.message);
      throw e;
    }
  }

  private advance(): EntryKind {
    for (;;) {
      switch (this.phase) {
        case 0: {
          if (this.r.done) return E_EOF;
          this.readFamily();
          if (this.metricRanges.length === 0) continue; // empty families are skipped
          if (!this.readMetric(0)) continue;
          this.phase = 1;
          return E_HELP;
        }
        case 1:
          this.phase = this.unit !== "" ? 2 : 3;
          if (this.unit !== "") return E_UNIT;
          return E_TYPE;
        case 2:
          this.phase = 3;
          return E_TYPE;
        case 3: {
          // First series of the first metric.
          this.phase = 4;
          this.startMetric();
          const e = this.emit();
          if (e !== E_EOF) return e;
          continue;
        }
        case 4: {
          const e = this.emit();
          if (e !== E_EOF) return e;
          // Metric exhausted: next one, or next family.
          this.metricIdx++;
          if (this.metricIdx >= this.metricRanges.length / 2) {
            this.phase = 0;
            continue;
          }
          this.readMetric(this.metricIdx);
          this.startMetric();
          continue;
        }
      }
    }
  }

  private startMetric(): void {
    this.fieldPos = -3; // emit() increments first
    const t = this.type;
    this.inClassic = !((t === HISTOGRAM || t === GAUGE_HISTOGRAM) && this.m.isNative());
    this.nativeDone = false;
  }

  private nativeDone = false;

  /** The next entry of the current metric, or E_EOF when it has none left. */
  private emit(): EntryKind {
    const t = this.type;
    const m = this.m;
    this.exemplarDone = false;
    this.hasTimestamp = m.timestampMs !== 0;
    this.timestamp = m.timestampMs;
    if (!this.inClassic) {
      if (this.nativeDone) {
        if (!this.keepClassic || m.nBuckets === 0) return E_EOF;
        this.inClassic = true;
        this.fieldPos = -3;
      } else {
        this.nativeDone = true;
        this.key(-10, 0);
        return E_HISTOGRAM;
      }
    }
    if (t === COUNTER || t === GAUGE || t === UNTYPED) {
      if (this.fieldPos !== -3) return E_EOF;
      this.fieldPos = 0;
      this.value = m.value;
      this.key(-5, 0);
      return E_SERIES;
    }
    this.fieldPos++;
    const pos = this.fieldPos;
    if (t === SUMMARY) {
      const nq = m.quantiles.length / 2;
      if (pos === -2) this.value = m.sampleCount;
      else if (pos === -1) this.value = m.sampleSum;
      else if (pos < nq) this.value = m.quantiles[2 * pos + 1]!;
      else return E_EOF;
      this.key(pos, pos >= 0 ? m.quantiles[2 * pos]! : 0);
      return E_SERIES;
    }
    // Classic histogram (or the classic view of a native one).
    const count = m.sampleCountFloat > 0 ? m.sampleCountFloat : m.sampleCount;
    if (pos === -2) this.value = count;
    else if (pos === -1) this.value = m.sampleSum;
    else if (pos < m.nBuckets) {
      const b = m.buckets[pos]!;
      this.value = b.countFloat > 0 ? b.countFloat : b.count;
    } else if (pos === m.nBuckets && (m.nBuckets === 0 || m.buckets[m.nBuckets - 1]!.upper !== Infinity)) {
      this.value = count;
    } else return E_EOF;
    this.key(pos, pos >= 0 && pos < m.nBuckets ? m.buckets[pos]!.upper : Infinity);
    return E_SERIES;
  }

  /** Builds the series key: family name, 0xff, field code, the metric's raw LabelPair bytes. */
  private key(pos: number, bound: number): void {
    const m = this.m;
    let need = this.nameEnd - this.nameStart + 16;
    for (let k = 0; k < m.labels.length; k += 2) need += m.labels[k + 1]! - m.labels[k]!;
    if (this.buf.length < need) this.buf = new Uint8Array(need * 2);
    const b = this.buf;
    b.set(this.body.subarray(this.nameStart, this.nameEnd), 0);
    let n = this.nameEnd - this.nameStart;
    b[n++] = 0xff;
    b[n++] = (pos + 16) & 0xff; // -10 native, -5 plain, -2 count, -1 sum, >= 0 quantile/bucket
    b[n++] = ((pos + 16) >> 8) & 0xff;
    f64[0] = bound;
    for (let k = 0; k < 8; k++) b[n++] = f64b[k]!;
    for (let k = 0; k < m.labels.length; k += 2) {
      b.set(this.body.subarray(m.labels[k]!, m.labels[k + 1]!), n);
      n += m.labels[k + 1]! - m.labels[k]!;
    }
    this.seriesStart = 0;
    this.seriesEnd = n;
  }

  // ---- decoding ----------------------------------------------------------------------------------

  private readFamily(): void {
    const r = this.r;
    const len = r.len();
    const end = r.pos + len;
    this.metricRanges.length = 0;
    this.metricIdx = 0;
    this.nameStart = this.nameEnd = 0;
    this.help = this.unit = "";
    this.type = COUNTER;
    let helpStart = 0, helpEnd = 0;
    while (r.pos < end) {
      const tag = r.uvarint();
      switch (tag) {
        case 0x0a: {
          const n = r.len();
          this.nameStart = r.pos;
          this.nameEnd = r.pos + n;
          r.pos += n;
          break;
        }
        case 0x12: {
          const n = r.len();
          helpStart = r.pos;
          helpEnd = r.pos + n;
          r.pos += n;
          break;
        }
        case 0x18:
          this.type = r.uvarint();
          break;
        case 0x22: {
          const n = r.len();
          this.metricRanges.push(r.pos, r.pos + n);
          r.pos += n;
          break;
        }
        case 0x2a: {
          const n = r.len();
          this.unit = decodeString(this.body, r.pos, r.pos + n);
          r.pos += n;
          break;
        }
        default:
          r.skip(tag & 7);
      }
    }
    if (r.pos !== end) r.fail("metric family overran its length");
    const body = this.body;
    if (this.nameEnd === this.nameStart || !validUTF8(body, this.nameStart, this.nameEnd)) {
      throw this.fail(`invalid metric name: ${decodeString(body, this.nameStart, this.nameEnd)}`);
    }
    this.name = decodeString(body, this.nameStart, this.nameEnd);
    if (!validUTF8(body, helpStart, helpEnd)) throw this.fail(`invalid help for metric "${this.name}"`);
    this.help = decodeString(body, helpStart, helpEnd);
    if (this.type < 0 || this.type > 5) throw this.fail(`unknown metric type for metric "${this.name}": ${this.type}`);
    this.metricType = TYPE_NAMES[this.type]!;
  }

  private readMetric(i: number): boolean {
    const m = this.m;
    m.reset();
    const r = new ProtoReader(this.body, this.metricRanges[2 * i]!, this.metricRanges[2 * i + 1]!);
    while (!r.done) {
      const tag = r.uvarint();
      switch (tag) {
        case 0x0a: { // label
          const n = r.len();
          m.labels.push(r.pos, r.pos + n);
          r.pos += n;
          break;
        }
        case 0x12: // gauge
        case 0x2a: // untyped
          this.sub(r, (s, t) => (t === 0x09 ? ((m.value = s.double()), true) : false));
          break;
        case 0x1a: // counter
          this.sub(r, (s, t) => {
            if (t === 0x09) m.value = s.double();
            else if (t === 0x12) m.exemplar = this.readExemplar(s);
            else if (t === 0x1a) m.startTimestamp = this.readTimestamp(s);
            else return false;
            return true;
          });
          break;
        case 0x22: // summary
          this.sub(r, (s, t) => {
            if (t === 0x08) m.sampleCount = s.uvarint();
            else if (t === 0x11) m.sampleSum = s.double();
            else if (t === 0x1a) {
              let q = 0, v = 0;
              this.sub(s, (qq, qt) => (qt === 0x09 ? ((q = qq.double()), true) : qt === 0x11 ? ((v = qq.double()), true) : false));
              m.quantiles.push(q, v);
            } else if (t === 0x22) m.startTimestamp = this.readTimestamp(s);
            else return false;
            return true;
          });
          break;
        case 0x3a: // histogram
          this.sub(r, (s, t) => this.histogramField(s, t));
          break;
        case 0x30:
          m.timestampMs = r.int64();
          break;
        default:
          r.skip(tag & 7);
      }
    }
    return true;
  }

  /** Reads a length-delimited sub-message, handing each tag to fn (which returns false to skip it). */
  private sub(r: ProtoReader, fn: (r: ProtoReader, tag: number) => boolean): void {
    const n = r.len();
    const end = r.pos + n;
    const saved = r.end;
    r.end = end;
    while (r.pos < end) {
      const t = r.uvarint();
      if (!fn(r, t)) r.skip(t & 7);
    }
    r.end = saved;
    if (r.pos !== end) r.fail("message overran its length");
  }

  private readTimestamp(r: ProtoReader): number {
    let seconds = 0, nanos = 0;
    this.sub(r, (s, t) => (t === 0x08 ? ((seconds = s.int64()), true) : t === 0x10 ? ((nanos = s.int64()), true) : false));
    return seconds * 1000 + Math.trunc(nanos / 1e6);
  }

  private readExemplar(r: ProtoReader): Exemplar {
    const e: Exemplar = { labelsStart: [], value: 0, timestamp: NaN };
    this.sub(r, (s, t) => {
      if (t === 0x0a) {
        const n = s.len();
        e.labelsStart.push(s.pos, s.pos + n);
        s.pos += n;
      } else if (t === 0x11) e.value = s.double();
      else if (t === 0x1a) e.timestamp = this.readTimestamp(s);
      else return false;
      return true;
    });
    return e;
  }

  private histogramField(s: ProtoReader, t: number): boolean {
    const m = this.m;
    const h = m.h;
    const field = t >>> 3;
    const wt = t & 7;
    switch (field) {
      case 1: m.sampleCount = s.uvarint(); return true;
      case 4: m.sampleCountFloat = s.double(); return true;
      case 2: m.sampleSum = s.double(); return true;
      case 3: {
        const b = m.buckets[m.nBuckets] ?? (m.buckets[m.nBuckets] = { count: 0, countFloat: 0, upper: 0, exemplar: undefined });
        b.count = b.countFloat = b.upper = 0;
        b.exemplar = undefined;
        this.sub(s, (bs, bt) => {
          if (bt === 0x08) b.count = bs.uvarint();
          else if (bt === 0x21) b.countFloat = bs.double();
          else if (bt === 0x11) b.upper = bs.double();
          else if (bt === 0x1a) b.exemplar = this.readExemplar(bs);
          else return false;
          return true;
        });
        m.nBuckets++;
        return true;
      }
      case 15: m.startTimestamp = this.readTimestamp(s); return true;
      case 5: h.schema = s.sint32(); return true;
      case 6: h.zeroThreshold = s.double(); return true;
      case 7: m.zeroCountInt = s.uvarint(); return true;
      case 8: m.zeroCountFloat = s.double(); return true;
      case 9: case 12: {
        let offset = 0, length = 0;
        this.sub(s, (ss, st) => (st === 0x08 ? ((offset = ss.sint32()), true) : st === 0x10 ? ((length = ss.uvarint()), true) : false));
        (field === 9 ? h.negativeSpans : h.positiveSpans).push(offset, length);
        return true;
      }
      case 10: case 13: this.packed(s, wt, field === 10 ? h.negativeDeltas : h.positiveDeltas, () => s.sint64()); return true;
      case 11: case 14: this.packed(s, wt, field === 11 ? h.negativeCounts : h.positiveCounts, () => s.double()); return true;
      case 16: m.hExemplars.push(this.readExemplar(s)); return true;
    }
    return false;
  }

  private packed(r: ProtoReader, wt: number, out: number[], read: () => number): void {
    if (wt !== 2) {
      out.push(read());
      return;
    }
    const n = r.len();
    const end = r.pos + n;
    while (r.pos < end) out.push(read());
  }

  // ---- accessors ---------------------------------------------------------------------------------

  labels(lb: LabelsBuilder): LabelsBuilder {
    lb.reset();
    const m = this.m;
    let name = this.name;
    const t = this.type;
    const pos = this.fieldPos;
    const classic = this.inClassic && (t === SUMMARY || t === HISTOGRAM || t === GAUGE_HISTOGRAM);
    if (classic) {
      if (pos === -2) name += "_count";
      else if (pos === -1) name += "_sum";
      else if (t !== SUMMARY) name += "_bucket";
    }
    lb.add("__name__", name);
    this.addPairs(lb, m.labels);
    if (classic && pos >= 0) {
      if (t === SUMMARY) lb.add("quantile", formatOpenMetricsFloat(m.quantiles[2 * pos]!));
      else lb.add("le", pos < m.nBuckets ? formatOpenMetricsFloat(m.buckets[pos]!.upper) : "+Inf");
    }
    return lb.sort();
  }

  private addPairs(lb: LabelsBuilder, ranges: number[]): void {
    for (let k = 0; k < ranges.length; k += 2) {
      const r = new ProtoReader(this.body, ranges[k]!, ranges[k + 1]!);
      let n = "", v = "";
      while (!r.done) {
        const t = r.uvarint();
        if (t === 0x0a || t === 0x12) {
          const len = r.len();
          if (!validUTF8(this.body, r.pos, r.pos + len)) throw this.fail(`invalid UTF-8 in label of metric "${this.name}"`);
          const s = decodeString(this.body, r.pos, r.pos + len);
          r.pos += len;
          if (t === 0x0a) n = s;
          else v = s;
        } else r.skip(t & 7);
      }
      lb.add(n, v);
    }
  }

  /** Fills `h` with the native histogram of the current Histogram entry. */
  histogram(h: NativeHistogram): NativeHistogram {
    const m = this.m;
    h.copyFrom(m.h);
    h.isFloat = m.sampleCountFloat > 0 || m.zeroCountFloat > 0;
    h.count = h.isFloat ? m.sampleCountFloat : m.sampleCount;
    h.sum = m.sampleSum;
    h.zeroCount = h.isFloat ? m.zeroCountFloat : m.zeroCountInt;
    if (h.isFloat) {
      h.positiveDeltas.length = h.negativeDeltas.length = 0;
    } else {
      h.positiveCounts.length = h.negativeCounts.length = 0;
    }
    h.resetHint = this.type === GAUGE_HISTOGRAM ? ResetHint.Gauge : ResetHint.Unknown;
    return h;
  }

  exemplar(lb: LabelsBuilder): boolean {
    if (this.exemplarDone) return false;
    this.exemplarDone = true;
    const m = this.m;
    let e: Exemplar | undefined;
    if (this.current === E_HISTOGRAM) e = m.hExemplars[0] ?? m.buckets.slice(0, m.nBuckets).find((b) => b.exemplar && !Number.isNaN(b.exemplar.timestamp))?.exemplar;
    else if (this.type === COUNTER) e = m.exemplar;
    else if ((this.type === HISTOGRAM || this.type === GAUGE_HISTOGRAM) && this.fieldPos >= 0 && this.fieldPos < m.nBuckets) e = m.buckets[this.fieldPos]!.exemplar;
    if (e === undefined) return false;
    lb.reset();
    this.addPairs(lb, e.labelsStart);
    lb.sort();
    this.exemplarValue = e.value;
    this.exemplarHasTimestamp = !Number.isNaN(e.timestamp);
    this.exemplarTimestamp = this.exemplarHasTimestamp ? e.timestamp : 0;
    return true;
  }

  startTimestamp(): number {
    const t = this.type;
    return t === COUNTER || t === SUMMARY || t === HISTOGRAM || t === GAUGE_HISTOGRAM ? this.m.startTimestamp : 0;
  }

  metadataName(): string {
    return this.name;
  }

  helpText(): string {
    return this.help;
  }

  unitText(): string {
    return this.unit;
  }

  commentText(): string {
    return "";
  }
}

const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);
