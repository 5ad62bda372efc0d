// Strict decoding of YAML into typed host values with go-yaml v2's UnmarshalStrict semantics, so
// that a configuration is accepted or refused exactly as the upstream program's loader would:
//
// - type mismatches and unknown or repeated fields are collected as "type errors" and reported
//   together ("yaml: unmarshal errors:\n  line 7: field x not found in type config.plain");
// - a custom UnmarshalYAML (see `custom`) sets its defaults, decodes, and validates; a failed
//   validation stops everything with its own message (FatalError);
// - struct fields that are absent keep their current (default) value, null resets to zero;
// - maps merge into an existing map, sequences are rebuilt, `<<` merge keys are honoured.
//
// Types carry Go's type names because they appear in the messages.
import {
  isNullNode,
  MAP_TAG,
  MAX_INT64,
  MAX_UINT64,
  MIN_INT64,
  parseYaml,
  type Resolved,
  resolveScalar,
  SEQ_TAG,
  STR_TAG,
  type YNode,
} from "./parse.ts";

/** An error returned by an UnmarshalYAML or a validation: decoding stops with this message. */
export class FatalError extends Error {}

/** The collected type errors of a decode (Go's *yaml.TypeError). */
export class YamlTypeError extends Error {
  constructor(readonly errors: string[]) {
    super("yaml: unmarshal errors:\n  " + errors.join("\n  "));
  }
}

export class Decoder {
  readonly terrors: string[] = [];
}

export interface YType<T> {
  /** Go's name for the type, as it appears in error messages. */
  readonly goName: string;
  /** Decodes a non-null node; cur is the value already in place (defaults). */
  decode(d: Decoder, n: YNode, cur: T): T;
  zero(): T;
}

/** Decodes n into a value of type (null resets to the zero value). */
export function unmarshal<T>(d: Decoder, type: YType<T>, n: YNode, cur: T): T {
  if (isNullNode(n)) return type.zero();
  return type.decode(d, n, cur);
}

function tagOf(r: Resolved): string {
  return r.kind === "timestamp" ? "!!timestamp" : "!!" + r.kind;
}

/** Records go-yaml's "cannot unmarshal" type error. */
export function terror(d: Decoder, n: YNode, goName: string, resolved?: Resolved): void {
  let tag = n.kind === "mapping" ? MAP_TAG : n.kind === "sequence" ? SEQ_TAG : resolved ? tagOf(resolved) : STR_TAG;
  if (n.tag !== "") tag = n.tag;
  let value = "";
  if (tag !== SEQ_TAG && tag !== MAP_TAG) {
    const v = n.kind === "scalar" ? n.value : "";
    value = v.length > 10 ? " `" + v.slice(0, 7) + "...`" : " `" + v + "`";
  }
  d.terrors.push(`line ${n.line + 1}: cannot unmarshal ${tag}${value} into ${goName}`);
}

function fatal(e: unknown): never {
  if (e instanceof FatalError) throw e;
  throw new FatalError(e instanceof Error ? e.message : String(e));
}

function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Go-style %q of a string. */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u007f/g, "\\x7f");
}

// ---------------------------------------------------------------------------------------------
// Scalars

export const str: YType<string> = {
  goName: "string",
  decode(d, n) {
    if (n.kind !== "scalar") {
      terror(d, n, "string");
      return "";
    }
    resolveScalar(n);
    return n.value;
  },
  zero: () => "",
};

export const bool: YType<boolean> = {
  goName: "bool",
  decode(d, n, cur) {
    if (n.kind !== "scalar") {
      terror(d, n, "bool");
      return cur;
    }
    const r = resolveScalar(n);
    if (r.kind === "bool") return r.value;
    terror(d, n, "bool", r);
    return cur;
  },
  zero: () => false,
};

function intType(goName: string, min: bigint, max: bigint): YType<number> {
  return {
    goName,
    decode(d, n, cur) {
      if (n.kind !== "scalar") {
        terror(d, n, goName);
        return cur;
      }
      const r = resolveScalar(n);
      if (r.kind === "int" && r.value >= min && r.value <= max) return Number(r.value);
      if (r.kind === "float" && Number.isFinite(r.value)) {
        const t = BigInt(Math.trunc(r.value));
        if (t >= min && t <= max && (min < 0n || r.value >= 0)) return Number(t);
      }
      terror(d, n, goName, r);
      return cur;
    },
    zero: () => 0,
  };
}

