// Typed decoding of Alloy values into host (JavaScript) values and back.
//
// A Type describes one Go-like target type of Alloy's decoder: how an Alloy
// value is converted into the host value (with Alloy's conversion rules and
// error values), how the host value is encoded back into an Alloy value, and
// what its zero value is. Component schemas are built from these types (see
// struct.ts), and the same description drives decoding, defaults, encoding
// for the UI and the converter's "omit defaults" rule.

import {
  bigToJS,
  CapsuleValue,
  convertValue,
  type ConversionTarget,
  describe,
  ElementError,
  FieldError,
  fromJS,
  FunctionValue,
  NoConversion,
  NumberValue,
  ObjectValue,
  OPTIONAL_SECRET_TYPE,
  OptionalSecretValue,
  SECRET_TYPE,
  SecretValue,
  setOwn,
  toJS,
  typeOf,
  type Value,
  ValueError,
  ValueTypeError,
  type ValueType,
  valuesEqual,
} from "../value/index.ts";
import { quote } from "../quote.ts";
import { formatDuration, parseDurationBig } from "./duration.ts";

/** A target type for decoding Alloy values into host values of type T. */
export interface Type<T = unknown> {
  /** Readable type name, e.g. "list(string)"; used in docs and debug output. */
  readonly name: string;
  /** The Alloy type values of this type have ("any" when it accepts everything). */
  readonly alloyType: ValueType | "any";
  /** Decodes an Alloy value; throws value errors (see value/errors.ts). */
  decode(v: Value): T;
  /** Encodes a host value back into an Alloy value. */
  encode(x: T): Value;
  /** The zero value (Go's zero value of the type). */
  zero(): T;
  /** Go's reflect.Value.IsZero for host values of this type. */
  isZero(x: T): boolean;
  /** Deep equality of host values (used for "is this the default?"). */
  equal(a: T, b: T): boolean;
}

/** The host type a Type decodes to. */
export type HostOf<X> = X extends Type<infer T> ? T : never;

/**
 * Brings val to Alloy type `target` before decoding (Go decoder steps): a
 * capsule may convert itself into the target (its errors are reported on the
 * capsule), otherwise Alloy's implicit conversions apply.
 */
export function coerce(val: Value, target: ValueType, conversion?: ConversionTarget): Value {
  if (typeOf(val) === target) return val;
  if (conversion !== undefined && val instanceof CapsuleValue) {
    const r = capsuleConvert(val, conversion);
    if (r !== NoConversion) return r;
  }
  return convertValue(val, target);
}

/** Runs a capsule's custom conversion, wrapping its errors as Alloy does. */
export function capsuleConvert(val: CapsuleValue, target: ConversionTarget): Value | NoConversion {
  try {
    return val.convertInto(target);
  } catch (e) {
    throw new ValueError(val, e instanceof Error ? e : new Error(String(e)));
  }
}

