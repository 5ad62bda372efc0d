// Evaluations of dependants, run concurrently with one rule per node (Alloy's worker pool keys):
// a node runs at most once at a time, and at most one more run waits behind it, so a slow node
// neither blocks the others nor piles up evaluations of itself.
export class KeyedWorkQueue<K> {
  readonly #running = new Map<K, Promise<void>>();
  readonly #waiting = new Map<K, () => Promise<void>>();
  #stopped = false;
  #idle: (() => void)[] = [];

  /** Runs task for key now, or once the run in progress for that key ends (replacing an earlier wait). */
  submit(key: K, task: () => Promise<void>): void {
    if (this.#stopped) return;
    if (this.#running.has(key)) {
      // A request already waiting covers this one: it will evaluate with the newest values.
      if (!this.#waiting.has(key)) this.#waiting.set(key, task);
      return;
    }
    this.#start(key, task);
  }

  #start(key: K, task: () => Promise<void>): void {
    const run = (async () => {
      try {
        await task();
      } catch {
        // Tasks report their own errors.
      }
    })().then(() => {
      this.#running.delete(key);
      const next = this.#waiting.get(key);
      if (next && !this.#stopped) {
        this.#waiting.delete(key);
        this.#start(key, next);
      } else if (this.size === 0) {
        for (const resolve of this.#idle.splice(0)) resolve();
      }
    });
    this.#running.set(key, run);
  }

  /** Tasks running or waiting. */
  get size(): number {
    return this.#running.size + this.#waiting.size;
  }

  /** Resolves when nothing runs or waits. */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Drops waiting tasks and waits up to timeoutMs for running ones; false when some did not end. */
  async stop(timeoutMs: number): Promise<boolean> {
    this.#stopped = true;
    this.#waiting.clear();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const done = Promise.all(this.#running.values()).then(() => true);
    const result = await Promise.race([done, timeout]);
    clearTimeout(timer);
    // A controller that runs again accepts work again.
    this.#stopped = false;
    return result;
  }
}
