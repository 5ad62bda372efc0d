// The Alloy formatter (`alloy fmt`), producing byte-identical output to
// Alloy's printer, except where Alloy's output would change or break the
// configuration (each such departure is marked "Departure from Alloy" below
// and listed in test/conformance/known-differences.md).
//
// How it works (the same pipeline as Alloy's):
//  1. a walker traverses the AST and sends tokens and whitespace "codes" to
//     the printer (blank, vtab = alignment cell, newline, formfeed = newline
//     ending an alignment run, indent / unindent);
//  2. the printer buffers whitespace until the next token, re-inserts the
//     file's comments where their source position says they belong, and
//     writes text, tracking an estimate of the current source position;
//  3. the text goes through elastic tabstops (tabwriter.ts) to align `=`
//     signs and trailing comments, then through the trimmer, which drops
//     trailing blanks.

import type { AttributeStmt, BlockStmt, Body, Comment, CommentGroup, Expr, Ident, LiteralExpr, Node, Stmt } from "./ast.ts";
import { endPos, isExpr, isStmt, startPos, utf8Length } from "./ast.ts";
import { parseFile } from "./parser.ts";
import { quote } from "./quote.ts";
import { ESCAPE, tabwriteTo, type TabwriterOptions } from "./tabwriter.ts";
import { Trimmer } from "./trimmer.ts";
import { decodeUtf8 } from "./utf8.ts";
import { NoPos, type Pos, Token, tokenString } from "./token.ts";

export interface PrinterConfig {
  /** Indentation (in tabs) applied to all emitted code. Default 0. */
  indent?: number;
  /** Print literals flagged as secret as "(secret)". Default false. */
  redactSecrets?: boolean;
}

/**
 * Pretty-prints a File, Body, statement or expression. The result has no
 * trailing newline (like Alloy's printer.Fprint).
 */
export function printNode(node: Node, cfg: PrinterConfig = {}): string {
  const p = new Printer(cfg);
  const w = new Walker(p);
  if (Array.isArray(node)) {
    if (node.length > 0 && (node[0] as Node as Comment).type === "Comment") {
      throw new TypeError("printer: unsupported node type CommentGroup");
    }
    w.walkStmts(node as Body);
  } else if (node.type === "File") {
    p.setComments(node.comments);
    w.walkStmts(node.body);
  } else if (isStmt(node)) {
    w.walkStmt(node);
  } else if (isExpr(node)) {
    w.walkExpr(node);
  } else {
    throw new TypeError(`printer: unsupported node type ${node.type}`);
  }
  return p.finish();
}

/**
 * Passes of the printer `format` may run before the output is stable. A
 * block comment inside an access chain (after `a.` in `a.b.c.d`) moves one
 * token per pass, so allow a generous bound; typical sources need one or two.
 */
const MAX_FORMAT_PASSES = 16;

/**
 * Formats Alloy source like `alloy fmt`: the printed file plus a final
 * newline. Throws Diagnostics on parse errors.
 *
 * Alloy's printer is not idempotent for some inputs (a comment inside an
 * expression can move on the next run; an attribute whose value spanned
 * lines is aligned only on the next run). `format` therefore prints again
 * until the output is stable, so that `format(format(x)) === format(x)`.
 * Sources that Alloy's printer leaves unchanged come back unchanged.
 */
export function format(source: string | Uint8Array, filename = ""): string {
  let out = printNode(parseFile(filename, source));
  // Parsing succeeded, so the bytes are valid UTF-8.
  const text = typeof source === "string" ? source : decodeUtf8(source);
  for (let pass = 1; pass < MAX_FORMAT_PASSES; pass++) {
    if (out.length + 1 === text.length && out + "\n" === text) break; // already formatted
    const next = printNode(parseFile(filename, out));
    if (next === out) break;
    out = next;
  }
  return out + "\n";
}

// Alloy's tabwriter settings: minwidth 0, tabwidth 8, padding 1, padchar
// ' ', DiscardEmptyColumns | TabIndent.
const ALIGNMENT: TabwriterOptions = {
  minWidth: 0,
  tabWidth: 8,
  padding: 1,
  padChar: " ",
  discardEmptyColumns: true,
  tabIndent: true,
};

