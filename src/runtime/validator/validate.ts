// `alloy validate`: the checks of a load without building or running anything (Alloy's
// internal/validator). Every problem is reported, in Alloy's order, with Alloy's messages and
// positions, instead of stopping at the first structural error as the loader does.
//
// It works in two passes over each module, as Alloy's does:
// 1. build: sort the blocks of the module (root, declare body or foreach template) into nodes of
//    the module's graph — declares first (they define custom components), then config blocks,
//    components and services — noting what is wrong with each block on its own (labels,
//    duplicates, blocks not allowed there, stability of foreach). Declare bodies and foreach
//    templates become modules of their own, built recursively.
// 2. check: for every node in that order, its notes, then its block checked against its schema
//    (components looked up only now, so a declare may use one declared after it), the nested
//    module, and its references (unknown names, stdlib warnings and gates); then cycles.
//
// Quirks of Alloy's validator kept on purpose, since Alloy's output is the reference:
// - variables are one set for the whole configuration: `argument` once any declare has a label,
//   and the `var` of every foreach, wherever they appear (Alloy's modules share one scope map);
// - a component that cannot be found, or an imported one, has its references left unchecked;
// - a foreach template may reference the components around it, but not the other way round, and
//   a declare body sees only its own components.
import type { BlockStmt, Body, Stmt } from "../../syntax/ast.ts";
import { blockName, endPos, startPos, utf8Length } from "../../syntax/ast.ts";
import { type Diagnostic, Diagnostics, errorDiagnostic, Severity } from "../../syntax/diag.ts";
import { attr, struct, t, type StructType } from "../../syntax/schema/index.ts";
import { defaultStdlib } from "../../syntax/stdlib/index.ts";
import { literalValue, typecheckBlock } from "../../syntax/vm/index.ts";
import type { Value } from "../../syntax/value/index.ts";
import { Graph, type GraphNode } from "../dag.ts";
import { checkStability, type Stability } from "../featuregate.ts";
import { FileArguments } from "../importsource/file.ts";
import { GitArguments } from "../importsource/git.ts";
import { HttpArguments } from "../importsource/http.ts";
import { StringArguments } from "../importsource/string.ts";
import { ArgumentBlock } from "../nodes/argument.ts";
import { ExportBlock } from "../nodes/export.ts";
import { ForeachArguments } from "../nodes/foreach.ts";
import { LoggingBlock } from "../nodes/logging.ts";
import { TracingBlock } from "../nodes/tracing.ts";
import { alreadyDeclared, blockIdString } from "../nodes/types.ts";
import { classifyTraversal, type StdlibNames, type Traversal, traversalsFromBody } from "../references.ts";
import type { Registry } from "../registry.ts";
import type { ServiceDefinition } from "../service.ts";
import { CONFIG_BLOCK_NAMES, compareNames, parseSources, type Source, StatementError } from "../source.ts";
import { builtinLookup, type ComponentLookup, CustomComponents } from "./registry.ts";

export interface ValidateOptions {
  /** File contents by name: one file, or the top-level `*.alloy` files of a directory. */
  sources: ReadonlyMap<string, Uint8Array | string>;
  /** The built-in components and their argument schemas. */
  registry: Registry;
  /** Services a top-level block may configure; a definition without args cannot be configured. */
  services: readonly Pick<ServiceDefinition<any>, "name" | "args">[];
  minStability: Stability;
  enableCommunityComponents?: boolean;
  /** Standard library names (deprecated and experimental ones); Alloy's by default. */
  stdlib?: StdlibNames;
}

/**
 * Validates a configuration. Returns every diagnostic (warnings included; Alloy fails on those
 * too), or none when the configuration is valid. Syntax errors of all files are returned as
 * diagnostics; what Alloy does not report as a list — a file that is not UTF-8 (SourceError) or an
 * attribute at the top level (StatementError) — is thrown.
 */
