// Go's fmt.Sprintf, as string.format exposes it. Arguments arrive as Alloy
// values and are seen the way Go sees them after Alloy decodes them into
// `any`: integers as int (uint64 when too large), floats as float64, arrays
// as []interface{}, objects as map[string]interface{}, secrets as their Go
// types. Formatting follows fmt's verbs, flags, widths, precisions, argument
// indexes and its error notation (%!d(string=x), %!s(MISSING), %!(EXTRA ...)).

import { quote } from "../quote.ts";
import {
  CapsuleValue,
  compareStrings,
  FunctionValue,
  NumberValue,
  ObjectValue,
  OptionalSecretValue,
  SecretValue,
  type Value,
} from "../value/index.ts";
import { formatFloat } from "./gofloat.ts";

type GoArg =
  | { k: "nil" }
  | { k: "bool"; v: boolean }
  | { k: "int"; v: bigint; type: string }
  | { k: "uint"; v: bigint; type: string }
  | { k: "float"; v: number }
  | { k: "string"; v: string; type: string }
  | { k: "slice"; v: GoArg[] }
  | { k: "map"; v: Array<[string, GoArg]> }
  | { k: "struct"; type: string; fields: Array<[string, GoArg]> }
  | { k: "opaque"; text: string; type: string };

const MAX_INT64 = (1n << 63n) - 1n;

/** How Alloy's decode-into-any presents a value to fmt. */
function toGoArg(v: Value): GoArg {
  if (v === null) return { k: "nil" };
  if (typeof v === "boolean") return { k: "bool", v };
  if (typeof v === "string") return { k: "string", v, type: "string" };
  if (v instanceof NumberValue) {
    if (v.kind === "float") return { k: "float", v: v.float };
    if (v.kind === "uint" && v.big > MAX_INT64) return { k: "uint", v: v.big, type: "uint64" };
    return { k: "int", v: v.toInt64(), type: "int" };
  }
  if (Array.isArray(v)) return { k: "slice", v: v.map(toGoArg) };
  if (v instanceof ObjectValue) {
    const keys = [...v.entries.keys()].sort(compareStrings);
    return { k: "map", v: keys.map((key) => [key, toGoArg(v.get(key)!)]) };
  }
  if (v instanceof SecretValue) return { k: "string", v: v.value, type: "alloytypes.Secret" };
  if (v instanceof OptionalSecretValue) {
    return {
      k: "struct",
      type: "alloytypes.OptionalSecret",
      fields: [
        ["IsSecret", { k: "bool", v: v.isSecret }],
        ["Value", { k: "string", v: v.value, type: "string" }],
      ],
    };
  }
  if (v instanceof FunctionValue) return { k: "opaque", text: "0x0", type: "func" };
  const c = v as CapsuleValue;
  return { k: "opaque", text: c.stringer() || c.describe(), type: c.capsuleType };
}

function typeName(a: GoArg): string {
  switch (a.k) {
    case "nil":
      return "<nil>";
    case "bool":
      return "bool";
    case "float":
      return "float64";
    case "slice":
      return "[]interface {}";
    case "map":
      return "map[string]interface {}";
    default:
      return a.type;
  }
}

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  plusV: boolean;
  sharpV: boolean;
  wid: number;
  widPresent: boolean;
  prec: number;
  precPresent: boolean;
}

function clearFlags(): Flags {
  return {
    plus: false,
    minus: false,
    sharp: false,
    space: false,
    zero: false,
    plusV: false,
    sharpV: false,
    wid: 0,
    widPresent: false,
    prec: 0,
    precPresent: false,
  };
}

function runeLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

class Printer {
  out = "";
  f: Flags = clearFlags();

  // --- padding ---------------------------------------------------------

  padding(n: number): string {
    if (n <= 0) return "";
    return (this.f.zero ? "0" : " ").repeat(n);
  }

  pad(s: string): void {
    if (!this.f.widPresent || this.f.wid === 0) {
      this.out += s;
      return;
    }
    const width = this.f.wid - runeLength(s);
    if (this.f.minus) this.out += s + " ".repeat(Math.max(width, 0));
    else this.out += this.padding(width) + s;
  }

  // --- scalars -----------------------------------------------------------

  fmtBool(v: boolean, verb: string, arg: GoArg): void {
    if (verb === "t" || verb === "v") this.pad(v ? "true" : "false");
    else this.badVerb(verb, arg);
  }