export const int = intType("int", MIN_INT64, MAX_INT64);
export const int64 = intType("int64", MIN_INT64, MAX_INT64);
export const uint = intType("uint", 0n, MAX_UINT64);
export const uint64 = intType("uint64", 0n, MAX_UINT64);

export const float64: YType<number> = {
  goName: "float64",
  decode(d, n, cur) {
    if (n.kind !== "scalar") {
      terror(d, n, "float64");
      return cur;
    }
    const r = resolveScalar(n);
    if (r.kind === "int") return Number(r.value);
    if (r.kind === "float") return r.value;
    terror(d, n, "float64", r);
    return cur;
  },
  zero: () => 0,
};

/** A string type with its own name (Go's `type Role string`). */
export function named(goName: string): YType<string> {
  return { ...str, goName, decode: (d, n, cur) => (n.kind === "scalar" ? str.decode(d, n, cur) : (terror(d, n, goName), cur)) };
}

/** A Go encoding.TextUnmarshaler: any scalar's text is handed to parse; errors stop decoding. */
export function text<T>(goName: string, parse: (s: string) => T, zero: () => T): YType<T> {
  return {
    goName,
    decode(d, n, cur) {
      if (n.kind !== "scalar") {
        terror(d, n, goName);
        return cur;
      }
      resolveScalar(n);
      try {
        return parse(n.value);
      } catch (e) {
        fatal(e);
      }
    },
    zero,
  };
}

/**
 * A type with an UnmarshalYAML that decodes into another type first (e.g. model.Duration reads a
 * string and parses it): type errors of the inner decode leave cur in place; an error thrown by
 * convert stops decoding.
 */
export function via<S, T>(goName: string, inner: YType<S>, convert: (s: S) => T, zero: () => T): YType<T> {
  return {
    goName,
    decode(d, n, cur) {
      const start = d.terrors.length;
      const s = inner.decode(d, n, inner.zero());
      if (d.terrors.length > start) return cur;
      try {
        return convert(s);
      } catch (e) {
        fatal(e);
      }
    },
    zero,
  };
}

// ---------------------------------------------------------------------------------------------
// Containers

/** A Go pointer: nil is null; decoding allocates (or reuses) the pointee. */
export function ptr<T>(elem: YType<T>): YType<T | null> {
  return {
    goName: "*" + elem.goName,
    decode: (d, n, cur) => elem.decode(d, n, cur ?? elem.zero()),
    zero: () => null,
  };
}

/** A Go slice: null for nil. */
export function slice<T>(elem: YType<T>, goName = "[]" + elem.goName): YType<T[] | null> {
  return {
    goName,
    decode(d, n, cur) {
      if (n.kind !== "sequence") {
        terror(d, n, goName, n.kind === "scalar" ? resolveScalar(n) : undefined);
        return cur;
      }
      return n.items.map((item) => unmarshal(d, elem, item, elem.zero()));
    },
    zero: () => null,
  };
}

function isMergeKey(n: YNode): boolean {
  return n.kind === "scalar" && (n.tag === "!!merge" || (n.tag === "" && n.implicit && n.value === "<<"));
}

function mergeSources(n: YNode): YNode[] {
  if (n.kind === "mapping") return [n];
  if (n.kind === "sequence" && n.items.every((i) => i.kind === "mapping")) return [...n.items].reverse();
  throw new FatalError("map merge requires map or sequence of maps as the value");
}

/** A Go map with string keys: merges into an existing map; null for nil. */
export function map<T>(elem: YType<T>, goName = "map[string]" + elem.goName, key: YType<string> = str): YType<Record<string, T> | null> {
  const type: YType<Record<string, T> | null> = {
    goName,
    decode(d, n, cur) {
      if (n.kind !== "mapping") {
        terror(d, n, goName, n.kind === "scalar" ? resolveScalar(n) : undefined);
        return cur;
      }
      const out: Record<string, T> = cur ?? {};
      for (const [k, v] of n.pairs) {
        if (isMergeKey(k)) {
          for (const src of mergeSources(v)) type.decode(d, src, out);
          continue;
        }
        const start = d.terrors.length;
        const name = unmarshal(d, key, k, "");
        if (d.terrors.length > start) continue;
        const value = unmarshal(d, elem, v, elem.zero());
        if (Object.prototype.hasOwnProperty.call(out, name)) {
          d.terrors.push(`line ${v.line + 1}: key ${goQuote(name)} already set in map`);
          continue;
        }
        setOwn(out as Record<string, unknown>, name, value);
      }
      return out;
    },
    zero: () => null,
  };
  return type;
}

