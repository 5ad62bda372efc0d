// Encoding a host value back into Alloy body statements: the inverse of
// decoding a block body. Optional fields that hold their default (or are
// zero) are left out, which is what the UI shows and what the converter
// prints ("omit defaults").
//
// Alloy has two encoders with slightly different rules, both kept here:
//   "builder"   (token builder, used by the converter): deep equality with the
//               default, zero elements of optional repeated blocks skipped;
//   "alloyjson" (the UI/API JSON): only comparable values (no lists, maps)
//               are compared with their default, zero blocks print empty.

import { compareStrings, fromJS, type Value } from "../value/index.ts";
import { type FieldDef, type FlatField, type Host, StructType } from "./struct.ts";
import { MapType, NullableType, type Type } from "./types.ts";

export type BodyItem = AttrItem | BlockItem;

export interface AttrItem {
  readonly type: "attr";
  readonly name: string;
  readonly value: Value;
}

export interface BlockItem {
  readonly type: "block";
  readonly name: string;
  /** "" when the block has no label. */
  readonly label: string;
  readonly body: BodyItem[];
}

export type EncodeMode = "builder" | "alloyjson";

/** Whether Go could compare values of this type with == (no slices, maps or pointers). */
export function isComparable(type: Type<any>): boolean {
  if (type instanceof NullableType) return false;
  if (type instanceof StructType) {
    return type.flat.every((f) => {
      const d = f.def;
      if (d.kind === "attr" || d.kind === "block") return isComparable(d.type) && !(d.kind === "block" && d.optional);
      return d.kind === "label";
    });
  }
  return type.alloyType === "string" || type.alloyType === "number" || type.alloyType === "bool" || type.alloyType === "capsule";
}

function fieldType(def: FieldDef): Type<any> | undefined {
  return def.kind === "attr" || def.kind === "block" ? def.type : undefined;
}

function isZeroField(def: FieldDef, v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (def.kind === "blocks" || def.kind === "enum") return Array.isArray(v) && v.length === 0;
  if (def.kind === "label") return v === "";
  const t = fieldType(def);
  return t !== undefined ? t.isZero(v) : false;
}

function equalsDefault(def: FieldDef, v: unknown, d: unknown, mode: EncodeMode): boolean {
  if (def.kind === "attr" || def.kind === "block") {
    if (mode === "alloyjson" && (!isComparable(def.type) || (def.kind === "block" && def.optional))) return false;
    if (v === null || v === undefined || d === null || d === undefined) return v == d;
    return def.type.equal(v, d);
  }
  if (mode === "alloyjson") return false;
  if (def.kind === "blocks") {
    if (!Array.isArray(v) || !Array.isArray(d) || v.length !== d.length) return false;
    return v.every((e, i) => def.type.equal(e, d[i]));
  }
  return false;
}

/** Encodes a map used as a body: one attribute per key, sorted. */
function encodeMapBody(host: Record<string, unknown> | null | undefined, elem: Type<any> | undefined): BodyItem[] {
  if (host === null || host === undefined) return [];
  return Object.keys(host)
    .sort(compareStrings)
    .map((k) => ({ type: "attr" as const, name: k, value: elem ? elem.encode(host[k]) : fromJS(host[k]) }));
}

/**
 * Encodes a host value of a body type (a struct schema, a map type or the
 * any type) into statements.
 */
export function encodeBody(type: Type<any>, host: unknown, mode: EncodeMode = "builder"): BodyItem[] {
  if (type instanceof StructType) return encodeStruct(type, host as Host, mode);
  if (type instanceof MapType) return encodeMapBody(host as Record<string, unknown>, type.elem);
  return encodeMapBody(host as Record<string, unknown>, undefined);
}

function encodeStruct(type: StructType<any>, host: Host | null | undefined, mode: EncodeMode): BodyItem[] {
  if (host === null || host === undefined) return [];
  const defaults = type.defaults() as Host;
  const out: BodyItem[] = [];
  for (const f of type.flat) {
    if (f.def.kind === "label" || f.def.kind === "squash") continue;
    const v = type.get(host, f);
    const optional = f.def.optional;
    if (optional) {
      const d = type.get(defaults, f);
      if (equalsDefault(f.def, v, d, mode) || (isZeroField(f.def, d) && isZeroField(f.def, v))) continue;
    }
    encodeField(out, [], f, v, mode);
  }
  return out;
}

function blockLabel(type: Type<any>, v: unknown): string {
  if (!(type instanceof StructType) || !type.labelField || v === null || v === undefined) return "";
  const l = type.get(v, type.labelField);
  return typeof l === "string" ? l : "";
}

function encodeBlock(out: BodyItem[], name: string, type: Type<any>, v: unknown, mode: EncodeMode): void {
  if (v === null || v === undefined) return; // a nil pointer block is not printed
  if (type instanceof StructType) {
    if (mode === "alloyjson" && type.isZero(v)) {
      out.push({ type: "block", name, label: "", body: [] });
      return;
    }
    out.push({ type: "block", name, label: blockLabel(type, v), body: encodeStruct(type, v as Host, mode) });
    return;
  }
  out.push({ type: "block", name, label: "", body: encodeBody(type, v, mode) });
}

function encodeField(out: BodyItem[], prefix: readonly string[], f: FlatField, v: unknown, mode: EncodeMode): void {
  const name = [...prefix, ...f.nameParts].join(".");
  const d = f.def;
  switch (d.kind) {
    case "attr":
      out.push({ type: "attr", name, value: d.type.encode(v) });
      return;
    case "block":
      encodeBlock(out, name, d.type, v, mode);
      return;
    case "blocks":
      for (const e of (v as unknown[] | null) ?? []) {
        if (mode === "builder" && d.optional && (e === null || e === undefined || d.type.isZero(e))) continue;
        encodeBlock(out, name, d.type, e, mode);
      }
      return;
    case "enum":
      for (const element of (v as Array<Record<string, unknown>> | null) ?? []) {
        if (element === null || element === undefined) continue;
        // The first member that is set is the one written.
        for (const key of Object.keys(d.members)) {
          const member = element[key];
          const mt = d.members[key]!;
          if (member === null || member === undefined || mt.isZero(member)) continue;
          encodeBlock(out, name + "." + key, mt, member, mode);
          break;
        }
      }
      return;
    default:
      return;
  }
}
