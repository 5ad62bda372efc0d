// What the UI service needs from the rest of the agent, and nothing more. The CLI adapts the
// controller, the cluster service and the live-debugging service to this; tests use a small fake.
// Alloy's texts for the API's errors live in api.ts, so a host only answers questions.
import type { HealthState } from "../../runtime/component.ts";
import type { JsonStatement } from "../../syntax/alloyjson/index.ts";

/**
 * A body in Alloy's alloyjson encoding (src/syntax/alloyjson): the marshalled statements
 * (`marshalBody`), or their JSON text (`marshalBodyJSON`), inserted as it is.
 */
export type UiBody = readonly JsonStatement[] | string;

export interface UiComponentHealth {
  state: HealthState;
  message?: string;
  /** When the health was last reported; Go's zero time when absent. */
  updatedTime?: Date;
}

/** What the component list shows (Alloy's component.Info with health only). */
export interface UiComponentInfo {
  /** Block name, e.g. `prometheus.scrape`. */
  name: string;
  /** Id within its module, e.g. `prometheus.scrape.default`. */
  localID: string;
  /** The module the component runs in; "" for the root module. */
  moduleID: string;
  /** Block label; absent or "" for singletons. */
  label?: string;
  /** Ids of components in the same module this one references. */
  referencesTo?: readonly string[];
  /** Ids of components in the same module that reference this one. */
  referencedBy?: readonly string[];
  /** Ids of components this one sends data to. */
  dataFlowEdgesTo?: readonly string[];
  health: UiComponentHealth;
  /** Modules run by this component (declare'd custom components, import.*, module.*, foreach). */
  createdModuleIDs?: readonly string[];
  /** Whether the component publishes live-debugging data. */
  liveDebuggingEnabled?: boolean;
}

/** One component with its current arguments, exports and debug info. */
export interface UiComponentDetail extends UiComponentInfo {
  arguments?: UiBody;
  exports?: UiBody;
  debugInfo?: UiBody;
}

/** The components of one controller (the root one, or remotecfg's). */
export interface UiComponentSource {
  /**
   * The components of a module ("" is the root module), in the controller's order; undefined when
   * there is no such module. A thrown error becomes a 500 with its message.
   */
  listComponents(moduleID: string): readonly UiComponentInfo[] | undefined;
  /** A component by global id (`<moduleID>/<localID>`, or the local id in the root module). */
  getComponent(globalID: string): UiComponentDetail | undefined;
}

/** A cluster peer as ckit marshals it. */
export interface UiPeer {
  name: string;
  addr: string;
  isSelf: boolean;
  state: "viewer" | "participant" | "terminating";
}

export type LiveDebuggingDataType =
  | "target"
  | "prometheus_metric"
  | "loki_log"
  | "otel_metric"
  | "otel_log"
  | "otel_trace";

/** What a component publishes to live debugging (Alloy's livedebugging.Data). */
export interface LiveDebuggingData {
  /** Global id of the component that produced the data. */
  componentID: string;
  type: LiveDebuggingDataType;
  /** How many spans, samples, log lines or targets the data stands for. */
  count: number;
  /** Consumers the data goes to, for components that route by signal; all consumers when absent. */
  targetComponentIDs?: readonly string[];
  /** The text shown in the live-debugging stream; only called when someone streams it. */
  dataFunc(): string;
}

export interface UiLiveDebugging {
  /** Whether the `livedebugging` block enables it (needed for /debug, not for the graph). */
  enabled(): boolean;
  /**
   * Calls back with the data of the given components (global ids) until the returned function is
   * called. A thrown error becomes a 500 with its message (e.g. "the live debugging service is
   * not ready yet").
   */
  subscribe(componentIDs: readonly string[], callback: (data: LiveDebuggingData) => void): () => void;
}

export interface UiHost extends UiComponentSource {
  /**
   * The remotecfg service's controller, for `/remotecfg/...` routes and ids starting `remotecfg/`.
   * Throws Alloy's "remote config service startup in progress" while it has none; absent means
   * "remote config service not available".
   */
  remoteConfig?(): UiComponentSource;
  /**
   * The cluster's sharder peers (participants and terminating nodes); undefined, or absent, when
   * the cluster service is not running.
   */
  peers?(): readonly UiPeer[] | undefined;
  /** Absent when there is no live-debugging service (then /debug reports it disabled). */
  liveDebugging?: UiLiveDebugging;
}
