// Lifeguard's suspicion timer (memberlist:suspicion.go): a suspect node is declared dead after a
// timeout that starts at max and shrinks toward min as independent peers confirm the suspicion.
import type { Clock, TimerHandle } from "./clock.ts";
import { remainingSuspicionTime } from "./util.ts";

export class Suspicion {
  #n = 0;
  readonly #confirmations = new Set<string>();
  readonly #start: number;
  #timer: TimerHandle | undefined;
  #fired = false;

  constructor(
    from: string,
    readonly k: number,
    readonly minMs: number,
    readonly maxMs: number,
    readonly onTimeout: (numConfirmations: number) => void,
    readonly clock: Clock,
  ) {
    this.#confirmations.add(from);
    this.#start = clock.now();
    this.#timer = clock.setTimeout(() => this.#fire(), k < 1 ? minMs : maxMs);
  }

  get confirmations(): number {
    return this.#n;
  }

  #fire() {
    if (this.#fired) return;
    this.#fired = true;
    this.#timer = undefined;
    this.onTimeout(this.#n);
  }

  /**
   * Counts a confirmation from a peer not heard from yet (up to k); returns true when it was new,
   * so that the caller re-gossips the suspicion.
   */
  confirm(from: string): boolean {
    if (this.#n >= this.k) return false;
    if (this.#confirmations.has(from)) return false;
    this.#confirmations.add(from);
    this.#n++;
    const elapsed = this.clock.now() - this.#start;
    const remaining = remainingSuspicionTime(this.#n, this.k, elapsed, this.minMs, this.maxMs);
    if (!this.#fired && this.#timer !== undefined) {
      this.clock.clearTimeout(this.#timer);
      if (remaining > 0) this.#timer = this.clock.setTimeout(() => this.#fire(), remaining);
      else {
        this.#timer = undefined;
        queueMicrotask(() => this.#fire());
      }
    }
    return true;
  }

  stop() {
    this.#fired = true;
    this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
