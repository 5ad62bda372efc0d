// The loader turns a module's blocks into a graph of nodes and evaluates it (Alloy's Loader).
//
// apply() first builds the new graph without touching the running one: nodes for services,
// declares, config blocks and components (reusing the existing node of every id, so running
// components keep their state), edges from the references in each block, and a cycle check. Any
// error there leaves the previous graph, registry and scope exactly as they were. Otherwise the
// new blocks are committed and every node is evaluated in dependency order; evaluation errors are
// reported but the graph is installed, failed nodes keeping their last good state.
//
// evaluateDependants() is the other half: when nodes publish new exports (or an import gets new
// content), their direct dependants are evaluated again; those whose exports change in turn are
// queued by the controller, so the update travels through the graph breadth-first.
import type { BlockStmt, Body } from "../../syntax/ast.ts";
import { endPos, startPos } from "../../syntax/ast.ts";
import { type Diagnostic, Diagnostics, errorDiagnostic } from "../../syntax/diag.ts";
import { StructType } from "../../syntax/schema/index.ts";
import { formatDuration } from "../../syntax/schema/index.ts";
import { NoPosition, type Position } from "../../syntax/token.ts";
import type { Value } from "../../syntax/value/index.ts";
import { cycleErrors, Graph } from "../dag.ts";
import { checkStability } from "../featuregate.ts";
import { lookupComponent } from "../registry.ts";
import type { Logger } from "../logging/logger.ts";
import { ArgumentConfigNode } from "../nodes/argument.ts";
import { BuiltinComponentNode } from "../nodes/builtin.ts";
import { CustomComponentNode, type CustomComponentLookup } from "../nodes/custom.ts";
import { DeclareNode } from "../nodes/declare.ts";
import { ExportConfigNode } from "../nodes/export.ts";
import { ForeachConfigNode } from "../nodes/foreach.ts";
import { ImportConfigNode } from "../nodes/import.ts";
import { LoggingConfigNode } from "../nodes/logging.ts";
import { ServiceNode } from "../nodes/service.ts";
import { TracingConfigNode } from "../nodes/tracing.ts";
import { alreadyDeclared, type BlockNode, blockId, type ComponentNode, isComponentNode } from "../nodes/types.ts";
import { classifyTraversal, type Traversal, traversalsFromBody, traversalString } from "../references.ts";
import type { Service, ServiceHost } from "../service.ts";
import type { Source } from "../source.ts";
import { IMPORT_BLOCK_NAMES } from "../source.ts";
import {
  type CustomComponentConfig,
  CustomComponentRegistry,
  findImportedDeclare,
  findLocalDeclare,
  isCustomComponent,
} from "./custom-registry.ts";
import type { ControllerGlobals } from "./globals.ts";
import { ControllerMetrics } from "./metrics.ts";
import type { QueuedNode } from "./queue.ts";
import { errorText } from "./scheduler.ts";
import { Namespace, ValueCache } from "./value-cache.ts";

/**
 * Capsule types of exports that receive data: a reference to one means data flows from the
 * referencing component to the referenced one (the UI draws the arrow that way).
 */
export const RECEIVER_CAPSULE_TYPES: ReadonlySet<string> = new Set([
  "otelcol.Consumer",
  "storage.Appendable",
  "loki.LogsReceiver",
  "pyroscope.Appendable",
]);

export interface ApplyOptions {
  source: Pick<Source, "components" | "configs" | "declares">;
  /** The module's arguments; undefined for the root module. */
  args?: ReadonlyMap<string, Value> | undefined;
  /** Declares and imports visible from the module's parent (undefined at the root). */
  parentRegistry?: CustomComponentRegistry | undefined;
  /** Variables handed down to the module (module_path, a foreach item …); undefined keeps them. */
  argScope?: Namespace | undefined;
}

