// `foreach "<name>" { collection, var, id, hash_string_id, enable_metrics, template { ... } }`
// (experimental): runs the template once per item of the collection, each copy in its own module
// that sees the outer scope plus the item as `var`. Children are keyed by a fingerprint of the item,
// so items that stay keep their running pipeline when the collection changes (Alloy's
// ForeachConfigNode).
import type { BlockStmt, Body } from "../../syntax/ast.ts";
import { attr, struct, t } from "../../syntax/schema/index.ts";
import { capsuleAsObject, CapsuleValue, ObjectValue, type Value } from "../../syntax/value/index.ts";
import { decodeBody, type Scope } from "../../syntax/vm/index.ts";
import type { Health } from "../component.ts";
import { CustomComponentRegistry } from "../controller/custom-registry.ts";
import { globalIdOf, pathLabels, type ControllerGlobals } from "../controller/globals.ts";
import type { Module, ModuleController } from "../controller/module.ts";
import { TaskRunner } from "../controller/runner.ts";
import { ControllerScope, Namespace } from "../controller/value-cache.ts";
import { health, leastHealthy } from "../health.ts";
import type { Logger } from "../logging/logger.ts";
import { noopRegisterer } from "../metrics/registry.ts";
import { waitForWake } from "../signal.ts";
import { fingerprint } from "./foreach-id.ts";
import { blockId, type ComponentNode, wrapError } from "./types.ts";

export const ForeachArguments = struct({
  collection: attr(t.array(t.value())),
  var: attr(t.string()),
  id: attr(t.string(), { optional: true }),
  hash_string_id: attr(t.bool(), { optional: true }),
  // Off by default: a large collection would otherwise create many series.
  enable_metrics: attr(t.bool(), { optional: true }),
});

type Args = ReturnType<typeof ForeachArguments.zero>;

const TEMPLATE = "template";

interface Child {
  id: string;
  module: Module;
}

export class ForeachConfigNode implements ComponentNode {
  readonly isComponent = true;
  readonly kind = "foreach";
  readonly id: readonly string[];
  readonly nodeId: string;
  readonly globalId: string;
  readonly componentName: string;
  readonly label: string;
  readonly logger: Logger;
  dataFlowEdgesTo: string[] = [];

  #block: BlockStmt;
  #args: Args | undefined;
  #modules: ModuleController | undefined;
  #children = new Map<string, Module>();
  #runner: TaskRunner<Child> | undefined;
  #childrenChanged: (() => void) | undefined;
  #evalHealth: Health = health("unknown", "");
  #runHealth: Health = health("unknown", "");
  readonly #globals: ControllerGlobals;
  /** The registry of the controller at the time of the evaluation: templates may use its declares. */
  readonly #registry: () => CustomComponentRegistry | undefined;

