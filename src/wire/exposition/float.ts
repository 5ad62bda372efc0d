// Go's strconv.ParseFloat / ParseInt / FormatFloat('g', -1) semantics on bytes, for sample values,
// timestamps and the OpenMetrics normalisation of `le` and `quantile` label values.
//
// Why hand-written: JavaScript's Number() accepts what Go rejects ("0x10", "Infinity", " 1", "") and
// rejects what Go accepts ("inf", "nan", "+Inf"); Prometheus additionally refuses p, P and _. Parsing
// straight from the scrape bytes also avoids making a string per sample: up to 15 significant digits
// and a power of ten up to 22 are computed exactly (one correctly rounded operation); anything longer
// falls back to Number() on a string, which is correctly rounded too.

import { goQuoteBytes } from "./goquote.ts";

const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** A value Prometheus cannot parse; `message` is the Go error text. */
export class NumberSyntaxError extends Error {}

function latin1(b: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
}

function quoteRange(b: Uint8Array, start: number, end: number): string {
  return goQuoteBytes(b, start, end);
}

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function matchWordIgnoreCase(b: Uint8Array, i: number, end: number, word: string): number {
  let n = 0;
  while (n < word.length && i + n < end && lower(b[i + n]!) === word.charCodeAt(n)) n++;
  return n;
}

/**
 * Go's strconv.ParseFloat(s, 64) for s = b[start:end]. Throws NumberSyntaxError with Go's message
 * ("strconv.ParseFloat: parsing \"x\": invalid syntax" / "value out of range").
 */
export function parseGoFloat(b: Uint8Array, start: number, end: number): number {
  let i = start;
  let neg = false;
  if (i < end && (b[i] === 0x2b || b[i] === 0x2d)) {
    neg = b[i] === 0x2d;
    i++;
    if (i < end && lower(b[i]!) === 0x69) return special(b, start, i, end, neg);
  } else if (i < end) {
    const c = lower(b[i]!);
    if (c === 0x69) return special(b, start, i, end, false);
    if (c === 0x6e) {
      if (end - i === 3 && matchWordIgnoreCase(b, i, end, "nan") === 3) return NaN;
      throw syntax(b, start, end);
    }
  }
  let mant = 0;
  let nd = 0; // significant digits taken into mant
  let exp10 = 0;
  let sawDigits = false;
  let sawDot = false;
  let truncated = false;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c >= 0x30 && c <= 0x39) {
      sawDigits = true;
      if (nd === 0 && c === 0x30) {
        if (sawDot) exp10--;
        continue;
      }
      if (nd < 19) {
        mant = mant * 10 + (c - 0x30);
        nd++;
        if (sawDot) exp10--;
      } else {
        truncated = true;
        if (!sawDot) exp10++;
      }
    } else if (c === 0x2e && !sawDot) {
      sawDot = true;
    } else break;
  }
  if (!sawDigits) throw syntax(b, start, end);
  if (i < end && (b[i] === 0x65 || b[i] === 0x45)) {
    i++;
    let eneg = false;
    if (i < end && (b[i] === 0x2b || b[i] === 0x2d)) {
      eneg = b[i] === 0x2d;
      i++;
    }
    if (i >= end) throw syntax(b, start, end);
    let e = 0;
    for (; i < end; i++) {
      const c = b[i]!;
      if (c < 0x30 || c > 0x39) break;
      if (e < 100000) e = e * 10 + (c - 0x30);
    }
    exp10 += eneg ? -e : e;
  }
  if (i !== end) throw syntax(b, start, end);
  let v: number;
  if (!truncated && nd <= 15 && exp10 >= -22 && exp10 <= 22) {
    v = exp10 >= 0 ? mant * POW10[exp10]! : mant / POW10[-exp10]!;
    if (neg) v = -v;
  } else if (nd === 0) {
    v = neg ? -0 : 0;
  } else {
    v = Number(latin1(b, start, end));
  }
  if (v === Infinity || v === -Infinity) {
    throw new NumberSyntaxError(`strconv.ParseFloat: parsing ${quoteRange(b, start, end)}: value out of range`);
  }
  return v;
}

