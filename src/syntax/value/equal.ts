// Equality of Alloy values, as the `==` operator defines it: values of
// different types are never equal, numbers compare across kinds (3 == 3.0),
// arrays and objects compare deeply, functions are never equal and capsules
// are equal when their host values are deeply equal.

import { fitNumberKinds, NumberValue } from "./number.ts";
import { CapsuleValue, FunctionValue, ObjectValue, type Value } from "./types.ts";

export function numbersEqual(a: NumberValue, b: NumberValue): boolean {
  switch (fitNumberKinds(a.kind, b.kind)) {
    case "uint":
      return a.toUint64() === b.toUint64();
    case "int":
      return a.toInt64() === b.toInt64();
    default:
      return a.toFloat64() === b.toFloat64();
  }
}

export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return !(a instanceof FunctionValue);
  if (a === null || b === null) return false;
  switch (typeof a) {
    case "string":
    case "boolean":
      return false; // different primitives (identical ones returned above)
  }
  if (a instanceof NumberValue) return b instanceof NumberValue && numbersEqual(a, b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i]!, b[i]!)) return false;
    return true;
  }
  if (a instanceof ObjectValue) {
    if (!(b instanceof ObjectValue) || a.size !== b.size) return false;
    for (const [k, v] of a.entries) {
      const w = b.get(k);
      if (w === undefined || !valuesEqual(v, w)) return false;
    }
    return true;
  }
  if (a instanceof CapsuleValue) return b instanceof CapsuleValue && a.equals(b);
  return false;
}
