// Public API of the runtime: the controller behind `alloy run`, the component contract, and the
// pieces the CLI, the HTTP API and the embedding API need.
export {
  type ComponentInfo,
  createRuntime,
  type LoadResult,
  readSourcePath,
  Runtime,
  type RuntimeMetrics,
  type RuntimeOptions,
} from "./runtime.ts";
export {
  type Component,
  type ComponentContext,
  type ComponentDefinition,
  defineComponent,
  type Health,
  type HealthState,
} from "./component.ts";
export { Registry } from "./registry.ts";
export { checkStability, parseStability, type Stability, STABILITY_LEVELS } from "./featuregate.ts";
export { health, leastHealthy } from "./health.ts";
export { ensureUtf8, parseSource, parseSources, Source, SourceError, sourceFromBody, sourceHash, StatementError } from "./source.ts";
export { type Service, type ServiceDefinition, type ServiceHost, SERVICE_NAMES } from "./service.ts";
export { CLUSTER_SERVICE, clusterOf, type Cluster, type ClusterPeer, type ShardOp } from "./cluster.ts";
export { RECEIVER_CAPSULE_TYPES } from "./controller/loader.ts";
export {
  collector,
  type Collector,
  Counter,
  Gauge,
  Histogram,
  type Labels,
  type MetricFamily,
  MetricsRegistry,
  type MetricSample,
  noopRegisterer,
  type Registerer,
  withLabels,
} from "./metrics/registry.ts";
export { formatMetricsText } from "./metrics/text.ts";
export { type TracingOptions } from "./nodes/tracing.ts";
export { LogController, type LogFormat, type Logger, type LogLevel, type LogSink } from "./logging/logger.ts";