/** A graph built from new blocks, not yet installed. */
interface Staged {
  graph: Graph<BlockNode>;
  /** Blocks for existing nodes, applied only when the graph is installed. */
  blocks: [BlockNode, BlockStmt | undefined][];
  dataFlow: Map<ComponentNode, string[]>;
  registry: CustomComponentRegistry;
  declares: Map<string, DeclareNode>;
  imports: Map<string, ImportConfigNode>;
  foreach: Map<string, ForeachConfigNode>;
}

const FOREACH_STABILITY = "experimental";

function rangeOf(block: BlockStmt): [Position, Position] {
  return [startPos(block).position(), endPos(block).position()];
}

function blockDiagnostic(block: BlockStmt, message: string): Diagnostic {
  const [start, end] = rangeOf(block);
  return errorDiagnostic(start, end, message);
}

/** The Diagnostics an error wraps, if any (Go's errors.As(err, &diags)). */
export function diagnosticsIn(error: unknown): Diagnostics | undefined {
  for (let e: unknown = error; e instanceof Error; e = (e as Error).cause) {
    if (e instanceof Diagnostics) return e;
  }
  return undefined;
}

function isConfigNode(node: BlockNode): boolean {
  return (
    node instanceof ArgumentConfigNode ||
    node instanceof ExportConfigNode ||
    node instanceof LoggingConfigNode ||
    node instanceof TracingConfigNode ||
    node instanceof ImportConfigNode ||
    node instanceof ForeachConfigNode
  );
}

function durationText(ms: number): string {
  return formatDuration(Math.round(ms * 1e6));
}

export class Loader {
  #graph = new Graph<BlockNode>();
  #registry: CustomComponentRegistry | undefined;
  #imports = new Map<string, ImportConfigNode>();
  #foreach = new Map<string, ForeachConfigNode>();
  #components: ComponentNode[] = [];
  #moduleExportIndex = 0;
  readonly #cache: ValueCache;
  readonly metrics: ControllerMetrics;
  readonly #isRoot: boolean;
  readonly #lookup: CustomComponentLookup;

  constructor(
    private readonly globals: ControllerGlobals,
    private readonly services: readonly Service<any>[],
    private readonly serviceHost: ServiceHost,
    private readonly logger: Logger,
  ) {
    this.#cache = new ValueCache(globals.stdlib);
    this.metrics = new ControllerMetrics(globals.controllerId);
    this.#isRoot = globals.controllerId === "";
    this.#lookup = (namespace, name) => this.#customComponentConfig(namespace, name);
  }

  get graph(): Graph<BlockNode> {
    return this.#graph;
  }

  /** Component nodes of the installed graph, in evaluation order. */
  components(): readonly ComponentNode[] {
    return this.#components;
  }

  imports(): ReadonlyMap<string, ImportConfigNode> {
    return this.#imports;
  }

  foreachNodes(): ReadonlyMap<string, ForeachConfigNode> {
    return this.#foreach;
  }

  /** The scope nodes are evaluated with now (exports, arguments, inherited variables). */
  scope() {
    return this.#cache.scope();
  }

  async apply(options: ApplyOptions): Promise<Diagnostic[]> {
    const start = performance.now();
    this.metrics.evaluating.set(1);
    try {
      const staged = this.#stage(options);
      if (staged instanceof Array) return staged;
      this.#commit(staged, options);
      return await this.#evaluateGraph(staged.graph, start);
    } finally {
      this.metrics.evaluating.set(0);
    }
  }

  // --- building the new graph ------------------------------------------------

  #stage(options: ApplyOptions): Staged | Diagnostic[] {
    const diags: Diagnostic[] = [];
    const staged: Staged = {
      graph: new Graph(),
      blocks: [],
      dataFlow: new Map(),
      registry: new CustomComponentRegistry(options.parentRegistry, options.argScope),
      declares: new Map(),
      imports: new Map(),
      foreach: new Map(),
    };
    const serviceNames = new Set(this.services.map((s) => s.definition.name));
    const componentBlocks: BlockStmt[] = [];
    const serviceBlocks: BlockStmt[] = [];
    for (const block of options.source.components) {
      (serviceNames.has(blockId(block).join(".")) ? serviceBlocks : componentBlocks).push(block);
    }

