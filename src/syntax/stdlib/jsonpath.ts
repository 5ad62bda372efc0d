// JSONPath as Alloy's json_path evaluates it (github.com/ohler55/ojg/jp):
// the same path syntax (`$`, `@`, `.name`, `..`, `*`, `[n]`, `['a','b']`,
// `[start:end:step]`, `[?(filter)]`), the same filter operators and
// functions (== != < <= > >= && || ! + - * / in empty has exists =~ ~=
// length() count() match() search() Nothing), the same result order
// (recursive descent yields deeper matches first) and the same parse errors
// ("... at N in <path>").
//
// Data is JSON parsed with integers as int64 (bigint) and other numbers as
// float64, as ojg does.

import { compareStrings } from "../value/index.ts";
import type { JsonValue } from "./gojson.ts";

const MAX_END = 2147483647;

type Frag =
  | { t: "root" }
  | { t: "at" }
  | { t: "child"; name: string }
  | { t: "nth"; i: number }
  | { t: "wild" }
  | { t: "descent" }
  | { t: "union"; keys: Array<string | bigint> }
  | { t: "slice"; parts: number[] }
  | { t: "filter"; eq: Equation };

const NOTHING: unique symbol = Symbol("Nothing");
type Nothing = typeof NOTHING;

/** A value inside filter evaluation. */
type Scalar = JsonValue | Nothing | RegExp | Scalar[] | Frag[];

interface Op {
  name: string;
  prec: number;
  cnt: number;
  getLeft?: boolean;
}

const ops: Record<string, Op> = {
  "==": { name: "==", prec: 3, cnt: 2 },
  "!=": { name: "!=", prec: 3, cnt: 2 },
  "<": { name: "<", prec: 3, cnt: 2 },
  ">": { name: ">", prec: 3, cnt: 2 },
  "<=": { name: "<=", prec: 3, cnt: 2 },
  ">=": { name: ">=", prec: 3, cnt: 2 },
  "||": { name: "||", prec: 4, cnt: 2 },
  "&&": { name: "&&", prec: 4, cnt: 2 },
  "!": { name: "!", prec: 0, cnt: 1 },
  "+": { name: "+", prec: 2, cnt: 2 },
  "-": { name: "-", prec: 2, cnt: 2 },
  "*": { name: "*", prec: 1, cnt: 2 },
  "/": { name: "/", prec: 1, cnt: 2 },
  in: { name: "in", prec: 3, cnt: 2 },
  empty: { name: "empty", prec: 3, cnt: 2 },
  has: { name: "has", prec: 3, cnt: 2 },
  exists: { name: "exists", prec: 3, cnt: 2 },
  "~=": { name: "~=", prec: 3, cnt: 2 },
  "=~": { name: "~=", prec: 3, cnt: 2 },
  length: { name: "length", prec: 0, cnt: 1 },
  count: { name: "count", prec: 0, cnt: 1, getLeft: true },
  match: { name: "match", prec: 0, cnt: 2 },
  search: { name: "search", prec: 0, cnt: 2 },
};
const notOp = ops["!"]!;
const groupOp: Op = { name: "(", prec: 0, cnt: 1 };

interface Equation {
  o?: Op | undefined;
  result?: Scalar;
  left?: Equation | undefined;
  right?: Equation | undefined;
}

// Characters that may appear in a dotted child name (ojg's tokenMap).
function isTokenChar(c: number): boolean {
  if (c >= 0x80) return true;
  if (c >= 0x30 && c <= 0x3b) return true; // digits : ;
  if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7e)) return true; // A-Z a-z { | } ~
  return c === 0x23 || c === 0x25 || c === 0x3f || c === 0x5e || c === 0x5f;
}

// Characters that start or continue a filter operator (ojg's eqMap 'o').
function isOpChar(c: string): boolean {
  return "!&*+-/<=>ehi|~".includes(c) && c !== "";
}

function partialOp(token: string, c: string): boolean {
  for (const k of Object.keys(ops)) {
    if (token.length < k.length && k.startsWith(token) && k[token.length] === c) return true;
  }
  return false;
}

class PathParser {
  pos = 0;
  constructor(readonly buf: string) {}

  raise(msg: string): never {
    throw new Error(`${msg} at ${this.pos + 1} in ${this.buf}`);
  }

