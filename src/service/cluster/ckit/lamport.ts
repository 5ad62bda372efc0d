// ckit's Lamport clock (ckit:internal/lamport): orders state messages across nodes without trusting
// wall clocks. A uint64 on the wire, so a bigint here; like Go's, it wraps at 2^64.

const mask64 = (1n << 64n) - 1n;

export class LamportClock {
  #time = 0n;

  /** The current time; unchanged. */
  now(): bigint {
    return this.#time;
  }

  /** Advances the time by one and returns it (a local event). */
  tick(): bigint {
    this.#time = (this.#time + 1n) & mask64;
    return this.#time;
  }

  /** Moves the time past t, a time seen in a message from another node. */
  observe(t: bigint): void {
    if (t < this.#time) return;
    this.#time = (t + 1n) & mask64;
  }
}