export function validate(options: ValidateOptions): Diagnostic[] {
  let source: Source;
  try {
    source = parseSources(options.sources);
  } catch (e) {
    if (e instanceof Diagnostics && !(e instanceof StatementError)) return [...e.diagnostics];
    throw e;
  }
  return new Validator(options).run(source);
}

const FOREACH_STABILITY: Stability = "experimental";
const TEMPLATE = "template";

const IMPORT_SCHEMAS: Readonly<Record<string, StructType<any>>> = {
  "import.file": FileArguments,
  "import.string": StringArguments,
  "import.http": HttpArguments,
  "import.git": GitArguments,
};

type NodeKind = "block" | "component" | "module" | "foreach";

class Node implements GraphNode {
  nodeId: string;
  /** Problems found while building, reported before the type check. */
  readonly diags: Diagnostic[] = [];
  /** Schema the block is checked against (blocks, modules and foreach; components look theirs up). */
  args: StructType<any> | undefined;
  /** The statements checked and searched for references: none for a declare, no template for a foreach. */
  body: Body;
  /** The module of a declare or a foreach template. */
  module: Module | undefined;

  constructor(
    public kind: NodeKind,
    readonly block: BlockStmt,
  ) {
    this.nodeId = blockIdString(block);
    this.body = block.body;
  }

  /** The block as checked: its body replaced by `body`. */
  checkedBlock(): BlockStmt {
    return this.body === this.block.body ? this.block : { ...this.block, body: this.body };
  }
}

interface Blocks {
  declares: BlockStmt[];
  configs: BlockStmt[];
  components: BlockStmt[];
  services: BlockStmt[];
}

/** One module: the root, the body of a declare, or a foreach template. */
interface Module extends Blocks {
  root: boolean;
  foreach: boolean;
  /**
   * Node ids in the order the nodes were added, which is the order of the report, and the node of
   * each id. As in Alloy's graph, a later node with the same id (`argument "x"` and an unlabelled
   * component `argument.x`) replaces the earlier one, which is then never checked, and the later
   * one is checked once for each.
   */
  ids: string[];
  nodes: Map<string, Node>;
  /** The module around a foreach template, whose nodes the template may reference. */
  outer: Module | undefined;
  registry: CustomComponents;
  /** Labelled, non-repeated argument blocks: the arguments of a declare. */
  arguments: BlockStmt[];
}

function newModule(blocks: Blocks, registry: ComponentLookup, flags: { root: boolean; foreach: boolean; outer?: Module }): Module {
  return {
    ...blocks,
    root: flags.root,
    foreach: flags.foreach,
    ids: [],
    nodes: new Map(),
    outer: flags.outer,
    registry: new CustomComponents(registry),
    arguments: [],
  };
}

function add(m: Module, node: Node): void {
  m.ids.push(node.nodeId);
  m.nodes.set(node.nodeId, node);
}

function lookupNode(m: Module, id: string): Node | undefined {
  return m.nodes.get(id) ?? (m.outer ? lookupNode(m.outer, id) : undefined);
}

/** A diagnostic over the first `length` bytes of the block's name. */
function nameDiagnostic(block: BlockStmt, text: string, message: string): Diagnostic {
  return errorDiagnostic(block.namePos.position(), block.namePos.add(utf8Length(text) - 1).position(), message);
}

function rangeDiagnostic(from: Stmt | BlockStmt, message: string): Diagnostic {
  return errorDiagnostic(startPos(from).position(), endPos(from).position(), message);
}

function warning(start: Traversal[number], end: Traversal[number], message: string): Diagnostic {
  return { severity: Severity.Warn, startPos: startPos(start).position(), endPos: endPos(end).position(), message };
}

function missingLabel(block: BlockStmt): Diagnostic | undefined {
  if (block.label !== "") return undefined;
  const name = blockName(block);
  return nameDiagnostic(block, name, `${name} block must have a label`);
}

/**
 * The value of the last attribute `name` in the statements (nested blocks included) whose value is
 * a literal of the wanted type (Alloy's typecheck.UnwrapBlockAttr).
 */
