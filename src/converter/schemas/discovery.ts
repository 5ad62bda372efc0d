// Argument schemas of the discovery.* components the Prometheus converter emits, as Alloy
// declares them (internal/component/discovery/...), with Alloy's defaults.
import { attr, block, blocks, squash, struct, t } from "../../syntax/schema/index.ts";
import { Minute, Second } from "../../syntax/schema/duration.ts";
import { Headers, HTTPClientConfig, ProxyConfig, relabelRules, targetsType, TLSConfig, urlType } from "./common.ts";

const opt = { optional: true } as const;
const tls = () => block(TLSConfig, { optional: true, default: () => TLSConfig.zero() });

export const DiscoveryRelabel = struct({
  targets: attr(targetsType()),
  rule: relabelRules(),
});

export const Azure = struct({
  environment: attr(t.string(), opt),
  port: attr(t.int(), opt),
  subscription_id: attr(t.string(), opt),
  oauth: block(struct({ client_id: attr(t.string()), tenant_id: attr(t.string()), client_secret: attr(t.secret()) }), opt),
  managed_identity: block(struct({ client_id: attr(t.string()) }), opt),
  sdk_auth: block(struct({ tenant_id: attr(t.string(), opt) }), opt),
  workload_identity: block(struct({}), opt),
  refresh_interval: attr(t.duration(), opt),
  resource_group: attr(t.string(), opt),
  proxy: squash(ProxyConfig),
  follow_redirects: attr(t.bool(), opt),
  enable_http2: attr(t.bool(), opt),
  tls_config: tls(),
  headers: squash(Headers),
}, { defaults: () => ({ environment: "AzurePublicCloud", port: 80, refresh_interval: 5 * Minute, follow_redirects: true, enable_http2: true }) });

export const Consul = struct({
  server: attr(t.string(), opt),
  token: attr(t.secret(), opt),
  datacenter: attr(t.string(), opt),
  namespace: attr(t.string(), opt),
  partition: attr(t.string(), opt),
  tag_separator: attr(t.string(), opt),
  scheme: attr(t.string(), opt),
  username: attr(t.string(), opt),
  password: attr(t.secret(), opt),
  allow_stale: attr(t.bool(), opt),
  services: attr(t.nullable(t.array(t.string())), opt),
  tags: attr(t.nullable(t.array(t.string())), opt),
  node_meta: attr(t.nullable(t.map(t.string())), opt),
  refresh_interval: attr(t.duration(), opt),
  http_client_config: squash(HTTPClientConfig),
}, {
  defaults: () => ({
    server: "localhost:8500", tag_separator: ",", scheme: "http", allow_stale: true, refresh_interval: 30 * Second,
    http_client_config: HTTPClientConfig.defaults(),
  }),
});

export const DigitalOcean = struct({
  refresh_interval: attr(t.duration(), opt),
  port: attr(t.int(), opt),
  bearer_token: attr(t.secret(), opt),
  bearer_token_file: attr(t.string(), opt),
  proxy: squash(ProxyConfig),
  follow_redirects: attr(t.bool(), opt),
  enable_http2: attr(t.bool(), opt),
  headers: squash(Headers),
}, { defaults: () => ({ port: 80, refresh_interval: Minute, follow_redirects: true, enable_http2: true }) });

export const DNS = struct({
  names: attr(t.nullable(t.array(t.string()))),
  refresh_interval: attr(t.duration(), opt),
  type: attr(t.string(), opt),
  port: attr(t.int(), opt),
}, { defaults: () => ({ refresh_interval: 30 * Second, type: "SRV" }) });

const Filter = struct({ name: attr(t.string()), values: attr(t.nullable(t.array(t.string()))) });

export const Docker = struct({
  host: attr(t.string()),
  port: attr(t.int(), opt),
  host_networking_host: attr(t.string(), opt),
  refresh_interval: attr(t.duration(), opt),
  match_first_network: attr(t.bool(), opt),
  filter: blocks(Filter, opt),
  http_client_config: squash(HTTPClientConfig),
}, {
  defaults: () => ({
    port: 80, host_networking_host: "localhost", refresh_interval: Minute, http_client_config: HTTPClientConfig.defaults(), match_first_network: true,
    filter: null as never,
  }),
});

