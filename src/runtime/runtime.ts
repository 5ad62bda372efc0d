// The runtime behind `alloy run`: loads a configuration (a file, a directory, or sources given
// directly), runs its components, reloads it, and reports component state and controller metrics.
// The CLI, the HTTP API and mod.ts all drive the agent through this class.
//
//   const runtime = createRuntime({ registry, storagePath: "data-alloy" });
//   const result = await runtime.loadPath("config.alloy");   // diagnostics; nothing runs on errors
//   runtime.start();                                          // components start
//   await runtime.reload();                                   // SIGHUP, /-/reload
//   await runtime.stop();                                     // graceful, bounded by the deadline
import { platform as currentPlatform, type Platform } from "../platform/mod.ts";
import type { File } from "../syntax/ast.ts";
import { type Diagnostic, Diagnostics, diagnosticsMessage, errorDiagnostic } from "../syntax/diag.ts";
import { createStdlib, type HostInfo } from "../syntax/stdlib/index.ts";
import { NoPosition } from "../syntax/token.ts";
import type { Value } from "../syntax/value/index.ts";
import type { Component, ComponentDefinition, Health } from "./component.ts";
import { Controller, hasErrors } from "./controller/controller.ts";
import type { RuntimeShared } from "./controller/globals.ts";
import { ModuleRegistry } from "./controller/module-registry.ts";
import type { ModuleRuntime } from "./controller/module.ts";
import { Namespace } from "./controller/value-cache.ts";
import type { Stability } from "./featuregate.ts";
import { LogController, type Logger } from "./logging/logger.ts";
import { type MetricFamily, MetricsRegistry } from "./metrics/registry.ts";
import { BuiltinComponentNode } from "./nodes/builtin.ts";
import type { ImportContentHook } from "./nodes/import.ts";
import { TracingConfigHolder, type TracingOptions } from "./nodes/tracing.ts";
import { type BlockNode, type ComponentKind, type ComponentNode, isComponentNode } from "./nodes/types.ts";
import { dirPath, joinPath } from "./paths.ts";
import type { Registry } from "./registry.ts";
import type { Service, ServiceHost } from "./service.ts";
import { parseSources, Source, SourceError, sourceHash } from "./source.ts";
import { userAgent } from "./useragent.ts";

export interface RuntimeOptions {
  /** The components the configuration may use. */
  registry: Registry;
  /** Defaults to the platform of the running runtime. */
  platform?: Platform;
  /** Defaults to logfmt at info level on standard error. */
  logs?: LogController;
  /** `--storage.path`: components get `<storagePath>/<component id>`. Default "data-alloy/". */
  storagePath?: string;
  /** `--stability.level`; default "generally-available". */
  minStability?: Stability;
  /** `--feature.community-components.enabled`. */
  enableCommunityComponents?: boolean;
  /** `--feature.component-shutdown-deadline` in milliseconds; 0 (default) waits without limit. */
  shutdownDeadlineMs?: number;
  /** Host facts for `constants` (hostname, os, arch); defaults come from the platform. */
  hostInfo?: Partial<HostInfo>;
  /** The build version, for `constants.version` and the User-Agent of components' requests. */
  version?: string;
  /** fetch given to components and import.http; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Where controller and component metrics are registered; a new registry by default. */
  metrics?: MetricsRegistry;
  /** Services run by the root controller and configured by their blocks. */
  services?: readonly Service<any>[];
  /** Sees every module loaded by an import block. */
  onImportContent?: ImportContentHook;
  /** Id of a service's isolated controller (see newController); "" (default) is the agent's root. */
  controllerId?: string;
}

/** The outcome of a load or reload. */
export interface LoadResult {
  /** No errors: the configuration is loaded and (when started) running. */
  ok: boolean;
  /** Errors and warnings, with positions where Alloy has them. */
  diagnostics: Diagnostic[];
  /** Alloy's one-line error text when not ok (the first diagnostic and a count of the others). */
  error?: string;
  /** The files that were read, by name, for printing diagnostics with source excerpts. */
  files: ReadonlyMap<string, Uint8Array>;
  /** sha256 (hex) of the files' contents in name order. */
  hash: string;
}

