// The `livedebugging` service (Alloy's internal/service/livedebugging/service.go): a node of the root
// graph configured by `livedebugging { enabled = bool }` (generally available, off by default). Its
// data, what components get from getServiceData("livedebugging"), is the registry they publish to
// (see livedebugging.ts for how a component supports live debugging).
import type { Service, ServiceDefinition } from "../../runtime/service.ts";
import { attr, struct, t, type HostOf } from "../../syntax/schema/index.ts";
import { LiveDebugging } from "./livedebugging.ts";

export const LIVE_DEBUGGING_SERVICE = "livedebugging";

export const LiveDebuggingBlock = struct({
  enabled: attr(t.bool(), { default: false }),
});

export type LiveDebuggingArgs = HostOf<typeof LiveDebuggingBlock>;

export class LiveDebuggingService implements Service<LiveDebuggingArgs> {
  readonly registry = new LiveDebugging();
  readonly definition: ServiceDefinition<LiveDebuggingArgs> = {
    name: LIVE_DEBUGGING_SERVICE,
    stability: "generally-available",
    args: LiveDebuggingBlock,
    dependsOn: [],
  };

  update(args: LiveDebuggingArgs): void {
    this.registry.setEnabled(args.enabled);
  }

  data(): LiveDebugging {
    return this.registry;
  }

  async run(_host: unknown, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  }
}
