// Alloy's standard library: every identifier a configuration can use without
// declaring it (Alloy's syntax/internal/stdlib).
//
// The library is built per runtime with createStdlib so that environment
// variables and host facts come from the host (the runtime passes them in);
// nothing here reads process state. Namespaces are plain objects of
// functions (`string.format` is a field access, then a call).

import { t } from "../schema/types.ts";
import { ObjectValue, type SecretValue, type Value } from "../value/index.ts";
import { coalesce, combineMaps, concat, groupBy } from "./array.ts";
import {
  base64DecodeString,
  base64Encode,
  fromJson,
  fromYaml,
  jsonToValue,
  queryEscape,
  queryUnescape,
  toJson,
} from "./encoding.ts";
import { join as pathJoin } from "./filepath.ts";
import { parseJson } from "./gojson.ts";
import { sprintf } from "./gofmt.ts";
import { replaceAll, split, toLower, toUpper, trim, trimPrefix, trimSpace, trimSuffix } from "./gostrings.ts";
import { jsonPath, parseJsonPath } from "./jsonpath.ts";
import { typedFunc } from "./func.ts";
import { normalizeVersion } from "./version.ts";

/** Facts about the host exposed as `constants`. */
export interface HostInfo {
  /** Host name ("" when unknown). */
  hostname: string;
  /** Go's GOOS name: linux, darwin, windows, freebsd, ... */
  os: string;
  /** Go's GOARCH name: amd64, arm64, 386, arm, ... */
  arch: string;
}

export interface StdlibOptions {
  /** Environment lookup for sys.env; missing variables read as "". */
  env?: (name: string) => string | undefined;
  host?: Partial<HostInfo>;
  /** Alloy's version; normalised to "v<semver>" ("v0.0.0" when unset). */
  version?: string;
}

/** Feature stability levels (Alloy's featuregate). */
export type Stability = "experimental" | "public-preview" | "generally-available";

/** Deprecated top-level aliases of namespaced functions. */
export const deprecatedIdentifiers: ReadonlySet<string> = new Set([
  "env",
  "nonsensitive",
  "concat",
  "json_decode",
  "yaml_decode",
  "base64_decode",
  "format",
  "join",
  "replace",
  "split",
  "to_lower",
  "to_upper",
  "trim",
  "trim_prefix",
  "trim_suffix",
  "trim_space",
]);

/** Full names (namespace.function) of experimental identifiers. */
export const experimentalIdentifiers: ReadonlySet<string> = new Set(["array.combine_maps", "array.group_by"]);

/** A standard library instance: identifiers plus their metadata. */
export class Stdlib {
  readonly identifiers: ReadonlyMap<string, Value>;

  constructor(identifiers: ReadonlyMap<string, Value>) {
    this.identifiers = identifiers;
  }

  isIdentifier(name: string): boolean {
    return this.identifiers.has(name);
  }

  /** Reports whether a top-level identifier is a deprecated alias. */
  isDeprecated(name: string): boolean {
    return deprecatedIdentifiers.has(name);
  }

  /** Reports whether a full name such as "array.group_by" is experimental. */
  isExperimental(fullName: string): boolean {
    return experimentalIdentifiers.has(fullName);
  }

  /** Stability of a full identifier name. */
  stability(fullName: string): Stability {
    return experimentalIdentifiers.has(fullName) ? "experimental" : "generally-available";
  }
}

function namespace(fns: Record<string, Value>): ObjectValue {
  return new ObjectValue(new Map(Object.entries(fns)), false);
}

const str = t.string();

