// What every discovery.* component shares (Alloy's internal/component/discovery/discovery.go around a
// Prometheus Discoverer): a discoverer sends target groups; the runner keeps the latest group of each
// source, merges every group's labels into its targets and exports them as `targets` — at most once
// every few seconds, as Prometheus's discovery manager throttles updates. New arguments replace the
// discoverer (and forget its groups); arguments are checked when the discoverer is made, so bad ones
// fail the evaluation and the running discoverer stays.
//
// Refreshing discoverers (http, dns) share refreshDiscoverer: one refresh at start, then one per
// interval; a failed refresh is logged and counted, and the groups of the last good one stay.
import type { DebugDataPublisher } from "../../service/livedebugging/livedebugging.ts";
import { type ComponentContext, type ComponentDefinition, defineComponent } from "../../runtime/component.ts";
import type { Logger } from "../../runtime/logging/logger.ts";
import { Counter, type CounterChild, Histogram, type HistogramChild, type Registerer } from "../../runtime/metrics/registry.ts";
import { sleep, untilAborted } from "../../runtime/signal.ts";
import { attr, struct, type StructType } from "../../syntax/schema/index.ts";
import { type Target, targetsType } from "./relabel.ts";

/** A set of targets sharing labels, as a discoverer reports it (Prometheus's targetgroup.Group). */
export interface TargetGroup {
  /** Identifies the group across reports: a group with no targets removes the source's last one. */
  source: string;
  /** Each target's own labels (at least __address__); they win over the group's labels. */
  targets: Target[];
  labels: Target;
}

export type SendGroups = (groups: TargetGroup[]) => void;

/** Finds targets until the signal aborts, reporting groups through send (Prometheus's Discoverer). */
export interface Discoverer {
  run(signal: AbortSignal, send: SendGroups): Promise<void>;
  /** Releases what the discoverer holds (HTTP clients); called once it is done or discarded unrun. */
  close?(): Promise<void>;
}

/**
 * The shortest time between two exports of new targets (Alloy's MaxUpdateFrequency, 5s as in
 * Prometheus). Only tests change it.
 */
export const discoveryUpdates = { minIntervalMs: 5_000 };

const Exports = struct({ targets: attr(targetsType()) });
export type DiscoveryExports = { targets: Target[] };

export interface DiscoverySpec<Args> {
  name: string;
  args: StructType<Args>;
  /** Called once per component: registers its metrics, holds what discoverers share. */
  setup(context: ComponentContext<DiscoveryExports>): DiscoverySetup<Args>;
}

export interface DiscoverySetup<Args> {
  /** The discoverer for a set of arguments; throws (or rejects) for arguments that cannot work. */
  create(args: Args): Discoverer | Promise<Discoverer>;
  /** Releases what setup holds, once the component stops. */
  close?(): void | Promise<void>;
}

/** A discovery component: Alloy's discovery.Component around the discoverer the spec makes. */
export function defineDiscovery<Args>(spec: DiscoverySpec<Args>): ComponentDefinition<Args, DiscoveryExports> {
  return defineComponent({
    name: spec.name,
    stability: "generally-available",
    args: spec.args,
    exports: Exports,
    async build(context, initial) {
      const setup = spec.setup(context);
      let discoverer = await setup.create(initial);
      const debug = liveDebugging(context);
      const publisher = new TargetPublisher((targets) => {
        debug?.publishIfActive({
          componentID: context.globalId,
          type: "target",
          count: targets.length,
          dataFunc: () => `[${targets.map(targetString).join(" ")}]`,
        });
        context.onStateChange({ targets });
      });
      let active: { abort: AbortController; done: Promise<void> } | undefined;

      const start = () => {
        publisher.restart();
        const abort = new AbortController();
        const running = discoverer;
        const done = running
          .run(abort.signal, (groups) => {
            if (!abort.signal.aborted) publisher.receive(groups);
          })
          .catch((error) => context.logger.error("discoverer stopped with an error", { err: (error as Error).message }))
          .finally(() => running.close?.());
        active = { abort, done };
      };
      const stop = async () => {
        if (!active) return;
        active.abort.abort();
        await active.done;
        active = undefined;
      };

      return {
        async run(signal) {
          start();
          await untilAborted(signal);
          await stop();
          publisher.close();
          await setup.close?.();
        },
        async update(args) {
          const next = await setup.create(args);
          if (active) {
            await stop();
            discoverer = next;
            start();
          } else {
            await discoverer.close?.(); // never ran
            discoverer = next;
          }
        },
        liveDebugging() {},
      };
    },
  });
}

function liveDebugging(context: ComponentContext<unknown>): DebugDataPublisher | undefined {
  try {
    return context.getServiceData("livedebugging") as DebugDataPublisher;
  } catch {
    return undefined; // a runtime without the service (embedding, tests)
  }
}