export interface ComponentInfo {
  /** "" for the root module, the module id otherwise (e.g. `foreach.x/foreach_1_1`). */
  moduleId: string;
  /** The id within its module, e.g. `prometheus.scrape.default`. */
  localId: string;
  componentName: string;
  label: string;
  /** "builtin" for registry components, "custom" for declares, imports and foreach. */
  type: "builtin" | "custom";
  kind: ComponentKind;
  health: Health;
  /** Last good arguments: the decoded host value (builtin) or a map of values (custom). */
  arguments: unknown;
  /** Last exports as an Alloy object value (null when none). */
  exports: Value;
  debugInfo: unknown;
  /** Components this one references, and those referencing it (config blocks excluded). */
  references: string[];
  referencedBy: string[];
  /** Components data flows to (the UI's arrows). */
  dataFlowEdgesTo: string[];
  /** Modules the component runs. */
  moduleIds: string[];
  /** For builtin components: the definition (schemas for encoding arguments) and the instance. */
  definition?: ComponentDefinition<any, any>;
  component?: Component<unknown>;
}

export interface RuntimeMetrics {
  /** Every family registered in the runtime's metrics registry, sorted by name. */
  families: MetricFamily[];
}

type SourceInput = Source | ReadonlyMap<string, string | Uint8Array> | Readonly<Record<string, string | Uint8Array>>;

export class Runtime implements ServiceHost {
  readonly platform: Platform;
  readonly logs: LogController;
  readonly logger: Logger;
  readonly metricsRegistry: MetricsRegistry;
  readonly tracing: TracingConfigHolder;
  readonly #root: Controller;
  readonly #modules = new ModuleRegistry<ModuleRuntime>();
  readonly #services: readonly Service<any>[];
  readonly #options: RuntimeOptions;
  #path: string | undefined;
  #files: ReadonlyMap<string, Uint8Array> = new Map();
  #parsed: ReadonlyMap<string, File> = new Map();
  #hash = "";
  #run: { abort: AbortController; done: Promise<void> } | undefined;