/** Deep equality of host values: primitives, arrays, plain objects and Alloy values. */
export function hostEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b);
  }
  if (a instanceof NumberValue || a instanceof ObjectValue || a instanceof CapsuleValue) {
    return (b instanceof NumberValue || b instanceof ObjectValue || b instanceof CapsuleValue) && valuesEqual(a, b);
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!hostEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const pa = Object.getPrototypeOf(a);
  if (pa !== Object.prototype && pa !== null) return false;
  const pb = Object.getPrototypeOf(b);
  if (pb !== Object.prototype && pb !== null) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!hostEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Scalars

class StringType implements Type<string> {
  readonly name = "string";
  readonly alloyType = "string" as const;
  decode(v: Value): string {
    if (v === null) return "";
    return coerce(v, "string", "string") as string;
  }
  encode(x: string): Value {
    return x;
  }
  zero(): string {
    return "";
  }
  isZero(x: string): boolean {
    return x === "";
  }
  equal(a: string, b: string): boolean {
    return a === b;
  }
}

class BoolType implements Type<boolean> {
  readonly name = "bool";
  readonly alloyType = "bool" as const;
  decode(v: Value): boolean {
    if (v === null) return false;
    return coerce(v, "bool") as boolean;
  }
  encode(x: boolean): Value {
    return x;
  }
  zero(): boolean {
    return false;
  }
  isZero(x: boolean): boolean {
    return x === false;
  }
  equal(a: boolean, b: boolean): boolean {
    return a === b;
  }
}

/** Go number types a schema can ask for. */
export type NumberWidth =
  | "int"
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "uint"
  | "uint8"
  | "uint16"
  | "uint32"
  | "uint64"
  | "float32"
  | "float64";

const widthBits: Record<NumberWidth, number> = {
  int: 64,
  int8: 8,
  int16: 16,
  int32: 32,
  int64: 64,
  uint: 64,
  uint8: 8,
  uint16: 16,
  uint32: 32,
  uint64: 64,
  float32: 32,
  float64: 64,
};

/** Numbers decode to JavaScript numbers with Go's conversion to the width (wrapping integers). */
class NumberType implements Type<number> {
  readonly name = "number";
  readonly alloyType = "number" as const;
  readonly width: NumberWidth;

  constructor(width: NumberWidth) {
    this.width = width;
  }

  /** Converts an Alloy number as Go converts it into this width. */
  fromNumber(n: NumberValue): number {
    const w = this.width;
    const bits = widthBits[w];
    if (w === "float64") return n.toFloat64();
    if (w === "float32") return Math.fround(n.toFloat64());
    if (w.startsWith("uint")) return Number(BigInt.asUintN(bits, n.toUint64()));
    return Number(BigInt.asIntN(bits, n.toInt64()));
  }

  decode(v: Value): number {
    if (v === null) return 0;
    return this.fromNumber(coerce(v, "number") as NumberValue);
  }

  encode(x: number): Value {
    if (this.width.startsWith("float")) return NumberValue.float(x);
    if (!Number.isFinite(x)) return NumberValue.float(x);
    return this.width.startsWith("uint") ? NumberValue.uint(x) : NumberValue.int(x);
  }

  zero(): number {
    return 0;
  }
  isZero(x: number): boolean {
    return x === 0;
  }
  equal(a: number, b: number): boolean {
    return a === b || (Number.isNaN(a) && Number.isNaN(b));
  }
}

/** Go's time.Duration: a string like "1m30s" in Alloy, nanoseconds on the host. */
class DurationType implements Type<number> {
  readonly name = "duration";
  readonly alloyType = "string" as const;
  decode(v: Value): number {
    if (v === null) return 0;
    const s = coerce(v, "string", "string") as string;
    try {
      return Number(parseDurationBig(s));
    } catch (e) {
      throw new ValueError(v, e as Error);
    }
  }
  encode(x: number): Value {
    return formatDuration(x);
  }
  zero(): number {
    return 0;
  }
  isZero(x: number): boolean {
    return x === 0;
  }
  equal(a: number, b: number): boolean {
    return a === b;
  }
}

/**
 * A type written as text in Alloy (Go's encoding.TextUnmarshaler): decoded
 * as a string, then parsed. Parse errors are reported on the value.
 */
export interface TextTypeOptions<T> {
  name: string;
  parse(s: string): T;
  format(x: T): string;
  zero: () => T;
  isZero?: (x: T) => boolean;
  equal?: (a: T, b: T) => boolean;
}

class TextType<T> implements Type<T> {
  readonly name: string;
  readonly alloyType = "string" as const;
  private readonly opts: TextTypeOptions<T>;

  constructor(opts: TextTypeOptions<T>) {
    this.name = opts.name;
    this.opts = opts;
  }
  decode(v: Value): T {
    if (v === null) return this.opts.zero();
    const s = coerce(v, "string", "string") as string;
    try {
      return this.opts.parse(s);
    } catch (e) {
      throw new ValueError(v, e instanceof Error ? e : new Error(String(e)));
    }
  }
  encode(x: T): Value {
    return this.opts.format(x);
  }
  zero(): T {
    return this.opts.zero();
  }
  isZero(x: T): boolean {
    return this.opts.isZero ? this.opts.isZero(x) : hostEqual(x, this.opts.zero());
  }
  equal(a: T, b: T): boolean {
    return this.opts.equal ? this.opts.equal(a, b) : hostEqual(a, b);
  }
}

// ---------------------------------------------------------------------------
// Capsules

function capsuleMismatch(v: Value, want: string): ValueError {
  return new ValueError(v, new Error(`expected capsule(${quote(want)}), got ${describe(v)}`));
}

class SecretType implements Type<SecretValue | null> {
  readonly name = "secret";
  readonly alloyType = "capsule" as const;
  decode(v: Value): SecretValue | null {
    if (v === null) return null;
    if (v instanceof SecretValue) return v;
    if (typeof v === "string") return new SecretValue(v); // Secret.ConvertFrom(string)
    if (v instanceof CapsuleValue) {
      const r = capsuleConvert(v, SECRET_TYPE);
      if (r instanceof SecretValue) return r;
      throw capsuleMismatch(v, SECRET_TYPE);
    }
    throw new ValueTypeError(v, "capsule");
  }
  encode(x: SecretValue | null): Value {
    return x;
  }
  zero(): SecretValue | null {
    return null;
  }
  isZero(x: SecretValue | null): boolean {
    return x === null || x === undefined || x.value === "";
  }
  equal(a: SecretValue | null, b: SecretValue | null): boolean {
    return a === b || (a !== null && b !== null && a.value === b.value);
  }
}

class OptionalSecretType implements Type<OptionalSecretValue | null> {
  readonly name = "optional_secret";
  readonly alloyType = "capsule" as const;
  decode(v: Value): OptionalSecretValue | null {
    if (v === null) return null;
    if (v instanceof OptionalSecretValue) return v;
    if (typeof v === "string") return new OptionalSecretValue(v, false);
    if (v instanceof CapsuleValue) {
      const r = capsuleConvert(v, OPTIONAL_SECRET_TYPE);
      if (r instanceof OptionalSecretValue) return r;
      throw capsuleMismatch(v, OPTIONAL_SECRET_TYPE);
    }
    throw new ValueTypeError(v, "capsule");
  }
  encode(x: OptionalSecretValue | null): Value {
    return x;
  }
  zero(): OptionalSecretValue | null {
    return null;
  }
  isZero(x: OptionalSecretValue | null): boolean {
    return x === null || x === undefined || (x.value === "" && !x.isSecret);
  }
  equal(a: OptionalSecretValue | null, b: OptionalSecretValue | null): boolean {
    return a === b || (a !== null && b !== null && a.value === b.value && a.isSecret === b.isSecret);
  }
}

export interface CapsuleTypeOptions<T> {
  /** Other capsule type names whose host values are also accepted. */
  accepts?: readonly string[];
  /** Custom conversion from non-capsule values (Go's ConvertFrom); return undefined when unsupported. */
  convertFrom?: (v: Value) => T | undefined;
}

/**
 * An opaque host value carried as a capsule (e.g. a receiver in a
 * component's exports). Decoding yields the host value; encoding wraps it.
 */
class CapsuleType<T> implements Type<T | null> {
  readonly name: string;
  readonly alloyType = "capsule" as const;
  readonly capsuleType: string;
  private readonly accepts: ReadonlySet<string>;
  private readonly convertFrom?: (v: Value) => T | undefined;

  constructor(capsuleType: string, opts: CapsuleTypeOptions<T> = {}) {
    this.capsuleType = capsuleType;
    this.name = `capsule(${quote(capsuleType)})`;
    this.accepts = new Set([capsuleType, ...(opts.accepts ?? [])]);
    if (opts.convertFrom) this.convertFrom = opts.convertFrom;
  }

  decode(v: Value): T | null {
    if (v === null) return null;
    if (v instanceof CapsuleValue) {
      if (this.accepts.has(v.capsuleType)) return v.raw as T;
      const r = capsuleConvert(v, this.capsuleType);
      if (r instanceof CapsuleValue && this.accepts.has(r.capsuleType)) return r.raw as T;
    }
    if (this.convertFrom) {
      const r = this.convertFrom(v);
      if (r !== undefined) return r;
    }
    if (!(v instanceof CapsuleValue)) throw new ValueTypeError(v, "capsule");
    throw capsuleMismatch(v, this.capsuleType);
  }

  encode(x: T | null): Value {
    if (x === null || x === undefined) return null;
    if (x instanceof CapsuleValue) return x;
    return new CapsuleValue(this.capsuleType, x);
  }
  zero(): T | null {
    return null;
  }
  isZero(x: T | null): boolean {
    return x === null || x === undefined;
  }
  equal(a: T | null, b: T | null): boolean {
    return a === b;
  }
}

class FuncType implements Type<FunctionValue | null> {
  readonly name = "function";
  readonly alloyType = "function" as const;
  decode(v: Value): FunctionValue | null {
    if (v === null) return null;
    return coerce(v, "function") as FunctionValue;
  }
  encode(x: FunctionValue | null): Value {
    return x;
  }
  zero(): FunctionValue | null {
    return null;
  }
  isZero(x: FunctionValue | null): boolean {
    return x === null || x === undefined;
  }
  equal(a: FunctionValue | null, b: FunctionValue | null): boolean {
    return a === b;
  }
}

// ---------------------------------------------------------------------------
// Dynamic values

/** Go's interface{} target: plain JavaScript data (see value/js.ts). */
class AnyType implements Type<unknown> {
  readonly name = "any";
  readonly alloyType = "any" as const;
  decode(v: Value): unknown {
    return toJS(v);
  }
  encode(x: unknown): Value {
    return fromJS(x);
  }
  zero(): unknown {
    return null;
  }
  isZero(x: unknown): boolean {
    return x === null || x === undefined;
  }
  equal(a: unknown, b: unknown): boolean {
    return hostEqual(a, b);
  }
}

/** Keeps the Alloy value itself (Go's value.Value target). */
class ValueType_ implements Type<Value> {
  readonly name = "any";
  readonly alloyType = "any" as const;
  decode(v: Value): Value {
    return v;
  }
  encode(x: Value): Value {
    return x === undefined ? null : x;
  }
  zero(): Value {
    return null;
  }
  isZero(x: Value): boolean {
    return x === null || x === undefined;
  }
  equal(a: Value, b: Value): boolean {
    return a === b || (a !== null && b !== null && valuesEqual(a, b));
  }
}

// ---------------------------------------------------------------------------
// Containers

class ArrayType<T> implements Type<T[]> {
  readonly name: string;
  readonly alloyType = "array" as const;
  readonly elem: Type<T>;
  /** Exact length for Go arrays; undefined for slices. */
  readonly length: number | undefined;

  constructor(elem: Type<T>, length?: number) {
    this.elem = elem;
    this.length = length;
    this.name = `list(${elem.name})`;
  }

  decode(v: Value): T[] {
    if (v === null) return this.zero();
    const arr = coerce(v, "array") as readonly Value[];
    if (this.length !== undefined && arr.length !== this.length) {
      throw new ValueError(arr, `array must have exactly ${this.length} elements, got ${arr.length}`);
    }
    const out = new Array<T>(arr.length);
    for (let i = 0; i < arr.length; i++) {
      try {
        out[i] = this.elem.decode(arr[i]!);
      } catch (e) {
        throw new ElementError(arr, i, e as Error);
      }
    }
    return out;
  }
  encode(x: T[]): Value {
    if (x === null || x === undefined) return [];
    return x.map((e) => this.elem.encode(e));
  }
  zero(): T[] {
    if (this.length === undefined) return [];
    const out: T[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.elem.zero());
    return out;
  }
  isZero(x: T[]): boolean {
    if (x === null || x === undefined) return true;
    if (this.length === undefined) return x.length === 0;
    return x.every((e) => this.elem.isZero(e));
  }
  equal(a: T[], b: T[]): boolean {
    if (a === b) return true;
    if (!a || !b || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!this.elem.equal(a[i]!, b[i]!)) return false;
    return true;
  }
}

/** Go's map[string]T: an Alloy object decoded into a plain object. */
class MapType<T> implements Type<Record<string, T>> {
  readonly name: string;
  readonly alloyType = "object" as const;
  readonly elem: Type<T>;

  constructor(elem: Type<T>) {
    this.elem = elem;
    this.name = `map(${elem.name})`;
  }

  decode(v: Value): Record<string, T> {
    if (v === null) return {};
    const obj = coerce(v, "object", "object") as ObjectValue;
    const out: Record<string, T> = {};
    for (const [k, e] of obj.entries) {
      try {
        setOwn(out, k, this.elem.decode(e));
      } catch (err) {
        throw new FieldError(obj, k, err as Error);
      }
    }
    return out;
  }
  encode(x: Record<string, T>): Value {
    const m = new Map<string, Value>();
    if (x) for (const k of Object.keys(x)) m.set(k, this.elem.encode(x[k]!));
    return new ObjectValue(m, false);
  }
  zero(): Record<string, T> {
    return {};
  }
  isZero(x: Record<string, T>): boolean {
    return x === null || x === undefined || Object.keys(x).length === 0;
  }
  equal(a: Record<string, T>, b: Record<string, T>): boolean {
    if (a === b) return true;
    if (!a || !b) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) {
      if (!Object.prototype.hasOwnProperty.call(b, k) || !this.elem.equal(a[k]!, b[k]!)) return false;
    }
    return true;
  }
}

