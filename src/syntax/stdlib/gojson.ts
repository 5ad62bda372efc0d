// JSON as Go's encoding/json reads and writes it, for encoding.from_json and
// encoding.to_json: the same syntax errors ("invalid character 'x' looking
// for beginning of value", "unexpected end of JSON input"), numbers decoded
// as float64, and Marshal's output (sorted keys, HTML-safe escaping, Go's
// float format).

import { quote } from "../quote.ts";

/** A decoded JSON value; numbers are float64 unless `integers` asks otherwise. */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | Map<string, JsonValue>;

export class JsonSyntaxError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = "JsonSyntaxError";
    this.offset = offset;
  }
}

const encoder = new TextEncoder();

// Go's quoteChar: the offending byte as a quoted character.
function quoteChar(s: string, i: number): string {
  const ch = s[i]!;
  if (ch === "'") return "'\\''";
  if (ch === '"') return "'\"'";
  const firstByte = encoder.encode(String.fromCodePoint(s.codePointAt(i)!))[0]!;
  // Go quotes the single byte: a non-ASCII lead byte is invalid UTF-8 on its own.
  if (firstByte >= 0x80) return "'\\x" + firstByte.toString(16).padStart(2, "0") + "'";
  return "'" + quote(ch).slice(1, -1) + "'";
}

export interface JsonParseOptions {
  /**
   * How numbers are decoded: "float" (Go's default into interface{}) or
   * "int64" (integers as bigint when they fit in int64, others float; the
   * ojg convention, with integers too large for int64 kept as their text).
   */
  numbers?: "float" | "int64";
}

/** Parses JSON text with Go's syntax rules and error messages. */
export function parseJson(text: string, opts: JsonParseOptions = {}): JsonValue {
  const p = new JsonParser(text, opts.numbers ?? "float");
  p.skipSpace();
  if (p.pos >= text.length) throw p.eof();
  const v = p.value();
  p.skipSpace();
  if (p.pos < text.length) throw p.invalid("after top-level value");
  return v;
}

class JsonParser {
  pos = 0;
  constructor(
    private readonly s: string,
    private readonly numbers: "float" | "int64",
  ) {}

  eof(): JsonSyntaxError {
    return new JsonSyntaxError("unexpected end of JSON input", this.s.length);
  }

  invalid(context: string): JsonSyntaxError {
    if (this.pos >= this.s.length) return this.eof();
    return new JsonSyntaxError(`invalid character ${quoteChar(this.s, this.pos)} ${context}`, this.pos + 1);
  }

