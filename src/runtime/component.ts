// The component contract (DESIGN.md): a component is declared once — name, stability, community
// flag, argument and export schemas, constructor — and the controller builds, runs, updates and
// stops it. Components live in src/component/; this layer only defines what they look like, so the
// controller can run any registry it is given (the built-in one, tests' own, an embedder's).
import type { Platform } from "../platform/mod.ts";
import type { StructType } from "../syntax/schema/index.ts";
import type { Stability } from "./featuregate.ts";
import type { Logger } from "./logging/logger.ts";
import type { Registerer } from "./metrics/registry.ts";

export type HealthState = "unknown" | "healthy" | "unhealthy" | "exited";

export interface Health {
  state: HealthState;
  message: string;
  /** When the state was reported. */
  updatedAt: Date;
}

/** What a running component gets from the controller. */
export interface ComponentContext<Exports> {
  /** The component's id within its module, e.g. `prometheus.scrape.default`. */
  readonly id: string;
  /** The id including the module path, unique in the whole process (`/`-separated for modules). */
  readonly globalId: string;
  readonly logger: Logger;
  /** `<storage.path>/<globalId>/`, created on demand by the component. */
  readonly dataPath: string;
  readonly platform: Platform;
  /**
   * fetch that reaches the agent's in-memory HTTP address without a socket, and the network for
   * everything else.
   */
  readonly fetch: typeof fetch;
  /**
   * Where the component registers its own metrics; every sample gets the component_path and
   * component_id labels (Alloy's component.Options.Registerer).
   */
  readonly registerer: Registerer;
  /**
   * `--stability.level` (Alloy's Options.MinStability): components refuse their experimental
   * arguments below it, with Alloy's messages (checkStability / experimentalArgumentError).
   */
  readonly minStability: Stability;
  /** Alloy's User-Agent for outbound requests, `Alloy/<version> (<os>; <deploy mode>)` (useragent.ts). */
  readonly userAgent: string;
  /** Data a service shares with components (Alloy's GetServiceData); throws for unknown services. */
  getServiceData(name: string): unknown;
  /** Publishes new exports; dependants are re-evaluated when they differ from the last ones. */
  onStateChange(exports: Exports): void;
}

export interface Component<Args> {
  /** Runs until the signal aborts; a rejection is reported as the component exiting with an error. */
  run(signal: AbortSignal): Promise<void>;
  /** Called with new arguments only when they differ from the current ones. */
  update(args: Args): void | Promise<void>;
  health?(): Health | undefined;
  debugInfo?(): unknown;
  /** HTTP handler mounted at /api/v0/component/<id>/ (the request URL keeps the full path). */
  handler?(request: Request): Response | Promise<Response>;
  /**
   * Marks a component that publishes live-debugging data (Alloy's component.LiveDebugging); never
   * called. How to publish: src/service/livedebugging/livedebugging.ts.
   */
  liveDebugging?(): void;
  /**
   * The cluster's peers or readiness changed (Alloy's cluster.Component): called by the cluster
   * service, at most once a second, on every component of every module that has it. Components
   * that do not use clustering at the moment ignore it. Must not block; re-balance asynchronously.
   */
  notifyClusterChange?(): void;
}

export interface ComponentDefinition<Args = unknown, Exports = unknown> {
  /** Dot-separated name, e.g. `prometheus.scrape`. */
  name: string;
  stability: Stability;
  /** Community components are off unless --feature.community-components.enabled. */
  community?: boolean;
  args: StructType<Args>;
  exports?: StructType<Exports>;
  build(context: ComponentContext<Exports>, args: Args): Component<Args> | Promise<Component<Args>>;
}

/** Declares a component; the identity function that lets TypeScript infer Args and Exports. */
export function defineComponent<Args, Exports = Record<string, never>>(
  definition: ComponentDefinition<Args, Exports>,
): ComponentDefinition<Args, Exports> {
  return definition;
}