  fmtInteger(u: bigint, signed: boolean, verb: string, arg: GoArg): void {
    switch (verb) {
      case "v":
        if (this.f.sharpV && !signed) this.fmt0x64(u);
        else this.integer(u, 10, signed, verb, false);
        return;
      case "d":
        return this.integer(u, 10, signed, verb, false);
      case "b":
        return this.integer(u, 2, signed, verb, false);
      case "o":
      case "O":
        return this.integer(u, 8, signed, verb, false);
      case "x":
        return this.integer(u, 16, signed, verb, false);
      case "X":
        return this.integer(u, 16, signed, verb, true);
      case "c":
        return this.pad(runeString(u));
      case "q":
        return this.pad(quoteRune(u, this.f.plus, this.f.sharp));
      case "U":
        return this.fmtUnicode(u);
      default:
        this.badVerb(verb, arg);
    }
  }

  fmt0x64(u: bigint): void {
    const sharp = this.f.sharp;
    this.f.sharp = true;
    this.integer(u, 16, false, "v", false);
    this.f.sharp = sharp;
  }

  integer(value: bigint, base: number, signed: boolean, verb: string, upper: boolean): void {
    const negative = signed && value < 0n;
    const u = negative ? -value : value;
    let prec = 0;
    if (this.f.precPresent) {
      prec = this.f.prec;
      if (prec === 0 && u === 0n) {
        // Precision 0 and value 0 print nothing but padding.
        const zero = this.f.zero;
        this.f.zero = false;
        this.out += this.f.widPresent ? " ".repeat(this.f.wid) : "";
        this.f.zero = zero;
        return;
      }
    } else if (this.f.zero && !this.f.minus && this.f.widPresent) {
      prec = this.f.wid;
      if (negative || this.f.plus || this.f.space) prec--; // room for the sign
    }
    let digits = u.toString(base);
    if (upper) digits = digits.toUpperCase();
    if (digits.length < prec) digits = "0".repeat(prec - digits.length) + digits;
    if (this.f.sharp) {
      if (base === 2) digits = "0b" + digits;
      else if (base === 8 && digits[0] !== "0") digits = "0" + digits;
      else if (base === 16) digits = (upper ? "0X" : "0x") + digits;
    }
    if (verb === "O") digits = "0o" + digits;
    if (negative) digits = "-" + digits;
    else if (this.f.plus) digits = "+" + digits;
    else if (this.f.space) digits = " " + digits;
    const zero = this.f.zero;
    this.f.zero = false;
    this.pad(digits);
    this.f.zero = zero;
  }

  fmtUnicode(u: bigint): void {
    let h = u.toString(16).toUpperCase();
    const prec = this.f.precPresent && this.f.prec > 4 ? this.f.prec : 4;
    if (h.length < prec) h = "0".repeat(prec - h.length) + h;
    let s = "U+" + h;
    if (this.f.sharp && u <= 0x10ffffn && isPrintRune(Number(u))) s += " '" + String.fromCodePoint(Number(u)) + "'";
    const zero = this.f.zero;
    this.f.zero = false;
    this.pad(s);
    this.f.zero = zero;
  }

  fmtFloat(v: number, verb: string, arg: GoArg): void {
    switch (verb) {
      case "v":
        return this.float(v, "g", -1);
      case "b":
      case "g":
      case "G":
      case "x":
      case "X":
        return this.float(v, verb, -1);
      case "f":
      case "e":
      case "E":
      case "F":
        return this.float(v, verb, 6);
      default:
        this.badVerb(verb, arg);
    }
  }