  skipSpace(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.pos++;
    }
  }

  value(): JsonValue {
    const c = this.s[this.pos];
    switch (c) {
      case "{":
        return this.object();
      case "[":
        return this.array();
      case '"':
        return this.string();
      case "t":
        this.literal("true");
        return true;
      case "f":
        this.literal("false");
        return false;
      case "n":
        this.literal("null");
        return null;
    }
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    throw this.invalid("looking for beginning of value");
  }

  literal(word: string): void {
    for (let i = 1; i < word.length; i++) {
      this.pos++;
      if (this.pos >= this.s.length) throw this.eof();
      if (this.s[this.pos] !== word[i]) throw this.invalid(`in literal ${word} (expecting '${word[i]}')`);
    }
    this.pos++;
  }

  number(): JsonValue {
    const s = this.s;
    const start = this.pos;
    const digit = (): boolean => this.pos < s.length && s.charCodeAt(this.pos) >= 0x30 && s.charCodeAt(this.pos) <= 0x39;
    if (s[this.pos] === "-") {
      this.pos++;
      if (this.pos >= s.length) throw this.eof();
      if (!digit()) throw this.invalid("in numeric literal");
    }
    if (s[this.pos] === "0") this.pos++;
    else while (digit()) this.pos++;
    let isFloat = false;
    if (s[this.pos] === ".") {
      isFloat = true;
      this.pos++;
      if (this.pos >= s.length) throw this.eof();
      if (!digit()) throw this.invalid("after decimal point in numeric literal");
      while (digit()) this.pos++;
    }
    if (s[this.pos] === "e" || s[this.pos] === "E") {
      isFloat = true;
      this.pos++;
      if (s[this.pos] === "+" || s[this.pos] === "-") this.pos++;
      if (this.pos >= s.length) throw this.eof();
      if (!digit()) throw this.invalid("in exponent of numeric literal");
      while (digit()) this.pos++;
    }
    const text = s.slice(start, this.pos);
    if (this.numbers === "int64" && !isFloat) {
      const b = BigInt(text);
      if (b >= -(1n << 63n) && b < 1n << 63n) return b;
      return text;
    }
    const f = Number(text);
    if (!Number.isFinite(f)) {
      throw new Error(`json: cannot unmarshal number ${text} into Go value of type float64`);
    }
    return f;
  }

  string(): string {
    const s = this.s;
    this.pos++; // opening quote
    let out = "";
    let runStart = this.pos;
    for (;;) {
      if (this.pos >= s.length) throw this.eof();
      const c = s.charCodeAt(this.pos);
      if (c === 0x22) {
        out += s.slice(runStart, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) throw this.invalid("in string literal");
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += s.slice(runStart, this.pos);
      this.pos++;
      if (this.pos >= s.length) throw this.eof();
      const e = s[this.pos]!;
      switch (e) {
        case '"':
        case "\\":
        case "/":
          out += e;
          break;
        case "b":
          out += "\b";
          break;
        case "f":
          out += "\f";
          break;
        case "n":
          out += "\n";
          break;
        case "r":
          out += "\r";
          break;
        case "t":
          out += "\t";
          break;
        case "u": {
          let r = this.hex4();
          if (r >= 0xd800 && r <= 0xdbff) {
            // A surrogate pair written as two escapes.
            if (s[this.pos + 1] === "\\" && s[this.pos + 2] === "u") {
              const save = this.pos;
              this.pos += 2;
              const lo = this.hex4();
              if (lo >= 0xdc00 && lo <= 0xdfff) {
                out += String.fromCharCode(r, lo);
                break;
              }
              this.pos = save;
            }
            r = 0xfffd;
          } else if (r >= 0xdc00 && r <= 0xdfff) {
            r = 0xfffd;
          }
          out += String.fromCharCode(r);
          break;
        }
        default:
          throw this.invalid("in string escape code");
      }
      this.pos++;
      runStart = this.pos;
    }
  }

  // Reads the four hex digits after `\u`; leaves pos on the last digit.
  hex4(): number {
    let r = 0;
    for (let i = 0; i < 4; i++) {
      this.pos++;
      if (this.pos >= this.s.length) throw this.eof();
      const c = this.s.charCodeAt(this.pos);
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x41 + 10;
      else throw this.invalid("in \\u hexadecimal character escape");
      r = r * 16 + d;
    }
    return r;
  }

  array(): JsonValue[] {
    this.pos++;
    const out: JsonValue[] = [];
    this.skipSpace();
    if (this.pos >= this.s.length) throw this.eof();
    if (this.s[this.pos] === "]") {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.s.length) throw this.eof();
      out.push(this.value());
      this.skipSpace();
      if (this.pos >= this.s.length) throw this.eof();
      const c = this.s[this.pos];
      if (c === ",") {
        this.pos++;
        continue;
      }
      if (c === "]") {
        this.pos++;
        return out;
      }
      throw this.invalid("after array element");
    }
  }

  object(): Map<string, JsonValue> {
    this.pos++;
    const out = new Map<string, JsonValue>();
    this.skipSpace();
    if (this.pos >= this.s.length) throw this.eof();
    if (this.s[this.pos] === "}") {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.s.length) throw this.eof();
      if (this.s[this.pos] !== '"') throw this.invalid("looking for beginning of object key string");
      const key = this.string();
      this.skipSpace();
      if (this.pos >= this.s.length) throw this.eof();
      if (this.s[this.pos] !== ":") throw this.invalid("after object key");
      this.pos++;
      this.skipSpace();
      if (this.pos >= this.s.length) throw this.eof();
      // Later duplicates replace earlier ones, as in a Go map.
      out.delete(key);
      out.set(key, this.value());
      this.skipSpace();
      if (this.pos >= this.s.length) throw this.eof();
      const c = this.s[this.pos];
      if (c === ",") {
        this.pos++;
        continue;
      }
      if (c === "}") {
        this.pos++;
        return out;
      }
      throw this.invalid("after object key:value pair");
    }
  }
}

// ---------------------------------------------------------------------------
// Marshal

const hex = "0123456789abcdef";

/** Go's JSON string encoding with HTML escaping (json.Marshal's default). */
export function jsonString(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c < 0x20 || c === 0x22 || c === 0x5c || c === 0x3c || c === 0x3e || c === 0x26) {
      switch (c) {
        case 0x22:
          esc = '\\"';
          break;
        case 0x5c:
          esc = "\\\\";
          break;
        case 0x0a:
          esc = "\\n";
          break;
        case 0x0d:
          esc = "\\r";
          break;
        case 0x09:
          esc = "\\t";
          break;
        default:
          esc = "\\u00" + hex[c >> 4]! + hex[c & 15]!;
      }
    } else if (c === 0x2028 || c === 0x2029) {
      esc = "\\u202" + hex[c & 15]!;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      // Lone surrogates are invalid UTF-8 in Go and become U+FFFD.
      const pair = c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff;
      if (pair) {
        i++;
        continue;
      }
      esc = "\\ufffd";
    }
    if (esc !== undefined) {
      out += s.slice(start, i) + esc;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

/** Go's encoding/json float64 format: 'f' in [1e-6, 1e21), else 'e' with a short exponent. */
export function jsonFloat(f: number): string {
  if (!Number.isFinite(f)) throw new Error(`json: unsupported value: ${Number.isNaN(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf"}`);
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  const abs = Math.abs(f);
  // JavaScript switches to exponent form exactly outside [1e-6, 1e21) and
  // writes exponents the way json cleans up Go's (1e-7, not 1e-07).
  return abs < 1e-6 || abs >= 1e21 ? f.toExponential() : String(f);
}
