// One controller per module (and one for the root): a loader with its graph, the queue of nodes
// whose exports changed, and the scheduler of running nodes (Alloy's runtime.Runtime).
//
// apply() and the re-evaluation of dependants take turns through one lock. run() is the loop that
// keeps the scheduler in step with the installed graph and drains the queue; nothing runs until
// a first load succeeded.
import { type Diagnostic, Severity } from "../../syntax/diag.ts";
import type { Value } from "../../syntax/value/index.ts";
import type { HealthState } from "../component.ts";
import type { Logger } from "../logging/logger.ts";
import { collector, type Collector, type MetricFamily, type Registerer } from "../metrics/registry.ts";
import { BuiltinComponentNode } from "../nodes/builtin.ts";
import type { BlockNode, ComponentNode } from "../nodes/types.ts";
import type { Service, ServiceHost } from "../service.ts";
import type { ControllerGlobals, RuntimeShared } from "./globals.ts";
import { pathLabels } from "./globals.ts";
import { type ApplyOptions, Loader } from "./loader.ts";
import { ReadWriteLock } from "./rwlock.ts";
import { KeyedWorkQueue } from "./work-queue.ts";
import { ModuleController, type ModuleRuntime, type ModuleRuntimeFactory } from "./module.ts";
import { UpdateQueue } from "./queue.ts";
import { Scheduler } from "./scheduler.ts";
import { waitForWake } from "../signal.ts";

export interface ControllerOptions {
  shared: RuntimeShared;
  /** "" for the root controller. */
  id: string;
  registerer: Registerer;
  onExportsChange?: ((exports: ReadonlyMap<string, Value>) => void) | undefined;
  /** Every service of the agent: the root runs them, modules reject blocks configuring them. */
  services: readonly Service<any>[];
  serviceHost: ServiceHost;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === Severity.Error);
}

export class Controller implements ModuleRuntime {
  readonly id: string;
  readonly loader: Loader;
  readonly logger: Logger;
  readonly #queue = new UpdateQueue();
  readonly #scheduler: Scheduler;
  readonly #lock = new ReadWriteLock();
  readonly #work = new KeyedWorkQueue<BlockNode>();
  readonly #registerer: Registerer;
  readonly #collectors: Collector[];
  #loadedOnce = false;
  #syncPending = false;
  /** Loads that asked the scheduler to follow, and how many of those requests it has handled. */
  #syncRequested = 0;
  #syncDone = 0;
  #syncWaiters: { generation: number; resolve: () => void }[] = [];
  #wake: (() => void) | undefined;
  #running = false;

  constructor(options: ControllerOptions) {
    const { shared } = options;
    this.id = options.id;
    this.#registerer = options.registerer;
    const [path, id] = pathLabels(options.id);
    this.logger = shared.logger.with({ controller_path: path, controller_id: id });

    const newModuleRuntime: ModuleRuntimeFactory = (module) =>
      new Controller({
        shared,
        id: module.id,
        registerer: module.registerer,
        onExportsChange: module.onExportsChange,
        services: options.services,
        serviceHost: options.serviceHost,
      });
    const globals: ControllerGlobals = {
      ...shared,
      getServiceData: (name) => shared.getServiceData(name),
      controllerId: options.id,
      registerer: options.registerer,
      onBlockNodeUpdate: (node) => this.#queue.enqueue(node),
      onExportsChange: options.onExportsChange,
      newModuleController: ({ id: moduleId, registerer }) =>
        new ModuleController(moduleId, registerer ?? options.registerer, newModuleRuntime, shared.moduleRegistry),
    };
    this.loader = new Loader(globals, options.services, options.serviceHost, this.logger);
    this.#scheduler = new Scheduler(this.logger, shared.shutdownDeadlineMs);
    this.#queue.onEnqueue(() => this.#wake?.());

    // Registered for the controller's lifetime; run() unregisters them when it ends.
    this.#collectors = [this.loader.metrics, collector(() => this.#componentMetrics())];
    for (const c of this.#collectors) this.#registerer.register(c);
  }

  /** True once a load succeeded: from then on, loads install their graph even with errors. */
  get ready(): boolean {
    return this.#loadedOnce;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Loads a module's blocks; the scheduler follows once a first load succeeded. */
  apply(options: ApplyOptions): Promise<Diagnostic[]> {
    return this.#lock.write(async () => {
      const diagnostics = await this.loader.apply(options);
      // A first load with errors runs nothing at all.
      if (!this.#loadedOnce && hasErrors(diagnostics)) return diagnostics;
      this.#loadedOnce = true;
      this.#requestSync();
      return diagnostics;
    });
  }

  #requestSync(): void {
    this.#syncPending = true;
    this.#syncRequested++;
    this.#wake?.();
  }