  constructor(options: RuntimeOptions) {
    this.platform = options.platform ?? currentPlatform();
    const p = this.platform;
    this.logs = options.logs ?? new LogController({ write: (line) => p.stderr.write(line) });
    this.logger = this.logs.logger();
    this.metricsRegistry = options.metrics ?? new MetricsRegistry();
    this.tracing = new TracingConfigHolder();
    this.#services = options.services ?? [];
    this.#options = options;
    let hostname = "";
    try {
      hostname = p.hostname();
    } catch {
      // constants.hostname stays empty where the host name cannot be read.
    }
    const stdlib = createStdlib({
      env: (name) => p.getEnv(name),
      host: { hostname, os: p.runtime.os, arch: p.runtime.arch, ...options.hostInfo },
      ...(options.version !== undefined ? { version: options.version } : {}),
    });
    const shared: RuntimeShared = {
      registry: options.registry,
      platform: p,
      logs: this.logs,
      logger: this.logger,
      dataPath: options.storagePath ?? "data-alloy/",
      minStability: options.minStability ?? "generally-available",
      userAgent: userAgent(p, options.version),
      enableCommunityComponents: options.enableCommunityComponents ?? false,
      stdlib,
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      shutdownDeadlineMs: options.shutdownDeadlineMs ?? 0,
      moduleRegistry: this.#modules,
      tracing: this.tracing,
      onImportContent: options.onImportContent,
      getServiceData: (name) => {
        const service = this.getService(name);
        if (!service) throw new Error(`service "${name}" does not exist`);
        return service.data();
      },
    };
    this.#root = new Controller({
      shared,
      id: options.controllerId ?? "",
      registerer: this.metricsRegistry,
      services: this.#services,
      serviceHost: this,
    });
  }

  // --- loading -------------------------------------------------------------

  /**
   * Loads sources (a parsed Source, or file contents by name) as the root module. module_path is
   * the directory of `path` (or `path` itself when it is a directory).
   */
  async load(input: SourceInput, options: { path?: string; modulePath?: string } = {}): Promise<LoadResult> {
    let source: Source;
    try {
      source = input instanceof Source ? input : parseSources(input instanceof Map ? input : new Map(Object.entries(input)));
    } catch (e) {
      const files = input instanceof Source ? input.files : toBytes(input);
      return this.#failure(e, files, await sourceHash(files));
    }
    const modulePath = options.modulePath ?? (options.path !== undefined ? await this.#modulePathOf(options.path) : "");
    const hash = await sourceHash(source.files);
    const diagnostics = await this.#root.apply({
      source,
      argScope: Namespace.of({ module_path: modulePath }),
    });
    const ok = !hasErrors(diagnostics);
    if (ok || this.#root.ready) {
      this.#files = source.files;
      this.#parsed = source.parsed;
      this.#hash = hash;
    }
    await this.#root.synchronized();
    const result: LoadResult = { ok, diagnostics, files: source.files, hash };
    if (!ok) result.error = diagnosticsMessage(diagnostics);
    return result;
  }

  /** Reads a file, or the top-level *.alloy files of a directory, and loads them. */
  async loadPath(path: string): Promise<LoadResult> {
    this.#path = path;
    let files: Map<string, Uint8Array>;
    try {
      files = await readSourcePath(this.platform, path);
    } catch (e) {
      return this.#failure(e, new Map(), "");
    }
    return this.load(files, { path });
  }

  /** Reads the last loaded path again (SIGHUP, /-/reload) and logs the outcome. */
  async reload(): Promise<LoadResult> {
    if (this.#path === undefined) throw new Error("reload: no configuration path was loaded");
    const result = await this.loadPath(this.#path);
    if (result.ok) this.logger.info("config reloaded");
    else this.logger.error("failed to reload config", { err: result.error });
    return result;
  }

  #failure(e: unknown, files: ReadonlyMap<string, Uint8Array>, hash: string): LoadResult {
    if (e instanceof Diagnostics) {
      return { ok: false, diagnostics: [...e.diagnostics], error: e.message, files, hash };
    }
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, diagnostics: [errorDiagnostic(NoPosition, NoPosition, message)], error: message, files, hash };
  }

  async #modulePathOf(path: string): Promise<string> {
    const info = await this.platform.fs.stat(path).catch(() => null);
    if (!info) return "";
    return info.isDirectory ? path : dirPath(path);
  }

  /** True once a configuration loaded without errors. */
  get ready(): boolean {
    return this.#root.ready;
  }

  /** The path given to loadPath, if any. */
  get path(): string | undefined {
    return this.#path;
  }

  /** Files of the configuration in use and their hash. */
  get sourceFiles(): ReadonlyMap<string, Uint8Array> {
    return this.#files;
  }

  /** The parsed files of the configuration in use (the UI shows them). */
  get parsedSources(): ReadonlyMap<string, File> {
    return this.#parsed;
  }

  get sourceHash(): string {
    return this.#hash;
  }

  get tracingOptions(): TracingOptions {
    return this.tracing.options;
  }

  // --- running -------------------------------------------------------------

  /** Starts running the loaded components (and those of later loads). */
  start(): void {
    if (this.#run) return;
    const abort = new AbortController();
    this.#run = { abort, done: this.#root.run(abort.signal) };
  }

  get running(): boolean {
    return this.#run !== undefined;
  }

  /**
   * Stops every component and service, each bounded by the shutdown deadline, and resolves when
   * they are stopped.
   */
  async stop(): Promise<void> {
    const run = this.#run;
    if (!run) return;
    run.abort.abort();
    await run.done;
    this.#run = undefined;
  }

  /** Resolves when no node waits for re-evaluation in the root controller (tests, benchmarks). */
  settled(): Promise<void> {
    return this.#root.settled();
  }

  // --- state -----------------------------------------------------------------

  #controller(moduleId: string): Controller | undefined {
    // A service's controller answers to its own id as well (`remotecfg/local.file.x`).
    if (moduleId === "" || moduleId === this.#root.id) return this.#root;
    const module = this.#modules.get(moduleId);
    return module instanceof Controller ? module : undefined;
  }

  /** Components of a module ("" for the root); undefined when the module does not exist. */
  components(moduleId = ""): ComponentInfo[] | undefined {
    const controller = this.#controller(moduleId);
    if (!controller) return undefined;
    return controller.components().map((node) => this.#info(controller, node, moduleId));
  }

  /** One component by its id within its module. */
  component(localId: string, moduleId = ""): ComponentInfo | undefined {
    const controller = this.#controller(moduleId);
    const node = controller?.loader.graph.get(localId);
    if (!controller || !node || !isComponentNode(node)) return undefined;
    return this.#info(controller, node, moduleId);
  }

  /** Import blocks of a module ("" for the root) with their health; they are not components. */
  imports(moduleId = ""): { id: string; health: Health }[] {
    const controller = this.#controller(moduleId);
    if (!controller) return [];
    return [...controller.loader.imports().values()].map((node) => ({ id: node.nodeId, health: node.health() }));
  }

  /** Ids of every running module. */
  moduleIds(): string[] {
    return this.#modules.ids();
  }

  #info(controller: Controller, node: ComponentNode, moduleId: string): ComponentInfo {
    const graph = controller.loader.graph;
    const ids = (nodes: Iterable<BlockNode>) => [...nodes].filter(isComponentNode).map((n) => n.nodeId);
    const info: ComponentInfo = {
      // Components of a service's controller belong to the module named after it (Alloy's ControllerID).
      moduleId: moduleId === "" ? this.#root.id : moduleId,
      localId: node.nodeId,
      componentName: node.componentName,
      label: node.label,
      type: node.kind === "builtin" ? "builtin" : "custom",
      kind: node.kind,
      health: node.health(),
      arguments: node.arguments(),
      exports: node.exportsValue(),
      debugInfo: node.debugInfo(),
      references: ids(graph.dependencies(node)),
      referencedBy: ids(graph.dependants(node)),
      dataFlowEdgesTo: [...node.dataFlowEdgesTo],
      moduleIds: node.moduleIds(),
    };
    if (node instanceof BuiltinComponentNode) {
      info.definition = node.definition;
      if (node.component) info.component = node.component;
    }
    return info;
  }

  /** Controller and component metrics, gathered now. */
  metrics(): RuntimeMetrics {
    return { families: this.metricsRegistry.gather() };
  }

  // --- ServiceHost ------------------------------------------------------------

  getService(name: string): Service<any> | undefined {
    return this.#services.find((s) => s.definition.name === name);
  }

  builtComponents(): Component<unknown>[] {
    const controllers = [this.#root, ...this.#modules.ids().map((id) => this.#modules.get(id))];
    const built: Component<unknown>[] = [];
    for (const controller of controllers) {
      if (!(controller instanceof Controller)) continue;
      for (const node of controller.components()) {
        if (node instanceof BuiltinComponentNode && node.component) built.push(node.component);
      }
    }
    return built;
  }

  newController(id: string): Runtime {
    return new Runtime({
      ...this.#options,
      platform: this.platform,
      logs: this.logs,
      metrics: this.metricsRegistry,
      services: this.#services,
      controllerId: id,
    });
  }
}

export function createRuntime(options: RuntimeOptions): Runtime {
  return new Runtime(options);
}

function toBytes(input: ReadonlyMap<string, string | Uint8Array> | Readonly<Record<string, string | Uint8Array>>) {
  const entries = input instanceof Map ? [...input] : Object.entries(input);
  return new Map(entries.map(([k, v]) => [k, typeof v === "string" ? new TextEncoder().encode(v) : v] as [string, Uint8Array]));
}

/**
 * The files `alloy run <path>` loads: the file itself, or the top-level *.alloy files of a
 * directory, keyed by their path. Throws with Go's wording when nothing can be read.
 */
export async function readSourcePath(p: Platform, path: string): Promise<Map<string, Uint8Array>> {
  const info = await p.fs.stat(path);
  if (!info) throw new SourceError(`stat ${path}: no such file or directory`);
  const files = new Map<string, Uint8Array>();
  if (!info.isDirectory) {
    files.set(path, await readFile(p, path));
    return files;
  }
  for (const entry of await p.fs.readDir(path)) {
    if (entry.isDirectory || !entry.name.endsWith(".alloy")) continue;
    const file = joinPath(path, entry.name);
    // Symbolic links to directories are skipped like directories.
    if (entry.isSymlink && (await p.fs.stat(file))?.isDirectory) continue;
    files.set(file, await readFile(p, file));
  }
  return files;
}

async function readFile(p: Platform, path: string): Promise<Uint8Array> {
  try {
    return await p.fs.readFile(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const reason = code === "ENOENT" ? "no such file or directory" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "is a directory" : (e as Error).message;
    throw new SourceError(`open ${path}: ${reason}`);
  }
}