// Whitespace codes buffered by the printer.
const WS_IGNORE = 0;
const WS_BLANK = 0x20; // ' '
const WS_VTAB = 0x0b; // '\v'
const WS_NEWLINE = 0x0a; // '\n'
const WS_FORMFEED = 0x0c; // '\f'
const WS_INDENT = 0x3e; // '>'
const WS_UNINDENT = 0x3c; // '<'
type Whitespace =
  | typeof WS_IGNORE
  | typeof WS_BLANK
  | typeof WS_VTAB
  | typeof WS_NEWLINE
  | typeof WS_FORMFEED
  | typeof WS_INDENT
  | typeof WS_UNINDENT;

// Alloy's whitespace buffer has room for 16 entries and is force-flushed
// when full; keep the same bound so output matches in corner cases.
const WS_CAPACITY = 16;
const MAX_NEWLINES = 2;

function newlineLimit(n: number): number {
  return n > MAX_NEWLINES ? MAX_NEWLINES : n;
}

// Tokens that would merge with the previous token when re-scanned unless a
// space separates them ("1." would become a float, "/*" a comment).
function mayCombine(prev: Token, next: string): boolean {
  if (prev === Token.NUMBER) return next.charCodeAt(0) === 0x2e;
  if (prev === Token.DIV) return next.charCodeAt(0) === 0x2a;
  return false;
}

class Printer {
  private readonly indentBase: number;
  private readonly redactSecrets: boolean;

  // Built by concatenation: V8 and JSC make that a cheap rope.
  private output = "";
  private indent = 0;
  // Last token written; LITERAL after whitespace.
  private lastTok: Token = Token.ILLEGAL;
  // Last token whose text was written (never LITERAL for whitespace).
  private writtenTok: Token = Token.ILLEGAL;
  private ws: Whitespace[] = [];

  // Comments still to be placed.
  private comments: CommentGroup[] = [];
  private commentIdx = 0;
  private curGroup: CommentGroup = [];
  private commentPos: Pos = NoPos;

  // Estimated position in the source (AST space), updated from explicit
  // positions and by the length of written text. Kept as plain numbers to
  // avoid allocating on every token.
  private posOffset = 0;
  private posLine = 1;
  private posColumn = 1;
  // Source line just after the last written text.
  private lastLine = 0;
  // Column in the output, used to indent lines.
  private outColumn = 1;

  constructor(cfg: PrinterConfig) {
    this.indentBase = cfg.indent ?? 0;
    this.redactSecrets = cfg.redactSecrets ?? false;
  }

  setComments(groups: CommentGroup[]): void {
    this.comments = groups;
    this.commentIdx = 0;
    this.commentPos = NoPos;
    this.nextComment();
  }

  private nextComment(): void {
    while (this.commentIdx < this.comments.length) {
      const g = this.comments[this.commentIdx++]!;
      if (g.length > 0) {
        this.curGroup = g;
        this.commentPos = g[0]!.startPos;
        return;
      }
    }
    this.commentPos = NoPos;
  }

  private commentBefore(nextOffset: number): boolean {
    return this.commentPos.valid && this.commentPos.offset <= nextOffset;
  }

  // --- inputs from the walker ---

  /** Buffers a whitespace code until the next token. */
  space(w: Whitespace): void {
    if (w === WS_IGNORE) return;
    if (this.ws.length === WS_CAPACITY) this.writeWhitespace(WS_CAPACITY);
    this.ws.push(w);
    this.lastTok = Token.LITERAL;
  }

  /** Sets the source position of the next token, when known. */
  at(pos: Pos): void {
    if (pos.file === null) return; // unknown position (hand-built AST)
    this.setPos(pos);
  }

  private setPos(pos: Pos): void {
    const file = pos.file!;
    const off = pos.offset;
    this.posOffset = off;
    const line = file.lineOf(off);
    this.posLine = line;
    this.posColumn = line > 0 ? off - file.lineStart(line) + 1 : 0;
  }

  ident(id: Ident): void {
    this.lastTok = Token.IDENT;
    this.text(id.name);
  }

  literal(lit: LiteralExpr): void {
    this.lastTok = lit.kind;
    const value = this.redactSecrets && lit.secret ? '"(secret)"' : lit.value;
    this.text(value, needsShield(value));
  }

  token(t: Token): void {
    const s = tokenString(t);
    if (mayCombine(this.lastTok, s)) this.ws = [WS_BLANK];
    this.lastTok = t;
    this.text(s);
  }

