// Prometheus's ordering of label names, values and label sets.
//
// Why hand-written: Go compares strings bytewise (UTF-8), JavaScript by UTF-16 code unit. The two agree
// except when a surrogate pair (code point >= U+10000) meets a code unit in U+E000..U+FFFF, where UTF-16
// sorts the astral character first and UTF-8 last. Series identity and remote-write label order must
// match Prometheus's, so comparisons go through compareStrings.

/** Compares two strings in UTF-8 byte order (Go's `<` on strings). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Map surrogates above the rest of the BMP so the order becomes code point order.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/**
 * labels.Compare: label by label, name then value; when one set is a prefix of the other the shorter
 * one sorts first. Each set is a flat [name0, value0, name1, value1, ...] array, sorted by name.
 */
export function compareLabelSets(a: readonly string[], b: readonly string[]): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const c = compareStrings(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}
