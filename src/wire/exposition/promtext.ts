// The Prometheus text exposition format 0.0.4 (Content-Type text/plain; version=0.0.4).
//
// Why hand-written: this is the scrape hot path. The lexer is a transcription of the state machine that
// golex generates from Prometheus's promlex.l (same states, same longest-match and no-backtracking
// behaviour, same NUL handling), so that what parses, what fails and the error text ("expected label
// value, got ...") match Prometheus's textparse.PromParser. It works on the body bytes: a sample is a
// set of offsets and a float read straight from the bytes; labels are only decoded when asked for
// (normally once per new series, see reader.ts). Timestamps are integer milliseconds.

import type { LabelsBuilder } from "../labels/builder.ts";
import {
  decodeLabels,
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
import { NumberSyntaxError, parseGoInt64Digits, parsePromFloat } from "./float.ts";
import { validUTF8 } from "./goquote.ts";
import { StringsByBytes } from "./strings.ts";

// Token and entry numbers as local constants: imported object properties are slow on hot paths
// under some loaders (tsx compiles them to getters). Same values as T and Entry in common.ts.
const tBraceClose = 14, tBraceOpen = 13, tComma = 17, tComment = 9, tEOF = 0, tEqual = 18, tHelp = 4, tInvalid = -1, tLName = 15, tLValue = 16, tLinebreak = 2, tMName = 11, tQString = 12, tText = 8, tTimestamp = 19, tType = 5, tValue = 20, tWhitespace = 3;
const E_COMMENT: EntryKind = 5;
const E_EOF: EntryKind = 0;
const E_HELP: EntryKind = 2;
const E_SERIES: EntryKind = 1;
const E_TYPE: EntryKind = 3;

const S_INIT = 0, S_COMMENT = 1, S_META1 = 2, S_META2 = 3, S_LABELS = 4, S_LVALUE = 5, S_VALUE = 6, S_TIMESTAMP = 7;

// Character classes. Like golex, NUL (0, also our end-of-input value) is in none of them.
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
  summary: "summary",
  untyped: "unknown",
};

export class PromTextParser implements ExpositionParser {
  buf: Uint8Array = new Uint8Array(1);
  private n = 0;
  // Lexer state.
  private i = 0;
  private start = 0;
  private state = S_INIT;
  private qHigh = false; // the last quoted token had a byte >= 0x80
  // Parser state.
  private lineStart = 0;
  private offsets = new Int32Array(64);
  private nOff = 0;
  private textStart = 0;
  private textEnd = 0;
  private textIsHelp = false;
  seriesStart = 0;
  seriesEnd = 0;
  value = 0;
  hasTimestamp = false;
  timestamp = 0;
  metricType: MetricType = "unknown";
  /** Family names, HELP texts and TYPE names: the same every scrape of a target. */
  private readonly strings = new StringsByBytes();
  readonly exemplarValue = 0;
  readonly exemplarHasTimestamp = false;
  readonly exemplarTimestamp = 0;

  constructor(body?: Uint8Array) {
    if (body) this.reset(body);
  }

  /**
   * Starts parsing a new body. Like Prometheus, a newline is appended; the body is copied into a buffer
   * the parser keeps, so reusing one parser per target allocates nothing in the steady state.
   */
  reset(body: Uint8Array): this {
    const need = body.length + 1;
    if (this.buf.length < need) this.buf = new Uint8Array(Math.max(need, this.buf.length * 2));
    this.buf.set(body);
    this.buf[body.length] = 10;
    this.n = need;
    this.i = 0;
    this.start = 0;
    this.state = S_INIT;
    this.metricType = "unknown";
    this.nOff = 0;
    this.strings.nextBody();
    return this;
  }

  // ---- lexer -------------------------------------------------------------------------------------

  /** golex's l.next(): advance and return the current byte, 0 at the end; NULs are skipped inside label values, HELP text and comments. */
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

  private ws(): number {
    let c: number;
    do c = this.nx();
    while (c === 32 || c === 9);
    return tWhitespace;
  }

  /**
   * \"(\\.|[^\\"])*\" starting at the opening quote; false when it does not close. Scans with a
   * local index (this and the loops below are where a scrape spends its time); byte for byte what
   * nx() would do, NUL skipping included.
   */
  private quoted(): boolean {
    const b = this.buf;
    const n = this.n;
    const st = this.state;
    const skipNul = st === S_LVALUE || st === S_META2 || st === S_COMMENT;
    let high = false;
    let i = this.i;
    for (;;) {
      // c = nx()
      let c = ++i < n ? b[i]! : 0;
      if (c === 0 && i < n) {
        if (!skipNul) break;
        while (i < n && b[i] === 0) i++;
        c = i < n ? b[i]! : 0;
      }
      if (c === 34) {
        this.i = i;
        this.nx();
        this.qHigh = high;
        return true;
      }
      if (c === 92) {
        c = ++i < n ? b[i]! : 0;
        if (c === 0 && i < n && skipNul) {
          while (i < n && b[i] === 0) i++;
          c = i < n ? b[i]! : 0;
        }
        if (c === 10 || c === 0) break;
      } else if (c === 0) break;
      if (c >= 0x80) high = true;
    }
    this.i = i;
    return false;
  }