export const DockerSwarm = struct({
  host: attr(t.string()),
  role: attr(t.string()),
  port: attr(t.int(), opt),
  filter: blocks(Filter, opt),
  refresh_interval: attr(t.duration(), opt),
  http_client_config: squash(HTTPClientConfig),
}, { defaults: () => ({ refresh_interval: 60 * Second, port: 80, http_client_config: HTTPClientConfig.defaults(), filter: null as never }) });

export const EC2 = struct({
  endpoint: attr(t.string(), opt),
  region: attr(t.string(), opt),
  access_key: attr(t.string(), opt),
  secret_key: attr(t.secret(), opt),
  profile: attr(t.string(), opt),
  role_arn: attr(t.string(), opt),
  refresh_interval: attr(t.duration(), opt),
  port: attr(t.int(), opt),
  filter: blocks(Filter, opt),
  http_client_config: squash(HTTPClientConfig),
}, { defaults: () => ({ port: 80, refresh_interval: 60 * Second, http_client_config: HTTPClientConfig.defaults(), filter: null as never }) });

export const Lightsail = struct({
  endpoint: attr(t.string(), opt),
  region: attr(t.string(), opt),
  access_key: attr(t.string(), opt),
  secret_key: attr(t.secret(), opt),
  profile: attr(t.string(), opt),
  role_arn: attr(t.string(), opt),
  refresh_interval: attr(t.duration(), opt),
  port: attr(t.int(), opt),
  http_client_config: squash(HTTPClientConfig),
}, { defaults: () => ({ port: 80, refresh_interval: 60 * Second, http_client_config: HTTPClientConfig.defaults() }) });

export const File = struct({
  files: attr(t.nullable(t.array(t.string()))),
  refresh_interval: attr(t.duration(), opt),
}, { defaults: () => ({ refresh_interval: 5 * Minute }) });

export const GCE = struct({
  project: attr(t.string()),
  zone: attr(t.string()),
  filter: attr(t.string(), opt),
  refresh_interval: attr(t.duration(), opt),
  port: attr(t.int(), opt),
  tag_separator: attr(t.string(), opt),
}, { defaults: () => ({ port: 80, tag_separator: ",", refresh_interval: 60 * Second }) });

/** discovery.http has no SetToDefault in Alloy: the builder compares with zero values. */
export const HTTP = struct({
  http_client_config: squash(HTTPClientConfig),
  refresh_interval: attr(t.duration(), opt),
  url: attr(urlType()),
}, { defaults: () => ({ http_client_config: HTTPClientConfig.zero() }) });

export const Ionos = struct({
  datacenter_id: attr(t.string()),
  http_client_config: squash(HTTPClientConfig),
  refresh_interval: attr(t.duration(), opt),
  port: attr(t.int(), opt),
}, { defaults: () => ({ http_client_config: HTTPClientConfig.defaults(), refresh_interval: 60 * Second, port: 80 }) });

export const Kubernetes = struct({
  api_server: attr(urlType(), opt),
  role: attr(t.string()),
  kubeconfig_file: attr(t.string(), opt),
  http_client_config: squash(HTTPClientConfig),
  namespaces: block(struct({
    own_namespace: attr(t.bool(), opt),
    names: attr(t.nullable(t.array(t.string())), opt),
  }), { optional: true, default: () => ({ own_namespace: false, names: null }) }),
  selectors: blocks(struct({ role: attr(t.string()), label: attr(t.string(), opt), field: attr(t.string(), opt) }), opt),
  attach_metadata: block(struct({ node: attr(t.bool(), opt), namespace: attr(t.bool(), opt) }), {
    optional: true,
    default: () => ({ node: false, namespace: false }),
  }),
}, { defaults: () => ({ http_client_config: HTTPClientConfig.defaults(), selectors: null as never }) });

