// Struct schemas: the declaration of a block body (a component's arguments
// or exports, or a nested block), equivalent to a Go struct with `alloy`
// tags. A schema lists its fields in order:
//
//   attr(type)          an attribute           (Go tag "name,attr[,optional]")
//   block(schema)       one nested block       ("name,block[,optional]")
//   blocks(schema)      a repeated block       (slice / array of blocks)
//   enumBlocks(members) alternative blocks kept in order ("name,enum")
//   label()             the block's label      (",label")
//   squash(schema)      fields of another schema inlined (",squash")
//
// The host value is a plain object keyed by the JavaScript property names.
// The same schema decodes block bodies (see vm/body.ts), decodes and encodes
// object values (a struct used as an attribute, or exports), provides
// defaults, and drives encoding back to Alloy for the UI and the converter.

import {
  FieldError,
  MissingKeyError,
  ObjectValue,
  setOwn,
  type Value,
  ValueError,
  ValueTypeError,
} from "../value/index.ts";
import { ArrayType, coerce, hostEqual, NullableType, type Type } from "./types.ts";

// ---------------------------------------------------------------------------
// Field definitions

type Default<T> = T | (() => T);

interface FieldCommon {
  /** Alloy name (dotted for multi-fragment block names); defaults to the property key. */
  readonly name?: string | undefined;
}

export interface AttrDef<T> extends FieldCommon {
  readonly kind: "attr";
  readonly type: Type<T>;
  readonly optional: boolean;
  readonly default?: Default<T> | undefined;
}

export interface BlockDef<T> extends FieldCommon {
  readonly kind: "block";
  readonly type: Type<any>;
  readonly optional: boolean;
  readonly default?: Default<T> | undefined;
  readonly _host?: T;
}

export interface BlocksDef<T> extends FieldCommon {
  readonly kind: "blocks";
  readonly type: Type<T>;
  readonly optional: boolean;
  /** Go array of blocks: the block must appear exactly this many times. */
  readonly exactly?: number | undefined;
  readonly default?: Default<T[]> | undefined;
}

export interface EnumDef<M extends Record<string, unknown>> extends FieldCommon {
  readonly kind: "enum";
  readonly members: { readonly [K in keyof M]: Type<M[K]> };
  readonly optional: boolean;
}

export interface LabelDef extends FieldCommon {
  readonly kind: "label";
}

export interface SquashDef<T> extends FieldCommon {
  readonly kind: "squash";
  readonly type: StructType<T>;
}

export type FieldDef =
  | AttrDef<any>
  | BlockDef<any>
  | BlocksDef<any>
  | EnumDef<any>
  | LabelDef
  | SquashDef<any>;

/** Host type of one field. */
export type FieldHost<F> = F extends AttrDef<infer T>
  ? T
  : F extends BlockDef<infer T>
    ? T
    : F extends BlocksDef<infer T>
      ? T[]
      : F extends EnumDef<infer M>
        ? Array<Partial<M>>
        : F extends LabelDef
          ? string
          : F extends SquashDef<infer T>
            ? T
            : never;

export type Shape = Record<string, FieldDef>;
export type HostOfShape<S extends Shape> = { [K in keyof S]: FieldHost<S[K]> };

export interface AttrOptions<T> {
  optional?: boolean;
  default?: Default<T>;
  name?: string;
}

/** An attribute. Required unless `optional` is set (or a default is given). */
export function attr<T>(type: Type<T>, opts: AttrOptions<T> = {}): AttrDef<T> {
  return {
    kind: "attr",
    type,
    optional: opts.optional ?? opts.default !== undefined,
    default: opts.default,
    name: opts.name,
  };
}

export interface BlockOptions<T> {
  optional?: boolean;
  default?: Default<T>;
  name?: string;
}

/**
 * A single nested block. An optional block without a default is null when
 * absent (a Go pointer); with a default it takes that value.
 */
export function block<T>(type: Type<T>, opts: { name?: string }): BlockDef<T>;
export function block<T>(type: Type<T>): BlockDef<T>;
export function block<T>(type: Type<T>, opts: { optional: true; default: Default<T>; name?: string }): BlockDef<T>;
export function block<T>(type: Type<T>, opts: BlockOptions<T>): BlockDef<T | null>;
export function block<T>(type: Type<T>, opts: BlockOptions<T> = {}): BlockDef<T | null> {
  return { kind: "block", type, optional: opts.optional ?? false, default: opts.default, name: opts.name };
}

