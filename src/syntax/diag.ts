// Diagnostics: the error type of the Alloy syntax layer, its one-line form
// (`file:line:col: message`) and the multi-line printer with a source excerpt
// that `alloy run` and `alloy validate` show.

import { isValidPosition, type Position, positionString } from "./token.ts";
import { decodeRune, encodeUtf8, runeOf, widthOf } from "./utf8.ts";

export const Severity = {
  Warn: 1,
  Error: 2,
} as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

export interface Diagnostic {
  severity: Severity;
  /** Where the diagnostic starts. */
  startPos: Position;
  /** Where it ends (inclusive); NoPosition means "same as startPos". */
  endPos: Position;
  message: string;
  /** Optional printed value the diagnostic refers to. */
  value?: string;
}

/** Builds an error diagnostic. */
export function errorDiagnostic(startPos: Position, endPos: Position, message: string): Diagnostic {
  return { severity: Severity.Error, startPos, endPos, message };
}

/** `file:line:col: message` (Go's Diagnostic.Error). */
export function diagnosticString(d: Diagnostic): string {
  return positionString(d.startPos) + ": " + d.message;
}

/**
 * A non-empty list of diagnostics thrown as one error. Its message follows
 * Alloy: the first diagnostic, plus "(and N more diagnostics)".
 */
export class Diagnostics extends Error {
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnosticsMessage(diagnostics));
    this.name = "Diagnostics";
    this.diagnostics = diagnostics;
  }

  /** Reports whether any diagnostic is an error (not only warnings). */
  hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === Severity.Error);
  }

  /** Every message joined with "; " (Go's AllMessages). */
  allMessages(): string {
    return allMessages(this.diagnostics);
  }
}

export function isDiagnostics(e: unknown): e is Diagnostics {
  return e instanceof Diagnostics;
}

/** Go's Diagnostics.Error(). */
export function diagnosticsMessage(ds: readonly Diagnostic[]): string {
  switch (ds.length) {
    case 0:
      return "no errors";
    case 1:
      return diagnosticString(ds[0]!);
    default:
      return `${diagnosticString(ds[0]!)} (and ${ds.length - 1} more diagnostics)`;
  }
}

export function allMessages(ds: readonly Diagnostic[]): string {
  if (ds.length === 0) return "no errors";
  return ds.map(diagnosticString).join("; ");
}

export interface PrinterConfig {
  /** Colour the header with ANSI escapes (for terminals). */
  color?: boolean;
  /** Context lines printed before and after the range; default 1 each. */
  contextLinesBefore?: number;
  contextLinesAfter?: number;
}

/** Source text of files by name, for printing excerpts. */
export type SourceFiles = ReadonlyMap<string, string | Uint8Array> | Readonly<Record<string, string | Uint8Array>>;

const TAB_WIDTH = 4;
const NL = 0x0a;

// ANSI sequences as github.com/fatih/color renders them.
const ansiReset = "\x1b[0m";
const ansiErrorHeader = "\x1b[31;1m";
const ansiWarnHeader = "\x1b[33;1m";
const ansiBold = "\x1b[1m";

/**
 * Renders diagnostics the way Alloy's diag.Fprint does: a header line per
 * diagnostic, and, when the file's source is known, an excerpt with line
 * numbers and `^` under the reported range. Diagnostics are separated by a
 * blank line.
 */
export function formatDiagnostics(
  diags: readonly Diagnostic[],
  files?: SourceFiles | null,
  cfg: PrinterConfig = {},
): string {
  const before = cfg.contextLinesBefore ?? 1;
  const after = cfg.contextLinesAfter ?? 1;
  const out: string[] = [];
  const cache = new Map<string, Uint8Array[]>();

  for (let i = 0; i < diags.length; i++) {
    const d = diags[i]!;
    writeHeader(out, d, cfg.color === true);

    const start = d.startPos;
    const end = isValidPosition(d.endPos) ? d.endPos : start;

    const lines = files ? fileLines(files, start.filename, cache) : undefined;
    if (lines !== undefined && start.filename === end.filename) {
      writeRange(out, lines, start, end, before, after);
    }
    if (i + 1 < diags.length) out.push("\n");
  }
  return out.join("");
}

