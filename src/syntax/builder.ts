// Builds Alloy source from tokens, like Alloy's syntax/token/builder: a file
// is assembled from blocks and attributes whose values are raw tokens or
// encoded JavaScript values, then rendered as text, parsed and printed with
// the formatter so the result is canonical. The config converters use it.

import { parseExpression, parseFile } from "./parser.ts";
import { printNode } from "./printer.ts";
import { isValidIdentifier } from "./identifier.ts";
import { quote } from "./quote.ts";
import { isKeyword, isLiteral, Token, tokenString } from "./token.ts";

/** A token with its literal text. LITERAL tokens carry raw text (e.g. "\n"). */
export interface BuilderToken {
  tok: Token;
  lit: string;
}

/** A value that renders itself as tokens (Go's builder.Tokenizer). */
export interface Tokenizer {
  alloyTokenize(): BuilderToken[];
}

/**
 * An object whose keys print in insertion order (like a Go struct). Plain
 * objects print with sorted keys (like a Go map).
 */
export class OrderedObject {
  readonly entries: ReadonlyArray<readonly [string, BuilderValue]>;
  constructor(entries: Iterable<readonly [string, BuilderValue]>) {
    this.entries = [...entries];
  }
}

/** JavaScript values the builder can encode. */
export type BuilderValue =
  | null
  | undefined
  | boolean
  | number
  | bigint
  | string
  | Tokenizer
  | OrderedObject
  | ((...args: never[]) => unknown)
  | readonly BuilderValue[]
  | { readonly [key: string]: BuilderValue };

/** Rewrites a value before it is encoded (Go's ValueOverrideHook). */
export type ValueOverrideHook = (value: BuilderValue) => BuilderValue;

export function tok(t: Token, lit = ""): BuilderToken {
  return { tok: t, lit };
}

/** A LITERAL token: raw text inserted as is. */
export function literal(text: string): BuilderToken {
  return { tok: Token.LITERAL, lit: text };
}

interface TokenNode {
  tokens(): BuilderToken[];
}

class Attribute implements TokenNode {
  readonly name: string;
  rawTokens: BuilderToken[] = [];
  constructor(name: string) {
    this.name = name;
  }
  tokens(): BuilderToken[] {
    return [tok(Token.IDENT, this.name), tok(Token.ASSIGN), ...this.rawTokens];
  }
}

class RawTokens implements TokenNode {
  private readonly toks: BuilderToken[];
  constructor(toks: BuilderToken[]) {
    this.toks = toks;
  }
  tokens(): BuilderToken[] {
    return this.toks;
  }
}

/** A list of attributes and blocks (the content of a file or block). */
export class Body {
  private readonly nodes: TokenNode[] = [];
  private hook: ValueOverrideHook | null = null;

  /** Sets a hook applied to every value passed to setAttributeValue. */
  setValueOverrideHook(hook: ValueOverrideHook | null): void {
    this.hook = hook;
  }

  /** The statements, one newline-separated token list each. */
  tokens(): BuilderToken[] {
    const out: BuilderToken[] = [];
    this.nodes.forEach((n, i) => {
      out.push(...n.tokens());
      if (i + 1 < this.nodes.length) out.push(literal("\n"));
    });
    return out;
  }

  /** Appends raw tokens (comments, blank lines) as their own statement. */
  appendTokens(tokens: BuilderToken[]): void {
    this.nodes.push(new RawTokens(tokens));
  }

  appendBlock(block: Block): void {
    this.nodes.push(block);
  }

  /** Sets an attribute to raw tokens; an existing attribute keeps its place. */
  setAttributeTokens(name: string, tokens: BuilderToken[]): void {
    this.attribute(name).rawTokens = tokens;
  }

  /** Sets an attribute to an encoded value; an existing attribute keeps its place. */
  setAttributeValue(name: string, value: BuilderValue): void {
    this.attribute(name).rawTokens = valueTokens(this.hook ? this.hook(value) : value);
  }

  private attribute(name: string): Attribute {
    for (const n of this.nodes) if (n instanceof Attribute && n.name === name) return n;
    const a = new Attribute(name);
    this.nodes.push(a);
    return a;
  }
}

/** A block `name.parts "label" { body }`; name and label may be changed freely. */
export class Block implements TokenNode {
  name: string[];
  label: string;
  readonly body = new Body();

  constructor(name: string[], label = "") {
    this.name = name;
    this.label = label;
  }