export interface BlocksOptions<T> {
  optional?: boolean;
  exactly?: number;
  default?: Default<T[]>;
  name?: string;
}

/** A repeatable block, decoded into an array in source order. */
export function blocks<T>(type: Type<T>, opts: BlocksOptions<T> = {}): BlocksDef<T> {
  return {
    kind: "blocks",
    type,
    optional: opts.optional ?? false,
    exactly: opts.exactly,
    default: opts.default,
    name: opts.name,
  };
}

/**
 * A group of alternative blocks named `<name>.<member>`, kept in source
 * order; each element holds exactly one member, e.g. `{ json: {...} }`.
 */
export function enumBlocks<M extends Record<string, unknown>>(
  members: { readonly [K in keyof M]: Type<M[K]> },
  opts: { optional?: boolean; name?: string } = {},
): EnumDef<M> {
  return { kind: "enum", members, optional: opts.optional ?? false, name: opts.name };
}

/** The label of the block (`name "label" { ... }`). */
export function label(): LabelDef {
  return { kind: "label" };
}

/** Inlines the fields of another schema; the host keeps them in a nested object. */
export function squash<T>(type: StructType<T>): SquashDef<T> {
  return { kind: "squash", type };
}

// ---------------------------------------------------------------------------
// Resolved fields

/** A field with its resolved Alloy name and the host path to reach it. */
export interface FlatField {
  readonly def: FieldDef;
  /** Alloy name fragments (["child", "block"]). */
  readonly nameParts: readonly string[];
  /** Joined Alloy name. */
  readonly name: string;
  /** Property keys from the struct's host object to the field (squash adds levels). */
  readonly path: readonly string[];
  /** Type of the field's value when the struct is seen as an object. */
  readonly valueType: Type<any>;
}

/** A member of an enum field, looked up by its full block name. */
export interface EnumMember {
  readonly field: FlatField;
  readonly key: string;
  readonly type: Type<any>;
}

interface ObjectTree {
  readonly keys: string[];
  readonly fields: Map<string, FlatField>;
  readonly nested: Map<string, ObjectTree>;
}

function newTree(): ObjectTree {
  return { keys: [], fields: new Map(), nested: new Map() };
}

export interface StructOptions<H> {
  /** Defaults applied before decoding (Go's SetToDefault); overrides per-field defaults. */
  defaults?: () => Partial<H>;
  /** Validation after decoding (Go's Validate): throw, or return an error message. */
  validate?: (host: H) => string | void | undefined;
  /** Name used in messages and docs. */
  name?: string;
}

function resolveDefault<T>(d: Default<T>): T {
  return typeof d === "function" ? (d as () => T)() : cloneHost(d);
}

// Defaults given as values are copied so decoded hosts never share state.
function cloneHost<T>(x: T): T {
  if (Array.isArray(x)) return x.map(cloneHost) as T;
  if (x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(x)) setOwn(out, k, cloneHost((x as Record<string, unknown>)[k]));
    return out as T;
  }
  return x;
}

/** Host value (the plain object) of a struct. */
export type Host = Record<string, unknown>;

/**
 * A struct schema. Implements Type so it can be used as an attribute type
 * (decoded from an object value) and as a block type.
 */
export class StructType<H = Host> implements Type<H> {
  readonly name: string;
  readonly alloyType = "object" as const;
  readonly shape: Shape;
  readonly options: StructOptions<H>;
  /** Every field with squashed schemas inlined, in declaration order. */
  readonly flat: readonly FlatField[];
  /** Attributes and blocks by full Alloy name. */
  readonly lookup: ReadonlyMap<string, FlatField>;
  /** Enum members by full block name (`stage.json`). */
  readonly enumLookup: ReadonlyMap<string, EnumMember>;
  readonly labelField: FlatField | undefined;
  private readonly tree: ObjectTree;