  readExpr(): Frag[] {
    const x: Frag[] = [];
    let first = true;
    let lastDescent = false;
    for (;;) {
      const f = this.nextFrag(first, lastDescent);
      if (f === undefined) return x;
      first = false;
      lastDescent = f.t === "descent";
      x.push(f);
    }
  }

  nextFrag(first: boolean, lastDescent: boolean): Frag | undefined {
    if (this.pos >= this.buf.length) return undefined;
    const b = this.buf[this.pos++]!;
    switch (b) {
      case "$":
        return first ? { t: "root" } : undefined;
      case "@":
        return first ? { t: "at" } : undefined;
      case ".":
        return this.afterDot();
      case "*":
        return { t: "wild" };
      case "[":
        return this.afterBracket();
      case "]":
        this.pos--;
        return undefined;
    }
    this.pos--;
    if (isTokenChar(b.charCodeAt(0))) {
      if (first) return this.afterDot();
      if (lastDescent) return this.afterDotDot();
    }
    return undefined;
  }

  afterDot(): Frag {
    if (this.pos >= this.buf.length) this.raise("not terminated");
    const b = this.buf[this.pos++]!;
    if (b === "*") return { t: "wild" };
    if (b === ".") return { t: "descent" };
    if (!isTokenChar(b.charCodeAt(0))) this.raise(`an expression fragment can not start with a '${b}'`);
    return { t: "child", name: b + this.readTokenChars() };
  }

  afterDotDot(): Frag {
    const b = this.buf[this.pos++]!;
    return { t: "child", name: b + this.readTokenChars() };
  }

  readTokenChars(): string {
    const start = this.pos;
    while (this.pos < this.buf.length && isTokenChar(this.buf.charCodeAt(this.pos))) this.pos++;
    return this.buf.slice(start, this.pos);
  }

  // Returns the next non-space character and moves past it ("" at the end).
  skipSpace(): string {
    let b = "";
    while (this.pos < this.buf.length) {
      b = this.buf[this.pos++]!;
      if (b !== " ") break;
    }
    return b;
  }

  // Returns the next non-space character without moving past it.
  nextNonSpace(): string {
    while (this.pos < this.buf.length) {
      const b = this.buf[this.pos]!;
      if (b !== " ") return b;
      this.pos++;
    }
    return "";
  }

  afterBracket(): Frag {
    if (this.pos >= this.buf.length) this.raise("not terminated");
    let b = this.skipSpace();
    switch (b) {
      case "*":
        if (this.skipSpace() !== "]") this.raise("not terminated");
        return { t: "wild" };
      case "'":
      case '"': {
        const s = this.readStr(b);
        b = this.skipSpace();
        if (b === "]") return { t: "child", name: s };
        if (b === ",") return this.readUnion(s, b);
        return this.raise("invalid bracket fragment");
      }
      case ":":
        return this.readSlice(0);
      case "?":
        return this.readFilter();
      case "(":
        return this.raise("script procedures are not supported");
    }
    if (b === "-" || (b >= "0" && b <= "9")) {
      let i: number;
      [i, b] = this.readInt(b);
      while (b === " ") b = this.skipSpace();
      if (b === "]") return { t: "nth", i };
      if (b === ",") return this.readUnion(BigInt(i), b);
      if (b === ":") return this.readSlice(i);
      return this.raise("invalid bracket fragment");
    }
    this.pos--;
    return this.raise("parse error");
  }

  // Reads an integer whose first character b was consumed; returns it and the character after it.
  readInt(b: string): [number, string] {
    const neg = b === "-";
    if (neg) {
      if (this.pos >= this.buf.length) this.raise("expected a number");
      b = this.buf[this.pos++]!;
    }
    const start = this.pos;
    let i = 0;
    while (b >= "0" && b <= "9") {
      i = i * 10 + (b.charCodeAt(0) - 0x30);
      if (this.pos >= this.buf.length) break;
      b = this.buf[this.pos++]!;
    }
    if (this.pos === start) this.raise("expected a number");
    return [neg ? -i : i, b];
  }

