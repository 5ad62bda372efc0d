// The agent's own metrics with Alloy's names (spec run-http-cluster.md §3): build info, process
// resources, and the outcome of configuration loads. The same registry collects the controller's
// and the components' metrics and feeds /metrics (and prometheus.exporter.self later).
import { Counter, Gauge, Registry } from "prom-client";
import type { Platform } from "../platform/mod.ts";

export interface BuildLabels {
  version: string;
  revision: string;
  branch: string;
  runtime: string;
  runtimeVersion: string;
  os: string;
  arch: string;
}

export function createSelfMetrics(platform: Platform, build: BuildLabels): Registry {
  const registry = new Registry();
  const info = new Gauge({
    name: "alloy_build_info",
    help: "A metric with a constant '1' value labeled by version, revision, branch, goversion from which alloy was built, and the goos and goarch for the build.",
    labelNames: ["branch", "goarch", "goos", "goversion", "revision", "tags", "version"],
    registers: [registry],
  });
  info.set(
    {
      branch: build.branch,
      goarch: build.arch,
      goos: build.os,
      // Alloy reports the Go toolchain here; alloy-ts reports the runtime that runs it.
      goversion: `${build.runtime}${build.runtimeVersion}`,
      revision: build.revision,
      tags: "",
      version: `v${build.version}`,
    },
    1,
  );
  registerResourceMetrics(registry, platform);
  return registry;
}

/** alloy_resources_* : read from the platform at every scrape. */
function registerResourceMetrics(registry: Registry, platform: Platform) {
  let stats = platform.processStats();
  let readAt = 0;
  // One read of the process statistics per scrape, shared by the four metrics.
  const current = () => {
    if (Date.now() - readAt > 100) {
      stats = platform.processStats();
      readAt = Date.now();
    }
    return stats;
  };
  new Gauge({
    name: "alloy_resources_process_start_time_seconds",
    help: "Start time of the process since Unix epoch in seconds.",
    registers: [registry],
    collect() {
      this.set(current().startTimeSeconds);
    },
  });
  new Counter({
    name: "alloy_resources_process_cpu_seconds_total",
    help: "Total user and system CPU time spent in seconds.",
    registers: [registry],
    collect() {
      const s = current();
      this.reset();
      this.inc(s.cpuUserSeconds + s.cpuSystemSeconds);
    },
  });
  new Gauge({
    name: "alloy_resources_process_resident_memory_bytes",
    help: "Current resident memory size in bytes.",
    registers: [registry],
    collect() {
      this.set(current().residentMemoryBytes);
    },
  });
  new Gauge({
    name: "alloy_resources_process_virtual_memory_bytes",
    help: "Current virtual memory size in bytes.",
    registers: [registry],
    collect() {
      const s = current();
      if (s.virtualMemoryBytes !== undefined) this.set(s.virtualMemoryBytes);
    },
  });
}

/** alloy_config_* : the outcome of each configuration (re)load, as Alloy's InstrumentConfig records it. */
export class ConfigMetrics {
  readonly #hash: Gauge;
  readonly #lastSuccess: Gauge;
  readonly #lastSuccessTime: Gauge;
  readonly #failures: Counter;

  constructor(registry: Registry) {
    this.#hash = new Gauge({ name: "alloy_config_hash", help: "Hash of the currently active config file.", labelNames: ["cluster_name", "sha256"], registers: [registry] });
    this.#lastSuccess = new Gauge({ name: "alloy_config_last_load_successful", help: "Config loaded successfully.", registers: [registry] });
    this.#lastSuccessTime = new Gauge({ name: "alloy_config_last_load_success_timestamp_seconds", help: "Timestamp of the last successful configuration load.", registers: [registry] });
    this.#failures = new Counter({ name: "alloy_config_load_failures_total", help: "Configuration load failures.", registers: [registry] });
  }

  record(success: boolean, sha256: string, clusterName: string) {
    this.#hash.reset();
    this.#hash.set({ cluster_name: clusterName, sha256 }, 1);
    if (success) {
      this.#lastSuccess.set(1);
      this.#lastSuccessTime.set(Date.now() / 1000);
    } else {
      this.#lastSuccess.set(0);
      this.#failures.inc();
    }
  }
}
