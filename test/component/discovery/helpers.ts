// Helpers of the discovery tests: the exported targets as plain objects, and a short export interval
// so that changes show quickly (runtimes, servers and polling come from the metrics tests' helpers).
import { discoveryUpdates } from "../../../src/component/discovery/discoverer.ts";
import type { Runtime } from "../../../src/runtime/index.ts";
import { ObjectValue } from "../../../src/syntax/value/index.ts";

export { delay, eventually, newRuntime, startServer } from "../prometheus/helpers.ts";

// Alloy's tests lower MaxUpdateFrequency the same way; the throttle itself has its own test.
discoveryUpdates.minIntervalMs = 20;

/** The component's exported `targets`, as plain objects. */
export function targetsOf(runtime: Runtime, id: string): Record<string, string>[] {
  const exports = runtime.component(id)?.exports;
  if (!(exports instanceof ObjectValue)) throw new Error(`${id} has no exports`);
  return (exports.get("targets") as ObjectValue[]).map((t) => Object.fromEntries([...t.keys()].map((k) => [k, t.get(k) as string])));
}
