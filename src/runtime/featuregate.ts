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
  if (RANK[stability] >= RANK[minimum]) return undefined;
  return (
    `${feature} is at stability level "${stability}", which is below the minimum allowed stability level ` +
    `"${minimum}". Use --stability.level command-line flag to enable "${stability}" features`
  );
}
