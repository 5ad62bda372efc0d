// A directed graph of the controller's nodes, and the few algorithms the controller needs: walks in
// dependency order, strongly connected components for cycle reports, weakly connected components
// for the scheduler. An edge From -> To means "From depends on To" (Alloy's internal/dag).
//
// Sets and maps keep insertion order, so every walk is deterministic for a given configuration
// (Go's map order is random; nothing in Alloy depends on it).

export interface GraphNode {
  readonly nodeId: string;
}

export class Graph<N extends GraphNode = GraphNode> {
  readonly #byId = new Map<string, N>();
  readonly #out = new Map<N, Set<N>>();
  readonly #in = new Map<N, Set<N>>();

  /** Adds a node; a different node with the same id is a programming error. */
  add(node: N): void {
    const existing = this.#byId.get(node.nodeId);
    if (existing === node) return;
    if (existing) throw new Error(`graph: node ID "${node.nodeId}" is already in use by another node`);
    this.#byId.set(node.nodeId, node);
    this.#out.set(node, new Set());
    this.#in.set(node, new Set());
  }

  get(id: string): N | undefined {
    return this.#byId.get(id);
  }

  has(node: N): boolean {
    return this.#out.has(node);
  }

  addEdge(from: N, to: N): void {
    const out = this.#out.get(from);
    const incoming = this.#in.get(to);
    if (!out || !incoming) throw new Error("graph: edge between nodes that are not in the graph");
    out.add(to);
    incoming.add(from);
  }

  get size(): number {
    return this.#byId.size;
  }

  nodes(): IterableIterator<N> {
    return this.#byId.values();
  }

  /** Nodes that `node` depends on. */
  dependencies(node: N): ReadonlySet<N> {
    return this.#out.get(node) ?? EMPTY;
  }

  /** Nodes that depend on `node`. */
  dependants(node: N): ReadonlySet<N> {
    return this.#in.get(node) ?? EMPTY;
  }

  /** Nodes without dependencies: where a walk in dependency order starts. */
  leaves(): N[] {
    const result: N[] = [];
    for (const [node, out] of this.#out) if (out.size === 0) result.push(node);
    return result;
  }

  edges(): [N, N][] {
    const result: [N, N][] = [];
    for (const [from, out] of this.#out) for (const to of out) result.push([from, to]);
    return result;
  }

  /**
   * Calls fn for every node reachable from `start` in dependency order: a node comes only after
   * all of its dependencies (Kahn's algorithm, leaving the graph untouched).
   */
  walkTopological(start: Iterable<N>, fn: (node: N) => void): void {
    const visited = new Set<N>();
    const remaining = new Map<N, number>();
    const stack = [...start];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (visited.has(node)) continue;
      visited.add(node);
      fn(node);
      for (const dependant of this.dependants(node)) {
        const left = (remaining.get(dependant) ?? this.dependencies(dependant).size) - 1;
        remaining.set(dependant, left);
        if (left === 0) stack.push(dependant);
      }
    }
  }

  /** Every node in dependency order (dependencies first). */
  topologicalOrder(): N[] {
    const order: N[] = [];
    this.walkTopological(this.leaves(), (n) => order.push(n));
    return order;
  }

  /** Strongly connected components (Tarjan), each listed in the order its members left the stack. */
  stronglyConnectedComponents(): N[][] {
    const index = new Map<N, number>();
    const low = new Map<N, number>();
    const onStack = new Set<N>();
    const stack: N[] = [];
    const result: N[][] = [];
    let counter = 0;

    // Iterative Tarjan: a frame is a node and the iterator over its dependencies.
    for (const root of this.#out.keys()) {
      if (index.has(root)) continue;
      const frames: { node: N; edges: Iterator<N> }[] = [];
      const visit = (node: N) => {
        counter++;
        index.set(node, counter);
        low.set(node, counter);
        stack.push(node);
        onStack.add(node);
        frames.push({ node, edges: this.dependencies(node).values() });
      };
      visit(root);
      while (frames.length > 0) {
        const frame = frames[frames.length - 1]!;
        const next = frame.edges.next();
        if (!next.done) {
          const succ = next.value;
          if (!index.has(succ)) visit(succ);
          else if (onStack.has(succ)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(succ)!));
          continue;
        }
        frames.pop();
        const node = frame.node;
        if (frames.length > 0) {
          const parent = frames[frames.length - 1]!.node;
          low.set(parent, Math.min(low.get(parent)!, low.get(node)!));
        }
        if (low.get(node) === index.get(node)) {
          const component: N[] = [];
          for (;;) {
            const member = stack.pop()!;
            onStack.delete(member);
            component.push(member);
            if (member === node) break;
          }
          result.push(component);
        }
      }
    }
    return result;
  }

  /**
   * The graph split into weakly connected components (paths in either direction), each given as
   * the nodes that `filter` keeps.
   */
  weaklyConnectedComponents(filter: (node: N) => boolean = () => true): N[][] {
    const visited = new Set<N>();
    const result: N[][] = [];
    for (const start of this.#out.keys()) {
      if (visited.has(start)) continue;
      visited.add(start);
      const queue = [start];
      const component: N[] = [];
      for (let i = 0; i < queue.length; i++) {
        const node = queue[i]!;
        if (filter(node)) component.push(node);
        for (const neighbour of [...this.dependencies(node), ...this.dependants(node)]) {
          if (visited.has(neighbour)) continue;
          visited.add(neighbour);
          queue.push(neighbour);
        }
      }
      if (component.length > 0) result.push(component);
    }
    return result;
  }

  isLeaf(node: N): boolean {
    return this.dependencies(node).size === 0;
  }
}

const EMPTY: ReadonlySet<never> = new Set();

/** Alloy's dag.Validate: one message per cycle (`cycle: a, b, c`) and per self edge. */
export function cycleErrors<N extends GraphNode>(graph: Graph<N>): string[] {
  const errors: string[] = [];
  for (const component of graph.stronglyConnectedComponents()) {
    if (component.length > 1) errors.push(`cycle: ${component.map((n) => n.nodeId).join(", ")}`);
  }
  for (const [from, to] of graph.edges()) {
    if (from === to) errors.push(`self reference: ${from.nodeId}`);
  }
  return errors;
}
