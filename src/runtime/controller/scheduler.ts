// Runs the runnable nodes of the installed graph (Alloy's Scheduler). synchronize() stops the tasks
// whose node left the graph, starts nodes that are new, keeps the others running, and starts
// again nodes whose task exited since the last call. Tasks are stopped from dependants to
// dependencies and started the other way round, one weakly connected group at a time, so that
// shared resources such as ports are released before new tasks take them.
import type { Graph } from "../dag.ts";
import type { Logger } from "../logging/logger.ts";
import { type BlockNode, isRunnable, type RunnableNode } from "../nodes/types.ts";

/** After this long, a task that does not stop gets a warning in the log. */
export const TASK_SHUTDOWN_WARNING_MS = 60_000;

interface DesiredTask {
  node: RunnableNode;
  /** Start in ascending rank, stop in descending rank. */
  rank: number;
  group: number;
}

class Task {
  readonly #abort = new AbortController();
  #exited!: Promise<void>;
  #done = false;

  constructor(
    readonly node: RunnableNode,
    public rank: number,
    public group: number,
    private readonly logger: Logger,
    private readonly deadlineMs: number,
    private readonly onDone: (error: unknown) => void,
  ) {}

  start(): void {
    this.logger.debug("Starting task", { id: this.node.nodeId });
    this.#exited = (async () => {
      let error: unknown;
      try {
        await this.node.run(this.#abort.signal);
      } catch (e) {
        error = e;
      }
      // A node that returns on its own no longer runs: make sure everything it started is told so.
      this.#abort.abort();
      this.#finish(error);
    })();
  }

  #finish(error: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.onDone(error);
  }

  /** Asks the task to stop and waits for it, at most the shutdown deadline (0: no limit). */
  async stop(): Promise<void> {
    this.logger.debug("Stopping task", { id: this.node.nodeId });
    this.#abort.abort();
    const timers: ReturnType<typeof setTimeout>[] = [];
    const outcomes: Promise<void>[] = [this.#exited];
    const warn = setInterval(() => this.logger.warn("task shutdown is taking longer than expected"), TASK_SHUTDOWN_WARNING_MS);
    if (this.deadlineMs > 0) {
      outcomes.push(
        new Promise((resolve) => {
          timers.push(
            setTimeout(() => {
              this.#finish(new Error("task shutdown deadline exceeded"));
              resolve();
            }, this.deadlineMs),
          );
        }),
      );
    }
    try {
      await Promise.race(outcomes);
    } finally {
      clearInterval(warn);
      for (const t of timers) clearTimeout(t);
    }
  }
}

export class Scheduler {
  readonly #tasks = new Map<string, Task>();

  constructor(
    private readonly logger: Logger,
    private readonly deadlineMs: number,
  ) {}

  /** Ids of the nodes with a running task. */
  runningIds(): string[] {
    return [...this.#tasks.keys()];
  }

  async synchronize(graph: Graph<BlockNode>): Promise<void> {
    const desired = desiredTasks(graph);

    const toStop = new Map<number, Task[]>();
    for (const [id, task] of this.#tasks) {
      const keep = desired.get(id);
      if (keep && keep.node === task.node) {
        task.rank = keep.rank;
        task.group = keep.group;
        continue;
      }
      push(toStop, task.group, task);
    }
    await Promise.all(
      [...toStop.values()].map(async (group) => {
        for (const task of group.sort((a, b) => b.rank - a.rank)) await task.stop();
      }),
    );

    const toStart = new Map<number, Task[]>();
    for (const [id, want] of desired) {
      if (this.#tasks.has(id)) continue;
      const task: Task = new Task(want.node, want.rank, want.group, this.logger.with({ taskID: id }), this.deadlineMs, (error) => {
        if (error) this.logger.error("node exited with error", { node: id, err: errorText(error) });
        else this.logger.info("node exited without error", { node: id });
        if (this.#tasks.get(id) === task) this.#tasks.delete(id);
      });
      this.#tasks.set(id, task);
      push(toStart, task.group, task);
    }
    for (const group of toStart.values()) {
      for (const task of group.sort((a, b) => a.rank - b.rank)) task.start();
    }
  }

  /** Stops every task and waits for them (each bounded by the deadline). */
  async stop(): Promise<void> {
    const groups = new Map<number, Task[]>();
    for (const task of this.#tasks.values()) push(groups, task.group, task);
    await Promise.all(
      [...groups.values()].map(async (group) => {
        for (const task of group.sort((a, b) => b.rank - a.rank)) await task.stop();
      }),
    );
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function desiredTasks(graph: Graph<BlockNode>): Map<string, DesiredTask> {
  const desired = new Map<string, DesiredTask>();
  const groups = graph.weaklyConnectedComponents((n) => graph.isLeaf(n));
  groups.forEach((leaves, group) => {
    let rank = 0;
    graph.walkTopological(leaves, (node) => {
      if (isRunnable(node)) desired.set(node.nodeId, { node, rank: rank++, group });
    });
  });
  return desired;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