  tokens(): BuilderToken[] {
    const out: BuilderToken[] = [];
    this.name.forEach((frag, i) => {
      out.push(tok(Token.IDENT, frag));
      if (i + 1 < this.name.length) out.push(tok(Token.DOT));
    });
    out.push(literal(" "));
    if (this.label !== "") out.push(tok(Token.STRING, quote(this.label)));
    out.push(tok(Token.LCURLY), literal("\n"), ...this.body.tokens(), literal("\n"), tok(Token.RCURLY));
    return out;
  }
}

/** A whole file. */
export class FileBuilder {
  readonly body = new Body();

  tokens(): BuilderToken[] {
    return this.body.tokens();
  }

  /** The formatted source (no trailing newline). Throws Diagnostics if the tokens do not parse. */
  toString(): string {
    return printNode(parseFile("", renderTokens(this.tokens())));
  }
}

/** A single expression. */
export class ExprBuilder {
  private toks: BuilderToken[] = [];

  setValue(value: BuilderValue): void {
    this.toks = valueTokens(value);
  }

  setTokens(tokens: BuilderToken[]): void {
    this.toks = tokens;
  }

  tokens(): BuilderToken[] {
    return this.toks;
  }

  /** The formatted expression. Throws Diagnostics if the tokens do not parse. */
  toString(): string {
    return printNode(parseExpression(renderTokens(this.toks)));
  }
}

/** Concatenates tokens into source text. */
export function renderTokens(tokens: BuilderToken[]): string {
  const parts: string[] = [];
  for (const t of tokens) {
    if (t.tok === Token.LITERAL || t.tok === Token.COMMENT || isLiteral(t.tok) || isKeyword(t.tok)) parts.push(t.lit);
    else parts.push(tokenString(t.tok));
  }
  return parts.join("");
}

function isTokenizer(v: unknown): v is Tokenizer {
  return typeof v === "object" && v !== null && typeof (v as Tokenizer).alloyTokenize === "function";
}

/** Encodes a value as tokens, the way Alloy's builder prints values. */
export function valueTokens(v: BuilderValue): BuilderToken[] {
  if (v === null || v === undefined) return [tok(Token.NULL, "null")];
  if (isTokenizer(v)) return v.alloyTokenize();
  switch (typeof v) {
    case "boolean":
      return [tok(Token.STRING, v ? "true" : "false")];
    case "number":
      return [tok(Token.NUMBER, formatNumber(v))];
    case "bigint":
      return [tok(Token.NUMBER, v.toString())];
    case "string":
      return [tok(Token.STRING, quote(v))];
    case "function":
      return [literal("function")];
  }
  if (Array.isArray(v)) {
    const out: BuilderToken[] = [tok(Token.LBRACK)];
    v.forEach((el: BuilderValue, i: number) => {
      out.push(...valueTokens(el));
      if (i + 1 < v.length) out.push(tok(Token.COMMA));
    });
    out.push(tok(Token.RBRACK));
    return out;
  }
  if (v instanceof OrderedObject) return objectTokens(v.entries);
  const obj = v as { readonly [key: string]: BuilderValue };
  const keys = Object.keys(obj).sort(compareStrings);
  return objectTokens(keys.map((k) => [k, obj[k]] as const));
}

// Byte-wise (UTF-8 order) comparison, like Go's sort.Strings; UTF-16 code
// unit order differs only for astral characters, handled by code points.
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

function objectTokens(entries: ReadonlyArray<readonly [string, BuilderValue]>): BuilderToken[] {
  const out: BuilderToken[] = [tok(Token.LCURLY), literal("\n")];
  for (const [key, value] of entries) {
    out.push(isValidIdentifier(key) ? tok(Token.IDENT, key) : tok(Token.STRING, quote(key)));
    out.push(tok(Token.ASSIGN), ...valueTokens(value), tok(Token.COMMA), literal("\n"));
  }
  out.push(tok(Token.RCURLY));
  return out;
}

/**
 * Formats a number as Alloy prints numbers: integers in decimal, floats in
 * the shortest form that round-trips, never with an exponent (Go's
 * strconv.FormatFloat(f, 'f', -1, 64)).
 */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "+Inf" : "-Inf";
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n === 0 && Object.is(n, -0) ? "-0" : String(n);
  const s = String(n); // shortest round-trip digits, possibly with an exponent
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, intPart, frac = "", expStr] = m;
  const digits = intPart! + frac;
  const point = intPart!.length + Number(expStr);
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + "0".repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
