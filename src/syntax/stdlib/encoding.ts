// Encodings behind the encoding.* functions: JSON and YAML decoding into
// Alloy values (with Go's number rules), JSON encoding as Go's json.Marshal
// does it, and Go's base64 and URL query escaping.

import { type Document, isAlias, isMap, isScalar, isSeq, type Node as YamlNode, parseAllDocuments, visit } from "yaml";
import {
  CapsuleValue,
  compareStrings,
  FunctionValue,
  NumberValue,
  ObjectValue,
  OptionalSecretValue,
  SecretValue,
  type Value,
} from "../value/index.ts";
import { type JsonValue, jsonFloat, jsonString, parseJson } from "./gojson.ts";

const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
const encoder = new TextEncoder();

/** Converts parsed JSON to an Alloy value (objects are map-like). */
export function jsonToValue(v: JsonValue): Value {
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") return NumberValue.float(v);
  if (typeof v === "bigint") return NumberValue.int(v);
  if (Array.isArray(v)) return v.map(jsonToValue);
  const m = new Map<string, Value>();
  for (const [k, e] of v) m.set(k, jsonToValue(e));
  return new ObjectValue(m, false);
}

/** encoding.from_json: Go's json.Unmarshal into interface{}. */
export function fromJson(text: string): Value {
  return jsonToValue(parseJson(text));
}

// ---------------------------------------------------------------------------
// JSON encoding (encoding.to_json)

/** Go's json.Marshal of a value decoded into interface{}. */
export function toJson(v: Value): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "string") return jsonString(v);
  if (v instanceof NumberValue) return v.kind === "float" ? jsonFloat(v.float) : v.toString();
  if (Array.isArray(v)) return "[" + v.map(toJson).join(",") + "]";
  if (v instanceof ObjectValue) {
    const keys = [...v.entries.keys()].sort(compareStrings);
    return "{" + keys.map((k) => jsonString(k) + ":" + toJson(v.get(k)!)).join(",") + "}";
  }
  // A Secret is a Go string type, an OptionalSecret a struct with exported fields.
  if (v instanceof SecretValue) return jsonString(v.value);
  if (v instanceof OptionalSecretValue) {
    return `{"IsSecret":${v.isSecret ? "true" : "false"},"Value":${jsonString(v.value)}}`;
  }
  if (v instanceof FunctionValue) throw new Error("json: unsupported type: func");
  throw new Error(`json: unsupported type: ${(v as CapsuleValue).capsuleType}`);
}

// ---------------------------------------------------------------------------
// YAML (encoding.from_yaml): gopkg.in/yaml.v3 decoding into interface{}.

const yamlFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

// strconv.ParseInt / ParseUint with base 0 (0x, 0o, 0b prefixes; leading 0 is octal).
function parseIntBase0(s: string, unsigned: boolean): bigint | undefined {
  let t = s;
  let neg = false;
  if (t.startsWith("+") || t.startsWith("-")) {
    if (unsigned) return undefined;
    neg = t[0] === "-";
    t = t.slice(1);
  }
  let v: bigint;
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) v = BigInt(t);
  else if (/^0[oO][0-7]+$/.test(t)) v = BigInt("0o" + t.slice(2));
  else if (/^0[bB][01]+$/.test(t)) v = BigInt(t);
  else if (/^0[0-7]+$/.test(t)) v = BigInt("0o" + t.slice(1));
  else if (/^[0-9]+$/.test(t) && !(t.length > 1 && t[0] === "0")) v = BigInt(t);
  else return undefined;
  if (neg) v = -v;
  if (unsigned) return v < 1n << 64n ? v : undefined;
  return v >= -(1n << 63n) && v < 1n << 63n ? v : undefined;
}

