// Unary and binary operators (Go's syntax/internal/transform).
//
// Numbers are computed in the widest kind of the two operands (uint < int <
// float) with Go's 64-bit wrap-around and no overflow checks. Strings compare
// byte-wise. Secrets are unwrapped so that `string + secret` is a secret and
// a non-sensitive optional secret behaves like a string.

import { Token, tokenString } from "../token.ts";
import {
  CapsuleValue,
  compareStrings,
  fitNumberKinds,
  type NumberKind,
  NumberValue,
  OptionalSecretValue,
  SecretValue,
  typeOf,
  type Value,
  ValueError,
  ValueTypeError,
  type ValueType,
  valuesEqual,
} from "../value/index.ts";

const allowedTypes: Partial<Record<Token, readonly ValueType[]>> = {
  [Token.OR]: ["bool"],
  [Token.AND]: ["bool"],
  [Token.ADD]: ["number", "string", "capsule"],
  [Token.SUB]: ["number"],
  [Token.MUL]: ["number"],
  [Token.DIV]: ["number"],
  [Token.MOD]: ["number"],
  [Token.POW]: ["number"],
  [Token.LT]: ["number", "string"],
  [Token.GT]: ["number", "string"],
  [Token.LTE]: ["number", "string"],
  [Token.GTE]: ["number", "string"],
};

// Rewrites secret/string operand pairs to a common type (Go's tryUnwrapCapsules).
function unwrapCapsules(lhs: Value, rhs: Value): [Value, Value] {
  if (lhs instanceof OptionalSecretValue) {
    if (rhs instanceof SecretValue) return [new SecretValue(lhs.value), rhs];
    if (typeof rhs === "string") {
      return lhs.isSecret ? [lhs, new OptionalSecretValue(rhs, true)] : [lhs.value, rhs];
    }
  } else if (lhs instanceof SecretValue) {
    if (rhs instanceof OptionalSecretValue) return [lhs, new SecretValue(rhs.value)];
    if (typeof rhs === "string") return [lhs, new SecretValue(rhs)];
  } else if (typeof lhs === "string") {
    if (rhs instanceof OptionalSecretValue) {
      return rhs.isSecret ? [new OptionalSecretValue(lhs, true), rhs] : [lhs, rhs.value];
    }
    if (rhs instanceof SecretValue) return [new SecretValue(lhs), rhs];
  }
  return [lhs, rhs];
}

const ZERO_U64 = 0n;

function isZeroNumber(n: NumberValue): boolean {
  return n.kind === "float" ? n.float === 0 : n.big === ZERO_U64;
}

// n^m in the 64-bit ring, with Go's intPow special cases (negative exponents yield n).
function intPow(n: bigint, m: bigint, signed: boolean): bigint {
  if (m === 0n || n === 1n) return 1n;
  if (n === 0n && m > 0n) return 0n;
  if (m < 2n) return n;
  let result = 1n;
  let base = BigInt.asUintN(64, n);
  let e = m;
  while (e > 0n) {
    if (e & 1n) result = BigInt.asUintN(64, result * base);
    base = BigInt.asUintN(64, base * base);
    e >>= 1n;
  }
  return signed ? BigInt.asIntN(64, result) : result;
}

// Go's math.Pow differs from Math.pow for a base of 1 or -1 with NaN/infinite exponents.
function goPow(x: number, y: number): number {
  if (x === 1) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return Math.pow(x, y);
}

function intOp(op: Token, a: bigint, b: bigint, kind: NumberKind): NumberValue {
  const make = kind === "uint" ? NumberValue.uint : NumberValue.int;
  switch (op) {
    case Token.ADD:
      return make(a + b);
    case Token.SUB:
      return make(a - b);
    case Token.MUL:
      return make(a * b);
    case Token.DIV:
      return make(a / b);
    case Token.MOD:
      return make(a % b);
    default: // POW
      return make(intPow(a, b, kind === "int"));
  }
}

function floatOp(op: Token, a: number, b: number): NumberValue {
  switch (op) {
    case Token.ADD:
      return NumberValue.float(a + b);
    case Token.SUB:
      return NumberValue.float(a - b);
    case Token.MUL:
      return NumberValue.float(a * b);
    case Token.DIV:
      return NumberValue.float(a / b);
    case Token.MOD:
      return NumberValue.float(a % b);
    default:
      return NumberValue.float(goPow(a, b));
  }
}

