// alloy-ts's embedding API: what a Bun, Deno or Node program imports to run the agent from code,
// add its own components, or use the configuration language. It re-exports nothing internal.
//
//   import { Alloy, defineComponent } from "alloy-ts/mod.ts";
//   const alloy = new Alloy({ config: 'local.file "motd" { filename = "/etc/motd" }' });
//   await alloy.start();
//   console.log(alloy.component("local.file.motd")?.exports);
//   await alloy.stop();
import { buildInfo as readBuildInfo, VERSION, type BuildInfo } from "./src/cli/build-info.ts";
import { main } from "./src/cli/main.ts";
import { builtinRegistry } from "./src/component/registry.ts";
import { platform } from "./src/platform/mod.ts";
import type { ComponentDefinition, HealthState } from "./src/runtime/component.ts";
import type { Stability } from "./src/runtime/featuregate.ts";
import { LogController, type LogFormat, type LogLevel } from "./src/runtime/logging/logger.ts";
import type { LoadResult } from "./src/runtime/runtime.ts";
import { Agent } from "./src/service/agent.ts";
import type { ClusterFlags } from "./src/service/cluster/builder.ts";
import { formatDiagnostics } from "./src/syntax/diag.ts";
import { parseFile } from "./src/syntax/parser.ts";
import { format as formatSource } from "./src/syntax/printer.ts";
import { toJS } from "./src/syntax/value/index.ts";
import { evaluateExpression, Scope } from "./src/syntax/vm/index.ts";
import type { File } from "./src/syntax/ast.ts";

export { VERSION };
export type { BuildInfo };
export { LogController, Logger, type LogFormat, type LogLevel, type LogSink } from "./src/runtime/logging/logger.ts";
export { defineComponent, type Component, type ComponentContext, type ComponentDefinition, type Health, type HealthState } from "./src/runtime/component.ts";
export { attr, block, blocks, struct, t } from "./src/syntax/schema/index.ts";
// Clustering for components of your own: `clusterOf(context)` is the cluster (undefined without
// one); give the component a `notifyClusterChange() {}` method to re-balance when peers change.
export { clusterOf, type Cluster, type ClusterPeer, type ShardOp } from "./src/runtime/cluster.ts";
export { DistributedTargets } from "./src/component/discovery/distributed-targets.ts";
export { nonMetaLabelsHash, specificLabelsHash } from "./src/wire/labels/target-hash.ts";
export { stringKey } from "./src/service/cluster/ckit/keys.ts";
export type { ClusterFlags as ClusterOptions } from "./src/service/cluster/builder.ts";
// Live debugging for components of your own: `context.getServiceData("livedebugging")` is a
// DebugDataPublisher; give the component a `liveDebugging() {}` method (see the module's comment).
export { newData as newLiveDebuggingData, type Data as LiveDebuggingData, type DataType as LiveDebuggingDataType, type DebugDataPublisher } from "./src/service/livedebugging/livedebugging.ts";

/** Version, revision, runtime and platform of this build. */
export function buildInfo(): Promise<BuildInfo> {
  return readBuildInfo(platform());
}

/** Runs the `alloy` command line with the given arguments and resolves with its exit code. */
export function runCli(args: string[]): Promise<number> {
  return main(platform(), args);
}

/** Parses Alloy configuration text; throws an error listing every diagnostic (file:line:col: message). */
export function parse(source: string, filename = "config.alloy"): File {
  return parseFile(filename, source);
}

/** Formats Alloy configuration text as `alloy fmt` does. */
export function format(source: string, filename = "config.alloy"): string {
  return formatSource(source, filename);
}

/** Evaluates an Alloy expression (with the standard library) to a plain JavaScript value. */
export function evaluate(expression: string, variables: Record<string, unknown> = {}): unknown {
  return toJS(evaluateExpression(expression, Scope.fromJS(variables)));
}

export interface AlloyOptions {
  /** Configuration text; or give `path`. */
  config?: string;
  /** A configuration file, or a directory of *.alloy files. */
  path?: string;
  /** Components of your own, next to the built-in ones. */
  components?: ComponentDefinition<any, any>[];
  /** HTTP listen address; "127.0.0.1:0" (a free port) by default. */
  listenAddr?: string;
  storagePath?: string;
  minStability?: Stability;
  enableCommunityComponents?: boolean;
  logLevel?: LogLevel;
  logFormat?: LogFormat;
  /** Where log lines go; standard error by default. */
  log?: (line: string) => void;
  /**
   * Clustering, as `alloy run`'s --cluster.* flags (rejoinIntervalMs in milliseconds, waitTimeout
   * in nanoseconds); without it the agent is a cluster of one, as Alloy is by default.
   */
  cluster?: Partial<ClusterFlags>;
}

