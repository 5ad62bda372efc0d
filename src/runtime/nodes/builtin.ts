// A node running a component from the registry: decodes its block into arguments, builds the
// component on the first good evaluation, updates it when the arguments change, and keeps the last
// good arguments and exports when an evaluation fails (Alloy's BuiltinComponentNode).
import type { BlockStmt } from "../../syntax/ast.ts";
import { ObjectValue, type Value } from "../../syntax/value/index.ts";
import { decodeBody, type Scope } from "../../syntax/vm/index.ts";
import type { Component, ComponentContext, ComponentDefinition, Health } from "../component.ts";
import { globalIdOf, pathLabels, type ControllerGlobals } from "../controller/globals.ts";
import { health, leastHealthy } from "../health.ts";
import { type Logger } from "../logging/logger.ts";
import { MetricsRegistry, withLabels } from "../metrics/registry.ts";
import { joinPath } from "../paths.ts";
import { blockId, type ComponentNode, wrapError } from "./types.ts";

/** Thrown by run() when the component was never built (its first evaluation failed). */
export class UnevaluatedError extends Error {
  constructor() {
    super("managed component not built");
  }
}

export class BuiltinComponentNode implements ComponentNode {
  readonly isComponent = true;
  readonly kind = "builtin";
  readonly id: readonly string[];
  readonly nodeId: string;
  readonly globalId: string;
  readonly componentName: string;
  readonly label: string;
  readonly definition: ComponentDefinition<any, any>;
  /** The component's own metrics, collected by the controller. */
  readonly metrics = new MetricsRegistry();
  readonly logger: Logger;
  dataFlowEdgesTo: string[] = [];

  #block: BlockStmt;
  #managed: Component<unknown> | undefined;
  #args: unknown;
  #exports: unknown;
  #exportsValue: Value;
  #evalHealth: Health;
  #runHealth: Health;
  readonly #context: ComponentContext<unknown>;
  readonly #globals: ControllerGlobals;

  constructor(globals: ControllerGlobals, definition: ComponentDefinition<any, any>, block: BlockStmt) {
    this.#globals = globals;
    this.definition = definition;
    this.id = blockId(block);
    this.nodeId = this.id.join(".");
    this.globalId = globalIdOf(globals.controllerId, this.nodeId);
    this.componentName = block.name.join(".");
    this.label = block.label;
    this.#block = block;
    // Until the component publishes exports, others see the zero value of its export schema.
    this.#exports = definition.exports ? definition.exports.zero() : undefined;
    this.#exportsValue = definition.exports ? definition.exports.encode(this.#exports) : ObjectValue.empty;
    const created = health("unknown", "component created");
    this.#evalHealth = created;
    this.#runHealth = created;

    const [path, localId] = pathLabels(this.globalId);
    this.logger = globals.logger.with({ component_path: path, component_id: localId });
    this.#context = {
      id: this.nodeId,
      globalId: this.globalId,
      logger: this.logger,
      dataPath: joinPath(globals.dataPath, this.globalId),
      platform: globals.platform,
      fetch: globals.fetch,
      registerer: withLabels(this.metrics, { component_path: path, component_id: localId }),
      minStability: globals.minStability,
      userAgent: globals.userAgent,
      getServiceData: (name) => globals.getServiceData(name),
      onStateChange: (exports) => this.#setExports(exports),
    };
  }

  get block(): BlockStmt {
    return this.#block;
  }

  updateBlock(block: BlockStmt): void {
    this.#block = block;
  }

  /** The running component, once built. */
  get component(): Component<unknown> | undefined {
    return this.#managed;
  }

  async evaluate(scope: Scope): Promise<void> {
    try {
      await this.#evaluate(scope);
      this.#evalHealth = health("healthy", "component evaluated");
    } catch (e) {
      this.#evalHealth = health("unhealthy", `component evaluation failed: ${(e as Error).message}`);
      throw e;
    }
  }

  async #evaluate(scope: Scope): Promise<void> {
    let args: unknown;
    try {
      args = decodeBody(this.#block.body, this.definition.args, scope);
    } catch (e) {
      throw wrapError("decoding configuration", e);
    }
    if (!this.#managed) {
      try {
        this.#managed = await this.definition.build(this.#context, args);
      } catch (e) {
        throw wrapError("building component", e);
      }
      this.#args = args;
      return;
    }
    // Unchanged arguments do not reach the component: updates can be expensive.
    if (this.definition.args.equal(this.#args, args)) return;
    try {
      await this.#managed.update(args);
    } catch (e) {
      throw wrapError("updating component", e);
    }
    this.#args = args;
  }

  #setExports(exports: unknown): void {
    const schema = this.definition.exports;
    if (!schema) throw new Error(`component ${this.nodeId} called onStateChange but has no exports schema`);
    // Components may publish the same exports again; only a change re-evaluates dependants.
    if (schema.equal(this.#exports, exports)) return;
    this.#exports = exports;
    this.#exportsValue = schema.encode(exports);
    this.#globals.onBlockNodeUpdate(this);
  }

  async run(signal: AbortSignal): Promise<void> {
    const managed = this.#managed;
    if (!managed) throw new UnevaluatedError();
    this.#runHealth = health("healthy", "started component");
    try {
      await managed.run(signal);
    } catch (e) {
      this.#runHealth = health("exited", `component shut down with error: ${(e as Error)?.message ?? String(e)}`);
      throw e;
    }
    this.#runHealth = health("exited", "component shut down cleanly");
  }

  health(): Health {
    let own: Health | undefined;
    try {
      own = this.#managed?.health?.();
    } catch {
      own = undefined;
    }
    return leastHealthy(this.#runHealth, this.#evalHealth, own);
  }

  arguments(): unknown {
    return this.#args;
  }

  exports(): unknown {
    return this.#exports;
  }

  exportsValue(): Value {
    return this.#exportsValue;
  }

  debugInfo(): unknown {
    return this.#managed?.debugInfo?.();
  }

  moduleIds(): string[] {
    return [];
  }
}
