// Identifier checks used when generating Alloy source (labels, object keys,
// converter output).

import { isDigit, isLetter, Scanner } from "./scanner.ts";
import { SourceFile, Token } from "./token.ts";

/**
 * Reports whether s is a valid Alloy identifier: scanning it yields exactly
 * one IDENT token equal to s (so keywords such as `true` are not).
 */
export function isValidIdentifier(s: string): boolean {
  // Fast path for the common ASCII case.
  const n = s.length;
  if (n === 0) return false;
  let ascii = true;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) {
      ascii = false;
      break;
    }
    const letter = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
    if (!(letter || (i > 0 && c >= 0x30 && c <= 0x39))) return false;
  }
  if (ascii) return s !== "true" && s !== "false" && s !== "null";

  const sc = new Scanner(new SourceFile(""), s, null, 0);
  const tok = sc.scan();
  return tok === Token.IDENT && sc.lit === s;
}

/**
 * Turns s into a valid identifier: a leading digit gets a `_` prefix and
 * every character that is neither a letter nor a digit becomes `_`. Valid
 * identifiers are returned unchanged. Throws for the empty string.
 */
export function sanitizeIdentifier(s: string): string {
  if (s === "") throw new Error("cannot generate a new identifier for an empty string");
  if (isValidIdentifier(s)) return s;

  const parts: string[] = [];
  let first = true;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (first && isDigit(c)) parts.push("_");
    first = false;
    parts.push(isLetter(c) || isDigit(c) ? ch : "_");
  }
  const out = parts.join("");
  if (!isValidIdentifier(out)) {
    throw new Error(`invalid identifier ${JSON.stringify(out)} generated for ${JSON.stringify(s)}`);
  }
  return out;
}