  constructor(shape: Shape, options: StructOptions<H> = {}) {
    this.shape = shape;
    this.options = options;
    this.name = options.name ?? "object";
    const flat: FlatField[] = [];
    this.flatten(shape, [], flat);
    this.flat = flat;

    const lookup = new Map<string, FlatField>();
    const enumLookup = new Map<string, EnumMember>();
    let labelField: FlatField | undefined;
    const tree = newTree();
    for (const f of flat) {
      if (f.def.kind === "label") {
        if (labelField) throw new Error(`syntax/schema: label field already used by ${labelField.path.join(".")}`);
        labelField = f;
        continue;
      }
      if (lookup.has(f.name) || [...enumLookup.values()].some((m) => m.field.name === f.name)) {
        throw new Error(`syntax/schema: field name ${f.name} already used`);
      }
      if (f.def.kind === "enum") {
        for (const key of Object.keys(f.def.members)) {
          enumLookup.set(f.name + "." + key, { field: f, key, type: f.def.members[key]! });
        }
      } else {
        lookup.set(f.name, f);
      }
      addToTree(tree, f);
    }
    this.lookup = lookup;
    this.enumLookup = enumLookup;
    this.labelField = labelField;
    this.tree = tree;
  }

  private flatten(shape: Shape, prefix: string[], out: FlatField[]): void {
    for (const key of Object.keys(shape)) {
      const def = shape[key]!;
      const path = [...prefix, key];
      if (def.kind === "squash") {
        this.flatten(def.type.shape, path, out);
        continue;
      }
      const name = def.kind === "label" ? "" : (def.name ?? key);
      const nameParts = name === "" ? [] : name.split(".");
      if (nameParts.length > 1 && def.kind === "attr") {
        throw new Error(`syntax/schema: field names with "." may only be used by blocks or enums (found at ${key})`);
      }
      out.push({ def, name, nameParts, path, valueType: objectValueType(def) });
    }
  }

  // --- host access ------------------------------------------------------

  /** Reads a field from a host object (following squash paths). */
  get(host: H, f: FlatField): unknown {
    let cur: unknown = host;
    for (const k of f.path) {
      if (cur === null || cur === undefined) return undefined;
      cur = (cur as Host)[k];
    }
    return cur;
  }

  /** Writes a field into a host object, creating squashed objects as needed. */
  set(host: H, f: FlatField, v: unknown): void {
    let cur = host as Host;
    for (let i = 0; i < f.path.length - 1; i++) {
      const k = f.path[i]!;
      let next = cur[k] as Host | null | undefined;
      if (next === null || next === undefined) {
        next = {};
        setOwn(cur, k, next);
      }
      cur = next;
    }
    setOwn(cur, f.path[f.path.length - 1]!, v);
  }

  // --- defaults and zero --------------------------------------------------

  /** A fresh host with every field at its default (Go's SetToDefault). */
  defaults(): H {
    const host: Host = {};
    for (const key of Object.keys(this.shape)) setOwn(host, key, defaultOf(this.shape[key]!));
    if (this.options.defaults) {
      const over = this.options.defaults() as Host;
      for (const k of Object.keys(over)) setOwn(host, k, over[k]);
    }
    return host as H;
  }

  /** The zero host: every field at its type's zero value, ignoring defaults. */
  zero(): H {
    const host: Host = {};
    for (const key of Object.keys(this.shape)) setOwn(host, key, zeroOf(this.shape[key]!));
    return host as H;
  }

  isZero(x: H): boolean {
    if (x === null || x === undefined) return true;
    for (const key of Object.keys(this.shape)) {
      if (!fieldIsZero(this.shape[key]!, (x as Host)[key])) return false;
    }
    return true;
  }

  equal(a: H, b: H): boolean {
    if (a === b) return true;
    if (!a || !b) return false;
    for (const key of Object.keys(this.shape)) {
      if (!fieldEqual(this.shape[key]!, (a as Host)[key], (b as Host)[key])) return false;
    }
    return true;
  }

  /** Runs the validation hook (Go's Validate), throwing its error. */
  validate(host: H): void {
    if (!this.options.validate) return;
    const msg = this.options.validate(host);
    if (typeof msg === "string" && msg !== "") throw new Error(msg);
  }

  // --- object view -----------------------------------------------------

  /** Decodes an object value (a struct used as an attribute or export). */
  decode(v: Value): H {
    if (v === null) {
      const z = this.zero();
      this.validate(z);
      return z;
    }
    const obj = coerce(v, "object", "object") as ObjectValue;
    const host = this.defaults();
    this.decodeObjectInto(obj, host, this.tree, this.labelField === undefined);
    this.validate(host);
    return host;
  }

