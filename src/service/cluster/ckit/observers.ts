// Delivery of peer-list changes to observers (ckit:node.go run/notifyObservers, internal/queue with
// a limit of 1): gossip hands over every new list and goes on at once; observers later get only the
// newest list, and only when it differs from the last one they saw. A slow observer therefore
// skips intermediate lists instead of holding gossip up.
import { realClock, type Clock } from "../memberlist/clock.ts";
import type { Logger } from "../memberlist/config.ts";
import { peersEqual, type Peer } from "./peer.ts";

/**
 * Called with every distinct peer list, sorted by name. Returning false (or a promise of false)
 * unregisters it (ckit's reregister = false); an async observer is awaited before the next list.
 */
export type Observer = (peers: readonly Peer[]) => boolean | void | Promise<boolean | void>;

export interface ObserverHooks {
  /** How many observers are registered (cluster_node_update_observers). */
  observers(count: number): void;
  /** A round of notifications started (true) or ended (false) (cluster_node_updating). */
  updating(active: boolean): void;
  /** A round took this many seconds (cluster_node_update_duration_seconds). */
  duration(seconds: number): void;
}

export class ObserverQueue {
  #observers: Observer[] = [];
  /** The newest list not yet delivered: the queue of one. */
  #pending: readonly Peer[] | undefined;
  #last: readonly Peer[] = [];
  #started = false;
  #closed = false;
  #draining = false;
  readonly #log: Logger;
  readonly #hooks: ObserverHooks;
  readonly #clock: Clock;

  constructor(log: Logger, hooks: ObserverHooks, clock: Clock = realClock) {
    this.#log = log;
    this.#hooks = hooks;
    this.#clock = clock;
  }

  /** Registers an observer; the returned function unregisters it. */
  add(observer: Observer): () => void {
    // A wrapper, so that the same function added twice is two registrations.
    const entry: Observer = (peers) => observer(peers);
    this.#observers = [...this.#observers, entry];
    this.#hooks.observers(this.#observers.length);
    return () => this.#remove(entry);
  }

  #remove(entry: Observer) {
    const next = this.#observers.filter((o) => o !== entry);
    if (next.length === this.#observers.length) return;
    this.#observers = next;
    this.#hooks.observers(this.#observers.length);
  }

  get size(): number {
    return this.#observers.length;
  }

  /** Replaces any list still waiting; never blocks. */
  enqueue(peers: readonly Peer[]) {
    if (this.#closed) return;
    this.#pending = peers;
    this.#kick();
  }

  /** Starts delivering (ckit starts its loop at the first Start); lists queued before wait until then. */
  start() {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.#kick();
  }

  /** Stops delivering; observers hear nothing more. */
  close() {
    this.#closed = true;
    this.#pending = undefined;
  }

  #kick() {
    if (!this.#started || this.#draining || this.#pending === undefined) return;
    this.#draining = true;
    // After the current gossip handler has finished.
    queueMicrotask(() => void this.#drain());
  }

  async #drain() {
    try {
      while (!this.#closed && this.#pending !== undefined) {
        const peers = this.#pending;
        this.#pending = undefined;
        if (peersEqual(this.#last, peers)) continue;
        this.#last = peers;
        await this.#notify(peers);
      }
    } finally {
      this.#draining = false;
    }
  }

  async #notify(peers: readonly Peer[]) {
    this.#hooks.updating(true);
    const started = this.#clock.now();
    try {
      for (const observer of this.#observers) {
        if (this.#closed) return;
        let keep: boolean | void = true;
        try {
          keep = await observer(peers);
        } catch (error) {
          this.#log.error("cluster observer failed", { err: String(error) });
        }
        if (keep === false) this.#remove(observer);
      }
    } finally {
      this.#hooks.updating(false);
      this.#hooks.duration((this.#clock.now() - started) / 1000);
    }
  }
}