  private text(data: string, shield = false): void {
    // The token goes at the current estimated position, whatever comments
    // and whitespace are written before it.
    const offset = this.posOffset;
    const line = this.posLine;
    const column = this.posColumn;
    this.flush(offset, line, this.lastTok);
    this.writeString(data, shield, offset, line, column);
    this.writtenTok = this.lastTok;
  }

  /** Writes remaining comments and returns the formatted text. */
  finish(): string {
    this.flush(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, Token.EOF);
    const trimmer = new Trimmer();
    tabwriteTo(this.output, ALIGNMENT, trimmer);
    return trimmer.result();
  }

  // --- comments and whitespace ---

  // Writes comments that come before the next token (at nextOffset /
  // nextLine), then pending whitespace.
  private flush(nextOffset: number, nextLine: number, tok: Token): void {
    if (this.commentBefore(nextOffset) && (tok === Token.EOF || this.canInjectHere(nextOffset, nextLine))) {
      this.injectComments(nextOffset, nextLine, tok);
    } else if (tok !== Token.EOF) {
      this.writeWhitespace(this.ws.length);
    }
  }

  // Departure from Alloy, which only matters where Alloy's own output would
  // not parse: comments are placed where their offsets say, but a line break
  // written after a token that ends a statement (an identifier, literal or
  // closing bracket) makes the scanner insert a terminator. Unless the walker
  // breaks the line here anyway (end of statement), comments that would
  // bring a line break (line comments, comments on another line, block
  // comments spanning lines) are held back until a place where a line
  // break is harmless.
  private canInjectHere(nextOffset: number, nextLine: number): boolean {
    if (this.output.length === 0 || !insertsTerminator(this.writtenTok)) return true;
    for (const w of this.ws) if (w === WS_NEWLINE || w === WS_FORMFEED) return true;

    // Only block comments on the current line, without line breaks, and
    // followed by the next token on that same line, are safe.
    const line = this.lastLine;
    if (nextLine !== line) return false;
    let group = this.curGroup;
    for (let g = this.commentIdx; ; g++) {
      for (const c of group) {
        const t = c.text;
        if (t.charCodeAt(1) !== 0x2a || t.includes("\n") || t.includes("\f") || c.startPos.line !== line) return false;
      }
      // The following groups are injected too when they also come first.
      if (g >= this.comments.length) return true;
      group = this.comments[g]!;
      if (group.length === 0) continue;
      if (!(group[0]!.startPos.valid && group[0]!.startPos.offset <= nextOffset)) return true;
    }
  }

  private injectComments(nextOffset: number, nextLine: number, tok: Token): void {
    let lastComment: Comment | null = null;
    while (this.commentBefore(nextOffset)) {
      for (const c of this.curGroup) {
        this.writeCommentPrefix(nextLine, c);
        const sp = c.startPos;
        const file = sp.file;
        if (file === null) this.writeString(c.text, true, 0, 0, 0);
        else this.writeString(c.text, true, sp.offset, file.lineOf(sp.offset), file.columnOf(sp.offset));
        lastComment = c;
      }
      this.nextComment();
    }
    this.writeCommentSuffix(nextLine, tok, lastComment!);
  }

  // Whitespace before a comment.
  private writeCommentPrefix(nextLine: number, c: Comment): void {
    if (this.output.length === 0) return; // nothing before the first comment

    const cLine = c.startPos.line;
    if (cLine === this.lastLine) {
      // Same line as the previous token: separate with a tab (aligning
      // trailing comments), or a space if the next token follows on this
      // line too (so this is an inline block comment).
      this.writeByte(cLine === nextLine ? " " : "\t", 1);
      return;
    }

    // Different line: apply pending indentation changes, drop the first
    // real whitespace entry, and write our own line breaks instead.
    let count = 0;
    for (let i = 0; i < this.ws.length; i++) {
      const w = this.ws[i]!;
      if (w === WS_INDENT || w === WS_UNINDENT) continue;
      if (w === WS_BLANK || w === WS_VTAB || w === WS_NEWLINE || w === WS_FORMFEED) this.ws[i] = WS_IGNORE;
      count = i;
      break;
    }
    this.writeWhitespace(count);

    const newlines = cLine > 0 && this.lastLine > 0 ? cLine - this.lastLine : 0;
    if (newlines > 0) this.writeByte("\f", newlineLimit(newlines));
  }