  /** Decodes an object into host without applying defaults or validation. */
  decodeObjectInto(obj: ObjectValue, host: H, tree: ObjectTree = this.tree, decodedLabel = false): void {
    for (const [key, val] of obj.entries) {
      if (!decodedLabel && this.labelField) {
        // A labeled struct is an object keyed by its label.
        if (!(val instanceof ObjectValue)) throw new FieldError(obj, key, new ValueTypeError(val, "object"));
        this.set(host, this.labelField, key);
        this.decodeObjectInto(val, host, tree, true);
        continue;
      }
      const f = tree.fields.get(key);
      if (f !== undefined) {
        try {
          this.set(host, f, f.valueType.decode(val));
        } catch (e) {
          throw new FieldError(obj, key, e as Error);
        }
        continue;
      }
      const nested = tree.nested.get(key);
      if (nested !== undefined) {
        const inner = coerce(val, "object", "object") as ObjectValue;
        this.decodeObjectInto(inner, host, nested, decodedLabel);
        continue;
      }
      throw new MissingKeyError(val, key);
    }
  }

  /** Encodes a host as an ordered object; labeled structs nest under their label. */
  encode(x: H): Value {
    if (x === null || x === undefined) return null;
    const inner = this.encodeTree(x, this.tree);
    if (this.labelField) {
      const lbl = this.get(x, this.labelField);
      if (typeof lbl === "string" && lbl !== "") return new ObjectValue(new Map([[lbl, inner]]), true);
    }
    return inner;
  }

  /** Encodes without the label wrapper (elements of labeled block lists). */
  encodeUnlabeled(x: H): ObjectValue {
    return this.encodeTree(x, this.tree);
  }

  private encodeTree(x: H, tree: ObjectTree): ObjectValue {
    const m = new Map<string, Value>();
    for (const key of tree.keys) {
      const f = tree.fields.get(key);
      if (f !== undefined) {
        m.set(key, f.valueType.encode(this.get(x, f)));
      } else {
        m.set(key, this.encodeTree(x, tree.nested.get(key)!));
      }
    }
    return new ObjectValue(m, true);
  }
}

function addToTree(tree: ObjectTree, f: FlatField): void {
  let node = tree;
  for (let i = 0; i < f.nameParts.length; i++) {
    const part = f.nameParts[i]!;
    if (!node.fields.has(part) && !node.nested.has(part)) node.keys.push(part);
    if (i === f.nameParts.length - 1) {
      node.fields.set(part, f);
    } else {
      let next = node.nested.get(part);
      if (!next) {
        next = newTree();
        node.nested.set(part, next);
      }
      node = next;
    }
  }
}

function defaultOf(def: FieldDef): unknown {
  switch (def.kind) {
    case "attr":
      return def.default !== undefined ? resolveDefault(def.default) : def.type.zero();
    case "block":
      if (def.default !== undefined) return resolveDefault(def.default);
      return def.optional ? null : def.type.zero();
    case "blocks":
      if (def.default !== undefined) return resolveDefault(def.default);
      return def.exactly !== undefined ? Array.from({ length: def.exactly }, () => def.type.zero()) : [];
    case "enum":
      return [];
    case "label":
      return "";
    case "squash":
      return def.type.defaults();
  }
}

function zeroOf(def: FieldDef): unknown {
  switch (def.kind) {
    case "attr":
      return def.type.zero();
    case "block":
      return def.optional ? null : def.type.zero();
    case "blocks":
      return def.exactly !== undefined ? Array.from({ length: def.exactly }, () => def.type.zero()) : [];
    case "enum":
      return [];
    case "label":
      return "";
    case "squash":
      return def.type.zero();
  }
}

/** Go's IsZero for the value of one field. */
export function fieldIsZero(def: FieldDef, v: unknown): boolean {
  if (v === null || v === undefined) return true;
  switch (def.kind) {
    case "attr":
    case "block":
      return def.type.isZero(v);
    case "blocks":
    case "enum":
      return Array.isArray(v) && v.length === 0;
    case "label":
      return v === "";
    case "squash":
      return def.type.isZero(v);
  }
}

