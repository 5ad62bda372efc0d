// Ids of foreach children. Each item of the collection gets `foreach_<fingerprint>_<n>`, n counting
// equal fingerprints from 1, so that an item keeps its child across evaluations. Fingerprints
// follow Alloy: strings with every non letter/digit replaced by "_" (or their sha256 with
// hash_string_id), integers and booleans as written, floats in %f form with "_" for the dot, and
// anything else as the sha256 of its Go %#v rendering.
import { quote } from "../../syntax/quote.ts";
import { formatFloat } from "../../syntax/stdlib/gofloat.ts";
import { CapsuleValue, FunctionValue, NumberValue, ObjectValue, type Value } from "../../syntax/value/index.ts";

const MAX_INT64 = (1n << 63n) - 1n;

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Go's unicode.IsLetter || unicode.IsDigit per rune; everything else becomes "_". */
export function replaceNonAlphaNumeric(s: string): string {
  let out = "";
  for (const ch of s) out += /[\p{L}\p{Nd}]/u.test(ch) ? ch : "_";
  return out;
}

/** Whether an Alloy number decodes to a Go int (or int64) rather than uint64 or float64. */
function isGoInteger(n: NumberValue): boolean {
  return n.kind === "int" || (n.kind === "uint" && n.big <= MAX_INT64);
}

export async function fingerprint(item: Value, hashStrings: boolean): Promise<string> {
  if (typeof item === "string") return hashStrings ? sha256Hex(item) : replaceNonAlphaNumeric(item);
  if (typeof item === "boolean") return String(item);
  if (item instanceof NumberValue) {
    if (item.kind === "float") return formatFloat(item.float, "f", 6).replace(/\./g, "_");
    if (isGoInteger(item)) return item.big.toString();
  }
  return sha256Hex(goSharpV(item));
}

// Identities for values that Go would print as pointers: stable for the life of the process (not across runs).
const identities = new WeakMap<object, number>();
let nextIdentity = 1;
function identity(o: object): string {
  let id = identities.get(o);
  if (id === undefined) identities.set(o, (id = nextIdentity++));
  return `0x${id.toString(16).padStart(10, "0")}`;
}

/**
 * Go's %#v of the value Alloy decodes an item into (int, float64, string, bool, []interface {},
 * map[string]interface {}), e.g. `map[string]interface {}{"a":1, "b":"c"}`.
 */
export function goSharpV(v: Value): string {
  if (v === null) return "interface {}(nil)";
  if (typeof v === "string") return quote(v);
  if (typeof v === "boolean") return String(v);
  if (v instanceof NumberValue) {
    if (v.kind === "float") return formatFloat(v.float, "g", -1);
    if (isGoInteger(v)) return v.big.toString();
    return `0x${v.big.toString(16)}`;
  }
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSharpV).join(", ")}}`;
  if (v instanceof ObjectValue) {
    const keys = [...v.entries.keys()].sort();
    return `map[string]interface {}{${keys.map((k) => `${quote(k)}:${goSharpV(v.get(k)!)}`).join(", ")}}`;
  }
  if (v instanceof FunctionValue) return `(func)(${identity(v)})`;
  if (v instanceof CapsuleValue) {
    const raw = v.raw;
    return `${v.capsuleType}(${typeof raw === "object" && raw !== null ? identity(raw) : String(raw)})`;
  }
  return String(v);
}
