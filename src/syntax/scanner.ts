// Lexical scanner for Alloy source. It follows Alloy's scanner (itself a
// close relative of Go's): it works on UTF-8 bytes, reports byte offsets,
// inserts statement terminators automatically after identifiers, literals
// and closing brackets, and keeps going after errors so the parser can
// report as many problems as possible.

import { lookupKeyword, type Pos, type SourceFile, Token } from "./token.ts";
import { formatRuneU } from "./quote.ts";
import { decodeRune, decodeUtf8, encodeUtf8, RuneError, runeOf, widthOf } from "./utf8.ts";

/** Receives lexical errors. */
export type ErrorHandler = (pos: Pos, msg: string) => void;

/** Scanner mode flags. */
export const ScanMode = {
  /** Return comments as COMMENT tokens instead of skipping them. */
  IncludeComments: 1,
  /** Never insert terminators automatically (for tests). */
  DontInsertTerms: 2,
} as const;

const EOF_CH = -1;
const BOM = 0xfeff;

const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;

/** unicode.IsLetter, or '_' / ASCII letters. */
export function isLetter(ch: number): boolean {
  if (ch < 0x80) return (ch >= 0x61 && ch <= 0x7a) || (ch >= 0x41 && ch <= 0x5a) || ch === 0x5f;
  return LETTER.test(String.fromCodePoint(ch));
}

/** ASCII digit or unicode.IsDigit. */
export function isDigit(ch: number): boolean {
  if (ch < 0x80) return ch >= 0x30 && ch <= 0x39;
  return DIGIT.test(String.fromCodePoint(ch));
}

function isDecimal(ch: number): boolean {
  return ch >= 0x30 && ch <= 0x39;
}

function digitVal(ch: number): number {
  if (ch >= 0x30 && ch <= 0x39) return ch - 0x30;
  const l = ch | 0x20;
  if (ch >= 0 && l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return 16; // larger than any legal digit
}

// Identifier continuation bytes for the ASCII fast path.
const identByte = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || (c >= 0x30 && c <= 0x39)) {
    identByte[c] = 1;
  }
}

/**
 * Tokenizer. Call scan() repeatedly; after each call `tok`, `offset` (byte
 * offset of the token start) and `lit` describe the token. `lit` is the
 * source text for identifiers, keywords, literals, comments (without `\r`)
 * and illegal characters, "\n" for terminators and "" for operators.
 */
export class Scanner {
  readonly file: SourceFile;
  readonly input: Uint8Array;
  private readonly onErr: ErrorHandler | null;
  private readonly mode: number;
  // When the source came as a pure-ASCII string, byte offsets equal string
  // indexes and literals are sliced from it instead of decoded.
  private readonly asciiText: string | null;

  // Scanning state: ch is the current rune at byte `chOffset`, `readOffset`
  // is the byte after it.
  private ch = EOF_CH;
  private chOffset = 0;
  private readOffset = 0;
  private insertTerm = false;

  /** Number of errors reported so far. */
  errorCount = 0;

  /** Kind of the last scanned token. */
  tok: Token = Token.EOF;
  /** Byte offset where the last token starts. */
  offset = 0;
  /** Literal text of the last token (see class comment). */
  lit = "";

  constructor(file: SourceFile, input: Uint8Array | string, onErr: ErrorHandler | null = null, mode = 0) {
    this.file = file;
    if (typeof input === "string") {
      const bytes = encodeUtf8(input);
      this.input = bytes;
      this.asciiText = bytes.length === input.length ? input : null;
    } else {
      this.input = input;
      this.asciiText = null;
    }
    this.onErr = onErr;
    this.mode = mode;

    this.next();
    if (this.ch === BOM) this.next(); // a BOM is allowed as the very first character
  }

  /**
   * Byte offset just after the source text of the last token (for a
   * terminator, after the newline it stands for, or the token start when it
   * was inserted before a comment or at EOF).
   */
  end = 0;

  private text(start: number, end: number): string {
    if (this.asciiText !== null) return this.asciiText.slice(start, end);
    const input = this.input;
    if (end - start <= 32) {
      let s = "";
      for (let i = start; i < end; i++) {
        const b = input[i]!;
        if (b >= 0x80) return decodeUtf8(input, start, end);
        s += String.fromCharCode(b);
      }
      return s;
    }
    return decodeUtf8(input, start, end);
  }

  private error(offset: number, msg: string): void {
    this.errorCount++;
    if (this.onErr !== null) this.onErr(this.file.pos(offset), msg);
  }

