// Decoding of prometheus.WriteRequest (remote write 1.0), for prometheus.receive_http and the tests.
//
// Why hand-written: the receiver wants each TimeSeries' labels in a scratch builder (to intern them once)
// and its samples as numbers, not a tree of message objects; stale markers must be told apart from other
// NaNs by their bits, which a generic decoder loses. decodeWriteRequest() builds plain objects on top of
// the streaming visitor for callers that want them.

import { LabelsBuilder } from "../labels/builder.ts";
import { decodeString } from "../exposition/common.ts";
import { NativeHistogram } from "../histogram.ts";
import { ProtoError, ProtoReader } from "../protobuf/reader.ts";
import { METRIC_TYPE_NUMBER, STALE_NAN } from "./encode.ts";

export { ProtoError };

/** Receives the content of a WriteRequest as it is decoded. */
export interface WriteRequestVisitor {
  /**
   * A TimeSeries begins; `labels` holds its labels in wire order, `validUtf8` tells whether all their
   * names and values were valid UTF-8 (invalid bytes read as U+FFFD). Returns an id passed to the
   * calls below.
   */
  series(labels: LabelsBuilder, validUtf8: boolean): number;
  sample(id: number, timestamp: number, value: number, stale: boolean): void;
  exemplar?(id: number, labels: LabelsBuilder, value: number, timestamp: number): void;
  histogram?(id: number, timestamp: number, h: NativeHistogram): void;
  metadata?(type: string, family: string, help: string, unit: string): void;
}

const TYPE_NAMES: string[] = [];
for (const [k, v] of Object.entries(METRIC_TYPE_NUMBER)) TYPE_NAMES[v] = k;

function str(r: ProtoReader): string {
  const n = r.len();
  const s = decodeString(r.buf, r.pos, r.pos + n);
  r.pos += n;
  return s;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Whether b[start:end] is valid UTF-8 (ASCII is checked without decoding). */
export function isValidUtf8(b: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end && b[i]! < 0x80) i++;
  if (i === end) return true;
  try {
    strictUtf8.decode(b.subarray(i, end));
    return true;
  } catch {
    return false;
  }
}

/**
 * One Label message ending at `end`, read with the same reader. Returns false when its name or value
 * is not valid UTF-8.
 */
function readLabel(r: ProtoReader, end: number, lb: LabelsBuilder): boolean {
  let name = "", value = "";
  let valid = true;
  while (r.pos < end) {
    const tag = r.uvarint();
    if (tag === 0x0a || tag === 0x12) {
      const n = r.len();
      if (!isValidUtf8(r.buf, r.pos, r.pos + n)) valid = false;
      const s = decodeString(r.buf, r.pos, r.pos + n);
      r.pos += n;
      if (tag === 0x0a) name = s;
      else value = s;
    } else r.skip(tag & 7);
  }
  if (r.pos !== end) r.fail("label overran its length");
  lb.add(name, value);
  return valid;
}

/** Walks a WriteRequest. Throws ProtoError on malformed input. */
export function visitWriteRequest(bytes: Uint8Array, v: WriteRequestVisitor): void {
  const r = new ProtoReader(bytes);
  const lb = new LabelsBuilder();
  const elb = new LabelsBuilder();
  const h = new NativeHistogram();
  const tsStarts: number[] = [];
  while (!r.done) {
    const tag = r.uvarint();
    if (tag === 0x0a) {
      const n = r.len();
      const end = r.pos + n;
      // Labels first (they may come after samples on the wire): one pass for labels, one for the rest.
      const start = r.pos;
      lb.reset();
      let validUtf8 = true;
      while (r.pos < end) {
        const t = r.uvarint();
        if (t === 0x0a) {
          const ln = r.len();
          if (!readLabel(r, r.pos + ln, lb)) validUtf8 = false;
        } else r.skip(t & 7);
      }
      const id = v.series(lb, validUtf8);
      r.pos = start;
      tsStarts.length = 0;
      while (r.pos < end) {
        const t = r.uvarint();
        if (t === 0x12) {
          const sn = r.len();
          const se = r.pos + sn;
          let value = 0, ts = 0, stale = false;
          while (r.pos < se) {
            const st = r.uvarint();
            if (st === 0x09) {
              if (r.pos + 8 > se) r.fail("truncated double");
              stale = r.doubleHi() === STALE_NAN.hi && r.doubleLo() === STALE_NAN.lo;
              value = r.double();
            } else if (st === 0x10) ts = r.int64();
            else r.skip(st & 7);
          }
          r.pos = se;
          v.sample(id, ts, value, stale);
        } else if (t === 0x1a) {
          const en = r.len();
          const ee = r.pos + en;
          let value = 0, ts = 0;
          elb.reset();
          while (r.pos < ee) {
            const et = r.uvarint();
            if (et === 0x0a) {
              const ln = r.len();
              readLabel(r, r.pos + ln, elb);
            } else if (et === 0x11) value = r.double();
            else if (et === 0x18) ts = r.int64();
            else r.skip(et & 7);
          }
          r.pos = ee;
          v.exemplar?.(id, elb, value, ts);
        } else if (t === 0x22) {
          const hn = r.len();
          const he = r.pos + hn;
          const ts = readHistogram(new ProtoReader(bytes, r.pos, he), h.reset());
          r.pos = he;
          v.histogram?.(id, ts, h);
        } else r.skip(t & 7);
      }
      if (r.pos !== end) r.fail("time series overran its length");
    } else if (tag === 0x1a) {
      const n = r.len();
      const end = r.pos + n;
      let type = 0, family = "", help = "", unit = "";
      while (r.pos < end) {
        const t = r.uvarint();
        if (t === 0x08) type = r.uvarint();
        else if (t === 0x12) family = str(r);
        else if (t === 0x22) help = str(r);
        else if (t === 0x2a) unit = str(r);
        else r.skip(t & 7);
      }
      v.metadata?.(TYPE_NAMES[type] ?? "unknown", family, help, unit);
    } else {
      r.skip(tag & 7);
    }
  }
}