function special(b: Uint8Array, start: number, i: number, end: number, neg: boolean): number {
  let n = matchWordIgnoreCase(b, i, end, "infinity");
  if (n > 3 && n < 8) n = 3;
  if ((n === 3 || n === 8) && i + n === end) return neg ? -Infinity : Infinity;
  throw syntax(b, start, end);
}

function syntax(b: Uint8Array, start: number, end: number): NumberSyntaxError {
  return new NumberSyntaxError(`strconv.ParseFloat: parsing ${quoteRange(b, start, end)}: invalid syntax`);
}

/** Prometheus's textparse parseFloat: refuses p, P and _ (pre-Go 1.13 syntax), then ParseFloat. */
export function parsePromFloat(b: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (c === 0x70 || c === 0x50 || c === 0x5f) throw new NumberSyntaxError("unsupported character in float");
  }
  return parseGoFloat(b, start, end);
}

const INT64_MAX = "9223372036854775807";

/** strconv.ParseInt(s, 10, 64) for a run of ASCII digits (the text lexer guarantees digits only). */
export function parseGoInt64Digits(b: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end - 1 && b[i] === 0x30) i++;
  const n = end - i;
  if (n > 19 || (n === 19 && latin1(b, i, end) > INT64_MAX)) {
    throw new NumberSyntaxError(`strconv.ParseInt: parsing ${quoteRange(b, start, end)}: value out of range`);
  }
  if (n <= 15) {
    let v = 0;
    for (; i < end; i++) v = v * 10 + (b[i]! - 0x30);
    return v;
  }
  return Number(latin1(b, i, end));
}

const encoder = new TextEncoder();

/** strconv.ParseFloat on a string, or undefined where Go would return an error. */
export function tryParseGoFloatString(s: string): number | undefined {
  const b = encoder.encode(s);
  try {
    return parseGoFloat(b, 0, b.length);
  } catch {
    return parseHexFloat(s);
  }
}

/** Go's hexadecimal float literals ("0x1p-3", "0X1.8P+1"), which ParseFloat accepts. */
function parseHexFloat(s: string): number | undefined {
  const m = /^([+-]?)0[xX]((?:_?[0-9a-fA-F])*)(?:\.((?:[0-9a-fA-F]_?)*))?[pP]([+-]?\d+)$/.exec(s);
  if (!m || (m[2] === "" && !m[3])) return undefined;
  const digits = (m[2]! + (m[3] ?? "")).replace(/_/g, "");
  let v = 0;
  for (const d of digits) v = v * 16 + parseInt(d, 16);
  const e = Number(m[4]) - 4 * (m[3] ?? "").replace(/_/g, "").length;
  v = v * 2 ** e;
  if (!Number.isFinite(v)) return undefined;
  return m[1] === "-" ? -v : v;
}

/** strconv.FormatFloat(f, 'g', -1, 64). */
export function formatGoFloat(f: number): string {
  if (Number.isNaN(f)) return "NaN";
  if (f === Infinity) return "+Inf";
  if (f === -Infinity) return "-Inf";
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  const sign = f < 0 ? "-" : "";
  const e = Math.abs(f).toExponential();
  const ePos = e.indexOf("e");
  const digits = e[0]! + (ePos > 2 ? e.slice(2, ePos) : "");
  const exp = Number(e.slice(ePos + 1));
  // Shortest formatting switches to %e below 1e-4 and from 1e6 (eprec = 6 in strconv's ftoa).
  if (exp < -4 || exp >= 6) {
    const mant = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
    const ae = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? "-" : "+"}${ae < 10 ? "0" : ""}${ae}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const intLen = exp + 1;
  if (digits.length <= intLen) return sign + digits + "0".repeat(intLen - digits.length);
  return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
}

/** labels.FormatOpenMetricsFloat: Go's 'g' formatting with ".0" added to integers. */
export function formatOpenMetricsFloat(f: number): string {
  if (f === 1) return "1.0";
  if (f === 0) return "0.0";
  if (f === -1) return "-1.0";
  const s = formatGoFloat(f);
  if (s === "NaN" || s === "+Inf" || s === "-Inf") return s;
  return s.includes(".") || s.includes("e") ? s : s + ".0";
}
