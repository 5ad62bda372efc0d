// YAML read the way Go's gopkg.in/yaml.v2 reads it, for the converters' strict decoding: a node
// tree with go-yaml's 0-based lines, plain scalars resolved with YAML 1.1's rules (yes/no/on/off
// are booleans, 0777 is octal), merge keys, and syntax errors reported with libyaml's messages
// for the common mistakes. The `yaml` package does the parsing.
import { type Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Scalar } from "yaml";

export const STR_TAG = "!!str";
export const INT_TAG = "!!int";
export const FLOAT_TAG = "!!float";
export const BOOL_TAG = "!!bool";
export const NULL_TAG = "!!null";
export const MAP_TAG = "!!map";
export const SEQ_TAG = "!!seq";
export const TIMESTAMP_TAG = "!!timestamp";
export const BINARY_TAG = "!!binary";
export const MERGE_TAG = "!!merge";

export interface ScalarNode {
  kind: "scalar";
  /** The scalar's text. */
  value: string;
  /** An explicit tag (short form, e.g. "!!str"), or "". */
  tag: string;
  /** A plain (unquoted) scalar, whose type is resolved from its text. */
  implicit: boolean;
  /** 0-based line, as go-yaml's node.line. */
  line: number;
}

export interface MappingNode {
  kind: "mapping";
  pairs: Array<[YNode, YNode]>;
  tag: string;
  line: number;
}

export interface SequenceNode {
  kind: "sequence";
  items: YNode[];
  tag: string;
  line: number;
}

export type YNode = ScalarNode | MappingNode | SequenceNode;

/** A YAML syntax error, with go-yaml's text ("yaml: line 18: did not find expected key"). */
export class YamlSyntaxError extends Error {}

function shortTag(tag: string | undefined): string {
  if (!tag) return "";
  if (tag.startsWith("tag:yaml.org,2002:")) return "!!" + tag.slice("tag:yaml.org,2002:".length);
  return tag;
}

/** Parses the first document of text; null when there is none. */
export function parseYaml(text: string): YNode | null {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, schema: "failsafe", uniqueKeys: false, merge: false, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const doc = list[0] as Document | undefined;
  if (!doc) return null;
  if (doc.errors.length > 0) throw new YamlSyntaxError(syntaxMessage(text, lc, doc.errors[0]!));
  if (doc.contents === null || doc.contents === undefined) return null;
  const lineOf = (offset: number | undefined) => (offset === undefined ? 0 : lc.linePos(offset).line - 1);
  const convert = (node: unknown, depth: number): YNode => {
    if (depth > 10000) throw new YamlSyntaxError("yaml: exceeded max depth of 10000");
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target) throw new YamlSyntaxError(`yaml: unknown anchor '${node.source}' referenced`);
      return convert(target, depth + 1);
    }
    if (isMap(node)) {
      const pairs: Array<[YNode, YNode]> = [];
      for (const item of node.items) {
        if (!isPair(item)) continue;
        pairs.push([convert(item.key, depth + 1), convert(item.value, depth + 1)]);
      }
      return { kind: "mapping", pairs, tag: node.tag && shortTag(node.tag) !== MAP_TAG ? shortTag(node.tag) : "", line: lineOf(node.range?.[0]) };
    }
    if (isSeq(node)) {
      return { kind: "sequence", items: node.items.map((i) => convert(i, depth + 1)), tag: node.tag && shortTag(node.tag) !== SEQ_TAG ? shortTag(node.tag) : "", line: lineOf(node.range?.[0]) };
    }
    if (isScalar(node)) {
      const s = node as Scalar;
      const value = s.value === null || s.value === undefined ? "" : String(s.value);
      const plain = s.type === undefined || s.type === "PLAIN";
      return { kind: "scalar", value, tag: shortTag(s.tag), implicit: plain, line: lineOf(s.range?.[0]) };
    }
    // An empty value (`key:`) is a null scalar.
    return { kind: "scalar", value: "", tag: "", implicit: true, line: 0 };
  };
  return convert(doc.contents, 0);
}

// ---------------------------------------------------------------------------------------------
// Syntax errors: the `yaml` package's diagnosis turned into libyaml's wording and line numbers.
// go-yaml prints `line N` with N the 0-based line of the problem for parser errors and the
// 1-based line for scanner errors, and no line at all when the 0-based line is 0.

function withLine(line0: number, scanner: boolean, msg: string): string {
  if (line0 === 0) return `yaml: ${msg}`;
  return `yaml: line ${scanner ? line0 + 1 : line0}: ${msg}`;
}

interface YamlErr {
  code: string;
  message: string;
  pos: [number, number];
}

function syntaxMessage(text: string, lc: LineCounter, err: YamlErr): string {
  const pos = lc.linePos(err.pos[0]);
  const line0 = pos.line - 1;
  const lines = text.split("\n");
  const eofLine0 = lines.length - 1;
  switch (err.code) {
    case "TAB_AS_INDENT":
    case "BAD_SCALAR_START":
      return withLine(line0, true, "found character that cannot start any token");
    case "MISSING_CHAR":
      if (/quote/.test(err.message)) return withLine(eofLine0, true, "found unexpected end of stream");
      if (/Implicit map keys/.test(err.message)) return withLine(line0 + 1, true, "could not find expected ':'");
      break;
    case "BLOCK_AS_IMPLICIT_KEY":
      if (/Nested mappings/.test(err.message)) {
        // libyaml stops at the `:` that starts the nested mapping.
        const m = /:(\s|$)/.exec(text.slice(err.pos[0]));
        const colon = m ? err.pos[0] + m.index : err.pos[0];
        return withLine(lc.linePos(colon).line - 1, true, "mapping values are not allowed in this context");
      }
      break;
    case "BAD_INDENT":
      if (/Flow sequence/.test(err.message)) return withLine(line0, false, "did not find expected ',' or ']'");
      if (/Flow map/.test(err.message)) return withLine(line0, false, "did not find expected ',' or '}'");
      break;
    default:
      break;
  }
  // Unexpected content after a complete node: libyaml expected the next key of a mapping or the
  // next `-` of a sequence.
  return withLine(line0, false, inSequence(lines, line0, pos.col - 1) ? "did not find expected '-' indicator" : "did not find expected key");
}

