// Recursive-descent parser for Alloy files and expressions.
//
// Grammar (LL(1)), as in Alloy:
//
//   File        = Body
//   Body        = [ Statement { TERMINATOR Statement } ]
//   Statement   = BlockName ( "=" Expression | "{" Body "}" )
//   BlockName   = IDENT { "." IDENT } [ STRING ]
//   Expression  = OrExpr   (binary levels || && cmp +- */% left-assoc)
//   PowExpr     = UnaryExpr [ "^" PowExpr ]            (right-assoc)
//   UnaryExpr   = ( "!" | "-" ) UnaryExpr | PrimaryExpr { "." IDENT | "[" Expression "]" | "(" [ ExprList ] ")" }
//   PrimaryExpr = IDENT | STRING | NUMBER | FLOAT | BOOL | NULL
//               | "(" Expression ")" | "[" [ ExprList ] "]" | "{" [ FieldList ] "}"
//   ExprList    = Expression { "," Expression } [ "," ]
//   FieldList   = Field { "," Field } [ "," ]
//   Field       = ( STRING | IDENT ) "=" Expression
//
// The parser keeps going after errors so that every problem it can find is
// reported; like Alloy it keeps at most one error per source line (except for
// lexical errors and a few checks that always report). The AST is discarded
// by parseFile / parseExpression when any diagnostic was produced.

import type {
  AttributeStmt,
  Body,
  BlockStmt,
  Comment,
  CommentGroup,
  Expr,
  File,
  Ident,
  ObjectField,
  Stmt,
} from "./ast.ts";
import { startPos, utf8Length as utf8Len } from "./ast.ts";
import { type Diagnostic, Diagnostics, Severity } from "./diag.ts";
import { isValidIdentifier } from "./identifier.ts";
import { quoteBytes } from "./quote.ts";
import { ScanMode, Scanner } from "./scanner.ts";
import { binaryPrecedence, NoPos, NoPosition, type Pos, type Position, SourceFile, Token, tokenString } from "./token.ts";

/**
 * Maximum nesting of expressions and blocks. Alloy has no limit (Go stacks
 * grow), but JavaScript stacks are small; this bound is far beyond any real
 * configuration and turns pathological input into a diagnostic instead of a
 * stack overflow in the parser, printer or evaluator.
 */
export const MAX_NESTING_DEPTH = 1000;

/** Result of parsing with diagnostics returned instead of thrown. */
export interface ParseResult<T> {
  /** The (possibly partial) AST; only meaningful when there are no diagnostics. */
  node: T;
  diagnostics: Diagnostic[];
}

/**
 * Parses a whole Alloy file. Throws Diagnostics (listing every error found)
 * when the source has errors. `filename` only appears in positions.
 */
export function parseFile(filename: string, source: string | Uint8Array): File {
  const r = parseFileWithDiagnostics(filename, source);
  if (r.diagnostics.length > 0) throw new Diagnostics(r.diagnostics);
  return r.node;
}

/** Like parseFile, but returns the diagnostics alongside the AST. */
export function parseFileWithDiagnostics(filename: string, source: string | Uint8Array): ParseResult<File> {
  const p = new Parser(filename, source);
  const file = p.parseFile();
  return { node: file, diagnostics: p.diags };
}

/** Parses a single expression. Throws Diagnostics on errors. */
export function parseExpression(source: string | Uint8Array): Expr {
  const r = parseExpressionWithDiagnostics(source);
  if (r.diagnostics.length > 0) throw new Diagnostics(r.diagnostics);
  return r.node;
}

/** Like parseExpression, but returns the diagnostics alongside the AST. */
export function parseExpressionWithDiagnostics(source: string | Uint8Array): ParseResult<Expr> {
  const p = new Parser("", source);
  const expr = p.parseExpression();
  // Anything left over means the input was more than one expression.
  p.expect(Token.TERMINATOR);
  return { node: expr, diagnostics: p.diags };
}

// Tokens that end a statement-level expression, used to resynchronise after
// "expected expression".
function isStatementEnd(t: Token): boolean {
  return t === Token.TERMINATOR || t === Token.RPAREN || t === Token.RCURLY || t === Token.RBRACK ||
    t === Token.COMMA;
}

interface BlockName {
  fragments: string[];
  label: string;
  start: Pos;
  labelPos: Pos;
}

class Parser {
  readonly file: SourceFile;
  readonly diags: Diagnostic[] = [];
  private readonly scanner: Scanner;
  private readonly comments: CommentGroup[] = [];

  // Current token.
  private tok: Token = Token.EOF;
  private off = 0;
  private lit = "";