/** Builds the standard library for a host. */
export function createStdlib(opts: StdlibOptions = {}): Stdlib {
  const getenv = opts.env ?? (() => undefined);
  const env = typedFunc("env", { params: [str] }, (name: string) => getenv(name) ?? "");
  const nonsensitive = typedFunc("nonsensitive", { params: [t.secret()] }, (s: SecretValue | null) => s?.value ?? "");

  const jsonDecode = typedFunc("json_decode", { params: [str] }, (s: string) => fromJson(s));
  const yamlDecode = typedFunc("yaml_decode", { params: [str] }, (s: string) => fromYaml(s));
  const base64Decode = typedFunc("base64_decode", { params: [str] }, (s: string) => base64DecodeString(s, false));

  const format = typedFunc("format", { params: [str], variadic: t.value() }, (f: string, ...args: Value[]) =>
    sprintf(f, args),
  );
  const join = typedFunc("join", { params: [t.array(str), str] }, (elems: string[], sep: string) => elems.join(sep));
  const replace = typedFunc("replace", { params: [str, str, str] }, (s: string, o: string, n: string) => replaceAll(s, o, n));
  const splitFn = typedFunc("split", { params: [str, str] }, (s: string, sep: string) => split(s, sep));
  const lower = typedFunc("to_lower", { params: [str] }, (s: string) => toLower(s));
  const upper = typedFunc("to_upper", { params: [str] }, (s: string) => toUpper(s));
  const trimFn = typedFunc("trim", { params: [str, str] }, (s: string, cut: string) => trim(s, cut));
  const trimPrefixFn = typedFunc("trim_prefix", { params: [str, str] }, (s: string, p: string) => trimPrefix(s, p));
  const trimSuffixFn = typedFunc("trim_suffix", { params: [str, str] }, (s: string, p: string) => trimSuffix(s, p));
  const trimSpaceFn = typedFunc("trim_space", { params: [str] }, (s: string) => trimSpace(s));

  const jsonEncode = typedFunc("to_json", { params: [t.value()] }, (v: Value) => {
    if (!(v instanceof ObjectValue)) throw new Error("jsonEncode only supports map");
    return toJson(v);
  });

  const host: HostInfo = { hostname: "", os: "linux", arch: "amd64", ...opts.host };
  const windows = host.os === "windows";

  const ids = new Map<string, Value>([
    [
      "constants",
      namespace({
        hostname: host.hostname,
        os: host.os,
        arch: host.arch,
        version: normalizeVersion(opts.version),
      }),
    ],
    ["coalesce", coalesce],
    [
      "json_path",
      typedFunc("json_path", { params: [str, str] }, (json: string, path: string) => {
        // The path is parsed first, so its errors win over the document's.
        const expr = parseJsonPath(path);
        return jsonPath(expr, parseJson(json, { numbers: "int64" })).map(jsonToValue);
      }),
    ],
    ["sys", namespace({ env })],
    ["convert", namespace({ nonsensitive })],
    ["array", namespace({ concat, combine_maps: combineMaps, group_by: groupBy })],
    [
      "encoding",
      namespace({
        from_json: jsonDecode,
        from_yaml: yamlDecode,
        from_base64: base64Decode,
        from_URLbase64: typedFunc("from_URLbase64", { params: [str] }, (s: string) => base64DecodeString(s, true)),
        to_json: jsonEncode,
        to_base64: typedFunc("to_base64", { params: [str] }, (s: string) => base64Encode(s, false)),
        to_URLbase64: typedFunc("to_URLbase64", { params: [str] }, (s: string) => base64Encode(s, true)),
        url_encode: typedFunc("url_encode", { params: [str] }, (s: string) => queryEscape(s)),
        url_decode: typedFunc("url_decode", { params: [str] }, (s: string) => queryUnescape(s)),
      }),
    ],
    [
      "string",
      namespace({
        format,
        join,
        replace,
        split: splitFn,
        to_lower: lower,
        to_upper: upper,
        trim: trimFn,
        trim_prefix: trimPrefixFn,
        trim_suffix: trimSuffixFn,
        trim_space: trimSpaceFn,
      }),
    ],
    [
      "file",
      namespace({
        path_join: typedFunc("path_join", { params: [], variadic: str }, (...elems: string[]) => pathJoin(elems, windows)),
      }),
    ],
    // Deprecated aliases.
    ["env", env],
    ["nonsensitive", nonsensitive],
    ["concat", concat],
    ["json_decode", jsonDecode],
    ["yaml_decode", yamlDecode],
    ["base64_decode", base64Decode],
    ["format", format],
    ["join", join],
    ["replace", replace],
    ["split", splitFn],
    ["to_lower", lower],
    ["to_upper", upper],
    ["trim", trimFn],
    ["trim_prefix", trimPrefixFn],
    ["trim_suffix", trimSuffixFn],
    ["trim_space", trimSpaceFn],
  ]);
  return new Stdlib(ids);
}

/** A library with no environment and default host facts, for tools and tests. */
export const defaultStdlib: Stdlib = createStdlib();

export { rawFunc, typedFunc } from "./func.ts";
export { sprintf } from "./gofmt.ts";
export { formatFloat } from "./gofloat.ts";
export { normalizeVersion } from "./version.ts";
export { parseJson, jsonFloat, jsonString, type JsonValue } from "./gojson.ts";
export { fromJson, fromYaml, jsonToValue, toJson } from "./encoding.ts";
export { jsonPath, type JsonPathExpr, parseJsonPath } from "./jsonpath.ts";
