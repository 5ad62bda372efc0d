// The agent's own metrics with Alloy's names (spec run-http-cluster.md §3): build info, process
// resources, and the outcome of configuration loads. They go into the runtime's metrics registry,
// which also holds the controller's and the components' metrics and feeds /metrics (and
// prometheus.exporter.self).
//
// The registry is the runtime's own small model rather than prom-client: Alloy gives every component
// a private registry whose families carry the same names with different component labels, and
// prom-client cannot merge same-named families from several registries.
import type { Platform } from "../platform/mod.ts";
import { collector, Counter, Gauge, type MetricsRegistry } from "../runtime/metrics/registry.ts";

export interface BuildLabels {
  version: string;
  revision: string;
  branch: string;
  runtime: string;
  runtimeVersion: string;
  os: string;
  arch: string;
}

export function registerSelfMetrics(registry: MetricsRegistry, platform: Platform, build: BuildLabels): void {
  const info = new Gauge(
    {
      name: "alloy_build_info",
      help: "A metric with a constant '1' value labeled by version, revision, branch, goversion from which alloy was built, and the goos and goarch for the build.",
    },
    ["branch", "goarch", "goos", "goversion", "revision", "tags", "version"],
  );
  // Alloy reports the Go toolchain as goversion; alloy-ts reports the runtime that runs it.
  info.with(build.branch, build.arch, build.os, `${build.runtime}${build.runtimeVersion}`, build.revision, "", `v${build.version}`).set(1);
  registry.register(info);
  registry.register(resourceCollector(platform));
}

/** alloy_resources_*: read from the platform at every scrape. */
function resourceCollector(platform: Platform) {
  return collector(() => {
    const stats = platform.processStats();
    const gauge = (name: string, help: string, value: number | undefined) =>
      value === undefined ? [] : [{ name, help, type: "gauge" as const, samples: [{ labels: {}, value }] }];
    return [
      ...gauge("alloy_resources_process_start_time_seconds", "Start time of the process since Unix epoch in seconds.", stats.startTimeSeconds),
      {
        name: "alloy_resources_process_cpu_seconds_total",
        help: "Total user and system CPU time spent in seconds.",
        type: "counter" as const,
        samples: [{ labels: {}, value: stats.cpuUserSeconds + stats.cpuSystemSeconds }],
      },
      ...gauge("alloy_resources_process_resident_memory_bytes", "Current resident memory size in bytes.", stats.residentMemoryBytes),
      ...gauge("alloy_resources_process_virtual_memory_bytes", "Current virtual memory size in bytes.", stats.virtualMemoryBytes),
      ...machineNetwork(platform),
    ];
  });
}

/** alloy_resources_machine_{rx,tx}_bytes_total: the machine's network traffic, where the OS tells. */
function machineNetwork(platform: Platform) {
  const bytes = platform.machineNetworkBytes();
  if (!bytes) return [];
  const counter = (name: string, help: string, value: number) => ({ name, help, type: "counter" as const, samples: [{ labels: {}, value }] });
  return [
    counter("alloy_resources_machine_rx_bytes_total", "Total bytes, host-wide, received by all network interfaces.", bytes.received),
    counter("alloy_resources_machine_tx_bytes_total", "Total bytes, host-wide, sent by all network interfaces.", bytes.sent),
  ];
}

/** alloy_config_*: the outcome of each configuration (re)load, as Alloy's InstrumentConfig records it. */
export class ConfigMetrics {
  readonly #hash = new Gauge({ name: "alloy_config_hash", help: "Hash of the currently active config file." }, ["cluster_name", "sha256"]);
  readonly #lastSuccess = new Gauge({ name: "alloy_config_last_load_successful", help: "Config loaded successfully." });
  readonly #lastSuccessTime = new Gauge({
    name: "alloy_config_last_load_success_timestamp_seconds",
    help: "Timestamp of the last successful configuration load.",
  });
  readonly #failures = new Counter({ name: "alloy_config_load_failures_total", help: "Configuration load failures." });

  constructor(registry: MetricsRegistry) {
    for (const metric of [this.#hash, this.#lastSuccess, this.#lastSuccessTime, this.#failures]) registry.register(metric);
  }

  record(success: boolean, sha256: string, clusterName: string) {
    this.#hash.reset();
    this.#hash.with(clusterName, sha256).set(1);
    if (success) {
      this.#lastSuccess.set(1);
      this.#lastSuccessTime.set(Date.now() / 1000);
    } else {
      this.#lastSuccess.set(0);
      this.#failures.inc();
    }
  }
}
