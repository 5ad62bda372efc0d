// Alloy values and bodies as JSON (Alloy's syntax/encoding/alloyjson), the
// form the UI and the API use to show component arguments and exports:
//
//   value:      {"type": "number", "value": 54}
//               {"type": "object", "value": [{"key": "a", "value": {...}}]}
//               {"type": "capsule", "value": "(secret)"}
//   statement:  {"name": "x", "type": "attr", "value": <value>}
//               {"name": "b", "type": "block", "label": "l", "body": [...]}
//
// marshalValue / marshalBody return plain data; the *JSON variants return
// the text exactly as Go's encoding/json writes it (field order, escaping).

import { encodeBody, type BodyItem } from "../schema/encode.ts";
import type { Type } from "../schema/types.ts";
import { jsonFloat, jsonString } from "../stdlib/gojson.ts";
import {
  capsuleAsObject,
  CapsuleValue,
  FunctionValue,
  NumberValue,
  ObjectValue,
  type Value,
} from "../value/index.ts";

export interface JsonValueNode {
  type: "null" | "number" | "string" | "bool" | "array" | "object" | "function" | "capsule";
  value: null | number | string | boolean | JsonValueNode[] | JsonObjectField[];
}

export interface JsonObjectField {
  key: string;
  value: JsonValueNode;
}

export interface JsonAttr {
  name: string;
  type: "attr";
  value: JsonValueNode;
}

export interface JsonBlock {
  name: string;
  type: "block";
  label?: string;
  body: JsonStatement[];
}

export type JsonStatement = JsonAttr | JsonBlock;

function objectNode(obj: ObjectValue): JsonValueNode {
  return {
    type: "object",
    value: obj.keys().map((k) => ({ key: k, value: marshalValue(obj.get(k)!) })),
  };
}

/** The JSON form of a value. */
export function marshalValue(v: Value): JsonValueNode {
  if (v === null) return { type: "null", value: null };
  if (typeof v === "string") return { type: "string", value: v };
  if (typeof v === "boolean") return { type: "bool", value: v };
  if (v instanceof NumberValue) return { type: "number", value: v.toFloat64() };
  if (Array.isArray(v)) return { type: "array", value: v.map(marshalValue) };
  if (v instanceof ObjectValue) return objectNode(v);
  if (v instanceof FunctionValue) return { type: "function", value: "function" };
  const c = v as CapsuleValue;
  const printed = c.printed();
  if (printed !== undefined) return { type: "capsule", value: printed };
  const obj = capsuleAsObject(c);
  if (obj !== undefined) return objectNode(obj);
  const s = c.stringer();
  return { type: "capsule", value: s !== "" ? s : c.describe() };
}

function statementOf(item: BodyItem): JsonStatement {
  if (item.type === "attr") return { name: item.name, type: "attr", value: marshalValue(item.value) };
  const block: JsonBlock = { name: item.name, type: "block", body: item.body.map(statementOf) };
  if (item.label !== "") block.label = item.label;
  return block;
}

/** The JSON form of encoded body statements. */
export function marshalStatements(items: readonly BodyItem[]): JsonStatement[] {
  return items.map(statementOf);
}

/**
 * The JSON form of a host value of a body type (struct schema, map or any),
 * leaving out optional settings at their defaults as Alloy's UI does.
 */
export function marshalBody(type: Type<any>, host: unknown): JsonStatement[] {
  return marshalStatements(encodeBody(type, host, "alloyjson"));
}

// ---------------------------------------------------------------------------
// Go encoding/json text

function valueText(n: JsonValueNode): string {
  let value: string;
  if (n.value === null) value = "null";
  else if (typeof n.value === "string") value = jsonString(n.value);
  else if (typeof n.value === "boolean") value = n.value ? "true" : "false";
  else if (typeof n.value === "number") value = jsonFloat(n.value);
  else if (n.type === "array") value = "[" + (n.value as JsonValueNode[]).map(valueText).join(",") + "]";
  else {
    value =
      "[" +
      (n.value as JsonObjectField[]).map((f) => `{"key":${jsonString(f.key)},"value":${valueText(f.value)}}`).join(",") +
      "]";
  }
  return `{"type":${jsonString(n.type)},"value":${value}}`;
}

function statementText(s: JsonStatement): string {
  if (s.type === "attr") return `{"name":${jsonString(s.name)},"type":"attr","value":${valueText(s.value)}}`;
  const label = s.label !== undefined && s.label !== "" ? `,"label":${jsonString(s.label)}` : "";
  return `{"name":${jsonString(s.name)},"type":"block"${label},"body":[${s.body.map(statementText).join(",")}]}`;
}

/** MarshalValue: the JSON text of a value. */
export function marshalValueJSON(v: Value): string {
  return valueText(marshalValue(v));
}

/** MarshalBody: the JSON text of a body. */
export function marshalBodyJSON(type: Type<any>, host: unknown): string {
  return "[" + marshalBody(type, host).map(statementText).join(",") + "]";
}

/** The JSON text of already marshalled statements. */
export function statementsJSON(statements: readonly JsonStatement[]): string {
  return "[" + statements.map(statementText).join(",") + "]";
}