// The value of an untagged plain scalar under yaml.v3's resolution rules.
function resolvePlain(s: string): Value {
  switch (s) {
    case "":
    case "~":
    case "null":
    case "Null":
    case "NULL":
      return null;
    case "true":
    case "True":
    case "TRUE":
      return true;
    case "false":
    case "False":
    case "FALSE":
      return false;
    case ".inf":
    case ".Inf":
    case ".INF":
    case "+.inf":
    case "+.Inf":
    case "+.INF":
      return NumberValue.float(Infinity);
    case "-.inf":
    case "-.Inf":
    case "-.INF":
      return NumberValue.float(-Infinity);
    case ".nan":
    case ".NaN":
    case ".NAN":
      return NumberValue.float(NaN);
  }
  const c = s[0]!;
  if (!(c === "+" || c === "-" || c === "." || (c >= "0" && c <= "9"))) return s;
  // Timestamps stay strings when decoding into interface{}.
  const plain = s.replace(/_/g, "");
  const i = parseIntBase0(plain, false);
  if (i !== undefined) return NumberValue.int(i);
  const u = parseIntBase0(plain, true);
  if (u !== undefined) return NumberValue.uint(u);
  if (yamlFloat.test(plain)) {
    const f = Number(plain);
    if (Number.isFinite(f)) return NumberValue.float(f);
  }
  if (/^-?0b[01]+$/.test(plain)) {
    const neg = plain.startsWith("-");
    const v = BigInt(plain.slice(neg ? 1 : 0));
    return NumberValue.int(neg ? -v : v);
  }
  if (/^-?0o[0-7]+$/.test(plain)) {
    const neg = plain.startsWith("-");
    const v = BigInt("0o" + plain.slice(neg ? 3 : 2));
    return NumberValue.int(neg ? -v : v);
  }
  return s;
}

function scalarValue(node: YamlNode & { value: unknown; type?: string | undefined; tag?: string | undefined }): Value {
  const text = String(node.value ?? "");
  const tag = node.tag;
  if (tag !== undefined && tag !== "!") {
    switch (tag) {
      case "tag:yaml.org,2002:str":
        return text;
      case "tag:yaml.org,2002:null":
        return null;
      case "tag:yaml.org,2002:bool":
      case "tag:yaml.org,2002:int":
      case "tag:yaml.org,2002:float": {
        const v = resolvePlain(text);
        if (typeof v === "string") throw new Error(`yaml: cannot decode ${JSON.stringify(text)} as a ${tag.slice(18)}`);
        if (tag.endsWith("float") && v instanceof NumberValue) return NumberValue.float(v.toFloat64());
        return v;
      }
      case "tag:yaml.org,2002:binary":
        return decoder.decode(base64Decode(text.replace(/\s/g, ""), false));
    }
  }
  if (node.type === "PLAIN" && tag === undefined) return resolvePlain(text);
  return text;
}

// yaml.v3's defence against alias bombs: the share of nodes reached through
// aliases may not exceed a ratio that shrinks as the document grows.
function allowedAliasRatio(decodeCount: number): number {
  if (decodeCount <= 400_000) return 0.99;
  if (decodeCount >= 4_000_000) return 0.1;
  return 0.99 - 0.89 * ((decodeCount - 400_000) / 3_600_000);
}

interface YamlWalk {
  /** Target of every alias, resolved once in document order. */
  anchors: Map<YamlNode, YamlNode | undefined>;
  decodeCount: number;
  /** Nodes decoded while expanding an alias. */
  aliasCount: number;
  aliasDepth: number;
}

// Resolves each alias to the latest node with its anchor that precedes it.
function resolveAliases(doc: Document): Map<YamlNode, YamlNode | undefined> {
  const latest = new Map<string, YamlNode>();
  const out = new Map<YamlNode, YamlNode | undefined>();
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) out.set(node, latest.get(node.source));
      else if (node.anchor) latest.set(node.anchor, node);
    },
  });
  return out;
}