function compareNumbers(a: NumberValue, b: NumberValue): number {
  switch (fitNumberKinds(a.kind, b.kind)) {
    case "uint": {
      const x = a.toUint64();
      const y = b.toUint64();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case "int": {
      const x = a.toInt64();
      const y = b.toInt64();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    default: {
      const x = a.toFloat64();
      const y = b.toFloat64();
      return x < y ? -1 : x > y ? 1 : x === y ? 0 : NaN;
    }
  }
}

function compareResult(op: Token, c: number): boolean {
  switch (op) {
    case Token.LT:
      return c < 0;
    case Token.GT:
      return c > 0;
    case Token.LTE:
      return c <= 0;
    default:
      return c >= 0;
  }
}

/** Applies a binary operator. Errors name the original operand values. */
export function binaryOp(origLHS: Value, op: Token, origRHS: Value): Value {
  let lhs = origLHS;
  let rhs = origRHS;
  if (lhs instanceof CapsuleValue || rhs instanceof CapsuleValue) [lhs, rhs] = unwrapCapsules(lhs, rhs);

  if (op === Token.EQ) return valuesEqual(lhs, rhs);
  if (op === Token.NEQ) return !valuesEqual(lhs, rhs);

  const allowed = allowedTypes[op];
  if (allowed === undefined) throw new Error(`syntax/vm: unexpected binop ${tokenString(op)}`);
  const lt = typeOf(lhs);
  const rt = typeOf(rhs);
  if (!allowed.includes(lt)) {
    throw new ValueError(origLHS, `should be one of [${allowed.join(" ")}] for binop ${tokenString(op)}, got ${lt}`);
  }
  if (!allowed.includes(rt)) {
    throw new ValueError(origRHS, `should be one of [${allowed.join(" ")}] for binop ${tokenString(op)}, got ${rt}`);
  }
  if (lt !== rt) throw new ValueTypeError(rhs, lt);

  switch (op) {
    case Token.OR:
      return (lhs as boolean) || (rhs as boolean);
    case Token.AND:
      return (lhs as boolean) && (rhs as boolean);
    case Token.ADD:
      if (lt === "string") return (lhs as string) + (rhs as string);
      if (lt === "capsule") return addCapsules(origLHS, lhs as CapsuleValue, rhs as CapsuleValue);
      break;
    case Token.LT:
    case Token.GT:
    case Token.LTE:
    case Token.GTE:
      if (lt === "string") return compareResult(op, compareStrings(lhs as string, rhs as string));
      return compareResult(op, compareNumbers(lhs as NumberValue, rhs as NumberValue));
  }

  const a = lhs as NumberValue;
  const b = rhs as NumberValue;
  if ((op === Token.DIV || op === Token.MOD) && isZeroNumber(b)) {
    throw new ValueError(origRHS, "divide by zero error");
  }
  const kind = fitNumberKinds(a.kind, b.kind);
  switch (kind) {
    case "uint":
      return intOp(op, a.toUint64(), b.toUint64(), kind);
    case "int":
      return intOp(op, a.toInt64(), b.toInt64(), kind);
    default:
      return floatOp(op, a.toFloat64(), b.toFloat64());
  }
}

// `+` on capsules: secrets concatenate (a capsule of another kind on the
// right contributes an empty string, as in Alloy).
function addCapsules(origLHS: Value, lhs: CapsuleValue, rhs: CapsuleValue): Value {
  if (lhs instanceof OptionalSecretValue) {
    const r = rhs instanceof OptionalSecretValue ? rhs : new OptionalSecretValue("", false);
    return new OptionalSecretValue(lhs.value + r.value, lhs.isSecret || r.isSecret);
  }
  if (lhs instanceof SecretValue) {
    return new SecretValue(lhs.value + (rhs instanceof SecretValue ? rhs.value : ""));
  }
  throw new ValueError(origLHS, `could not perform binop + for unknown types lhs capsule rhs capsule`);
}

/** Applies a unary operator (`!` or `-`). */
export function unaryOp(op: Token, v: Value): Value {
  if (op === Token.NOT) {
    if (typeof v !== "boolean") throw new ValueTypeError(v, "bool");
    return !v;
  }
  if (op === Token.SUB) {
    if (!(v instanceof NumberValue)) throw new ValueTypeError(v, "number");
    if (v.kind === "float") return NumberValue.float(-v.float);
    return NumberValue.int(-v.toInt64());
  }
  throw new Error(`syntax/vm: unexpected unary operator ${tokenString(op)}`);
}
