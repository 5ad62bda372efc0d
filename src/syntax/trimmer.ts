// Post-processing of the aligned formatter output, as Alloy's trimmer does:
// drops blanks and tabs at the end of lines and of the output, turns '\f'
// into '\n' and '\v' into '\t', and removes the ESCAPE markers while copying
// escaped text (comments) verbatim.
//
// It is fed the aligner's output piece by piece (cell text, padding, line
// ends), so the whole output is never scanned character by character.

import { ESCAPE } from "./tabwriter.ts";

const ESCAPE_CODE = ESCAPE.charCodeAt(0);

export class Trimmer {
  private out = ""; // concatenated: a cheap rope in V8 and JSC
  // Blanks seen after the last text, written only if more text follows on
  // the same line.
  private pending = "";

  /** Feeds the next piece of output. */
  write(s: string): void {
    const n = s.length;
    if (n === 0) return;
    if (s === "\n") {
      this.pending = "";
      this.out += "\n";
      return;
    }
    // Fast path: no line breaks, escapes, tabs or form feeds.
    let plain = true;
    let lastText = -1;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c <= 0x0c) {
        plain = false;
        break;
      }
      if (c !== 0x20) lastText = i;
    }
    if (plain) {
      if (lastText < 0) {
        this.pending += s;
        return;
      }
      this.out += this.pending + (lastText === n - 1 ? s : s.slice(0, lastText + 1));
      this.pending = lastText === n - 1 ? "" : s.slice(lastText + 1);
      return;
    }
    this.writeSlow(s);
  }

  // Character by character, for pieces with line breaks, tabs or escapes.
  private writeSlow(s: string): void {
    let textStart = -1;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === ESCAPE_CODE) {
        if (textStart >= 0) this.out += s.slice(textStart, i);
        textStart = -1;
        this.out += this.pending;
        this.pending = "";
        // Escaped text is copied verbatim up to the closing marker.
        let close = s.indexOf(ESCAPE, i + 1);
        if (close < 0) close = s.length;
        this.out += s.slice(i + 1, close);
        i = close;
        continue;
      }
      if (c === 0x20 || c === 0x09 || c === 0x0b) {
        if (textStart >= 0) {
          this.out += s.slice(textStart, i);
          textStart = -1;
        }
        this.pending += c === 0x0b ? "\t" : s[i]!;
        continue;
      }
      if (c === 0x0a || c === 0x0c) {
        if (textStart >= 0) {
          this.out += s.slice(textStart, i);
          textStart = -1;
        }
        this.pending = "";
        this.out += "\n";
        continue;
      }
      if (textStart < 0) {
        this.out += this.pending;
        this.pending = "";
        textStart = i;
      }
    }
    if (textStart >= 0) this.out += s.slice(textStart);
  }

  /** The trimmed output; blanks at the very end are dropped. */
  result(): string {
    return this.out;
  }
}

/** Trims a complete output at once. */
export function trimOutput(data: string): string {
  const t = new Trimmer();
  t.write(data);
  return t.result();
}
