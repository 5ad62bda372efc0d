// Go's %q (strconv.Quote) for the parse error messages, which quote bytes of the scrape body exactly as
// Prometheus's textparse does ("expected label value, got \"\\x00\" (\"INVALID\") ...").
//
// Why hand-written: no web API quotes the Go way — invalid UTF-8 bytes become \xNN, control characters
// \xNN or \a \b \f \n \r \t \v, non-printable runes \uNNNN / \UNNNNNNNN. Only error paths call this.

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

function quoteRune(r: number, out: string[]): void {
  switch (r) {
    case 0x07: out.push("\\a"); return;
    case 0x08: out.push("\\b"); return;
    case 0x0c: out.push("\\f"); return;
    case 0x0a: out.push("\\n"); return;
    case 0x0d: out.push("\\r"); return;
    case 0x09: out.push("\\t"); return;
    case 0x0b: out.push("\\v"); return;
    case 0x22: out.push('\\"'); return;
    case 0x5c: out.push("\\\\"); return;
  }
  if (r < 0x80) {
    out.push(r < 0x20 || r === 0x7f ? "\\x" + hex(r, 2) : String.fromCharCode(r));
    return;
  }
  const s = String.fromCodePoint(r);
  if (PRINTABLE.test(s)) out.push(s);
  else if (r < 0x10000) out.push("\\u" + hex(r, 4));
  else out.push("\\U" + hex(r, 8));
}

/** Decodes one UTF-8 sequence at i: sets `rune` and returns its length, or 0 if invalid. */
function decodeRune(b: Uint8Array, i: number, end: number, res: { rune: number }): number {
  const c = b[i]!;
  if (c < 0x80) { res.rune = c; return 1; }
  let n: number, r: number, min: number;
  if (c >= 0xc2 && c <= 0xdf) { n = 2; r = c & 0x1f; min = 0x80; }
  else if (c >= 0xe0 && c <= 0xef) { n = 3; r = c & 0x0f; min = 0x800; }
  else if (c >= 0xf0 && c <= 0xf4) { n = 4; r = c & 0x07; min = 0x10000; }
  else return 0;
  if (i + n > end) return 0;
  for (let k = 1; k < n; k++) {
    const d = b[i + k]!;
    if ((d & 0xc0) !== 0x80) return 0;
    r = (r << 6) | (d & 0x3f);
  }
  if (r < min || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) return 0;
  res.rune = r;
  return n;
}

/** strconv.Quote of the bytes b[start:end]. */
export function goQuoteBytes(b: Uint8Array, start = 0, end = b.length): string {
  const out: string[] = ['"'];
  const res = { rune: 0 };
  for (let i = start; i < end; ) {
    const n = decodeRune(b, i, end, res);
    if (n === 0) {
      out.push("\\x" + hex(b[i]!, 2));
      i++;
    } else {
      quoteRune(res.rune, out);
      i += n;
    }
  }
  out.push('"');
  return out.join("");
}

/** strconv.Quote of a string. */
export function goQuote(s: string): string {
  const out: string[] = ['"'];
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    quoteRune(r >= 0xd800 && r <= 0xdfff ? 0xfffd : r, out);
  }
  out.push('"');
  return out.join("");
}

/** Whether b[start:end] is valid UTF-8 (Go's utf8.Valid). */
export function validUTF8(b: Uint8Array, start: number, end: number): boolean {
  const res = { rune: 0 };
  for (let i = start; i < end; ) {
    if (b[i]! < 0x80) { i++; continue; }
    const n = decodeRune(b, i, end, res);
    if (n === 0) return false;
    i += n;
  }
  return true;
}
