// The UI's view of the runtime (UiHost): component lists and details in the shapes Alloy's web API
// returns, arguments and exports encoded as alloyjson bodies (secrets stay capsules: "(secret)").
import type { ComponentInfo, Runtime } from "../runtime/runtime.ts";
import type { LiveDebugging, LiveDebuggingHost } from "./livedebugging/livedebugging.ts";
import { marshalBody, marshalValue, type JsonStatement } from "../syntax/alloyjson/index.ts";
import { fromJS, ObjectValue, type Value } from "../syntax/value/index.ts";
import type { UiComponentDetail, UiComponentInfo, UiComponentSource, UiHost, UiLiveDebugging, UiPeer } from "./ui/host.ts";

/** An object value as a body of attributes (exports, custom components' arguments, debug info). */
function attributes(value: Value): JsonStatement[] {
  if (!(value instanceof ObjectValue)) return [];
  return [...value.entries].map(([name, v]) => ({ name, type: "attr" as const, value: marshalValue(v) }));
}

function plainAttributes(data: unknown): JsonStatement[] {
  if (data === null || data === undefined || typeof data !== "object") return [];
  try {
    return attributes(fromJS(data));
  } catch {
    return [];
  }
}

/** Whether the component has the live-debugging marker (Alloy's component.LiveDebugging). */
export function supportsLiveDebugging(info: ComponentInfo): boolean {
  return typeof info.component?.liveDebugging === "function";
}

const globalIdOf = (info: ComponentInfo) => (info.moduleId ? `${info.moduleId}/${info.localId}` : info.localId);

function summary(info: ComponentInfo): UiComponentInfo {
  return {
    name: info.componentName,
    localID: info.localId,
    moduleID: info.moduleId,
    ...(info.label ? { label: info.label } : {}),
    referencesTo: info.references,
    referencedBy: info.referencedBy,
    dataFlowEdgesTo: info.dataFlowEdgesTo,
    health: { state: info.health.state, message: info.health.message, updatedTime: info.health.updatedAt },
    createdModuleIDs: info.moduleIds,
    liveDebuggingEnabled: supportsLiveDebugging(info),
  };
}

function detail(info: ComponentInfo): UiComponentDetail {
  const args = info.definition ? marshalBody(info.definition.args, info.arguments) : plainAttributes(info.arguments);
  return {
    ...summary(info),
    arguments: args,
    exports: attributes(info.exports),
    debugInfo: plainAttributes(info.debugInfo),
  };
}

/** Splits a global id (`module/path/local.id`) at its last "/". */
export function splitGlobalId(globalId: string): { moduleId: string; localId: string } {
  const slash = globalId.lastIndexOf("/");
  return slash === -1 ? { moduleId: "", localId: globalId } : { moduleId: globalId.slice(0, slash), localId: globalId.slice(slash + 1) };
}

/** The runtime's components as the live-debugging registry checks subscriptions against them. */
export function liveDebuggingHost(runtime: Runtime): LiveDebuggingHost {
  return {
    getComponent: (globalId) => {
      const { moduleId, localId } = splitGlobalId(globalId);
      const info = runtime.component(localId, moduleId);
      return info ? { componentName: info.componentName, liveDebugging: supportsLiveDebugging(info) } : undefined;
    },
    listComponents: (moduleId) => {
      const components = runtime.components(moduleId);
      if (!components) throw new Error("module not found");
      return components.map((info) => ({ globalId: globalIdOf(info), liveDebugging: supportsLiveDebugging(info) }));
    },
  };
}

/**
 * The registry as the UI streams use it. The UI API checks a `/debug` subscription itself (enabled,
 * component found, supported, with Alloy's messages) and the graph picks the supporting components,
 * so subscribing only registers.
 */
export function uiLiveDebugging(registry: LiveDebugging): UiLiveDebugging {
  return {
    enabled: () => registry.enabled,
    subscribe: (componentIDs, callback) => {
      const callbackID = crypto.randomUUID();
      const ids = [...componentIDs];
      registry.register(callbackID, ids, callback);
      return () => registry.unregister(callbackID, ids);
    },
  };
}

/** The components of one runtime (the agent's, or a service's controller) as the UI lists them. */
export function runtimeComponentSource(runtime: Runtime): UiComponentSource {
  return {
    listComponents: (moduleId) => runtime.components(moduleId)?.map(summary),
    getComponent: (globalId) => {
      const { moduleId, localId } = splitGlobalId(globalId);
      const info = runtime.component(localId, moduleId);
      return info ? detail(info) : undefined;
    },
  };
}

export interface RuntimeUiHostOptions {
  liveDebugging?: LiveDebugging;
  /** The cluster's sharder peers; undefined while the cluster service does not run. */
  peers?: () => readonly UiPeer[] | undefined;
  /** The remotecfg service's controller; throws "remote config service startup in progress" while it has none. */
  remoteConfig?: () => Runtime;
}

export function runtimeUiHost(runtime: Runtime, options: RuntimeUiHostOptions = {}): UiHost {
  const remoteConfig = options.remoteConfig;
  return {
    ...runtimeComponentSource(runtime),
    ...(remoteConfig ? { remoteConfig: () => runtimeComponentSource(remoteConfig()) } : {}),
    ...(options.peers ? { peers: options.peers } : {}),
    ...(options.liveDebugging ? { liveDebugging: uiLiveDebugging(options.liveDebugging) } : {}),
  };
}
