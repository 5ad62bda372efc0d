// Component labels as Alloy's converters build them: parts joined with `_`, an index suffix for
// the second and later components of one kind, and the result made a valid identifier.
import { sanitizeIdentifier } from "../../syntax/identifier.ts";

/** Non-empty parts joined with `_` (Go's common.LabelForParts). */
export function labelForParts(...parts: Array<string | number>): string {
  return parts.filter((p) => p !== "").map(String).join("_");
}

/** As labelForParts, with `_<index+1>` appended for every index but the first. */
export function labelWithIndex(index: number, ...parts: Array<string | number>): string {
  return index === 0 ? labelForParts(...parts) : labelForParts(...parts, index + 1);
}

/** A valid Alloy identifier for s (invalid characters become `_`, a leading digit gets `_`). */
export function sanitizeLabel(s: string): string {
  return sanitizeIdentifier(s);
}
