// The UI's view of the runtime (UiHost): component lists and details in the shapes Alloy's web API
// returns, arguments and exports encoded as alloyjson bodies (secrets stay capsules: "(secret)").
import type { ComponentInfo, Runtime } from "../runtime/runtime.ts";
import { marshalBody, marshalValue, type JsonStatement } from "../syntax/alloyjson/index.ts";
import { fromJS, ObjectValue, type Value } from "../syntax/value/index.ts";
import type { UiComponentDetail, UiComponentInfo, UiHost } from "./ui/host.ts";

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
    liveDebuggingEnabled: false,
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

export function runtimeUiHost(runtime: Runtime): UiHost {
  return {
    listComponents: (moduleId) => runtime.components(moduleId)?.map(summary),
    getComponent: (globalId) => {
      const { moduleId, localId } = splitGlobalId(globalId);
      const info = runtime.component(localId, moduleId);
      return info ? detail(info) : undefined;
    },
  };
}