  // Advances to the next rune, recording line starts and reporting NUL,
  // invalid UTF-8 and misplaced byte order marks.
  private next(): void {
    const input = this.input;
    if (this.readOffset >= input.length) {
      this.chOffset = input.length;
      if (this.ch === 0x0a) this.file.addLine(this.chOffset); // a final newline starts an (empty) line
      this.ch = EOF_CH;
      return;
    }
    this.chOffset = this.readOffset;
    if (this.ch === 0x0a) this.file.addLine(this.chOffset);

    let r = input[this.readOffset]!;
    let width = 1;
    if (r === 0) {
      this.error(this.chOffset, "illegal character NUL");
    } else if (r >= 0x80) {
      const packed = decodeRune(input, this.readOffset);
      r = runeOf(packed);
      width = widthOf(packed);
      if (r === RuneError && width === 1) this.error(this.chOffset, "illegal UTF-8 encoding");
      else if (r === BOM && this.chOffset > 0) this.error(this.chOffset, "illegal byte order mark");
    }
    this.readOffset += width;
    this.ch = r;
  }

  // The current rune, read through a call so TypeScript does not keep a
  // narrowed type across next().
  private cur(): number {
    return this.ch;
  }

  private peek(): number {
    return this.readOffset < this.input.length ? this.input[this.readOffset]! : 0;
  }

  private skipWhitespace(): void {
    for (;;) {
      const ch = this.ch;
      if (ch === 0x20 || ch === 0x09 || ch === 0x0d || (ch === 0x0a && !this.insertTerm)) this.next();
      else return;
    }
  }

  /** Scans the next token and returns its kind. */
  scan(): Token {
    for (;;) {
      this.skipWhitespace();
      const start = this.chOffset;
      this.offset = start;
      const ch = this.ch;
      let insertTerm = false;
      let tok: Token;
      let lit = "";

      if (isLetter(ch)) {
        lit = this.scanIdentifier();
        // Keywords are longer than one character.
        tok = lit.length > 1 ? lookupKeyword(lit) : Token.IDENT;
        insertTerm = true;
      } else if (isDecimal(ch) || (ch === 0x2e && isDecimal(this.peek()))) {
        insertTerm = true;
        tok = this.scanNumber();
        lit = this.text(start, this.chOffset);
      } else {
        this.next(); // make progress; ch is the first char, this.ch the second
        switch (ch) {
          case EOF_CH:
            if (this.insertTerm) {
              this.insertTerm = false; // the EOF ends the statement
              return this.emit(Token.TERMINATOR, "\n");
            }
            tok = Token.EOF;
            break;
          case 0x0a: // '\n'; only reached when a terminator is pending
            this.insertTerm = false;
            return this.emit(Token.TERMINATOR, "\n");
          case 0x27: // '\''
            this.error(start, "illegal single-quoted string; use double quotes");
            insertTerm = true;
            tok = Token.ILLEGAL;
            lit = this.scanString(0x27, true, false);
            break;
          case 0x22: // '"'
            insertTerm = true;
            tok = Token.STRING;
            lit = this.scanString(0x22, true, false);
            break;
          case 0x60: // '`'
            insertTerm = true;
            tok = Token.STRING;
            lit = this.scanString(0x60, false, true);
            break;
          case 0x7c: // '|'
            if (this.ch !== 0x7c) this.error(this.chOffset, "missing second | in ||");
            else this.next();
            tok = Token.OR;
            break;
          case 0x26: // '&'
            if (this.ch !== 0x26) this.error(this.chOffset, "missing second & in &&");
            else this.next();
            tok = Token.AND;
            break;
          case 0x21: // '!'
            tok = this.switch2(Token.NOT, Token.NEQ);
            break;
          case 0x3d: // '='
            tok = this.switch2(Token.ASSIGN, Token.EQ);
            break;
          case 0x3c: // '<'
            tok = this.switch2(Token.LT, Token.LTE);
            break;
          case 0x3e: // '>'
            tok = this.switch2(Token.GT, Token.GTE);
            break;
          case 0x2b:
            tok = Token.ADD;
            break;
          case 0x2d:
            tok = Token.SUB;
            break;
          case 0x2a:
            tok = Token.MUL;
            break;
          case 0x2f: // '/'
            if (this.ch === 0x2f || this.ch === 0x2a) {
              // A pending terminator goes before a comment that runs to the end
              // of the line; otherwise it comes after the comment.
              if (this.insertTerm && this.commentRunsToLineEnd()) {
                this.rewindTo(start);
                this.insertTerm = false;
                return this.emit(Token.TERMINATOR, "\n");
              }
              const comment = this.scanComment();
              if ((this.mode & ScanMode.IncludeComments) === 0) {
                this.insertTerm = false; // the comment consumed the newline
                continue;
              }
              tok = Token.COMMENT;
              lit = comment;
            } else {
              tok = Token.DIV;
            }
            break;
          case 0x25:
            tok = Token.MOD;
            break;
          case 0x5e:
            tok = Token.POW;
            break;
          case 0x7b:
            tok = Token.LCURLY;
            break;
          case 0x7d:
            insertTerm = true;
            tok = Token.RCURLY;
            break;
          case 0x28:
            tok = Token.LPAREN;
            break;
          case 0x29:
            insertTerm = true;
            tok = Token.RPAREN;
            break;
          case 0x5b:
            tok = Token.LBRACK;
            break;
          case 0x5d:
            insertTerm = true;
            tok = Token.RBRACK;
            break;
          case 0x2c:
            tok = Token.COMMA;
            break;
          case 0x2e: // '.'; fractions like ".5" were handled above
            tok = Token.DOT;
            break;
          default:
            // next() already reported misplaced byte order marks.
            if (ch !== BOM) this.error(start, "illegal character " + formatRuneU(ch));
            insertTerm = this.insertTerm; // keep the previous state
            tok = Token.ILLEGAL;
            lit = String.fromCodePoint(ch);
            break;
        }
      }

      if ((this.mode & ScanMode.DontInsertTerms) === 0) this.insertTerm = insertTerm;
      this.end = this.chOffset;
      this.tok = tok;
      this.lit = lit;
      return tok;
    }
  }

