// The remotecfg service's metrics, with Alloy's names, help texts and types (metrics.go). As in
// Alloy, the hash gauges keep every hash they were ever set for (a GaugeVec that is never reset).
import { Counter, DEFAULT_BUCKETS, Gauge, Histogram, type Registerer } from "../../runtime/metrics/registry.ts";

export class RemotecfgMetrics {
  readonly configHash = new Gauge({ name: "remotecfg_hash", help: "Hash of the currently active remote configuration." }, ["hash"]);
  readonly lastReceivedConfigHash = new Gauge(
    { name: "remotecfg_last_received_hash", help: "Hash of the last received remote configuration." },
    ["hash"],
  );
  readonly lastLoadSuccess = new Gauge({ name: "remotecfg_last_load_successful", help: "Remote config loaded successfully" });
  readonly lastFetchNotModified = new Gauge({
    name: "remotecfg_last_load_not_modified",
    help: "Remote config not modified since last fetch",
  });
  readonly totalFailures = new Counter({ name: "remotecfg_load_failures_total", help: "Remote configuration load failures" });
  readonly totalAttempts = new Counter({ name: "remotecfg_load_attempts_total", help: "Attempts to load remote configuration" });
  readonly lastFetchSuccessTime = new Gauge({
    name: "remotecfg_last_load_success_timestamp_seconds",
    help: "Timestamp of the last successful remote configuration load",
  });
  readonly getConfigTime = new Histogram({
    name: "remotecfg_request_duration_seconds",
    help: "Duration of remote configuration requests.",
    buckets: DEFAULT_BUCKETS,
  });

  /** Registered once per registry, as Alloy ignores AlreadyRegisteredError. */
  constructor(registerer: Registerer) {
    // Alloy registers every metric but remotecfg_last_received_hash (metrics.go never registers it).
    for (const metric of [
      this.configHash,
      this.lastLoadSuccess,
      this.lastFetchNotModified,
      this.totalFailures,
      this.totalAttempts,
      this.lastFetchSuccessTime,
      this.getConfigTime,
    ]) {
      registerer.register(metric);
    }
  }
}
