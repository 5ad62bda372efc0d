// The agent behind `alloy run` and mod.ts's Alloy class: the runtime (controller) with the services
// that make it an agent — the HTTP server (its own routes, pprof, support bundle, component
// handlers), the cluster node, live debugging, remote configuration, the UI — and the metrics they
// share. The CLI adds flags, signals and exit codes on top.
import type { Hono } from "hono";
import type { Platform } from "../platform/mod.ts";
import { labelStore } from "../component/prometheus/labelstore.ts";
import { deferred } from "../runtime/deferred.ts";
import type { Stability } from "../runtime/featuregate.ts";
import type { LogController, Logger } from "../runtime/logging/logger.ts";
import { MetricsRegistry } from "../runtime/metrics/registry.ts";
import type { Registry } from "../runtime/registry.ts";
import { createRuntime, readSourcePath, type LoadResult, type Runtime } from "../runtime/runtime.ts";
import { parseSources, sourceHash, type Source } from "../runtime/source.ts";
import type { Service, ServiceDefinition } from "../runtime/service.ts";
import { createHttpApp } from "./http/app.ts";
import { HttpBlock, type HttpBlockArgs } from "./http/config.ts";
import type { Handler, HttpHost } from "./http/host.ts";
import { pprofRoutes } from "./http/pprof.ts";
import { HttpService } from "./http/server.ts";
import { LiveDebuggingService } from "./livedebugging/service.ts";
import { type ClusterFlags, DEFAULT_CLUSTER_FLAGS } from "./cluster/builder.ts";
import { ClusterService } from "./cluster/service.ts";
import { REMOTECFG_SERVICE, RemotecfgService } from "./remotecfg/service.ts";
import { ConfigMetrics, registerSelfMetrics, type BuildLabels } from "./self-metrics.ts";
import { runtimeUiHost, splitGlobalId } from "./ui-host.ts";
import { UiService } from "./ui/service.ts";

export interface AgentOptions {
  platform: Platform;
  logs: LogController;
  /** The components configurations may use. */
  registry: Registry;
  build: BuildLabels;
  listenAddr: string;
  memoryAddr: string;
  enablePprof: boolean;
  /** `name=value` lines of the run flags for the support bundle; undefined disables the bundle. */
  supportBundleFlags?: string[];
  storagePath: string;
  minStability: Stability;
  enableCommunityComponents: boolean;
  /** 0 waits without limit. */
  shutdownDeadlineMs: number;
  /** `--server.http.ui-path-prefix`. */
  uiPathPrefix: string;
  /** The `--cluster.*` flags; Alloy's defaults (no clustering) for those not given. */
  cluster?: Partial<ClusterFlags>;
}

/** Why the initial load or a reload failed: read errors, or diagnostics to print with their source. */
export class LoadError extends Error {
  constructor(
    message: string,
    readonly result?: LoadResult,
  ) {
    super(message);
  }
}

export class Agent {
  readonly metrics = new MetricsRegistry();
  readonly runtime: Runtime;
  readonly http: HttpService;
  readonly logger: Logger;
  readonly ui: UiService;
  readonly liveDebugging = new LiveDebuggingService();
  readonly remotecfg: RemotecfgService;
  readonly cluster: ClusterService;
  readonly #configMetrics: ConfigMetrics;
  /** Resolves with the bound port once the HTTP server listens (the cluster advertises it for port 0). */
  #listening = deferred<number>();
  /** Aborted by stop(): ends a wait for the participant state that outlived the run. */
  #stopping = new AbortController();
  #path: string | undefined;
  /** The path of the configuration last loaded, for the remote configuration's module_path. */
  #configPath: string | undefined;

