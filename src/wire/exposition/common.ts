// Shared pieces of the exposition parsers: entry kinds, metric types, tokens, the parse error, and the
// decoding of label names/values from the body bytes.
//
// Why hand-written: the parsers report entries through fields and numeric kinds (no object per sample),
// and reproduce Prometheus textparse's error texts, which name the lexer's token kinds; so the token
// names and the error format live here once for the text and OpenMetrics lexers.

import type { LabelsBuilder } from "../labels/builder.ts";
import type { NativeHistogram } from "../histogram.ts";
import { formatOpenMetricsFloat, tryParseGoFloatString } from "./float.ts";
import { goQuote, goQuoteBytes } from "./goquote.ts";

/** What Parser.next() found. */
export const Entry = {
  EOF: 0,
  Series: 1,
  Help: 2,
  Type: 3,
  Unit: 4,
  Comment: 5,
  Histogram: 6,
} as const;
export type EntryKind = (typeof Entry)[keyof typeof Entry];

/** Prometheus's model.MetricType values. */
export type MetricType = "counter" | "gauge" | "histogram" | "gaugehistogram" | "summary" | "info" | "stateset" | "unknown";

/** Lexer tokens, numbered as Prometheus's (their names appear in error messages). */
export const T = {
  Invalid: -1,
  EOF: 0,
  Linebreak: 2,
  Whitespace: 3,
  Help: 4,
  Type: 5,
  Unit: 6,
  EOFWord: 7,
  Text: 8,
  Comment: 9,
  Blank: 10,
  MName: 11,
  QString: 12,
  BraceOpen: 13,
  BraceClose: 14,
  LName: 15,
  LValue: 16,
  Comma: 17,
  Equal: 18,
  Timestamp: 19,
  Value: 20,
} as const;

const TOKEN_NAMES: Record<number, string> = {
  [-1]: "INVALID", 0: "EOF", 2: "LINEBREAK", 3: "WHITESPACE", 4: "HELP", 5: "TYPE", 6: "UNIT", 7: "EOFWORD",
  8: "TEXT", 9: "COMMENT", 10: "BLANK", 11: "MNAME", 12: "QSTRING", 13: "BOPEN", 14: "BCLOSE", 15: "LNAME",
  16: "LVALUE", 17: "COMMA", 18: "EQUAL", 19: "TIMESTAMP", 20: "VALUE",
};

export function tokenName(t: number): string {
  return TOKEN_NAMES[t] ?? `<invalid: ${t}>`;
}

/**
 * A scrape body that cannot be parsed. `reason` is Prometheus's own error text; `message` adds the
 * 1-based line number.
 */
export class ParseError extends Error {
  override name = "ParseError";
  constructor(readonly reason: string, readonly line: number) {
    super(line > 0 ? `line ${line}: ${reason}` : reason);
  }
}

/** The 1-based line of byte offset `pos`. */
export function lineOf(b: Uint8Array, pos: number): number {
  let line = 1;
  const end = Math.min(pos, b.length);
  for (let i = 0; i < end; i++) if (b[i] === 10) line++;
  return line;
}

/** Prometheus's parseError text. */
export function parseErrorText(b: Uint8Array, exp: string, got: number, tokStart: number, lexI: number, lineStart: number): string {
  const e = Math.min(b.length, lexI + 1);
  return `${exp}, got ${goQuoteBytes(b, tokStart, e)} (${goQuote(tokenName(got))}) while parsing: ${goQuoteBytes(b, lineStart, e)}`;
}

export { goQuote, goQuoteBytes };

const utf8 = new TextDecoder();

