// Value-level errors. They mirror Alloy's syntax/internal/value errors: each
// carries the value it is about, and they nest (an element of an array, a
// field of an object, an argument of a call) so that the evaluator can turn
// the chain into a message that names the offending expression, e.g.
// `key_value.object.field1[2] should be number, got string`.

import { typeOf, type Value, type ValueType } from "./types.ts";

/** Base class of every value-level error. */
export abstract class ValueErrorBase extends Error {
  /** The value the error is about. */
  abstract readonly value: Value;
  /** The next error in the chain, if any. */
  abstract readonly inner: Error | undefined;
}

/** A general error about a value (Go's value.Error). Its message is the inner error's. */
export class ValueError extends ValueErrorBase {
  readonly value: Value;
  readonly inner: Error;

  constructor(value: Value, inner: Error | string) {
    const err = typeof inner === "string" ? new Error(inner) : inner;
    super(err.message);
    this.name = "ValueError";
    this.value = value;
    this.inner = err;
  }
}

/** A value of the wrong type (Go's value.TypeError): "expected X, got Y". */
export class ValueTypeError extends ValueErrorBase {
  readonly value: Value;
  readonly expected: ValueType;
  readonly inner: undefined = undefined;

  constructor(value: Value, expected: ValueType) {
    super(`expected ${expected}, got ${typeOf(value)}`);
    this.name = "ValueTypeError";
    this.value = value;
    this.expected = expected;
  }
}

/** An object key with no matching field (Go's value.MissingKeyError). */
export class MissingKeyError extends ValueErrorBase {
  readonly value: Value;
  readonly missing: string;
  readonly inner: undefined = undefined;

  constructor(value: Value, missing: string) {
    super(`key ${JSON.stringify(missing)} does not exist`);
    this.name = "MissingKeyError";
    this.value = value;
    this.missing = missing;
  }
}

/** An error inside element `index` of an array value. */
export class ElementError extends ValueErrorBase {
  readonly value: Value;
  readonly index: number;
  readonly inner: Error;

  constructor(value: Value, index: number, inner: Error) {
    super(inner.message);
    this.name = "ElementError";
    this.value = value;
    this.index = index;
    this.inner = inner;
  }
}

/** An error inside field `field` of an object value. */
export class FieldError extends ValueErrorBase {
  readonly value: Value;
  readonly field: string;
  readonly inner: Error;

  constructor(value: Value, field: string, inner: Error) {
    super(inner.message);
    this.name = "FieldError";
    this.value = value;
    this.field = field;
    this.inner = inner;
  }
}

/** An invalid argument to a function call. */
export class ArgError extends ValueErrorBase {
  readonly func: Value;
  readonly argument: Value;
  readonly index: number;
  readonly inner: Error;

  constructor(func: Value, argument: Value, index: number, inner: Error) {
    super(inner.message);
    this.name = "ArgError";
    this.func = func;
    this.argument = argument;
    this.index = index;
    this.inner = inner;
  }

  get value(): Value {
    return this.argument;
  }
}

export function isValueError(e: unknown): e is ValueErrorBase {
  return e instanceof ValueErrorBase;
}

/** Visits the chain of value errors starting at err; false when err is not one. */
export function walkValueError(err: unknown, visit: (e: ValueErrorBase) => void): boolean {
  let found = false;
  let next: unknown = err;
  while (next instanceof ValueErrorBase) {
    visit(next);
    found = true;
    next = next.inner;
  }
  return found;
}
