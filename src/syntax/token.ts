// Lexical tokens of the Alloy configuration language and source positions.
//
// Positions follow Alloy (and Go): offsets are byte offsets into the UTF-8
// source, lines and columns are 1-based and columns count bytes, not
// characters. A `Pos` is the compact form stored in the AST (file + offset);
// a `Position` is the expanded form used by diagnostics.

/** Token kinds. Numeric so the scanner and parser compare integers. */
export const Token = {
  ILLEGAL: 0,
  /** Raw text; only produced by AST builders, never by the scanner. */
  LITERAL: 1,
  EOF: 2,
  COMMENT: 3,

  IDENT: 4,
  NUMBER: 5,
  FLOAT: 6,
  STRING: 7,

  BOOL: 8,
  NULL: 9,

  OR: 10, // ||
  AND: 11, // &&
  NOT: 12, // !

  ASSIGN: 13, // =

  EQ: 14, // ==
  NEQ: 15, // !=
  LT: 16, // <
  LTE: 17, // <=
  GT: 18, // >
  GTE: 19, // >=

  ADD: 20, // +
  SUB: 21, // -
  MUL: 22, // *
  DIV: 23, // /
  MOD: 24, // %
  POW: 25, // ^

  LCURLY: 26, // {
  RCURLY: 27, // }
  LPAREN: 28, // (
  RPAREN: 29, // )
  LBRACK: 30, // [
  RBRACK: 31, // ]
  COMMA: 32, // ,
  DOT: 33, // .

  TERMINATOR: 34, // end of statement: a newline or an inserted terminator
} as const;

export type Token = (typeof Token)[keyof typeof Token];

// Printed names, indexed by token value; these are the strings Alloy puts in
// messages such as "expected IDENT, got BOOL".
const tokenNames: readonly string[] = [
  "ILLEGAL", "LITERAL", "EOF", "COMMENT",
  "IDENT", "NUMBER", "FLOAT", "STRING",
  "BOOL", "NULL",
  "||", "&&", "!",
  "=",
  "==", "!=", "<", "<=", ">", ">=",
  "+", "-", "*", "/", "%", "^",
  "{", "}", "(", ")", "[", "]", ",", ".",
  "TERMINATOR",
];

/** The printed form of a token kind (Go's Token.String). */
export function tokenString(t: Token): string {
  return tokenNames[t] ?? "ILLEGAL";
}

/** Maps an identifier to its keyword token, or IDENT if it is no keyword. */
export function lookupKeyword(ident: string): Token {
  switch (ident) {
    case "true":
    case "false":
      return Token.BOOL;
    case "null":
      return Token.NULL;
    default:
      return Token.IDENT;
  }
}

export function isKeyword(t: Token): boolean {
  return t === Token.BOOL || t === Token.NULL;
}

/** True for identifiers and literal tokens (IDENT, NUMBER, FLOAT, STRING). */
export function isLiteral(t: Token): boolean {
  return t >= Token.IDENT && t <= Token.STRING;
}

/** True for operators and delimiters. */
export function isOperator(t: Token): boolean {
  return t >= Token.OR && t <= Token.DOT;
}

export const LowestPrecedence = 0;
export const UnaryPrecedence = 7;
export const HighestPrecedence = 8;

/** Binary operator precedence; LowestPrecedence for non-binary tokens. */
export function binaryPrecedence(t: Token): number {
  switch (t) {
    case Token.OR:
      return 1;
    case Token.AND:
      return 2;
    case Token.EQ:
    case Token.NEQ:
    case Token.LT:
    case Token.LTE:
    case Token.GT:
    case Token.GTE:
      return 3;
    case Token.ADD:
    case Token.SUB:
      return 4;
    case Token.MUL:
    case Token.DIV:
    case Token.MOD:
      return 5;
    case Token.POW:
      return 6;
    default:
      return LowestPrecedence;
  }
}

/** Full position information; `line` 0 means the position is unknown. */
export interface Position {
  readonly filename: string;
  /** Byte offset, starting at 0. */
  readonly offset: number;
  /** Line number, starting at 1. */
  readonly line: number;
  /** Byte offset from the start of the line, starting at 1. */
  readonly column: number;
}

