// OpenMetrics 1.0 text (Content-Type application/openmetrics-text; version=1.0.0): exemplars, `# EOF`,
// UNIT, info/stateset/gaugehistogram types, `_created` start timestamps, timestamps in seconds.
//
// Why hand-written: as promtext.ts, a transcription of the golex state machine of Prometheus's
// openmetricslex.l plus the rules of textparse.OpenMetricsParser (strict single spaces, no blank lines,
// mandatory `# EOF`, exemplar parsing, unit suffix check, start timestamps found by peeking ahead at the
// family's `_created` series), working on the body bytes without an object per sample.

import type { LabelsBuilder } from "../labels/builder.ts";
import {
  decodeLabels,
  decodeString,
  type EntryKind,
  type ExpositionParser,
  goQuote,
  goQuoteBytes,
  lineOf,
  type MetricType,
  ParseError,
  parseErrorText,
  tokenName,
  unescape,
} from "./common.ts";
import { NumberSyntaxError, parsePromFloat } from "./float.ts";
import { validUTF8 } from "./goquote.ts";

// Token and entry numbers as local constants: imported object properties are slow on hot paths
// under some loaders (tsx compiles them to getters). Same values as T and Entry in common.ts.
const tBraceClose = 14, tBraceOpen = 13, tComma = 17, tComment = 9, tEOF = 0, tEOFWord = 7, tEqual = 18, tHelp = 4, tInvalid = -1, tLName = 15, tLValue = 16, tLinebreak = 2, tMName = 11, tQString = 12, tText = 8, tTimestamp = 19, tType = 5, tUnit = 6, tValue = 20;
const E_EOF: EntryKind = 0;
const E_HELP: EntryKind = 2;
const E_SERIES: EntryKind = 1;
const E_TYPE: EntryKind = 3;
const E_UNIT: EntryKind = 4;

const S_INIT = 0, S_COMMENT = 1, S_META1 = 2, S_META2 = 3, S_LABELS = 4, S_LVALUE = 5, S_VALUE = 6,
  S_TIMESTAMP = 7, S_EXEMPLAR = 8, S_EVALUE = 9, S_ETIMESTAMP = 10;

const CLASS = new Uint8Array(256);
const C_L = 1, C_M = 2, C_D = 4;
for (let c = 0; c < 256; c++) {
  const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
  CLASS[c] = (letter ? C_L | C_M : 0) | (c === 58 ? C_M : 0) | (c >= 48 && c <= 57 ? C_D : 0);
}

const TYPES: Record<string, MetricType> = {
  counter: "counter",
  gauge: "gauge",
  histogram: "histogram",
  gaugehistogram: "gaugehistogram",
  summary: "summary",
  info: "info",
  stateset: "stateset",
  unknown: "unknown",
};

export interface OpenMetricsOptions {
  /** Do not report `_created` series of counters, summaries and histograms (WithOMParserSTSeriesSkipped). */
  skipCreatedSeries?: boolean;
}

function typeRequiresST(t: MetricType): boolean {
  return t === "counter" || t === "summary" || t === "histogram";
}

