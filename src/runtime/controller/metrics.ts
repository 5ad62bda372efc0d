// The controller's own metrics, with Alloy's names, help texts and labels. Every controller (the
// root and each module) labels its series with controller_path and controller_id.
import { type HealthState } from "../component.ts";
import { HEALTH_STATES } from "../health.ts";
import {
  type Collector,
  Gauge,
  Histogram,
  type MetricFamily,
  type MetricSample,
  Counter,
} from "../metrics/registry.ts";
import { pathLabels } from "./globals.ts";

// 5ms … 10m: evaluations slower than 30s are the interesting ones.
const EVALUATION_BUCKETS = [0.005, 0.025, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600];

/** Evaluations at least this slow are counted per component. */
const SLOW_EVALUATION_SECONDS = 60;

export class ControllerMetrics implements Collector {
  readonly evaluating: Gauge;
  readonly evaluationSeconds: Histogram;
  readonly dependenciesWaitSeconds: Histogram;
  readonly queueSize: Gauge;
  readonly slowEvaluationSeconds: Counter;
  readonly graphConnection: Gauge;
  readonly #labels: Record<string, string>;

  constructor(controllerId: string) {
    const [path, id] = pathLabels(controllerId);
    const constLabels = { controller_path: path, controller_id: id };
    this.#labels = constLabels;
    this.evaluating = new Gauge({
      name: "alloy_component_controller_evaluating",
      help: "Tracks if the controller is currently in the middle of a graph evaluation",
      constLabels,
    });
    this.evaluationSeconds = new Histogram({
      name: "alloy_component_evaluation_seconds",
      help: "Time spent performing component evaluation",
      constLabels,
      buckets: EVALUATION_BUCKETS,
    });
    this.dependenciesWaitSeconds = new Histogram({
      name: "alloy_component_dependencies_wait_seconds",
      help: "Time spent by components waiting to be evaluated after their dependency is updated.",
      constLabels,
      buckets: EVALUATION_BUCKETS,
    });
    this.queueSize = new Gauge({
      name: "alloy_component_evaluation_queue_size",
      help: "Tracks the number of components waiting to be evaluated in the worker pool",
      constLabels,
    });
    this.slowEvaluationSeconds = new Counter(
      {
        name: "alloy_component_evaluation_slow_seconds",
        help: `Number of seconds spent evaluating components that take longer than 1m0s to evaluate`,
        constLabels,
      },
      ["component_id"],
    );
    this.graphConnection = new Gauge(
      { name: "alloy_component_graph_connection", help: "Indicates that two components are connected in the graph", constLabels },
      ["from", "to"],
    );
  }

  onEvaluationDone(nodeId: string, seconds: number): void {
    this.evaluationSeconds.observe(seconds);
    if (seconds >= SLOW_EVALUATION_SECONDS) this.slowEvaluationSeconds.with(nodeId).inc(seconds);
  }

  collect(): MetricFamily[] {
    return [
      ...this.evaluationSeconds.collect(),
      ...this.evaluating.collect(),
      ...this.dependenciesWaitSeconds.collect(),
      ...this.queueSize.collect(),
      ...this.slowEvaluationSeconds.collect(),
      ...this.graphConnection.collect(),
    ];
  }

  /** alloy_component_controller_running_components for the given health states, one series per state seen. */
  runningComponents(states: readonly HealthState[]): MetricFamily {
    const counts = new Map<HealthState, number>();
    for (const s of states) counts.set(s, (counts.get(s) ?? 0) + 1);
    const samples: MetricSample[] = HEALTH_STATES.filter((s) => counts.has(s)).map((s) => ({
      labels: { ...this.#labels, health_type: s },
      value: counts.get(s)!,
    }));
    return { name: "alloy_component_controller_running_components", help: "Total number of running components.", type: "gauge", samples };
  }
}