    this.#stageServices(staged, serviceBlocks, diags);
    this.#stageDeclares(staged, options.source.declares, diags);
    this.#stageConfigBlocks(staged, options.source.configs, options.args, diags);
    this.#stageComponents(staged, componentBlocks, diags);
    this.#wireEdges(staged, options, diags);
    for (const message of cycleErrors(staged.graph)) diags.push(errorDiagnostic(NoPosition, NoPosition, message));
    return diags.length > 0 ? diags : staged;
  }

  /** The node of the installed graph with this id, when it is of the wanted class. */
  #existing<T extends BlockNode>(id: string, kind: abstract new (...args: any[]) => T): T | undefined {
    const node = this.#graph.get(id);
    return node instanceof kind ? node : undefined;
  }

  #stageServices(staged: Staged, blocks: BlockStmt[], diags: Diagnostic[]): void {
    if (this.#isRoot) {
      for (const service of this.services) {
        const node = this.#existing(service.definition.name, ServiceNode) ?? new ServiceNode(service, this.serviceHost);
        staged.graph.add(node);
        staged.blocks.push([node, undefined]);
      }
    }
    const configured = new Set<string>();
    for (const block of blocks) {
      const id = blockId(block).join(".");
      if (!this.#isRoot) {
        diags.push(blockDiagnostic(block, `service blocks not allowed inside a module: "${id}"`));
        continue;
      }
      const node = staged.graph.get(id) as ServiceNode;
      const gate = checkStability(`block "${id}"`, node.service.definition.stability, this.globals.minStability);
      if (gate) {
        diags.push(blockDiagnostic(block, gate));
        continue;
      }
      if (configured.has(id)) {
        diags.push(blockDiagnostic(block, `duplicate definition of "${id}"`));
        continue;
      }
      configured.add(id);
      staged.blocks.push([node, block]);
    }
  }

  #stageDeclares(staged: Staged, blocks: readonly BlockStmt[], diags: Diagnostic[]): void {
    const seen = new Map<string, BlockStmt>();
    for (const block of blocks) {
      const id = blockId(block).join(".");
      if (block.label === "declare") {
        diags.push(blockDiagnostic(block, "'declare' is not a valid label for a declare block"));
        continue;
      }
      const duplicate = alreadyDeclared(seen, id, block);
      if (duplicate) {
        diags.push(duplicate);
        continue;
      }
      const existing = this.#existing(id, DeclareNode);
      const node = existing ?? new DeclareNode(block);
      if (existing) staged.blocks.push([existing, block]);
      staged.registry.registerDeclare(block);
      staged.declares.set(block.label, node);
      staged.graph.add(node);
    }
  }

  #stageConfigBlocks(
    staged: Staged,
    blocks: readonly BlockStmt[],
    args: ReadonlyMap<string, Value> | undefined,
    diags: Diagnostic[],
  ): void {
    const seen = new Map<string, BlockStmt>();
    const argumentBlocks: BlockStmt[] = [];
    const exportBlocks: BlockStmt[] = [];
    const argumentNames = new Set<string>();
    let logging: BlockStmt | undefined;
    let tracing: BlockStmt | undefined;

    for (const block of blocks) {
      const id = blockId(block).join(".");
      const duplicate = alreadyDeclared(seen, id, block);
      if (duplicate) {
        diags.push(duplicate);
        continue;
      }
      const name = block.name.join(".");
      let node = this.#graph.get(id);
      if (node && isConfigNode(node)) {
        staged.blocks.push([node, block]);
      } else {
        if (name === "foreach") {
          const gate = checkStability(`config block "foreach"`, FOREACH_STABILITY, this.globals.minStability);
          if (gate) {
            diags.push(blockDiagnostic(block, gate));
            continue;
          }
        }
        node = this.#newConfigNode(block, name);
        if (!node) {
          diags.push(blockDiagnostic(block, `invalid config block type ${name} while creating new config node`));
          continue;
        }
      }
      switch (name) {
        case "argument":
          argumentBlocks.push(block);
          argumentNames.add(block.label);
          break;
        case "export":
          exportBlocks.push(block);
          break;
        case "logging":
          logging = block;
          break;
        case "tracing":
          tracing = block;
          break;
        case "foreach":
          staged.foreach.set(block.label, node as ForeachConfigNode);
          break;
        default:
          staged.imports.set(block.label, node as ImportConfigNode);
          staged.registry.registerImport(block.label);
      }
      staged.graph.add(node);
    }

    if (!this.#isRoot) {
      if (logging) diags.push(blockDiagnostic(logging, "logging block not allowed inside a module"));
      if (tracing) diags.push(blockDiagnostic(tracing, "tracing block not allowed inside a module"));
    } else {
      for (const block of argumentBlocks) diags.push(blockDiagnostic(block, "argument blocks only allowed inside a module"));
      for (const block of exportBlocks) diags.push(blockDiagnostic(block, "export blocks only allowed inside a module"));
    }
    for (const name of args?.keys() ?? []) {
      if (!argumentNames.has(name)) {
        diags.push(errorDiagnostic(NoPosition, NoPosition, `Provided argument "${name}" is not defined in the module`));
      }
    }
    // The root always has logging and tracing nodes: without a block they apply the defaults.
    if (this.#isRoot && !logging) {
      staged.graph.add(new LoggingConfigNode(this.globals.logs, undefined, this.globals.platform.runtime.os));
    }
    if (this.#isRoot && !tracing) staged.graph.add(new TracingConfigNode(this.globals.tracing, undefined));
  }

  #newConfigNode(block: BlockStmt, name: string): BlockNode | undefined {
    switch (name) {
      case "argument":
        return new ArgumentConfigNode(block);
      case "export":
        return new ExportConfigNode(block);
      case "logging":
        return new LoggingConfigNode(this.globals.logs, block, this.globals.platform.runtime.os);
      case "tracing":
        return new TracingConfigNode(this.globals.tracing, block);
      case "foreach":
        return new ForeachConfigNode(this.globals, block, () => this.#registry);
      default:
        return IMPORT_BLOCK_NAMES.has(name) ? new ImportConfigNode(this.globals, block) : undefined;
    }
  }

  #stageComponents(staged: Staged, blocks: readonly BlockStmt[], diags: Diagnostic[]): void {
    const seen = new Map<string, BlockStmt>();
    for (const block of blocks) {
      const id = blockId(block).join(".");
      const duplicate = alreadyDeclared(seen, id, block);
      if (duplicate) {
        diags.push(duplicate);
        continue;
      }
      const name = block.name.join(".");
      const custom = isCustomComponent(staged.registry, block.name[0]!);
      const existing = this.#graph.get(id);
      // A node is reused only for the same kind of component, so that its state still applies.
      const reusable =
        (custom && existing instanceof CustomComponentNode) ||
        (!custom && existing instanceof BuiltinComponentNode && existing.definition === this.globals.registry.get(name));
      if (reusable) {
        staged.blocks.push([existing, block]);
        staged.graph.add(existing);
        continue;
      }
      const created = custom ? new CustomComponentNode(this.globals, block, () => this.#lookup) : this.#newBuiltin(block, name);
      if (typeof created === "string") {
        diags.push(errorDiagnostic(block.namePos.position(), block.namePos.add(name.length - 1).position(), created));
        continue;
      }
      staged.graph.add(created);
    }
  }

  /** A built-in component node, or the reason it cannot be built (Alloy's registry messages). */
  #newBuiltin(block: BlockStmt, name: string): BuiltinComponentNode | string {
    const definition = lookupComponent(this.globals.registry, name, this.globals.minStability, this.globals.enableCommunityComponents);
    if (typeof definition === "string") return definition;
    if (block.label === "") return `component "${name}" must have a label`;
    return new BuiltinComponentNode(this.globals, definition, block);
  }

  #wireEdges(staged: Staged, options: ApplyOptions, diags: Diagnostic[]): void {
    const graph = staged.graph;
    const blockOf = new Map<BlockNode, BlockStmt | undefined>(staged.blocks);
    const currentBlock = (n: BlockNode) => (blockOf.has(n) ? blockOf.get(n) : n.block);
    const inScope = this.#scopeChecker(options);

    for (const node of graph.nodes()) {
      if (isComponentNode(node)) staged.dataFlow.set(node, []);
    }
    for (const node of [...graph.nodes()]) {
      const block = currentBlock(node);
      if (node instanceof ServiceNode) {
        for (const dependency of node.service.definition.dependsOn ?? []) {
          const target = graph.get(dependency);
          if (!target) {
            diags.push(
              errorDiagnostic(NoPosition, NoPosition, `service "${node.nodeId}" has invalid reference to service "${dependency}"`),
            );
            continue;
          }
          graph.addEdge(node, target);
        }
      } else if (node instanceof DeclareNode) {
        // Declares using each other in a loop make a cycle; their bodies cannot reference components.
        for (const ref of this.#customComponentReferences(staged, block!.body)) graph.addEdge(node, ref);
        continue;
      } else if (node instanceof CustomComponentNode) {
        const imported = staged.imports.get(node.importNamespace);
        if (imported) graph.addEdge(node, imported);
        else {
          const declare = staged.declares.get(node.customComponentName);
          if (declare) {
            for (const ref of this.#customComponentReferences(staged, currentBlock(declare)!.body)) graph.addEdge(node, ref);
          }
        }
      } else if (node instanceof ForeachConfigNode) {
        for (const ref of this.#customComponentReferences(staged, block!.body)) graph.addEdge(node, ref);
      }
      if (!block) continue;

      for (const traversal of traversalsFromBody(block.body)) {
        const use = classifyTraversal(traversal, (id) => graph.get(id), inScope, this.globals.stdlib);
        switch (use.kind) {
          case "unresolved":
            // Inside a foreach, references may be to the template's own components or its variable.
            if (!(node instanceof ForeachConfigNode)) diags.push(use.diagnostic);
            continue;
          case "deprecated":
            this.logger.warn(
              "this stdlib function is deprecated; please refer to the documentation for updated usage and alternatives",
              { function: traversal[0]!.name },
            );
            continue;
          case "experimental": {
            const gate = checkStability(use.name, "experimental", this.globals.minStability);
            if (gate) {
              diags.push(errorDiagnostic(startPos(traversal[0]!).position(), startPos(traversal[traversal.length - 1]!).position(), gate));
            }
            continue;
          }
          case "scope":
            continue;
          case "reference": {
            const { target, rest } = use.reference;
            if (use.shadowsStdlib) {
              this.logger.warn("a component is shadowing an existing stdlib name", {
                component: target.nodeId,
                stdlib_name: traversal[0]!.name,
              });
            }
            graph.addEdge(node, target);
            this.#addDataFlow(staged, node, target, rest);
          }
        }
      }
    }
  }

  /** Whether a name is a variable of the module's scope or a standard library identifier. */
  #scopeChecker(options: ApplyOptions): (name: string) => boolean {
    const current = options.argScope ? undefined : this.#cache.scope();
    return (name) => {
      if (this.globals.stdlib.isIdentifier(name)) return true;
      if (name === "argument" && (options.args?.size ?? 0) > 0) return true;
      if (options.argScope) return options.argScope.get(name) !== undefined;
      return current!.hasVariable(name);
    };
  }

  /**
   * Data flows against the reference for exports that receive data (appendables, consumers,
   * receivers) and along it otherwise.
   */
  #addDataFlow(staged: Staged, from: BlockNode, target: BlockNode, rest: Traversal): void {
    if (!isComponentNode(from) || !(target instanceof BuiltinComponentNode)) return;
    const schema = target.definition.exports;
    if (!(schema instanceof StructType) || rest.length === 0) return;
    const field = schema.lookup.get(traversalString(rest));
    if (!field) return;
    const capsuleType = (field.valueType as { capsuleType?: string }).capsuleType;
    if (capsuleType && RECEIVER_CAPSULE_TYPES.has(capsuleType)) staged.dataFlow.get(from)?.push(target.nodeId);
    else staged.dataFlow.get(target)?.push(from.nodeId);
  }

  /** Declare and import nodes that blocks of a body instantiate (looking inside nested declares and templates). */
  #customComponentReferences(staged: Staged, body: Body): Set<BlockNode> {
    const refs = new Set<BlockNode>();
    const visit = (stmts: Body) => {
      for (const stmt of stmts) {
        if (stmt.type !== "BlockStmt") continue;
        const name = stmt.name.join(".");
        const declare = staged.declares.get(stmt.name[0]!);
        const imported = staged.imports.get(stmt.name[0]!);
        if (name === "declare" || name === "template") visit(stmt.body);
        else if (declare) refs.add(declare);
        else if (imported) refs.add(imported);
      }
    };
    visit(body);
    return refs;
  }

  #commit(staged: Staged, options: ApplyOptions): void {
    for (const [node, block] of staged.blocks) (node as { updateBlock(b: BlockStmt | undefined): void }).updateBlock(block);
    for (const [node, edges] of staged.dataFlow) node.dataFlowEdgesTo = edges;
    this.#registry = staged.registry;
    this.#imports = staged.imports;
    this.#foreach = staged.foreach;
    this.#cache.setScopeVariables(options.argScope);
    for (const [name, value] of options.args ?? []) this.#cache.cacheModuleArgument(name, value);
    this.#cache.syncModuleArgs(new Set(options.args?.keys() ?? []));
  }

  #customComponentConfig(namespace: string, name: string): CustomComponentConfig {
    const registry = this.#registry;
    const found =
      registry && (namespace === "" ? findLocalDeclare(registry, name) : findImportedDeclare(registry, namespace, name));
    if (!found) {
      throw new Error(
        `custom component config not found in the registry, namespace: "${namespace}", componentName: "${name}"`,
      );
    }
    return found;
  }

  // --- evaluation ----------------------------------------------------------------

  async #evaluateGraph(graph: Graph<BlockNode>, start: number): Promise<Diagnostic[]> {
    const diags: Diagnostic[] = [];
    const components: ComponentNode[] = [];
    const componentIds = new Map<string, readonly string[]>();
    this.logger.info("starting complete graph evaluation");
    this.#cache.clearModuleExports();
    this.metrics.graphConnection.reset();

    for (const node of graph.topologicalOrder()) {
      const nodeStart = performance.now();
      if (isComponentNode(node)) {
        components.push(node);
        componentIds.set(node.nodeId, node.id);
        for (const to of node.dataFlowEdgesTo) this.metrics.graphConnection.with(node.nodeId, to).set(1);
      }
      const error = await this.#evaluateNode(node);
      if (error !== undefined) diags.push(...this.#evaluationDiagnostics(node, error));
      if (node instanceof ExportConfigNode) this.#cache.cacheModuleExportValue(node.label, node.value);
      this.logger.info("finished node evaluation", { node_id: node.nodeId, duration: durationText(performance.now() - nodeStart) });
    }

    this.#graph = graph;
    this.#components = components;
    try {
      this.#cache.syncIds(componentIds);
    } catch (e) {
      diags.push(
        errorDiagnostic(NoPosition, NoPosition, `Failed to update the internal cache with the new list of components: ${errorText(e)}`),
      );
      return diags;
    }
    this.#publishModuleExports();
    this.logger.info("finished complete graph evaluation", { duration: durationText(performance.now() - start) });
    return diags;
  }

  #evaluationDiagnostics(node: BlockNode, error: unknown): Diagnostic[] {
    const block = node.block;
    const range: [Position, Position] = block ? rangeOf(block) : [NoPosition, NoPosition];
    if (isComponentNode(node) || node instanceof ServiceNode) {
      const inner = diagnosticsIn(error);
      if (inner) return [...inner.diagnostics];
      const what = node instanceof ServiceNode ? "Failed to evaluate service" : "Failed to build component";
      return [errorDiagnostic(range[0], range[1], `${what}: ${errorText(error)}`)];
    }
    return [errorDiagnostic(range[0], range[1], `Failed to evaluate node for config block: ${errorText(error)}`)];
  }

  /** Evaluates one node and caches what it produced; returns the error, if any. */
  async #evaluateNode(node: BlockNode): Promise<unknown> {
    let error: unknown;
    try {
      await node.evaluate(this.#cache.scope());
    } catch (e) {
      error = e ?? new Error("evaluation failed");
    }
    if (isComponentNode(node)) {
      // Exports are cached even after a failure: the last good ones stay visible.
      try {
        this.#cache.cacheExports(node.id, node.exportsValue());
      } catch (e) {
        this.logger.error("failed to cache exports after evaluation", { err: errorText(e) });
        error = error === undefined ? e : new Error(`${errorText(error)}\n${errorText(e)}`, { cause: error });
      }
    } else if (node instanceof ArgumentConfigNode) {
      if (!this.#cache.hasModuleArgument(node.label)) {
        // A missing required argument is the error that matters, whatever else failed.
        if (node.optional) this.#cache.cacheModuleArgument(node.label, node.defaultValue);
        else error = new Error(`missing required argument "${node.label}" to module`);
      }
    } else if (node instanceof ImportConfigNode) {
      this.#registry?.updateImportContent(node);
    }
    if (error !== undefined) this.logger.error("failed to evaluate config", { node: node.nodeId, err: errorText(error) });
    return error;
  }

  #publishModuleExports(): void {
    const onExportsChange = this.globals.onExportsChange;
    if (onExportsChange && this.#cache.exportChangeIndex !== this.#moduleExportIndex) {
      this.#moduleExportIndex = this.#cache.exportChangeIndex;
      onExportsChange(this.#cache.moduleExports());
    }
  }

  /**
   * Caches what changed nodes produced and hands each of their direct dependants to `submit`, which
   * runs the evaluation (concurrently, one at a time per node). Dependants whose exports change
   * in turn are queued by the controller: the update travels breadth-first.
   */
  submitDependants(updated: readonly QueuedNode[], submit: (node: BlockNode, evaluate: () => Promise<void>) => void): void {
    if (updated.length === 0) return;
    this.metrics.evaluating.set(1);
    try {
      const dependants = new Map<BlockNode, QueuedNode>();
      for (const parent of updated) {
        const node = parent.node;
        if (isComponentNode(node)) {
          try {
            this.#cache.cacheExports(node.id, node.exportsValue());
          } catch (e) {
            this.logger.error("failed to cache exports during evaluation", { err: errorText(e) });
          }
        } else if (node instanceof ImportConfigNode && this.#imports.get(node.label) === node) {
          this.#registry?.updateImportContent(node);
        }
        if (!this.#graph.has(node)) continue;
        for (const dependant of this.#graph.dependants(node)) dependants.set(dependant, parent);
      }
      for (const [node, parent] of dependants) submit(node, () => this.#evaluateDependant(node, parent));
    } finally {
      this.metrics.evaluating.set(0);
    }
  }

  async #evaluateDependant(node: BlockNode, parent: QueuedNode): Promise<void> {
    // The node may have left the graph since it was submitted.
    if (!this.#graph.has(node)) return;
    const start = performance.now();
    this.metrics.dependenciesWaitSeconds.observe((start - parent.changedAt) / 1000);
    await this.#evaluateNode(node);
    if (node instanceof ExportConfigNode) this.#cache.cacheModuleExportValue(node.label, node.value);
    this.#publishModuleExports();
    const ms = performance.now() - start;
    this.metrics.onEvaluationDone(node.nodeId, ms / 1000);
    this.logger.debug("finished node evaluation", { node_id: node.nodeId, duration: durationText(ms) });
  }
}
