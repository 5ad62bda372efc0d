// Go's strings package functions used by Alloy's stdlib, with Go's
// semantics on Unicode: simple (one rune to one rune) case mapping, Go's
// notion of white space, and splitting into runes for empty separators.

/** unicode.IsSpace. */
export function isGoSpace(c: number): boolean {
  switch (c) {
    case 0x09:
    case 0x0a:
    case 0x0b:
    case 0x0c:
    case 0x0d:
    case 0x20:
    case 0x85:
    case 0xa0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000:
      return true;
  }
  return c >= 0x2000 && c <= 0x200a;
}

const asciiOnly = /^[\x00-\x7f]*$/;

// Maps each rune on its own; a mapping that yields several runes (full case
// folding, e.g. "ß" -> "SS") is not a simple mapping and keeps the rune,
// except U+0130 whose simple lower case is "i".
function mapRunes(s: string, upper: boolean): string {
  let out = "";
  for (const ch of s) {
    const m = upper ? ch.toUpperCase() : ch.toLowerCase();
    if (m === ch) out += ch;
    else if ([...m].length === 1) out += m;
    else if (!upper && ch === "\u0130") out += "i";
    else out += ch;
  }
  return out;
}

/** strings.ToLower. */
export function toLower(s: string): string {
  return asciiOnly.test(s) ? s.toLowerCase() : mapRunes(s, false);
}

/** strings.ToUpper. */
export function toUpper(s: string): string {
  return asciiOnly.test(s) ? s.toUpperCase() : mapRunes(s, true);
}

/** strings.TrimSpace. */
export function trimSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isGoSpace(s.codePointAt(start)!)) start += s.codePointAt(start)! > 0xffff ? 2 : 1;
  while (end > start) {
    const c = s.charCodeAt(end - 1);
    // Every Go space is in the BMP, so a trailing surrogate is never one.
    if (!isGoSpace(c)) break;
    end--;
  }
  return s.slice(start, end);
}

/** strings.Trim: removes leading and trailing runes contained in cutset. */
export function trim(s: string, cutset: string): string {
  if (s === "" || cutset === "") return s;
  const set = new Set(cutset);
  const runes = [...s];
  let start = 0;
  let end = runes.length;
  while (start < end && set.has(runes[start]!)) start++;
  while (end > start && set.has(runes[end - 1]!)) end--;
  return runes.slice(start, end).join("");
}

/** strings.TrimPrefix. */
export function trimPrefix(s: string, prefix: string): string {
  return s.startsWith(prefix) ? s.slice(prefix.length) : s;
}

/** strings.TrimSuffix. */
export function trimSuffix(s: string, suffix: string): string {
  return suffix !== "" && s.endsWith(suffix) ? s.slice(0, s.length - suffix.length) : s;
}

/** strings.Split: an empty separator splits after each rune. */
export function split(s: string, sep: string): string[] {
  if (sep === "") return [...s];
  return s.split(sep);
}

/** strings.ReplaceAll: an empty old string inserts `replacement` around every rune. */
export function replaceAll(s: string, old: string, replacement: string): string {
  if (old === "") {
    const runes = [...s];
    return replacement + runes.map((r) => r + replacement).join("");
  }
  return s.split(old).join(replacement);
}