function yamlNodeToValue(node: YamlNode | null | undefined, w: YamlWalk, depth: number): Value {
  if (depth > 1000) throw new Error("yaml: exceeded max depth of 1000");
  if (node === null || node === undefined) return null;
  w.decodeCount++;
  if (w.aliasDepth > 0) w.aliasCount++;
  if (w.aliasCount > 100 && w.decodeCount > 1000 && w.aliasCount / w.decodeCount > allowedAliasRatio(w.decodeCount)) {
    throw new Error("yaml: document contains excessive aliasing");
  }
  if (isAlias(node)) {
    const target = w.anchors.get(node);
    if (target === undefined) throw new Error(`yaml: unknown anchor '${node.source}' referenced`);
    w.aliasDepth++;
    try {
      return yamlNodeToValue(target, w, depth + 1);
    } finally {
      w.aliasDepth--;
    }
  }
  if (isScalar(node)) return scalarValue(node as YamlNode & { value: unknown });
  if (isSeq(node)) return node.items.map((i) => yamlNodeToValue(i as YamlNode, w, depth + 1));
  if (isMap(node)) {
    const m = new Map<string, Value>();
    const merges: Value[] = [];
    for (const pair of node.items) {
      const keyNode = pair.key as YamlNode | null;
      if (isScalar(keyNode) && keyNode.type === "PLAIN" && keyNode.value === "<<" && keyNode.tag === undefined) {
        merges.push(yamlNodeToValue(pair.value as YamlNode, w, depth + 1));
        continue;
      }
      const key = yamlNodeToValue(keyNode, w, depth + 1);
      m.set(keyString(key), yamlNodeToValue(pair.value as YamlNode, w, depth + 1));
    }
    if (merges.length === 0) return new ObjectValue(m, false);
    // Merge keys: explicit keys win over merged ones; earlier merges win over later ones.
    const merged = new Map<string, Value>();
    const addFrom = (v: Value): void => {
      if (Array.isArray(v)) {
        for (const e of v) addFrom(e);
        return;
      }
      if (!(v instanceof ObjectValue)) throw new Error("yaml: map merge requires map or sequence of maps as the value");
      for (const [k, e] of v.entries) if (!merged.has(k) && !m.has(k)) merged.set(k, e);
    };
    for (const v of merges) addFrom(v);
    for (const [k, e] of m) merged.set(k, e);
    return new ObjectValue(merged, false);
  }
  return null;
}

// Non-string keys are rendered as text (Alloy objects only have string keys).
function keyString(v: Value): string {
  if (typeof v === "string") return v;
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (v instanceof NumberValue) return v.toString();
  return String(v);
}

/** encoding.from_yaml: yaml.v3's Unmarshal into interface{} (first document only). */
export function fromYaml(text: string): Value {
  const docs = parseAllDocuments(text, { schema: "failsafe", prettyErrors: false });
  if (docs.length === 0) return null;
  const doc = docs[0]!;
  if (doc.errors.length > 0) throw new Error("yaml: " + doc.errors[0]!.message.split("\n")[0]);
  return yamlNodeToValue(
    doc.contents as YamlNode | null,
    { anchors: resolveAliases(doc), decodeCount: 0, aliasCount: 0, aliasDepth: 0 },
    0,
  );
}

// ---------------------------------------------------------------------------
// base64 (Go's encoding/base64 StdEncoding / URLEncoding, padded)

const stdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const urlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function decodeMap(alphabet: string): Int16Array {
  const m = new Int16Array(256).fill(-1);
  for (let i = 0; i < alphabet.length; i++) m[alphabet.charCodeAt(i)] = i;
  return m;
}
const stdDecode = decodeMap(stdAlphabet);
const urlDecode = decodeMap(urlAlphabet);

function corrupt(offset: number): Error {
  return new Error(`illegal base64 data at input byte ${offset}`);
}

