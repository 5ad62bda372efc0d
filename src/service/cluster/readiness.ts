// Whether components that use clustering may take work yet (Alloy's cluster_readonly.go, the
// admission control behind Cluster.Ready()). With --cluster.wait-for-size=N the cluster is not
// ready until it has N peers; --cluster.wait-timeout bounds the wait, after which the cluster is
// ready with whatever peers it has.
//
//   not-ready ──(peers ≥ N)──▶ ready ──(peers < N)──▶ not-ready (the deadline timer starts over)
//   not-ready ──(deadline)──▶ deadline-passed ──(peers ≥ N)──▶ ready
//
// A passed deadline stays passed while the cluster is too small. Because a passed deadline changes
// readiness without any change of peers, it asks for a component notification itself.
import { formatDuration, Millisecond, type Duration } from "../../syntax/schema/duration.ts";
import { Gauge, type Registerer } from "../../runtime/metrics/registry.ts";
import { type Clock, realClock, type TimerHandle } from "./memberlist/clock.ts";
import type { Logger } from "./memberlist/config.ts";

export type ReadinessState = "not-ready" | "ready" | "deadline-passed";

export interface ReadinessOptions {
  /** --cluster.enabled: a node that does not cluster is always ready. */
  enableClustering: boolean;
  /** --cluster.wait-for-size; 0 means no minimum. */
  minimumClusterSize: number;
  /** --cluster.wait-timeout in nanoseconds; 0 waits for ever. */
  minimumSizeWaitTimeout: Duration;
  /** --cluster.name, the metrics' cluster_name label. */
  clusterName: string;
  /** The sharder's peer count now (ckit's len(sharder.Peers())). */
  peerCount: () => number;
  /** Asks for every component to be told that the cluster changed (the deadline passed). */
  onDeadlinePassed: () => void;
  logger: Logger;
  /** Where cluster_ready_for_traffic and cluster_minimum_size go; registered only when clustering. */
  metrics?: Registerer;
  clock?: Clock;
}

// Node's timers fire at once for delays beyond 2^31-1 ms, so a longer deadline is waited in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;

export class ClusterReadiness {
  readonly #options: ReadinessOptions;
  readonly #clock: Clock;
  readonly #readyGauge: Gauge;
  #state: ReadinessState = "not-ready";
  #deadlineTimer: TimerHandle | undefined;

  constructor(options: ReadinessOptions) {
    this.#options = options;
    this.#clock = options.clock ?? realClock;
    const constLabels = { cluster_name: options.clusterName };
    this.#readyGauge = new Gauge({
      name: "cluster_ready_for_traffic",
      help: "Reports 1 when the cluster is ready to admit traffic, 0 otherwise.",
      constLabels,
    });
    if (options.enableClustering && options.metrics) {
      const minimumSize = new Gauge({
        name: "cluster_minimum_size",
        help: "The configured minimum cluster size required before admitting traffic to components that use clustering.",
        constLabels,
      });
      minimumSize.set(options.minimumClusterSize);
      options.metrics.register(minimumSize);
      options.metrics.register(this.#readyGauge);
    }
    if (this.#alwaysReady) {
      this.#state = "ready";
      this.#readyGauge.set(1);
    } else if (options.minimumSizeWaitTimeout !== 0) {
      this.#startDeadline();
    }
  }

  /** Without clustering or without a minimum size there is nothing to wait for. */
  get #alwaysReady(): boolean {
    return !this.#options.enableClustering || this.#options.minimumClusterSize === 0;
  }

  get state(): ReadinessState {
    return this.#state;
  }

  /** Cluster.Ready(): whether components may take work. */
  ready(): boolean {
    return this.#alwaysReady || this.#state !== "not-ready";
  }

  /** Re-evaluates readiness after the sharder's peers changed (updateReadyState). */
  update(): void {
    if (this.#options.peerCount() >= this.#options.minimumClusterSize) {
      this.#toReady();
      return;
    }
    // A passed deadline keeps admitting traffic however small the cluster gets.
    if (this.#state === "deadline-passed") return;
    this.#toNotReady();
  }

  /** Stops the deadline timer; the service calls this when it stops. */
  shutdown(): void {
    this.#stopDeadline();
  }

  #fields(withTimeout: boolean): Record<string, unknown> {
    const fields: Record<string, unknown> = { minimum_cluster_size: this.#options.minimumClusterSize };
    if (withTimeout) fields.minimum_size_wait_timeout = formatDuration(this.#options.minimumSizeWaitTimeout);
    fields.peers_count = this.#options.peerCount();
    return fields;
  }

  #toReady() {
    if (this.#state === "ready") return;
    this.#state = "ready";
    this.#readyGauge.set(1);
    this.#stopDeadline();
    this.#options.logger.info("minimum cluster size reached, marking cluster as ready to admit traffic", this.#fields(false));
  }

  #toNotReady() {
    if (this.#state === "not-ready") return;
    this.#state = "not-ready";
    this.#readyGauge.set(0);
    if (this.#options.minimumSizeWaitTimeout !== 0) this.#startDeadline();
    this.#options.logger.warn("minimum cluster size requirements are not met - marking cluster as not ready for traffic", this.#fields(true));
  }

  #toDeadlinePassed() {
    // Only a not-ready cluster has a deadline running: becoming ready clears the timer before it can
    // fire (in Go the timer may race the transition, hence its "already ready - ignoring" log).
    this.#deadlineTimer = undefined;
    this.#state = "deadline-passed";
    this.#readyGauge.set(1);
    this.#options.logger.warn("deadline passed, marking cluster as ready to admit traffic", this.#fields(true));
    this.#options.onDeadlinePassed();
  }

  #startDeadline() {
    this.#stopDeadline();
    let remainingMs = this.#options.minimumSizeWaitTimeout / Millisecond;
    const arm = () => {
      const wait = Math.min(Math.max(remainingMs, 0), MAX_TIMER_MS);
      remainingMs -= wait;
      this.#deadlineTimer = this.#clock.setTimeout(() => (remainingMs > 0 ? arm() : this.#toDeadlinePassed()), wait);
    };
    arm();
  }

  #stopDeadline() {
    this.#clock.clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = undefined;
  }
}
