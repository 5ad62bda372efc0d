// The hook for services: long-running parts of the agent that are not components (http, cluster,
// remotecfg, livedebugging, labelstore, otel, ui). A service is a node of the root graph named
// after it; a top-level block with its name configures it. The services themselves arrive with
// their own issues; the controller only needs this contract.
import type { StructType } from "../syntax/schema/index.ts";
import type { Component } from "./component.ts";
import type { Stability } from "./featuregate.ts";
import type { Runtime } from "./runtime.ts";

/** Names Alloy gives its services; a top-level block with one of these names is a service block. */
export const SERVICE_NAMES: readonly string[] = ["http", "remotecfg", "livedebugging", "cluster", "labelstore", "otel", "ui"];

export interface ServiceDefinition<Args = unknown> {
  name: string;
  stability: Stability;
  /** Schema of the service's config block; absent when the service cannot be configured. */
  args?: StructType<Args>;
  /** Services this one uses; they are evaluated and started first. */
  dependsOn?: readonly string[];
}

/** What the runtime offers a running service (Alloy's service.Host, reduced to what exists). */
export interface ServiceHost {
  /** Another service by name. */
  getService(name: string): Service<any> | undefined;
  /**
   * A new, not yet started, isolated controller for a service's own components (Alloy's
   * host.NewController): a module-like root whose components get global ids `<id>/<local id>`, with
   * its own modules, sharing the agent's registry, storage path, metrics and services.
   */
  newController(id: string): Runtime;
  /**
   * The built components of the controller and of every module below it (Alloy's
   * component.GetAllComponents), e.g. for the cluster service's change notification.
   */
  builtComponents(): Component<unknown>[];
}

export interface Service<Args = unknown> {
  readonly definition: ServiceDefinition<Args>;
  /** Runs until the signal aborts. */
  run(host: ServiceHost, signal: AbortSignal): Promise<void>;
  /** New configuration; called only when it differs from the last one. */
  update(args: Args): void | Promise<void>;
  /** Data the service shares with components (GetServiceData). */
  data(): unknown;
}
