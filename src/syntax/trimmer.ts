// Post-processing of the aligned formatter output, as Alloy's trimmer does:
// drops blanks and tabs at the end of lines and of the output, turns '\f'
// into '\n' and '\v' into '\t', and removes the ESCAPE markers while copying
// escaped text (comments) verbatim.

import { ESCAPE } from "./tabwriter.ts";

export function trimOutput(data: string): string {
  const out: string[] = [];
  let i = 0;
  const n = data.length;
  while (i <= n) {
    // Plain text up to the next escaped segment (or the end).
    let esc = data.indexOf(ESCAPE, i);
    const atEnd = esc < 0;
    if (atEnd) esc = n;
    trimPlain(data, i, esc, atEnd, out);
    if (atEnd) break;
    // Escaped text, copied verbatim.
    let close = data.indexOf(ESCAPE, esc + 1);
    if (close < 0) close = n;
    out.push(data.slice(esc + 1, close));
    i = close + 1;
  }
  return out.join("");
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0b;
}

// Copies data[start, end) with trailing blanks removed from every line. The
// part after the last line end is trimmed only at the very end of the
// output; before an escaped segment its blanks are kept.
function trimPlain(data: string, start: number, end: number, atEnd: boolean, out: string[]): void {
  let lineStart = start;
  for (let i = start; i < end; i++) {
    const c = data.charCodeAt(i);
    if (c !== 0x0a && c !== 0x0c) continue;
    let e = i;
    while (e > lineStart && isBlank(data.charCodeAt(e - 1))) e--;
    pushText(data, lineStart, e, out);
    out.push("\n");
    lineStart = i + 1;
  }
  let e = end;
  if (atEnd) while (e > lineStart && isBlank(data.charCodeAt(e - 1))) e--;
  pushText(data, lineStart, e, out);
}

function pushText(data: string, start: number, end: number, out: string[]): void {
  if (start >= end) return;
  const s = data.slice(start, end);
  out.push(s.includes("\v") ? s.replaceAll("\v", "\t") : s);
}