  readSlice(first: number): Frag {
    if (this.pos >= this.buf.length) this.raise("not terminated");
    const parts = [first];
    let b = this.buf[this.pos]!;
    if (b === "]") {
      parts.push(MAX_END);
      this.pos++;
      return { t: "slice", parts };
    }
    b = this.skipSpace();
    let i: number;
    if (b === ":") {
      parts.push(MAX_END);
      if (this.pos >= this.buf.length) this.raise("not terminated");
      b = this.buf[this.pos++]!;
      if (b !== "]") {
        [i, b] = this.readInt(b);
        parts.push(i);
      }
    } else {
      [i, b] = this.readInt(b);
      parts.push(i);
      if (b === ":") {
        if (this.pos >= this.buf.length) this.raise("not terminated");
        b = this.buf[this.pos++]!;
        if (b !== "]") {
          [i, b] = this.readInt(b);
          parts.push(i);
        }
      }
    }
    if (b !== "]") this.raise("invalid slice syntax");
    return { t: "slice", parts };
  }

  readUnion(first: string | bigint, b: string): Frag {
    if (this.pos >= this.buf.length) this.raise("not terminated");
    const keys: Array<string | bigint> = [first];
    for (;;) {
      if (b === "]") return { t: "union", keys };
      if (b !== ",") this.raise("invalid union syntax");
      b = this.skipSpace();
      if (b === "'" || b === '"') {
        keys.push(this.readStr(b));
        b = this.skipSpace();
      } else if (b === "-" || (b >= "0" && b <= "9")) {
        let i: number;
        [i, b] = this.readInt(b);
        keys.push(BigInt(i));
        if (b === " ") b = this.skipSpace();
      } else {
        this.raise("invalid union syntax");
      }
    }
  }

  readStr(term: string): string {
    const start = this.pos;
    while (this.pos < this.buf.length) {
      const b = this.buf[this.pos++]!;
      if (b === term) break;
      if (b === "\\") return this.readEscStr(start, term);
    }
    return this.buf.slice(start, this.pos - 1);
  }

  readEscStr(start: number, term: string): string {
    this.pos--;
    let out = this.buf.slice(start, this.pos);
    const bad = (c: string): never => {
      const code = c === "" ? 0 : c.charCodeAt(0);
      throw new Error(`0x${code.toString(16).padStart(2, "0")} (${c}) is not a valid escaped character`);
    };
    const hex = (c: string | undefined): number => {
      const v = c === undefined ? NaN : parseInt(c, 16);
      if (Number.isNaN(v)) {
        const code = c === undefined ? 0 : c.charCodeAt(0);
        throw new Error(`0x${code.toString(16).padStart(2, "0")} (${c ?? ""}) is not a valid hexadecimal character`);
      }
      return v;
    };
    while (this.pos < this.buf.length) {
      const b = this.buf[this.pos++]!;
      if (b === term) return out;
      if (b !== "\\") {
        out += b;
        continue;
      }
      const e = this.buf[this.pos++] ?? "";
      switch (e) {
        case "b":
          out += "\b";
          break;
        case "t":
          out += "\t";
          break;
        case "n":
          out += "\n";
          break;
        case "f":
          out += "\f";
          break;
        case "r":
          out += "\r";
          break;
        case '"':
        case "'":
        case "\\":
          out += e;
          break;
        case "x": {
          if (this.pos + 1 >= this.buf.length) bad(e);
          const v = hex(this.buf[this.pos++]) * 16 + hex(this.buf[this.pos++]);
          out += String.fromCharCode(v);
          break;
        }
        case "u":
        case "U": {
          let r = 0;
          for (let k = 0; k < 4; k++) {
            if (this.pos >= this.buf.length) bad(e);
            r = r * 16 + hex(this.buf[this.pos++]);
          }
          out += String.fromCharCode(r);
          break;
        }
        default:
          bad(e);
      }
    }
    return out;
  }

  readRegex(): RegExp {
    const start = this.pos;
    while (this.pos < this.buf.length) {
      const b = this.buf[this.pos++]!;
      if (b === "/") break;
      if (b === "\\") this.pos++;
    }
    try {
      return compileGoRegexp(this.buf.slice(start, this.pos - 1));
    } catch (e) {
      return this.raise((e as Error).message);
    }
  }

  readFilter(): Frag {
    if (this.pos >= this.buf.length) this.raise("not terminated");
    let eq = precedentCorrect(this.readEq())!;
    eq = reduceGroups(eq, undefined)!;
    const b = this.nextNonSpace();
    if (this.pos >= this.buf.length || b !== "]") this.raise("not terminated");
    this.pos++;
    return { t: "filter", eq };
  }

