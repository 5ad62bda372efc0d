// From Prometheus settings to the arguments of the Alloy components that replace them, field by
// field as Alloy's prometheusconvert/component does, in the host shapes of src/converter/schemas.
import { SecretValue } from "../../syntax/value/secret.ts";
import { parseURL, urlString } from "../common/gourl.ts";
import { ExprRef, type Target } from "../common/tokenizers.ts";
import type { HTTPClientConfigHost as AlloyHTTPClientConfig, RelabelRuleHost } from "../schemas/common.ts";
import type { HTTPClientConfig, ProxyConfig, TLSConfig } from "./common.ts";
import type { GlobalConfig, RemoteWriteConfig, ScrapeConfig } from "./config.ts";
import type { RelabelConfig } from "./relabel.ts";
import type * as sd from "./sd.ts";

type Host = Record<string, unknown>;

/** An Alloy secret ("" is the zero secret). */
export function sec(s: string): SecretValue | null {
  return s === "" ? null : new SecretValue(s);
}

function secretHeaders(h: Record<string, string[] | null> | null): Record<string, Array<SecretValue | null> | null> | null {
  if (h === null) return null;
  const out: Record<string, Array<SecretValue | null> | null> = {};
  for (const k of Object.keys(h)) {
    Object.defineProperty(out, k, { value: h[k] === null ? null : h[k]!.map((v) => new SecretValue(v)), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** common.ToProxyConfig: null for Prometheus's zero proxy settings. */
export function toProxy(p: ProxyConfig): Host | null {
  const zero = (p.proxy_url === null || p.proxy_url === undefined) && p.no_proxy === "" && !p.proxy_from_environment && (p.proxy_connect_header === null || p.proxy_connect_header === undefined);
  if (zero) return null;
  return {
    proxy_url: p.proxy_url ?? "",
    no_proxy: p.no_proxy,
    proxy_from_environment: p.proxy_from_environment,
    proxy_connect_header: secretHeaders(p.proxy_connect_header),
  };
}

/** common.ToTLSConfig (max_version has no Alloy setting). */
export function toTLS(t: TLSConfig): Host {
  return {
    ca_pem: t.ca,
    ca_file: t.ca_file,
    cert_pem: t.cert,
    cert_file: t.cert_file,
    key_pem: sec(t.key),
    key_file: t.key_file,
    server_name: t.server_name,
    insecure_skip_verify: t.insecure_skip_verify,
    min_version: t.min_version,
  };
}

/** common.ToHttpClientConfig (custom http_headers are not carried over, as in Alloy). */
export function toHTTP(c: HTTPClientConfig): AlloyHTTPClientConfig {
  const o = c.oauth2;
  return {
    basic_auth: c.basic_auth ? { username: c.basic_auth.username, password: sec(c.basic_auth.password), password_file: c.basic_auth.password_file } : null,
    authorization: c.authorization ? { type: c.authorization.type, credentials: sec(c.authorization.credentials), credentials_file: c.authorization.credentials_file } : null,
    oauth2: o
      ? {
        client_id: o.client_id,
        client_secret: sec(o.client_secret),
        client_secret_file: o.client_secret_file,
        scopes: o.scopes,
        token_url: o.token_url,
        endpoint_params: o.endpoint_params,
        proxy: toProxy(o.proxy) as never,
        tls_config: toTLS(o.tls_config) as never,
      }
      : null,
    bearer_token: sec(c.bearer_token),
    bearer_token_file: c.bearer_token_file,
    proxy: toProxy(c.proxy) as never,
    tls_config: toTLS(c.tls_config) as never,
    follow_redirects: c.follow_redirects,
    enable_http2: c.enable_http2,
    headers: null as never,
  } as AlloyHTTPClientConfig;
}

/** ToAlloyRelabelConfigs: null for no rules. */
export function toRules(rules: Array<RelabelConfig | null> | null): RelabelRuleHost[] | null {
  if (!rules || rules.length === 0) return null;
  return rules.map((r) => ({
    source_labels: r!.source_labels && r!.source_labels.length > 0 ? [...r!.source_labels] : null,
    separator: r!.separator,
    regex: r!.regex ?? "",
    modulus: r!.modulus,
    target_label: r!.target_label,
    replacement: r!.replacement,
    action: r!.action,
  }));
}

export function scrapeArgs(c: ScrapeConfig, forwardTo: ExprRef[], targets: Target[]): Host {
  return {
    targets,
    forward_to: forwardTo,
    job_name: c.job_name,
    honor_labels: c.honor_labels,
    honor_timestamps: c.honor_timestamps,
    track_timestamps_staleness: c.track_timestamps_staleness,
    params: c.params,
    scrape_classic_histograms: c.always_scrape_classic_histograms === true,
    scrape_native_histograms: false,
    scrape_failure_log_file: c.scrape_failure_log_file,
    scrape_interval: c.scrape_interval,
    scrape_timeout: c.scrape_timeout,
    scrape_protocols: [...(c.scrape_protocols ?? [])],
    metrics_path: c.metrics_path,
    scheme: c.scheme,
    body_size_limit: c.body_size_limit,
    sample_limit: c.sample_limit,
    target_limit: c.target_limit,
    label_limit: c.label_limit,
    label_name_length_limit: c.label_name_length_limit,
    label_value_length_limit: c.label_value_length_limit,
    http_client_config: toHTTP(c.http),
    extra_metrics: false,
    enable_protobuf_negotiation: false,
    metric_name_validation_scheme: "legacy",
    metric_name_escaping_scheme: "",
    scrape_fallback_protocol: c.fallback_scrape_protocol === "" ? "PrometheusText0.0.4" : c.fallback_scrape_protocol,
    convert_classic_histograms_to_nhcb: c.convert_classic_histograms_to_nhcb === true,
    enable_compression: c.enable_compression,
    native_histogram_bucket_limit: c.native_histogram_bucket_limit,
    native_histogram_min_bucket_factor: c.native_histogram_min_bucket_factor,
    honor_metadata: false,
    enable_type_and_unit_labels: false,
    start_timestamp_zero_ingestion: false,
    clustering: { enabled: false },
  };
}

/** Static target groups as target label sets (group labels plus __address__). */
export function staticTargets(groups: sd.TargetGroup[]): Target[] {
  const out: Target[] = [];
  for (const g of groups) {
    const labels: Target = {};
    for (const [k, v] of Object.entries(g.labels ?? {})) Object.defineProperty(labels, k, { value: v, enumerable: true, writable: true, configurable: true });
    for (const t of g.targets) {
      for (const [k, v] of Object.entries(t)) Object.defineProperty(labels, k, { value: v, enumerable: true, writable: true, configurable: true });
      out.push({ ...labels });
    }
  }
  return out;
}

export function remoteWriteArgs(global: GlobalConfig, configs: RemoteWriteConfig[]): Host {
  const labels = global.external_labels && Object.keys(global.external_labels).length > 0 ? global.external_labels : null;
  return {
    external_labels: labels,
    endpoint: configs.map((rw) => endpointArgs(rw)),
    wal: { truncate_frequency: 2 * 3600e9, min_keepalive_time: 5 * 60e9, max_keepalive_time: 8 * 3600e9 },
  };
}

function endpointArgs(rw: RemoteWriteConfig): Host {
  const q = rw.queue_config;
  const m = rw.metadata_config;
  const az = rw.azuread;
  return {
    name: rw.name,
    url: rw.url ?? "",
    remote_timeout: rw.remote_timeout,
    headers: rw.headers,
    send_exemplars: rw.send_exemplars,
    send_native_histograms: rw.send_native_histograms,
    protobuf_message: rw.protobuf_message,
    http_client_config: toHTTP(rw.http),
    queue_config: {
      capacity: q.capacity,
      max_shards: q.max_shards,
      min_shards: q.min_shards,
      max_samples_per_send: q.max_samples_per_send,
      batch_send_deadline: q.batch_send_deadline,
      min_backoff: q.min_backoff,
      max_backoff: q.max_backoff,
      retry_on_http_429: q.retry_on_http_429,
      sample_age_limit: q.sample_age_limit,
    },
    metadata_config: { send: m.send, send_interval: m.send_interval, max_samples_per_send: m.max_samples_per_send },
    write_relabel_config: toRules(rw.write_relabel_configs),
    sigv4: rw.sigv4 ? { ...rw.sigv4, secret_key: sec(rw.sigv4.secret_key) } : null,
    azuread: az
      ? {
        managed_identity: az.managed_identity ? { client_id: az.managed_identity.client_id } : null,
        workload_identity: az.workload_identity ? { ...az.workload_identity } : null,
        oauth: az.oauth ? { client_id: az.oauth.client_id, client_secret: sec(az.oauth.client_secret), tenant_id: az.oauth.tenant_id } : null,
        sdk: az.sdk ? { tenant_id: az.sdk.tenant_id } : null,
        cloud: az.cloud,
        scope: az.scope,
      }
      : null,
    google_iam: rw.google_iam ? { credentials_file: rw.google_iam.credentials_file } : null,
    round_robin_dns: rw.round_robin_dns,
  };
}

// ---------------------------------------------------------------------------------------------
// Service discovery

const filters = (list: Array<sd.Filter | null> | null) => (list ?? []).filter((f) => f !== null).map((f) => ({ name: f!.name, values: f!.values }));

export function discoveryArgs(config: sd.SDConfig): Host | null {
  switch (config.name) {
    case "azure": {
      const c = config.config;
      const args: Host = {
        environment: c.environment,
        port: c.port,
        subscription_id: c.subscription_id,
        refresh_interval: c.refresh_interval,
        resource_group: c.resource_group,
        proxy: toProxy(c.http.proxy),
        follow_redirects: c.http.follow_redirects,
        enable_http2: c.http.enable_http2,
        tls_config: toTLS(c.http.tls_config),
        headers: null,
        oauth: null,
        managed_identity: null,
        sdk_auth: null,
        workload_identity: null,
      };
      switch (c.authentication_method) {
        case "ManagedIdentity":
          args.managed_identity = { client_id: c.client_id };
          break;
        case "SDK":
          args.sdk_auth = { tenant_id: c.tenant_id };
          break;
        case "WorkloadIdentity":
          args.workload_identity = {};
          break;
        case "":
        case "OAuth":
          args.oauth = { client_id: c.client_id, tenant_id: c.tenant_id, client_secret: sec(c.client_secret) };
          break;
      }
      return args;
    }
    case "consul": {
      const c = config.config;
      return {
        server: c.server, token: sec(c.token), datacenter: c.datacenter, namespace: c.namespace, partition: c.partition, tag_separator: c.tag_separator,
        scheme: c.scheme, username: c.username, password: sec(c.password), allow_stale: c.allow_stale, services: c.services, tags: c.tags,
        node_meta: c.node_meta, refresh_interval: c.refresh_interval, http_client_config: toHTTP(c.http),
      };
    }
    case "digitalocean": {
      const c = config.config;
      return {
        refresh_interval: c.refresh_interval, port: c.port, bearer_token: sec(c.http.bearer_token), bearer_token_file: c.http.bearer_token_file,
        proxy: toProxy(c.http.proxy), follow_redirects: c.http.follow_redirects, enable_http2: c.http.enable_http2, headers: null,
      };
    }
    case "dns": {
      const c = config.config;
      return { names: c.names, refresh_interval: c.refresh_interval, type: c.type, port: c.port };
    }
    case "docker": {
      const c = config.config;
      return {
        host: c.host, port: c.port, host_networking_host: c.host_networking_host, refresh_interval: c.refresh_interval, match_first_network: c.match_first_network,
        filter: filters(c.filters), http_client_config: toHTTP(c.http),
      };
    }
    case "dockerswarm": {
      const c = config.config;
      return {
        host: c.host, role: c.role, port: c.port, refresh_interval: c.refresh_interval, http_client_config: toHTTP(c.http),
        filter: (c.filters ?? []).map((f) => ({ name: f.name, values: [...(f.values ?? [])] })),
      };
    }
    case "ec2": {
      const c = config.config;
      return {
        endpoint: c.endpoint, region: c.region, access_key: c.access_key, secret_key: sec(c.secret_key), profile: c.profile, role_arn: c.role_arn,
        refresh_interval: c.refresh_interval, port: c.port, filter: filters(c.filters), http_client_config: toHTTP(c.http),
      };
    }
    case "lightsail": {
      const c = config.config;
      return {
        endpoint: c.endpoint, region: c.region, access_key: c.access_key, secret_key: sec(c.secret_key), profile: c.profile, role_arn: c.role_arn,
        refresh_interval: c.refresh_interval, port: c.port, http_client_config: toHTTP(c.http),
      };
    }
    case "file":
      return { files: config.config.files, refresh_interval: config.config.refresh_interval };
    case "gce": {
      const c = config.config;
      return { project: c.project, zone: c.zone, filter: c.filter, refresh_interval: c.refresh_interval, port: c.port, tag_separator: c.tag_separator };
    }
    case "http": {
      const c = config.config;
      return { http_client_config: toHTTP(c.http), refresh_interval: c.refresh_interval, url: urlString(parseURL(c.url)) };
    }
    case "ionos": {
      const c = config.config;
      return { datacenter_id: c.datacenter_id, refresh_interval: c.refresh_interval, port: c.port, http_client_config: toHTTP(c.http) };
    }
    case "kubernetes": {
      const c = config.config;
      return {
        api_server: c.api_server, role: c.role, kubeconfig_file: c.kubeconfig_file, http_client_config: toHTTP(c.http),
        namespaces: { own_namespace: c.namespaces.own_namespace, names: c.namespaces.names },
        selectors: c.selectors && c.selectors.length > 0 ? c.selectors.map((s) => ({ role: s.role, label: s.label, field: s.field })) : null,
        attach_metadata: { node: c.attach_metadata.node, namespace: c.attach_metadata.namespace },
      };
    }
    case "kuma": {
      const c = config.config;
      return { server: c.server, refresh_interval: c.refresh_interval, fetch_timeout: c.fetch_timeout, http_client_config: toHTTP(c.http) };
    }
    case "linode": {
      const c = config.config;
      return { refresh_interval: c.refresh_interval, port: c.port, tag_separator: c.tag_separator, region: c.region, http_client_config: toHTTP(c.http) };
    }
    case "marathon": {
      const c = config.config;
      return { servers: c.servers, refresh_interval: c.refresh_interval, auth_token: sec(c.auth_token), auth_token_file: c.auth_token_file, http_client_config: toHTTP(c.http) };
    }
    case "nerve":
    case "serverset":
      return { servers: config.config.servers, paths: config.config.paths, timeout: config.config.timeout };
    case "openstack": {
      const c = config.config;
      return {
        identity_endpoint: c.identity_endpoint, username: c.username, userid: c.userid, password: sec(c.password), project_name: c.project_name,
        project_id: c.project_id, domain_name: c.domain_name, domain_id: c.domain_id, application_credential_name: c.application_credential_name,
        application_credential_id: c.application_credential_id, application_credential_secret: sec(c.application_credential_secret), role: c.role,
        region: c.region, refresh_interval: c.refresh_interval, port: c.port, all_tenants: c.all_tenants, tls_config: toTLS(c.tls_config),
        availability: c.availability,
      };
    }
    case "ovhcloud": {
      const c = config.config;
      return {
        endpoint: c.endpoint, application_key: c.application_key, application_secret: sec(c.application_secret), consumer_key: sec(c.consumer_key),
        refresh_interval: c.refresh_interval, service: c.service,
      };
    }
    case "scaleway": {
      const c = config.config;
      return {
        project_id: c.project_id, role: c.role, api_url: c.api_url, zone: c.zone, access_key: c.access_key, secret_key: sec(c.secret_key),
        secret_key_file: c.secret_key_file, name_filter: c.name_filter, tags_filter: c.tags_filter, refresh_interval: c.refresh_interval, port: c.port,
        proxy: toProxy(c.http.proxy), tls_config: toTLS(c.http.tls_config), follow_redirects: c.http.follow_redirects, enable_http2: c.http.enable_http2,
        headers: null,
      };
    }
    case "triton": {
      const c = config.config;
      return {
        account: c.account, role: c.role, dns_suffix: c.dns_suffix, endpoint: c.endpoint, groups: c.groups, port: c.port,
        refresh_interval: c.refresh_interval, version: c.version, tls_config: toTLS(c.tls_config),
      };
    }
    default:
      return null;
  }
}

export { ExprRef };
