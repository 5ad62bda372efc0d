// How the cluster service tells components that the cluster changed (cluster.go's notify loop):
// triggers never block and collapse into one pending run (a channel of capacity 1), and runs are
// at most one a second (rate.NewLimiter(rate.Every(1s), 1)), because a rollout brings a burst of
// peer changes and each notification makes components re-shard all their targets.
import { sleep, waitForWake } from "../../runtime/signal.ts";

export interface NotifierHooks {
  /** Runs at once on each pending trigger, before the rate limit (readiness is updated here). */
  beforeWait(): void;
  /** Runs once the rate limit allows. */
  notify(): void;
}

export class ChangeNotifier {
  readonly #hooks: NotifierHooks;
  readonly #minIntervalMs: number;
  #pending = false;
  #wake: (() => void) | undefined;
  /** When the limiter's single token is next available (performance.now() milliseconds). */
  #nextAllowedAt = Number.NEGATIVE_INFINITY;

  constructor(hooks: NotifierHooks, minIntervalMs = 1000) {
    this.#hooks = hooks;
    this.#minIntervalMs = minIntervalMs;
  }

  /** Asks for a notification; a trigger while one is pending adds nothing. */
  trigger(): void {
    this.#pending = true;
    this.#wake?.();
  }

  /** Handles triggers until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (!this.#pending) {
        await waitForWake(signal, (wake) => (this.#wake = wake));
        this.#wake = undefined;
        continue;
      }
      this.#pending = false;
      this.#hooks.beforeWait();
      // The token bucket of one: wait until a second after the last notification.
      const now = performance.now();
      const waitMs = this.#nextAllowedAt - now;
      this.#nextAllowedAt = Math.max(now, this.#nextAllowedAt) + this.#minIntervalMs;
      if (waitMs > 0) await sleep(waitMs, signal);
      if (signal.aborted) return;
      this.#hooks.notify();
    }
  }
}