  readEq(): Equation {
    let eq: Equation;
    const b = this.nextNonSpace();
    if (b === "!") {
      this.pos++;
      eq = { o: notOp, left: this.readEq() };
    } else if (b === "-" || (b >= "0" && b <= "9")) {
      this.pos++;
      eq = { result: this.readNum(b) };
    } else if (b === "'" || b === '"') {
      this.pos++;
      eq = { result: this.readStr(b) };
    } else if (b === "@" || b === "$") {
      eq = { result: this.readExpr() };
    } else if (b === "(") {
      this.pos++;
      eq = { left: this.readEq(), o: groupOp };
      if (this.nextNonSpace() !== ")") this.raise("not terminated");
      this.pos++;
    } else if (b === "[") {
      eq = { result: this.readEqList() };
    } else if (b === "/") {
      this.pos++;
      eq = { result: this.readRegex() };
    } else if (b === "N") {
      for (const c of "Nothing") {
        if (this.pos >= this.buf.length || this.buf[this.pos] !== c) this.raise("expected Nothing");
        this.pos++;
      }
      eq = { result: NOTHING };
    } else {
      const before = this.pos;
      const token = this.readToken();
      if (token === "true") eq = { result: true };
      else if (token === "false") eq = { result: false };
      else if (token === "null") eq = { result: null };
      else {
        const o = ops[token];
        if (o === undefined) {
          this.pos = before;
          this.raise(`'${token}' is not a value or function`);
        }
        eq = this.readOpArgs(o);
      }
    }
    while (this.pos < this.buf.length) {
      const c = this.nextNonSpace();
      if (c === "," || c === ")" || c === "]" || c === "") return eq;
      eq = { left: eq, o: this.readEqOp(), right: this.readEq() };
    }
    return eq;
  }

  readToken(): string {
    const start = this.pos;
    while (this.pos < this.buf.length) {
      const c = this.buf[this.pos]!;
      if (c < "a" || c > "z") break;
      this.pos++;
    }
    return this.buf.slice(start, this.pos);
  }

  readOpArgs(o: Op): Equation {
    if (this.buf[this.pos] !== "(") this.raise(`expected a ${o.name} function`);
    const eq: Equation = { o };
    this.pos++;
    eq.left = this.readEq();
    let b = this.nextNonSpace();
    if (b === ",") {
      this.pos++;
      eq.right = this.readEq();
      b = this.nextNonSpace();
    }
    if (b !== ")") this.raise("not terminated");
    this.pos++;
    return eq;
  }

  readEqList(): Scalar[] {
    this.pos++;
    const list: Scalar[] = [];
    while (this.pos < this.buf.length) {
      list.push(this.readEq().result ?? null);
      const b = this.skipSpace();
      if (b === ",") continue;
      if (b === "]") break;
      this.raise("expected a comma or an array close");
    }
    return list;
  }

  readEqOp(): Op {
    let token = "";
    let b = this.nextNonSpace();
    for (;;) {
      if (!isOpChar(b) && !(token.length > 0 && partialOp(token, b))) break;
      token += b;
      if (b === "-" && token.length > 1) this.raise(`'${token}' is not a valid operation`);
      this.pos++;
      if (this.pos >= this.buf.length) this.raise("equation not terminated");
      b = this.buf[this.pos]!;
    }
    const o = ops[token];
    if (o === undefined) this.raise(`'${token}' is not a valid operation`);
    return o;
  }

  readNum(first: string): Scalar {
    let num = first;
    const digits = (): void => {
      while (this.pos < this.buf.length) {
        const c = this.buf[this.pos]!;
        if (c < "0" || c > "9") break;
        num += c;
        this.pos++;
      }
    };
    digits();
    let b = this.buf[this.pos] ?? "";
    let isFloat = false;
    if (b === ".") {
      isFloat = true;
      num += b;
      this.pos++;
      digits();
      b = this.buf[this.pos] ?? "";
    }
    if (b === "e" || b === "E") {
      isFloat = true;
      this.pos++;
      num += b;
      if (this.pos >= this.buf.length) this.raise("expected a number");
      b = this.buf[this.pos]!;
      if (b === "+" || b === "-") {
        num += b;
        this.pos++;
        if (this.pos >= this.buf.length) this.raise("expected a number");
      }
      digits();
    }
    if (isFloat) {
      const f = Number(num);
      return Number.isNaN(f) ? 0 : f;
    }
    if (!/^-?[0-9]+$/.test(num)) this.raise(`strconv.ParseInt: parsing ${JSON.stringify(num)}: invalid syntax`);
    const v = BigInt(num);
    if (v < -(1n << 63n) || v >= 1n << 63n) {
      this.raise(`strconv.ParseInt: parsing ${JSON.stringify(num)}: value out of range`);
    }
    return v;
  }
}

