// How the cluster service tells components that the cluster changed (cluster.go's notify loop):
// triggers never block and collapse into one pending run (a channel of capacity 1), and runs are
// at most one a second (rate.NewLimiter(rate.Every(1s), 1)), because a rollout brings a burst of
// peer changes and each notification makes components re-shard all their targets.
import { type Clock, realClock } from "./memberlist/clock.ts";

export interface NotifierHooks {
  /** Runs at once on each pending trigger, before the rate limit (readiness is updated here). */
  beforeWait(): void;
  /** Runs once the rate limit allows. */
  notify(): void;
}

export class ChangeNotifier {
  readonly #hooks: NotifierHooks;
  readonly #clock: Clock;
  readonly #minIntervalMs: number;
  #pending = false;
  #wake: (() => void) | undefined;
  /** When the limiter's single token is next available. */
  #nextAllowedAt = Number.NEGATIVE_INFINITY;

  constructor(hooks: NotifierHooks, options: { minIntervalMs?: number; clock?: Clock } = {}) {
    this.#hooks = hooks;
    this.#clock = options.clock ?? realClock;
    this.#minIntervalMs = options.minIntervalMs ?? 1000;
  }

  /** Asks for a notification; a trigger while one is pending adds nothing. */
  trigger(): void {
    this.#pending = true;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Handles triggers until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const onAbort = () => {
      const wake = this.#wake;
      this.#wake = undefined;
      wake?.();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      while (!signal.aborted) {
        if (!this.#pending) {
          await new Promise<void>((resolve) => (this.#wake = resolve));
          continue;
        }
        this.#pending = false;
        this.#hooks.beforeWait();
        await this.#takeToken(signal);
        if (signal.aborted) return;
        this.#hooks.notify();
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  async #takeToken(signal: AbortSignal): Promise<void> {
    const now = this.#clock.now();
    const waitMs = this.#nextAllowedAt - now;
    this.#nextAllowedAt = Math.max(now, this.#nextAllowedAt) + this.#minIntervalMs;
    if (waitMs <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = this.#clock.setTimeout(done, waitMs);
      function done() {
        signal.removeEventListener("abort", cancel);
        resolve();
      }
      const clock = this.#clock;
      function cancel() {
        clock.clearTimeout(timer);
        resolve();
      }
      signal.addEventListener("abort", cancel, { once: true });
    });
  }
}