/** The zero Position (no file, no line). */
export const NoPosition: Position = Object.freeze({ filename: "", offset: 0, line: 0, column: 0 });

export function isValidPosition(p: Position): boolean {
  return p.line > 0;
}

/**
 * Renders a Position the way Alloy does: `file:line:col`, `file:line` (no
 * column), `line:col`, `line`, `file` (invalid position) or `-`.
 */
export function positionString(p: Position): string {
  let s = p.filename;
  if (p.line > 0) {
    if (s !== "") s += ":";
    s += String(p.line);
    if (p.column !== 0) s += ":" + String(p.column);
  }
  return s === "" ? "-" : s;
}

/**
 * Line table of one source file. The scanner records the start offset of
 * every line as it goes; positions are expanded lazily from it.
 */
export class SourceFile {
  readonly name: string;
  // Byte offset of the start of each line; lines[0] is always 0.
  private readonly lines: number[] = [0];

  constructor(name: string) {
    this.name = name;
  }

  /** Records that a line starts at offset; ignored unless past the last one. */
  addLine(offset: number): void {
    if (this.lines[this.lines.length - 1]! < offset) this.lines.push(offset);
  }

  /** Number of lines seen so far. */
  get lineCount(): number {
    return this.lines.length;
  }

  /** Byte offset where 1-based line n starts, or -1 when unknown. */
  lineStart(n: number): number {
    return n >= 1 && n <= this.lines.length ? this.lines[n - 1]! : -1;
  }

  /** A Pos in this file at byte offset off. */
  pos(off: number): Pos {
    if (off < 0) throw new RangeError("Pos: illegal offset");
    return new Pos(this, off);
  }

  /** Index into the line table of the line containing off (-1 if none). */
  private lineIndex(off: number): number {
    // Binary search for the last line start <= off.
    const lines = this.lines;
    let lo = 0;
    let hi = lines.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (lines[mid]! > off) hi = mid;
      else lo = mid + 1;
    }
    return lo - 1;
  }

  /** 1-based line of a byte offset (0 if unknown), without allocating. */
  lineOf(off: number): number {
    return this.lineIndex(off) + 1;
  }

  /** 1-based byte column of a byte offset (0 if unknown). */
  columnOf(off: number): number {
    const i = this.lineIndex(off);
    return i < 0 ? 0 : off - this.lines[i]! + 1;
  }

  /** Expands a byte offset into line and column. */
  positionFor(off: number): Position {
    const i = this.lineIndex(off);
    if (i < 0) return { filename: this.name, offset: off, line: 0, column: 0 };
    return { filename: this.name, offset: off, line: i + 1, column: off - this.lines[i]! + 1 };
  }
}

/**
 * A compact position: a file and a byte offset. The zero value `NoPos` has no
 * file and is invalid; AST nodes built by hand (converter, builder) use it.
 */
export class Pos {
  readonly file: SourceFile | null;
  readonly offset: number;

  constructor(file: SourceFile | null, offset: number) {
    this.file = file;
    this.offset = offset;
  }

  /** Reports whether the position is known (differs from NoPos). */
  get valid(): boolean {
    return this.file !== null || this.offset !== 0;
  }

  /** A Pos n bytes further in the same file. */
  add(n: number): Pos {
    return new Pos(this.file, this.offset + n);
  }

  /** The expanded position; NoPosition when the Pos has no file. */
  position(): Position {
    if (this.file === null) return NoPosition;
    return this.file.positionFor(this.offset);
  }

  get filename(): string {
    return this.file === null ? "" : this.file.name;
  }

  /** 1-based line, 0 when unknown. */
  get line(): number {
    return this.file === null ? 0 : this.file.lineOf(this.offset);
  }

  /** 1-based byte column, 0 when unknown. */
  get column(): number {
    return this.file === null ? 0 : this.file.columnOf(this.offset);
  }

  /** `file:line:col`, as Alloy prints positions in messages. */
  toString(): string {
    return positionString(this.position());
  }
}

/** The invalid, zero position. */
export const NoPos: Pos = new Pos(null, 0);