  private emit(tok: Token, lit: string): Token {
    this.end = this.chOffset;
    this.tok = tok;
    this.lit = lit;
    return tok;
  }

  // Resets the scanner so that the '/' at offset is consumed again.
  private rewindTo(offset: number): void {
    this.ch = 0x2f;
    this.chOffset = offset;
    this.readOffset = offset + 1;
  }

  private switch2(single: Token, withEq: Token): Token {
    if (this.ch === 0x3d) {
      this.next();
      return withEq;
    }
    return single;
  }

  // Scans an identifier starting at the current (letter) rune.
  private scanIdentifier(): string {
    const start = this.chOffset;
    const input = this.input;
    const n = input.length;
    let i = this.readOffset;
    // Fast path over ASCII identifier bytes.
    while (i < n) {
      const b = input[i]!;
      if (b < 0x80 && identByte[b] === 1) {
        i++;
        continue;
      }
      break;
    }
    if (i >= n) {
      this.chOffset = n;
      this.readOffset = n;
      this.ch = EOF_CH;
      return this.text(start, n);
    }
    const b = input[i]!;
    if (b > 0 && b < 0x80) {
      // An ASCII byte that cannot continue the identifier; identifiers never
      // contain '\n', so no line bookkeeping is needed.
      this.ch = b;
      this.chOffset = i;
      this.readOffset = i + 1;
      return this.text(start, i);
    }
    // Non-ASCII (or NUL): continue rune by rune.
    this.readOffset = i;
    this.next();
    while (isLetter(this.ch) || isDigit(this.ch)) this.next();
    return this.text(start, this.chOffset);
  }

  private digits(): number {
    let count = 0;
    while (isDecimal(this.ch)) {
      this.next();
      count++;
    }
    return count;
  }

  private scanNumber(): Token {
    const start = this.chOffset;
    let tok: Token = Token.NUMBER;
    if (this.ch !== 0x2e) this.digits();
    if (this.ch === 0x2e) {
      tok = Token.FLOAT;
      this.next();
      this.digits();
    }
    if ((this.ch | 0x20) === 0x65 && this.ch >= 0) {
      tok = Token.FLOAT;
      this.next();
      if (this.ch === 0x2b || this.ch === 0x2d) this.next();
      if (this.digits() === 0) this.error(start, "exponent has no digits");
    }
    return tok;
  }

  // Scans a string whose opening quote was consumed. Escapes are checked
  // but kept as written: the literal is the raw source text.
  private scanString(until: number, escapes: boolean, multiline: boolean): string {
    const start = this.chOffset - 1;
    for (;;) {
      const ch = this.ch;
      if ((!multiline && ch === 0x0a) || ch === EOF_CH) {
        this.error(start, "string literal not terminated");
        break;
      }
      this.next();
      if (ch === until) break;
      if (escapes && ch === 0x5c) this.scanEscape();
    }
    return this.text(start, this.chOffset);
  }