function inSequence(lines: string[], line0: number, col0: number): boolean {
  const line = lines[line0] ?? "";
  const indent = line.length - line.trimStart().length;
  if (col0 > indent) {
    const content = line.trimStart().replace(/^(-\s+)+/, "");
    return !/^[^\s:#][^:#]*:(\s|$)/.test(content) && line.trimStart().startsWith("-");
  }
  for (let i = line0 - 1; i >= 0; i--) {
    const l = lines[i]!;
    if (l.trim() === "" || l.trimStart().startsWith("#")) continue;
    const ind = l.length - l.trimStart().length;
    if (ind <= indent) return ind === indent && l.trimStart().startsWith("-");
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Scalar resolution (yaml.v2's resolve).

export type Resolved =
  | { kind: "null" }
  | { kind: "bool"; value: boolean }
  | { kind: "int"; value: bigint }
  | { kind: "float"; value: number }
  | { kind: "timestamp"; value: string }
  | { kind: "str"; value: string };

const BOOLS = new Map<string, boolean>([
  ...["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"].map((s) => [s, true] as const),
  ...["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"].map((s) => [s, false] as const),
]);
const NULLS = new Set(["", "~", "null", "Null", "NULL"]);
const SPECIAL_FLOATS = new Map<string, number>([
  ...[".nan", ".NaN", ".NAN"].map((s) => [s, NaN] as const),
  ...[".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"].map((s) => [s, Infinity] as const),
  ...["-.inf", "-.Inf", "-.INF"].map((s) => [s, -Infinity] as const),
]);
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]*)?(([ \t]*)Z|[-+][0-9]{1,2}(:[0-9]{2})?)?)?$/;

/** Go's strconv.ParseInt/ParseUint with base 0 (prefixes 0x, 0o, 0b and a leading 0 for octal). */
function parseGoInt(s: string): bigint | null {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return null;
  const body = m[2]!;
  let v: bigint;
  if (/^0[oO]/.test(body)) v = BigInt("0o" + body.slice(2));
  else if (/^0[0-7]+$/.test(body)) v = BigInt("0o" + body.slice(1));
  else v = BigInt(body);
  return m[1] === "-" ? -v : v;
}

const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);
const MAX_UINT64 = (1n << 64n) - 1n;

/** The value of a scalar node as yaml.v2 resolves it. */
export function resolveScalar(n: ScalarNode): Resolved {
  const tag = n.tag;
  if (tag === NULL_TAG) return { kind: "null" };
  if (!n.implicit && tag === "") return { kind: "str", value: n.value };
  if (tag !== "" && tag !== STR_TAG && tag !== BOOL_TAG && tag !== INT_TAG && tag !== FLOAT_TAG && tag !== TIMESTAMP_TAG) {
    return { kind: "str", value: n.value };
  }
  if (tag === STR_TAG) return { kind: "str", value: n.value };
  const r = resolvePlain(n.value, tag);
  if (tag !== "" && tag !== "!!" + r.kind && !(tag === FLOAT_TAG && r.kind === "int")) {
    throw new YamlSyntaxError(`yaml: cannot decode ${"!!" + r.kind} \`${n.value}\` as a ${tag}`);
  }
  if (tag === FLOAT_TAG && r.kind === "int") return { kind: "float", value: Number(r.value) };
  return r;
}

function resolvePlain(s: string, tag: string): Resolved {
  if (NULLS.has(s)) return { kind: "null" };
  const b = BOOLS.get(s);
  if (b !== undefined) return { kind: "bool", value: b };
  const sf = SPECIAL_FLOATS.get(s);
  if (sf !== undefined) return { kind: "float", value: sf };
  const c = s[0] ?? "";
  if (c === ".") {
    if (YAML_FLOAT.test(s)) return { kind: "float", value: Number(s) };
    return { kind: "str", value: s };
  }
  if (c === "+" || c === "-" || (c >= "0" && c <= "9")) {
    if ((tag === "" || tag === TIMESTAMP_TAG) && TIMESTAMP.test(s)) return { kind: "timestamp", value: s };
    const plain = s.replace(/_/g, "");
    const i = parseGoInt(plain);
    if (i !== null && i >= MIN_INT64 && i <= MAX_UINT64) return { kind: "int", value: i };
    if (YAML_FLOAT.test(plain)) return { kind: "float", value: Number(plain) };
    const bin = /^(-?)0b([01]+)$/.exec(plain);
    if (bin) return { kind: "int", value: (bin[1] ? -1n : 1n) * BigInt("0b" + bin[2]) };
  }
  return { kind: "str", value: s };
}

export function isNullNode(n: YNode): boolean {
  if (n.tag === NULL_TAG) return true;
  return n.kind === "scalar" && n.tag === "" && (n.value === "null" || n.value === "~" || (n.value === "" && n.implicit));
}

export { MAX_INT64, MIN_INT64, MAX_UINT64 };