function writeHeader(out: string[], d: Diagnostic, color: boolean): void {
  const text = positionString(d.startPos) + ": " + d.message + "\n";
  if (color) {
    if (d.severity === Severity.Error) out.push(ansiErrorHeader + "Error: " + ansiReset);
    else if (d.severity === Severity.Warn) out.push(ansiWarnHeader + "Warning: " + ansiReset);
    out.push(ansiBold + text + ansiReset);
    return;
  }
  if (d.severity === Severity.Error) out.push("Error: ");
  else if (d.severity === Severity.Warn) out.push("Warning: ");
  out.push(text);
}

function lookupFile(files: SourceFiles, name: string): string | Uint8Array | undefined {
  if (files instanceof Map) return files.get(name);
  const rec = files as Readonly<Record<string, string | Uint8Array>>;
  return Object.prototype.hasOwnProperty.call(rec, name) ? rec[name] : undefined;
}

// Splits a file into lines on "\n" (like strings.Split), as byte arrays so
// that columns stay byte based.
function fileLines(files: SourceFiles, name: string, cache: Map<string, Uint8Array[]>): Uint8Array[] | undefined {
  const cached = cache.get(name);
  if (cached) return cached;
  const content = lookupFile(files, name);
  if (content === undefined) return undefined;
  const bytes = typeof content === "string" ? encodeUtf8(content) : content;
  const lines: Uint8Array[] = [];
  let s = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === NL) {
      lines.push(bytes.subarray(s, i));
      s = i + 1;
    }
  }
  lines.push(bytes.subarray(s));
  cache.set(name, lines);
  return lines;
}

function writeRange(
  out: string[],
  lines: Uint8Array[],
  start: Position,
  end: Position,
  before: number,
  after: number,
): void {
  out.push("\n");
  const startLine = Math.max(start.line - before, 1);
  const endLine = Math.min(end.line + after, lines.length);
  const multiline = end.line - start.line > 0;
  const prefixWidth = String(endLine).length;
  const margin = " ".repeat(prefixWidth);

  for (let lineNum = startLine; lineNum <= endLine; lineNum++) {
    const line = lines[lineNum - 1]!;
    out.push(String(lineNum).padStart(prefixWidth, " "), " | ");
    if (multiline) {
      // Column 0 so the starting line never gets the vertical bar.
      out.push(inRange(lineNum, 0, start, end) ? "| " : "  ");
    }
    out.push(renderLine(line), "\n");

    if (lineNum === start.line || (multiline && lineNum === end.line)) {
      out.push(margin);
      if (multiline && lineNum === start.line) out.push(" |  _");
      else if (multiline && lineNum === end.line) out.push(" | |_");
      else out.push(" | ");
      out.push(renderFocus(line, lineNum, start, end), "\n");
    }
  }
}

// The source line with \r dropped and tabs / vertical tabs widened to spaces.
function renderLine(line: Uint8Array): string {
  let s = "";
  for (let i = 0; i < line.length;) {
    const packed = decodeRune(line, i);
    const ch = runeOf(packed);
    i += widthOf(packed);
    if (ch === 0x0d) continue;
    if (ch === 0x09 || ch === 0x0b) s += "    ";
    else s += String.fromCodePoint(ch);
  }
  return s;
}

// The marker line: `^` for every rune whose byte column is in range, blanks
// (or `_` for multi-line ranges) before it.
function renderFocus(line: Uint8Array, lineNum: number, start: Position, end: Position): string {
  const blank = end.line - start.line > 0 ? "_" : " ";
  let s = "";
  for (let i = 0; i < line.length;) {
    const packed = decodeRune(line, i);
    const ch = runeOf(packed);
    const column = i + 1;
    i += widthOf(packed);
    if (lineNum === end.line && column > end.column) break;
    if (ch === 0x09 || ch === 0x0b) s += blank.repeat(TAB_WIDTH);
    else if (inRange(lineNum, column, start, end)) s += "^";
    else s += blank;
  }
  return s;
}

function inRange(line: number, col: number, start: Position, end: Position): boolean {
  if (line < start.line || line > end.line) return false;
  if (line === start.line) return col >= start.column;
  if (line === end.line) return col <= end.column;
  return true;
}