  // Validates one escape sequence after a backslash; on error it stops at the
  // offending character without consuming it.
  private scanEscape(): void {
    const start = this.chOffset;
    let n: number;
    let base: number;
    let max: number;
    switch (this.cur()) {
      case 0x61: // a
      case 0x62: // b
      case 0x66: // f
      case 0x6e: // n
      case 0x72: // r
      case 0x74: // t
      case 0x76: // v
      case 0x5c: // backslash
      case 0x22: // "
        this.next();
        return;
      case 0x30:
      case 0x31:
      case 0x32:
      case 0x33:
      case 0x34:
      case 0x35:
      case 0x36:
      case 0x37:
        n = 3;
        base = 8;
        max = 255;
        break;
      case 0x78: // x
        this.next();
        n = 2;
        base = 16;
        max = 255;
        break;
      case 0x75: // u
        this.next();
        n = 4;
        base = 16;
        max = 0x10ffff;
        break;
      case 0x55: // U
        this.next();
        n = 8;
        base = 16;
        max = 0x10ffff;
        break;
      default:
        this.error(start, this.cur() === EOF_CH ? "escape sequence not terminated" : "unknown escape sequence");
        return;
    }

    let x = 0;
    for (; n > 0; n--) {
      const d = digitVal(this.cur());
      if (d >= base) {
        this.error(
          start,
          this.cur() === EOF_CH
            ? "escape sequence not terminated"
            : `illegal character ${formatRuneU(this.cur())} in escape sequence`,
        );
        return;
      }
      x = x * base + d;
      this.next();
    }
    if (x > max || (x >= 0xd800 && x < 0xe000)) {
      this.error(start, "escape sequence is invalid Unicode code point");
    }
  }

  // Scans a comment whose first '/' was consumed; returns its text with
  // carriage returns removed.
  private scanComment(): string {
    const start = this.chOffset - 1;
    let numCR = 0;
    let block = false;

    if (this.cur() === 0x2f) {
      // Line comment; the newline is not part of it.
      this.next();
      while (this.cur() !== 0x0a && this.cur() !== EOF_CH) {
        if (this.cur() === 0x0d) numCR++;
        this.next();
      }
    } else {
      block = true;
      this.next();
      let terminated = false;
      while (this.cur() !== EOF_CH) {
        const ch = this.cur();
        if (ch === 0x0d) numCR++;
        this.next();
        if (ch === 0x2a && this.cur() === 0x2f) {
          this.next();
          terminated = true;
          break;
        }
      }
      if (!terminated) this.error(start, "block comment not terminated");
    }

    let end = this.chOffset;
    // A Windows line ending leaves a final '\r' on line comments.
    if (numCR > 0 && end - start >= 1 && this.input[end - 1] === 0x0d) {
      end--;
      numCR--;
    }
    if (numCR === 0) return this.text(start, end);
    return decodeUtf8(stripCR(this.input.subarray(start, end), block));
  }

  // Reports whether the comment starting at the consumed '/' (and any
  // comments following it on the same line) runs to the end of the line.
  // The scanner state is restored afterwards.
  private commentRunsToLineEnd(): boolean {
    const start = this.chOffset - 1;
    const result = this.lookForLineEnd();
    this.rewindTo(start);
    this.next(); // consume the initial '/' again
    return result;
  }

  private lookForLineEnd(): boolean {
    while (this.cur() === 0x2f || this.cur() === 0x2a) {
      if (this.cur() === 0x2f) return true; // line comments always end the line
      // A block comment: look for a newline inside it.
      this.next();
      while (this.cur() !== EOF_CH) {
        const ch = this.cur();
        if (ch === 0x0a) return true;
        this.next();
        if (ch === 0x2a && this.cur() === 0x2f) {
          this.next();
          break;
        }
      }
      // Is the rest of the line blank?
      this.skipWhitespace();
      if (this.cur() === EOF_CH || this.cur() === 0x0a) return true;
      if (this.cur() !== 0x2f) return false; // another token follows
      this.next(); // consume the '/' of a following comment
    }
    return false;
  }
}

// Removes carriage returns from a comment, except one between '*' and '/'
// in a block comment, where dropping it would end the comment early.
function stripCR(b: Uint8Array, block: boolean): Uint8Array {
  const out = new Uint8Array(b.length);
  let i = 0;
  for (let j = 0; j < b.length; j++) {
    const ch = b[j]!;
    if (ch !== 0x0d || (block && i > 2 && out[i - 1] === 0x2a && j + 1 < b.length && b[j + 1] === 0x2f)) {
      out[i++] = ch;
    }
  }
  return out.subarray(0, i);
}