// Rotates right-nested operator chains so that tighter operators bind first.
function precedentCorrect(e: Equation | undefined): Equation | undefined {
  if (e === undefined || e.o === undefined) return e;
  if (e.left !== undefined) e.left = precedentCorrect(e.left);
  if (e.right === undefined || e.right.o === undefined) return e;
  if (e.o.prec <= e.right.o.prec) {
    const r = e.right;
    e.right = r.left;
    r.left = e;
    return precedentCorrect(r);
  }
  e.right = precedentCorrect(e.right);
  if (e.right?.o !== undefined && e.o.prec <= e.right.o.prec) return precedentCorrect(e);
  return e;
}

function reduceGroups(e: Equation | undefined, parent: Op | undefined): Equation | undefined {
  if (e === undefined || e.o === undefined) return e;
  if (
    e.o === groupOp &&
    (parent === undefined || (e.left !== undefined && e.left.o !== undefined && e.left.o.prec < parent.prec))
  ) {
    return reduceGroups(e.left, parent);
  }
  e.left = reduceGroups(e.left, e.o);
  e.right = reduceGroups(e.right, e.o);
  return e;
}

/** Go regexp syntax to JavaScript: leading flag groups become RegExp flags. */
function compileGoRegexp(src: string, anchor = false): RegExp {
  let flags = "";
  const m = /^\(\?([imsU]+)\)/.exec(src);
  if (m) {
    src = src.slice(m[0].length);
    for (const f of m[1]!) if (f !== "U" && !flags.includes(f)) flags += f;
  }
  src = src.replace(/\\z/g, "$(?![\\s\\S])").replace(/\\A/g, "^");
  if (anchor) src = "^(?:" + src + ")$";
  return new RegExp(src, flags);
}

// ---------------------------------------------------------------------------
// Evaluation

function isContainer(v: unknown): v is JsonValue[] | Map<string, JsonValue> {
  return Array.isArray(v) || v instanceof Map;
}

function childrenOf(v: JsonValue[] | Map<string, JsonValue>): JsonValue[] {
  return Array.isArray(v) ? v : [...v.values()];
}

function get(x: readonly Frag[], data: JsonValue): JsonValue[] {
  const results: JsonValue[] = [];
  if (x.length === 0) return results;

  const emit = (v: JsonValue, fi: number): void => {
    if (fi === x.length - 1) results.push(v);
    else walk(v, fi + 1);
  };

  const descent = (node: JsonValue, fi: number, top: boolean): void => {
    if (!isContainer(node)) return;
    const last = fi === x.length - 1;
    const kids = childrenOf(node);
    if (last) results.push(...kids);
    for (const k of kids) if (isContainer(k)) descent(k, fi, false);
    if (last) {
      if (top) results.push(node);
    } else {
      walk(node, fi + 1);
    }
  };

  const walk = (node: JsonValue, fi: number): void => {
    const f = x[fi]!;
    switch (f.t) {
      case "root":
        return emit(data, fi);
      case "at":
        return emit(node, fi);
      case "child":
        if (node instanceof Map && node.has(f.name)) emit(node.get(f.name)!, fi);
        return;
      case "nth":
        if (Array.isArray(node)) {
          const i = f.i < 0 ? node.length + f.i : f.i;
          if (i >= 0 && i < node.length) emit(node[i]!, fi);
        }
        return;
      case "wild":
        if (isContainer(node)) for (const v of childrenOf(node)) emit(v, fi);
        return;
      case "descent":
        return descent(node, fi, true);
      case "union":
        for (const k of f.keys) {
          if (typeof k === "string") {
            if (node instanceof Map && node.has(k)) emit(node.get(k)!, fi);
          } else if (Array.isArray(node)) {
            let i = Number(k);
            if (i < 0) i += node.length;
            if (i >= 0 && i < node.length) emit(node[i]!, fi);
          }
        }
        return;
      case "slice":
        if (Array.isArray(node)) for (const i of sliceIndexes(f.parts, node.length)) emit(node[i]!, fi);
        return;
      case "filter":
        if (isContainer(node)) {
          for (const v of childrenOf(node)) if (matches(f.eq, v, data)) emit(v, fi);
        }
        return;
    }
  };

  walk(data, 0);
  return results;
}