export const Kuma = struct({
  server: attr(t.string()),
  refresh_interval: attr(t.duration(), opt),
  fetch_timeout: attr(t.duration(), opt),
  http_client_config: squash(HTTPClientConfig),
}, { defaults: () => ({ refresh_interval: 30 * Second, fetch_timeout: 2 * Minute, http_client_config: HTTPClientConfig.defaults() }) });

export const Linode = struct({
  refresh_interval: attr(t.duration(), opt),
  port: attr(t.int(), opt),
  tag_separator: attr(t.string(), opt),
  region: attr(t.string(), opt),
  http_client_config: squash(HTTPClientConfig),
}, { defaults: () => ({ tag_separator: ",", port: 80, refresh_interval: 60 * Second, region: "", http_client_config: HTTPClientConfig.defaults() }) });

export const Marathon = struct({
  servers: attr(t.nullable(t.array(t.string()))),
  refresh_interval: attr(t.duration(), opt),
  auth_token: attr(t.secret(), opt),
  auth_token_file: attr(t.string(), opt),
  http_client_config: squash(HTTPClientConfig),
}, { defaults: () => ({ refresh_interval: 30 * Second, http_client_config: HTTPClientConfig.defaults() }) });

/** discovery.nerve and discovery.serverset share their arguments. */
export const Zookeeper = struct({
  servers: attr(t.nullable(t.array(t.string()))),
  paths: attr(t.nullable(t.array(t.string()))),
  timeout: attr(t.duration(), opt),
}, { defaults: () => ({ timeout: 10 * Second }) });

export const OpenStack = struct({
  identity_endpoint: attr(t.string(), opt),
  username: attr(t.string(), opt),
  userid: attr(t.string(), opt),
  password: attr(t.secret(), opt),
  project_name: attr(t.string(), opt),
  project_id: attr(t.string(), opt),
  domain_name: attr(t.string(), opt),
  domain_id: attr(t.string(), opt),
  application_credential_name: attr(t.string(), opt),
  application_credential_id: attr(t.string(), opt),
  application_credential_secret: attr(t.secret(), opt),
  role: attr(t.string()),
  region: attr(t.string()),
  refresh_interval: attr(t.duration(), opt),
  port: attr(t.int(), opt),
  all_tenants: attr(t.bool(), opt),
  tls_config: tls(),
  availability: attr(t.string(), opt),
}, { defaults: () => ({ port: 80, refresh_interval: 60 * Second, availability: "public" }) });

export const OVHCloud = struct({
  endpoint: attr(t.string(), opt),
  application_key: attr(t.string()),
  application_secret: attr(t.secret()),
  consumer_key: attr(t.secret()),
  refresh_interval: attr(t.duration(), opt),
  service: attr(t.string()),
}, { defaults: () => ({ endpoint: "ovh-eu", refresh_interval: 60 * Second }) });

export const Scaleway = struct({
  project_id: attr(t.string()),
  role: attr(t.string()),
  api_url: attr(t.string(), opt),
  zone: attr(t.string(), opt),
  access_key: attr(t.string()),
  secret_key: attr(t.secret(), opt),
  secret_key_file: attr(t.string(), opt),
  name_filter: attr(t.string(), opt),
  tags_filter: attr(t.nullable(t.array(t.string())), opt),
  refresh_interval: attr(t.duration(), opt),
  port: attr(t.int(), opt),
  proxy: squash(ProxyConfig),
  tls_config: tls(),
  follow_redirects: attr(t.bool(), opt),
  enable_http2: attr(t.bool(), opt),
  headers: squash(Headers),
}, {
  defaults: () => ({ api_url: "https://api.scaleway.com", zone: "fr-par-1", refresh_interval: 60 * Second, port: 80, follow_redirects: true, enable_http2: true }),
});

export const Triton = struct({
  account: attr(t.string()),
  role: attr(t.string(), opt),
  dns_suffix: attr(t.string()),
  endpoint: attr(t.string()),
  groups: attr(t.nullable(t.array(t.string())), opt),
  port: attr(t.int(), opt),
  refresh_interval: attr(t.duration(), opt),
  version: attr(t.int(), opt),
  tls_config: tls(),
}, { defaults: () => ({ role: "container", port: 9163, refresh_interval: 60 * Second, version: 1 }) });