/** Alloy's Target.String: `{"name"="value", ...}` sorted. */
function targetString(target: Target): string {
  return `{${Object.keys(target).map((k) => `${JSON.stringify(k)}=${JSON.stringify(target[k])}`).join(", ")}}`;
}

/** Every group's targets with the group's labels merged in, label names sorted. */
export function mergeGroups(groups: Iterable<TargetGroup>): Target[] {
  const out: Target[] = [];
  for (const group of groups) {
    for (const own of group.targets) {
      const merged: Target = { ...group.labels, ...own };
      const sorted: Target = {};
      for (const name of Object.keys(merged).sort()) sorted[name] = merged[name]!;
      out.push(sorted);
    }
  }
  return out;
}

/**
 * The latest group of each source, exported when it changed: at once when nothing was exported for
 * the minimum interval, otherwise when the interval is up. A discoverer that reports nothing still
 * gets its (empty) targets exported once the interval after its start is up, as in Alloy.
 */
class TargetPublisher {
  readonly #cache = new Map<string, TargetGroup>();
  #dirty = false;
  #lastPublish = -Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #startTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly publish: (targets: Target[]) => void) {}

  /** A new discoverer starts: the groups of the previous one are forgotten. */
  restart(): void {
    this.#cache.clear();
    this.#dirty = true;
    clearTimeout(this.#startTimer);
    this.#startTimer = setTimeout(() => this.#flush(), discoveryUpdates.minIntervalMs);
  }

  receive(groups: readonly TargetGroup[]): void {
    for (const group of groups) {
      if (group.targets.length === 0) this.#cache.delete(group.source);
      else this.#cache.set(group.source, group);
    }
    this.#dirty = true;
    if (this.#timer) return;
    const wait = Math.max(0, this.#lastPublish + discoveryUpdates.minIntervalMs - Date.now());
    this.#timer = setTimeout(() => this.#flush(), wait);
  }

  close(): void {
    clearTimeout(this.#timer);
    clearTimeout(this.#startTimer);
    this.#timer = this.#startTimer = undefined;
  }

  #flush(): void {
    clearTimeout(this.#timer);
    clearTimeout(this.#startTimer);
    this.#timer = this.#startTimer = undefined;
    if (!this.#dirty) return;
    this.#dirty = false;
    this.#lastPublish = Date.now();
    this.publish(mergeGroups(this.#cache.values()));
  }
}

// ---------------------------------------------------------------------------------------------
// Refreshing discoverers (Prometheus's discovery/refresh and its metrics)

/** prometheus_sd_refresh_* of one component; a mechanism's series appear once it is used. */
export class RefreshMetrics {
  readonly #failures = new Counter(
    { name: "prometheus_sd_refresh_failures_total", help: "Number of refresh failures for the given SD mechanism." },
    ["mechanism", "config"],
  );
  readonly #duration = new Histogram(
    { name: "prometheus_sd_refresh_duration_histogram_seconds", help: "The duration of a refresh for the given SD mechanism.", buckets: [0.01, 0.1, 1, 10] },
    ["mechanism"],
  );

  constructor(registerer: Registerer) {
    registerer.register(this.#failures);
    registerer.register(this.#duration);
  }

  /** The series of one mechanism; Alloy's discoverers have no config name, hence config="". */
  instantiate(mechanism: string): { failures: CounterChild; duration: HistogramChild } {
    return { failures: this.#failures.with(mechanism, ""), duration: this.#duration.with(mechanism) };
  }
}

export interface RefreshOptions {
  logger: Logger;
  intervalMs: number;
  metrics: { failures: CounterChild; duration: HistogramChild };
  /** Finds the groups; rejects when it cannot (the previous groups then stay). */
  refresh(signal: AbortSignal): Promise<TargetGroup[]>;
}

/** Refreshes at once and then on every interval tick, as Prometheus's refresh.Discovery. */
export function refreshDiscoverer(options: RefreshOptions): Discoverer {
  return {
    async run(signal, send) {
      let tick = Date.now();
      while (!signal.aborted) {
        const t0 = performance.now();
        try {
          const groups = await options.refresh(signal);
          if (!signal.aborted) send(groups);
        } catch (error) {
          if (!signal.aborted) {
            options.metrics.failures.inc();
            options.logger.error("Unable to refresh target groups", { err: (error as Error).message });
          }
        } finally {
          options.metrics.duration.observe((performance.now() - t0) / 1000);
        }
        tick += options.intervalMs;
        const now = Date.now();
        // Ticks missed during a long refresh: Go's ticker keeps one, so the next refresh starts at once.
        if (tick < now) tick += Math.floor((now - tick) / options.intervalMs) * options.intervalMs;
        await sleep(Math.max(0, tick - now), signal);
      }
    },
  };
}