  float(v: number, verb: string, defaultPrec: number): void {
    const prec = this.f.precPresent ? this.f.prec : defaultPrec;
    let num = formatFloat(v, verb === "F" ? "f" : verb, prec);
    if (num[0] !== "-" && num[0] !== "+") num = "+" + num;
    if (this.f.space && num[0] === "+" && !this.f.plus) num = " " + num.slice(1);
    if (num[1] === "I" || num[1] === "N") {
      const zero = this.f.zero;
      this.f.zero = false;
      if (num[1] === "N" && !this.f.space && !this.f.plus) num = num.slice(1);
      this.pad(num);
      this.f.zero = zero;
      return;
    }
    if (this.f.sharp && verb !== "b") num = sharpFloat(num, verb, prec);
    if (this.f.plus || num[0] !== "+") {
      if (this.f.zero && !this.f.minus && this.f.widPresent && this.f.wid > num.length) {
        this.out += num[0] + "0".repeat(this.f.wid - num.length) + num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  fmtString(s: string, verb: string, arg: GoArg): void {
    switch (verb) {
      case "v":
        if (this.f.sharpV) this.fmtQ(s);
        else this.pad(this.truncate(s));
        return;
      case "s":
        return this.pad(this.truncate(s));
      case "x":
      case "X":
        return this.fmtSx(s, verb === "X");
      case "q":
        return this.fmtQ(s);
      default:
        this.badVerb(verb, arg);
    }
  }

  truncate(s: string): string {
    if (!this.f.precPresent) return s;
    const runes = [...s];
    return runes.length > this.f.prec ? runes.slice(0, this.f.prec).join("") : s;
  }

  fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.f.sharp && canBackquote(s)) this.pad("`" + s + "`");
    else if (this.f.plus) this.pad(quoteASCII(s));
    else this.pad(quote(s));
  }

  fmtSx(s: string, upper: boolean): void {
    let bytes = new TextEncoder().encode(s);
    if (this.f.precPresent && this.f.prec < bytes.length) bytes = bytes.subarray(0, this.f.prec);
    const digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    let out = "";
    for (let i = 0; i < bytes.length; i++) {
      if (this.f.space && i > 0) out += " ";
      if (this.f.sharp && (this.f.space || i === 0)) out += upper ? "0X" : "0x";
      out += digits[bytes[i]! >> 4]! + digits[bytes[i]! & 15]!;
    }
    this.pad(out);
  }

  // --- composite values -----------------------------------------------------

  badVerb(verb: string, arg: GoArg): void {
    this.out += "%!" + verb + "(";
    if (arg.k === "nil") this.out += "<nil>";
    else {
      this.out += typeName(arg) + "=";
      this.printArg(arg, "v", true);
    }
    this.out += ")";
  }

  printArg(arg: GoArg, verb: string, erroring = false): void {
    if (arg.k === "nil") {
      if (verb === "T" || verb === "v") this.pad("<nil>");
      else this.badVerb(verb, arg);
      return;
    }
    if (verb === "T") {
      this.fmtString(typeName(arg), "s", arg);
      return;
    }
    if (verb === "p" && !erroring) {
      this.badVerb(verb, arg);
      return;
    }
    this.printValue(arg, verb, 0);
  }

  printValue(arg: GoArg, verb: string, depth: number): void {
    switch (arg.k) {
      case "nil":
        // A nil element of []interface{} or map[string]interface{}.
        this.out += this.f.sharpV ? "interface {}(nil)" : "<nil>";
        return;
      case "bool":
        return this.fmtBool(arg.v, verb, arg);
      case "int":
        return this.fmtInteger(arg.v, true, verb, arg);
      case "uint":
        return this.fmtInteger(arg.v, false, verb, arg);
      case "float":
        return this.fmtFloat(arg.v, verb, arg);
      case "string":
        return this.fmtString(arg.v, verb, arg);
      case "opaque":
        if (verb === "v" || verb === "s") this.pad(arg.text);
        else this.badVerb(verb, arg);
        return;
      case "slice":
        if (this.f.sharpV) {
          this.out += "[]interface {}{";
          arg.v.forEach((e, i) => {
            if (i > 0) this.out += ", ";
            this.printValue(e, verb, depth + 1);
          });
          this.out += "}";
        } else {
          this.out += "[";
          arg.v.forEach((e, i) => {
            if (i > 0) this.out += " ";
            this.printValue(e, verb, depth + 1);
          });
          this.out += "]";
        }
        return;
      case "map":
        this.out += this.f.sharpV ? "map[string]interface {}{" : "map[";
        arg.v.forEach(([k, e], i) => {
          if (i > 0) this.out += this.f.sharpV ? ", " : " ";
          this.printValue({ k: "string", v: k, type: "string" }, verb, depth + 1);
          this.out += ":";
          this.printValue(e, verb, depth + 1);
        });
        this.out += this.f.sharpV ? "}" : "]";
        return;
      case "struct":
        if (this.f.sharpV) this.out += arg.type;
        this.out += "{";
        arg.fields.forEach(([name, e], i) => {
          if (i > 0) this.out += this.f.sharpV ? ", " : " ";
          if (this.f.plusV || this.f.sharpV) this.out += name + ":";
          this.printValue(e, verb, depth + 1);
        });
        this.out += "}";
        return;
    }
  }
}

// %#e, %#f, %#g: keep the decimal point (and for %#g trailing zeros up to
// the precision). num starts with its sign.
function sharpFloat(num: string, verb: string, prec: number): string {
  let digits = 0;
  if (verb === "v" || verb === "g" || verb === "G" || verb === "x") digits = prec === -1 ? 6 : prec;
  let tail = "";
  let hasPoint = false;
  let sawNonzero = false;
  for (let i = 1; i < num.length; i++) {
    const c = num[i]!;
    if (c === ".") {
      hasPoint = true;
      continue;
    }
    const isExp = c === "p" || c === "P" || ((c === "e" || c === "E") && verb !== "x" && verb !== "X");
    if (isExp) {
      tail = num.slice(i);
      num = num.slice(0, i);
      break;
    }
    if (c !== "0") sawNonzero = true;
    if (sawNonzero) digits--;
  }
  if (!hasPoint) {
    if (num.length === 2 && num[1] === "0") digits--;
    num += ".";
  }
  if (digits > 0) num += "0".repeat(digits);
  return num + tail;
}

function runeString(u: bigint): string {
  const r = u > 0x10ffffn || (u >= 0xd800n && u <= 0xdfffn) ? 0xfffd : Number(u);
  return String.fromCodePoint(r);
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

function isPrintRune(r: number): boolean {
  if (r < 0x80) return r >= 0x20 && r < 0x7f;
  if (r >= 0xd800 && r <= 0xdfff) return false;
  return PRINTABLE.test(String.fromCodePoint(r));
}

// strconv.QuoteRune (+ flag: ASCII only; # flag: backquote when possible).
function quoteRune(u: bigint, ascii: boolean, sharp: boolean): string {
  const s = runeString(u);
  if (sharp && s !== "`" && isPrintRune(s.codePointAt(0)!) && s !== "\ufeff") return "`" + s + "`";
  if (s === "'") return "'\\''";
  const q = ascii ? quoteASCII(s) : quote(s);
  const inner = q.slice(1, -1).replace(/\\"/g, '"');
  return "'" + inner + "'";
}

function canBackquote(s: string): boolean {
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === "`" || c === 0xfeff) return false;
    if (c < 0x20 && c !== 0x09) return false;
    if (c === 0x7f) return false;
    if (c === 0xfffd) return false;
  }
  return true;
}

// strconv.QuoteToASCII: non-ASCII runes as \u / \U escapes.
function quoteASCII(s: string): string {
  const q = quote(s);
  let out = "";
  for (const ch of q) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out += ch;
    else if (c < 0x10000) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += "\\U" + c.toString(16).padStart(8, "0");
  }
  return out;
}