/** Deep equality of the values of one field. */
export function fieldEqual(def: FieldDef, a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined) return false;
  switch (def.kind) {
    case "attr":
    case "block":
    case "squash":
      return def.type.equal(a, b);
    case "blocks": {
      if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) if (!def.type.equal(a[i], b[i])) return false;
      return true;
    }
    default:
      return hostEqual(a, b);
  }
}

// ---------------------------------------------------------------------------
// Object views of block fields

/** Repeated labeled blocks seen as an object keyed by label (Go: slice of labeled structs). */
class LabeledBlocksType<T> implements Type<T[]> {
  readonly name: string;
  readonly alloyType = "object" as const;
  private readonly elem: StructType<T>;
  private readonly exactly: number | undefined;

  constructor(elem: StructType<T>, exactly?: number) {
    this.elem = elem;
    this.exactly = exactly;
    this.name = elem.name;
  }

  decode(v: Value): T[] {
    if (v === null) return [];
    const obj = coerce(v, "object", "object") as ObjectValue;
    if (this.exactly !== undefined && obj.size !== this.exactly) {
      throw new ValueError(obj, `object must have exactly ${this.exactly} keys, got ${obj.size}`);
    }
    const out: T[] = [];
    const labelField = this.elem.labelField!;
    for (const [key, inner] of obj.entries) {
      const host = this.elem.zero();
      this.elem.set(host, labelField, key);
      try {
        const innerObj = coerce(inner, "object", "object") as ObjectValue;
        this.elem.decodeObjectInto(innerObj, host, undefined, true);
      } catch (e) {
        throw new FieldError(obj, key, e as Error);
      }
      out.push(host);
    }
    return out;
  }

  encode(x: T[]): Value {
    const m = new Map<string, Value>();
    const labelField = this.elem.labelField!;
    for (const e of x ?? []) m.set(String(this.elem.get(e, labelField) ?? ""), this.elem.encodeUnlabeled(e));
    return new ObjectValue(m, true);
  }
  zero(): T[] {
    return [];
  }
  isZero(x: T[]): boolean {
    return !x || x.length === 0;
  }
  equal(a: T[], b: T[]): boolean {
    return a.length === b.length && a.every((e, i) => this.elem.equal(e, b[i]!));
  }
}

function objectValueType(def: FieldDef): Type<any> {
  switch (def.kind) {
    case "attr":
      return def.type;
    case "block":
      return def.optional && def.default === undefined ? new NullableType(def.type) : def.type;
    case "blocks":
      if (def.type instanceof StructType && def.type.labelField) return new LabeledBlocksType(def.type, def.exactly);
      return new ArrayType(def.type, def.exactly);
    case "enum": {
      // Each element is an object with one (possibly null) entry per member.
      const shape: Shape = {};
      for (const key of Object.keys(def.members)) shape[key] = block(def.members[key]!, { optional: true });
      return new ArrayType(new EnumElementType(new StructType(shape)));
    }
    case "label":
    case "squash":
      return new NullableType(new StructType({}));
  }
}

/** Enum elements keep only the member that is set. */
class EnumElementType implements Type<Host> {
  readonly name = "object";
  readonly alloyType = "object" as const;
  private readonly inner: StructType<Host>;

  constructor(inner: StructType<Host>) {
    this.inner = inner;
  }
  decode(v: Value): Host {
    const full = this.inner.decode(v);
    const out: Host = {};
    for (const k of Object.keys(full)) if (full[k] !== null && full[k] !== undefined) setOwn(out, k, full[k]);
    return out;
  }
  encode(x: Host): Value {
    const full: Host = {};
    for (const k of Object.keys(this.inner.shape)) setOwn(full, k, x?.[k] ?? null);
    return this.inner.encode(full);
  }
  zero(): Host {
    return {};
  }
  isZero(x: Host): boolean {
    return !x || Object.keys(x).length === 0;
  }
  equal(a: Host, b: Host): boolean {
    return hostEqual(a, b);
  }
}

/** Declares a struct schema. */
export function struct<S extends Shape>(shape: S, options: StructOptions<HostOfShape<S>> = {}): StructType<HostOfShape<S>> {
  return new StructType<HostOfShape<S>>(shape, options);
}
