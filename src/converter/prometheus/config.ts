// Prometheus's configuration file as Prometheus's config.Load reads it (v3.13, the version Alloy
// builds with): strict YAML decoding, the defaults of every section, and the validation and its
// messages. Alloy's binary also links Grafana Agent's static mode, whose init changes two remote
// write defaults (send_exemplars and retry_on_http_429 on); the loader here does the same.
import { bool, custom, float64, int, int64, map, named, ptr, slice, str, struct, uint, uint64, unmarshalStrict, via, type YType } from "../goyaml/decode.ts";
import { formatBase2Bytes, parseBase2Bytes } from "../common/units.ts";
import {
  defaultHTTPClientConfig,
  type HTTPClientConfig,
  httpClientConfig,
  modelDuration,
  promURL,
  secret,
  type TLSConfig,
  tlsConfig,
  validateHTTPClientConfig,
} from "./common.ts";
import { isValidLabelName, type RelabelConfig, relabelConfig, validateRelabel } from "./relabel.ts";
import { readSDConfigs, type SDConfig, type SDEnv, sdFields, setSDEnv, type TargetGroup } from "./sd.ts";

const SECOND = 1_000_000_000;
const MINUTE = 60 * SECOND;
const MS = 1_000_000;

export const SCRAPE_PROTOCOLS = ["PrometheusProto", "PrometheusText0.0.4", "PrometheusText1.0.0", "OpenMetricsText0.0.1", "OpenMetricsText1.0.0"];
export const DEFAULT_SCRAPE_PROTOCOLS = ["OpenMetricsText1.0.0", "OpenMetricsText0.0.1", "PrometheusText1.0.0", "PrometheusText0.0.4"];
export const DEFAULT_PROTO_FIRST_SCRAPE_PROTOCOLS = ["PrometheusProto", ...DEFAULT_SCRAPE_PROTOCOLS];

const validationScheme: YType<string> = via("model.ValidationScheme", str, (s) => {
  if (s === "" || s === "legacy" || s === "utf8") return s;
  throw new Error(`unrecognized ValidationScheme: ${JSON.stringify(s)}`);
}, () => "");

const base2Bytes: YType<number> = {
  goName: "units.Base2Bytes",
  decode: (d, n, cur) => {
    if (n.kind !== "scalar") {
      d.terrors.push(`line ${n.line + 1}: cannot unmarshal ${n.kind === "mapping" ? "!!map" : "!!seq"} into units.Base2Bytes`);
      return cur;
    }
    return parseBase2Bytes(n.value);
  },
  zero: () => 0,
};

// ---------------------------------------------------------------------------------------------
// global

export interface GlobalConfig {
  scrape_interval: number;
  scrape_timeout: number;
  scrape_protocols: string[] | null;
  evaluation_interval: number;
  rule_query_offset: number;
  query_log_file: string;
  scrape_failure_log_file: string;
  external_labels: Record<string, string> | null;
  body_size_limit: number;
  sample_limit: number;
  target_limit: number;
  label_limit: number;
  label_name_length_limit: number;
  label_value_length_limit: number;
  keep_dropped_targets: number;
  metric_name_validation_scheme: string;
  metric_name_escaping_scheme: string;
  scrape_native_histograms: boolean | null;
  convert_classic_histograms_to_nhcb: boolean;
  always_scrape_classic_histograms: boolean;
  extra_scrape_metrics: boolean | null;
}

const globalPlain = struct<GlobalConfig>("config.plain", {
  scrape_interval: modelDuration,
  scrape_timeout: modelDuration,
  scrape_protocols: slice(named("config.ScrapeProtocol"), "[]config.ScrapeProtocol"),
  evaluation_interval: modelDuration,
  rule_query_offset: modelDuration,
  query_log_file: str,
  scrape_failure_log_file: str,
  external_labels: via("labels.Labels", map(str), (m) => m ?? {}, () => null) as YType<Record<string, string> | null>,
  body_size_limit: base2Bytes,
  sample_limit: uint,
  target_limit: uint,
  label_limit: uint,
  label_name_length_limit: uint,
  label_value_length_limit: uint,
  keep_dropped_targets: uint,
  metric_name_validation_scheme: validationScheme,
  metric_name_escaping_scheme: str,
  scrape_native_histograms: ptr(bool),
  convert_classic_histograms_to_nhcb: bool,
  always_scrape_classic_histograms: bool,
  extra_scrape_metrics: ptr(bool),
});

export function defaultGlobalConfig(): GlobalConfig {
  return {
    ...globalPlain.zero(),
    scrape_interval: MINUTE,
    scrape_timeout: 10 * SECOND,
    evaluation_interval: MINUTE,
    scrape_native_histograms: false,
    extra_scrape_metrics: false,
    metric_name_validation_scheme: "utf8",
    metric_name_escaping_scheme: "allow-utf-8",
  };
}

function validateScrapeProtocols(list: string[]): void {
  if (list.length === 0) throw new Error("scrape_protocols cannot be empty");
  const seen = new Set<string>();
  for (const p of list) {
    if (seen.has(p.toLowerCase())) throw new Error(`duplicated protocol in scrape_protocols, got [${list.join(" ")}]`);
    if (!SCRAPE_PROTOCOLS.includes(p)) {
      throw new Error(`scrape_protocols: unknown scrape protocol ${p}, supported: [${[...SCRAPE_PROTOCOLS].sort().join(" ")}]`);
    }
    seen.add(p.toLowerCase());
  }
}