/** The string of b[start:end] (UTF-8). */
export function decodeString(b: Uint8Array, start: number, end: number): string {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (b[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (!ascii) return utf8.decode(b.subarray(start, end));
  const n = end - start;
  if (n <= 24) {
    let s = "";
    for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
    return s;
  }
  return String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
}

/**
 * Decodes b[start:end] with the label-value escapes \" \\ \n (other backslashes stay as they are), as
 * Prometheus's lvalReplacer; with `quotes` false only \\ and \n (the text format's HELP escapes).
 */
export function unescape(b: Uint8Array, start: number, end: number, quotes = true): string {
  let bs = -1;
  for (let i = start; i < end; i++) {
    if (b[i] === 0x5c) {
      bs = i;
      break;
    }
  }
  if (bs < 0) return decodeString(b, start, end);
  const out = new Uint8Array(end - start);
  let w = 0;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c === 0x5c && i + 1 < end) {
      const d = b[i + 1]!;
      if (d === 0x5c) { out[w++] = 0x5c; i++; continue; }
      if (d === 0x6e) { out[w++] = 0x0a; i++; continue; }
      if (d === 0x22 && quotes) { out[w++] = 0x22; i++; continue; }
    }
    out[w++] = c;
  }
  return decodeString(out, 0, w);
}

/**
 * normalizeFloatsInLabelValues: `quantile` of a summary and `le` of a histogram are rewritten in the
 * OpenMetrics float format ("1" becomes "1.0") when they parse as floats.
 */
export function normalizeLabelValue(type: MetricType, name: string, value: string): string {
  if ((type === "summary" && name === "quantile") || (type === "histogram" && name === "le")) {
    if (value === "+Inf" || value === "1.0" || value === "0.0") return value;
    const f = tryParseGoFloatString(value);
    if (f !== undefined) return formatOpenMetricsFloat(f);
  }
  return value;
}

/**
 * Fills `lb` from a label offset list: [nameStart, nameEnd, (lnStart, lnEnd, lvStart, lvEnd)*], adding
 * __name__ first, then sorts. Shared by the text and OpenMetrics parsers.
 */
export function decodeLabels(b: Uint8Array, offsets: Int32Array, n: number, type: MetricType, lb: LabelsBuilder): LabelsBuilder {
  lb.reset();
  lb.add("__name__", unescape(b, offsets[0]!, offsets[1]!));
  for (let i = 2; i + 3 < n; i += 4) {
    const name = unescape(b, offsets[i]!, offsets[i + 1]!);
    const value = unescape(b, offsets[i + 2]!, offsets[i + 3]!);
    lb.add(name, normalizeLabelValue(type, name, value));
  }
  return lb.sort();
}

/** The interface every exposition parser (text, OpenMetrics, protobuf) offers. */
export interface ExpositionParser {
  /** Advances to the next entry; Entry.EOF at the end. Throws ParseError. */
  next(): EntryKind;
  /** The bytes that identify the current series (raw text for the text formats): buf[seriesStart:seriesEnd]. */
  readonly buf: Uint8Array;
  readonly seriesStart: number;
  readonly seriesEnd: number;
  /** Float sample value of the current Series entry. */
  readonly value: number;
  /** Whether the current sample carries its own timestamp, and the timestamp in milliseconds. */
  readonly hasTimestamp: boolean;
  readonly timestamp: number;
  /** The type from the last TYPE line (or the MetricFamily). */
  readonly metricType: MetricType;
  /** Fills `h` with the native histogram of the current Histogram entry (protobuf format only). */
  histogram?(h: NativeHistogram): NativeHistogram;
  /** Fills `lb` with the sorted labels of the current sample (including __name__). */
  labels(lb: LabelsBuilder): LabelsBuilder;
  /** Fills `lb` with the next exemplar's labels and sets exemplarValue/Timestamp; false when none is left. */
  exemplar(lb: LabelsBuilder): boolean;
  readonly exemplarValue: number;
  readonly exemplarHasTimestamp: boolean;
  readonly exemplarTimestamp: number;
  /** Start (created) timestamp in ms of the current sample, or 0 if unknown. */
  startTimestamp(): number;
  /** Metric family name of the current HELP/TYPE/UNIT entry. */
  metadataName(): string;
  /** Text of the current HELP entry (unescaped). */
  helpText(): string;
  /** Unit of the current UNIT entry. */
  unitText(): string;
  /** Text of the current comment entry. */
  commentText(): string;
}
