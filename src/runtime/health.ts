// Component health as Alloy reports it: a state, a message and the time it was set. A node's
// health combines several sources (evaluation, running, the component's own report); the least
// healthy one wins, ties go to the newest (Alloy's component.LeastHealthy).
import type { Health, HealthState } from "./component.ts";

const PRIORITY: Record<HealthState, number> = { healthy: 0, unknown: 1, unhealthy: 2, exited: 3 };

export function health(state: HealthState, message: string, updatedAt: Date = new Date()): Health {
  return { state, message, updatedAt };
}

/** The least healthy of the given reports; equal states prefer the most recent, then the first. */
export function leastHealthy(first: Health, ...others: readonly (Health | undefined)[]): Health {
  let least = first;
  for (const other of others) {
    if (!other) continue;
    if (PRIORITY[other.state] > PRIORITY[least.state]) least = other;
    else if (other.state === least.state && other.updatedAt.getTime() > least.updatedAt.getTime()) least = other;
  }
  return least;
}

export const HEALTH_STATES: readonly HealthState[] = ["unknown", "healthy", "unhealthy", "exited"];