const isValidLabelValue = (s: string) => !/[\uD800-\uDFFF]/.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ""));

const globalConfig: YType<GlobalConfig> = custom(globalPlain, {
  reset: () => globalPlain.zero(),
  after: (gc) => {
    if (gc.metric_name_validation_scheme !== "utf8" && gc.metric_name_validation_scheme !== "legacy") gc.metric_name_validation_scheme = "utf8";
    for (const [name, value] of Object.entries(gc.external_labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (!isValidLabelName(name, gc.metric_name_validation_scheme)) throw new Error(`${JSON.stringify(name)} is not a valid label name`);
      if (!isValidLabelValue(value)) throw new Error(`${JSON.stringify(value)} is not a valid label value`);
    }
    if (gc.scrape_interval === 0) gc.scrape_interval = MINUTE;
    if (gc.scrape_timeout > gc.scrape_interval) throw new Error("global scrape timeout greater than scrape interval");
    if (gc.scrape_timeout === 0) gc.scrape_timeout = Math.min(10 * SECOND, gc.scrape_interval);
    if (gc.evaluation_interval === 0) gc.evaluation_interval = MINUTE;
    if (gc.scrape_native_histograms === null) gc.scrape_native_histograms = false;
    if (gc.extra_scrape_metrics === null) gc.extra_scrape_metrics = false;
    if (gc.scrape_protocols !== null) {
      try {
        validateScrapeProtocols(gc.scrape_protocols);
      } catch (e) {
        throw new Error(`${(e as Error).message} for global config`);
      }
    }
  },
});

function isZeroGlobal(g: GlobalConfig): boolean {
  return JSON.stringify(g) === JSON.stringify(globalPlain.zero());
}

// ---------------------------------------------------------------------------------------------
// scrape_configs

export interface ScrapeConfig {
  job_name: string;
  honor_labels: boolean;
  honor_timestamps: boolean;
  track_timestamps_staleness: boolean;
  params: Record<string, string[] | null> | null;
  scrape_interval: number;
  scrape_timeout: number;
  scrape_protocols: string[] | null;
  fallback_scrape_protocol: string;
  scrape_native_histograms: boolean | null;
  always_scrape_classic_histograms: boolean | null;
  convert_classic_histograms_to_nhcb: boolean | null;
  scrape_failure_log_file: string;
  metrics_path: string;
  scheme: string;
  enable_compression: boolean;
  body_size_limit: number;
  sample_limit: number;
  target_limit: number;
  label_limit: number;
  label_name_length_limit: number;
  label_value_length_limit: number;
  native_histogram_bucket_limit: number;
  native_histogram_min_bucket_factor: number;
  keep_dropped_targets: number;
  metric_name_validation_scheme: string;
  metric_name_escaping_scheme: string;
  extra_scrape_metrics: boolean | null;
  relabel_configs: Array<RelabelConfig | null> | null;
  metric_relabel_configs: Array<RelabelConfig | null> | null;
  http: HTTPClientConfig;
  /** The discovery configs, in Prometheus's order. */
  sd: SDConfig[];
}

const relabelList = slice(ptr(relabelConfig), "[]*relabel.Config");

const scrapeFields = {
  job_name: str,
  honor_labels: bool,
  honor_timestamps: bool,
  track_timestamps_staleness: bool,
  params: map(slice(str), "url.Values"),
  scrape_interval: modelDuration,
  scrape_timeout: modelDuration,
  scrape_protocols: slice(named("config.ScrapeProtocol"), "[]config.ScrapeProtocol"),
  fallback_scrape_protocol: named("config.ScrapeProtocol"),
  scrape_native_histograms: ptr(bool),
  always_scrape_classic_histograms: ptr(bool),
  convert_classic_histograms_to_nhcb: ptr(bool),
  scrape_failure_log_file: str,
  metrics_path: str,
  scheme: str,
  enable_compression: bool,
  body_size_limit: base2Bytes,
  sample_limit: uint,
  target_limit: uint,
  label_limit: uint,
  label_name_length_limit: uint,
  label_value_length_limit: uint,
  native_histogram_bucket_limit: uint,
  native_histogram_min_bucket_factor: float64,
  keep_dropped_targets: uint,
  metric_name_validation_scheme: validationScheme,
  metric_name_escaping_scheme: str,
  extra_scrape_metrics: ptr(bool),
  relabel_configs: relabelList,
  metric_relabel_configs: relabelList,
  ...sdFields(),
};

const scrapePlain = struct<ScrapeConfig & Record<string, unknown>>("config.ScrapeConfig", scrapeFields, { http: httpClientConfig });

function defaultScrapeConfig(): ScrapeConfig & Record<string, unknown> {
  return { ...scrapePlain.zero(), metrics_path: "/metrics", scheme: "http", honor_timestamps: true, http: defaultHTTPClientConfig(), enable_compression: true };
}

/** CheckTargetAddress: URLs are not host names. */
function checkStaticTargets(sds: SDConfig[]): void {
  for (const sd of sds) {
    if (sd.name !== "static") continue;
    for (const group of sd.config as TargetGroup[]) {
      for (const t of group.targets) {
        if ((t.__address__ ?? "").includes("/")) throw new Error(`${JSON.stringify(t.__address__ ?? "")} is not a valid hostname`);
      }
    }
  }
}

const scrapeConfig: YType<(ScrapeConfig & Record<string, unknown>) | null> = ptr(custom(scrapePlain, {
  reset: defaultScrapeConfig,
  after: (c) => {
    c.sd = readSDConfigs(c);
    if (c.job_name === "") throw new Error("job_name is empty");
    validateHTTPClientConfig(c.http);
    if (!c.relabel_configs || c.relabel_configs.length === 0) checkStaticTargets(c.sd);
    for (const r of c.relabel_configs ?? []) if (!r) throw new Error("empty or null target relabeling rule in scrape config");
    for (const r of c.metric_relabel_configs ?? []) if (!r) throw new Error("empty or null metric relabeling rule in scrape config");
  },
}));

const ESCAPING = ["allow-utf-8", "underscores", "dots", "values"];

/** ScrapeConfig.Validate: the job's settings completed from the global ones, and checked. */
function validateScrape(c: ScrapeConfig | null, g: GlobalConfig): void {
  if (!c) throw new Error("empty or null scrape config section");
  const job = JSON.stringify(c.job_name);
  if (c.scrape_interval === 0) c.scrape_interval = g.scrape_interval;
  if (c.scrape_timeout > c.scrape_interval) throw new Error(`scrape timeout greater than scrape interval for scrape config with job name ${job}`);
  if (c.scrape_timeout === 0) c.scrape_timeout = Math.min(g.scrape_timeout, c.scrape_interval);
  if (c.body_size_limit === 0) c.body_size_limit = g.body_size_limit;
  if (c.sample_limit === 0) c.sample_limit = g.sample_limit;
  if (c.target_limit === 0) c.target_limit = g.target_limit;
  if (c.label_limit === 0) c.label_limit = g.label_limit;
  if (c.label_name_length_limit === 0) c.label_name_length_limit = g.label_name_length_limit;
  if (c.label_value_length_limit === 0) c.label_value_length_limit = g.label_value_length_limit;
  if (c.keep_dropped_targets === 0) c.keep_dropped_targets = g.keep_dropped_targets;
  if (c.scrape_failure_log_file === "") c.scrape_failure_log_file = g.scrape_failure_log_file;
  if (c.scrape_native_histograms === null) c.scrape_native_histograms = g.scrape_native_histograms;
  if (c.extra_scrape_metrics === null) c.extra_scrape_metrics = g.extra_scrape_metrics;
  if (c.scrape_protocols === null) {
    if (g.scrape_protocols !== null) c.scrape_protocols = g.scrape_protocols;
    else if (c.scrape_native_histograms === true) c.scrape_protocols = [...DEFAULT_PROTO_FIRST_SCRAPE_PROTOCOLS];
    else c.scrape_protocols = [...DEFAULT_SCRAPE_PROTOCOLS];
  }
  try {
    validateScrapeProtocols(c.scrape_protocols);
  } catch (e) {
    throw new Error(`${(e as Error).message} for scrape config with job name ${job}`);
  }
  if (c.fallback_scrape_protocol !== "" && !SCRAPE_PROTOCOLS.includes(c.fallback_scrape_protocol)) {
    throw new Error(`invalid fallback_scrape_protocol for scrape config with job name ${job}: unknown scrape protocol ${c.fallback_scrape_protocol}, supported: [${[...SCRAPE_PROTOCOLS].sort().join(" ")}]`);
  }
  let localUnset = false;
  if (c.metric_name_validation_scheme === "") {
    localUnset = true;
    c.metric_name_validation_scheme = g.metric_name_validation_scheme;
  }
  let globalEscaping = g.metric_name_escaping_scheme;
  if (globalEscaping === "") globalEscaping = g.metric_name_validation_scheme === "legacy" ? "underscores" : "allow-utf-8";
  else if (!ESCAPING.includes(globalEscaping)) {
    throw new Error(`unknown global name escaping method specified, must be one of 'allow-utf-8', 'underscores', 'dots', or 'values', got ${JSON.stringify(globalEscaping)}`);
  }
  if (c.metric_name_escaping_scheme === "") {
    if (localUnset) c.metric_name_escaping_scheme = globalEscaping;
    else c.metric_name_escaping_scheme = c.metric_name_validation_scheme === "legacy" ? "underscores" : "allow-utf-8";
  }
  if (c.metric_name_escaping_scheme === "allow-utf-8") {
    if (c.metric_name_validation_scheme !== "utf8") throw new Error("utf8 metric names requested but validation scheme is not set to UTF8");
  } else if (!ESCAPING.includes(c.metric_name_escaping_scheme)) {
    throw new Error(`unknown scrape config name escaping method specified, must be one of 'allow-utf-8', 'underscores', 'dots', or 'values', got ${JSON.stringify(c.metric_name_escaping_scheme)}`);
  }
  if (c.convert_classic_histograms_to_nhcb === null) c.convert_classic_histograms_to_nhcb = g.convert_classic_histograms_to_nhcb;
  if (c.always_scrape_classic_histograms === null) c.always_scrape_classic_histograms = g.always_scrape_classic_histograms;
  for (const r of c.relabel_configs ?? []) validateRelabel(r!, c.metric_name_validation_scheme);
  for (const r of c.metric_relabel_configs ?? []) validateRelabel(r!, c.metric_name_validation_scheme);
}

// ---------------------------------------------------------------------------------------------
// remote_write

export interface QueueConfig {
  capacity: number;
  max_shards: number;
  min_shards: number;
  max_samples_per_send: number;
  batch_send_deadline: number;
  min_backoff: number;
  max_backoff: number;
  retry_on_http_429: boolean;
  sample_age_limit: number;
}

const queueConfig = struct<QueueConfig>("config.QueueConfig", {
  capacity: int, max_shards: int, min_shards: int, max_samples_per_send: int, batch_send_deadline: modelDuration,
  min_backoff: modelDuration, max_backoff: modelDuration, retry_on_http_429: bool, sample_age_limit: modelDuration,
});

export interface MetadataConfig {
  send: boolean;
  send_interval: number;
  max_samples_per_send: number;
}

const metadataConfig = struct<MetadataConfig>("config.MetadataConfig", { send: bool, send_interval: modelDuration, max_samples_per_send: int });

export interface SigV4Config {
  region: string;
  access_key: string;
  secret_key: string;
  profile: string;
  role_arn: string;
  external_id: string;
  use_fips_sts_endpoint: boolean;
  service_name: string;
}

const sigv4Plain = struct<SigV4Config>("sigv4.plain", {
  region: str, access_key: str, secret_key: secret, profile: str, role_arn: str, external_id: str, use_fips_sts_endpoint: bool, service_name: str,
});
const sigv4 = ptr(custom(sigv4Plain, {
  reset: () => sigv4Plain.zero(),
  after: (c) => {
    if ((c.access_key === "") !== (c.secret_key === "")) {
      throw new Error("must provide a AWS SigV4 Access key and Secret Key if credentials are specified in the SigV4 config");
    }
    if (c.external_id !== "" && c.role_arn === "") throw new Error("external_id can only be used with role_arn");
  },
}));

export interface AzureADConfig {
  managed_identity: { client_id: string } | null;
  workload_identity: { client_id: string; tenant_id: string; token_file_path: string } | null;
  oauth: { client_id: string; client_secret: string; tenant_id: string } | null;
  sdk: { tenant_id: string } | null;
  certificate: Record<string, unknown> | null;
  cloud: string;
  scope: string;
}

const UUID = /^(urn:uuid:)?\{?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\}?$/;
const azureadPlain = struct<AzureADConfig>("azuread.plain", {
  managed_identity: ptr(struct("azuread.ManagedIdentityConfig", { client_id: str })),
  workload_identity: ptr(struct("azuread.WorkloadIdentityConfig", { client_id: str, tenant_id: str, token_file_path: str })),
  oauth: ptr(struct("azuread.OAuthConfig", { client_id: str, client_secret: secret, tenant_id: str })),
  sdk: ptr(struct("azuread.SDKConfig", { tenant_id: str })),
  certificate: ptr(struct("azuread.CertificateConfig", {
    client_id: str, tenant_id: str, certificate_path: str, certificate_key_path: str, certificate_password: secret, send_certificate_chain: bool,
  })),
  cloud: str,
  scope: str,
});
const azuread = ptr(custom(azureadPlain, {
  reset: () => azureadPlain.zero(),
  after: (c) => {
    if (c.cloud === "") c.cloud = "AzurePublic";
    if (!["AzureChina", "AzureGovernment", "AzurePublic"].includes(c.cloud)) throw new Error("must provide a cloud in the Azure AD config");
    const n = [c.managed_identity, c.workload_identity, c.oauth, c.sdk, c.certificate].filter((x) => x !== null).length;
    if (n === 0) throw new Error("must provide an Azure Managed Identity, Azure Workload Identity, Azure OAuth, Azure Certificate or Azure SDK in the Azure AD config");
    if (n > 1) throw new Error("cannot provide multiple authentication methods in the Azure AD config");
    if (c.managed_identity && c.managed_identity.client_id !== "" && !UUID.test(c.managed_identity.client_id)) {
      throw new Error("the provided Azure Managed Identity client_id is invalid");
    }
    const w = c.workload_identity;
    if (w) {
      if (w.client_id === "") throw new Error("must provide an Azure Workload Identity client_id in the Azure AD config");
      if (w.tenant_id === "") throw new Error("must provide an Azure Workload Identity tenant_id in the Azure AD config");
      if (!UUID.test(w.client_id)) throw new Error("the provided Azure Workload Identity client_id is invalid");
      if (!UUID.test(w.tenant_id)) throw new Error("the provided Azure Workload Identity tenant_id is invalid");
      if (w.token_file_path === "") w.token_file_path = "/var/run/secrets/azure/tokens/azure-identity-token";
    }
    const o = c.oauth;
    if (o) {
      if (o.client_id === "") throw new Error("must provide an Azure OAuth client_id in the Azure AD config");
      if (o.client_secret === "") throw new Error("must provide an Azure OAuth client_secret in the Azure AD config");
      if (o.tenant_id === "") throw new Error("must provide an Azure OAuth tenant_id in the Azure AD config");
      if (!UUID.test(o.client_id)) throw new Error("the provided Azure OAuth client_id is invalid");
    }
    const cert = c.certificate as { client_id: string; tenant_id: string; certificate_path: string } | null;
    if (cert) {
      if (cert.client_id === "") throw new Error("must provide an Azure Certificate client_id in the Azure AD config");
      if (cert.tenant_id === "") throw new Error("must provide an Azure Certificate tenant_id in the Azure AD config");
      if (cert.certificate_path === "") throw new Error("must provide an Azure Certificate certificate_path in the Azure AD config");
      if (!UUID.test(cert.client_id)) throw new Error("the provided Azure Certificate client_id is invalid");
    }
    if (c.scope !== "" && !/^[\w\s:/.-]+$/.test(c.scope)) throw new Error("the provided scope contains invalid characters");
  },
}));

export interface RemoteWriteConfig {
  url: string | null;
  remote_timeout: number;
  headers: Record<string, string> | null;
  write_relabel_configs: Array<RelabelConfig | null> | null;
  name: string;
  send_exemplars: boolean;
  send_native_histograms: boolean;
  round_robin_dns: boolean;
  protobuf_message: string;
  queue_config: QueueConfig;
  metadata_config: MetadataConfig;
  sigv4: SigV4Config | null;
  azuread: AzureADConfig | null;
  google_iam: { credentials_file: string } | null;
  http: HTTPClientConfig;
}

const rwPlain = struct<RemoteWriteConfig>("config.plain", {
  url: promURL,
  remote_timeout: modelDuration,
  headers: map(str),
  write_relabel_configs: relabelList,
  name: str,
  send_exemplars: bool,
  send_native_histograms: bool,
  round_robin_dns: bool,
  protobuf_message: named("remote.WriteMessageType"),
  queue_config: queueConfig,
  metadata_config: metadataConfig,
  sigv4,
  azuread,
  google_iam: ptr(struct("googleiam.Config", { credentials_file: str })),
}, { http: httpClientConfig });

function defaultRemoteWriteConfig(): RemoteWriteConfig {
  return {
    ...rwPlain.zero(),
    remote_timeout: 30 * SECOND,
    protobuf_message: "prometheus.WriteRequest",
    // Set by Grafana Agent static mode's init, linked into Alloy.
    send_exemplars: true,
    queue_config: {
      max_shards: 50, min_shards: 1, max_samples_per_send: 2000, capacity: 10000, batch_send_deadline: 5 * SECOND,
      min_backoff: 30 * MS, max_backoff: 5 * SECOND, retry_on_http_429: true, sample_age_limit: 0,
    },
    metadata_config: { send: true, send_interval: MINUTE, max_samples_per_send: 2000 },
    http: { ...defaultHTTPClientConfig(), enable_http2: false },
  };
}

const RESERVED_HEADERS = new Set([
  "host", "content-encoding", "content-length", "content-type", "user-agent", "connection", "keep-alive", "proxy-authenticate",
  "proxy-authorization", "www-authenticate", "accept-encoding", "x-prometheus-remote-write-version", "x-prometheus-remote-read-version",
  "x-amz-date", "x-amz-security-token", "x-amz-content-sha256",
]);

function validateHeaders(headers: Record<string, string> | null, what: string): void {
  for (const h of Object.keys(headers ?? {})) {
    if (h.toLowerCase() === "authorization") throw new Error(what);
    if (RESERVED_HEADERS.has(h.toLowerCase())) throw new Error(`${h} is a reserved header. It must not be changed`);
  }
}

const remoteWriteConfig = ptr(custom(rwPlain, {
  reset: defaultRemoteWriteConfig,
  after: (c) => {
    if (c.url === null) throw new Error("url for remote_write is empty");
    for (const r of c.write_relabel_configs ?? []) if (!r) throw new Error("empty or null relabeling rule in remote write config");
    validateHeaders(c.headers, "authorization header must be changed via the basic_auth, authorization, oauth2, sigv4, azuread or google_iam parameter");
    if (c.protobuf_message !== "prometheus.WriteRequest" && c.protobuf_message !== "io.prometheus.write.v2.Request") {
      throw new Error(`invalid protobuf_message value: unknown remote write protobuf message ${c.protobuf_message}, supported: prometheus.WriteRequest, io.prometheus.write.v2.Request`);
    }
    validateHTTPClientConfig(c.http);
    const q = c.queue_config;
    if (q.max_shards <= 0) throw new Error("remote write queue max_shards must be positive");
    if (q.min_shards <= 0) throw new Error("remote write queue min_shards must be positive");
    if (q.min_shards > q.max_shards) throw new Error("remote write queue min_shards must not be greater than max_shards");
    if (q.max_samples_per_send <= 0) throw new Error("remote write queue max_samples_per_send must be positive");
    if (q.capacity <= 0) throw new Error("remote write queue capacity must be positive");
    if (q.max_backoff < q.min_backoff) throw new Error("remote write queue max_backoff must not be less than min_backoff");
    const auth: string[] = [];
    if (c.http.basic_auth) auth.push("basic_auth");
    if (c.http.authorization) auth.push("authorization");
    if (c.http.oauth2) auth.push("oauth2");
    if (c.sigv4) auth.push("sigv4");
    if (c.azuread) auth.push("azuread");
    if (c.google_iam) auth.push("google_iam");
    if (auth.length > 1) {
      throw new Error(`at most one of basic_auth, authorization, oauth2, sigv4, azuread or google_iam must be configured. Currently configured: [${auth.join(" ")}]`);
    }
  },
}));

// ---------------------------------------------------------------------------------------------
// remote_read, alerting, storage, tracing, runtime, otlp

export interface RemoteReadConfig {
  url: string | null;
  name: string;
  http: HTTPClientConfig;
}

const rrPlain = struct<RemoteReadConfig & Record<string, unknown>>("config.plain", {
  url: promURL, remote_timeout: modelDuration, chunked_read_limit: uint64, headers: map(str), read_recent: bool, name: str,
  required_matchers: map(str, "model.LabelSet"), filter_external_labels: bool,
}, { http: httpClientConfig });

const remoteReadConfig = ptr(custom(rrPlain, {
  reset: () => ({ ...rrPlain.zero(), remote_timeout: MINUTE, chunked_read_limit: 5e7, http: defaultHTTPClientConfig(), filter_external_labels: true }),
  after: (c) => {
    if (c.url === null) throw new Error("url for remote_read is empty");
    validateHeaders(c.headers as Record<string, string> | null, "authorization header must be changed via the basic_auth, authorization, oauth2, sigv4, azuread or google_iam parameter");
    validateHTTPClientConfig(c.http);
  },
}));

const apiVersion = custom(named("config.AlertmanagerAPIVersion"), {
  after: (v) => {
    if (v !== "v2") throw new Error(`expected Alertmanager api version to be one of [v2] but got ${v}`);
  },
});

const amPlain = struct<Record<string, unknown> & { http: HTTPClientConfig; sd: SDConfig[] }>("config.AlertmanagerConfig", {
  sigv4, scheme: str, path_prefix: str, timeout: modelDuration, api_version: apiVersion, relabel_configs: relabelList, alert_relabel_configs: relabelList,
  ...sdFields(),
}, { http: httpClientConfig });

const alertmanagerConfig = ptr(custom(amPlain, {
  reset: () => ({ ...amPlain.zero(), scheme: "http", timeout: 10 * SECOND, api_version: "v2", http: defaultHTTPClientConfig() }),
  after: (c) => {
    c.sd = readSDConfigs(c);
    validateHTTPClientConfig(c.http);
    if ((c.http.basic_auth || c.http.authorization || c.http.oauth2) && c.sigv4) {
      throw new Error("at most one of basic_auth, authorization, oauth2, & sigv4 must be configured");
    }
    const relabels = c.relabel_configs as unknown[] | null;
    if (!relabels || relabels.length === 0) checkStaticTargets(c.sd);
    for (const r of relabels ?? []) if (!r) throw new Error("empty or null Alertmanager target relabeling rule");
    for (const r of (c.alert_relabel_configs as unknown[] | null) ?? []) if (!r) throw new Error("empty or null Alertmanager alert relabeling rule");
  },
}));

export interface AlertingConfig {
  alert_relabel_configs: Array<RelabelConfig | null> | null;
  alertmanagers: Array<Record<string, unknown> | null> | null;
}

const alertingPlain = struct<AlertingConfig>("config.plain", { alert_relabel_configs: relabelList, alertmanagers: slice(alertmanagerConfig, "config.AlertmanagerConfigs") });
const alertingConfig = custom(alertingPlain, {
  reset: () => alertingPlain.zero(),
  after: (c) => {
    for (const r of c.alert_relabel_configs ?? []) if (!r) throw new Error("empty or null alert relabeling rule");
  },
});

export interface TSDBConfig {
  out_of_order_time_window: number;
  out_of_order_time_window_ms: number;
  stale_series_compaction_threshold: number;
  chunk_encoding: { floats: string };
  retention: { time: number; size: number; percentage: number } | null;
}

const retentionPlain = struct<{ time: number; size: number; percentage: number }>("config.plain", { time: modelDuration, size: base2Bytes, percentage: float64 });
const tsdbPlain = struct<TSDBConfig>("config.plain", {
  out_of_order_time_window: modelDuration,
  stale_series_compaction_threshold: float64,
  chunk_encoding: struct("config.ChunkEncodingConfig", { floats: str }),
  retention: ptr(custom(retentionPlain, {
    reset: () => retentionPlain.zero(),
    after: (r) => {
      if (r.size < 0) throw new Error(`'storage.tsdb.retention.size' must be greater than or equal to 0, got ${formatBase2Bytes(r.size)}`);
      if (r.percentage < 0 || r.percentage > 100) throw new Error(`'storage.tsdb.retention.percentage' must be in the range [0, 100], got ${r.percentage}`);
    },
  })),
});
const tsdbConfig = ptr(custom(tsdbPlain, {
  reset: () => ({ ...tsdbPlain.zero(), out_of_order_time_window_ms: 0 }),
  after: (t) => {
    t.out_of_order_time_window_ms = Math.trunc(t.out_of_order_time_window / MS);
    if (!["", "xor", "xor2"].includes(t.chunk_encoding.floats)) {
      throw new Error(`'storage.tsdb.chunk_encoding.floats' must be 'xor' or 'xor2', or the field must be omitted entirely, got ${JSON.stringify(t.chunk_encoding.floats)}`);
    }
    if (t.retention === null) t.retention = { time: 0, size: 0, percentage: 0 };
  },
}));

export interface StorageConfig {
  tsdb: TSDBConfig | null;
  exemplars: { max_exemplars: number } | null;
}

const storageConfig = struct<StorageConfig>("config.StorageConfig", { tsdb: tsdbConfig, exemplars: ptr(struct("config.ExemplarsConfig", { max_exemplars: int64 })) });

export interface TracingConfig {
  client_type: string;
  endpoint: string;
  sampling_fraction: number;
  insecure: boolean;
  tls_config: TLSConfig;
  headers: Record<string, string> | null;
  compression: string;
  timeout: number;
}

const tracingPlain = struct<TracingConfig>("config.plain", {
  client_type: custom(named("config.plain"), {
    reset: () => "",
    after: (t) => {
      if (t !== "http" && t !== "grpc") throw new Error(`expected tracing client type to be to be http or grpc, but got ${t}`);
    },
  }),
  endpoint: str,
  sampling_fraction: float64,
  insecure: bool,
  tls_config: tlsConfig,
  headers: map(str),
  compression: str,
  timeout: modelDuration,
});
const tracingConfig = custom(tracingPlain, {
  reset: () => ({ ...tracingPlain.zero(), client_type: "grpc" }),
  after: (t) => {
    for (const h of Object.keys(t.headers ?? {})) {
      if (h.toLowerCase() === "authorization") throw new Error("custom authorization header configuration is not yet supported");
      if (RESERVED_HEADERS.has(h.toLowerCase())) throw new Error(`${h} is a reserved header. It must not be changed`);
    }
    if (t.endpoint === "") throw new Error("tracing endpoint must be set");
    if (t.compression !== "" && t.compression !== "gzip") throw new Error(`invalid compression type ${t.compression} provided, valid options: gzip`);
  },
  zero: () => tracingPlain.zero(),
});

const otlpPlain = struct<Record<string, unknown>>("config.plain", {
  promote_all_resource_attributes: bool,
  promote_resource_attributes: slice(str),
  ignore_resource_attributes: slice(str),
  translation_strategy: named("otlptranslator.TranslationStrategyOption"),
  keep_identifying_resource_attributes: bool,
  convert_histograms_to_nhcb: bool,
  promote_scope_metadata: bool,
  label_name_underscore_sanitization: bool,
  label_name_preserve_multiple_underscores: bool,
});

function sanitizeAttributes(list: string[] | null, adjective: string): void {
  const seen = new Set<string>();
  const errors: string[] = [];
  for (const raw of list ?? []) {
    const a = raw.trim();
    if (a === "") {
      errors.push(`empty ${adjective} OTel resource attribute`);
      continue;
    }
    if (seen.has(a)) {
      errors.push(`duplicated ${adjective} OTel resource attribute ${JSON.stringify(a)}`);
      continue;
    }
    seen.add(a);
  }
  if (errors.length > 0) throw new Error(errors.join("\n"));
}

const otlpConfig = custom(otlpPlain, {
  reset: () => ({ ...otlpPlain.zero(), translation_strategy: "UnderscoreEscapingWithSuffixes", label_name_underscore_sanitization: true, label_name_preserve_multiple_underscores: true }),
  after: (c) => {
    const promoteAll = c.promote_all_resource_attributes as boolean;
    const promote = c.promote_resource_attributes as string[] | null;
    const ignore = c.ignore_resource_attributes as string[] | null;
    if (promoteAll) {
      if (promote && promote.length > 0) throw new Error("'promote_all_resource_attributes' and 'promote_resource_attributes' cannot be configured simultaneously");
      try {
        sanitizeAttributes(ignore, "ignored");
      } catch (e) {
        throw new Error(`invalid 'ignore_resource_attributes': ${(e as Error).message}`);
      }
    } else {
      if (ignore && ignore.length > 0) throw new Error("'ignore_resource_attributes' cannot be configured unless 'promote_all_resource_attributes' is true");
      try {
        sanitizeAttributes(promote, "promoted");
      } catch (e) {
        throw new Error(`invalid 'promote_resource_attributes': ${(e as Error).message}`);
      }
    }
  },
});

// ---------------------------------------------------------------------------------------------
// The whole file

export interface Config {
  global: GlobalConfig;
  runtime: { gogc: number };
  alerting: AlertingConfig;
  rule_files: string[] | null;
  scrape_config_files: string[] | null;
  scrape_configs: ScrapeConfig[] | null;
  storage: StorageConfig;
  tracing: TracingConfig;
  remote_write: RemoteWriteConfig[] | null;
  remote_read: RemoteReadConfig[] | null;
  otlp: Record<string, unknown>;
}

const configPlain = struct<Config>("config.plain", {
  global: globalConfig,
  runtime: struct("config.RuntimeConfig", { gogc: int }),
  alerting: alertingConfig,
  rule_files: slice(str),
  scrape_config_files: slice(str),
  scrape_configs: slice(scrapeConfig, "[]*config.ScrapeConfig"),
  storage: storageConfig,
  tracing: tracingConfig,
  remote_write: slice(remoteWriteConfig, "[]*config.RemoteWriteConfig"),
  remote_read: slice(remoteReadConfig, "[]*config.RemoteReadConfig"),
  otlp: otlpConfig,
});

function defaultConfig(): Config {
  return {
    ...configPlain.zero(),
    global: defaultGlobalConfig(),
    runtime: { gogc: 75 },
    otlp: { ...otlpPlain.zero(), translation_strategy: "UnderscoreEscapingWithSuffixes", label_name_underscore_sanitization: true, label_name_preserve_multiple_underscores: true },
  };
}

const RULE_PATH = /^[^*]*(\*[^/]*)?$/;

const configType: YType<Config> = custom(configPlain, {
  reset: defaultConfig,
  after: (c) => {
    if (isZeroGlobal(c.global)) c.global = defaultGlobalConfig();
    if (c.runtime.gogc === 0) c.runtime = { gogc: 75 };
    if (c.storage.tsdb === null) c.storage.tsdb = defaultTSDB();
    for (const rf of c.rule_files ?? []) if (!RULE_PATH.test(rf)) throw new Error(`invalid rule file path ${JSON.stringify(rf)}`);
    for (const sf of c.scrape_config_files ?? []) if (!RULE_PATH.test(sf)) throw new Error(`invalid scrape config file path ${JSON.stringify(sf)}`);
    const jobs = new Set<string>();
    for (const sc of c.scrape_configs ?? []) {
      validateScrape(sc, c.global);
      if (jobs.has(sc.job_name)) throw new Error(`found multiple scrape configs with job name ${JSON.stringify(sc.job_name)}`);
      jobs.add(sc.job_name);
    }
    const scheme = c.global.metric_name_validation_scheme;
    for (const r of c.alerting.alert_relabel_configs ?? []) validateRelabel(r!, scheme);
    for (const am of c.alerting.alertmanagers ?? []) {
      for (const key of ["alert_relabel_configs", "relabel_configs"]) for (const r of (am?.[key] as RelabelConfig[] | null) ?? []) validateRelabel(r, scheme);
    }
    const rwNames = new Set<string>();
    for (const rw of c.remote_write ?? []) {
      if (!rw) throw new Error("empty or null remote write config section");
      if (rw.name !== "" && rwNames.has(rw.name)) throw new Error(`found multiple remote write configs with job name ${JSON.stringify(rw.name)}`);
      for (const r of rw.write_relabel_configs ?? []) validateRelabel(r!, scheme);
      rwNames.add(rw.name);
    }
    const rrNames = new Set<string>();
    for (const rr of c.remote_read ?? []) {
      if (!rr) throw new Error("empty or null remote read config section");
      if (rr.name !== "" && rrNames.has(rr.name)) throw new Error(`found multiple remote read configs with job name ${JSON.stringify(rr.name)}`);
      rrNames.add(rr.name);
    }
  },
});

function defaultTSDB(): TSDBConfig {
  return { out_of_order_time_window: 0, out_of_order_time_window_ms: 0, stale_series_compaction_threshold: 0, chunk_encoding: { floats: "" }, retention: { time: 0, size: 0, percentage: 0 } };
}

/** Whether the storage section differs from what Prometheus fills in by itself. */
export function storageConfigured(s: StorageConfig): boolean {
  const tsdb = s.tsdb !== null && JSON.stringify(s.tsdb) !== JSON.stringify(defaultTSDB());
  const exemplars = s.exemplars !== null && s.exemplars.max_exemplars !== 100000;
  return tsdb || exemplars;
}

/** os.Expand over external label values ($VAR, ${VAR}; $$ is a dollar). */
function expandEnv(s: string, getEnv: (name: string) => string | undefined): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== "$" || i + 1 >= s.length) {
      out += s[i];
      continue;
    }
    const next = s[i + 1]!;
    let name: string;
    let width: number;
    if (next === "{") {
      if (i + 2 < s.length && s[i + 2] === "}") {
        i += 2; // "${}" is invalid: dropped
        continue;
      }
      const end = s.indexOf("}", i + 2);
      if (end < 0) {
        i += 1; // bad syntax: the "${" is dropped
        continue;
      }
      name = s.slice(i + 2, end);
      width = end - i;
    } else if ("*#$@!?-0123456789".includes(next)) {
      name = next;
      width = 1;
    } else {
      const m = /^[A-Za-z0-9_]+/.exec(s.slice(i + 1));
      if (!m) {
        out += "$";
        continue;
      }
      name = m[0];
      width = m[0].length;
    }
    out += name === "$" ? "$" : (getEnv(name) ?? "");
    i += width;
  }
  return out;
}