function sliceIndexes(parts: readonly number[], len: number): number[] {
  let start = parts[0] ?? 0;
  let end = parts.length > 1 ? parts[1]! : MAX_END;
  const step = parts.length > 2 ? parts[2]! : 1;
  if (step === 0) return [];
  if (start < 0) start = Math.max(len + start, 0);
  if (end < 0) end = len + end;
  if (len <= start) return [];
  if (len < end) end = len;
  const out: number[] = [];
  if (step > 0) for (let i = start; i < end; i += step) out.push(i);
  else {
    if (end < -1) end = -1;
    for (let i = start; end < i; i += step) out.push(i);
  }
  return out;
}

/** A path result inside a filter: the value found, as opposed to a constant. */
class Got {
  constructor(readonly value: Scalar) {}
}

type Item = Scalar | Got;

function isExpr(v: Scalar | undefined): v is Frag[] {
  return Array.isArray(v) && v.length > 0 && typeof v[0] === "object" && v[0] !== null && "t" in (v[0] as object);
}

// Path leaves of an equation, in evaluation order; count() arguments are not leaves.
function leaves(e: Equation | undefined, out: Equation[]): void {
  if (e === undefined) return;
  if (e.o === undefined) {
    if (isExpr(e.result)) out.push(e);
    return;
  }
  if (!e.o.getLeft) leaves(e.left, out);
  leaves(e.right, out);
}

function matches(eq: Equation, v: JsonValue, root: JsonValue): boolean {
  const pathLeaves: Equation[] = [];
  leaves(eq, pathLeaves);
  const found = new Map<Equation, JsonValue[]>();
  let combos = 1;
  for (const leaf of pathLeaves) {
    const x = leaf.result as Frag[];
    const r = get(x, x[0]!.t === "root" ? root : v);
    found.set(leaf, r);
    if (r.length > 1) combos *= r.length;
  }
  for (let mi = 0; mi < combos; mi++) {
    // Picks one result per multi-valued leaf for this combination.
    const chosen = new Map<Equation, Item>();
    let rest = mi;
    for (const leaf of pathLeaves) {
      const r = found.get(leaf)!;
      if (r.length === 0) chosen.set(leaf, NOTHING);
      else if (r.length === 1) chosen.set(leaf, new Got(r[0]!));
      else {
        chosen.set(leaf, new Got(r[rest % r.length]!));
        rest = Math.floor(rest / r.length);
      }
    }
    const res = evalEq(eq, v, chosen);
    if (res instanceof Got || res === true) return true;
  }
  return false;
}

function goEqual(a: Scalar, b: Scalar): boolean {
  if (a === b) return true;
  if (typeof a === "bigint" && typeof b === "number") return Number(a) === b;
  if (typeof a === "number" && typeof b === "bigint") return a === Number(b);
  if (typeof a === "number" && typeof b === "number") return a === b;
  return false;
}

function numOrNaN(v: Scalar): number | bigint | undefined {
  return typeof v === "bigint" || typeof v === "number" ? v : undefined;
}

function compare(a: Scalar, b: Scalar): number | undefined {
  const x = numOrNaN(a);
  const y = numOrNaN(b);
  if (x !== undefined && y !== undefined) {
    if (typeof x === "bigint" && typeof y === "bigint") return x < y ? -1 : x > y ? 1 : 0;
    const fx = Number(x);
    const fy = Number(y);
    return fx < fy ? -1 : fx > fy ? 1 : fx === fy ? 0 : undefined;
  }
  if (typeof a === "string" && typeof b === "string") return compareStrings(a, b);
  return undefined;
}

