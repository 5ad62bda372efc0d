// What every node of one controller shares (Alloy's ComponentGlobals): the registry to build
// components from, the platform, logging, storage, feature gates, metrics, and the hooks back into
// the controller that owns the nodes.
import type { Platform } from "../../platform/mod.ts";
import type { Stdlib } from "../../syntax/stdlib/index.ts";
import type { Value } from "../../syntax/value/index.ts";
import type { Stability } from "../featuregate.ts";
import type { LogController, Logger } from "../logging/logger.ts";
import type { Registerer } from "../metrics/registry.ts";
import type { Registry } from "../registry.ts";
import type { BlockNode } from "../nodes/types.ts";
import type { ModuleController, ModuleRuntime } from "./module.ts";
import type { ModuleRegistry } from "./module-registry.ts";
import type { TracingConfigHolder } from "../nodes/tracing.ts";
import type { ImportContentHook } from "../nodes/import.ts";

/** Options shared by the root controller and every module controller below it. */
export interface RuntimeShared {
  readonly registry: Registry;
  readonly platform: Platform;
  readonly logs: LogController;
  /** The agent's base logger (no controller fields). */
  readonly logger: Logger;
  /** `--storage.path`; components get `<dataPath>/<globalId>`. */
  readonly dataPath: string;
  readonly minStability: Stability;
  /** Alloy's User-Agent with the build version (useragent.ts), given to components. */
  readonly userAgent: string;
  readonly enableCommunityComponents: boolean;
  readonly stdlib: Stdlib;
  readonly fetch: typeof fetch;
  /** Bound on each task's shutdown in milliseconds; 0 waits without limit. */
  readonly shutdownDeadlineMs: number;
  readonly moduleRegistry: ModuleRegistry<ModuleRuntime>;
  readonly tracing: TracingConfigHolder;
  /** Sees every module an import block loads (tooling such as the validator uses it). */
  readonly onImportContent?: ImportContentHook | undefined;
  /** Data of a running service by name (components' getServiceData). */
  getServiceData(name: string): unknown;
}

export interface ControllerGlobals extends RuntimeShared {
  /** "" for the root controller, the module path (`a.b.c/foreach_x_1`) for module controllers. */
  readonly controllerId: string;
  /** Metrics of this controller and its components. */
  readonly registerer: Registerer;
  /** A node published new exports or content: its dependants must be evaluated again. */
  onBlockNodeUpdate(node: BlockNode): void;
  /** The module's export blocks changed (modules only). */
  readonly onExportsChange: ((exports: ReadonlyMap<string, Value>) => void) | undefined;
  /** Creates the controller for the modules a component runs (custom components, foreach). */
  newModuleController(options: { id: string; registerer?: Registerer }): ModuleController;
}

/** `<parent>/<id>`, or the id alone for the root controller (Go's path.Join). */
export function globalIdOf(controllerId: string, nodeId: string): string {
  return controllerId === "" ? nodeId : `${controllerId}/${nodeId}`;
}

/**
 * Splits a global id into the path and id labels Alloy's metrics and logs use:
 * `a/b/c` -> ["/a/b", "c"], `c` -> ["/", "c"], "" -> ["/", ""].
 */
export function pathLabels(globalId: string): [string, string] {
  const i = globalId.lastIndexOf("/");
  const parent = i < 0 ? "" : globalId.slice(0, i);
  return ["/" + parent, globalId.slice(i + 1)];
}
