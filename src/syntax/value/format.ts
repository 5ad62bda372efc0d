// Renders a value as formatted Alloy text, as Alloy's token builder followed
// by its printer does (used for diagnostics' values, debug info and the
// converter):
//
//   [1, 2, 3]                    arrays on one line
//   {                            objects one field per line, `=` aligned
//     a   = 1,                   within runs of single-line fields,
//     bcd = "x",                 keys sorted for map-like objects
//   }
//
// Nested objects indent with one tab per level, like `alloy fmt`.

import { isValidIdentifier } from "../identifier.ts";
import { quote } from "../quote.ts";
import { NumberValue } from "./number.ts";
import { capsuleAsObject, CapsuleValue, FunctionValue, ObjectValue, type Value } from "./types.ts";

/** Formats a value as Alloy expression text. `indent` is the enclosing nesting depth. */
export function formatValue(v: Value, indent = 0): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "string":
      return quote(v);
    case "boolean":
      return v ? "true" : "false";
  }
  if (v instanceof NumberValue) return v.toString();
  if (Array.isArray(v)) {
    let s = "[";
    for (let i = 0; i < v.length; i++) {
      if (i > 0) s += ", ";
      s += formatValue(v[i]!, indent);
    }
    return s + "]";
  }
  if (v instanceof ObjectValue) return formatObject(v, indent);
  if (v instanceof FunctionValue) return "function";
  const capsule = v as CapsuleValue;
  const printed = capsule.printed();
  if (printed !== undefined) return printed;
  const obj = capsuleAsObject(capsule);
  if (obj !== undefined) return formatObject(obj, indent);
  return capsule.describe();
}

/** An object key as Alloy prints it: bare when it is an identifier. */
export function formatKey(key: string): string {
  return isValidIdentifier(key) ? key : quote(key);
}

// Width of a cell as Go's tabwriter counts it: in runes.
function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

function formatObject(obj: ObjectValue, indent: number): string {
  const keys = obj.keys();
  if (keys.length === 0) return "{}";
  const pad = "\t".repeat(indent + 1);
  const names = keys.map(formatKey);
  const values = keys.map((k) => formatValue(obj.get(k)!, indent + 1));

  // Alignment runs end after a field whose value spans several lines.
  let s = "{\n";
  let runStart = 0;
  while (runStart < keys.length) {
    let runEnd = runStart;
    while (runEnd < keys.length - 1 && !values[runEnd]!.includes("\n")) runEnd++;
    let width = 0;
    for (let i = runStart; i <= runEnd; i++) width = Math.max(width, runeCount(names[i]!));
    for (let i = runStart; i <= runEnd; i++) {
      const name = names[i]!;
      s += pad + name + " ".repeat(width - runeCount(name) + 1) + "= " + values[i]! + ",\n";
    }
    runStart = runEnd + 1;
  }
  return s + "\t".repeat(indent) + "}";
}
