// prometheus.scrape: scrapes its targets on an interval and forwards the samples (Alloy's component
// around Prometheus's scrape manager). Targets are turned into scrape loops (loop.ts), one per distinct
// target; targets that go away get their end-of-run staleness markers; targets on the in-memory
// address are reached through the component's fetch without a socket. With `clustering { enabled =
// true }` the agents of a cluster share the targets (DistributedTargets): each scrapes those it owns
// and re-balances when the cluster changes; a target that moved to another agent gets no staleness
// markers from here, as its series go on at the new owner.
import { defineComponent, type Health } from "../../../runtime/component.ts";
import { experimentalArgumentError, permits, type Stability } from "../../../runtime/featuregate.ts";
import { clusterOf } from "../../../runtime/cluster.ts";
import { health } from "../../../runtime/health.ts";
import { Counter, Gauge, Histogram } from "../../../runtime/metrics/registry.ts";
import { attr, block, Minute, Second, squash, struct, t } from "../../../syntax/schema/index.ts";
import { DistributedTargets } from "../../discovery/distributed-targets.ts";
import { targetsType } from "../../discovery/relabel.ts";
import { HttpClient, type HttpClientConfig, httpClientFields, memoryAddress, validateHttpClient } from "../httpclient.ts";
import { labelStore } from "../labelstore.ts";
import { appendableType, Fanout } from "../receiver.ts";
import { type LoopOptions, type ParserKind, ScrapeLoop } from "./loop.ts";
import { offsetSeed, populateLabels, type ScrapeSettings, Target } from "./target.ts";

/** Prometheus's ScrapeProtocolsHeaders. */
const PROTOCOL_HEADERS: Record<string, string> = {
  PrometheusProto: "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited",
  "PrometheusText0.0.4": "text/plain;version=0.0.4",
  "PrometheusText1.0.0": "text/plain;version=1.0.0",
  "OpenMetricsText0.0.1": "application/openmetrics-text;version=0.0.1",
  "OpenMetricsText1.0.0": "application/openmetrics-text;version=1.0.0",
};
const PROTOCOL_PARSERS: Record<string, ParserKind> = {
  PrometheusProto: "protobuf",
  "PrometheusText0.0.4": "text",
  "PrometheusText1.0.0": "text",
  "OpenMetricsText0.0.1": "openmetrics",
  "OpenMetricsText1.0.0": "openmetrics",
};
export const DEFAULT_SCRAPE_PROTOCOLS = ["OpenMetricsText1.0.0", "OpenMetricsText0.0.1", "PrometheusText1.0.0", "PrometheusText0.0.4"];
const PROTO_FIRST_PROTOCOLS = ["PrometheusProto", "OpenMetricsText1.0.0", "OpenMetricsText0.0.1", "PrometheusText1.0.0", "PrometheusText0.0.4"];
const ESCAPING_SCHEMES = ["allow-utf-8", "underscores", "dots", "values"];

