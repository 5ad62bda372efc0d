// What the HTTP service needs from the rest of the agent. The CLI wires the controller to it; tests
// give it a small fake. Keeping it narrow keeps the service free of controller internals.
import type { ConnectionInfo } from "../../platform/types.ts";
import type { HealthState } from "../../runtime/component.ts";

export type Handler = (request: Request) => Response | Promise<Response>;

export interface HttpHost {
  /** Components of a module ("" is the root module) with their names and health. */
  listComponents(moduleId: string): { name: string; health: HealthState }[];
  /** Whether a component with this global id (module path and local id) exists. */
  componentExists(globalId: string): boolean;
  /** The component's HTTP handler; undefined when the component has none. */
  componentHandler(globalId: string): Handler | undefined;
}

/** A route owned by a service that depends on HTTP (cluster transport, UI). */
export interface ServiceRoute {
  /** Path prefix, e.g. `/api/v1/ckit/transport/`. */
  base: string;
  /** connection is absent for requests that came without a socket (the in-memory address). */
  handler: (request: Request, connection?: ConnectionInfo) => Response | Promise<Response>;
}
