// Conversion between Alloy values and plain JavaScript data for hosts.
//
// toJS follows Alloy's "decode into any" rules: numbers become JavaScript
// numbers (bigint when an integer does not fit exactly), arrays become
// arrays, objects become plain objects; capsules and functions are passed
// through unchanged. fromJS is the inverse for host data: integers become
// int numbers, other numbers floats, plain objects and Maps become objects.

import { NumberValue } from "./number.ts";
import { CapsuleValue, FunctionValue, ObjectValue, type Value } from "./types.ts";

/** Sets a property even when the key is "__proto__". */
export function setOwn(obj: Record<string, unknown>, key: string, v: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(obj, key, { value: v, writable: true, enumerable: true, configurable: true });
  } else {
    obj[key] = v;
  }
}

/** A JavaScript number for an integer bigint, or the bigint when it is not exact. */
export function bigToJS(b: bigint): number | bigint {
  return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
}

/** Converts a value to plain JavaScript data. */
export function toJS(v: Value): unknown {
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (v instanceof NumberValue) return v.kind === "float" ? v.float : bigToJS(v.big);
  if (Array.isArray(v)) return v.map(toJS);
  if (v instanceof ObjectValue) {
    const out: Record<string, unknown> = {};
    for (const [k, e] of v.entries) setOwn(out, k, toJS(e));
    return out;
  }
  return v; // functions and capsules
}

function isPlainObject(x: object): boolean {
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/**
 * Converts host data to a value. Values are returned unchanged; JavaScript
 * functions become Alloy functions over plain data; other class instances
 * become capsules named after their constructor.
 */
export function fromJS(x: unknown): Value {
  if (x === null || x === undefined) return null;
  switch (typeof x) {
    case "string":
    case "boolean":
      return x;
    case "number":
      return Number.isInteger(x) && !Object.is(x, -0) && Math.abs(x) < 2 ** 63 ? NumberValue.int(x) : NumberValue.float(x);
    case "bigint":
      return x >= 0n && x >= 1n << 63n ? NumberValue.uint(x) : NumberValue.int(x);
    case "function": {
      const fn = x as (...args: unknown[]) => unknown;
      return new FunctionValue(fn.name || "function", (args) => fromJS(fn(...args.map(toJS))));
    }
    case "symbol":
      return new CapsuleValue("symbol", x);
  }
  if (x instanceof NumberValue || x instanceof ObjectValue || x instanceof FunctionValue || x instanceof CapsuleValue) {
    return x;
  }
  if (Array.isArray(x)) return x.map(fromJS);
  if (x instanceof Map) {
    const m = new Map<string, Value>();
    for (const [k, v] of x) m.set(String(k), fromJS(v));
    return new ObjectValue(m, false);
  }
  if (isPlainObject(x as object)) {
    const m = new Map<string, Value>();
    for (const k of Object.keys(x as object)) m.set(k, fromJS((x as Record<string, unknown>)[k]));
    return new ObjectValue(m, false);
  }
  const name = (x as object).constructor?.name ?? "object";
  return new CapsuleValue(name, x);
}