  // Whitespace between the last comment and the next token.
  private writeCommentSuffix(nextLine: number, tok: Token, lastComment: Comment): void {
    if (tok === Token.EOF) return; // no blank lines at the end of the file

    // A block comment on the same line as the next token needs a space.
    if (lastComment.text.charCodeAt(1) === 0x2a && nextLine === endPos(lastComment).line) {
      this.writeByte(" ", 1);
    }

    const newlines = nextLine - this.lastLine;
    let droppedFF = false;
    for (let i = 0; i < this.ws.length; i++) {
      const w = this.ws[i]!;
      if (w === WS_BLANK || w === WS_VTAB) this.ws[i] = WS_IGNORE;
      else if (w === WS_NEWLINE || w === WS_FORMFEED) {
        if (w === WS_FORMFEED) droppedFF = true;
        this.ws[i] = WS_IGNORE;
      }
    }
    this.writeWhitespace(this.ws.length);

    // Departure from Alloy: a line comment must end its line (Alloy lets the
    // next token run into it when its estimated position is on that line).
    const lineComment = lastComment.text.charCodeAt(1) === 0x2f;
    if (newlines > 0) this.writeByte(droppedFF ? "\f" : "\n", newlineLimit(newlines));
    else if (lineComment) this.writeByte(droppedFF ? "\f" : "\n", 1);
  }

  // Writes the first n buffered whitespace entries.
  private writeWhitespace(n: number): void {
    for (let i = 0; i < n; i++) {
      const w = this.ws[i]!;
      switch (w) {
        case WS_IGNORE:
          break;
        case WS_INDENT:
          this.indent++;
          break;
        case WS_UNINDENT:
          this.indent--;
          if (this.indent < 0) throw new Error("printer: negative indentation");
          break;
        default:
          this.writeByte(String.fromCharCode(w), 1);
      }
    }
    this.ws = n >= this.ws.length ? [] : this.ws.slice(n);
  }

  // --- output ---

  private emit(s: string): void {
    this.output += s;
  }

  // Writes text that starts at the given source position (ignored when line
  // is 0); comments (`escaped`) are shielded from the tabwriter.
  private writeString(s: string, escaped: boolean, offset: number, line: number, column: number): void {
    if (this.outColumn === 1) this.writeIndent();
    // Set after indenting: the position is that of the text itself.
    if (line > 0) {
      this.posOffset = offset;
      this.posLine = line;
      this.posColumn = column;
    }

    this.emit(escaped ? ESCAPE + s + ESCAPE : s);

    // Advance the estimated positions by the text (byte based, as Alloy).
    // Departure from Alloy, which also counts form feeds as line breaks
    // here (the scanner does not), so a form feed in a comment threw the
    // line count off and could join the next line onto a line comment; only
    // '\n' counts.
    let newlines = 0;
    let lastNewline = -1;
    let ascii = true;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x0a) {
        newlines++;
        lastNewline = i;
      } else if (c >= 0x80) ascii = false;
    }
    const len = ascii ? s.length : utf8Length(s);
    this.posOffset += len;
    if (newlines > 0) {
      // Bytes from the last newline to the end.
      const column = ascii ? s.length - lastNewline : utf8Length(s.slice(lastNewline));
      this.posLine += newlines;
      this.posColumn = column;
      this.outColumn = column;
    } else {
      this.posColumn += len;
      this.outColumn += len;
    }
    this.lastLine = this.posLine;
  }

  private writeIndent(): void {
    const depth = this.indentBase + this.indent;
    if (depth > 0) this.emit(depth === 1 ? "\t" : "\t".repeat(depth));
    this.posOffset += depth;
    this.posColumn += depth;
    this.outColumn += depth;
  }

  // Writes a whitespace character n times.
  private writeByte(ch: string, n: number): void {
    if (this.outColumn === 1) this.writeIndent();
    this.emit(n === 1 ? ch : ch.repeat(n));
    this.posOffset += n;
    if (ch === "\n" || ch === "\f") {
      this.posLine += n;
      this.posColumn = 1;
      this.outColumn = 1;
      return;
    }
    this.posColumn += n;
    this.outColumn += n;
  }
}

// Departure from Alloy, which passes literals to the aligner unprotected:
// a tab, vertical tab or form feed inside a string would be taken for a
// column or line break and blanks before a line break inside a raw string
// would be trimmed, changing the string. Such literals are shielded like
// comments. Other literals (including multi-line raw strings) print as in
// Alloy.
function needsShield(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x09 || c === 0x0b || c === 0x0c) return true;
    if (c === 0x20 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d === 0x0a) return true;
    }
  }
  return false;
}

