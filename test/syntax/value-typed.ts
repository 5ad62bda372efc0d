// Helpers for the conformance tables' typed values: building Alloy values
// from `{"type": T, "value": V}` descriptions and projecting values back
// into that form (following Alloy's decode-into-any rules).

import {
  CapsuleValue,
  NumberValue,
  ObjectValue,
  OptionalSecretValue,
  SecretValue,
  type Value,
} from "../../src/syntax/value/index.ts";

export interface Typed {
  type: string;
  value?: unknown;
  capsule?: string;
}

/** Builds an Alloy value from a typed description. */
export function valueOf(t: Typed): Value {
  switch (t.type) {
    case "null":
      return null;
    case "int":
      return NumberValue.int(BigInt(t.value as number));
    case "uint":
      return NumberValue.uint(BigInt(t.value as number));
    case "float":
      return NumberValue.float(t.value as number);
    case "string":
      return t.value as string;
    case "bool":
      return t.value as boolean;
    case "array":
      return ((t.value as Typed[] | null) ?? []).map(valueOf);
    case "object": {
      const m = new Map<string, Value>();
      for (const [k, v] of Object.entries((t.value as Record<string, Typed> | null) ?? {})) m.set(k, valueOf(v));
      return new ObjectValue(m, false);
    }
    case "secret":
      return new SecretValue(t.value as string);
    case "capsule":
      if (t.capsule === "OptionalSecret") {
        const v = t.value as { value: string; is_secret: boolean };
        return new OptionalSecretValue(v.value, v.is_secret);
      }
      return new CapsuleValue(t.capsule ?? "capsule", t.value);
  }
  throw new Error(`unknown typed value ${t.type}`);
}

const MAX_INT64 = (1n << 63n) - 1n;

/** Projects a value into the typed form (ints vs uints vs floats as Go's decode-into-any sees them). */
export function typedOf(v: Value): Typed {
  if (v === null) return { type: "null", value: null };
  if (typeof v === "string") return { type: "string", value: v };
  if (typeof v === "boolean") return { type: "bool", value: v };
  if (v instanceof NumberValue) {
    if (v.kind === "float") return { type: "float", value: v.float };
    if (v.kind === "uint" && v.big > MAX_INT64) return { type: "uint", value: Number(v.big) };
    return { type: "int", value: Number(v.toInt64()) };
  }
  if (Array.isArray(v)) return { type: "array", value: v.map(typedOf) };
  if (v instanceof ObjectValue) {
    const out: Record<string, Typed> = {};
    for (const [k, e] of v.entries) out[k] = typedOf(e);
    return { type: "object", value: out };
  }
  if (v instanceof SecretValue) return { type: "secret", value: v.value };
  if (v instanceof OptionalSecretValue) {
    return { type: "capsule", capsule: "OptionalSecret", value: { value: v.value, is_secret: v.isSecret } };
  }
  return { type: v instanceof CapsuleValue ? "capsule" : "function" };
}

/** The host value a typed expectation decodes to (numbers as JS numbers). */
export function hostOf(t: Typed): unknown {
  switch (t.type) {
    case "array":
      return ((t.value as Typed[] | null) ?? []).map(hostOf);
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries((t.value as Record<string, Typed> | null) ?? {})) out[k] = hostOf(v);
      return out;
    }
    case "null":
      return null;
    default:
      return t.value;
  }
}

/** Sorts arrays of typed values recursively by their JSON text, for order-insensitive comparison. */
export function canonicalTyped(t: Typed, sortArrays: boolean): Typed {
  if (t.type === "array") {
    const items = ((t.value as Typed[]) ?? []).map((e) => canonicalTyped(e, sortArrays));
    if (sortArrays) items.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    return { type: "array", value: items };
  }
  if (t.type === "object") {
    const out: Record<string, Typed> = {};
    const src = (t.value as Record<string, Typed>) ?? {};
    for (const k of Object.keys(src).sort()) out[k] = canonicalTyped(src[k]!, sortArrays);
    return { type: "object", value: out };
  }
  return t;
}
