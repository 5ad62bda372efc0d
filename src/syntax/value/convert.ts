// Implicit conversions between Alloy types (Go's value.convertValue):
//   number -> string   decimal for integers, shortest 'f' form for floats
//   string -> number   "-..." as int64, text with . e E as float64, else uint64
//   capsule -> string  when the capsule allows it (optional secrets), and on
//                      from string to the requested type
// Anything else is a type error ("expected X, got Y").

import { ValueTypeError } from "./errors.ts";
import { NumberValue, parseGoFloat } from "./number.ts";
import { CapsuleValue, NoConversion, typeOf, type Value, type ValueType } from "./types.ts";

const int64Syntax = /^[+-]?[0-9]+$/;
const uint64Syntax = /^\+?[0-9]+$/;

/** Go's strconv.ParseInt(s, 10, 64); undefined on error. */
function parseInt64(s: string): bigint | undefined {
  if (!int64Syntax.test(s)) return undefined;
  const v = BigInt(s);
  return v >= -(1n << 63n) && v < 1n << 63n ? v : undefined;
}

/** Go's strconv.ParseUint(s, 10, 64); undefined on error. */
function parseUint64(s: string): bigint | undefined {
  if (!uint64Syntax.test(s) || s.startsWith("+")) return undefined;
  const v = BigInt(s);
  return v < 1n << 64n ? v : undefined;
}

/** Converts a string to a number the way Alloy does, or undefined. */
export function stringToNumber(s: string): NumberValue | undefined {
  if (s === "") return undefined;
  if (s.charCodeAt(0) === 0x2d /* - */) {
    const i = parseInt64(s);
    return i === undefined ? undefined : NumberValue.int(i);
  }
  if (/[.eE]/.test(s)) {
    try {
      return NumberValue.float(parseGoFloat(s));
    } catch {
      return undefined;
    }
  }
  const u = parseUint64(s);
  return u === undefined ? undefined : NumberValue.uint(u);
}

/**
 * Converts val to the Alloy type `to`, or throws a ValueTypeError naming
 * the original value.
 */
export function convertValue(val: Value, to: ValueType): Value {
  const from = typeOf(val);
  if (from === to) return val;

  if (from === "number" && to === "string") return (val as NumberValue).toString();

  if (from === "string" && to === "number") {
    const n = stringToNumber(val as string);
    if (n !== undefined) return n;
  }

  if (val instanceof CapsuleValue) {
    // Capsules such as optional secrets may become strings; errors from the
    // capsule are swallowed here (Alloy reports a plain type error).
    let s: Value | NoConversion = NoConversion;
    try {
      s = val.convertInto("string");
    } catch {
      s = NoConversion;
    }
    if (typeof s === "string") {
      try {
        return convertValue(s, to);
      } catch {
        // fall through to the type error about the capsule itself
      }
    }
  }

  throw new ValueTypeError(val, to);
}