// Tokens after which the scanner inserts a terminator at a line break.
function insertsTerminator(t: Token): boolean {
  switch (t) {
    case Token.IDENT:
    case Token.NUMBER:
    case Token.FLOAT:
    case Token.STRING:
    case Token.BOOL:
    case Token.NULL:
    case Token.RPAREN:
    case Token.RBRACK:
    case Token.RCURLY:
    case Token.LITERAL: // raw text from builders: assume the worst
      return true;
    default:
      return false;
  }
}

// Number of source lines a node spans.
function nodeLines(n: Node): number {
  return endPos(n).line - startPos(n).line + 1;
}

function differentLines(a: Pos, b: Pos): boolean {
  return a.line !== b.line;
}

class Walker {
  private readonly p: Printer;

  constructor(p: Printer) {
    this.p = p;
  }

  walkStmts(stmts: Stmt[]): void {
    const p = this.p;
    for (let i = 0; i < stmts.length; i++) {
      const s = stmts[i]!;
      if (i > 0) {
        if (s.type === "BlockStmt") {
          // Blocks are always separated from the previous statement by a blank line.
          p.space(WS_FORMFEED);
        } else if (startPos(s).line - endPos(stmts[i - 1]!).line > 1) {
          // Keep (one) blank line where the source has one.
          p.space(WS_FORMFEED);
        }
      }
      this.walkStmt(s);
      // Multi-line statements end an alignment run.
      p.space(nodeLines(s) > 1 ? WS_FORMFEED : WS_NEWLINE);
    }
  }

  walkStmt(s: Stmt): void {
    if (s.type === "AttributeStmt") this.walkAttributeStmt(s);
    else this.walkBlockStmt(s);
  }

  private walkAttributeStmt(s: AttributeStmt): void {
    const p = this.p;
    p.at(s.name.namePos);
    p.ident(s.name);
    p.space(WS_VTAB);
    p.token(Token.ASSIGN);
    p.space(WS_BLANK);
    this.walkExpr(s.value);
  }

  private walkBlockStmt(s: BlockStmt): void {
    const p = this.p;
    p.at(s.namePos);
    p.ident({ type: "Ident", name: s.name.join("."), namePos: s.namePos });
    if (s.label !== "") {
      p.space(WS_BLANK);
      p.at(s.labelPos);
      p.literal({ type: "LiteralExpr", kind: Token.STRING, value: quote(s.label), valuePos: NoPos });
    }
    p.space(WS_BLANK);
    p.at(s.lCurlyPos);
    p.token(Token.LCURLY);
    p.space(WS_INDENT);
    if (s.body.length > 0) {
      p.space(WS_FORMFEED); // start a new alignment run
      this.walkStmts(s.body);
    } else {
      p.space(WS_BLANK); // empty blocks print as `name { }`
    }
    p.space(WS_UNINDENT);
    p.at(s.rCurlyPos);
    p.token(Token.RCURLY);
  }

  walkExpr(e: Expr): void {
    const p = this.p;
    switch (e.type) {
      case "LiteralExpr":
        p.at(e.valuePos);
        p.literal(e);
        break;
      case "ArrayExpr":
        this.walkArrayExpr(e);
        break;
      case "ObjectExpr":
        this.walkObjectExpr(e);
        break;
      case "IdentifierExpr":
        p.at(e.ident.namePos);
        p.ident(e.ident);
        break;
      case "AccessExpr":
        this.walkExpr(e.value);
        p.token(Token.DOT);
        p.ident(e.name);
        break;
      case "IndexExpr":
        this.walkExpr(e.value);
        p.at(e.lBrackPos);
        p.token(Token.LBRACK);
        this.walkExpr(e.index);
        p.at(e.rBrackPos);
        p.token(Token.RBRACK);
        break;
      case "CallExpr":
        this.walkCallExpr(e);
        break;
      case "UnaryExpr":
        p.at(e.kindPos);
        p.token(e.kind);
        this.walkExpr(e.value);
        break;
      case "BinaryExpr":
        this.walkExpr(e.left);
        p.space(WS_BLANK);
        p.at(e.kindPos);
        p.token(e.kind);
        p.space(WS_BLANK);
        this.walkExpr(e.right);
        break;
      case "ParenExpr":
        p.token(Token.LPAREN);
        this.walkExpr(e.inner);
        p.token(Token.RPAREN);
        break;
    }
  }

