// Argument schemas of prometheus.scrape, prometheus.relabel and prometheus.remote_write, as
// Alloy declares them (internal/component/prometheus/...), with Alloy's defaults.
import { attr, block, blocks, squash, struct, t, type Type } from "../../syntax/schema/index.ts";
import { Hour, Millisecond, Minute, Second } from "../../syntax/schema/duration.ts";
import { formatBase2Bytes, parseBase2Bytes } from "../common/units.ts";
import { appendableType, ClusteringBlock, HTTPClientConfig, relabelRules, targetsType } from "./common.ts";

/** units.Base2Bytes: a byte count printed as "10MiB". */
const base2BytesType = (): Type<number> =>
  t.text<number>({ name: "bytes", parse: parseBase2Bytes, format: formatBase2Bytes, zero: () => 0, isZero: (n) => n === 0, equal: (a, b) => a === b });

export const DEFAULT_SCRAPE_PROTOCOLS = ["OpenMetricsText1.0.0", "OpenMetricsText0.0.1", "PrometheusText1.0.0", "PrometheusText0.0.4"];

export const ScrapeArguments = struct({
  targets: attr(targetsType()),
  forward_to: attr(t.array(appendableType())),
  job_name: attr(t.string(), { optional: true }),
  honor_labels: attr(t.bool(), { optional: true }),
  honor_timestamps: attr(t.bool(), { optional: true }),
  track_timestamps_staleness: attr(t.bool(), { optional: true }),
  params: attr(t.nullable(t.map(t.array(t.string()))), { optional: true }),
  scrape_classic_histograms: attr(t.bool(), { optional: true }),
  scrape_native_histograms: attr(t.bool(), { optional: true }),
  scrape_failure_log_file: attr(t.string(), { optional: true }),
  scrape_interval: attr(t.duration(), { optional: true }),
  scrape_timeout: attr(t.duration(), { optional: true }),
  scrape_protocols: attr(t.nullable(t.array(t.string())), { optional: true }),
  metrics_path: attr(t.string(), { optional: true }),
  scheme: attr(t.string(), { optional: true }),
  body_size_limit: attr(base2BytesType(), { optional: true }),
  sample_limit: attr(t.uint(), { optional: true }),
  target_limit: attr(t.uint(), { optional: true }),
  label_limit: attr(t.uint(), { optional: true }),
  label_name_length_limit: attr(t.uint(), { optional: true }),
  label_value_length_limit: attr(t.uint(), { optional: true }),
  http_client_config: squash(HTTPClientConfig),
  extra_metrics: attr(t.bool(), { optional: true }),
  enable_protobuf_negotiation: attr(t.bool(), { optional: true }),
  metric_name_validation_scheme: attr(t.string(), { optional: true }),
  metric_name_escaping_scheme: attr(t.string(), { optional: true }),
  scrape_fallback_protocol: attr(t.string(), { optional: true }),
  convert_classic_histograms_to_nhcb: attr(t.bool(), { optional: true }),
  enable_compression: attr(t.bool(), { optional: true }),
  native_histogram_bucket_limit: attr(t.uint(), { optional: true }),
  native_histogram_min_bucket_factor: attr(t.float64(), { optional: true }),
  honor_metadata: attr(t.bool(), { optional: true }),
  enable_type_and_unit_labels: attr(t.bool(), { optional: true }),
  start_timestamp_zero_ingestion: attr(t.bool(), { optional: true }),
  clustering: block(ClusteringBlock, { optional: true, default: () => ({ enabled: false }) }),
}, {
  defaults: () => ({
    metrics_path: "/metrics",
    scheme: "http",
    honor_labels: false,
    honor_timestamps: true,
    track_timestamps_staleness: false,
    http_client_config: HTTPClientConfig.defaults(),
    scrape_interval: Minute,
    scrape_timeout: 10 * Second,
    scrape_protocols: [...DEFAULT_SCRAPE_PROTOCOLS],
    scrape_fallback_protocol: "PrometheusText0.0.4",
    scrape_native_histograms: false,
    metric_name_validation_scheme: "legacy",
    convert_classic_histograms_to_nhcb: false,
    enable_compression: true,
    native_histogram_bucket_limit: 0,
    native_histogram_min_bucket_factor: 0,
  }),
});

export type ScrapeArgumentsHost = ReturnType<typeof ScrapeArguments.zero>;

export const RelabelArguments = struct({
  forward_to: attr(t.array(appendableType())),
  rule: relabelRules(),
  max_cache_size: attr(t.int(), { optional: true }),
  cache_ttl: attr(t.duration(), { optional: true }),
}, { defaults: () => ({ max_cache_size: 100_000 }) });