  // Line of the last error reported through addError; a second error on the
  // same line is dropped as it is usually a consequence of the first.
  private lastErrorLine = 0;
  private depth = 0;
  private depthExceeded = false;

  constructor(filename: string, source: string | Uint8Array) {
    this.file = new SourceFile(filename);
    this.scanner = new Scanner(
      this.file,
      source,
      (pos, msg) => {
        this.diags.push({ severity: Severity.Error, startPos: pos.position(), endPos: NoPosition, message: msg });
      },
      ScanMode.IncludeComments,
    );
    this.next();
  }

  // The current token, read through a call so TypeScript does not keep a
  // narrowed type across next().
  private cur(): Token {
    return this.tok;
  }

  private pos(): Pos {
    return this.file.pos(this.off);
  }

  // Advances to the next non-comment token, collecting comments.
  private next(): void {
    this.next0();
    while (this.tok === Token.COMMENT) this.consumeCommentGroup();
  }

  private next0(): void {
    const s = this.scanner;
    this.tok = s.scan();
    this.off = s.offset;
    this.lit = s.lit;
  }

  // Groups comments on adjacent lines.
  private consumeCommentGroup(): void {
    const list: Comment[] = [];
    let endLine = this.file.lineOf(this.off);
    while (this.tok === Token.COMMENT && this.file.lineOf(this.off) <= endLine + 1) {
      let line = this.file.lineOf(this.off);
      const text = this.lit;
      if (text.charCodeAt(1) === 0x2a) {
        // Block comments may span lines.
        for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0x0a) line++;
      }
      list.push({ type: "Comment", startPos: this.pos(), text });
      endLine = line;
      this.next0();
    }
    this.comments.push(list);
  }

  // Skips tokens up to (not including) `to` or EOF.
  private advance(to: Token): void {
    while (this.tok !== Token.EOF && this.tok !== to) this.next();
  }

  private advanceToStatementEnd(): void {
    while (this.tok !== Token.EOF && !isStatementEnd(this.tok)) this.next();
  }

  /** Consumes the current token, reporting an error unless it is t. Returns its offset. */
  expect(t: Token): number {
    const off = this.off;
    const tok = this.tok;
    if (tok !== t) this.addError(`expected ${tokenString(t)}, got ${tokenString(tok)}`);
    this.next();
    return off;
  }

  // Like expect, but also reports whether the token matched.
  private expectOk(t: Token): [number, boolean] {
    const ok = this.tok === t;
    return [this.expect(t), ok];
  }

  private addError(message: string): void {
    const pos = this.file.positionFor(this.off);
    if (this.lastErrorLine === pos.line) return;
    this.lastErrorLine = pos.line;
    this.diags.push({ severity: Severity.Error, startPos: pos, endPos: NoPosition, message });
  }

  private addDiag(start: Position, end: Position, message: string): void {
    this.diags.push({ severity: Severity.Error, startPos: start, endPos: end, message });
  }

  // Reports (once) and returns true when the current nesting depth plus
  // `extra` exceeds the limit. `depth` counts the AST levels opened by the
  // enclosing parse calls, so the AST depth stays bounded too.
  private tooDeep(): boolean {
    if (this.depth <= MAX_NESTING_DEPTH) return false;
    if (!this.depthExceeded) {
      this.depthExceeded = true;
      this.addDiag(
        this.file.positionFor(this.off),
        NoPosition,
        `nesting exceeds the maximum depth of ${MAX_NESTING_DEPTH}`,
      );
    }
    return true;
  }

  parseFile(): File {
    const body = this.parseBody(Token.EOF);
    return { type: "File", name: this.file.name, body, comments: this.comments };
  }

  // Body = [ Statement { TERMINATOR Statement } ], up to `until`.
  private parseBody(until: Token): Body {
    const body: Body = [];
    while (this.tok !== until && this.tok !== Token.EOF) {
      const stmt = this.parseStatement();
      if (stmt !== null) body.push(stmt);
      if (this.tok === until) break;
      if (this.tok !== Token.TERMINATOR) {
        this.addError(`expected ${tokenString(Token.TERMINATOR)}, got ${tokenString(this.tok)}`);
        this.consumeStatement();
      }
      this.next();
    }
    return body;
  }

  // Skips the rest of a statement: up to a terminator outside of any pair
  // of brackets opened within it.
  private consumeStatement(): void {
    let curly = 0;
    let brack = 0;
    let paren = 0;
    while (this.tok !== Token.EOF) {
      switch (this.tok) {
        case Token.LCURLY:
          curly++;
          break;
        case Token.RCURLY:
          curly--;
          break;
        case Token.LBRACK:
          brack++;
          break;
        case Token.RBRACK:
          brack--;
          break;
        case Token.LPAREN:
          paren++;
          break;
        case Token.RPAREN:
          paren--;
          break;
        case Token.TERMINATOR:
          // Counts may be negative when the statement began inside a pair.
          if (curly <= 0 && brack <= 0 && paren <= 0) return;
          break;
      }
      this.next();
    }
  }

  // Statement = BlockName ( "=" Expression | "{" Body "}" )
  private parseStatement(): Stmt | null {
    const name = this.parseBlockName();
    if (name === null) {
      // Skip to the next identifier, which may start a statement.
      this.advance(Token.IDENT);
      return null;
    }

    switch (this.tok) {
      case Token.ASSIGN: {
        this.next();
        if (name.fragments.length !== 1) {
          const attrName = name.fragments.join(".");
          this.addDiag(
            name.start.position(),
            name.start.add(utf8Len(attrName) - 1).position(),
            `attribute names may only consist of a single identifier with no "."`,
          );
        } else if (name.labelPos !== NoPos) {
          this.addDiag(
            name.labelPos.position(),
            // +1 covers the closing quote, which the label value lacks.
            name.labelPos.add(utf8Len(name.label) + 1).position(),
            "attribute names may not have labels",
          );
        }
        const stmt: AttributeStmt = {
          type: "AttributeStmt",
          name: { type: "Ident", name: name.fragments[0]!, namePos: name.start },
          value: this.parseExpression(),
        };
        return stmt;
      }

      case Token.LCURLY: {
        const lCurly = this.expect(Token.LCURLY);
        this.depth++;
        let body: Body = [];
        if (this.tooDeep()) this.skipNested();
        else body = this.parseBody(Token.RCURLY);
        this.depth--;
        const rCurly = this.expect(Token.RCURLY);
        const block: BlockStmt = {
          type: "BlockStmt",
          name: name.fragments,
          namePos: name.start,
          label: name.label,
          labelPos: name.labelPos,
          body,
          lCurlyPos: this.file.pos(lCurly),
          rCurlyPos: this.file.pos(rCurly),
        };
        return block;
      }

      default:
        if (name.fragments.length === 1 && name.label === "") {
          // Could have been an attribute or a block; mention both.
          this.addError(`expected attribute assignment or block body, got ${tokenString(this.tok)}`);
        } else {
          this.addError(`expected block body, got ${tokenString(this.tok)}`);
        }
        this.advance(Token.IDENT);
        return null;
    }
  }

  // BlockName = IDENT { "." IDENT } [ STRING ]
  private parseBlockName(): BlockName | null {
    if (this.tok !== Token.IDENT) {
      this.addError(`expected identifier, got ${tokenString(this.tok)}`);
      return null;
    }
    const fragments = [this.lit];
    const start = this.pos();
    let label = "";
    let labelPos = NoPos;
    this.next();

    while (this.cur() === Token.DOT) {
      this.next();
      // Keep going with a malformed name to find more errors.
      if (this.cur() !== Token.IDENT) this.addError(`expected identifier, got ${tokenString(this.tok)}`);
      fragments.push(this.lit);
      this.next();
    }

    if (this.cur() !== Token.ASSIGN && this.cur() !== Token.LCURLY) {
      if (this.cur() === Token.STRING) {
        const lit = this.lit;
        if (lit.charCodeAt(0) !== 0x22) {
          this.addError(`expected block label to be a double quoted string, but got ${this.quoteLit()}`);
        }
        // Non-empty labels lose their quotes (no unescaping) and must be
        // valid identifiers.
        if (this.scanner.end - this.off > 2) {
          label = lit.slice(1, lit.length - 1);
          if (!isValidIdentifier(label)) {
            this.addError(`expected block label to be a valid identifier, but got ${this.quoteLit(1, 1)}`);
          }
        }
        labelPos = this.pos();
      } else {
        this.addError(`expected block label, got ${tokenString(this.tok)}`);
      }
      this.next();
    }

    return { fragments, label, start, labelPos };
  }

  // Go's %q of the current literal (optionally trimmed), from the source
  // bytes so invalid UTF-8 renders as \x escapes like in Alloy.
  private quoteLit(trimStart = 0, trimEnd = 0): string {
    const s = this.scanner;
    const start = this.off + trimStart;
    return quoteBytes(s.input, start, Math.max(start, s.end - trimEnd));
  }

  /** Expression = BinOpExpr */
  parseExpression(): Expr {
    this.depth++;
    const e = this.tooDeep() ? this.skipExpression() : this.parseBinOp(1);
    this.depth--;
    return e;
  }

  // Precedence climbing for the left-associative binary operators; `^` is
  // handled by parsePowExpr. Operators at precedence >= minPrec are
  // consumed here; higher ones by the recursive call.
  private parseBinOp(minPrec: number): Expr {
    let lhs = this.parsePowExpr();
    const depth = this.depth;
    for (;;) {
      const tok = this.tok;
      const prec = binaryPrecedence(tok);
      if (prec < minPrec) break;
      const kindPos = this.pos();
      this.next();
      // Each operator nests the left operand one level deeper.
      this.depth++;
      if (this.tooDeep()) {
        this.skipExpression();
        break;
      }
      const rhs = this.parseBinOp(prec + 1);
      lhs = { type: "BinaryExpr", kind: tok, kindPos, left: lhs, right: rhs };
    }
    this.depth = depth;
    return lhs;
  }

  // PowExpr = UnaryExpr [ "^" PowExpr ]
  private parsePowExpr(): Expr {
    const lhs = this.parseUnaryExpr();
    if (this.tok !== Token.POW) return lhs;
    const kindPos = this.pos();
    this.next();
    this.depth++;
    const right = this.tooDeep() ? this.skipExpression() : this.parsePowExpr();
    this.depth--;
    return { type: "BinaryExpr", kind: Token.POW, kindPos, left: lhs, right };
  }

  // UnaryExpr = unary_op UnaryExpr | PrimaryExpr { AccessExpr | IndexExpr | CallExpr }
  private parseUnaryExpr(): Expr {
    if (this.tok === Token.NOT || this.tok === Token.SUB) {
      const kind = this.tok;
      const kindPos = this.pos();
      this.next();
      this.depth++;
      const value = this.tooDeep() ? this.skipExpression() : this.parseUnaryExpr();
      this.depth--;
      return { type: "UnaryExpr", kind, kindPos, value };
    }

    const primary = this.parsePrimaryExpr();
    const depth = this.depth;
    const e = this.parseSuffixes(primary);
    this.depth = depth;
    return e;
  }

  // { "." IDENT | "[" Expression "]" | "(" [ ExprList ] ")" } after a primary.
  private parseSuffixes(primary: Expr): Expr {
    for (;;) {
      const tok = this.tok;
      if (tok !== Token.DOT && tok !== Token.LBRACK && tok !== Token.LPAREN && tok !== Token.STRING &&
        tok !== Token.LCURLY) {
        return primary;
      }
      // Every suffix wraps the expression one level deeper.
      this.depth++;
      if (this.tooDeep()) {
        this.skipExpression();
        return primary;
      }
      switch (tok) {
        case Token.DOT: {
          this.next();
          const namePos = this.pos();
          const name = this.lit;
          this.expect(Token.IDENT);
          primary = { type: "AccessExpr", value: primary, name: { type: "Ident", name, namePos } };
          break;
        }
        case Token.LBRACK: {
          const lBrack = this.expect(Token.LBRACK);
          const index = this.parseExpression();
          const rBrack = this.expect(Token.RBRACK);
          primary = {
            type: "IndexExpr",
            value: primary,
            index,
            lBrackPos: this.file.pos(lBrack),
            rBrackPos: this.file.pos(rBrack),
          };
          break;
        }
        case Token.LPAREN: {
          const lParen = this.expect(Token.LPAREN);
          const args = this.tok !== Token.RPAREN ? this.parseExpressionList(Token.RPAREN) : [];
          const rParen = this.expect(Token.RPAREN);
          primary = {
            type: "CallExpr",
            value: primary,
            args,
            lParenPos: this.file.pos(lParen),
            rParenPos: this.file.pos(rParen),
          };
          break;
        }
        default: {
          // STRING or "{": probably a block assigned to an attribute. Parse it
          // as a block to say so; give up on the statement if it is not one.
          if (this.tok === Token.STRING) this.next();
          if (!this.expectOk(Token.LCURLY)[1]) {
            this.consumeStatement();
            return primary;
          }
          this.depth++;
          if (this.tooDeep()) this.skipNested();
          else this.parseBody(Token.RCURLY);
          this.depth--;
          const [end, ok] = this.expectOk(Token.RCURLY);
          if (!ok) {
            this.consumeStatement();
            return primary;
          }
          this.addDiag(
            startPos(primary).position(),
            this.file.positionFor(end),
            "cannot use a block as an expression",
          );
          break;
        }
      }
    }
  }

  // PrimaryExpr = IDENT | literal | "(" Expression ")" | ArrayExpr | ObjectExpr
  private parsePrimaryExpr(): Expr {
    switch (this.tok) {
      case Token.IDENT: {
        const ident: Ident = { type: "Ident", name: this.lit, namePos: this.pos() };
        this.next();
        return { type: "IdentifierExpr", ident };
      }
      case Token.STRING:
      case Token.NUMBER:
      case Token.FLOAT:
      case Token.BOOL:
      case Token.NULL: {
        const e: Expr = { type: "LiteralExpr", kind: this.tok, value: this.lit, valuePos: this.pos() };
        this.next();
        return e;
      }
      case Token.LPAREN: {
        const lParen = this.expect(Token.LPAREN);
        const inner = this.parseExpression();
        const rParen = this.expect(Token.RPAREN);
        return { type: "ParenExpr", inner, lParenPos: this.file.pos(lParen), rParenPos: this.file.pos(rParen) };
      }
      case Token.LBRACK: {
        const lBrack = this.expect(Token.LBRACK);
        const elements = this.cur() !== Token.RBRACK ? this.parseExpressionList(Token.RBRACK) : [];
        const rBrack = this.expect(Token.RBRACK);
        return { type: "ArrayExpr", elements, lBrackPos: this.file.pos(lBrack), rBrackPos: this.file.pos(rBrack) };
      }
      case Token.LCURLY: {
        const lCurly = this.expect(Token.LCURLY);
        const fields = this.parseFieldList(Token.RCURLY);
        const rCurly = this.expect(Token.RCURLY);
        return { type: "ObjectExpr", fields, lCurlyPos: this.file.pos(lCurly), rCurlyPos: this.file.pos(rCurly) };
      }
    }
    this.addError(`expected expression, got ${tokenString(this.tok)}`);
    const res: Expr = { type: "LiteralExpr", kind: Token.NULL, value: "null", valuePos: this.pos() };
    this.advanceToStatementEnd(); // eat the rest of the line
    return res;
  }

  // ExprList = Expression { "," Expression } [ "," ]
  private parseExpressionList(until: Token): Expr[] {
    const exprs: Expr[] = [];
    while (this.tok !== until && this.tok !== Token.EOF) {
      exprs.push(this.parseExpression());
      if (this.tok === until) break;
      if (this.tok !== Token.COMMA) this.addError("missing ',' in expression list");
      this.next();
    }
    return exprs;
  }

  // FieldList = Field { "," Field } [ "," ]
  private parseFieldList(until: Token): ObjectField[] {
    const fields: ObjectField[] = [];
    while (this.tok !== until && this.tok !== Token.EOF) {
      fields.push(this.parseField());
      if (this.tok === until) break;
      if (this.tok !== Token.COMMA) this.addError("missing ',' in field list");
      this.next();
    }
    return fields;
  }

  // Field = ( STRING | IDENT ) "=" Expression
  private parseField(): ObjectField {
    let name: Ident = { type: "Ident", name: "", namePos: NoPos };
    let quoted = false;
    if (this.tok === Token.STRING || this.tok === Token.IDENT) {
      name = { type: "Ident", name: this.lit, namePos: this.pos() };
      if (this.tok === Token.STRING && this.scanner.end - this.off > 2) {
        // Quoted key: strip the quotes; escapes are kept as written.
        name.name = this.lit.slice(1, this.lit.length - 1);
        quoted = true;
      }
      this.next();
    } else {
      this.addError(`expected field name (string or identifier), got ${tokenString(this.tok)}`);
      this.advance(Token.ASSIGN);
    }
    this.expect(Token.ASSIGN);
    return { name, quoted, value: this.parseExpression() };
  }

  // After the nesting limit: skip the rest of the expression, balancing
  // brackets, and stand in a null literal.
  private skipExpression(): Expr {
    const res: Expr = { type: "LiteralExpr", kind: Token.NULL, value: "null", valuePos: this.pos() };
    let open = 0;
    while (this.tok !== Token.EOF) {
      const t = this.tok;
      if (t === Token.LCURLY || t === Token.LBRACK || t === Token.LPAREN) open++;
      else if (t === Token.RCURLY || t === Token.RBRACK || t === Token.RPAREN) {
        if (open === 0) break;
        open--;
      } else if (open === 0 && (t === Token.TERMINATOR || t === Token.COMMA)) break;
      this.next();
    }
    return res;
  }

  // After the nesting limit inside a block: skip to its closing brace.
  private skipNested(): void {
    let open = 0;
    while (this.tok !== Token.EOF) {
      const t = this.tok;
      if (t === Token.LCURLY || t === Token.LBRACK || t === Token.LPAREN) open++;
      else if (t === Token.RCURLY || t === Token.RBRACK || t === Token.RPAREN) {
        if (open === 0) return;
        open--;
      }
      this.next();
    }
  }
}
