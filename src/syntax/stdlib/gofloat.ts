// Go's strconv float formatting ('e', 'E', 'f', 'F', 'g', 'G', 'b', 'x',
// 'X' with a precision, or -1 for the shortest representation), used by
// string.format. Fixed precisions round the exact binary value half to
// even, as Go does (JavaScript's toFixed rounds halves up).

/** Decimal digits of a float: value = 0.d1d2...dn * 10^dp; nd = 0 means zero. */
interface Digits {
  d: string;
  dp: number;
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

function bits(f: number): { mant: bigint; exp: number; neg: boolean } {
  f64[0] = f;
  const b = u64[0]!;
  const neg = b >> 63n === 1n;
  const e = Number((b >> 52n) & 0x7ffn);
  const frac = b & ((1n << 52n) - 1n);
  if (e === 0) return { mant: frac, exp: -1074, neg }; // subnormal
  return { mant: frac | (1n << 52n), exp: e - 1075, neg };
}

/** The exact decimal expansion of |f| (finite). */
function exactDigits(f: number): Digits {
  if (f === 0) return { d: "", dp: 0 };
  const { mant, exp } = bits(f);
  let digits: string;
  let fracDigits: number;
  if (exp >= 0) {
    digits = (mant << BigInt(exp)).toString();
    fracDigits = 0;
  } else {
    digits = (mant * 5n ** BigInt(-exp)).toString();
    fracDigits = -exp;
  }
  let dp = digits.length - fracDigits;
  // Strip leading zeros (only possible when fracDigits > length) and trailing zeros.
  let start = 0;
  while (start < digits.length - 1 && digits[start] === "0") {
    start++;
    dp--;
  }
  let end = digits.length;
  while (end > start && digits[end - 1] === "0") end--;
  return { d: digits.slice(start, end), dp };
}

/** Shortest digits that round-trip (what Go and JavaScript both produce). */
function shortestDigits(f: number): Digits {
  if (f === 0) return { d: "", dp: 0 };
  const s = Math.abs(f).toExponential();
  const e = s.indexOf("e");
  let d = s.slice(0, e).replace(".", "");
  while (d.length > 1 && d.endsWith("0")) d = d.slice(0, -1);
  return { d, dp: Number(s.slice(e + 1)) + 1 };
}

/** Rounds to nd digits, half to even on the exact digits; trailing zeros trimmed. */
function roundDigits(x: Digits, nd: number): Digits {
  if (nd < 0) return { d: "", dp: 0 };
  if (nd >= x.d.length) return x;
  let roundUp: boolean;
  const next = x.d.charCodeAt(nd);
  if (next > 0x35) roundUp = true;
  else if (next < 0x35) roundUp = false;
  else if (nd + 1 < x.d.length) roundUp = true; // more than half
  else roundUp = nd > 0 && (x.d.charCodeAt(nd - 1) - 0x30) % 2 === 1; // exactly half: to even
  let d = x.d.slice(0, nd);
  let dp = x.dp;
  if (roundUp) {
    const arr = d.split("");
    let i = arr.length - 1;
    while (i >= 0 && arr[i] === "9") {
      arr[i] = "0";
      i--;
    }
    if (i < 0) {
      arr.unshift("1");
      arr.pop();
      dp++;
      if (arr.length === 0) arr.push("1");
    } else {
      arr[i] = String.fromCharCode(arr[i]!.charCodeAt(0) + 1);
    }
    d = arr.join("");
    if (d === "") {
      d = "1";
    }
  }
  let end = d.length;
  while (end > 0 && d[end - 1] === "0") end--;
  d = d.slice(0, end);
  return { d, dp: d === "" ? 0 : dp };
}

function digitAt(x: Digits, i: number): string {
  return i >= 0 && i < x.d.length ? x.d[i]! : "0";
}

// %e: d.ddddde±dd
function fmtE(x: Digits, prec: number, e: string): string {
  let s = x.d.length === 0 ? "0" : x.d[0]!;
  if (prec > 0) {
    s += ".";
    for (let i = 1; i <= prec; i++) s += digitAt(x, i);
  }
  const exp = x.d.length === 0 ? 0 : x.dp - 1;
  const abs = Math.abs(exp);
  return s + e + (exp < 0 ? "-" : "+") + (abs < 10 ? "0" + abs : String(abs));
}

// %f: ddd.ddd
function fmtF(x: Digits, prec: number): string {
  let s = "";
  if (x.dp > 0) {
    for (let i = 0; i < x.dp; i++) s += digitAt(x, i);
  } else {
    s = "0";
  }
  if (prec > 0) {
    s += ".";
    for (let i = 0; i < prec; i++) s += digitAt(x, x.dp + i);
  }
  return s;
}

// %b: mantissa p exponent, e.g. 4503599627370496p-52.
function fmtB(f: number): string {
  const { mant, exp, neg } = bits(f);
  const e = exp;
  return (neg ? "-" : "") + mant.toString() + "p" + (e >= 0 ? "+" : "") + e;
}

// %x: hexadecimal mantissa and binary exponent, e.g. 0x1.8p+01.
function fmtX(f: number, prec: number, upper: boolean): string {
  let { mant, exp } = bits(Math.abs(f));
  const neg = f < 0 || Object.is(f, -0);
  let s: string;
  if (mant === 0n) {
    exp = 0;
  } else {
    // Normalise so the leading 1 is bit 52 (subnormals shift up).
    while (mant < 1n << 52n) {
      mant <<= 1n;
      exp--;
    }
    exp += 52;
  }
  // 13 hex digits of fraction below the leading bit.
  let frac = mant & ((1n << 52n) - 1n);
  let lead = mant === 0n ? 0n : 1n;
  let hexFrac = frac.toString(16).padStart(13, "0");
  if (prec >= 0 && prec < 13) {
    // Round half to even at the requested hex digit.
    const shift = BigInt((13 - prec) * 4);
    const full = (lead << 52n) | frac;
    const half = 1n << (shift - 1n);
    const rem = full & ((1n << shift) - 1n);
    let kept = full >> shift;
    if (rem > half || (rem === half && (kept & 1n) === 1n)) kept++;
    const total = kept << shift;
    if (total >> 53n !== 0n) {
      exp++;
      lead = 1n;
      frac = 0n;
    } else {
      lead = total >> 52n;
      frac = total & ((1n << 52n) - 1n);
    }
    hexFrac = frac.toString(16).padStart(13, "0").slice(0, prec);
  } else {
    hexFrac = hexFrac.replace(/0+$/, "");
    if (prec > 13) hexFrac = hexFrac.padEnd(prec, "0");
  }
  s = "0x" + lead.toString() + (hexFrac.length > 0 ? "." + hexFrac : "") + "p";
  const abs = Math.abs(exp);
  s += (exp < 0 ? "-" : "+") + (abs < 10 ? "0" + abs : String(abs));
  if (upper) s = s.toUpperCase();
  return (neg ? "-" : "") + s;
}

/** strconv.FormatFloat(f, fmt, prec, 64). */
export function formatFloat(f: number, fmt: string, prec: number): string {
  if (Number.isNaN(f)) return "NaN";
  if (f === Infinity) return "+Inf";
  if (f === -Infinity) return "-Inf";
  if (fmt === "b") return fmtB(f);
  if (fmt === "x" || fmt === "X") return fmtX(f, prec, fmt === "X");
  const neg = f < 0 || Object.is(f, -0);
  const shortest = prec < 0;
  let x: Digits;
  if (shortest) {
    x = shortestDigits(f);
    switch (fmt) {
      case "e":
      case "E":
        prec = Math.max(x.d.length - 1, 0);
        break;
      case "f":
      case "F":
        prec = Math.max(x.d.length - x.dp, 0);
        break;
      default:
        prec = x.d.length;
    }
  } else {
    const exact = exactDigits(f);
    switch (fmt) {
      case "e":
      case "E":
        x = roundDigits(exact, prec + 1);
        break;
      case "f":
      case "F":
        x = roundDigits(exact, exact.dp + prec);
        break;
      default:
        if (prec === 0) prec = 1;
        x = roundDigits(exact, prec);
    }
  }
  let body: string;
  switch (fmt) {
    case "e":
    case "E":
      body = fmtE(x, prec, fmt);
      break;
    case "f":
    case "F":
      body = fmtF(x, prec);
      break;
    default: {
      // %g: %e for large or small exponents, otherwise %f.
      let eprec = prec;
      if (eprec > x.d.length && x.d.length >= x.dp) eprec = x.d.length;
      if (shortest) eprec = 6;
      const exp = x.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > x.d.length) prec = x.d.length;
        body = fmtE(x, prec - 1, fmt === "G" ? "E" : "e");
      } else {
        if (prec > x.dp) prec = x.d.length;
        body = fmtF(x, Math.max(prec - x.dp, 0));
      }
    }
  }
  return neg ? "-" + body : body;
}