/** Prometheus's acceptHeader: protocols by preference with decreasing q, then any type. */
export function acceptHeader(protocols: readonly string[], escaping: string): string {
  const parts: string[] = [];
  let weight = Object.keys(PROTOCOL_HEADERS).length + 1;
  for (const p of protocols) {
    let v = PROTOCOL_HEADERS[p]!;
    if (p === "PrometheusText1.0.0" || p === "OpenMetricsText1.0.0") v += `;escaping=${escaping}`;
    parts.push(`${v};q=0.${weight}`);
    weight--;
  }
  parts.push(`*/*;q=0.${weight}`);
  return parts.join(",");
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

const Arguments = struct(
  {
    targets: attr(targetsType()),
    forward_to: attr(t.array(appendableType())),
    job_name: attr(t.string(), { optional: true }),
    honor_labels: attr(t.bool(), { optional: true }),
    honor_timestamps: attr(t.bool(), { default: true }),
    track_timestamps_staleness: attr(t.bool(), { optional: true }),
    params: attr(t.map(t.array(t.string())), { optional: true }),
    scrape_classic_histograms: attr(t.bool(), { optional: true }),
    scrape_native_histograms: attr(t.bool(), { optional: true }),
    scrape_failure_log_file: attr(t.string(), { optional: true }),
    scrape_interval: attr(t.duration(), { default: Minute }),
    scrape_timeout: attr(t.duration(), { default: 10 * Second }),
    scrape_protocols: attr(t.array(t.string()), { default: () => [...DEFAULT_SCRAPE_PROTOCOLS] }),
    metrics_path: attr(t.string(), { default: "/metrics" }),
    scheme: attr(t.string(), { default: "http" }),
    body_size_limit: attr(t.int64(), { optional: true }),
    sample_limit: attr(t.uint(), { optional: true }),
    target_limit: attr(t.uint(), { optional: true }),
    label_limit: attr(t.uint(), { optional: true }),
    label_name_length_limit: attr(t.uint(), { optional: true }),
    label_value_length_limit: attr(t.uint(), { optional: true }),
    http: squash(struct(httpClientFields(true))),
    extra_metrics: attr(t.bool(), { optional: true }),
    enable_protobuf_negotiation: attr(t.bool(), { optional: true }),
    metric_name_validation_scheme: attr(t.string(), { default: "legacy" }),
    metric_name_escaping_scheme: attr(t.string(), { optional: true }),
    scrape_fallback_protocol: attr(t.string(), { default: "PrometheusText0.0.4" }),
    convert_classic_histograms_to_nhcb: attr(t.bool(), { optional: true }),
    enable_compression: attr(t.bool(), { default: true }),
    native_histogram_bucket_limit: attr(t.uint(), { optional: true }),
    native_histogram_min_bucket_factor: attr(t.float64(), { optional: true }),
    honor_metadata: attr(t.bool(), { optional: true }),
    enable_type_and_unit_labels: attr(t.bool(), { optional: true }),
    start_timestamp_zero_ingestion: attr(t.bool(), { optional: true }),
    clustering: block(struct({ enabled: attr(t.bool()) }), { optional: true }),
  },
  {
    validate: (a) => {
      if (a.scrape_timeout > a.scrape_interval) {
        return `scrape_timeout (${goDuration(a.scrape_timeout)}) greater than scrape_interval (${goDuration(a.scrape_interval)}) for scrape config with job name ${JSON.stringify(a.job_name)}`;
      }
      if (a.enable_protobuf_negotiation) {
        if (!sameList(a.scrape_protocols, DEFAULT_SCRAPE_PROTOCOLS)) {
          return "both enable_protobuf_negotiation and scrape_protocols are set, only one can be set at a time";
        }
        a.scrape_protocols = [...PROTO_FIRST_PROTOCOLS];
        a.scrape_native_histograms = true;
      }
      if (a.scrape_native_histograms) {
        if (sameList(a.scrape_protocols, DEFAULT_SCRAPE_PROTOCOLS)) a.scrape_protocols = [...PROTO_FIRST_PROTOCOLS];
        if (!a.scrape_protocols.includes("PrometheusProto")) {
          return "scrape_native_histograms is set to true, but PrometheusProto is not in scrape_protocols";
        }
      }
      const seen = new Set<string>();
      for (const p of a.scrape_protocols) {
        if (seen.has(p)) return `duplicate scrape protocol ${JSON.stringify(p)}: make sure the scrape protocols provided are unique`;
        if (!(p in PROTOCOL_HEADERS)) return `invalid scrape protocol ${JSON.stringify(p)}: ${unknownProtocol(p)}`;
        seen.add(p);
      }
      if (a.scrape_fallback_protocol !== "" && !(a.scrape_fallback_protocol in PROTOCOL_HEADERS)) {
        return `invalid scrape_fallback_protocol ${JSON.stringify(a.scrape_fallback_protocol)}: ${unknownProtocol(a.scrape_fallback_protocol)}`;
      }
      if (a.metric_name_validation_scheme !== "utf8" && a.metric_name_validation_scheme !== "legacy") {
        return `invalid metric_name_validation_scheme ${JSON.stringify(a.metric_name_validation_scheme)}: must be either "utf8" or "legacy"`;
      }
      if (a.metric_name_escaping_scheme === "") {
        a.metric_name_escaping_scheme = a.metric_name_validation_scheme === "legacy" ? "underscores" : "allow-utf-8";
      } else if (!ESCAPING_SCHEMES.includes(a.metric_name_escaping_scheme)) {
        return `invalid metric_name_escaping_scheme: ${JSON.stringify(a.metric_name_escaping_scheme)}, supported values: [${ESCAPING_SCHEMES.join(" ")}]`;
      }
      if (a.metric_name_escaping_scheme === "allow-utf-8" && a.metric_name_validation_scheme !== "utf8") {
        return "metric_name_escaping_scheme cannot be set to 'allow-utf-8' while metric_name_validation_scheme is not set to 'utf8'";
      }
      // Not implemented yet: refused rather than ignored (the experimental ones after their
      // stability gate, in checkExperimental).
      const unsupported: [boolean, string][] = [
        [a.convert_classic_histograms_to_nhcb, "convert_classic_histograms_to_nhcb"],
        [a.native_histogram_bucket_limit > 0, "native_histogram_bucket_limit"],
        [a.native_histogram_min_bucket_factor > 0, "native_histogram_min_bucket_factor"],
        [a.scrape_failure_log_file !== "", "scrape_failure_log_file"],
      ];
      for (const [set, name] of unsupported) if (set) return `${name} is not supported by alloy-ts yet`;
      return validateHttpClient(a.http as HttpClientConfig);
    },
  },
);

function unknownProtocol(p: string): string {
  return `unknown scrape protocol ${p}, supported: [${Object.keys(PROTOCOL_HEADERS).sort().join(" ")}]`;
}

/** Go's time.Duration String for whole-second-ish values used in messages. */
function goDuration(ns: number): string {
  const s = ns / 1e9;
  if (s >= 60 && Number.isInteger(s)) {
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return `${h > 0 ? `${h}h` : ""}${h > 0 || m > 0 ? `${m}m` : ""}${sec}s`;
  }
  return `${s}s`;
}

type Args = ReturnType<typeof Arguments.decode>;

/**
 * Alloy's gates on the experimental arguments (checked when the component is built, as Alloy does),
 * then the refusal of those alloy-ts does not implement yet.
 */
function checkExperimental(a: Args, minStability: Stability): void {
  const experimental = permits(minStability, "experimental");
  for (const [set, name] of [
    [a.honor_metadata, "honor_metadata"],
    [a.enable_type_and_unit_labels, "enable_type_and_unit_labels"],
    [a.start_timestamp_zero_ingestion, "start_timestamp_zero_ingestion"],
  ] as const) {
    if (set && !experimental) throw experimentalArgumentError(name);
  }
  checkImplemented(a);
}

function checkImplemented(a: Args): void {
  if (a.enable_type_and_unit_labels) throw new Error("enable_type_and_unit_labels is not supported by alloy-ts yet");
  if (a.start_timestamp_zero_ingestion) throw new Error("start_timestamp_zero_ingestion is not supported by alloy-ts yet");
}

export const prometheusScrape = defineComponent({
  name: "prometheus.scrape",
  stability: "generally-available",
  args: Arguments,
  build(context, initial) {
    checkExperimental(initial, context.minStability);
    const store = labelStore();
    const releaseStore = store.acquire();
    const fanout = new Fanout(initial.forward_to);
    const client = new HttpClient(initial.http as HttpClientConfig, context.fetch, context.platform, { memoryAddr: memoryAddress(context) });
    const seed = offsetSeed(context.platform.hostname());
    const cluster = clusterOf(context);
    /** This agent's share of the targets at the last sync. */
    let distributed: DistributedTargets | undefined;
    let args: Args = initial;
    let loops = new Map<string, ScrapeLoop>();
    let targetErrors: string[] = [];
    let current: Health = health("healthy", "");

    const targetsGauge = new Gauge({ name: "prometheus_scrape_targets_gauge", help: "Number of targets this component is configured to scrape" });
    const movedTargets = new Counter({
      name: "prometheus_scrape_targets_moved_total",
      help: "Number of targets that have moved from this cluster node to another one",
    });
    const forwarded = new Counter({ name: "prometheus_forwarded_samples_total", help: "Total number of samples sent to downstream components." });
    const latency = new Histogram(
      { name: "prometheus_fanout_latency", help: "Write latency for sending to direct and indirect components" },
      ["fanout_type"],
    );
    for (const metric of [targetsGauge, movedTargets, forwarded, latency]) context.registerer.register(metric);
    const latencyDirect = latency.with("direct");

    const jobName = () => args.job_name || context.id;
    const settings = (): ScrapeSettings => ({
      jobName: jobName(),
      intervalMs: args.scrape_interval / 1e6,
      timeoutMs: args.scrape_timeout / 1e6,
      metricsPath: args.metrics_path,
      scheme: args.scheme,
      params: args.params ?? {},
      scrapeNativeHistograms: args.scrape_native_histograms,
      scrapeClassicHistograms: args.scrape_classic_histograms,
      convertClassicHistogramsToNHCB: args.convert_classic_histograms_to_nhcb,
    });
    const loopOptions = (): LoopOptions => ({
      honorLabels: args.honor_labels,
      honorTimestamps: args.honor_timestamps,
      trackTimestampsStaleness: args.track_timestamps_staleness,
      sampleLimit: args.sample_limit,
      labelLimit: args.label_limit,
      labelNameLengthLimit: args.label_name_length_limit,
      labelValueLengthLimit: args.label_value_length_limit,
      bodySizeLimit: args.body_size_limit,
      acceptHeader: acceptHeader(args.scrape_protocols, args.metric_name_escaping_scheme),
      enableCompression: args.enable_compression,
      fallback: args.scrape_fallback_protocol === "" ? "" : PROTOCOL_PARSERS[args.scrape_fallback_protocol]!,
      scrapeNativeHistograms: args.scrape_native_histograms,
      scrapeClassicHistograms: args.scrape_classic_histograms,
      extraMetrics: args.extra_metrics,
      utf8Names: args.metric_name_validation_scheme === "utf8",
      honorMetadata: args.honor_metadata,
      userAgent: context.userAgent,
    });
    const deps = {
      store,
      client,
      receiver: fanout,
      logger: context.logger,
      offsetSeed: seed,
      onForward: (samples: number, seconds: number) => {
        forwarded.inc(samples);
        latencyDirect.observe(seconds);
      },
    };

    let running = false;
    let stopped = false;
    const targetKey = (discovered: Record<string, string>, s: ScrapeSettings) => {
      const labels = populateLabels(discovered, s);
      return typeof labels === "string" ? undefined : new Target(labels, s).key;
    };
    /**
     * Starts loops for this agent's new targets, stops those of targets that went away (with
     * staleness markers) or moved to another agent of the cluster (without).
     */
    const sync = (restart: boolean) => {
      const s = settings();
      const options = loopOptions();
      const next = new Map<string, ScrapeLoop>();
      targetErrors = [];
      const share = new DistributedTargets(args.clustering?.enabled === true, cluster, args.targets);
      const moved = share.movedToRemoteInstance(distributed);
      distributed = share;
      movedTargets.inc(moved.length);
      const movedKeys = new Set(moved.map((t) => targetKey(t, s)));
      for (const discovered of share.localTargets) {
        const labels = populateLabels(discovered, s);
        if (typeof labels === "string") {
          targetErrors.push(labels);
          context.logger.warn("creating target failed", { err: labels });
          continue;
        }
        const target = new Target(labels, s);
        if (next.has(target.key)) continue; // duplicate target
        const existing = loops.get(target.key);
        if (existing && !restart) {
          existing.setOptions(options);
          next.set(target.key, existing);
        } else {
          if (existing) existing.shutdown();
          const loop = new ScrapeLoop(target, options, deps);
          next.set(target.key, loop);
          if (running) loop.start();
        }
      }
      for (const [key, loop] of loops) if (!next.has(key)) loop.stop(!movedKeys.has(key));
      loops = next;
      targetsGauge.set(loops.size);
      // Prometheus fails every scrape of the job while there are more targets than target_limit.
      const limitError = args.target_limit > 0 && loops.size > args.target_limit
        ? `target_limit exceeded (number of targets: ${loops.size}, limit: ${args.target_limit})`
        : undefined;
      for (const loop of loops.values()) loop.forcedError = limitError;
      current = health("healthy", "");
    };
    sync(false);
    let resyncQueued = false;

    return {
      async run(signal) {
        running = true;
        for (const loop of loops.values()) loop.start();
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
        running = false;
        stopped = true;
        for (const loop of loops.values()) loop.shutdown();
        loops.clear();
        releaseStore();
        await client.close();
      },
      update(next) {
        checkImplemented(next);
        // As in Alloy, honor_metadata is fixed when the component is built (which is also where its
        // stability gate applies): a reload that changes it is logged and ignored.
        if (next.honor_metadata !== args.honor_metadata) {
          context.logger.warn("honor_metadata cannot be changed at runtime; the component will continue using the original setting until Alloy is restarted", {
            current: args.honor_metadata,
            requested: next.honor_metadata,
          });
          next = { ...next, honor_metadata: args.honor_metadata };
        }
        const previous = args;
        args = next;
        fanout.update(next.forward_to);
        client.update(next.http as HttpClientConfig);
        // Interval, timeout, path, scheme or params change the targets themselves (labels, URL).
        const restart = previous.scrape_interval !== next.scrape_interval || previous.scrape_timeout !== next.scrape_timeout;
        sync(restart);
      },
      /** The cluster changed: re-balance soon, off the cluster service's notification loop. */
      notifyClusterChange() {
        if (args.clustering?.enabled !== true || resyncQueued) return;
        resyncQueued = true;
        setTimeout(() => {
          resyncQueued = false;
          if (!stopped) sync(false);
        }, 0);
      },
      health: () => current,
      debugInfo: () => ({ target: [...loops.values()].map((l) => l.status(jobName())) }),
    };
  },
});
