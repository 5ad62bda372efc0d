// Decoding block bodies into schemas (Alloy's vm.evaluateBlockOrBody and
// structDecoder). Error messages and their positions follow Alloy:
//
//   attribute "x" may only be provided once      unrecognized attribute name "x"
//   "x" must be a block, but is used as an attribute
//   unrecognized block name "x"                  "x" must be an attribute, but is used as a block
//   block "x" may only be specified once         block "x" must be specified exactly N times, ...
//   missing required attribute "x"               missing required block "x"        (no position)
//   block "x" requires non-empty label           block "x" does not support specifying labels
//   block "x" requires empty label               nested blocks not supported here  (map bodies)
//
// Hooks run in Alloy's order: defaults, decode, validate.

import type { AttributeStmt, Body, BlockStmt, Stmt } from "../ast.ts";
import { Diagnostics, errorDiagnostic } from "../diag.ts";
import type { EnumMember, FlatField, Host } from "../schema/struct.ts";
import { StructType } from "../schema/struct.ts";
import { MapType, type Type } from "../schema/types.ts";
import { setOwn } from "../value/index.ts";
import { evalExpr, positioned } from "./evaluate.ts";
import type { Scope } from "./scope.ts";
import type { Tracker } from "./tracker.ts";

type Node = Body | BlockStmt;

function blockName(b: BlockStmt): string {
  return b.name.join(".");
}

function labelDiagnostic(b: BlockStmt, message: string): Diagnostics {
  return new Diagnostics([errorDiagnostic(b.namePos.position(), b.lCurlyPos.position(), message)]);
}

const secretTypeNames = new Set(["secret", "optional_secret"]);

/** Context shared by one body evaluation. */
export interface BodyContext {
  readonly scope: Scope;
  readonly tracker: Tracker;
}

/**
 * Decodes a block or body into `type`. `current` is the value the target
 * already holds (a parent's default), used when the type has no defaults of
 * its own, as Alloy keeps a parent's defaults for such blocks.
 */
export function decodeBlockOrBody(ctx: BodyContext, node: Node, type: Type<any>, current?: unknown): unknown {
  if (type instanceof StructType) return decodeStruct(ctx, node, type, current);
  if (type instanceof MapType) return decodeMap(ctx, node, type.elem, current);
  if (type.alloyType === "any") return decodeMap(ctx, node, type, undefined);
  throw new Error(`syntax/vm: can only evaluate blocks into structs, got ${type.name}`);
}

function statements(node: Node): readonly Stmt[] {
  return Array.isArray(node) ? node : (node as BlockStmt).body;
}

// Blocks and bodies decoded into a map accept attributes only.
function decodeMap(ctx: BodyContext, node: Node, elem: Type<any>, current: unknown): Record<string, unknown> {
  if (!Array.isArray(node)) {
    const b = node as BlockStmt;
    if (b.label !== "") throw labelDiagnostic(b, `block ${JSON.stringify(blockName(b))} requires empty label`);
  }
  const out: Record<string, unknown> = {};
  if (current !== null && typeof current === "object") Object.assign(out, current);
  for (const stmt of statements(node)) {
    if (stmt.type === "BlockStmt") throw positioned(stmt, "nested blocks not supported here");
    ctx.tracker.clear();
    const v = evalExpr(stmt.value, ctx.scope, ctx.tracker);
    setOwn(out, stmt.name.name, elem.decode(v));
  }
  return out;
}

function decodeStruct(ctx: BodyContext, node: Node, type: StructType<any>, current: unknown): Host {
  const host: Host = startingHost(type, current);

  if (!Array.isArray(node)) {
    const b = node as BlockStmt;
    if (b.label === "" && type.labelField) {
      throw labelDiagnostic(b, `block ${JSON.stringify(blockName(b))} requires non-empty label`);
    }
    if (b.label !== "" && !type.labelField) {
      throw labelDiagnostic(b, `block ${JSON.stringify(blockName(b))} does not support specifying labels`);
    }
    if (type.labelField) type.set(host, type.labelField, b.label);
  }

  new StructDecoder(ctx, type, host).decode(statements(node));
  type.validate(host);
  return host;
}

// Alloy calls SetToDefault only on types that define it; other blocks keep
// what their parent's defaults put there.
function startingHost(type: StructType<any>, current: unknown): Host {
  if (hasOwnDefaults(type) || current === null || current === undefined || typeof current !== "object") {
    return type.defaults() as Host;
  }
  return structuredCloneHost(current as Host);
}

const ownDefaults = new WeakMap<StructType<any>, boolean>();

function hasOwnDefaults(type: StructType<any>): boolean {
  let has = ownDefaults.get(type);
  if (has === undefined) {
    has =
      type.options.defaults !== undefined ||
      type.flat.some((f) => (f.def.kind === "attr" || f.def.kind === "block" || f.def.kind === "blocks") && f.def.default !== undefined);
    ownDefaults.set(type, has);
  }
  return has;
}

function structuredCloneHost(h: Host): Host {
  const out: Host = {};
  for (const k of Object.keys(h)) {
    const v = h[k];
    setOwn(out, k, v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype ? structuredCloneHost(v as Host) : v);
  }
  return out;
}