  constructor(globals: ControllerGlobals, block: BlockStmt, registry: () => CustomComponentRegistry | undefined) {
    this.#globals = globals;
    this.#block = block;
    this.#registry = registry;
    this.id = blockId(block);
    this.nodeId = this.id.join(".");
    this.globalId = globalIdOf(globals.controllerId, this.nodeId);
    this.componentName = block.name.join(".");
    this.label = block.label;
    this.logger = globals.logger.with({ component_path: pathLabels(this.globalId)[0], component_id: this.nodeId });
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
      this.#evalHealth = health("healthy", "foreach evaluated");
    } catch (e) {
      this.#evalHealth = health("unhealthy", `foreach evaluation failed: ${(e as Error).message}`);
      throw e;
    }
  }

  async #evaluate(scope: Scope): Promise<void> {
    // The template is not evaluated here: its copies are, in the children.
    let template: BlockStmt | undefined;
    const argsBody: Body = [];
    for (const stmt of this.#block.body) {
      if (stmt.type === "BlockStmt" && stmt.name.join(".") === TEMPLATE) template = stmt;
      else argsBody.push(stmt);
    }
    if (!template) throw new Error("the block template is missing in the foreach block");

    let args: Args;
    try {
      args = decodeBody(argsBody, ForeachArguments, scope);
    } catch (e) {
      throw wrapError("decoding configuration", e);
    }

    const registerer = args.enable_metrics ? this.#globals.registerer : noopRegisterer;
    if (!this.#modules) {
      this.#modules = this.#globals.newModuleController({ id: this.globalId, registerer });
    } else if (this.#args && this.#args.enable_metrics !== args.enable_metrics && this.#runner) {
      // Metrics go to another registry: every child is rebuilt with a new module controller.
      this.#modules = this.#globals.newModuleController({ id: this.globalId, registerer });
      this.#children = new Map();
      await this.#runner.apply([]);
    }
    this.#args = args;

    const counts = new Map<string, number>();
    const wanted = new Map<string, Module>();
    const inherited = scope instanceof ControllerScope ? scope.variableTree() : new Namespace();
    for (const item of args.collection) {
      let key: Value = item;
      if (args.id !== "") {
        const found = this.#collectionItemId(item, args.id);
        if (found !== undefined) key = found;
      }
      const base = `foreach_${await fingerprint(key, args.hash_string_id)}`;
      const n = (counts.get(base) ?? 0) + 1;
      counts.set(base, n);
      const childId = `${base}_${n}`;

      let module = this.#children.get(childId);
      if (!module) {
        try {
          module = this.#modules.newModule(childId, () => {});
        } catch (e) {
          throw wrapError("creating custom component", e);
        }
        this.#children.set(childId, module);
        if (args.hash_string_id && typeof key === "string") {
          this.logger.debug("a new foreach pipeline was created", { value: key, fingerprint: childId });
        }
      }
      // The child sees the outer scope plus its item.
      const variables = inherited.clone();
      variables.set(args.var, item);
      const registry = new CustomComponentRegistry(this.#registry(), variables);
      try {
        await module.loadBody(template.body, new Map(), registry);
      } catch (e) {
        throw wrapError("updating custom component in foreach", e);
      }
      wanted.set(childId, module);
    }
    // Children whose item left the collection are stopped by the next apply of the runner.
    this.#children = wanted;
    this.#childrenChanged?.();
  }

  /** The `id` field of an object item (or of a capsule that converts into an object). */
  #collectionItemId(item: Value, key: string): Value | undefined {
    let object: ObjectValue | undefined;
    if (item instanceof ObjectValue) object = item;
    else if (item instanceof CapsuleValue) object = capsuleAsObject(item) ?? undefined;
    if (!object) {
      this.logger.debug("unsupported collection item type encountered in foreach", { item: String(item) });
      return undefined;
    }
    if (!object.has(key)) {
      this.logger.warn("specified id not found in collection item", { id: key });
      return undefined;
    }
    return object.get(key);
  }

  async run(signal: AbortSignal): Promise<void> {
    const runner = new TaskRunner<Child>({
      key: (child) => child.module,
      run: (child, childSignal) => child.module.run(childSignal),
      onError: (child, error) => {
        this.logger.error("foreach child stopped running", { foreach_path: this.nodeId, child_id: child.id, err: (error as Error).message });
        this.#runHealth = health("unhealthy", `foreach child stopped running: ${(error as Error).message}`);
      },
    });
    this.#runner = runner;
    this.#runHealth = health("healthy", "started foreach");
    const tasks = () => [...this.#children].map(([id, module]) => ({ id, module }));
    try {
      await runner.apply(tasks());
      while (!signal.aborted) {
        await waitForWake(signal, (wake) => (this.#childrenChanged = wake));
        this.#childrenChanged = undefined;
        if (signal.aborted) break;
        try {
          await runner.apply(tasks());
          this.#runHealth = health("healthy", "foreach children updated successfully");
        } catch (e) {
          this.logger.error("error encountered while updating foreach children", { err: (e as Error).message });
          this.#runHealth = health("unhealthy", `error encountered while updating foreach children: ${(e as Error).message}`);
        }
      }
    } finally {
      await runner.stop();
      this.#runner = undefined;
    }
    this.#runHealth = health("exited", "foreach node shut down cleanly");
  }

  health(): Health {
    return leastHealthy(this.#runHealth, this.#evalHealth);
  }

  arguments(): unknown {
    return this.#args;
  }

  /** foreach has no exports. */
  exportsValue(): Value {
    return null;
  }

  debugInfo(): unknown {
    return undefined;
  }

  moduleIds(): string[] {
    return this.#modules?.moduleIds() ?? [];
  }
}
