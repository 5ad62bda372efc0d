// Writes a component's arguments into a builder block the way Alloy's token builder does
// (Body.AppendFrom with the converters' value override hook):
//
// - an optional setting is left out when it deeply equals the component's default, or when both
//   it and the default are zero; a nil list is zero, an empty one is not (Go slices);
// - a nested block is compared with the defaults of its own schema;
// - secrets print as plain strings, regular expressions and other text types as strings,
//   discovery targets as object lists / export expressions joined with array.concat, and
//   references to other components as raw expressions.
//
// Host values follow the schemas in src/converter/schemas (written with src/syntax/schema): null
// stands for Go's nil pointer, slice or map; [] and {} for empty but present ones.
import { Block, type Body, type BuilderValue, OrderedObject, type Tokenizer } from "../../syntax/builder.ts";
import { ArrayType, type FieldDef, type FlatField, MapType, NullableType, StructType, type Type } from "../../syntax/schema/index.ts";
import { toBuilderValue } from "../../syntax/value/builder.ts";
import { CapsuleValue, ObjectValue, type Value } from "../../syntax/value/index.ts";
import { OptionalSecretValue, SecretValue } from "../../syntax/value/secret.ts";
import { type Target, targetTokens } from "./tokenizers.ts";

/** The type of `targets` arguments: a list of targets, printed by targetTokens. */
export class TargetListType extends ArrayType<Record<string, string>> {}

function isTokenizer(x: unknown): x is Tokenizer {
  return typeof x === "object" && x !== null && typeof (x as Tokenizer).alloyTokenize === "function";
}

/** An Alloy value as builder input, with the converter's overrides (secrets as plain strings). */
function builderValue(v: Value): BuilderValue {
  if (v instanceof SecretValue || v instanceof OptionalSecretValue) return v.value;
  if (v instanceof CapsuleValue) return isTokenizer(v.raw) ? v.raw : toBuilderValue(v);
  if (Array.isArray(v)) return v.map(builderValue);
  if (v instanceof ObjectValue) {
    if (v.ordered) return new OrderedObject([...v.entries].map(([k, e]) => [k, builderValue(e)] as const));
    const out: Record<string, BuilderValue> = {};
    for (const [k, e] of v.entries) Object.defineProperty(out, k, { value: builderValue(e), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return toBuilderValue(v);
}

function attrValue(type: Type<any>, v: unknown): BuilderValue {
  if (type instanceof TargetListType) {
    const targets = (v ?? []) as Target[];
    return { alloyTokenize: () => targetTokens(targets) };
  }
  return builderValue(type.encode(v));
}

/** Go's reflect.Value.IsZero on a host value. */
function goIsZero(def: FieldDef, v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (def.kind === "blocks" || def.kind === "enum") return false; // a non-nil slice
  if (def.kind !== "attr" && def.kind !== "block") return false;
  const type = def.type instanceof NullableType ? def.type.inner : def.type;
  if (def.type instanceof NullableType) return false; // a non-nil pointer
  if (type instanceof ArrayType && type.length === undefined) return false;
  if (type instanceof MapType) return false;
  if (def.kind === "block" && def.optional && def.default === undefined) return false; // *T, non-nil
  return type.isZero(v);
}

/** Go's reflect.DeepEqual on host values of one field. */
function goDeepEqual(def: FieldDef, a: unknown, b: unknown): boolean {
  const an = a === null || a === undefined;
  const bn = b === null || b === undefined;
  if (an || bn) return an && bn;
  if (def.kind === "attr" || def.kind === "block") return def.type.equal(a, b);
  if (def.kind === "blocks") {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((e, i) => {
      const en = e === null || e === undefined;
      const fn = b[i] === null || b[i] === undefined;
      return en || fn ? en && fn : def.type.equal(e, b[i]);
    });
  }
  return false;
}

/** Appends the settings of host (a value of schema) to body, leaving defaults out. */
export function appendArgs(body: Body, schema: StructType<any>, host: unknown): void {
  if (host === null || host === undefined) return;
  const defaults = schema.defaults();
  for (const f of schema.flat) {
    if (f.def.kind === "label" || f.def.kind === "squash") continue;
    const v = schema.get(host, f);
    if (f.def.optional) {
      const d = schema.get(defaults, f);
      if (goDeepEqual(f.def, v, d) || (goIsZero(f.def, d) && goIsZero(f.def, v))) continue;
    }
    encodeField(body, f, v);
  }
}

function encodeField(body: Body, f: FlatField, v: unknown): void {
  const def = f.def;
  switch (def.kind) {
    case "attr":
      body.setAttributeValue(f.name, attrValue(def.type, v));
      return;
    case "block":
      appendBlock(body, f.nameParts, def.type, v);
      return;
    case "blocks":
      for (const e of (v as unknown[] | null) ?? []) {
        if (def.optional && (e === null || e === undefined || def.type.isZero(e))) continue;
        appendBlock(body, f.nameParts, def.type, e);
      }
      return;
    default:
      return;
  }
}

function appendBlock(body: Body, name: readonly string[], type: Type<any>, v: unknown): void {
  if (v === null || v === undefined) return; // a nil pointer prints nothing
  const inner = type instanceof NullableType ? type.inner : type;
  if (inner instanceof StructType) {
    const label = inner.labelField ? String(inner.get(v, inner.labelField) ?? "") : "";
    const block = new Block([...name], label);
    appendArgs(block.body, inner, v);
    body.appendBlock(block);
    return;
  }
  if (inner instanceof MapType) {
    const block = new Block([...name]);
    const map = v as Record<string, unknown>;
    for (const key of Object.keys(map).sort()) block.body.setAttributeValue(key, attrValue(inner.elem, map[key]));
    body.appendBlock(block);
  }
}
