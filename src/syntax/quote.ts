// Go-compatible string formatting used in Alloy's messages and printer:
// strconv.Quote (`%q`), `%#U` rune formatting and unicode.IsPrint.
//
// Quoting works on UTF-8 bytes so that invalid sequences are rendered as
// `\xNN` exactly like Go does for raw byte strings.

import { decodeRune, encodeUtf8, RuneError, runeOf, widthOf } from "./utf8.ts";

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
const hexDigits = "0123456789abcdef";

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and ' '. */
export function isPrint(r: number): boolean {
  if (r < 0x80) return r >= 0x21 && r <= 0x7e || r === 0x20;
  if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) return false;
  return PRINTABLE.test(String.fromCodePoint(r));
}

function hex(r: number, digits: number): string {
  let s = "";
  for (let shift = (digits - 1) * 4; shift >= 0; shift -= 4) s += hexDigits[(r >>> shift) & 0xf];
  return s;
}

/** `%#U`: "U+0041 'A'", or just "U+0007" when the rune is not printable. */
export function formatRuneU(r: number): string {
  let h = r.toString(16).toUpperCase();
  if (h.length < 4) h = "0".repeat(4 - h.length) + h;
  const s = "U+" + h;
  return isPrint(r) ? `${s} '${String.fromCodePoint(r)}'` : s;
}

// Appends the escaped form of one rune (strconv.appendEscapedRune, with
// quote '"' and neither ASCII-only nor graphic-only).
function escapeRune(r: number): string {
  if (r === 0x22 || r === 0x5c) return "\\" + String.fromCharCode(r);
  if (isPrint(r)) return String.fromCodePoint(r);
  switch (r) {
    case 0x07:
      return "\\a";
    case 0x08:
      return "\\b";
    case 0x0c:
      return "\\f";
    case 0x0a:
      return "\\n";
    case 0x0d:
      return "\\r";
    case 0x09:
      return "\\t";
    case 0x0b:
      return "\\v";
  }
  if (r < 0x20 || r === 0x7f) return "\\x" + hex(r, 2);
  if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) r = RuneError;
  if (r < 0x10000) return "\\u" + hex(r, 4);
  return "\\U" + hex(r, 8);
}

/** strconv.Quote over UTF-8 bytes[start, end). */
export function quoteBytes(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let out = '"';
  let runStart = -1; // start of a run of plain printable ASCII, copied at once
  for (let i = start; i < end;) {
    const b = bytes[i]!;
    if (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c) {
      if (runStart < 0) runStart = i;
      i++;
      continue;
    }
    if (runStart >= 0) {
      out += asciiSlice(bytes, runStart, i);
      runStart = -1;
    }
    const packed = decodeRune(bytes, i);
    const r = runeOf(packed);
    const w = widthOf(packed);
    if (r === RuneError && w === 1) out += "\\x" + hex(b, 2);
    else out += escapeRune(r);
    i += w;
  }
  if (runStart >= 0) out += asciiSlice(bytes, runStart, end);
  return out + '"';
}

function asciiSlice(bytes: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/** strconv.Quote (Go's `%q` for strings). */
export function quote(s: string): string {
  // Fast path: printable ASCII without quotes or backslashes.
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f || c === 0x22 || c === 0x5c) {
      plain = false;
      break;
    }
  }
  if (plain) return '"' + s + '"';
  return quoteBytes(encodeUtf8(s));
}