function literalAttribute(body: Body, name: string, accept: (v: Value) => boolean): Value | undefined {
  let found: Value | undefined;
  const visit = (stmts: Body) => {
    for (const stmt of stmts) {
      if (stmt.type === "BlockStmt") {
        visit(stmt.body);
        continue;
      }
      if (stmt.name.name !== name || stmt.value.type !== "LiteralExpr") continue;
      try {
        const v = literalValue(stmt.value);
        if (accept(v)) found = v;
      } catch {
        // not a valid literal: ignored, as Alloy does
      }
    }
  };
  visit(body);
  return found;
}

/** The schema of a declare's arguments: each an attribute of any type, required unless `optional = true`. */
function argumentsSchema(args: readonly BlockStmt[]): StructType<any> {
  const fields = args.map((a) => {
    const optional = literalAttribute(a.body, "optional", (v) => typeof v === "boolean") === true;
    return [a.label, attr(t.value(), { optional })] as const;
  });
  return struct(Object.fromEntries(fields));
}

class Validator {
  readonly #minStability: Stability;
  readonly #services: ReadonlyMap<string, Pick<ServiceDefinition<any>, "name" | "args">>;
  readonly #builtins: ComponentLookup;
  readonly #stdlib: StdlibNames;
  /** Variables visible everywhere (see the note at the top). */
  readonly #variables = new Set<string>(["module_path"]);

  constructor(options: ValidateOptions) {
    this.#minStability = options.minStability;
    this.#services = new Map(options.services.map((s) => [s.name, s]));
    this.#builtins = builtinLookup(options.registry, options.minStability, options.enableCommunityComponents ?? false);
    this.#stdlib = options.stdlib ?? defaultStdlib;
  }

  run(source: Source): Diagnostic[] {
    const components: BlockStmt[] = [];
    const services: BlockStmt[] = [];
    for (const block of source.components) (this.#services.has(blockIdString(block)) ? services : components).push(block);
    const root = newModule(
      { declares: [...source.declares], configs: [...source.configs], components, services },
      this.#builtins,
      { root: true, foreach: false },
    );
    return this.#check(this.#build(root));
  }

  // --- building ----------------------------------------------------------------

  #build(m: Module): Module {
    this.#buildDeclares(m);
    this.#buildConfigs(m);
    this.#buildComponents(m);
    this.#buildServices(m);
    return m;
  }

  /** Sorts the statements of a declare body or a foreach template; anything but a block is an error. */
  #extractBlocks(node: Node, body: Body): Blocks {
    const blocks: Blocks = { declares: [], configs: [], components: [], services: [] };
    for (const stmt of body) {
      if (stmt.type !== "BlockStmt") {
        node.diags.push(rangeDiagnostic(stmt, "unsupported statement type *ast.AttributeStmt"));
        continue;
      }
      const name = blockName(stmt);
      if (CONFIG_BLOCK_NAMES.has(name)) blocks.configs.push(stmt);
      else if (name === "declare") blocks.declares.push(stmt);
      else if (this.#services.has(blockIdString(stmt))) blocks.services.push(stmt);
      else blocks.components.push(stmt);
    }
    return blocks;
  }

