// Runs a changing set of tasks, each until it is removed: what import and foreach nodes use for
// their children. apply() stops the tasks no longer wanted and starts the new ones (Alloy's
// internal/runner).
export interface RunnerOptions<T> {
  /** Identity of a task: a task whose key is still wanted keeps running. */
  key(task: T): unknown;
  run(task: T, signal: AbortSignal): Promise<void>;
  /** Called when a task ends with an error while it was still wanted. */
  onError?(task: T, error: unknown): void;
}

interface Running {
  abort: AbortController;
  done: Promise<void>;
}

export class TaskRunner<T> {
  readonly #running = new Map<unknown, Running>();

  constructor(private readonly options: RunnerOptions<T>) {}

  async apply(tasks: Iterable<T>): Promise<void> {
    const wanted = new Map<unknown, T>();
    for (const task of tasks) wanted.set(this.options.key(task), task);
    const stopping: Promise<void>[] = [];
    for (const [key, running] of this.#running) {
      if (wanted.has(key)) continue;
      this.#running.delete(key);
      running.abort.abort();
      stopping.push(running.done);
    }
    await Promise.all(stopping);
    for (const [key, task] of wanted) {
      if (this.#running.has(key)) continue;
      const abort = new AbortController();
      const done = this.options.run(task, abort.signal).then(
        () => undefined,
        (error) => {
          if (!abort.signal.aborted) this.options.onError?.(task, error);
        },
      );
      this.#running.set(key, { abort, done });
    }
  }

  async stop(): Promise<void> {
    await this.apply([]);
  }
}
