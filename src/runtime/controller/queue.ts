// Nodes whose exports (or imported content) changed, waiting for their dependants to be evaluated.
// A node waits at most once; it keeps the time of its first change, from which the dependency
// wait metric is measured.
import type { BlockNode } from "../nodes/types.ts";

export interface QueuedNode {
  node: BlockNode;
  /** performance.now() when the node changed. */
  changedAt: number;
}

export class UpdateQueue {
  #queued = new Map<BlockNode, QueuedNode>();
  #listener: (() => void) | undefined;

  enqueue(node: BlockNode): void {
    if (this.#queued.has(node)) return;
    this.#queued.set(node, { node, changedAt: performance.now() });
    this.#listener?.();
  }

  get size(): number {
    return this.#queued.size;
  }

  dequeueAll(): QueuedNode[] {
    const all = [...this.#queued.values()];
    this.#queued = new Map();
    return all;
  }

  /** Called on every enqueue (the controller's run loop wakes up). */
  onEnqueue(listener: (() => void) | undefined): void {
    this.#listener = listener;
  }
}
