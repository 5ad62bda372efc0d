// Minimal UTF-8 helpers shared by the scanner and the diagnostic printer.
// Alloy works on bytes (offsets and columns are byte based), so the source is
// kept as a Uint8Array and decoded rune by rune where needed.

const encoder = new TextEncoder();
// fatal: false turns invalid sequences into U+FFFD, as Go's string(bytes) does
// when the result is printed.
const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

export const RuneError = 0xfffd;

export function encodeUtf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Decodes bytes[start, end) to a string (invalid sequences become U+FFFD). */
export function decodeUtf8(bytes: Uint8Array, start = 0, end = bytes.length): string {
  if (start === 0 && end === bytes.length) return decoder.decode(bytes);
  return decoder.decode(bytes.subarray(start, end));
}

/** Reports whether the bytes are all ASCII between start and end. */
export function isAscii(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i]! >= 0x80) return false;
  return true;
}

/**
 * Decodes one rune at bytes[i], following Go's utf8.DecodeRune: on an
 * invalid or truncated sequence it yields (RuneError, 1). The result is
 * packed as rune * 8 + width to avoid allocating; use runeOf / widthOf.
 */
export function decodeRune(bytes: Uint8Array, i: number): number {
  const n = bytes.length;
  const b0 = bytes[i]!;
  if (b0 < 0x80) return b0 * 8 + 1;
  if (b0 < 0xc2 || b0 > 0xf4) return RuneError * 8 + 1;
  if (b0 < 0xe0) {
    if (i + 1 >= n) return RuneError * 8 + 1;
    const b1 = bytes[i + 1]!;
    if ((b1 & 0xc0) !== 0x80) return RuneError * 8 + 1;
    return (((b0 & 0x1f) << 6) | (b1 & 0x3f)) * 8 + 2;
  }
  if (b0 < 0xf0) {
    if (i + 1 >= n) return RuneError * 8 + 1;
    const b1 = bytes[i + 1]!;
    // Exclude overlongs (E0 80..9F) and surrogates (ED A0..BF).
    const lo = b0 === 0xe0 ? 0xa0 : 0x80;
    const hi = b0 === 0xed ? 0x9f : 0xbf;
    if (b1 < lo || b1 > hi) return RuneError * 8 + 1;
    if (i + 2 >= n) return RuneError * 8 + 1;
    const b2 = bytes[i + 2]!;
    if ((b2 & 0xc0) !== 0x80) return RuneError * 8 + 1;
    return (((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f)) * 8 + 3;
  }
  if (i + 1 >= n) return RuneError * 8 + 1;
  const b1 = bytes[i + 1]!;
  const lo = b0 === 0xf0 ? 0x90 : 0x80;
  const hi = b0 === 0xf4 ? 0x8f : 0xbf;
  if (b1 < lo || b1 > hi) return RuneError * 8 + 1;
  if (i + 2 >= n) return RuneError * 8 + 1;
  const b2 = bytes[i + 2]!;
  if ((b2 & 0xc0) !== 0x80) return RuneError * 8 + 1;
  if (i + 3 >= n) return RuneError * 8 + 1;
  const b3 = bytes[i + 3]!;
  if ((b3 & 0xc0) !== 0x80) return RuneError * 8 + 1;
  return (((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f)) * 8 + 4;
}

export function runeOf(packed: number): number {
  return Math.floor(packed / 8);
}

export function widthOf(packed: number): number {
  return packed & 7;
}
