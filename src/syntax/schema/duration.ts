// Go's time.Duration text format, which Alloy uses for every duration
// argument ("15s", "1m30s", "1.5h", "250ms", "-2h45m").
//
// Durations are carried as a number of nanoseconds (a JavaScript number, as
// Go's int64 nanoseconds). Constants below mirror Go's, so that component
// code can write `30 * Second`.

export const Nanosecond = 1;
export const Microsecond = 1000;
export const Millisecond = 1_000_000;
export const Second = 1_000_000_000;
export const Minute = 60 * Second;
export const Hour = 60 * Minute;

/** A duration in nanoseconds. */
export type Duration = number;

const unitNanos: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  "\u00b5s": 1000n, // U+00B5 micro sign
  "\u03bcs": 1000n, // U+03BC Greek letter mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX = 1n << 63n;
const hexDigits = "0123456789abcdef";
const encoder = new TextEncoder();

// Go's time.quote: non-ASCII and control characters as \x escapes of their
// UTF-8 bytes, quotes and backslashes escaped.
function timeQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x80 || c < 0x20) {
      for (const b of encoder.encode(ch)) out += "\\x" + hexDigits[b >> 4] + hexDigits[b & 15];
    } else {
      if (ch === '"' || ch === "\\") out += "\\";
      out += ch;
    }
  }
  return out + '"';
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * Parses a duration string with Go's time.ParseDuration rules and errors,
 * returning nanoseconds as a bigint (exact).
 */
export function parseDurationBig(orig: string): bigint {
  const invalid = (): Error => new Error("time: invalid duration " + timeQuote(orig));
  let s = orig;
  let neg = false;
  if (s !== "" && (s[0] === "-" || s[0] === "+")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") throw invalid();

  let total = 0n;
  let i = 0;
  while (i < s.length) {
    const c0 = s.charCodeAt(i);
    if (!(c0 === 0x2e || isDigit(c0))) throw invalid();

    // Integer part.
    const intStart = i;
    let v = 0n;
    while (i < s.length && isDigit(s.charCodeAt(i))) {
      if (v > MAX / 10n) throw invalid();
      v = v * 10n + BigInt(s.charCodeAt(i) - 0x30);
      if (v > MAX) throw invalid();
      i++;
    }
    const pre = i !== intStart;

    // Fraction: digits beyond what fits are ignored, as in Go.
    let frac = 0n;
    let scale = 1;
    let post = false;
    if (i < s.length && s[i] === ".") {
      i++;
      const fracStart = i;
      let overflow = false;
      while (i < s.length && isDigit(s.charCodeAt(i))) {
        if (!overflow) {
          const next = frac * 10n + BigInt(s.charCodeAt(i) - 0x30);
          if (frac > MAX / 10n || next > MAX) overflow = true;
          else {
            frac = next;
            scale *= 10;
          }
        }
        i++;
      }
      post = i !== fracStart;
    }
    if (!pre && !post) throw invalid();

    // Unit: everything up to the next digit or dot.
    const unitStart = i;
    while (i < s.length && s[i] !== "." && !isDigit(s.charCodeAt(i))) i++;
    if (i === unitStart) throw new Error("time: missing unit in duration " + timeQuote(orig));
    const u = s.slice(unitStart, i);
    const unit = unitNanos[u];
    if (unit === undefined) {
      throw new Error("time: unknown unit " + timeQuote(u) + " in duration " + timeQuote(orig));
    }
    if (v > MAX / unit) throw invalid();
    v *= unit;
    if (frac > 0n) {
      v += BigInt(Math.trunc(Number(frac) * (Number(unit) / scale)));
      if (v > MAX) throw invalid();
    }
    total += v;
    if (total > MAX) throw invalid();
  }
  if (neg) return -total;
  if (total > MAX - 1n) throw invalid();
  return total;
}

/** Parses a duration string (Go's time.ParseDuration) into nanoseconds. */
export function parseDuration(s: string): Duration {
  return Number(parseDurationBig(s));
}

// Writes v / 10^prec with the fraction's trailing zeros (and a bare dot) removed.
function fracText(v: bigint, prec: number): { text: string; rest: bigint } {
  let text = "";
  let printed = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    printed = printed || digit !== 0n;
    if (printed) text = digit.toString() + text;
    v /= 10n;
  }
  if (printed) text = "." + text;
  return { text, rest: v };
}

/** Go's Duration.String(): "1h2m3.5s", "1.5µs", "0s", "-2m0s". */
export function formatDuration(d: Duration | bigint): string {
  const n = BigInt.asIntN(64, typeof d === "bigint" ? d : BigInt(Math.trunc(d)));
  const neg = n < 0n;
  const u = neg ? -n : n;
  let out: string;
  if (u < 1_000_000_000n) {
    if (u === 0n) return "0s";
    let prec: number;
    let unit: string;
    if (u < 1000n) {
      prec = 0;
      unit = "ns";
    } else if (u < 1_000_000n) {
      prec = 3;
      unit = "\u00b5s";
    } else {
      prec = 6;
      unit = "ms";
    }
    const { text, rest } = fracText(u, prec);
    out = rest.toString() + text + unit;
  } else {
    const { text, rest } = fracText(u, 9);
    let secs = rest;
    out = (secs % 60n).toString() + text + "s";
    secs /= 60n;
    if (secs > 0n) {
      out = (secs % 60n).toString() + "m" + out;
      secs /= 60n;
      if (secs > 0n) out = secs.toString() + "h" + out;
    }
  }
  return neg ? "-" + out : out;
}