  private walkArrayExpr(e: Extract<Expr, { type: "ArrayExpr" }>): void {
    const p = this.p;
    p.at(e.lBrackPos);
    p.token(Token.LBRACK);
    let prevPos = e.lBrackPos;
    const n = e.elements.length;
    for (let i = 0; i < n; i++) {
      const el = e.elements[i]!;
      let addedNewline = false;
      if (differentLines(prevPos, startPos(el))) {
        // Indent before the newline so comments written before it are
        // indented like the element.
        p.space(WS_INDENT);
        p.space(WS_FORMFEED);
        addedNewline = true;
      } else if (i > 0) {
        p.space(WS_BLANK);
      }
      prevPos = endPos(el);
      this.walkExpr(el);
      if (i + 1 < n) p.token(Token.COMMA);
      if (addedNewline) p.space(WS_UNINDENT);
    }
    // A closing bracket on its own line gets a trailing comma before it.
    if (n > 0 && differentLines(prevPos, e.rBrackPos)) {
      p.token(Token.COMMA);
      p.space(WS_INDENT); // so comments after the last element are indented
      p.space(WS_FORMFEED);
      p.space(WS_UNINDENT);
    }
    p.at(e.rBrackPos);
    p.token(Token.RBRACK);
  }

  private walkObjectExpr(e: Extract<Expr, { type: "ObjectExpr" }>): void {
    const p = this.p;
    p.at(e.lCurlyPos);
    p.token(Token.LCURLY);
    p.space(WS_INDENT);
    let prevPos = e.lCurlyPos;
    const n = e.fields.length;
    for (let i = 0; i < n; i++) {
      const field = e.fields[i]!;
      if (differentLines(prevPos, field.name.namePos)) {
        // Align `=` with the previous field only if its value was one line.
        p.space(i > 0 && nodeLines(e.fields[i - 1]!.value) === 1 ? WS_NEWLINE : WS_FORMFEED);
      } else if (i > 0) {
        p.space(WS_BLANK);
      }
      prevPos = endPos(field.name);
      p.at(field.name.namePos);
      if (field.quoted) {
        // Departure from Alloy, which re-quotes the key's raw text with Go's
        // %q and so doubles its backslashes (changing the key on every run):
        // the raw text is printed between quotes, as written.
        p.literal({ type: "LiteralExpr", kind: Token.STRING, valuePos: field.name.namePos, value: `"${field.name.name}"` });
      } else {
        p.ident(field.name);
      }
      p.space(WS_VTAB);
      p.token(Token.ASSIGN);
      p.space(WS_BLANK);
      this.walkExpr(field.value);
      if (i + 1 < n) p.token(Token.COMMA);
    }
    if (n > 0 && differentLines(prevPos, e.rCurlyPos)) {
      p.token(Token.COMMA);
      p.space(WS_FORMFEED);
    }
    p.space(WS_UNINDENT);
    p.at(e.rCurlyPos);
    p.token(Token.RCURLY);
  }

  private walkCallExpr(e: Extract<Expr, { type: "CallExpr" }>): void {
    const p = this.p;
    this.walkExpr(e.value);
    p.token(Token.LPAREN);
    let prevPos = e.lParenPos;
    const n = e.args.length;
    for (let i = 0; i < n; i++) {
      const arg = e.args[i]!;
      let addedNewline = false;
      if (differentLines(prevPos, startPos(arg))) {
        p.space(WS_FORMFEED);
        p.space(WS_INDENT);
        addedNewline = true;
      }
      this.walkExpr(arg);
      prevPos = endPos(arg);
      if (i + 1 < n) {
        p.token(Token.COMMA);
        p.space(WS_BLANK);
      }
      if (addedNewline) p.space(WS_UNINDENT);
    }
    // A closing parenthesis on its own line gets a trailing comma before it.
    // Departure from Alloy, which does this for calls without arguments too,
    // printing `f(,` (which does not parse); such calls print as `f()`.
    if (n > 0 && differentLines(prevPos, e.rParenPos)) {
      p.token(Token.COMMA);
      p.space(WS_FORMFEED);
    }
    p.token(Token.RPAREN);
  }
}