export interface AlloyComponent {
  id: string;
  name: string;
  health: { state: HealthState; message: string };
  arguments: unknown;
  /** Exports as plain JavaScript values (secrets stay opaque). */
  exports: unknown;
}

/** The configuration did not load; `diagnostics` is the text `alloy run` prints. */
export class AlloyLoadError extends Error {
  constructor(
    message: string,
    readonly diagnostics: string,
  ) {
    super(message);
  }
}

/** An agent in this process: load, start, reload, stop, and read component state. */
export class Alloy {
  readonly #agent: Agent;
  #config: string | undefined;
  readonly #path: string | undefined;

  constructor(options: AlloyOptions) {
    if ((options.config === undefined) === (options.path === undefined)) throw new Error("give exactly one of config and path");
    const p = platform();
    const logs = new LogController(
      { write: options.log ?? ((line) => p.stderr.write(line)) },
      { level: options.logLevel ?? "info", format: options.logFormat ?? "logfmt" },
    );
    this.#config = options.config;
    this.#path = options.path;
    this.#agent = new Agent({
      platform: p,
      logs,
      registry: builtinRegistry(options.components ?? []),
      build: { version: VERSION, revision: "", branch: "", runtime: p.runtime.name, runtimeVersion: p.runtime.version, os: p.runtime.os, arch: p.runtime.arch },
      listenAddr: options.listenAddr ?? "127.0.0.1:0",
      memoryAddr: "alloy.internal:12345",
      enablePprof: false,
      storagePath: options.storagePath ?? "data-alloy/",
      minStability: options.minStability ?? "generally-available",
      enableCommunityComponents: options.enableCommunityComponents ?? false,
      shutdownDeadlineMs: 10 * 60 * 1000,
      ...(options.cluster ? { cluster: options.cluster } : {}),
      uiPathPrefix: "/",
    });
  }

  async #load(): Promise<LoadResult> {
    if (this.#path !== undefined) return this.#agent.load(this.#path);
    return this.#agent.loadFiles(new Map([["config.alloy", new TextEncoder().encode(this.#config!)]]));
  }

  /** Loads the configuration and starts it; rejects with AlloyLoadError when it does not load. */
  async start(): Promise<void> {
    const result = await this.#load();
    if (!result.ok) throw new AlloyLoadError(result.error ?? "load failed", formatDiagnostics(result.diagnostics, result.files));
    await this.#agent.start();
  }

  /**
   * Loads the configuration again (new text when given). On errors the last good state keeps
   * running and the result says why.
   */
  async reload(config?: string): Promise<{ ok: boolean; error?: string }> {
    if (config !== undefined) {
      if (this.#path !== undefined) throw new Error("this Alloy runs a path; edit the files and reload()");
      this.#config = config;
    }
    const result = await this.#load();
    return result.ok ? { ok: true } : { ok: false, error: result.error ?? "reload failed" };
  }

  async stop(): Promise<void> {
    await this.#agent.stop();
  }

  /** The port the HTTP server listens on, once started. */
  get httpPort(): number | undefined {
    return this.#agent.http.port;
  }

  /** Components of the root module. */
  components(): AlloyComponent[] {
    return (this.#agent.runtime.components("") ?? []).map((info) => this.component(info.localId)!);
  }

  /** One component of the root module by id, e.g. "local.file.motd". */
  component(id: string): AlloyComponent | undefined {
    const info = this.#agent.runtime.component(id);
    if (!info) return undefined;
    return {
      id: info.localId,
      name: info.componentName,
      health: { state: info.health.state, message: info.health.message },
      arguments: info.arguments,
      exports: toJS(info.exports),
    };
  }

  /** fetch against the agent's own HTTP app (e.g. "/metrics"), without a socket. */
  fetch(path: string, init?: RequestInit): Promise<Response> {
    return this.#agent.http.fetch(`http://alloy.internal:12345${path}`, init);
  }
}

/** Starts an agent and resolves once it runs. */
export async function run(options: AlloyOptions): Promise<Alloy> {
  const alloy = new Alloy(options);
  await alloy.start();
  return alloy;
}
