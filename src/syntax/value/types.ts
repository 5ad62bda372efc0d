// The Alloy value model.
//
// Values are plain JavaScript data where that is unambiguous and small
// classes where Alloy needs more information than JavaScript has:
//
//   null      -> null
//   bool      -> boolean
//   string    -> string
//   number    -> NumberValue (keeps the int64 / uint64 / float64 kind)
//   array     -> readonly Value[]
//   object    -> ObjectValue (ordered keys, plus whether Alloy prints them sorted)
//   function  -> FunctionValue
//   capsule   -> CapsuleValue (opaque host values, secrets)
//
// Values are immutable once built: evaluation shares them freely between
// expressions and components instead of copying.

import { quote } from "../quote.ts";
import { NumberValue } from "./number.ts";

export type Value =
  | null
  | boolean
  | string
  | NumberValue
  | readonly Value[]
  | ObjectValue
  | FunctionValue
  | CapsuleValue;

/** Alloy type names, as Alloy prints them in messages. */
export type ValueType = "null" | "number" | "string" | "bool" | "array" | "object" | "function" | "capsule";

/**
 * An Alloy object. Keys keep insertion order. `ordered` is false for objects
 * that Alloy represents as Go maps (object literals, decoded JSON, maps):
 * Alloy prints those with sorted keys. Objects that come from block/struct
 * schemas are ordered and print in field order.
 */
export class ObjectValue {
  readonly entries: ReadonlyMap<string, Value>;
  readonly ordered: boolean;

  constructor(entries: ReadonlyMap<string, Value>, ordered = false) {
    this.entries = entries;
    this.ordered = ordered;
  }

  static fromRecord(rec: Readonly<Record<string, Value>>, ordered = false): ObjectValue {
    return new ObjectValue(new Map(Object.entries(rec)), ordered);
  }

  static readonly empty: ObjectValue = new ObjectValue(new Map(), false);

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The value of a key, or undefined when the key does not exist. */
  get(key: string): Value | undefined {
    return this.entries.get(key);
  }

  /** Keys in the order Alloy prints them (sorted for map-like objects). */
  keys(): string[] {
    const keys = [...this.entries.keys()];
    if (!this.ordered) keys.sort(compareStrings);
    return keys;
  }
}

/** Go's byte-wise string ordering (UTF-8 order equals code point order). */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 order differs from code point order only between surrogates
    // (D800-DFFF) and E000-FFFF: move surrogates above that range.
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Implementation of a function value: receives evaluated arguments. */
export type FunctionImpl = (args: readonly Value[], self: FunctionValue) => Value;

/** An Alloy function. Functions are never equal to each other. */
export class FunctionValue {
  /** Name used by hosts and debugging; Alloy prints every function as `function`. */
  readonly name: string;
  readonly impl: FunctionImpl;

  constructor(name: string, impl: FunctionImpl) {
    this.name = name;
    this.impl = impl;
  }

  call(args: readonly Value[]): Value {
    return this.impl(args, this);
  }
}

/** Returned by CapsuleValue.convertInto when no custom conversion exists. */
export const NoConversion: unique symbol = Symbol("NoConversion");
export type NoConversion = typeof NoConversion;

/**
 * Conversion targets a capsule may be asked to convert into (Go's
 * ConvertibleIntoCapsule): a plain Alloy type, or another capsule type by
 * its type name.
 */
export type ConversionTarget = "string" | "object" | (string & {});

/**
 * A capsule: an opaque host value with a type name (Go's type name in Alloy,
 * e.g. "loki.LogsReceiver"). Subclasses customise conversions, printing and
 * equality.
 */
export class CapsuleValue {
  readonly capsuleType: string;
  readonly raw: unknown;

  constructor(capsuleType: string, raw: unknown) {
    this.capsuleType = capsuleType;
    this.raw = raw;
  }

  /**
   * Converts the capsule into another type (Go's ConvertInto). Returns
   * NoConversion when unsupported; throws to report an explicit error.
   */
  convertInto(_target: ConversionTarget): Value | NoConversion {
    return NoConversion;
  }

  /** Alloy's printed form (Go's AlloyTokenize); undefined uses the default. */
  printed(): string | undefined {
    return undefined;
  }

  /** Deep equality with another capsule (Go's reflect.DeepEqual). */
  equals(other: CapsuleValue): boolean {
    return other.capsuleType === this.capsuleType && (other.raw === this.raw || deepEqualRaw(this.raw, other.raw));
  }

  /** Text from a String() method, used by alloyjson; "" when none. */
  stringer(): string {
    return "";
  }

  /** Go's Value.Describe() for capsules: capsule("type"). */
  describe(): string {
    return `capsule(${quote(this.capsuleType)})`;
  }
}

// reflect.DeepEqual over plain host data: same structure, same primitives.
function deepEqualRaw(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqualRaw(a[i], bb[i])) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(a);
  if (proto !== Object.prototype && proto !== null) return false; // class instances: identity only
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqualRaw((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

export function isNumber(v: Value): v is NumberValue {
  return v instanceof NumberValue;
}

export function isArray(v: Value): v is readonly Value[] {
  return Array.isArray(v);
}

export function isObject(v: Value): v is ObjectValue {
  return v instanceof ObjectValue;
}

export function isCapsule(v: Value): v is CapsuleValue {
  return v instanceof CapsuleValue;
}

export function isFunction(v: Value): v is FunctionValue {
  return v instanceof FunctionValue;
}

/** The Alloy type of a value. */
export function typeOf(v: Value): ValueType {
  if (v === null) return "null";
  switch (typeof v) {
    case "string":
      return "string";
    case "boolean":
      return "bool";
  }
  if (v instanceof NumberValue) return "number";
  if (Array.isArray(v)) return "array";
  if (v instanceof ObjectValue) return "object";
  if (v instanceof FunctionValue) return "function";
  return "capsule";
}

/** Go's Value.Describe(): the type name, or capsule("type") for capsules. */
export function describe(v: Value): string {
  return v instanceof CapsuleValue ? v.describe() : typeOf(v);
}

/**
 * Go's TryConvertToObject: a capsule that can present itself as an object
 * (e.g. a component's exports wrapper). Undefined when not possible.
 */
export function capsuleAsObject(v: Value): ObjectValue | undefined {
  if (!(v instanceof CapsuleValue)) return undefined;
  try {
    const r = v.convertInto("object");
    return r instanceof ObjectValue ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Number of elements of an array or keys of an object. */
export function lengthOf(v: Value): number {
  if (Array.isArray(v)) return v.length;
  if (v instanceof ObjectValue) return v.size;
  throw new Error("syntax/value: lengthOf called on non-array and non-object value");
}