function goFmtF(f: number): string {
  return Number.isNaN(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf";
}

const utf8 = new TextDecoder();

export class OpenMetricsParser implements ExpositionParser {
  buf: Uint8Array;
  private n: number;
  private i = 0;
  private start = 0;
  private state = S_INIT;
  private qHigh = false;
  private lineStart = 0;
  private offsets = new Int32Array(64);
  private nOff = 0;
  private eOffsets = new Int32Array(16);
  private nEOff = 0;
  private hasExemplar = false;
  private textStart = 0;
  private textEnd = 0;
  private mfNameLen = 0;
  private unit = "";
  private skipST: boolean;
  private ignoreExemplar = false;
  // Start timestamp cache (Prometheus keeps the last found one per family + labels).
  private stKey: string | undefined;
  private st = 0;
  seriesStart = 0;
  seriesEnd = 0;
  value = 0;
  hasTimestamp = false;
  timestamp = 0;
  metricType: MetricType = "unknown";
  exemplarValue = 0;
  exemplarHasTimestamp = false;
  exemplarTimestamp = 0;

  /** Parses `body` in place (no copy; it must not change while parsing). */
  constructor(body: Uint8Array, options: OpenMetricsOptions = {}) {
    this.buf = body;
    this.n = body.length;
    this.skipST = options.skipCreatedSeries ?? false;
  }

  // ---- lexer -------------------------------------------------------------------------------------

  private nx(): number {
    let i = ++this.i;
    if (i >= this.n) return 0;
    const b = this.buf;
    const st = this.state;
    if (b[i] === 0 && (st === S_LVALUE || st === S_META2 || st === S_COMMENT)) {
      while (i < this.n && b[i] === 0) i++;
      this.i = i;
      if (i >= this.n) return 0;
    }
    return b[i]!;
  }

  private quoted(newline: boolean): boolean {
    let high = false;
    for (;;) {
      let c = this.nx();
      if (c === 34) {
        this.nx();
        this.qHigh = high;
        return true;
      }
      if (c === 92) {
        c = this.nx();
        if (c === 10 || c === 0) return false;
      } else if (c === 0 || (c === 10 && !newline)) return false;
      if (c >= 0x80) high = true;
    }
  }

  /** {S}[^ \n]+ after the space: false if not even one character follows. */
  private spaced(): boolean {
    let c = this.nx();
    if (c === 0 || c === 32 || c === 10) return false;
    do c = this.nx();
    while (c !== 0 && c !== 32 && c !== 10);
    return true;
  }

  private word(w: string): boolean {
    for (let k = 1; k < w.length; k++) if (this.nx() !== w.charCodeAt(k)) return false;
    return true;
  }

  private lex(): number {
    if (this.i >= this.n) return tEOF;
    let c = this.buf[this.i]!;
    this.start = this.i;
    for (;;) {
      switch (this.state) {
        case S_INIT:
          if (c === 35) {
            if (this.nx() !== 32) return tInvalid;
            c = this.nx();
            this.state = S_COMMENT;
            continue;
          }
          if (CLASS[c]! & C_M) {
            do c = this.nx();
            while (CLASS[c]! & (C_M | C_D));
            this.state = S_VALUE;
            return tMName;
          }
          if (c === 123) {
            this.nx();
            this.state = S_LABELS;
            return tBraceOpen;
          }
          return tInvalid;
        case S_COMMENT: {
          let tok: number;
          let w: string;
          if (c === 72) (tok = tHelp), (w = "HELP");
          else if (c === 84) (tok = tType), (w = "TYPE");
          else if (c === 85) (tok = tUnit), (w = "UNIT");
          else if (c === 69) {
            if (!this.word("EOF")) return tInvalid;
            if (this.nx() === 10) this.nx();
            this.state = S_INIT;
            return tEOFWord;
          } else return tInvalid;
          if (!this.word(w) || this.nx() !== 32) return tInvalid;
          this.nx();
          this.state = S_META1;
          return tok;
        }
        case S_META1:
          if (c === 34) {
            if (!this.quoted(true)) return tInvalid;
            this.state = S_META2;
            return tMName;
          }
          if (CLASS[c]! & C_M) {
            do c = this.nx();
            while (CLASS[c]! & (C_M | C_D));
            this.state = S_META2;
            return tMName;
          }
          return tInvalid;
        case S_META2:
          if (c !== 32) return tInvalid;
          do c = this.nx();
          while (c !== 10 && c !== 0);
          if (c !== 10) return tInvalid;
          this.nx();
          this.state = S_INIT;
          return tText;
        case S_LABELS:
        case S_EXEMPLAR: {
          const ex = this.state === S_EXEMPLAR;
          if (CLASS[c]! & C_L) {
            do c = this.nx();
            while (CLASS[c]! & (C_L | C_D));
            return tLName;
          }
          if (c === 34) return this.quoted(!ex) ? tQString : tInvalid;
          if (c === 125) {
            this.nx();
            this.state = ex ? S_EVALUE : S_VALUE;
            return tBraceClose;
          }
          if (c === 61) {
            this.nx();
            this.state = ex ? S_EVALUE : S_LVALUE;
            return tEqual;
          }
          if (c === 44) {
            this.nx();
            return tComma;
          }
          return tInvalid;
        }
        case S_LVALUE:
          if (c !== 34 || !this.quoted(false)) return tInvalid;
          this.state = S_LABELS;
          return tLValue;
        case S_VALUE:
          if (c === 32) {
            if (!this.spaced()) return tInvalid;
            this.state = S_TIMESTAMP;
            return tValue;
          }
          if (c === 123) {
            this.nx();
            this.state = S_LABELS;
            return tBraceOpen;
          }
          return tInvalid;
        case S_TIMESTAMP:
          if (c === 32) {
            c = this.nx();
            if (c === 35) {
              c = this.nx();
              if (c === 32) {
                // Only the exemplar rule {S}#{S}\{ is still alive here.
                if (this.nx() !== 123) return tInvalid;
                this.nx();
                this.state = S_EXEMPLAR;
                return tComment;
              }
              while (c !== 0 && c !== 32 && c !== 10) c = this.nx();
              return tTimestamp;
            }
            if (c === 0 || c === 32 || c === 10) return tInvalid;
            do c = this.nx();
            while (c !== 0 && c !== 32 && c !== 10);
            return tTimestamp;
          }
          if (c === 10) {
            this.nx();
            this.state = S_INIT;
            return tLinebreak;
          }
          return tInvalid;
        case S_EVALUE:
          if (c === 34) {
            if (!this.quoted(false)) return tInvalid;
            this.state = S_EXEMPLAR;
            return tLValue;
          }
          if (c === 32) {
            if (!this.spaced()) return tInvalid;
            this.state = S_ETIMESTAMP;
            return tValue;
          }
          return tInvalid;
        case S_ETIMESTAMP:
          if (c === 32) return this.spaced() ? tTimestamp : tInvalid;
          if (c === 10) {
            this.nx();
            this.state = S_INIT;
            return tLinebreak;
          }
          return tInvalid;
      }
      return tInvalid;
    }
  }

  // ---- parser ------------------------------------------------------------------------------------

  private fail(reason: string): ParseError {
    return new ParseError(reason, lineOf(this.buf, this.lineStart));
  }

  private perr(exp: string, got: number): ParseError {
    return this.fail(parseErrorText(this.buf, exp, got, this.start, this.i, this.lineStart));
  }

  private push(a: number, b: number): void {
    if (this.nOff + 2 > this.offsets.length) {
      const bigger = new Int32Array(this.offsets.length * 2);
      bigger.set(this.offsets);
      this.offsets = bigger;
    }
    this.offsets[this.nOff++] = a;
    this.offsets[this.nOff++] = b;
  }

  private pushE(a: number, b: number): void {
    if (this.nEOff + 2 > this.eOffsets.length) {
      const bigger = new Int32Array(this.eOffsets.length * 2);
      bigger.set(this.eOffsets);
      this.eOffsets = bigger;
    }
    this.eOffsets[this.nEOff++] = a;
    this.eOffsets[this.nEOff++] = b;
  }

  next(): EntryKind {
    for (;;) {
      this.lineStart = this.i;
      this.nOff = 0;
      if (!this.ignoreExemplar) {
        this.nEOff = 0;
        this.hasExemplar = false;
        this.exemplarValue = 0;
        this.exemplarHasTimestamp = false;
      }
      const t = this.lex();
      switch (t) {
        case tEOFWord:
          if (this.lex() !== tEOF) throw this.fail("unexpected data after # EOF");
          return E_EOF;
        case tEOF:
          throw this.fail("data does not end with # EOF");
        case tHelp:
        case tType:
        case tUnit: {
          const t2 = this.lex();
          if (t2 !== tMName) throw this.perr("expected metric name after " + tokenName(t), t2);
          let ms = this.start, me = this.i;
          if (this.buf[ms] === 34 && this.buf[me - 1] === 34) {
            ms++;
            me--;
          }
          this.mfNameLen = me - ms;
          this.push(ms, me);
          if (this.lex() !== tText) throw this.fail(`expected text in ${tokenName(t)}`);
          if (this.i - this.start > 1) {
            this.textStart = this.start + 1;
            this.textEnd = this.i - 1;
          } else {
            this.textStart = this.textEnd = this.i;
          }
          if (t === tType) {
            const s = utf8.decode(this.buf.subarray(this.textStart, this.textEnd));
            if (!Object.hasOwn(TYPES, s)) throw this.fail(`invalid metric type ${goQuote(s)}`);
            this.metricType = TYPES[s]!;
            return E_TYPE;
          }
          if (t === tHelp) {
            if (!validUTF8(this.buf, this.textStart, this.textEnd)) {
              throw this.fail(`help text ${goQuoteBytes(this.buf, this.textStart, this.textEnd)} is not a valid utf8 string`);
            }
            return E_HELP;
          }
          this.unit = utf8.decode(this.buf.subarray(this.textStart, this.textEnd));
          const ul = this.textEnd - this.textStart;
          if (ul > 0) {
            let suffix = me - ms >= ul + 1 && this.buf[me - ul - 1] === 95;
            for (let k = 0; suffix && k < ul; k++) if (this.buf[me - ul + k] !== this.buf[this.textStart + k]) suffix = false;
            if (!suffix) {
              throw this.fail(`unit ${goQuote(this.unit)} not a suffix of metric ${goQuoteBytes(this.buf, ms, me)}`);
            }
          }
          return E_UNIT;
        }
        case tBraceOpen:
          this.push(-1, -1);
          this.parseLVals(false);
          this.seriesStart = this.lineStart;
          this.seriesEnd = this.i;
          this.parseSeriesEndOfLine(this.lex());
          if (this.skipST && this.isCreatedSeries()) continue;
          return E_SERIES;
        case tMName: {
          this.push(this.lineStart, this.i);
          this.seriesStart = this.lineStart;
          this.seriesEnd = this.i;
          let t2 = this.lex();
          if (t2 === tBraceOpen) {
            this.parseLVals(false);
            this.seriesEnd = this.i;
            t2 = this.lex();
          }
          this.parseSeriesEndOfLine(t2);
          if (this.skipST && this.isCreatedSeries()) continue;
          return E_SERIES;
        }
        default:
          throw this.perr("expected a valid start token", t);
      }
    }
  }

  private parseLVals(exemplar: boolean): void {
    const b = this.buf;
    let t = this.lex();
    for (;;) {
      let curStart = this.start;
      let curI = this.i;
      let isQ = false;
      if (t === tBraceClose) return;
      if (t === tQString) isQ = true;
      else if (t !== tLName) throw this.perr("expected label name", t);
      t = this.lex();
      if (isQ && (t === tComma || t === tBraceClose)) {
        if (exemplar) throw this.perr("expected label name", t);
        if (this.offsets[0] !== -1 || this.offsets[1] !== -1) {
          throw this.fail(`metric name already set while parsing: ${goQuoteBytes(b, this.lineStart, this.i)}`);
        }
        this.offsets[0] = curStart + 1;
        this.offsets[1] = curI - 1;
        if (t === tBraceClose) return;
        t = this.lex();
        continue;
      }
      if (b[curStart] === 34) {
        curStart++;
        curI--;
      }
      if (exemplar) this.pushE(curStart, curI);
      else this.push(curStart, curI);
      if (t !== tEqual) throw this.perr("expected equal", t);
      const t2 = this.lex();
      if (t2 !== tLValue) throw this.perr("expected label value", t2);
      if (this.qHigh && !validUTF8(b, this.start, this.i)) {
        throw this.fail(`invalid UTF-8 label value: ${goQuoteBytes(b, this.start, this.i)}`);
      }
      if (exemplar) this.pushE(this.start + 1, this.i - 1);
      else this.push(this.start + 1, this.i - 1);
      t = this.lex();
      if (t === tComma) t = this.lex();
      else if (t !== tBraceClose) throw this.perr("expected comma or brace close", t);
    }
  }

  private isCreatedSeries(): boolean {
    if (!typeRequiresST(this.metricType)) return false;
    return endsWithCreated(this.buf, this.offsets[0]!, this.offsets[1]!);
  }

  private floatValue(t: number, after: string): number {
    if (t !== tValue) throw this.perr(`expected value after ${after}`, t);
    try {
      return parsePromFloat(this.buf, this.start + 1, this.i);
    } catch (e) {
      throw this.numberError(e);
    }
  }

  private numberError(e: unknown): ParseError {
    if (!(e instanceof NumberSyntaxError)) throw e;
    return this.fail(`${e.message} while parsing: ${goQuoteBytes(this.buf, this.lineStart, this.i)}`);
  }

  private parseSeriesEndOfLine(t: number): void {
    if (this.offsets[0] === -1) {
      throw this.fail(`metric name not set while parsing: ${goQuoteBytes(this.buf, this.lineStart, this.i)}`);
    }
    this.value = this.floatValue(t, "metric");
    this.hasTimestamp = false;
    const t2 = this.lex();
    switch (t2) {
      case tEOF:
        throw this.fail("data does not end with # EOF");
      case tLinebreak:
        break;
      case tComment:
        this.parseComment();
        break;
      case tTimestamp: {
        this.hasTimestamp = true;
        let ts: number;
        try {
          ts = parsePromFloat(this.buf, this.start + 1, this.i);
        } catch (e) {
          throw this.numberError(e);
        }
        if (!Number.isFinite(ts)) throw this.fail(`invalid timestamp ${goFmtF(ts)}`);
        this.timestamp = Math.trunc(ts * 1000);
        const t3 = this.lex();
        if (t3 === tComment) this.parseComment();
        else if (t3 !== tLinebreak) throw this.perr("expected next entry after timestamp", t3);
        break;
      }
      // Like Prometheus, any other token is left for the next call to report.
    }
  }

  private parseComment(): void {
    if (this.ignoreExemplar) {
      for (let t = this.lex(); t !== tLinebreak; t = this.lex()) {
        if (t === tEOF) throw this.fail("data does not end with # EOF");
        if (t === tInvalid) throw this.perr("expected next entry after exemplar", t);
      }
      return;
    }
    this.parseLVals(true);
    this.hasExemplar = true;
    this.exemplarValue = this.floatValue(this.lex(), "exemplar labels");
    this.exemplarHasTimestamp = false;
    const t2 = this.lex();
    switch (t2) {
      case tEOF:
        throw this.fail("data does not end with # EOF");
      case tLinebreak:
        break;
      case tTimestamp: {
        this.exemplarHasTimestamp = true;
        let ts: number;
        try {
          ts = parsePromFloat(this.buf, this.start + 1, this.i);
        } catch (e) {
          throw this.numberError(e);
        }
        if (!Number.isFinite(ts)) throw this.fail(`invalid exemplar timestamp ${goFmtF(ts)}`);
        this.exemplarTimestamp = Math.trunc(ts * 1000);
        const t3 = this.lex();
        if (t3 !== tLinebreak) throw this.perr("expected next entry after exemplar timestamp", t3);
        break;
      }
      default:
        throw this.perr("expected timestamp or comment", t2);
    }
  }

  // ---- accessors ---------------------------------------------------------------------------------

  labels(lb: LabelsBuilder): LabelsBuilder {
    return decodeLabels(this.buf, this.offsets, this.nOff, this.metricType, lb);
  }

  /** The exemplar of the current sample (OpenMetrics has at most one); labels are taken as written. */
  exemplar(lb: LabelsBuilder): boolean {
    if (!this.hasExemplar) return false;
    lb.reset();
    const b = this.buf;
    for (let k = 0; k + 3 < this.nEOff; k += 4) {
      lb.add(decodeString(b, this.eOffsets[k]!, this.eOffsets[k + 1]!), decodeString(b, this.eOffsets[k + 2]!, this.eOffsets[k + 3]!));
    }
    lb.sort();
    this.hasExemplar = false;
    return true;
  }

  /**
   * The start timestamp (ms) of the current counter, summary or histogram sample from its family's
   * `_created` series, found by reading ahead as Prometheus does; 0 when there is none.
   */
  startTimestamp(): number {
    if (!typeRequiresST(this.metricType)) {
      this.stKey = undefined;
      return 0;
    }
    const quotedName = this.buf[this.seriesStart] === 123 && this.buf[this.seriesStart + 1] === 34;
    const nameEnd = Math.min(this.seriesStart + this.mfNameLen + (quotedName ? 2 : 0), this.seriesEnd);
    const key = this.seriesKey(this.offsets, this.nOff, this.offsets[0]!, Math.max(nameEnd, this.offsets[0]!));
    if (key === this.stKey && this.st > 0) return this.st;

    const peek = new OpenMetricsParser(this.buf);
    peek.i = this.i;
    peek.start = this.start;
    peek.state = this.state;
    peek.metricType = this.metricType;
    peek.mfNameLen = this.mfNameLen;
    peek.ignoreExemplar = true;
    // Like Prometheus: once start timestamps are asked for, `_created` series are no longer reported.
    this.skipST = true;
    for (;;) {
      let e: EntryKind;
      try {
        e = peek.next();
      } catch {
        this.stKey = undefined;
        return 0;
      }
      if (e !== E_SERIES) {
        this.stKey = undefined;
        return 0;
      }
      const ns = peek.offsets[0]!, ne = peek.offsets[1]!;
      if (!endsWithCreated(this.buf, ns, ne)) continue;
      if (peek.seriesKey(peek.offsets, peek.nOff, ns, ne - 8) !== key) {
        this.stKey = undefined;
        return 0;
      }
      this.st = Math.trunc(peek.value * 1000);
      this.stKey = key;
      return this.st;
    }
  }

  /** The identity of a family member for start timestamps: labels except le/quantile, then the name. */
  private seriesKey(offsets: Int32Array, nOff: number, nameStart: number, nameEnd: number): string {
    const b = this.buf;
    let key = "";
    for (let k = 2; k + 3 < nOff; k += 4) {
      const ls = offsets[k]!, le = offsets[k + 1]!;
      const len = le - ls;
      if (this.metricType === "summary" && len === 8 && decodeString(b, ls, le) === "quantile") continue;
      if (this.metricType === "histogram" && len === 2 && b[ls] === 108 && b[ls + 1] === 101) continue;
      key += decodeString(b, ls, le) + "\u0000" + decodeString(b, offsets[k + 2]!, offsets[k + 3]!) + "\u0000";
    }
    return key + decodeString(b, nameStart, nameEnd);
  }

  metadataName(): string {
    return utf8.decode(this.buf.subarray(this.offsets[0]!, this.offsets[1]!));
  }

  helpText(): string {
    return unescape(this.buf, this.textStart, this.textEnd, true);
  }

  unitText(): string {
    return this.unit;
  }

  commentText(): string {
    return "";
  }
}

function endsWithCreated(b: Uint8Array, start: number, end: number): boolean {
  if (end - start < 8) return false;
  const s = end - 8;
  return b[s] === 95 && b[s + 1] === 99 && b[s + 2] === 114 && b[s + 3] === 101 && b[s + 4] === 97 &&
    b[s + 5] === 116 && b[s + 6] === 101 && b[s + 7] === 100;
}
