// Modules: the nested controllers that run custom components (a declare's body, an imported
// declare) and foreach children. A ModuleController belongs to one node and creates its modules;
// a module is loaded with a body and arguments, and runs its own controller (Alloy's
// module.go).
import type { Body } from "../../syntax/ast.ts";
import { type Diagnostic, Diagnostics, Severity } from "../../syntax/diag.ts";
import { isValidIdentifier } from "../../syntax/identifier.ts";
import type { Value } from "../../syntax/value/index.ts";
import type { Registerer } from "../metrics/registry.ts";
import { sourceFromBody, type Source } from "../source.ts";
import type { CustomComponentRegistry } from "./custom-registry.ts";
import type { ModuleRegistry } from "./module-registry.ts";
import type { Namespace } from "./value-cache.ts";

/** What a module needs from the controller that runs it. */
export interface ModuleRuntime {
  apply(options: {
    source: Source;
    args: ReadonlyMap<string, Value>;
    parentRegistry: CustomComponentRegistry;
    argScope: Namespace | undefined;
  }): Promise<Diagnostic[]>;
  run(signal: AbortSignal): Promise<void>;
}

export type ModuleRuntimeFactory = (options: {
  id: string;
  registerer: Registerer;
  onExportsChange: (exports: ReadonlyMap<string, Value>) => void;
}) => ModuleRuntime;

export class Module {
  constructor(
    readonly id: string,
    private readonly runtime: ModuleRuntime,
    private readonly owner: ModuleController,
  ) {}

  /** Loads a body into the module; throws Diagnostics when the load has errors. */
  async loadBody(body: Body, args: ReadonlyMap<string, Value>, registry: CustomComponentRegistry): Promise<void> {
    const source = sourceFromBody(body);
    const diagnostics = await this.runtime.apply({ source, args, parentRegistry: registry, argScope: registry.scope });
    if (diagnostics.some((d) => d.severity === Severity.Error)) throw new Diagnostics(diagnostics);
  }

  /** Runs the module's controller until the signal aborts; the id is taken while it runs. */
  async run(signal: AbortSignal): Promise<void> {
    this.owner.add(this);
    try {
      await this.runtime.run(signal);
    } finally {
      this.owner.remove(this);
    }
  }

  get controller(): ModuleRuntime {
    return this.runtime;
  }
}

export class ModuleController {
  readonly #modules = new Set<string>();

  constructor(
    /** The owning node's global id; modules are `<id>` or `<id>/<localId>`. */
    readonly id: string,
    private readonly registerer: Registerer,
    private readonly factory: ModuleRuntimeFactory,
    private readonly registry: ModuleRegistry<ModuleRuntime>,
  ) {}

  /** A new, not yet running module; exports go to onExports. */
  newModule(localId: string, onExports: (exports: ReadonlyMap<string, Value>) => void): Module {
    if (localId !== "" && !isValidIdentifier(localId)) {
      throw new Error(`customComponent ID "${localId}" is not a valid identifier`);
    }
    const id = localId === "" ? this.id : `${this.id}/${localId}`;
    return new Module(id, this.factory({ id, registerer: this.registerer, onExportsChange: onExports }), this);
  }

  add(module: Module): void {
    this.registry.register(module.id, module.controller);
    this.#modules.add(module.id);
  }

  remove(module: Module): void {
    this.registry.unregister(module.id, module.controller);
    this.#modules.delete(module.id);
  }

  moduleIds(): string[] {
    return [...this.#modules];
  }
}
