// Alloy's feature gates: stability levels ordered experimental < public-preview <
// generally-available, and the messages Alloy prints when a feature is below the allowed level.
import type { Stability } from "../syntax/stdlib/index.ts";

export type { Stability };

export const STABILITY_LEVELS: readonly Stability[] = ["experimental", "public-preview", "generally-available"];

const RANK: Record<Stability, number> = { experimental: 1, "public-preview": 2, "generally-available": 3 };

export function parseStability(text: string): Stability | undefined {
  return (STABILITY_LEVELS as readonly string[]).includes(text) ? (text as Stability) : undefined;
}

/** Undefined when allowed; otherwise Alloy's error text for `feature` (e.g. `component "x"`). */
export function checkStability(feature: string, stability: Stability, minimum: Stability): string | undefined {
  if (permits(minimum, stability)) return undefined;
  return (
    `${feature} is at stability level "${stability}", which is below the minimum allowed stability level ` +
    `"${minimum}". Use --stability.level command-line flag to enable "${stability}" features`
  );
}

/** Whether features at `stability` are allowed when the minimum is `minimum` (Alloy's Stability.Permits). */
export function permits(minimum: Stability, stability: Stability): boolean {
  return RANK[stability] >= RANK[minimum];
}

/**
 * Alloy's refusal of an experimental argument of a component below --stability.level=experimental
 * (the wording of prometheus.scrape's and prometheus.receive_http's checks).
 */
export function experimentalArgumentError(argument: string): Error {
  return new Error(`${argument} is an experimental feature, and must be enabled by setting the stability.level flag to experimental`);
}