  /** Resolves once the scheduler caught up with the loads made so far (at once when not running). */
  synchronized(): Promise<void> {
    const generation = this.#syncRequested;
    if (!this.#running || this.#syncDone >= generation) return Promise.resolve();
    return new Promise((resolve) => this.#syncWaiters.push({ generation, resolve }));
  }

  /** Waits until no node waits for its dependants to be evaluated and no evaluation runs. */
  async settled(): Promise<void> {
    while (this.#queue.size > 0 || this.#syncPending || this.#work.size > 0) {
      await this.#work.idle();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    this.#running = true;
    // Registered since construction; again after an earlier run ended.
    for (const c of this.#collectors) this.#registerer.register(c);
    // A controller started again (after a stop) runs what is loaded.
    if (this.#loadedOnce) this.#requestSync();
    try {
      while (!signal.aborted) {
        if (this.#syncPending) {
          this.#syncPending = false;
          const generation = this.#syncRequested;
          this.logger.info("scheduling loaded components and services");
          try {
            await this.#scheduler.synchronize(this.loader.graph);
          } catch (e) {
            this.logger.error("failed to load components and services", { err: (e as Error).message });
          }
          this.#syncDone = generation;
          this.#releaseSyncWaiters(generation);
          continue;
        }
        if (this.#queue.size > 0) {
          // The whole batch at once: two changed nodes with a common dependant evaluate it once.
          const batch = this.#queue.dequeueAll();
          await this.#lock.read(async () =>
            this.loader.submitDependants(batch, (node, evaluate) => this.#work.submit(node, () => this.#lock.read(evaluate))),
          );
          this.loader.metrics.queueSize.set(this.#work.size);
          continue;
        }
        await waitForWake(signal, (wake) => (this.#wake = wake));
        this.#wake = undefined;
      }
    } finally {
      this.logger.debug("Alloy controller exiting");
      // Evaluations in flight get a moment to finish; waiting ones are dropped.
      if (!(await this.#work.stop(5000))) this.logger.warn("timed out stopping worker pool");
      await this.#scheduler.stop();
      this.#running = false;
      this.#releaseSyncWaiters(Infinity);
      for (const c of this.#collectors) this.#registerer.unregister(c);
    }
  }

  #releaseSyncWaiters(upTo: number): void {
    const ready = this.#syncWaiters.filter((w) => w.generation <= upTo);
    this.#syncWaiters = this.#syncWaiters.filter((w) => w.generation > upTo);
    for (const w of ready) w.resolve();
  }

  components(): readonly ComponentNode[] {
    return this.loader.components();
  }

  /** Running components by health, and the metrics of every built-in component. */
  #componentMetrics(): MetricFamily[] {
    const states: HealthState[] = [];
    const families: MetricFamily[] = [];
    for (const node of this.loader.components()) {
      states.push(node.health().state);
      if (node instanceof BuiltinComponentNode) families.push(...node.metrics.gather());
    }
    for (const node of this.loader.imports().values()) states.push(node.health().state);
    families.push(this.loader.metrics.runningComponents(states));
    return families;
  }
}