function tooLarge(n: number): boolean {
  return n > 1e6 || n < -1e6;
}

// Reads a decimal number at s[i:end]; isNum is false when there is none.
function parseNum(s: string, start: number, end: number): { num: number; isNum: boolean; next: number } {
  if (start >= end) return { num: 0, isNum: false, next: end };
  let num = 0;
  let isNum = false;
  let i = start;
  for (; i < end && s[i]! >= "0" && s[i]! <= "9"; i++) {
    if (tooLarge(num)) return { num: 0, isNum: false, next: end };
    num = num * 10 + (s.charCodeAt(i) - 0x30);
    isNum = true;
  }
  return { num, isNum, next: i };
}

// Width or precision taken from an argument (`*`).
function intFromArg(args: GoArg[], argNum: number): { num: number; ok: boolean; next: number } {
  if (argNum >= args.length) return { num: 0, ok: false, next: argNum };
  const a = args[argNum]!;
  let num = 0;
  let ok = false;
  if (a.k === "int" || (a.k === "uint" && a.v <= MAX_INT64)) {
    num = Number(a.v);
    ok = true;
  }
  if (tooLarge(num)) {
    num = 0;
    ok = false;
  }
  return { num, ok, next: argNum + 1 };
}

/** fmt.Sprintf over Alloy values. */
export function sprintf(format: string, values: readonly Value[]): string {
  const args = values.map(toGoArg);
  const p = new Printer();
  const end = format.length;
  let argNum = 0;
  let afterIndex = false;
  let reordered = false;
  let goodArgNum = true;

  // An explicit argument index `[n]` at s[i:].
  const argNumber = (argN: number, i: number): { argNum: number; i: number; found: boolean } => {
    if (i >= end || format[i] !== "[") return { argNum: argN, i, found: false };
    reordered = true;
    const rest = format.slice(i);
    let index = 0;
    let wid = 1;
    let ok = false;
    if (rest.length >= 3) {
      const close = rest.indexOf("]", 1);
      if (close > 0) {
        const n = parseNum(rest, 1, close);
        wid = close + 1;
        if (n.isNum && n.next === close) {
          index = n.num - 1;
          ok = true;
        }
      }
    }
    if (ok && index >= 0 && index < args.length) return { argNum: index, i: i + wid, found: true };
    goodArgNum = false;
    return { argNum: argN, i: i + wid, found: ok };
  };

  let i = 0;
  formatLoop: while (i < end) {
    goodArgNum = true;
    const lasti = i;
    while (i < end && format[i] !== "%") i++;
    if (i > lasti) p.out += format.slice(lasti, i);
    if (i >= end) break;
    i++; // skip %
    p.f = clearFlags();

    simple: for (; i < end; i++) {
      const c = format[i]!;
      switch (c) {
        case "#":
          p.f.sharp = true;
          break;
        case "0":
          p.f.zero = !p.f.minus;
          break;
        case "+":
          p.f.plus = true;
          break;
        case "-":
          p.f.minus = true;
          p.f.zero = false;
          break;
        case " ":
          p.f.space = true;
          break;
        default:
          if (c >= "a" && c <= "z" && argNum < args.length) {
            if (c === "v") {
              p.f.sharpV = p.f.sharp;
              p.f.sharp = false;
              p.f.plusV = p.f.plus;
              p.f.plus = false;
            }
            p.printArg(args[argNum]!, c);
            argNum++;
            i++;
            continue formatLoop;
          }
          break simple;
      }
    }

    let r = argNumber(argNum, i);
    argNum = r.argNum;
    i = r.i;
    afterIndex = r.found;

    if (i < end && format[i] === "*") {
      i++;
      const w = intFromArg(args, argNum);
      p.f.wid = w.num;
      p.f.widPresent = w.ok;
      argNum = w.next;
      if (!w.ok) p.out += "%!(BADWIDTH)";
      if (p.f.wid < 0) {
        p.f.wid = -p.f.wid;
        p.f.minus = true;
        p.f.zero = false;
      }
      afterIndex = false;
    } else {
      const n = parseNum(format, i, end);
      p.f.wid = n.num;
      p.f.widPresent = n.isNum;
      i = n.next;
      if (afterIndex && p.f.widPresent) goodArgNum = false;
    }

    if (i + 1 < end && format[i] === ".") {
      i++;
      if (afterIndex) goodArgNum = false;
      r = argNumber(argNum, i);
      argNum = r.argNum;
      i = r.i;
      afterIndex = r.found;
      if (i < end && format[i] === "*") {
        i++;
        const w = intFromArg(args, argNum);
        p.f.prec = w.num;
        p.f.precPresent = w.ok;
        argNum = w.next;
        if (p.f.prec < 0) {
          p.f.prec = 0;
          p.f.precPresent = false;
        }
        if (!w.ok) p.out += "%!(BADPREC)";
        afterIndex = false;
      } else {
        const n = parseNum(format, i, end);
        p.f.prec = n.num;
        p.f.precPresent = true;
        i = n.next;
      }
    }

    if (!afterIndex) {
      r = argNumber(argNum, i);
      argNum = r.argNum;
      i = r.i;
      afterIndex = r.found;
    }

    if (i >= end) {
      p.out += "%!(NOVERB)";
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;

    if (verb === "%") {
      p.out += "%";
    } else if (!goodArgNum) {
      p.out += "%!" + verb + "(BADINDEX)";
    } else if (argNum >= args.length) {
      p.out += "%!" + verb + "(MISSING)";
    } else {
      if (verb === "v") {
        p.f.sharpV = p.f.sharp;
        p.f.sharp = false;
        p.f.plusV = p.f.plus;
        p.f.plus = false;
      }
      p.printArg(args[argNum]!, verb);
      argNum++;
    }
  }

  if (!reordered && argNum < args.length) {
    p.f = clearFlags();
    p.out += "%!(EXTRA ";
    args.slice(argNum).forEach((a, k) => {
      if (k > 0) p.out += ", ";
      if (a.k === "nil") p.out += "<nil>";
      else {
        p.out += typeName(a) + "=";
        p.printArg(a, "v");
      }
    });
    p.out += ")";
  }
  return p.out;
}
