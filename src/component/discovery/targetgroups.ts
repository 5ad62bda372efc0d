// Target group files and responses, read as Prometheus reads them (discovery/targetgroup): a list of
// `{"targets": ["host:port", ...], "labels": {"name": "value"}}` in JSON (encoding/json, unknown
// fields refused) or YAML (go-yaml's UnmarshalStrict), with Go's error messages, since Prometheus's
// file and HTTP discovery log them as they are.
import { goQuote, map, ptr, slice, str, struct, unmarshalStrict, via } from "../../converter/goyaml/decode.ts";
import { type JsonValue, parseJson } from "../../syntax/stdlib/gojson.ts";
import type { Target } from "./relabel.ts";

/** One group as written: the targets' addresses and the group's labels. */
export interface TargetGroupContent {
  targets: Target[];
  labels: Target;
}

/** Go's reflect name of the anonymous struct targetgroup.Group decodes into. */
const groupStruct = (format: "json" | "yaml") =>
  `struct { Targets []string "${format}:\\"targets\\""; Labels model.LabelSet "${format}:\\"labels\\"" }`;

const NIL_GROUP = "nil target group item found";

/** model.LabelName's check under the UTF-8 scheme Prometheus's library uses by default. */
function labelNameError(name: string): string | undefined {
  return name === "" ? `${goQuote(name)} is not a valid label name` : undefined;
}

function toContent(addresses: readonly string[] | null, labels: Record<string, string> | null): TargetGroupContent {
  return { targets: (addresses ?? []).map((address) => ({ __address__: address })), labels: { ...(labels ?? {}) } };
}

// ---------------------------------------------------------------------------------------------
// JSON

/** The name encoding/json gives a JSON value in "cannot unmarshal" errors. */
function jsonKind(v: JsonValue): string {
  if (v instanceof Map) return "object";
  if (Array.isArray(v)) return "array";
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "bool";
  return "number";
}

const cannotUnmarshal = (v: JsonValue, into: string) => new Error(`json: cannot unmarshal ${jsonKind(v)} into ${into}`);
const groupField = (field: string, type: string) => `Go struct field .${field} of type ${type}`;

/** `[]*targetgroup.Group` from JSON; a syntax or type error throws with encoding/json's message. */
export function parseTargetGroupsJson(text: string): TargetGroupContent[] {
  const root = parseJson(text);
  if (root === null) return [];
  if (!Array.isArray(root)) throw cannotUnmarshal(root, "Go value of type []*targetgroup.Group");
  const groups = root.map((item) => (item === null ? null : jsonGroup(item)));
  if (groups.includes(null)) throw new Error(NIL_GROUP);
  return groups as TargetGroupContent[];
}

function jsonGroup(v: JsonValue): TargetGroupContent {
  if (!(v instanceof Map)) throw cannotUnmarshal(v, `Go value of type ${groupStruct("json")}`);
  let addresses: string[] | null = null;
  let labels: Record<string, string> | null = null;
  for (const [key, value] of v) {
    // encoding/json matches field names without regard to case.
    const field = key.toLowerCase();
    if (field === "targets") addresses = jsonTargets(value);
    else if (field === "labels") labels = jsonLabels(value);
    else throw new Error(`json: unknown field ${goQuote(key)}`);
  }
  return toContent(addresses, labels);
}

function jsonTargets(v: JsonValue): string[] | null {
  if (v === null) return null;
  if (!Array.isArray(v)) throw cannotUnmarshal(v, groupField("targets", "[]string"));
  return v.map((item) => {
    if (item === null) return "";
    if (typeof item !== "string") throw cannotUnmarshal(item, groupField("targets", "string"));
    return item;
  });
}

function jsonLabels(v: JsonValue): Record<string, string> | null {
  if (v === null) return null;
  if (!(v instanceof Map)) throw cannotUnmarshal(v, groupField("labels", "model.LabelSet"));
  const out: Record<string, string> = {};
  for (const [name, value] of v) {
    if (value !== null && typeof value !== "string") throw cannotUnmarshal(value, groupField("labels", "model.LabelValue"));
    out[name] = value ?? "";
  }
  for (const name of Object.keys(out)) {
    const err = labelNameError(name);
    if (err) throw new Error(err);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// YAML

const labelName = via("model.LabelName", str, (name) => {
  const err = labelNameError(name);
  if (err) throw new Error(err);
  return name;
}, () => "");

// Group.UnmarshalYAML decodes into an anonymous struct, which is what go-yaml's errors name.
const yamlGroup = struct<{ targets: string[] | null; labels: Record<string, string> | null }>(groupStruct("yaml"), {
  targets: slice(str),
  labels: map(str, "model.LabelSet", labelName),
});

const yamlGroups = slice(ptr(yamlGroup), "[]*targetgroup.Group");

/** `[]*targetgroup.Group` from YAML, strictly; errors carry go-yaml's messages. */
export function parseTargetGroupsYaml(text: string): TargetGroupContent[] {
  const groups = unmarshalStrict(text, yamlGroups, null) ?? [];
  if (groups.includes(null)) throw new Error(NIL_GROUP);
  return groups.map((g) => toContent(g!.targets, g!.labels));
}