function arith(name: string, a: Scalar, b: Scalar): Scalar {
  if (name === "+" && typeof a === "string" && typeof b === "string") return a + b;
  const x = numOrNaN(a);
  const y = numOrNaN(b);
  if (x === undefined || y === undefined) return NOTHING;
  if (typeof x === "bigint" && typeof y === "bigint") {
    switch (name) {
      case "+":
        return BigInt.asIntN(64, x + y);
      case "-":
        return BigInt.asIntN(64, x - y);
      case "*":
        return BigInt.asIntN(64, x * y);
      default:
        return y === 0n ? NOTHING : BigInt.asIntN(64, x / y);
    }
  }
  const fx = Number(x);
  const fy = Number(y);
  switch (name) {
    case "+":
      return fx + fy;
    case "-":
      return fx - fy;
    case "*":
      return fx * fy;
    default:
      return fy === 0 ? NOTHING : fx / fy;
  }
}

function byteLength(s: string): number {
  return new TextEncoder().encode(s).length;
}

function evalEq(e: Equation, v: JsonValue, chosen: Map<Equation, Item>): Item {
  if (e.o === undefined) {
    if (chosen.has(e)) return chosen.get(e)!;
    return e.result === undefined ? null : e.result;
  }
  const o = e.o;
  let leftItem: Item;
  if (o.getLeft) {
    const x = e.left?.result;
    leftItem = isExpr(x) ? (get(x, v) as Scalar[]) : null;
  } else {
    leftItem = e.left ? evalEq(e.left, v, chosen) : null;
  }
  const rightItem: Item = e.right ? evalEq(e.right, v, chosen) : null;
  const gleft = leftItem instanceof Got;
  const gright = rightItem instanceof Got;
  const left = leftItem instanceof Got ? leftItem.value : leftItem;
  const right = rightItem instanceof Got ? rightItem.value : rightItem;

  switch (o.name) {
    case "(":
      return left;
    case "==":
      return goEqual(left, right);
    case "!=":
      return !goEqual(left, right);
    case "<":
    case ">":
    case "<=":
    case ">=": {
      const c = compare(left, right);
      if (c === undefined) return false;
      return o.name === "<" ? c < 0 : o.name === ">" ? c > 0 : o.name === "<=" ? c <= 0 : c >= 0;
    }
    case "||":
      return gleft || left === true || gright || right === true;
    case "&&":
      return (gleft || left === true) && (gright || right === true);
    case "!":
      return !(gleft || left === true);
    case "+":
    case "-":
    case "*":
    case "/":
      return arith(o.name, left, right);
    case "in":
      return Array.isArray(right) && !isExpr(right) && (right as Scalar[]).some((ev) => goEqual(left, ev));
    case "empty":
      if (typeof right !== "boolean") return false;
      if (typeof left === "string") return right === (left.length === 0);
      if (Array.isArray(left)) return right === (left.length === 0);
      if (left instanceof Map) return right === (left.size === 0);
      return false;
    case "has":
    case "exists":
      return typeof right === "boolean" ? right === (left !== NOTHING) : false;
    case "~=": {
      if (typeof left !== "string") return false;
      if (right instanceof RegExp) return right.test(left);
      if (typeof right === "string") {
        try {
          return compileGoRegexp(right).test(left);
        } catch {
          return false;
        }
      }
      return false;
    }
    case "length":
      if (typeof left === "string") return BigInt(byteLength(left));
      if (Array.isArray(left)) return BigInt(left.length);
      if (left instanceof Map) return BigInt(left.size);
      return NOTHING;
    case "count":
      return Array.isArray(left) ? BigInt(left.length) : NOTHING;
    case "match":
    case "search": {
      if (typeof left !== "string" || typeof right !== "string" || right === "") return NOTHING;
      let src = right;
      if (o.name === "match") {
        if (!src.startsWith("^")) src = "^" + src;
        if (!src.endsWith("$")) src += "$";
      }
      try {
        return compileGoRegexp(src).test(left);
      } catch {
        return NOTHING;
      }
    }
  }
  return NOTHING;
}

/** A parsed JSONPath expression. */
export type JsonPathExpr = readonly Frag[];

/** Parses a JSONPath expression; throws ojg's parse errors. */
export function parseJsonPath(path: string): JsonPathExpr {
  const p = new PathParser(path);
  const x = p.readExpr();
  if (p.pos < path.length) p.raise("parse error");
  return x;
}

/** Evaluates a JSONPath expression (text or parsed) against parsed JSON data. */
export function jsonPath(path: string | JsonPathExpr, data: JsonValue): JsonValue[] {
  return get(typeof path === "string" ? parseJsonPath(path) : path, data);
}