  constructor(private readonly options: AgentOptions) {
    const { platform, logs } = options;
    this.logger = logs.logger();
    registerSelfMetrics(this.metrics, platform, options.build);
    // The process-wide label store's metrics (Alloy's labelstore service registers them likewise).
    this.metrics.register(labelStore().metrics);
    this.#configMetrics = new ConfigMetrics(this.metrics);
    // Alloy builds the cluster service first: its flag errors stop the agent before anything else.
    this.cluster = new ClusterService({
      platform,
      logger: this.logger.with({ service: "cluster" }),
      metrics: this.metrics,
      listenAddr: options.listenAddr,
      flags: { ...DEFAULT_CLUSTER_FLAGS, ...options.cluster },
      boundPort: () => this.#listening.promise,
    });
    this.remotecfg = new RemotecfgService({
      platform,
      logger: this.logger.with({ service: "remotecfg" }),
      storagePath: options.storagePath,
      metrics: this.metrics,
      version: options.build.version,
      configPath: () => this.#configPath,
    });
    this.http = new HttpService({
      platform,
      logger: this.logger.with({ service: "http" }),
      listenAddr: options.listenAddr,
      memoryAddr: options.memoryAddr,
    });
    this.runtime = createRuntime({
      registry: options.registry,
      platform,
      logs,
      storagePath: options.storagePath,
      minStability: options.minStability,
      enableCommunityComponents: options.enableCommunityComponents,
      shutdownDeadlineMs: options.shutdownDeadlineMs,
      version: options.build.version,
      fetch: this.http.fetch,
      metrics: this.metrics,
      // Service<Args> as Service<unknown>: the runtime decodes each block with the service's schema.
      services: [
        this.cluster as Service<unknown>,
        this.#httpServiceNode() as Service<unknown>,
        this.liveDebugging as Service<unknown>,
        this.remotecfg as Service<unknown>,
      ],
    });
    this.ui = new UiService({
      host: runtimeUiHost(this.runtime, {
        liveDebugging: this.liveDebugging.registry,
        peers: () => this.cluster.peers(),
        remoteConfig: () => this.remotecfg.host(),
      }),
      prefix: options.uiPathPrefix,
      logger: this.logger.with({ service: "ui" }),
    });
  }

  /**
   * The start-up work that may fail before the first load (the cluster's TLS files and node, with
   * Alloy's messages). start() does it too; call it first to fail early.
   */
  async prepare(): Promise<void> {
    await this.cluster.prepare();
  }