  #buildDeclares(m: Module): void {
    const seen = new Map<string, BlockStmt>();
    m.declares.forEach((block, i) => {
      const node = new Node("module", block);
      if (block.label === "") node.diags.push(nameDiagnostic(block, blockName(block), "declare block must have a label"));
      const duplicate = alreadyDeclared(seen, node.nodeId, block);
      if (duplicate) {
        node.diags.push(duplicate);
        // A distinct id, so that the repeated block is still checked.
        node.nodeId = `${node.nodeId}-${i}`;
      }
      const blocks = this.#extractBlocks(node, block.body);
      // The body belongs to the declare's own module: the node itself has nothing to check.
      node.body = [];
      node.module = this.#build(newModule(blocks, m.registry, { root: false, foreach: false }));
      add(m, node);
      if (block.label !== "") {
        this.#variables.add("argument");
        m.registry.register(block.label, argumentsSchema(node.module.arguments));
      }
    });
  }

  #buildConfigs(m: Module): void {
    const seen = new Map<string, BlockStmt>();
    m.configs.forEach((block, i) => {
      const node = new Node("block", block);
      const duplicate = alreadyDeclared(seen, node.nodeId, block);
      if (duplicate) {
        node.diags.push(duplicate);
        node.nodeId = `${node.nodeId}-${i}`;
      }
      const register = !duplicate;
      const name = blockName(block);
      switch (name) {
        case "logging":
        case "tracing": {
          node.args = name === "logging" ? LoggingBlock : TracingBlock;
          const disallowed = this.#disallowed(m, block);
          if (disallowed) node.diags.push(disallowed);
          add(m, node);
          return;
        }
        case "foreach":
          this.#buildForeach(m, node);
          return;
        case "argument":
        case "export": {
          node.args = name === "argument" ? ArgumentBlock : ExportBlock;
          if (m.root) node.diags.push(rangeDiagnostic(block, `${name} blocks only allowed inside a module`));
          const unlabelled = missingLabel(block);
          if (unlabelled) node.diags.push(unlabelled);
          else if (name === "argument" && register) m.arguments.push(block);
          add(m, node);
          return;
        }
        default: {
          const unlabelled = missingLabel(block);
          if (unlabelled) node.diags.push(unlabelled);
          node.args = IMPORT_SCHEMAS[name];
          add(m, node);
          if (register && !unlabelled) m.registry.register(block.label, undefined);
        }
      }
    });
  }

  #buildForeach(m: Module, node: Node): void {
    const block = node.block;
    const name = blockName(block);
    const gate = checkStability(`foreach block "${name}"`, FOREACH_STABILITY, this.#minStability);
    if (gate) node.diags.push(nameDiagnostic(block, name, gate));
    const unlabelled = missingLabel(block);
    if (unlabelled) node.diags.push(unlabelled);

    let template: BlockStmt | undefined;
    const body: Body = [];
    for (const stmt of block.body) {
      if (stmt.type === "BlockStmt" && blockName(stmt) === TEMPLATE) template = stmt;
      else body.push(stmt);
    }
    node.body = body;
    node.args = ForeachArguments;
    if (!template) {
      node.diags.push(rangeDiagnostic(block, `missing required block "${TEMPLATE}"`));
      add(m, node);
      return;
    }

    const blocks = this.#extractBlocks(node, template.body);
    const variable = literalAttribute(body, "var", (v) => typeof v === "string");
    if (typeof variable === "string") this.#variables.add(variable);
    node.kind = "foreach";
    node.module = this.#build(newModule(blocks, m.registry, { root: m.root, foreach: true, outer: m }));
    add(m, node);
  }

  #buildComponents(m: Module): void {
    const seen = new Map<string, BlockStmt>();
    m.components.forEach((block, i) => {
      const node = new Node("component", block);
      const name = blockName(block);
      if (block.label === "") node.diags.push(nameDiagnostic(block, name, `component "${name}" must have a label`));
      const duplicate = alreadyDeclared(seen, node.nodeId, block);
      if (duplicate) {
        node.diags.push(duplicate);
        node.nodeId = `${node.nodeId}-${i}`;
      }
      add(m, node);
    });
  }

  #buildServices(m: Module): void {
    const seen = new Map<string, BlockStmt>();
    m.services.forEach((block, i) => {
      const node = new Node("block", block);
      const definition = this.#services.get(blockName(block))!;
      const duplicate = alreadyDeclared(seen, node.nodeId, block);
      if (duplicate) {
        node.diags.push(duplicate);
        node.nodeId = `${node.nodeId}-${i}`;
      }
      const disallowed = this.#disallowed(m, block);
      if (disallowed) node.diags.push(disallowed);
      if (definition.args) node.args = definition.args;
      else node.diags.push(rangeDiagnostic(block, `service "${definition.name}" does not support being configured`));
      add(m, node);
    });
  }

  /** Blocks that configure the whole process (logging, tracing, services) belong at the root only. */
  #disallowed(m: Module, block: BlockStmt): Diagnostic | undefined {
    const id = blockIdString(block);
    if (!m.root) return nameDiagnostic(block, id, `${id} not allowed in module`);
    if (m.foreach) return nameDiagnostic(block, id, `${id} not allowed in foreach`);
    return undefined;
  }

  // --- checking ----------------------------------------------------------------

  #check(m: Module): Diagnostic[] {
    const diags: Diagnostic[] = [];
    const graph = new Graph<Node>();
    for (const id of m.ids) graph.add(m.nodes.get(id)!);
    for (const id of m.ids) {
      const node = m.nodes.get(id)!;
      if (node.kind === "component") {
        const name = blockName(node.block);
        const registration = m.registry.get(name);
        diags.push(...node.diags);
        if (typeof registration === "string") {
          diags.push(nameDiagnostic(node.block, name, registration));
          continue;
        }
        // Imported components have no schema here; Alloy checks neither their block nor their references.
        if (!registration.args) continue;
        diags.push(...typecheckBlock(node.block, registration.args));
      } else {
        diags.push(...node.diags);
        if (node.args) diags.push(...typecheckBlock(node.checkedBlock(), node.args));
        if (node.module) diags.push(...this.#check(node.module));
      }
      diags.push(...this.#references(m, graph, node));
    }
    diags.push(...cycles(graph));
    return diags;
  }

  /** Resolves the references of a node, adding an edge for each node of its own module it uses. */
  #references(m: Module, graph: Graph<Node>, node: Node): Diagnostic[] {
    const diags: Diagnostic[] = [];
    const inScope = (name: string) => this.#variables.has(name) || this.#stdlib.isIdentifier(name);
    for (const traversal of traversalsFromBody(node.body)) {
      const use = classifyTraversal(traversal, (id) => lookupNode(m, id), inScope, this.#stdlib);
      const first = traversal[0]!;
      const last = traversal[traversal.length - 1]!;
      switch (use.kind) {
        case "unresolved":
          diags.push(use.diagnostic);
          break;
        case "deprecated":
          diags.push(
            warning(first, last, "this stdlib function is deprecated; please refer to the documentation for updated usage and alternatives"),
          );
          break;
        case "experimental": {
          const gate = checkStability(use.name, "experimental", this.#minStability);
          if (gate) diags.push(errorDiagnostic(startPos(first).position(), endPos(last).position(), gate));
          break;
        }
        case "scope":
          break;
        case "reference": {
          if (use.shadowsStdlib) diags.push(warning(first, first, "a component is shadowing an existing stdlib name"));
          const target = use.reference.target;
          // Nodes around a foreach template are outside its graph: only its own edges make cycles.
          if (m.nodes.get(target.nodeId) === target) graph.addEdge(node, target);
        }
      }
    }
    return diags;
  }
}

/** `cycle detected: …` on every member of a cycle, members sorted; `cannot reference self`. */
function cycles(graph: Graph<Node>): Diagnostic[] {
  const diags: Diagnostic[] = [];
  const range = (n: Node) => [startPos(n.block).position(), n.block.lCurlyPos.position()] as const;
  for (const cycle of graph.stronglyConnectedComponents()) {
    if (cycle.length < 2) continue;
    const members = [...cycle].sort((a, b) => compareNames(a.nodeId, b.nodeId));
    const message = `cycle detected: ${members.map((n) => n.nodeId).join(", ")}`;
    for (const n of members) diags.push(errorDiagnostic(...range(n), message));
  }
  for (const [from, to] of graph.edges()) {
    if (from === to) diags.push(errorDiagnostic(...range(from), "cannot reference self"));
  }
  return diags;
}
