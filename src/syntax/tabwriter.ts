// Elastic tabstops, behaving like Go's text/tabwriter, which Alloy's
// formatter relies on for alignment. Only the features the formatter uses
// are provided: left alignment, DiscardEmptyColumns, TabIndent and escaped
// segments.
//
// Input text is split into cells terminated by '\t' (hard tab), '\v' (soft
// tab), '\n' or '\f' (line ends; '\f' also ends every open column).
// Tab-terminated cells on consecutive lines form a column, padded to the
// widest cell plus `padding`. Text between two ESCAPE characters is passed
// through uninterpreted; its width excludes the ESCAPE characters.

/**
 * Marks the start and end of an escaped segment. Go uses the byte 0xFF,
 * which never occurs in UTF-8 text; we use NUL, which the scanner rejects
 * everywhere, so it cannot occur in anything that parsed.
 */
export const ESCAPE = "\u0000";
const ESCAPE_CODE = 0;

export interface TabwriterOptions {
  minWidth: number;
  tabWidth: number;
  padding: number;
  padChar: string;
  /** Give columns made only of empty soft-tab cells zero width. */
  discardEmptyColumns: boolean;
  /** Pad leading empty cells with tabs regardless of padChar. */
  tabIndent: boolean;
}

// One level of the column formatting: lines [cur, line1) remain, and `row`
// is the next line to examine.
interface Frame {
  line1: number;
  cur: number;
  row: number;
}

interface Cell {
  text: string;
  /** Width in code points, escape characters excluded. */
  width: number;
  /** Terminated by a hard tab. */
  htab: boolean;
}

/** Receives the aligned output piece by piece. */
export interface Sink {
  write(s: string): void;
}

/** Aligns `input` and returns the result. */
export function tabwrite(input: string, opts: TabwriterOptions): string {
  let out = "";
  new Tabwriter(opts, { write: (s) => void (out += s) }).run(input);
  return out;
}

/** Aligns `input`, writing the result to `sink`. */
export function tabwriteTo(input: string, opts: TabwriterOptions, sink: Sink): void {
  new Tabwriter(opts, sink).run(input);
}

class Tabwriter {
  private readonly opts: TabwriterOptions;
  private readonly out: Sink;
  private lines: Cell[][] = [[]];
  private widths: number[] = [];

  constructor(opts: TabwriterOptions, out: Sink) {
    this.opts = opts;
    this.out = out;
  }

  run(input: string): void {
    const n = input.length;
    let cellStart = 0; // start of the current cell's text in input
    // Width = UTF-16 units - low surrogates (pairs count once) - escape markers.
    let skipped = 0;

    for (let i = 0; i < n; i++) {
      const c = input.charCodeAt(i);
      if (c > 0x0c) {
        // Ordinary text (the fast path).
        if (c >= 0xdc00 && c <= 0xdfff && i > 0 && isHighSurrogate(input.charCodeAt(i - 1))) skipped++;
        continue;
      }
      if (c === ESCAPE_CODE) {
        // Escaped segment: copied uninterpreted up to the closing marker.
        let end = input.indexOf(ESCAPE, i + 1);
        if (end < 0) end = n; // unterminated: runs to the end
        for (let j = i + 1; j < end; j++) {
          const d = input.charCodeAt(j);
          if (d >= 0xdc00 && d <= 0xdfff && isHighSurrogate(input.charCodeAt(j - 1))) skipped++;
        }
        skipped += 2; // the markers (Go subtracts 2 even when unterminated)
        i = end;
        continue;
      }
      if (c !== 0x09 && c !== 0x0b && c !== 0x0a && c !== 0x0c) {
        continue; // other control characters are ordinary text
      }
      // End of cell: '\t' (hard tab), '\v' (soft tab), '\n' or '\f' (line end).
      const line = this.lines[this.lines.length - 1]!;
      line.push({ text: input.slice(cellStart, i), width: i - cellStart - skipped, htab: c === 0x09 });
      cellStart = i + 1;
      skipped = 0;
      if (c === 0x0a || c === 0x0c) {
        this.lines.push([]);
        // A formfeed ends all columns. A line with a single cell cannot
        // affect later lines, so flushing there changes nothing but
        // mirrors Go's behaviour exactly.
        if (c === 0x0c || line.length === 1) this.flush();
      }
    }
    if (cellStart < n) {
      this.lines[this.lines.length - 1]!.push({ text: input.slice(cellStart), width: n - cellStart - skipped, htab: false });
    }
    this.flush();
  }

  private flush(): void {
    this.format(0, this.lines.length);
    this.lines = [[]];
    this.widths = [];
  }

  // Formats lines [line0, line1). For the current column (the number of
  // column widths already fixed), each block of consecutive lines having a
  // cell in that column gets the width of its widest cell; the columns to
  // the right are formatted within the block the same way. Go's tabwriter
  // does this recursively, one level per column; an explicit stack keeps
  // very wide lines (thousands of cells) from overflowing the JS stack.
  private format(line0: number, line1: number): void {
    const stack: Frame[] = [{ line1, cur: line0, row: line0 }];
    while (stack.length > 0) {
      const f = stack[stack.length - 1]!;
      const column = this.widths.length;
      let descended = false;
      for (; f.row < f.line1; f.row++) {
        if (column >= this.lines[f.row]!.length - 1) continue;
        // This line has a cell in this column: print the lines before it.
        this.writeLines(f.cur, f.row);
        f.cur = f.row;

        let width = this.opts.minWidth;
        let discardable = true;
        let end = f.row;
        for (; end < f.line1; end++) {
          const line = this.lines[end]!;
          if (column >= line.length - 1) break;
          const c = line[column]!;
          const w = c.width + this.opts.padding;
          if (w > width) width = w;
          if (c.width > 0 || c.htab) discardable = false;
        }
        if (discardable && this.opts.discardEmptyColumns) width = 0;

        this.widths.push(width);
        f.row = end;
        stack.push({ line1: end, cur: f.cur, row: f.cur });
        descended = true;
        break;
      }
      if (descended) continue;

      this.writeLines(f.cur, f.line1);
      stack.pop();
      const parent = stack[stack.length - 1];
      if (parent !== undefined) {
        this.widths.pop();
        parent.cur = parent.row;
        // Like Go, the line that ended the block is not re-examined for the
        // parent's column: the loop increment skips it.
        parent.row++;
      }
    }
  }

  private writeLines(line0: number, line1: number): void {
    const widths = this.widths;
    for (let i = line0; i < line1; i++) {
      const line = this.lines[i]!;
      let useTabs = this.opts.tabIndent;
      for (let j = 0; j < line.length; j++) {
        const c = line[j]!;
        if (c.text.length === 0) {
          if (j < widths.length) this.writePadding(c.width, widths[j]!, useTabs);
        } else {
          useTabs = false;
          this.out.write(c.text);
          if (j < widths.length) this.writePadding(c.width, widths[j]!, false);
        }
      }
      // The last buffered line has no line end of its own.
      if (i + 1 !== this.lines.length) this.out.write("\n");
    }
  }

  private writePadding(textWidth: number, cellWidth: number, useTabs: boolean): void {
    const { tabWidth, padChar } = this.opts;
    if (padChar === "\t" || useTabs) {
      if (tabWidth === 0) return;
      const cw = Math.ceil(cellWidth / tabWidth) * tabWidth;
      const n = cw - textWidth;
      const tabs = Math.ceil(n / tabWidth);
      this.out.write(tabs === 1 ? "\t" : "\t".repeat(tabs));
      return;
    }
    if (cellWidth > textWidth) this.out.write(padChar.repeat(cellWidth - textWidth));
  }
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