  /** The HTTP server as a service of the graph: configured by the `http` block, started after the first good load. */
  #httpServiceNode(): Service<HttpBlockArgs> {
    // Alloy's http depends on remotecfg, whose controller its component routes reach.
    const definition: ServiceDefinition<HttpBlockArgs> = {
      name: "http",
      stability: "generally-available",
      args: HttpBlock,
      dependsOn: [REMOTECFG_SERVICE],
    };
    return {
      definition,
      update: (args) => this.http.apply(args),
      data: () => ({ listenAddr: this.options.listenAddr, memoryAddr: this.options.memoryAddr, fetch: this.http.fetch }),
      run: async (_host, signal) => {
        await this.http.start(this.app());
        this.#listening.resolve(this.http.port!);
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
        await this.http.stop();
      },
    };
  }

  #app: Hono | undefined;

  /** The agent's HTTP app (also reachable in memory through http.fetch). */
  app(): Hono {
    this.#app ??= createHttpApp({
      host: this.httpHost(),
      metrics: this.metrics,
      logger: this.logger.with({ service: "http" }),
      ready: () => this.runtime.ready,
      reload: async () => {
        const result = await this.reload();
        if (!result.ok) throw new Error(result.error ?? "reload failed");
      },
      basicAuth: () => this.http.basicAuth(),
      serviceRoutes: [this.cluster.route, this.ui.route],
      ...(this.options.enablePprof ? { pprof: pprofRoutes(this.options.platform) } : {}),
      ...(this.options.supportBundleFlags
        ? {
            supportBundle: {
              platform: this.options.platform,
              version: this.options.build.version,
              fetchLocal: (path: string) => this.http.fetch(`http://${this.options.memoryAddr}${path}`),
              sources: () => this.redactedSources(),
              runtimeFlags: this.options.supportBundleFlags,
              captureLogs: () => this.options.logs.capture(),
            },
          }
        : {}),
    });
    return this.#app;
  }

  /** What the HTTP routes need from the runtime. */
  httpHost(): HttpHost {
    // Ids under `remotecfg/` belong to the remotecfg service's controller (/api/v0/component/remotecfg/…).
    const find = (globalId: string) => {
      const { moduleId, localId } = splitGlobalId(globalId);
      if (moduleId === REMOTECFG_SERVICE || moduleId.startsWith(`${REMOTECFG_SERVICE}/`)) {
        return this.remotecfg.data().host?.component(localId, moduleId);
      }
      return this.runtime.component(localId, moduleId);
    };
    return {
      listComponents: (moduleId) => {
        const components = this.runtime.components(moduleId);
        if (!components) throw new Error("module not found");
        return components.map((c) => ({ name: c.componentName, health: c.health.state }));
      },
      componentExists: (globalId) => find(globalId) !== undefined,
      componentHandler: (globalId): Handler | undefined => {
        const component = find(globalId)?.component;
        return component?.handler ? (request) => component.handler!(request) : undefined;
      },
    };
  }

  /** The configuration files in use, as text; secrets are redacted by the syntax printer. */
  redactedSources(): Map<string, string> {
    const decoder = new TextDecoder();
    return new Map([...this.runtime.sourceFiles].map(([path, bytes]) => [path, decoder.decode(bytes)]));
  }

  /**
   * Loads the configuration at path (a file, or a directory of *.alloy files). Rejects with a
   * LoadError: a read failure, or diagnostics (LoadError.result) on the first load.
   */
  async load(path: string): Promise<LoadResult> {
    this.#path = path;
    let files: Map<string, Uint8Array>;
    try {
      files = await readSourcePath(this.options.platform, path);
    } catch (error) {
      this.#configMetrics.record(false, "0".repeat(64), this.#clusterName);
      throw new LoadError(`reading config path "${path}": ${(error as Error).message}`);
    }
    return this.loadFiles(files, path);
  }

  /** Loads configuration files given by name (embedding, converted sources); path sets module_path. */
  async loadFiles(files: ReadonlyMap<string, Uint8Array>, path?: string): Promise<LoadResult> {
    this.#configPath = path;
    // Alloy's config metrics count a load as successful when it parsed; evaluation errors do not count.
    let source: Source | undefined;
    try {
      source = parseSources(files);
    } catch {
      // The runtime reports the same diagnostics below.
    }
    this.#configMetrics.record(source !== undefined, await sourceHash(files), this.#clusterName);
    return this.runtime.load(source ?? files, path === undefined ? {} : { path });
  }

  get #clusterName(): string {
    return this.options.cluster?.name ?? "";
  }

  /**
   * Starts the components and services of the loaded configuration, then makes the cluster node a
   * participant as Alloy does after the initial load: when it already has peers, this resolves
   * once they were told. Rejects with Alloy's message when the node cannot change state.
   */
  async start(): Promise<void> {
    await this.prepare();
    if (this.#stopping.signal.aborted) {
      // Started again after stop() (embedding): a new run, a new node.
      this.#stopping = new AbortController();
      this.#listening = deferred<number>();
    }
    this.runtime.start();
    try {
      await this.cluster.changeState("participant", this.#stopping.signal);
    } catch (error) {
      if (this.#stopping.signal.aborted) return;
      this.logger.debug("changing the cluster state failed", { err: (error as Error).message });
      throw new Error("failed to set clusterer state to Participant after initial load");
    }
  }

  /** Reads the configuration again (SIGHUP, /-/reload); the last good state stays on errors. */
  async reload(): Promise<LoadResult> {
    if (this.#path === undefined) throw new Error("reload: no configuration was loaded");
    let result: LoadResult;
    try {
      result = await this.load(this.#path);
    } catch (error) {
      this.logger.error("failed to reload config", { err: (error as Error).message });
      return { ok: false, diagnostics: [], error: (error as Error).message, files: new Map(), hash: "" };
    }
    if (result.ok) this.logger.info("config reloaded");
    else this.logger.error("failed to reload config", { err: result.error });
    return result;
  }

  /** Stops components and services; the cluster node leaves its peers on the way (terminating first). */
  async stop(): Promise<void> {
    this.#stopping.abort(new Error("agent stopped"));
    // Open UI streams (live debugging, graph) would hold the HTTP server's graceful close.
    this.ui.close();
    await this.runtime.stop();
    await this.cluster.shutdown();
  }
}
