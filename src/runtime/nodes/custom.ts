// An instance of a custom component: `<declare> "<label>" { ... }` or
// `<namespace>.<declare> "<label>" { ... }`. Its attributes become the module's arguments; the
// declare's body is loaded into a module at every evaluation (the template or the arguments may
// have changed); the module's export blocks are the node's exports (Alloy's CustomComponentNode).
import type { BlockStmt } from "../../syntax/ast.ts";
import { t } from "../../syntax/schema/index.ts";
import { ObjectValue, type Value, valuesEqual } from "../../syntax/value/index.ts";
import { decodeBody, type Scope } from "../../syntax/vm/index.ts";
import type { Health } from "../component.ts";
import type { CustomComponentConfig } from "../controller/custom-registry.ts";
import { globalIdOf, type ControllerGlobals } from "../controller/globals.ts";
import type { Module, ModuleController } from "../controller/module.ts";
import { health, leastHealthy } from "../health.ts";
import { UnevaluatedError } from "./builtin.ts";
import { blockId, type ComponentNode, wrapError } from "./types.ts";

/** Finds a declare's template: (namespace, name) for imports, ("", name) for local declares. */
export type CustomComponentLookup = (namespace: string, name: string) => CustomComponentConfig;

const ArgsType = t.map(t.value());

/**
 * Splits `ns.name` into its import namespace and declare name; a single fragment is a local declare.
 * Only one dot is supported, as in Alloy.
 */
export function splitCustomName(componentName: string): [namespace: string, name: string] {
  const dot = componentName.indexOf(".");
  return dot < 0 ? ["", componentName] : [componentName.slice(0, dot), componentName.slice(dot + 1)];
}

export class CustomComponentNode implements ComponentNode {
  readonly isComponent = true;
  readonly kind = "custom";
  readonly id: readonly string[];
  readonly nodeId: string;
  readonly globalId: string;
  readonly componentName: string;
  readonly label: string;
  readonly importNamespace: string;
  readonly customComponentName: string;
  dataFlowEdgesTo: string[] = [];

  #block: BlockStmt;
  #args: ReadonlyMap<string, Value> | undefined;
  #exports: Value = null;
  #managed: Module | undefined;
  #evalHealth: Health;
  #runHealth: Health;
  readonly #globals: ControllerGlobals;
  readonly #modules: ModuleController;
  readonly #lookup: () => CustomComponentLookup;

  constructor(globals: ControllerGlobals, block: BlockStmt, lookup: () => CustomComponentLookup) {
    this.#globals = globals;
    this.#block = block;
    this.#lookup = lookup;
    this.id = blockId(block);
    this.nodeId = this.id.join(".");
    this.globalId = globalIdOf(globals.controllerId, this.nodeId);
    this.componentName = block.name.join(".");
    this.label = block.label;
    [this.importNamespace, this.customComponentName] = splitCustomName(this.componentName);
    this.#modules = globals.newModuleController({ id: this.globalId });
    const created = health("unknown", "node custom component created");
    this.#evalHealth = created;
    this.#runHealth = created;
  }

  get block(): BlockStmt {
    return this.#block;
  }

  updateBlock(block: BlockStmt): void {
    this.#block = block;
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
    let args: ReadonlyMap<string, Value>;
    try {
      args = new Map(Object.entries(decodeBody(this.#block.body, ArgsType, scope)));
    } catch (e) {
      throw wrapError("decoding configuration", e);
    }
    this.#args = args;
    if (!this.#managed) {
      try {
        this.#managed = this.#modules.newModule("", (exports) => this.#setExports(exports));
      } catch (e) {
        throw wrapError("creating custom component controller", e);
      }
    }
    let config: CustomComponentConfig;
    try {
      config = this.#lookup()(this.importNamespace, this.customComponentName);
    } catch (e) {
      throw wrapError("loading custom component controller", e);
    }
    try {
      await this.#managed.loadBody(config.template, args, config.registry);
    } catch (e) {
      throw wrapError("updating custom component", e);
    }
  }

  #setExports(exports: ReadonlyMap<string, Value>): void {
    const value = new ObjectValue(new Map(exports), false);
    if (this.#exports !== null && valuesEqual(this.#exports, value)) return;
    this.#exports = value;
    this.#globals.onBlockNodeUpdate(this);
  }

  async run(signal: AbortSignal): Promise<void> {
    const managed = this.#managed;
    if (!managed) throw new UnevaluatedError();
    this.#runHealth = health("healthy", "started custom component");
    try {
      await managed.run(signal);
    } catch (e) {
      this.#runHealth = health("exited", `custom component shut down with error: ${(e as Error).message}`);
      throw e;
    }
    this.#runHealth = health("exited", "custom component shut down cleanly");
  }

  health(): Health {
    return leastHealthy(this.#runHealth, this.#evalHealth);
  }

  arguments(): ReadonlyMap<string, Value> | undefined {
    return this.#args;
  }

  exportsValue(): Value {
    return this.#exports ?? ObjectValue.empty;
  }

  debugInfo(): unknown {
    return undefined;
  }

  moduleIds(): string[] {
    return this.#modules.moduleIds();
  }
}
