// Live debugging (Alloy's internal/service/livedebugging): components publish what passes through
// them, and the UI's /debug/{id} and /graph streams subscribe to it. Publishing costs nothing while
// nobody listens: the text of an item is a function, called only when a stream shows it.
//
// ## For component authors
//
// A component that supports live debugging does two things:
//
// 1. It has a `liveDebugging()` method (Alloy's `component.LiveDebugging` marker; never called).
//    That is how the UI knows to offer the "Live debugging" page and how `/debug/{id}` tells
//    supported components from the others.
// 2. It publishes through the service's data, as Alloy's components do:
//
//    ```ts
//    import type { DebugDataPublisher } from "../../service/livedebugging/livedebugging.ts";
//    build(context, args) {
//      const debug = context.getServiceData("livedebugging") as DebugDataPublisher;
//      return {
//        liveDebugging() {},
//        async run(signal) { ... },
//        update(next) { ... },
//        // wherever a batch passes through the component:
//        //   debug.publishIfActive(newData(context.globalId, "loki_log", entries.length,
//        //     () => entries.map((e) => e.line).join("\n")));
//      };
//    }
//    ```
//
//    `componentID` is the component's global id (`context.globalId`). `count` is how many samples,
//    log lines, spans or targets the item stands for (the graph shows it as a rate, even when the
//    `livedebugging` block is off). `dataFunc` builds the text a `/debug` stream shows; it runs only
//    when a stream listens, so keep the formatting inside it. Check `isActive(componentID)` first
//    when even building the item costs something. Components that route by signal (OpenTelemetry)
//    name their consumers with `targetComponentIDs`.
//
// The registry follows Alloy's CallbackManager and DebugDataPublisher: callbacks by component id
// and callback id; `/debug` needs the `livedebugging { enabled = true }` block, the graph does not;
// turning the block off drops every callback.

/** What kind of data an item carries (Alloy's livedebugging.DataType). */
export type DataType = "target" | "prometheus_metric" | "loki_log" | "otel_metric" | "otel_log" | "otel_trace";

/** One item of live-debugging data (Alloy's livedebugging.Data). */
export interface Data {
  /** Global id of the component that produced the data. */
  readonly componentID: string;
  /**
   * Ids of the components that consume the data, for components that send different data to
   * different consumers; absent means every consumer of the component.
   */
  readonly targetComponentIDs?: readonly string[];
  readonly type: DataType;
  /** How many spans, samples, log lines or targets the data stands for. */
  readonly count: number;
  /** The text shown in a `/debug` stream; called only when someone listens. */
  dataFunc(): string;
}

/** Alloy's NewData with its WithTargetComponentIDs option. */
export function newData(
  componentID: string,
  type: DataType,
  count: number,
  dataFunc: () => string,
  options: { targetComponentIDs?: readonly string[] } = {},
): Data {
  return { componentID, type, count, dataFunc, ...(options.targetComponentIDs ? { targetComponentIDs: options.targetComponentIDs } : {}) };
}

/** What components get from `getServiceData("livedebugging")` (Alloy's DebugDataPublisher). */
export interface DebugDataPublisher {
  /** Whether at least one consumer listens to this component's data. */
  isActive(componentID: string): boolean;
  /** Hands the data to the component's consumers, if any. */
  publishIfActive(data: Data): void;
}

/** The components the registry checks subscriptions against (Alloy's service.Host, reduced). */
export interface LiveDebuggingHost {
  /**
   * A component by global id: its name, and whether it supports live debugging (has the
   * `liveDebugging()` marker). Undefined when there is no such component.
   */
  getComponent(globalId: string): { componentName: string; liveDebugging: boolean } | undefined;
  /** The components of a module ("" is the root); throws when there is no such module. */
  listComponents(moduleId: string): readonly { globalId: string; liveDebugging: boolean }[];
}