class StructDecoder {
  private readonly seenAttrs = new Set<string>();
  private readonly seenBlocks = new Set<string>();
  private readonly seenEnums = new Set<string>();
  private readonly blockCount = new Map<string, number>();
  private readonly blockIndex = new Map<BlockStmt, number>();
  private readonly enumCount = new Map<string, number>();
  private readonly enumIndex = new Map<BlockStmt, number>();

  constructor(
    private readonly ctx: BodyContext,
    private readonly type: StructType<any>,
    private readonly host: Host,
  ) {}

  decode(stmts: readonly Stmt[]): void {
    // Count blocks per name (and per enum) to size repeated fields and to
    // know each block's index among those with the same name.
    for (const stmt of stmts) {
      if (stmt.type !== "BlockStmt") continue;
      const full = blockName(stmt);
      const member = this.type.enumLookup.get(full);
      if (member !== undefined) {
        const n = this.enumCount.get(member.field.name) ?? 0;
        this.enumIndex.set(stmt, n);
        this.enumCount.set(member.field.name, n + 1);
      } else {
        const n = this.blockCount.get(full) ?? 0;
        this.blockIndex.set(stmt, n);
        this.blockCount.set(full, n + 1);
      }
    }

    for (const stmt of stmts) {
      if (stmt.type === "AttributeStmt") this.decodeAttr(stmt);
      else this.decodeBlock(stmt);
    }

    for (const f of this.type.flat) {
      const d = f.def;
      if (d.kind === "label" || d.kind === "enum" || d.kind === "squash" || d.optional) continue;
      if (d.kind === "attr") {
        if (!this.seenAttrs.has(f.name)) throw new Error(`missing required attribute ${JSON.stringify(f.name)}`);
      } else if (!this.seenBlocks.has(f.name)) {
        throw new Error(`missing required block ${JSON.stringify(f.name)}`);
      }
    }
  }

  private decodeAttr(attr: AttributeStmt): void {
    const name = attr.name.name;
    if (this.seenAttrs.has(name)) throw positioned(attr, `attribute ${JSON.stringify(name)} may only be provided once`);
    this.seenAttrs.add(name);

    const f = this.type.lookup.get(name);
    if (f === undefined) throw positioned(attr, `unrecognized attribute name ${JSON.stringify(name)}`);
    if (f.def.kind !== "attr") throw positioned(attr, `${JSON.stringify(name)} must be a block, but is used as an attribute`);

    this.ctx.tracker.clear();
    const v = evalExpr(attr.value, this.ctx.scope, this.ctx.tracker);
    this.type.set(this.host, f, f.def.type.decode(v));

    // Lets the printer redact the expression when showing the config.
    if (secretTypeNames.has(f.def.type.name)) attr.value.secret = true;
  }

  private decodeBlock(block: BlockStmt): void {
    const full = blockName(block);
    const member = this.type.enumLookup.get(full);
    if (member !== undefined) this.decodeEnumBlock(block, member);
    else this.decodeNormalBlock(block, full);
  }

  private decodeNormalBlock(block: BlockStmt, full: string): void {
    const f: FlatField | undefined = this.type.lookup.get(full);
    if (f === undefined) throw positioned(block, `unrecognized block name ${JSON.stringify(full)}`);
    const d = f.def;
    if (d.kind === "attr") throw positioned(block, `${JSON.stringify(full)} must be an attribute, but is used as a block`);
    const count = this.blockCount.get(full) ?? 0;

    if (d.kind === "blocks") {
      if (d.exactly !== undefined && d.exactly !== count) {
        throw positioned(
          block,
          `block ${JSON.stringify(full)} must be specified exactly ${d.exactly} times, but was specified ${count} times`,
        );
      }
      let list = this.type.get(this.host, f) as unknown[] | undefined;
      if (!this.seenBlocks.has(full) || !Array.isArray(list)) {
        list = new Array(count).fill(null);
        this.type.set(this.host, f, list);
      }
      const i = this.blockIndex.get(block)!;
      list[i] = decodeBlockOrBody(this.ctx, block, d.type, list[i]);
    } else if (d.kind === "block") {
      if (count > 1) throw positioned(block, `block ${JSON.stringify(full)} may only be specified once`);
      this.type.set(this.host, f, decodeBlockOrBody(this.ctx, block, d.type, this.type.get(this.host, f)));
    } else {
      throw new Error(`syntax/vm: unexpected field kind ${d.kind} for block ${full}`);
    }
    this.seenBlocks.add(full);
  }

  private decodeEnumBlock(block: BlockStmt, member: EnumMember): void {
    const enumName = member.field.name;
    let list = this.type.get(this.host, member.field) as Host[] | undefined;
    if (!this.seenEnums.has(enumName) || !Array.isArray(list)) {
      const count = this.enumCount.get(enumName) ?? 0;
      list = Array.from({ length: count }, () => ({}));
      this.type.set(this.host, member.field, list);
    }
    this.seenEnums.add(enumName);
    const element = list[this.enumIndex.get(block)!]!;
    setOwn(element, member.key, decodeBlockOrBody(this.ctx, block, member.type, element[member.key]));
  }
}
