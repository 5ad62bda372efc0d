// A mutual-exclusion lock for async code: a loaded configuration is applied and dependants are
// re-evaluated one at a time, never interleaved across awaits (Alloy's loader mutex).
export class AsyncLock {
  #tail: Promise<void> = Promise.resolve();

  /** Runs fn once every earlier holder has finished; the lock is released however fn ends. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