/** Go's base64 DecodeString (newlines ignored, padding required). */
export function base64Decode(s: string, url: boolean): Uint8Array {
  const src = encoder.encode(s);
  const map = url ? urlDecode : stdDecode;
  const out: number[] = [];
  let si = 0;
  for (;;) {
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    let j = 0;
    while (j < 4) {
      if (si === src.length) {
        if (j === 0) return new Uint8Array(out);
        throw corrupt(si - j);
      }
      const c = src[si]!;
      si++;
      const d = map[c]!;
      if (d >= 0) {
        dbuf[j++] = d;
        continue;
      }
      if (c === 0x0a || c === 0x0d) continue;
      if (c !== 0x3d /* = */) throw corrupt(si - 1);
      // Padding: "=" after two symbols must be followed by another "=".
      if (j < 2) throw corrupt(si - 1);
      if (j === 2) {
        while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
        if (si === src.length) throw corrupt(src.length);
        if (src[si] !== 0x3d) throw corrupt(si - 1);
        si++;
      }
      while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
      if (si < src.length) throw corrupt(si);
      dlen = j;
      break;
    }
    const val = (dbuf[0]! << 18) | (dbuf[1]! << 12) | (dbuf[2]! << 6) | dbuf[3]!;
    out.push((val >> 16) & 0xff);
    if (dlen > 2) out.push((val >> 8) & 0xff);
    if (dlen > 3) out.push(val & 0xff);
    if (dlen < 4) return new Uint8Array(out);
  }
}

/** Go's base64 EncodeToString (padded). */
export function base64Encode(s: string, url: boolean): string {
  const alphabet = url ? urlAlphabet : stdAlphabet;
  const b = encoder.encode(s);
  let out = "";
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const v = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    out += alphabet[v >> 18]! + alphabet[(v >> 12) & 63]! + alphabet[(v >> 6) & 63]! + alphabet[v & 63]!;
  }
  const rest = b.length - i;
  if (rest === 1) {
    const v = b[i]! << 16;
    out += alphabet[v >> 18]! + alphabet[(v >> 12) & 63]! + "==";
  } else if (rest === 2) {
    const v = (b[i]! << 16) | (b[i + 1]! << 8);
    out += alphabet[v >> 18]! + alphabet[(v >> 12) & 63]! + alphabet[(v >> 6) & 63]! + "=";
  }
  return out;
}

/** Decodes base64 to text (invalid UTF-8 becomes U+FFFD). */
export function base64DecodeString(s: string, url: boolean): string {
  return decoder.decode(base64Decode(s, url));
}

// ---------------------------------------------------------------------------
// URL query escaping (net/url QueryEscape / QueryUnescape)

const upperHex = "0123456789ABCDEF";

function isUnreserved(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2d ||
    c === 0x5f ||
    c === 0x2e ||
    c === 0x7e
  );
}

/** url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = "";
  for (const b of encoder.encode(s)) {
    if (isUnreserved(b)) out += String.fromCharCode(b);
    else if (b === 0x20) out += "+";
    else out += "%" + upperHex[b >> 4]! + upperHex[b & 15]!;
  }
  return out;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

function hexValue(c: number): number {
  if (c <= 0x39) return c - 0x30;
  if (c >= 0x61) return c - 0x61 + 10;
  return c - 0x41 + 10;
}

/** url.QueryUnescape: '+' is a space; bad escapes fail with Go's message. */
export function queryUnescape(s: string): string {
  const src = encoder.encode(s);
  const out: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === 0x25) {
      if (i + 2 >= src.length || !isHex(src[i + 1]!) || !isHex(src[i + 2]!)) {
        const bad = decoder.decode(src.subarray(i, Math.min(i + 3, src.length)));
        throw new Error(`invalid URL escape ${JSON.stringify(bad)}`);
      }
      out.push(hexValue(src[i + 1]!) * 16 + hexValue(src[i + 2]!));
      i += 2;
    } else if (c === 0x2b) {
      out.push(0x20);
    } else {
      out.push(c);
    }
  }
  return decoder.decode(new Uint8Array(out));
}
