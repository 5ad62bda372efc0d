// Alloy numbers. Alloy keeps the Go kind of a number (int64, uint64 or
// float64) and does arithmetic in that kind with Go's wrap-around, so a
// JavaScript `number` is not enough: integers are held as bigint (always in
// the 64-bit range of their kind), floats as `number`.

export type NumberKind = "int" | "uint" | "float";

const INT64_MIN = -(1n << 63n);

/** Go's int64(f) for a float: truncation; NaN and out-of-range give MinInt64 (as on amd64). */
function floatToInt64(f: number): bigint {
  if (!Number.isFinite(f) || f >= 9223372036854775808 || f < -9223372036854775808) return INT64_MIN;
  return BigInt(Math.trunc(f));
}

/** Go's uint64(f) for a float, following the amd64 conversion sequence. */
function floatToUint64(f: number): bigint {
  if (Number.isFinite(f) && f >= 9223372036854775808 && f < 18446744073709551616) {
    return BigInt(Math.trunc(f));
  }
  return BigInt.asUintN(64, floatToInt64(f));
}

/** An immutable Alloy number. */
export class NumberValue {
  readonly kind: NumberKind;
  /** Integer payload for int (signed 64-bit range) and uint (unsigned 64-bit range). */
  readonly big: bigint;
  /** Payload for float. */
  readonly float: number;

  private constructor(kind: NumberKind, big: bigint, float: number) {
    this.kind = kind;
    this.big = big;
    this.float = float;
  }

  /** An int64, wrapping values outside the range. */
  static int(v: bigint | number): NumberValue {
    const b = typeof v === "bigint" ? v : BigInt(Math.trunc(v));
    return new NumberValue("int", BigInt.asIntN(64, b), 0);
  }

  /** A uint64, wrapping values outside the range. */
  static uint(v: bigint | number): NumberValue {
    const b = typeof v === "bigint" ? v : BigInt(Math.trunc(v));
    return new NumberValue("uint", BigInt.asUintN(64, b), 0);
  }

  static float(v: number): NumberValue {
    return new NumberValue("float", 0n, v);
  }

  /** Go's Number.Int(): the value as int64 (floats truncate, uints wrap). */
  toInt64(): bigint {
    switch (this.kind) {
      case "int":
        return this.big;
      case "uint":
        return BigInt.asIntN(64, this.big);
      default:
        return floatToInt64(this.float);
    }
  }

  /** Go's Number.Uint(): the value as uint64. */
  toUint64(): bigint {
    switch (this.kind) {
      case "int":
        return BigInt.asUintN(64, this.big);
      case "uint":
        return this.big;
      default:
        return floatToUint64(this.float);
    }
  }

  /** Go's Number.Float(). */
  toFloat64(): number {
    return this.kind === "float" ? this.float : Number(this.big);
  }

  /** The value as a JavaScript number (may lose precision beyond 2^53). */
  toNumber(): number {
    return this.kind === "float" ? this.float : Number(this.big);
  }

  /** Go's Number.ToString(): decimal integers, floats as strconv 'f' -1. */
  toString(): string {
    return this.kind === "float" ? formatFloatF(this.float) : this.big.toString();
  }
}

// Splits the shortest round-trip representation of a finite, non-zero
// |f| into its decimal digits and the exponent of the first digit, so that
// value = 0.d1d2d3... * 10^exp.
export function shortestDigits(f: number): { digits: string; exp: number } {
  const s = Math.abs(f).toExponential(); // shortest round-trip digits, e.g. "1.2345e+21"
  const e = s.indexOf("e");
  const mantissa = s.slice(0, e).replace(".", "");
  const exp = Number(s.slice(e + 1)) + 1;
  let digits = mantissa;
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 0x30) end--;
  digits = digits.slice(0, end);
  return { digits, exp };
}

/** strconv.FormatFloat(f, 'f', -1, 64): shortest digits, never an exponent. */
export function formatFloatF(f: number): string {
  if (Number.isNaN(f)) return "NaN";
  if (f === Infinity) return "+Inf";
  if (f === -Infinity) return "-Inf";
  const neg = f < 0 || Object.is(f, -0);
  if (f === 0) return neg ? "-0" : "0";
  const { digits, exp } = shortestDigits(f);
  let out: string;
  if (exp <= 0) {
    out = "0." + "0".repeat(-exp) + digits;
  } else if (exp >= digits.length) {
    out = digits + "0".repeat(exp - digits.length);
  } else {
    out = digits.slice(0, exp) + "." + digits.slice(exp);
  }
  return neg ? "-" + out : out;
}

/** Picks the kind two operands are computed in: uint < int < float. */
export function fitNumberKinds(a: NumberKind, b: NumberKind): NumberKind {
  if (a === "float" || b === "float") return "float";
  if (a === "int" || b === "int") return "int";
  return "uint";
}

const decimalDigits = /^[0-9]+$/;

/**
 * Go's strconv.ParseInt(s, 0, 64) restricted to what the Alloy scanner can
 * produce for a NUMBER token (decimal digits): a leading 0 means octal.
 * Returns undefined when the text is not a valid int64.
 */
function parseGoInt(lit: string, unsigned: boolean): bigint | undefined {
  if (!decimalDigits.test(lit)) return undefined;
  let v: bigint;
  if (lit.length > 1 && lit.charCodeAt(0) === 0x30) {
    if (/[89]/.test(lit)) return undefined;
    v = BigInt("0o" + lit.slice(1));
  } else {
    v = BigInt(lit);
  }
  if (unsigned) return v < 1n << 64n ? v : undefined;
  return v < 1n << 63n ? v : undefined;
}

/**
 * Converts the text of a NUMBER literal to a value the way Alloy does: int64
 * first, then uint64, then float64.
 */
export function numberFromLiteral(lit: string): NumberValue {
  const i = parseGoInt(lit, false);
  if (i !== undefined) return NumberValue.int(i);
  const u = parseGoInt(lit, true);
  if (u !== undefined) return NumberValue.uint(u);
  return NumberValue.float(parseGoFloat(lit));
}

/** Error raised by parseGoFloat; its message matches strconv's. */
export class NumError extends Error {
  constructor(func: string, input: string, reason: string) {
    super(`strconv.${func}: parsing ${goQuoteAscii(input)}: ${reason}`);
    this.name = "NumError";
  }
}

function goQuoteAscii(s: string): string {
  return JSON.stringify(s);
}

const floatSyntax = /^[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN])$/;

/**
 * strconv.ParseFloat(s, 64) for decimal input: out-of-range values are an
 * error ("value out of range"), as are malformed ones ("invalid syntax").
 */
export function parseGoFloat(s: string): number {
  const t = s.replace(/_/g, "");
  if (!floatSyntax.test(t) || t !== s) throw new NumError("ParseFloat", s, "invalid syntax");
  const lower = t.toLowerCase();
  if (lower.endsWith("inf") || lower.endsWith("infinity")) return t.startsWith("-") ? -Infinity : Infinity;
  if (lower === "nan") return NaN;
  const f = Number(t);
  if (!Number.isFinite(f)) throw new NumError("ParseFloat", s, "value out of range");
  return f;
}