export interface LoadOptions extends SDEnv {}

/** config.Load: the configuration, or an Error with Prometheus's message. */
export function loadConfig(text: string, options: LoadOptions = {}): Config {
  setSDEnv(options);
  try {
    const cfg = unmarshalStrict(text, configType, defaultConfig());
    if (cfg.storage.tsdb === null) cfg.storage.tsdb = defaultTSDB();
    const labels = cfg.global.external_labels;
    if (labels && Object.keys(labels).length > 0) {
      const getEnv = options.getEnv ?? (() => undefined);
      const expanded: Record<string, string> = {};
      for (const name of Object.keys(labels)) Object.defineProperty(expanded, name, { value: expandEnv(labels[name]!, getEnv), enumerable: true, writable: true, configurable: true });
      cfg.global.external_labels = expanded;
    }
    const strategy = cfg.otlp.translation_strategy as string;
    if (strategy === "NoTranslation" || strategy === "NoUTF8EscapingWithSuffixes") {
      if (cfg.global.metric_name_validation_scheme === "legacy") {
        throw new Error(`OTLP translation strategy ${JSON.stringify(strategy)} is not allowed when UTF8 is disabled`);
      }
    } else if (strategy !== "" && strategy !== "UnderscoreEscapingWithSuffixes" && strategy !== "UnderscoreEscapingWithoutSuffixes") {
      throw new Error(`unsupported OTLP translation strategy ${JSON.stringify(strategy)}`);
    }
    return cfg;
  } finally {
    setSDEnv({});
  }
}
