// AST of the Alloy configuration language, shaped like Alloy's syntax/ast.
//
// Nodes are plain objects discriminated by `type`. Every node carries the
// positions needed to compute its start and end (see startPos / endPos),
// which are what Alloy uses in diagnostics.
//
// Entry points (src/syntax/parser.ts):
//   parseFile(filename, source)  -> File        (throws Diagnostics on error)
//   parseExpression(source)      -> Expr        (throws Diagnostics on error)

import { NoPos, type Pos, type Token } from "./token.ts";

/** A single `//` or `/* *\/` comment; text has carriage returns removed. */
export interface Comment {
  readonly type: "Comment";
  startPos: Pos;
  /** Comment text including the delimiters; no trailing newline. */
  text: string;
}

/** Comments not separated by blank lines or other tokens. */
export type CommentGroup = Comment[];

/** A parsed file. */
export interface File {
  readonly type: "File";
  /** File name given to the parser (used in messages). */
  name: string;
  body: Body;
  /** Every comment in the file, grouped. */
  comments: CommentGroup[];
}

/** A list of statements: the content of a file or block. */
export type Body = Stmt[];

export type Stmt = AttributeStmt | BlockStmt;

/** An identifier with its position. */
export interface Ident {
  readonly type: "Ident";
  name: string;
  namePos: Pos;
}

/** `name = value` inside a body. */
export interface AttributeStmt {
  readonly type: "AttributeStmt";
  name: Ident;
  value: Expr;
}

/** `a.b.c "label" { body }`. */
export interface BlockStmt {
  readonly type: "BlockStmt";
  /** Dotted name fragments, e.g. ["prometheus", "scrape"]. */
  name: string[];
  namePos: Pos;
  /** Unquoted label, "" when the block has none. */
  label: string;
  labelPos: Pos;
  body: Body;
  lCurlyPos: Pos;
  rCurlyPos: Pos;
}

/** Fields shared by every expression. */
interface ExprBase {
  /** Set by decoding when the value is a secret; only the printer reads it. */
  secret?: boolean;
}

/** A reference to a named value. */
export interface IdentifierExpr extends ExprBase {
  readonly type: "IdentifierExpr";
  ident: Ident;
}

/**
 * A constant of kind NUMBER, FLOAT, STRING, BOOL or NULL (or LITERAL when
 * built by hand). `value` is the raw source text: strings keep their quotes
 * and escapes, e.g. `"foo\n"`.
 */
export interface LiteralExpr extends ExprBase {
  readonly type: "LiteralExpr";
  kind: Token;
  valuePos: Pos;
  value: string;
}

/** `[a, b, c]`. */
export interface ArrayExpr extends ExprBase {
  readonly type: "ArrayExpr";
  elements: Expr[];
  lBrackPos: Pos;
  rBrackPos: Pos;
}

/** `{ a = 1, "b" = 2 }`. */
export interface ObjectExpr extends ExprBase {
  readonly type: "ObjectExpr";
  fields: ObjectField[];
  lCurlyPos: Pos;
  rCurlyPos: Pos;
}

/** One key/value pair of an object; not a Node of its own (as in Alloy). */
export interface ObjectField {
  /**
   * Field name. For quoted keys this is the text between the quotes, with
   * escapes left as written (Alloy strips the quotes without unescaping).
   */
  name: Ident;
  /** True if the key was written as a string. */
  quoted: boolean;
  value: Expr;
}

/** `value.name`. */
export interface AccessExpr extends ExprBase {
  readonly type: "AccessExpr";
  value: Expr;
  name: Ident;
}

/** `value[index]`. */
export interface IndexExpr extends ExprBase {
  readonly type: "IndexExpr";
  value: Expr;
  index: Expr;
  lBrackPos: Pos;
  rBrackPos: Pos;
}

/** `value(args...)`. */
export interface CallExpr extends ExprBase {
  readonly type: "CallExpr";
  value: Expr;
  args: Expr[];
  lParenPos: Pos;
  rParenPos: Pos;
}

/** `!value` or `-value`. */
export interface UnaryExpr extends ExprBase {
  readonly type: "UnaryExpr";
  kind: Token;
  kindPos: Pos;
  value: Expr;
}

/** `left op right`. */
export interface BinaryExpr extends ExprBase {
  readonly type: "BinaryExpr";
  kind: Token;
  kindPos: Pos;
  left: Expr;
  right: Expr;
}

/** `(inner)`. */
export interface ParenExpr extends ExprBase {
  readonly type: "ParenExpr";
  inner: Expr;
  lParenPos: Pos;
  rParenPos: Pos;
}

export type Expr =
  | IdentifierExpr
  | LiteralExpr
  | ArrayExpr
  | ObjectExpr
  | AccessExpr
  | IndexExpr
  | CallExpr
  | UnaryExpr
  | BinaryExpr
  | ParenExpr;