  /** Advances while the next bytes are of the classes in mask (in a state that does not skip NULs); returns the byte it stopped at (0 at the end). */
  private run(mask: number): number {
    const b = this.buf;
    const n = this.n;
    let i = this.i;
    let c: number;
    do c = ++i < n ? b[i]! : 0;
    while (CLASS[c]! & mask);
    this.i = i;
    return c;
  }

  private consumeComment(): number {
    // Up to the newline. The current byte is taken as is (a NUL there ends the input); after it, NULs
    // are skipped in the comment state, while after a bare '#' (initial state) a NUL ends the input.
    const b = this.buf;
    const n = this.n;
    let i = this.i;
    if (i >= n || b[i] === 0) return tEOF;
    if (this.state === S_COMMENT) {
      i = b.indexOf(10, i);
      if (i < 0) i = n;
    } else {
      while (i < n && b[i] !== 10 && b[i] !== 0) i++;
    }
    this.i = i;
    if (i >= n || b[i] !== 10) return tEOF;
    this.state = S_INIT;
    return tComment;
  }

  private word(w: string): boolean {
    for (let k = 1; k < w.length; k++) if (this.nx() !== w.charCodeAt(k)) return false;
    return true;
  }

  private lex(): number {
    if (this.i >= this.n) return tEOF;
    const b = this.buf;
    let c = b[this.i]!;
    this.start = this.i;
    for (;;) {
      switch (this.state) {
        case S_INIT:
          if (c === 0) return tEOF;
          if (c === 10) {
            this.nx();
            return tLinebreak;
          }
          if (c === 32 || c === 9) return this.ws();
          if (c === 35) {
            c = this.nx();
            if (c === 32 || c === 9) {
              do c = this.nx();
              while (c === 32 || c === 9);
              this.state = S_COMMENT;
              continue;
            }
            return this.consumeComment();
          }
          if (CLASS[c]! & C_M) {
            this.run(C_M | C_D);
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
          if (c === 32 || c === 9) return this.ws();
          if (c === 72 || c === 84) {
            const tok = c === 72 ? tHelp : tType;
            if (!this.word(c === 72 ? "HELP" : "TYPE")) return this.consumeComment();
            c = this.nx();
            if (c !== 32 && c !== 9) return this.consumeComment();
            do c = this.nx();
            while (c === 32 || c === 9);
            this.state = S_META1;
            return tok;
          }
          return this.consumeComment();
        }
        case S_META1:
          if (c === 32 || c === 9) return this.ws();
          if (c === 34) {
            if (!this.quoted()) return tInvalid;
            this.state = S_META2;
            return tMName;
          }
          if (CLASS[c]! & C_M) {
            this.run(C_M | C_D);
            this.state = S_META2;
            return tMName;
          }
          return tInvalid;
        case S_META2:
          if (c === 32 || c === 9) {
            // [ \t]+ and {C}* tie when only blanks remain; the whitespace rule comes first.
            do c = this.nx();
            while (c === 32 || c === 9);
            if (c === 10 || c === 0) return tWhitespace;
          }
          if (c !== 10 && c !== 0) {
            // {C}* runs to the newline (NULs inside are skipped, not ends).
            const nl = b.indexOf(10, this.i);
            this.i = nl < 0 ? this.n : nl;
          }
          this.state = S_INIT;
          return tText;
        case S_LABELS:
          if (c === 32 || c === 9) return this.ws();
          if (CLASS[c]! & C_L) {
            this.run(C_L | C_D);
            return tLName;
          }
          if (c === 34) return this.quoted() ? tQString : tInvalid;
          if (c === 125) {
            this.nx();
            this.state = S_VALUE;
            return tBraceClose;
          }
          if (c === 61) {
            this.nx();
            this.state = S_LVALUE;
            return tEqual;
          }
          if (c === 44) {
            this.nx();
            return tComma;
          }
          return tInvalid;
        case S_LVALUE:
          if (c === 32 || c === 9) return this.ws();
          if (c === 34) {
            if (!this.quoted()) return tInvalid;
            this.state = S_LABELS;
            return tLValue;
          }
          return tInvalid;
        case S_VALUE:
          if (c === 32 || c === 9) return this.ws();
          if (c === 123) {
            this.nx();
            this.state = S_LABELS;
            return tBraceOpen;
          }
          if (c !== 0 && c !== 10) {
            const n = this.n;
            let i = this.i;
            do c = ++i < n ? b[i]! : 0;
            while (c !== 0 && c !== 123 && c !== 32 && c !== 9 && c !== 10);
            this.i = i;
            this.state = S_TIMESTAMP;
            return tValue;
          }
          return tInvalid;
        case S_TIMESTAMP:
          if (c === 32 || c === 9) return this.ws();
          if (CLASS[c]! & C_D) {
            this.run(C_D);
            return tTimestamp;
          }
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

  /** nextToken: the next token that is not whitespace. */
  private tok(): number {
    let t: number;
    do t = this.lex();
    while (t === tWhitespace);
    return t;
  }

  // ---- parser ------------------------------------------------------------------------------------

  private fail(reason: string): ParseError {
    return new ParseError(reason, lineOf(this.buf, this.lineStart));
  }

  private perr(exp: string, got: number): ParseError {
    return this.fail(parseErrorText(this.buf.subarray(0, this.n), exp, got, this.start, this.i, this.lineStart));
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

  next(): EntryKind {
    for (;;) {
      this.lineStart = this.i;
      this.nOff = 0;
      const t = this.tok();
      switch (t) {
        case tEOF:
          return E_EOF;
        case tLinebreak:
          continue;
        case tHelp:
        case tType: {
          const t2 = this.tok();
          if (t2 !== tMName) throw this.perr("expected metric name after " + tokenName(t), t2);
          let ms = this.start, me = this.i;
          if (this.buf[ms] === 34 && this.buf[me - 1] === 34) {
            ms++;
            me--;
          }
          this.push(ms, me);
          const t3 = this.tok();
          if (t3 !== tText) throw this.fail(`expected text in ${tokenName(t)}, got ${tokenName(t3)}`);
          this.textStart = this.i - this.start > 1 ? this.start + 1 : this.i;
          this.textEnd = this.i;
          if (t === tType) {
            const s = this.strings.get(this.buf, this.textStart, this.textEnd, unescapeRaw);
            const type = TYPES[s];
            if (type === undefined || !Object.hasOwn(TYPES, s)) throw this.fail(`invalid metric type ${goQuote(s)}`);
            this.metricType = type;
          } else if (!validUTF8(this.buf, this.textStart, this.textEnd)) {
            throw this.fail(`help text ${goQuoteBytes(this.buf, this.textStart, this.textEnd)} is not a valid utf8 string`);
          }
          const t4 = this.tok();
          if (t4 !== tLinebreak) throw this.perr("linebreak expected after metadata", t4);
          this.textIsHelp = t === tHelp;
          return t === tHelp ? E_HELP : E_TYPE;
        }
        case tComment: {
          this.textStart = this.start;
          this.textEnd = this.i;
          const t2 = this.tok();
          if (t2 !== tLinebreak) throw this.perr("linebreak expected after comment", t2);
          return E_COMMENT;
        }
        case tBraceOpen:
          this.push(-1, -1);
          this.parseLVals();
          this.seriesStart = this.lineStart;
          this.seriesEnd = this.i;
          return this.parseMetricSuffix(this.tok());
        case tMName: {
          // Prometheus takes the name from the line start (leading blanks included).
          this.push(this.lineStart, this.i);
          this.seriesStart = this.lineStart;
          this.seriesEnd = this.i;
          let t2 = this.tok();
          if (t2 === tBraceOpen) {
            this.parseLVals();
            this.seriesEnd = this.i;
            t2 = this.tok();
          }
          return this.parseMetricSuffix(t2);
        }
        default:
          throw this.perr("expected a valid start token", t);
      }
    }
  }

  /**
   * The usual label set — `name="value"` pairs of ASCII without escapes, separated by commas — read
   * in one pass (most of a scrape's lines), giving the offsets the token by token path below would.
   * Anything else (blanks, escapes, bytes >= 0x80, NULs, quoted names, errors) returns false with
   * nothing changed, for that path to read the line.
   */
  private fastLVals(): boolean {
    const b = this.buf;
    const n = this.n;
    const nOff = this.nOff;
    let i = this.i;
    for (;;) {
      let c = i < n ? b[i]! : 0;
      if (c === 125) break;
      if (!(CLASS[c]! & C_L)) return this.undo(nOff);
      const nameStart = i;
      do c = ++i < n ? b[i]! : 0;
      while (CLASS[c]! & (C_L | C_D));
      if (c !== 61 || i + 1 >= n || b[i + 1] !== 34) return this.undo(nOff);
      const nameEnd = i;
      i += 2;
      const valueStart = i;
      while (i < n && (c = b[i]!) !== 34 && c !== 92 && c !== 10 && c !== 0 && c < 0x80) i++;
      if (i >= n || b[i] !== 34) return this.undo(nOff);
      this.push(nameStart, nameEnd);
      this.push(valueStart, i);
      c = ++i < n ? b[i]! : 0;
      if (c === 44) {
        i++;
        continue;
      }
      if (c !== 125) return this.undo(nOff);
      break;
    }
    // As after the closing brace's token: past it, in the value state.
    this.start = i;
    this.i = i + 1;
    this.state = S_VALUE;
    return true;
  }

  private undo(nOff: number): false {
    this.nOff = nOff;
    return false;
  }

  private parseLVals(): void {
    if (this.fastLVals()) return;
    const b = this.buf;
    let t = this.tok();
    for (;;) {
      let curStart = this.start;
      let curI = this.i;
      let isQ = false;
      if (t === tBraceClose) return;
      if (t === tQString) isQ = true;
      else if (t !== tLName) throw this.perr("expected label name", t);
      t = this.tok();
      if (isQ && (t === tComma || t === tBraceClose)) {
        if (this.offsets[0] !== -1 || this.offsets[1] !== -1) {
          throw this.fail(`metric name already set while parsing: ${goQuoteBytes(b, this.lineStart, this.i)}`);
        }
        this.offsets[0] = curStart + 1;
        this.offsets[1] = curI - 1;
        if (t === tBraceClose) return;
        t = this.tok();
        continue;
      }
      if (b[curStart] === 34) {
        curStart++;
        curI--;
      }
      this.push(curStart, curI);
      if (t !== tEqual) throw this.perr("expected equal", t);
      const t2 = this.tok();
      if (t2 !== tLValue) throw this.perr("expected label value", t2);
      if (this.qHigh && !validUTF8(b, this.start, this.i)) {
        throw this.fail(`invalid UTF-8 label value: ${goQuoteBytes(b, this.start, this.i)}`);
      }
      this.push(this.start + 1, this.i - 1);
      t = this.tok();
      if (t === tComma) t = this.tok();
    }
  }

  private parseMetricSuffix(t: number): EntryKind {
    if (this.offsets[0] === -1) {
      throw this.fail(`metric name not set while parsing: ${goQuoteBytes(this.buf, this.lineStart, this.i)}`);
    }
    if (t !== tValue) throw this.perr("expected value after metric", t);
    try {
      this.value = parsePromFloat(this.buf, this.start, this.i);
    } catch (e) {
      throw this.numberError(e);
    }
    this.hasTimestamp = false;
    const t2 = this.tok();
    if (t2 === tTimestamp) {
      this.hasTimestamp = true;
      try {
        this.timestamp = parseGoInt64Digits(this.buf, this.start, this.i);
      } catch (e) {
        throw this.numberError(e);
      }
      const t3 = this.tok();
      if (t3 !== tLinebreak) throw this.perr("expected next entry after timestamp", t3);
    } else if (t2 !== tLinebreak) {
      throw this.perr("expected timestamp or new record", t2);
    }
    return E_SERIES;
  }

  private numberError(e: unknown): ParseError {
    if (!(e instanceof NumberSyntaxError)) throw e;
    return this.fail(`${e.message} while parsing: ${goQuoteBytes(this.buf, this.lineStart, this.i)}`);
  }

  // ---- accessors ---------------------------------------------------------------------------------

  labels(lb: LabelsBuilder): LabelsBuilder {
    return decodeLabels(this.buf, this.offsets, this.nOff, this.metricType, lb);
  }

  exemplar(_lb: LabelsBuilder): boolean {
    return false;
  }

  startTimestamp(): number {
    return 0;
  }

  metadataName(): string {
    // Prometheus hands back the name bytes as written (quotes removed, escapes kept).
    return this.strings.get(this.buf, this.offsets[0]!, this.offsets[1]!, unescapeRaw);
  }

  helpText(): string {
    return this.textIsHelp ? this.strings.get(this.buf, this.textStart, this.textEnd, unescapeHelp) : "";
  }

  unitText(): string {
    return "";
  }

  commentText(): string {
    return unescapeRaw(this.buf, this.textStart, this.textEnd);
  }
}

const utf8 = new TextDecoder();

/** A HELP text's escapes (\\ and \n). */
function unescapeHelp(b: Uint8Array, start: number, end: number): string {
  return unescape(b, start, end, false);
}

function unescapeRaw(b: Uint8Array, start: number, end: number): string {
  return utf8.decode(b.subarray(start, end));
}
