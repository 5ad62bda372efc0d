// Values of literal tokens (Go's transform.ValueFromLiteral).
//
// Literal values are immutable, so they are computed once per AST node and
// reused on every evaluation (reloads evaluate the same AST many times).

import type { LiteralExpr } from "../ast.ts";
import { Token } from "../token.ts";
import { NumberValue, numberFromLiteral, parseGoFloat, type Value } from "../value/index.ts";

interface Cached {
  readonly raw: string;
  readonly kind: Token;
  readonly value: Value;
}

const cache = new WeakMap<LiteralExpr, Cached>();

/** The value of a literal expression. */
export function literalValue(expr: LiteralExpr): Value {
  const cached = cache.get(expr);
  // Nodes edited in place (by tools that rewrite ASTs) are re-read.
  if (cached !== undefined && cached.raw === expr.value && cached.kind === expr.kind) return cached.value;
  const value = valueFromLiteral(expr.kind, expr.value);
  cache.set(expr, { raw: expr.value, kind: expr.kind, value });
  return value;
}

/** Converts raw literal text of the given token kind to a value. */
export function valueFromLiteral(kind: Token, raw: string): Value {
  switch (kind) {
    case Token.NULL:
      return null;
    case Token.BOOL:
      return raw === "true";
    case Token.NUMBER:
      return numberFromLiteral(raw);
    case Token.FLOAT:
      return NumberValue.float(parseGoFloat(raw));
    case Token.STRING:
      return unquote(raw);
    default:
      throw new Error(`syntax/vm: unexpected literal kind ${kind}`);
  }
}

const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
const encoder = new TextEncoder();

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/**
 * Go's strconv.Unquote for the string literals the Alloy scanner accepts:
 * "..." with escapes, or `...` raw strings (carriage returns removed).
 * Escapes that produce raw bytes (\x, octal) are assembled as UTF-8.
 */
export function unquote(raw: string): string {
  const n = raw.length;
  if (n < 2) throw new Error("invalid syntax");
  const q = raw[0];
  if (q !== raw[n - 1]) throw new Error("invalid syntax");
  if (q === "`") return raw.slice(1, n - 1).replace(/\r/g, "");
  if (q !== '"') throw new Error("invalid syntax");

  const body = raw.slice(1, n - 1);
  if (body.indexOf("\\") < 0) return body;

  // Bytes are collected so that \x and octal escapes combine into UTF-8.
  const bytes: number[] = [];
  const pushText = (s: string): void => {
    for (const b of encoder.encode(s)) bytes.push(b);
  };
  let i = 0;
  let plainStart = 0;
  while (i < body.length) {
    if (body[i] !== "\\") {
      i++;
      continue;
    }
    if (i > plainStart) pushText(body.slice(plainStart, i));
    const c = body[i + 1];
    i += 2;
    switch (c) {
      case "a":
        bytes.push(7);
        break;
      case "b":
        bytes.push(8);
        break;
      case "f":
        bytes.push(12);
        break;
      case "n":
        bytes.push(10);
        break;
      case "r":
        bytes.push(13);
        break;
      case "t":
        bytes.push(9);
        break;
      case "v":
        bytes.push(11);
        break;
      case "\\":
        bytes.push(0x5c);
        break;
      case '"':
        bytes.push(0x22);
        break;
      case "x": {
        const hi = hexVal(body.charCodeAt(i));
        const lo = hexVal(body.charCodeAt(i + 1));
        if (hi < 0 || lo < 0) throw new Error("invalid syntax");
        bytes.push(hi * 16 + lo);
        i += 2;
        break;
      }
      case "u":
      case "U": {
        const digits = c === "u" ? 4 : 8;
        let r = 0;
        for (let k = 0; k < digits; k++) {
          const h = hexVal(body.charCodeAt(i + k));
          if (h < 0) throw new Error("invalid syntax");
          r = r * 16 + h;
        }
        if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) throw new Error("invalid syntax");
        i += digits;
        pushText(String.fromCodePoint(r));
        break;
      }
      default: {
        const d0 = c === undefined ? -1 : c.charCodeAt(0) - 0x30;
        if (d0 >= 0 && d0 <= 7) {
          let v = d0;
          for (let k = 0; k < 2; k++) {
            const d = body.charCodeAt(i + k) - 0x30;
            if (!(d >= 0 && d <= 7)) throw new Error("invalid syntax");
            v = v * 8 + d;
          }
          if (v > 255) throw new Error("invalid syntax");
          bytes.push(v);
          i += 2;
          break;
        }
        throw new Error("invalid syntax");
      }
    }
    plainStart = i;
  }
  if (plainStart < body.length) pushText(body.slice(plainStart));
  return decoder.decode(new Uint8Array(bytes));
}