/** Any node that has a position (Body and CommentGroup are arrays). */
export type Node = File | Body | CommentGroup | Comment | Stmt | Ident | Expr;

/** Type guard for expressions. */
export function isExpr(n: Node): n is Expr {
  if (Array.isArray(n)) return false;
  switch (n.type) {
    case "IdentifierExpr":
    case "LiteralExpr":
    case "ArrayExpr":
    case "ObjectExpr":
    case "AccessExpr":
    case "IndexExpr":
    case "CallExpr":
    case "UnaryExpr":
    case "BinaryExpr":
    case "ParenExpr":
      return true;
    default:
      return false;
  }
}

/** Type guard for statements. */
export function isStmt(n: Node): n is Stmt {
  return !Array.isArray(n) && (n.type === "AttributeStmt" || n.type === "BlockStmt");
}

/** Position of the first byte of a node; NoPos for empty lists. */
export function startPos(n: Node): Pos {
  if (Array.isArray(n)) {
    return n.length === 0 ? NoPos : startPos(n[0] as Node);
  }
  switch (n.type) {
    case "File":
      return startPos(n.body);
    case "Comment":
      return n.startPos;
    case "AttributeStmt":
      return n.name.namePos;
    case "BlockStmt":
      return n.namePos;
    case "Ident":
      return n.namePos;
    case "IdentifierExpr":
      return n.ident.namePos;
    case "LiteralExpr":
      return n.valuePos;
    case "ArrayExpr":
      return n.lBrackPos;
    case "ObjectExpr":
      return n.lCurlyPos;
    case "AccessExpr":
    case "IndexExpr":
    case "CallExpr":
      return startPos(n.value);
    case "UnaryExpr":
      return n.kindPos;
    case "BinaryExpr":
      return startPos(n.left);
    case "ParenExpr":
      return n.lParenPos;
  }
}

/**
 * Position of the last byte of a node (inclusive, as in Alloy): for an
 * identifier `abc` at offset 10 this is offset 12.
 */
export function endPos(n: Node): Pos {
  if (Array.isArray(n)) {
    return n.length === 0 ? NoPos : endPos(n[n.length - 1] as Node);
  }
  switch (n.type) {
    case "File":
      return endPos(n.body);
    case "Comment":
      return n.startPos.add(utf8Length(n.text) - 1);
    case "AttributeStmt":
      return endPos(n.value);
    case "BlockStmt":
      return n.rCurlyPos;
    case "Ident":
      return n.namePos.add(utf8Length(n.name) - 1);
    case "IdentifierExpr":
      return endPos(n.ident);
    case "LiteralExpr":
      return n.valuePos.add(utf8Length(n.value) - 1);
    case "ArrayExpr":
      return n.rBrackPos;
    case "ObjectExpr":
      return n.rCurlyPos;
    case "AccessExpr":
      return endPos(n.name);
    case "IndexExpr":
      return n.rBrackPos;
    case "CallExpr":
      return n.rParenPos;
    case "UnaryExpr":
      return endPos(n.value);
    case "BinaryExpr":
      return endPos(n.right);
    case "ParenExpr":
      return n.rParenPos;
  }
}

/** The dotted block name, e.g. "prometheus.scrape". */
export function blockName(b: BlockStmt): string {
  return b.name.join(".");
}

/**
 * Walks an AST depth-first. `visit` is called for each node; returning false
 * skips the node's children. Children are visited in source order, matching
 * Alloy's ast.Walk (object fields visit their name Ident then value).
 */
export function walk(node: Node, visit: (n: Node) => boolean | void): void {
  if (visit(node) === false) return;
  if (Array.isArray(node)) {
    for (const child of node) walk(child as Node, visit);
    return;
  }
  switch (node.type) {
    case "File":
      walk(node.body, visit);
      break;
    case "AttributeStmt":
      walk(node.name, visit);
      walk(node.value, visit);
      break;
    case "BlockStmt":
      walk(node.body, visit);
      break;
    case "IdentifierExpr":
      walk(node.ident, visit);
      break;
    case "ArrayExpr":
      for (const e of node.elements) walk(e, visit);
      break;
    case "ObjectExpr":
      for (const f of node.fields) {
        walk(f.name, visit);
        walk(f.value, visit);
      }
      break;
    case "AccessExpr":
      walk(node.value, visit);
      walk(node.name, visit);
      break;
    case "IndexExpr":
      walk(node.value, visit);
      walk(node.index, visit);
      break;
    case "CallExpr":
      walk(node.value, visit);
      for (const a of node.args) walk(a, visit);
      break;
    case "UnaryExpr":
      walk(node.value, visit);
      break;
    case "BinaryExpr":
      walk(node.left, visit);
      walk(node.right, visit);
      break;
    case "ParenExpr":
      walk(node.inner, visit);
      break;
    default:
      break;
  }
}

// UTF-8 byte length of a JS string, without allocating. Lone surrogates count
// as 3 bytes, matching how TextEncoder encodes them (as U+FFFD).
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}