export const QueueOptions = struct({
  capacity: attr(t.int(), { optional: true }),
  max_shards: attr(t.int(), { optional: true }),
  min_shards: attr(t.int(), { optional: true }),
  max_samples_per_send: attr(t.int(), { optional: true }),
  batch_send_deadline: attr(t.duration(), { optional: true }),
  min_backoff: attr(t.duration(), { optional: true }),
  max_backoff: attr(t.duration(), { optional: true }),
  retry_on_http_429: attr(t.bool(), { optional: true }),
  sample_age_limit: attr(t.duration(), { optional: true }),
}, {
  defaults: () => ({
    capacity: 10000,
    max_shards: 50,
    min_shards: 1,
    max_samples_per_send: 2000,
    batch_send_deadline: 5 * Second,
    min_backoff: 30 * Millisecond,
    max_backoff: 5 * Second,
    retry_on_http_429: true,
    sample_age_limit: 0,
  }),
});

export const MetadataOptions = struct({
  send: attr(t.bool(), { optional: true }),
  send_interval: attr(t.duration(), { optional: true }),
  max_samples_per_send: attr(t.int(), { optional: true }),
}, { defaults: () => ({ send: true, send_interval: Minute, max_samples_per_send: 2000 }) });

export const SigV4Config = struct({
  region: attr(t.string(), { optional: true }),
  access_key: attr(t.string(), { optional: true }),
  secret_key: attr(t.secret(), { optional: true }),
  profile: attr(t.string(), { optional: true }),
  role_arn: attr(t.string(), { optional: true }),
  external_id: attr(t.string(), { optional: true }),
  use_fips_sts_endpoint: attr(t.bool(), { optional: true }),
  service_name: attr(t.string(), { optional: true }),
});

const ManagedIdentity = struct({ client_id: attr(t.string()) });
const WorkloadIdentity = struct({
  client_id: attr(t.string()),
  tenant_id: attr(t.string()),
  token_file_path: attr(t.string(), { optional: true }),
});
const AzureOAuth = struct({ client_id: attr(t.string()), client_secret: attr(t.secret()), tenant_id: attr(t.string()) });
const AzureSDK = struct({ tenant_id: attr(t.string()) });

export const AzureADConfig = struct({
  managed_identity: block(ManagedIdentity, { optional: true }),
  workload_identity: block(WorkloadIdentity, { optional: true }),
  oauth: block(AzureOAuth, { optional: true }),
  sdk: block(AzureSDK, { optional: true }),
  cloud: attr(t.string(), { optional: true }),
  scope: attr(t.string(), { optional: true }),
}, { defaults: () => ({ cloud: "AzurePublic" }) });

export const GoogleIAMConfig = struct({ credentials_file: attr(t.string(), { optional: true }) });

export const EndpointOptions = struct({
  name: attr(t.string(), { optional: true }),
  url: attr(t.string()),
  remote_timeout: attr(t.duration(), { optional: true }),
  headers: attr(t.nullable(t.map(t.string())), { optional: true }),
  send_exemplars: attr(t.bool(), { optional: true }),
  send_native_histograms: attr(t.bool(), { optional: true }),
  protobuf_message: attr(t.string(), { optional: true }),
  http_client_config: squash(HTTPClientConfig),
  queue_config: block(QueueOptions, { optional: true }),
  metadata_config: block(MetadataOptions, { optional: true }),
  write_relabel_config: relabelRules(),
  sigv4: block(SigV4Config, { optional: true }),
  azuread: block(AzureADConfig, { optional: true }),
  google_iam: block(GoogleIAMConfig, { optional: true }),
  round_robin_dns: attr(t.bool(), { optional: true }),
}, {
  defaults: () => ({
    remote_timeout: 30 * Second,
    send_exemplars: true,
    protobuf_message: "prometheus.WriteRequest",
    // Alloy's endpoint default turned HTTP/2 off with Prometheus v3.4.2.
    http_client_config: { ...HTTPClientConfig.defaults(), enable_http2: false },
  }),
});

export type EndpointOptionsHost = ReturnType<typeof EndpointOptions.zero>;

export const WALOptions = struct({
  truncate_frequency: attr(t.duration(), { optional: true }),
  min_keepalive_time: attr(t.duration(), { optional: true }),
  max_keepalive_time: attr(t.duration(), { optional: true }),
}, { defaults: () => ({ truncate_frequency: 2 * Hour, min_keepalive_time: 5 * Minute, max_keepalive_time: 8 * Hour }) });

export const RemoteWriteArguments = struct({
  external_labels: attr(t.nullable(t.map(t.string())), { optional: true }),
  endpoint: blocks(EndpointOptions, { optional: true }),
  wal: block(WALOptions, { optional: true, default: () => WALOptions.defaults() }),
}, { defaults: () => ({ endpoint: null as never, wal: WALOptions.defaults() }) });
