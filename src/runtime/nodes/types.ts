// The kinds of node in a controller's graph. Every node manages one block of the configuration
// and can be evaluated against the controller's scope; some can also run.
import type { BlockStmt } from "../../syntax/ast.ts";
import { startPos, utf8Length } from "../../syntax/ast.ts";
import { type Diagnostic, errorDiagnostic } from "../../syntax/diag.ts";
import type { Scope } from "../../syntax/vm/index.ts";
import type { Value } from "../../syntax/value/index.ts";
import type { Health } from "../component.ts";
import type { GraphNode } from "../dag.ts";

export interface BlockNode extends GraphNode {
  /** The block the node was built from; undefined for the implicit logging/tracing/service nodes. */
  readonly block: BlockStmt | undefined;
  /** Evaluates the block against the scope; throws when that fails. */
  evaluate(scope: Scope): Promise<void>;
  /** Replaces the block (same id) used by the next evaluation. */
  updateBlock(block: BlockStmt): void;
}

export interface RunnableNode extends BlockNode {
  /** Runs until the signal aborts; rejects when the node stops with an error. */
  run(signal: AbortSignal): Promise<void>;
}

export type ComponentKind = "builtin" | "custom" | "foreach";

/** A node that shows up as a component: built-in, custom (declare/import) or foreach. */
export interface ComponentNode extends RunnableNode {
  readonly isComponent: true;
  readonly kind: ComponentKind;
  /** Name fragments and label, e.g. ["prometheus", "scrape", "default"]. */
  readonly id: readonly string[];
  /** `prometheus.scrape`. */
  readonly componentName: string;
  readonly label: string;
  /** Unique in the process: the controller's id joined with the node id. */
  readonly globalId: string;
  health(): Health;
  /** Last good arguments: the decoded host value (built-in) or the argument values (custom). */
  arguments(): unknown;
  /** Last exports as an Alloy value (an object), null when there are none. */
  exportsValue(): Value;
  debugInfo(): unknown;
  /** Ids of the modules the node runs. */
  moduleIds(): string[];
  /** Ids of the components data flows to (the UI's arrows). */
  dataFlowEdgesTo: string[];
}

export function isComponentNode(node: unknown): node is ComponentNode {
  return typeof node === "object" && node !== null && (node as ComponentNode).isComponent === true;
}

export function isRunnable(node: BlockNode): node is RunnableNode {
  return typeof (node as RunnableNode).run === "function";
}

/** The id of a block: its name fragments plus its label when it has one. */
export function blockId(block: BlockStmt): string[] {
  return block.label === "" ? [...block.name] : [...block.name, block.label];
}

export function blockIdString(block: BlockStmt): string {
  return blockId(block).join(".");
}

/**
 * Remembers the first block of each id in `seen`; for a later one, Alloy's
 * `block <id> already declared at <position of the first>` over the repeated block's name.
 */
export function alreadyDeclared(seen: Map<string, BlockStmt>, id: string, block: BlockStmt): Diagnostic | undefined {
  const original = seen.get(id);
  if (original) {
    return errorDiagnostic(
      block.namePos.position(),
      block.namePos.add(utf8Length(id) - 1).position(),
      `block ${id} already declared at ${startPos(original).toString()}`,
    );
  }
  seen.set(id, block);
  return undefined;
}

/** Wraps an error with context, keeping it as the cause (Go's fmt.Errorf("...: %w")). */
export function wrapError(prefix: string, cause: unknown): Error {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new Error(`${prefix}: ${message}`, { cause });
}
