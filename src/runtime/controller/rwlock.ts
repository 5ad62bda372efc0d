// A readers-writer lock for async code. Re-evaluations of dependants are readers: many run at once.
// Applying a new configuration is the writer: it waits for the evaluations in flight and holds
// new ones back until the graph is installed (Alloy's loader RWMutex). Waiters are served in
// arrival order, so a waiting apply is not starved by a stream of evaluations.
interface Waiter {
  write: boolean;
  grant: () => void;
}

export class ReadWriteLock {
  #readers = 0;
  #writing = false;
  readonly #waiting: Waiter[] = [];

  async read<T>(fn: () => Promise<T>): Promise<T> {
    await this.#acquire(false);
    try {
      return await fn();
    } finally {
      this.#readers--;
      this.#grant();
    }
  }

  async write<T>(fn: () => Promise<T>): Promise<T> {
    await this.#acquire(true);
    try {
      return await fn();
    } finally {
      this.#writing = false;
      this.#grant();
    }
  }

  #acquire(write: boolean): Promise<void> {
    return new Promise((resolve) => {
      this.#waiting.push({ write, grant: resolve });
      this.#grant();
    });
  }

  #grant(): void {
    while (this.#waiting.length > 0 && !this.#writing) {
      const next = this.#waiting[0]!;
      if (next.write) {
        if (this.#readers > 0) return;
        this.#waiting.shift();
        this.#writing = true;
        next.grant();
        return;
      }
      this.#waiting.shift();
      this.#readers++;
      next.grant();
    }
  }
}