/** A Go pointer: null stays null, anything else decodes as the inner type. */
class NullableType<T> implements Type<T | null> {
  readonly name: string;
  readonly alloyType: ValueType | "any";
  readonly inner: Type<T>;

  constructor(inner: Type<T>) {
    this.inner = inner;
    this.name = inner.name;
    this.alloyType = inner.alloyType;
  }
  decode(v: Value): T | null {
    return v === null ? null : this.inner.decode(v);
  }
  encode(x: T | null): Value {
    return x === null || x === undefined ? null : this.inner.encode(x);
  }
  zero(): T | null {
    return null;
  }
  isZero(x: T | null): boolean {
    return x === null || x === undefined;
  }
  equal(a: T | null, b: T | null): boolean {
    if (a === null || a === undefined || b === null || b === undefined) return a == b;
    return this.inner.equal(a, b);
  }
}

export { ArrayType, MapType, NullableType, NumberType, TextType };

/** Type constructors. */
export const t = {
  string: (): Type<string> => new StringType(),
  bool: (): Type<boolean> => new BoolType(),
  /** Go int (64-bit); decoded as a JavaScript number. */
  int: (): Type<number> => new NumberType("int"),
  int8: (): Type<number> => new NumberType("int8"),
  int16: (): Type<number> => new NumberType("int16"),
  int32: (): Type<number> => new NumberType("int32"),
  int64: (): Type<number> => new NumberType("int64"),
  uint: (): Type<number> => new NumberType("uint"),
  uint8: (): Type<number> => new NumberType("uint8"),
  uint16: (): Type<number> => new NumberType("uint16"),
  uint32: (): Type<number> => new NumberType("uint32"),
  uint64: (): Type<number> => new NumberType("uint64"),
  float32: (): Type<number> => new NumberType("float32"),
  float64: (): Type<number> => new NumberType("float64"),
  /** A Go time.Duration, in nanoseconds. */
  duration: (): Type<number> => new DurationType(),
  secret: (): Type<SecretValue | null> => new SecretType(),
  optionalSecret: (): Type<OptionalSecretValue | null> => new OptionalSecretType(),
  capsule: <T>(capsuleType: string, opts?: CapsuleTypeOptions<T>): Type<T | null> => new CapsuleType<T>(capsuleType, opts),
  func: (): Type<FunctionValue | null> => new FuncType(),
  /** Plain JavaScript data (Go's interface{}). */
  any: (): Type<unknown> => new AnyType(),
  /** The Alloy value itself, undecoded. */
  value: (): Type<Value> => new ValueType_(),
  array: <T>(elem: Type<T>): Type<T[]> => new ArrayType(elem),
  /** A Go array: exactly `length` elements. */
  fixedArray: <T>(elem: Type<T>, length: number): Type<T[]> => new ArrayType(elem, length),
  map: <T>(elem: Type<T>): Type<Record<string, T>> => new MapType(elem),
  nullable: <T>(inner: Type<T>): Type<T | null> => new NullableType(inner),
  text: <T>(opts: TextTypeOptions<T>): Type<T> => new TextType(opts),
};

/** Converts an integer-valued Alloy number to a JavaScript number or bigint. */
export function numberToJS(n: NumberValue): number | bigint {
  return n.kind === "float" ? n.float : bigToJS(n.big);
}