interface FieldEntry {
  path: string[];
  type: YType<unknown>;
}

/** A struct with yaml-named fields; inline structs keep their own object under their key. */
export class StructY<T> implements YType<T> {
  readonly fields = new Map<string, FieldEntry>();

  constructor(
    readonly goName: string,
    private readonly shape: Record<string, YType<any>>,
    private readonly inline: Record<string, StructY<any>> = {},
  ) {
    for (const [name, type] of Object.entries(shape)) this.fields.set(name, { path: [name], type });
    for (const [key, st] of Object.entries(inline)) {
      for (const [name, f] of st.fields) this.fields.set(name, { path: [key, ...f.path], type: f.type });
    }
  }

  zero(): T {
    const out: Record<string, unknown> = {};
    for (const [name, type] of Object.entries(this.shape)) setOwn(out, name, type.zero());
    for (const [key, st] of Object.entries(this.inline)) setOwn(out, key, st.zero());
    return out as T;
  }

  /** A copy of v deep enough that decoding into it never touches v. */
  clone(v: T): T {
    const out = { ...(v as Record<string, unknown>) };
    for (const [key, st] of Object.entries(this.inline)) setOwn(out, key, st.clone(out[key] as never));
    return out as T;
  }

  decode(d: Decoder, n: YNode, cur: T): T {
    if (n.kind !== "mapping") {
      terror(d, n, this.goName, n.kind === "scalar" ? resolveScalar(n) : undefined);
      return cur;
    }
    const host = this.clone(cur ?? this.zero()) as Record<string, unknown>;
    this.decodeInto(d, n, host);
    return host as T;
  }

  private decodeInto(d: Decoder, n: YNode, host: Record<string, unknown>): void {
    if (n.kind !== "mapping") return;
    const done = new Set<string>();
    for (const [k, v] of n.pairs) {
      if (isMergeKey(k)) {
        for (const src of mergeSources(v)) this.decodeInto(d, src, host);
        continue;
      }
      const start = d.terrors.length;
      const name = unmarshal(d, str, k, "");
      if (d.terrors.length > start) continue;
      const field = this.fields.get(name);
      if (!field) {
        d.terrors.push(`line ${k.line + 1}: field ${name} not found in type ${this.goName}`);
        continue;
      }
      if (done.has(name)) {
        d.terrors.push(`line ${k.line + 1}: field ${name} already set in type ${this.goName}`);
        continue;
      }
      done.add(name);
      let target = host;
      for (const p of field.path.slice(0, -1)) target = target[p] as Record<string, unknown>;
      const last = field.path[field.path.length - 1]!;
      setOwn(target, last, unmarshal(d, field.type, v, target[last]));
    }
  }
}

export function struct<T>(goName: string, shape: Record<string, YType<any>>, inline: Record<string, StructY<any>> = {}): StructY<T> {
  return new StructY<T>(goName, shape, inline);
}

/**
 * A type with an UnmarshalYAML around a plain decode: `reset` gives the starting value (usually
 * the defaults), `after` validates (throwing stops decoding) and may return an adjusted value.
 * When the plain decode had type errors, validation is skipped, as Go returns those errors first.
 */
export function custom<T>(inner: YType<T>, hooks: { reset?: (cur: T) => T; after?: (v: T) => T | void; zero?: () => T; goName?: string }): YType<T> {
  return {
    goName: hooks.goName ?? inner.goName,
    decode(d, n, cur) {
      const start = d.terrors.length;
      let v = hooks.reset ? hooks.reset(cur) : cur;
      v = inner.decode(d, n, v);
      if (d.terrors.length > start || !hooks.after) return v;
      try {
        const adjusted = hooks.after(v);
        return adjusted === undefined ? v : adjusted;
      } catch (e) {
        fatal(e);
      }
    },
    zero: hooks.zero ?? (() => inner.zero()),
  };
}

/** Accepts any value and keeps nothing (for sections only checked for presence). */
export const ignored: YType<Record<string, never>> = {
  goName: "interface {}",
  decode: () => ({}),
  zero: () => ({}),
};

/** yaml.UnmarshalStrict of the first document of text into a value of type, starting from initial. */
export function unmarshalStrict<T>(text: string, type: YType<T>, initial: T): T {
  const root = parseYaml(text);
  if (root === null) return initial;
  const d = new Decoder();
  const value = unmarshal(d, type, root, initial);
  if (d.terrors.length > 0) throw new YamlTypeError(d.terrors);
  return value;
}