/** How consumers register (Alloy's CallbackManager). */
export interface CallbackManager {
  /** Subscribes to one component; throws Alloy's errors (disabled, not ready, not found, unsupported). */
  addCallback(host: LiveDebuggingHost | undefined, callbackID: string, componentID: string, callback: (data: Data) => void): void;
  deleteCallback(callbackID: string, componentID: string): void;
  /** Subscribes to every supporting component of a module; works while the block is off (the graph). */
  addCallbackMulti(host: LiveDebuggingHost | undefined, callbackID: string, moduleID: string, callback: (data: Data) => void): void;
  deleteCallbackMulti(host: LiveDebuggingHost, callbackID: string, moduleID: string): void;
}

export const LIVE_DEBUGGING_DISABLED_MESSAGE =
  "the live debugging service is disabled. Check the documentation to find out how to enable it";
const NOT_READY = "the live debugging service is not ready yet";

export class LiveDebugging implements CallbackManager, DebugDataPublisher {
  readonly #callbacks = new Map<string, Map<string, (data: Data) => void>>();
  #enabled = false;

  get enabled(): boolean {
    return this.#enabled;
  }

  /** The `livedebugging` block's `enabled`; turning it off drops every callback, as in Alloy. */
  setEnabled(enabled: boolean): void {
    if (this.#enabled && !enabled) this.#callbacks.clear();
    this.#enabled = enabled;
  }

  isActive(componentID: string): boolean {
    return (this.#callbacks.get(componentID)?.size ?? 0) > 0;
  }

  publishIfActive(data: Data): void {
    const callbacks = this.#callbacks.get(data.componentID);
    if (!callbacks || callbacks.size === 0) return;
    for (const callback of [...callbacks.values()]) callback(data);
  }

  addCallback(host: LiveDebuggingHost | undefined, callbackID: string, componentID: string, callback: (data: Data) => void): void {
    if (!this.#enabled) throw new Error(LIVE_DEBUGGING_DISABLED_MESSAGE);
    if (!host) throw new Error(NOT_READY);
    const info = host.getComponent(componentID);
    if (!info) throw new Error("component not found");
    if (!info.liveDebugging) throw new Error(`the component ${JSON.stringify(info.componentName)} does not support live debugging`);
    this.register(callbackID, [componentID], callback);
  }

  deleteCallback(callbackID: string, componentID: string): void {
    this.#callbacks.get(componentID)?.delete(callbackID);
  }

  addCallbackMulti(host: LiveDebuggingHost | undefined, callbackID: string, moduleID: string, callback: (data: Data) => void): void {
    if (!host) throw new Error(NOT_READY);
    const ids = host.listComponents(moduleID).filter((c) => c.liveDebugging).map((c) => c.globalId);
    this.register(callbackID, ids, callback);
  }

  deleteCallbackMulti(host: LiveDebuggingHost, callbackID: string, moduleID: string): void {
    let components: readonly { globalId: string }[] = [];
    try {
      components = host.listComponents(moduleID);
    } catch {
      // Alloy ignores errors on delete.
    }
    for (const c of components) this.#callbacks.get(c.globalId)?.delete(callbackID);
  }

  /** Adds a callback for components already checked (the UI API checks them with its own messages). */
  register(callbackID: string, componentIDs: readonly string[], callback: (data: Data) => void): void {
    for (const id of componentIDs) {
      let callbacks = this.#callbacks.get(id);
      if (!callbacks) this.#callbacks.set(id, (callbacks = new Map()));
      callbacks.set(callbackID, callback);
    }
  }

  /** Removes a callback from the given components, and forgets components left without any. */
  unregister(callbackID: string, componentIDs: readonly string[]): void {
    for (const id of componentIDs) {
      const callbacks = this.#callbacks.get(id);
      if (!callbacks) continue;
      callbacks.delete(callbackID);
      if (callbacks.size === 0) this.#callbacks.delete(id);
    }
  }
}