function packed(r: ProtoReader, wireType: number, out: number[], read: () => number): void {
  if (wireType === 2) {
    const n = r.len();
    const end = r.pos + n;
    while (r.pos < end) out.push(read());
    if (r.pos !== end) r.fail("packed field overran its length");
  } else out.push(read());
}

/** Reads prompb.Histogram fields into h; returns its timestamp. */
export function readHistogram(r: ProtoReader, h: NativeHistogram): number {
  let ts = 0;
  const sint = () => r.sint64();
  const dbl = () => r.double();
  while (!r.done) {
    const tag = r.uvarint();
    const field = Math.floor(tag / 8);
    const wt = tag & 7;
    switch (field) {
      case 1: h.count = r.uvarint(); h.isFloat = false; break;
      case 2: h.count = r.double(); h.isFloat = true; break;
      case 3: h.sum = r.double(); break;
      case 4: h.schema = r.sint32(); break;
      case 5: h.zeroThreshold = r.double(); break;
      case 6: h.zeroCount = r.uvarint(); break;
      case 7: h.zeroCount = r.double(); break;
      case 8: case 11: {
        const n = r.len();
        const end = r.pos + n;
        let offset = 0, length = 0;
        while (r.pos < end) {
          const t = r.uvarint();
          if (t === 0x08) offset = r.sint32();
          else if (t === 0x10) length = r.uvarint();
          else r.skip(t & 7);
        }
        (field === 8 ? h.negativeSpans : h.positiveSpans).push(offset, length);
        break;
      }
      case 9: packed(r, wt, h.negativeDeltas, sint); break;
      case 10: packed(r, wt, h.negativeCounts, dbl); break;
      case 12: packed(r, wt, h.positiveDeltas, sint); break;
      case 13: packed(r, wt, h.positiveCounts, dbl); break;
      case 14: h.resetHint = r.uvarint(); break;
      case 15: ts = r.int64(); break;
      case 16: packed(r, wt, h.customValues, dbl); break;
      default: r.skip(wt);
    }
  }
  return ts;
}

export interface DecodedSample {
  value: number;
  timestamp: number;
  stale: boolean;
}

export interface DecodedTimeSeries {
  /** Flat [name, value, ...] in wire order. */
  labels: string[];
  samples: DecodedSample[];
  exemplars: { labels: string[]; value: number; timestamp: number }[];
  histograms: { timestamp: number; histogram: NativeHistogram }[];
}

export interface DecodedWriteRequest {
  timeseries: DecodedTimeSeries[];
  metadata: { type: string; family: string; help: string; unit: string }[];
}

/** Decodes a whole WriteRequest into plain objects. */
export function decodeWriteRequest(bytes: Uint8Array): DecodedWriteRequest {
  const out: DecodedWriteRequest = { timeseries: [], metadata: [] };
  visitWriteRequest(bytes, {
    series(lb) {
      out.timeseries.push({ labels: lb.toArray(), samples: [], exemplars: [], histograms: [] });
      return out.timeseries.length - 1;
    },
    sample(id, timestamp, value, stale) {
      out.timeseries[id]!.samples.push({ value, timestamp, stale });
    },
    exemplar(id, lb, value, timestamp) {
      out.timeseries[id]!.exemplars.push({ labels: lb.toArray(), value, timestamp });
    },
    histogram(id, timestamp, h) {
      out.timeseries[id]!.histograms.push({ timestamp, histogram: new NativeHistogram().copyFrom(h) });
    },
    metadata(type, family, help, unit) {
      out.metadata.push({ type, family, help, unit });
    },
  });
  return out;
}
