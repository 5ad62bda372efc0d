// Prometheus's service discovery settings (`<name>_sd_configs`), with each mechanism's YAML names,
// defaults and UnmarshalYAML validation. The mechanisms Alloy's converter translates are fully
// declared; the others are recognised by name (the converter reports them as unsupported).
import { parseURL } from "../common/gourl.ts";
import { bool, custom, ignored, int, map, named, ptr, slice, str, struct, type YType } from "../goyaml/decode.ts";
import {
  defaultHTTPClientConfig,
  type HTTPClientConfig,
  httpClientConfig,
  modelDuration,
  promURLValue,
  secret,
  type TLSConfig,
  tlsConfig,
  validateHTTPClientConfig,
} from "./common.ts";
import { isValidUTF8LabelName } from "./relabel.ts";

const SECOND = 1_000_000_000;
const MINUTE = 60 * SECOND;

/** Options a few mechanisms need from the environment (AWS region). */
export interface SDEnv {
  getEnv?: (name: string) => string | undefined;
}

let env: SDEnv = {};
/** Sets the environment lookups used while decoding (AWS region). */
export function setSDEnv(e: SDEnv): void {
  env = e;
}

function sd<T extends object>(goName: string, shape: Record<string, YType<any>>, defaults: () => T, validate: (c: T) => void, withHTTP = false): YType<T | null> {
  const plain = struct<T>(goName, shape, withHTTP ? { http: httpClientConfig } : {});
  return ptr(custom(plain, { reset: () => defaults(), after: validate, goName }));
}

const validateHTTP = (c: { http: HTTPClientConfig }) => validateHTTPClientConfig(c.http);

// ---------------------------------------------------------------------------------------------

export interface AzureSD {
  environment: string;
  port: number;
  subscription_id: string;
  tenant_id: string;
  client_id: string;
  client_secret: string;
  refresh_interval: number;
  authentication_method: string;
  resource_group: string;
  http: HTTPClientConfig;
}

const validateAuthParam = (v: string, name: string) => {
  if (v.length === 0) throw new Error(`azure SD configuration requires a ${name}`);
};

const azure = sd<AzureSD>("azure.plain", {
  environment: str, port: int, subscription_id: str, tenant_id: str, client_id: str, client_secret: secret,
  refresh_interval: modelDuration, authentication_method: str, resource_group: str,
}, () => ({ environment: "AzurePublicCloud", port: 80, subscription_id: "", tenant_id: "", client_id: "", client_secret: "", refresh_interval: 5 * MINUTE, authentication_method: "OAuth", resource_group: "", http: defaultHTTPClientConfig() }), (c) => {
  validateAuthParam(c.subscription_id, "subscription_id");
  if (c.authentication_method === "OAuth") {
    validateAuthParam(c.tenant_id, "tenant_id");
    validateAuthParam(c.client_id, "client_id");
    validateAuthParam(c.client_secret, "client_secret");
  }
  if (!["OAuth", "ManagedIdentity", "SDK", "WorkloadIdentity"].includes(c.authentication_method)) {
    throw new Error(`unknown authentication_type ${JSON.stringify(c.authentication_method)}. Supported types are "OAuth", "ManagedIdentity", "SDK" or "WorkloadIdentity"`);
  }
  validateHTTP(c);
}, true);

export interface ConsulSD {
  server: string;
  path_prefix: string;
  token: string;
  datacenter: string;
  namespace: string;
  partition: string;
  tag_separator: string;
  scheme: string;
  username: string;
  password: string;
  allow_stale: boolean;
  refresh_interval: number;
  services: string[] | null;
  tags: string[] | null;
  node_meta: Record<string, string> | null;
  filter: string;
  health_filter: string;
  http: HTTPClientConfig;
}

const consul = sd<ConsulSD>("consul.plain", {
  server: str, path_prefix: str, token: secret, datacenter: str, namespace: str, partition: str, tag_separator: str, scheme: str,
  username: str, password: secret, allow_stale: bool, refresh_interval: modelDuration, services: slice(str), tags: slice(str),
  node_meta: map(str), filter: str, health_filter: str,
}, () => ({
  server: "localhost:8500", path_prefix: "", token: "", datacenter: "", namespace: "", partition: "", tag_separator: ",", scheme: "http",
  username: "", password: "", allow_stale: true, refresh_interval: 30 * SECOND, services: null, tags: null, node_meta: null, filter: "",
  health_filter: "", http: defaultHTTPClientConfig(),
}), (c) => {
  if (c.server.trim() === "") throw new Error("consul SD configuration requires a server address");
  if (c.username !== "" || c.password !== "") {
    if (c.http.basic_auth) throw new Error("at most one of consul SD configuration username and password and basic auth can be configured");
    c.http.basic_auth = { username: c.username, username_file: "", username_ref: "", password: c.password, password_file: "", password_ref: "" };
  }
  if (c.token !== "" && (c.http.authorization || c.http.oauth2)) throw new Error("at most one of consul SD token, authorization, or oauth2 can be configured");
  validateHTTP(c);
}, true);

export interface DigitalOceanSD {
  refresh_interval: number;
  port: number;
  role: string;
  http: HTTPClientConfig;
}

const doRole = custom(named("digitalocean.Role"), {
  after: (r) => {
    if (r !== "droplets" && r !== "databases") throw new Error(`unknown DigitalOcean SD role ${JSON.stringify(r)}`);
  },
});

const digitalocean = sd<DigitalOceanSD>("digitalocean.plain", { refresh_interval: modelDuration, port: int, role: doRole },
  () => ({ refresh_interval: 60 * SECOND, port: 80, role: "droplets", http: defaultHTTPClientConfig() }), (c) => {
    if (c.role === "") throw new Error("role missing (one of: droplets, databases)");
    validateHTTP(c);
  }, true);

export interface DNSSD {
  names: string[] | null;
  refresh_interval: number;
  type: string;
  port: number;
}

const dns = sd<DNSSD>("dns.plain", { names: slice(str), refresh_interval: modelDuration, type: str, port: int },
  () => ({ names: null, refresh_interval: 30 * SECOND, type: "SRV", port: 0 }), (c) => {
    if (!c.names || c.names.length === 0) throw new Error("DNS-SD config must contain at least one SRV record name");
    const t = c.type.toUpperCase();
    if (t === "SRV") return;
    if (["A", "AAAA", "MX", "NS"].includes(t)) {
      if (c.port === 0) throw new Error("a port is required in DNS-SD configs for all record types except SRV");
      return;
    }
    throw new Error(`invalid DNS-SD records type ${c.type}`);
  });

export interface Filter {
  name: string;
  values: string[] | null;
}

const mobyFilter = struct<Filter>("moby.Filter", { name: str, values: slice(str) });

export interface DockerSD {
  host: string;
  port: number;
  filters: Filter[] | null;
  host_networking_host: string;
  refresh_interval: number;
  match_first_network: boolean;
  http: HTTPClientConfig;
}

const checkHost = (host: string) => {
  if (host === "") throw new Error("host missing");
  parseURL(host);
};

const docker = sd<DockerSD>("moby.plain", {
  host: str, port: int, filters: slice(mobyFilter), host_networking_host: str, refresh_interval: modelDuration, match_first_network: bool,
}, () => ({ host: "", port: 80, filters: [], host_networking_host: "localhost", refresh_interval: 60 * SECOND, match_first_network: true, http: defaultHTTPClientConfig() }), (c) => {
  checkHost(c.host);
  validateHTTP(c);
}, true);

export interface DockerSwarmSD {
  host: string;
  role: string;
  port: number;
  filters: Filter[] | null;
  refresh_interval: number;
  http: HTTPClientConfig;
}

const dockerswarm = sd<DockerSwarmSD>("moby.plain", { host: str, role: str, port: int, filters: slice(mobyFilter), refresh_interval: modelDuration },
  () => ({ host: "", role: "", port: 80, filters: [], refresh_interval: 60 * SECOND, http: defaultHTTPClientConfig() }), (c) => {
    checkHost(c.host);
    if (c.role === "") throw new Error("role missing (one of: tasks, services, nodes)");
    if (!["services", "nodes", "tasks"].includes(c.role)) throw new Error(`invalid role ${c.role}, expected tasks, services, or nodes`);
    validateHTTP(c);
  }, true);

export interface EC2SD {
  endpoint: string;
  region: string;
  access_key: string;
  secret_key: string;
  profile: string;
  role_arn: string;
  external_id: string;
  refresh_interval: number;
  port: number;
  filters: Array<Filter | null> | null;
  http: HTTPClientConfig;
}

function loadRegion(region: string): string {
  if (region !== "") return region;
  const fromEnv = env.getEnv?.("AWS_REGION") || env.getEnv?.("AWS_DEFAULT_REGION");
  if (fromEnv) return fromEnv;
  throw new Error("could not determine AWS region: region not found in AWS config or IMDS");
}

const awsFilter = struct<Filter>("aws.Filter", { name: str, values: slice(str) });

const ec2 = sd<EC2SD>("aws.plain", {
  endpoint: str, region: str, access_key: str, secret_key: secret, profile: str, role_arn: str, external_id: str,
  refresh_interval: modelDuration, port: int, filters: slice(ptr(awsFilter)),
}, () => ({
  endpoint: "", region: "", access_key: "", secret_key: "", profile: "", role_arn: "", external_id: "", refresh_interval: 60 * SECOND, port: 80,
  filters: null, http: defaultHTTPClientConfig(),
}), (c) => {
  c.region = loadRegion(c.region);
  for (const f of c.filters ?? []) if (!f || !f.values || f.values.length === 0) throw new Error("EC2 SD configuration filter values cannot be empty");
  validateHTTP(c);
}, true);

export type LightsailSD = Omit<EC2SD, "filters">;

const lightsail = sd<LightsailSD>("aws.plain", {
  endpoint: str, region: str, access_key: str, secret_key: secret, profile: str, role_arn: str, external_id: str,
  refresh_interval: modelDuration, port: int,
}, () => ({
  endpoint: "", region: "", access_key: "", secret_key: "", profile: "", role_arn: "", external_id: "", refresh_interval: 60 * SECOND, port: 80,
  http: defaultHTTPClientConfig(),
}), (c) => {
  c.region = loadRegion(c.region);
  validateHTTP(c);
}, true);

export interface FileSD {
  files: string[] | null;
  refresh_interval: number;
}

const FILE_SD_NAME = /^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$/;
const file = sd<FileSD>("file.plain", { files: slice(str), refresh_interval: modelDuration }, () => ({ files: null, refresh_interval: 5 * MINUTE }), (c) => {
  if (!c.files || c.files.length === 0) throw new Error("file service discovery config must contain at least one path name");
  for (const name of c.files) if (!FILE_SD_NAME.test(name)) throw new Error(`path name ${JSON.stringify(name)} is not valid for file discovery`);
});

export interface GCESD {
  project: string;
  zone: string;
  filter: string;
  refresh_interval: number;
  port: number;
  tag_separator: string;
}

const gce = sd<GCESD>("gce.plain", { project: str, zone: str, filter: str, refresh_interval: modelDuration, port: int, tag_separator: str },
  () => ({ project: "", zone: "", filter: "", refresh_interval: 60 * SECOND, port: 80, tag_separator: "," }), (c) => {
    if (c.project === "") throw new Error("GCE SD configuration requires a project");
    if (c.zone === "") throw new Error("GCE SD configuration requires a zone");
  });

export interface HTTPSD {
  refresh_interval: number;
  url: string;
  http: HTTPClientConfig;
}

const http = sd<HTTPSD>("http.plain", { refresh_interval: modelDuration, url: str }, () => ({ refresh_interval: 60 * SECOND, url: "", http: defaultHTTPClientConfig() }), (c) => {
  if (c.url === "") throw new Error("URL is missing");
  const u = parseURL(c.url);
  if (u.scheme !== "http" && u.scheme !== "https") throw new Error("URL scheme must be 'http' or 'https'");
  if (u.host === "") throw new Error("host is missing in URL");
  validateHTTP(c);
}, true);

export interface IonosSD {
  datacenter_id: string;
  refresh_interval: number;
  port: number;
  http: HTTPClientConfig;
}

const ionos = sd<IonosSD>("ionos.plain", { datacenter_id: str, refresh_interval: modelDuration, port: int },
  () => ({ datacenter_id: "", refresh_interval: 60 * SECOND, port: 80, http: defaultHTTPClientConfig() }), (c) => {
    if (c.datacenter_id === "") throw new Error("datacenter id can't be empty");
    validateHTTP(c);
  }, true);

export interface KubernetesSD {
  api_server: string;
  role: string;
  kubeconfig_file: string;
  namespaces: { own_namespace: boolean; names: string[] | null };
  selectors: Array<{ role: string; label: string; field: string }> | null;
  attach_metadata: { node: boolean; namespace: boolean; deployment: boolean; job: boolean; cronjob: boolean };
  http: HTTPClientConfig;
}

const K8S_ROLES = ["node", "pod", "service", "endpoints", "endpointslice", "ingress"];
const k8sRole = custom(named("kubernetes.Role"), {
  after: (r) => {
    if (!K8S_ROLES.includes(r)) throw new Error(`unknown Kubernetes SD role ${JSON.stringify(r)}`);
  },
});

const sameHTTP = (a: HTTPClientConfig, b: HTTPClientConfig) => JSON.stringify(a) === JSON.stringify(b);

const kubernetes = sd<KubernetesSD>("kubernetes.plain", {
  api_server: promURLValue,
  role: k8sRole,
  kubeconfig_file: str,
  namespaces: custom(struct("kubernetes.plain", { own_namespace: bool, names: slice(str) }), { reset: () => ({ own_namespace: false, names: null }) }),
  selectors: slice(struct("kubernetes.SelectorConfig", { role: k8sRole, label: str, field: str })),
  attach_metadata: struct("kubernetes.AttachMetadataConfig", { node: bool, namespace: bool, deployment: bool, job: bool, cronjob: bool }),
}, () => ({
  api_server: "", role: "", kubeconfig_file: "", namespaces: { own_namespace: false, names: null }, selectors: null,
  attach_metadata: { node: false, namespace: false, deployment: false, job: false, cronjob: false }, http: defaultHTTPClientConfig(),
}), (c) => {
  if (c.role === "") throw new Error("role missing (one of: pod, service, endpoints, endpointslice, node, ingress)");
  validateHTTP(c);
  const apiSet = c.api_server !== "";
  if (apiSet && c.kubeconfig_file !== "") throw new Error("cannot use 'kubeconfig_file' and 'api_server' simultaneously");
  if (c.kubeconfig_file !== "" && !sameHTTP(c.http, defaultHTTPClientConfig())) throw new Error("cannot use a custom HTTP client configuration together with 'kubeconfig_file'");
  if (!apiSet && !sameHTTP(c.http, defaultHTTPClientConfig())) throw new Error("to use custom HTTP client configuration please provide the 'api_server' URL explicitly");
  if (apiSet && c.namespaces.own_namespace) throw new Error("cannot use 'api_server' and 'namespaces.own_namespace' simultaneously");
  if (c.kubeconfig_file !== "" && c.namespaces.own_namespace) throw new Error("cannot use 'kubeconfig_file' and 'namespaces.own_namespace' simultaneously");
  const allowed: Record<string, string[]> = {
    pod: ["pod", "node"], service: ["service"], endpointslice: ["pod", "service", "endpointslice"], endpoints: ["pod", "service", "endpoints"],
    node: ["node"], ingress: ["ingress"],
  };
  const seen = new Set<string>();
  for (const s of c.selectors ?? []) {
    if (seen.has(s.role)) throw new Error(`duplicated selector role: ${s.role}`);
    seen.add(s.role);
    const ok = allowed[c.role];
    if (!ok) throw new Error(`invalid role: ${JSON.stringify(c.role)}, expecting one of: pod, service, endpoints, endpointslice, node or ingress`);
    if (!ok.includes(s.role)) throw new Error(`${c.role} role supports only ${ok.join(", ")} selectors`);
  }
}, true);

export interface KumaSD {
  refresh_interval: number;
  fetch_timeout: number;
  server: string;
  client_id: string;
  http: HTTPClientConfig;
}

const kuma = sd<KumaSD>("xds.plainKumaConf", { refresh_interval: modelDuration, fetch_timeout: modelDuration, server: str, client_id: str },
  () => ({ refresh_interval: 15 * SECOND, fetch_timeout: 2 * MINUTE, server: "", client_id: "", http: defaultHTTPClientConfig() }), (c) => {
    if (c.server === "") throw new Error(`kuma SD server must not be empty: ${c.server}`);
    const u = parseURL(c.server);
    if (u.scheme === "" || u.host === "") throw new Error(`kuma SD server must not be empty and have a scheme: ${c.server}`);
    validateHTTP(c);
  }, true);

export interface LinodeSD {
  refresh_interval: number;
  port: number;
  tag_separator: string;
  region: string;
  http: HTTPClientConfig;
}

const linode = sd<LinodeSD>("linode.plain", { refresh_interval: modelDuration, port: int, tag_separator: str, region: str },
  () => ({ refresh_interval: 60 * SECOND, port: 80, tag_separator: ",", region: "", http: defaultHTTPClientConfig() }), validateHTTP, true);

export interface MarathonSD {
  servers: string[] | null;
  refresh_interval: number;
  auth_token: string;
  auth_token_file: string;
  http: HTTPClientConfig;
}

const marathon = sd<MarathonSD>("marathon.plain", { servers: slice(str), refresh_interval: modelDuration, auth_token: secret, auth_token_file: str },
  () => ({ servers: null, refresh_interval: 30 * SECOND, auth_token: "", auth_token_file: "", http: defaultHTTPClientConfig() }), (c) => {
    if (!c.servers || c.servers.length === 0) throw new Error("marathon_sd: must contain at least one Marathon server");
    if (c.auth_token !== "" && c.auth_token_file !== "") throw new Error("marathon_sd: at most one of auth_token & auth_token_file must be configured");
    if (c.auth_token !== "" || c.auth_token_file !== "") {
      if (c.http.basic_auth) throw new Error("marathon_sd: at most one of basic_auth, auth_token & auth_token_file must be configured");
      if (c.http.bearer_token !== "" || c.http.bearer_token_file !== "") {
        throw new Error("marathon_sd: at most one of bearer_token, bearer_token_file, auth_token & auth_token_file must be configured");
      }
      if (c.http.authorization) throw new Error("marathon_sd: at most one of auth_token, auth_token_file & authorization must be configured");
    }
    validateHTTP(c);
  }, true);

export interface ZookeeperSD {
  servers: string[] | null;
  paths: string[] | null;
  timeout: number;
}

function zookeeper(kind: "serverset" | "nerve"): YType<ZookeeperSD | null> {
  return sd<ZookeeperSD>("zookeeper.plain", { servers: slice(str), paths: slice(str), timeout: modelDuration },
    () => ({ servers: null, paths: null, timeout: 10 * SECOND }), (c) => {
      if (!c.servers || c.servers.length === 0) throw new Error(`${kind} SD config must contain at least one Zookeeper server`);
      if (!c.paths || c.paths.length === 0) throw new Error(`${kind} SD config must contain at least one path`);
      for (const p of c.paths) if (!p.startsWith("/")) throw new Error(`${kind} SD config paths must begin with '/': ${p}`);
    });
}

export interface OpenStackSD {
  identity_endpoint: string;
  username: string;
  userid: string;
  password: string;
  project_name: string;
  project_id: string;
  domain_name: string;
  domain_id: string;
  application_credential_name: string;
  application_credential_id: string;
  application_credential_secret: string;
  role: string;
  region: string;
  refresh_interval: number;
  port: number;
  all_tenants: boolean;
  tls_config: TLSConfig;
  availability: string;
}

const osRole = custom(named("openstack.Role"), {
  after: (r) => {
    if (!["hypervisor", "instance", "loadbalancer"].includes(r)) throw new Error(`unknown OpenStack SD role ${JSON.stringify(r)}`);
  },
});

const openstack = sd<OpenStackSD>("openstack.plain", {
  identity_endpoint: str, username: str, userid: str, password: secret, project_name: str, project_id: str, domain_name: str, domain_id: str,
  application_credential_name: str, application_credential_id: str, application_credential_secret: secret, role: osRole, region: str,
  refresh_interval: modelDuration, port: int, all_tenants: bool, tls_config: tlsConfig, availability: str,
}, () => ({
  identity_endpoint: "", username: "", userid: "", password: "", project_name: "", project_id: "", domain_name: "", domain_id: "",
  application_credential_name: "", application_credential_id: "", application_credential_secret: "", role: "", region: "",
  refresh_interval: 60 * SECOND, port: 80, all_tenants: false, tls_config: tlsConfigZero(), availability: "public",
}), (c) => {
  if (!["public", "internal", "admin"].includes(c.availability)) throw new Error(`unknown availability ${c.availability}, must be one of admin, internal or public`);
  if (c.role === "") throw new Error("role missing (one of: instance, hypervisor, loadbalancer)");
  if (c.region === "") throw new Error("openstack SD configuration requires a region");
});

export interface OVHCloudSD {
  endpoint: string;
  application_key: string;
  application_secret: string;
  consumer_key: string;
  refresh_interval: number;
  service: string;
}

const ovhcloud = sd<OVHCloudSD>("ovhcloud.plain", {
  endpoint: str, application_key: str, application_secret: secret, consumer_key: secret, refresh_interval: modelDuration, service: str,
}, () => ({ endpoint: "ovh-eu", application_key: "", application_secret: "", consumer_key: "", refresh_interval: 60 * SECOND, service: "" }), (c) => {
  if (c.endpoint === "") throw new Error("endpoint can not be empty");
  if (c.application_key === "") throw new Error("application key can not be empty");
  if (c.application_secret === "") throw new Error("application secret can not be empty");
  if (c.consumer_key === "") throw new Error("consumer key can not be empty");
  if (c.service !== "dedicated_server" && c.service !== "vps") throw new Error(`unknown service: ${c.service}`);
});

export interface ScalewaySD {
  project_id: string;
  api_url: string;
  zone: string;
  access_key: string;
  secret_key: string;
  secret_key_file: string;
  name_filter: string;
  tags_filter: string[] | null;
  refresh_interval: number;
  port: number;
  role: string;
  http: HTTPClientConfig;
}

const scwRole = custom(named("scaleway.role"), {
  after: (r) => {
    if (r !== "instance" && r !== "baremetal") throw new Error(`unknown role ${JSON.stringify(r)}`);
  },
});

const scaleway = sd<ScalewaySD>("scaleway.plain", {
  project_id: str, api_url: str, zone: str, access_key: str, secret_key: secret, secret_key_file: str, name_filter: str, tags_filter: slice(str),
  refresh_interval: modelDuration, port: int, role: scwRole,
}, () => ({
  project_id: "", api_url: "https://api.scaleway.com", zone: "fr-par-1", access_key: "", secret_key: "", secret_key_file: "", name_filter: "",
  tags_filter: null, refresh_interval: 60 * SECOND, port: 80, role: "", http: defaultHTTPClientConfig(),
}), (c) => {
  if (c.role === "") throw new Error("role missing (one of: instance, baremetal)");
  if (c.project_id === "") throw new Error("project_id is mandatory");
  if (c.secret_key === "" && c.secret_key_file === "") throw new Error("one of secret_key & secret_key_file must be configured");
  if (c.secret_key !== "" && c.secret_key_file !== "") throw new Error("at most one of secret_key & secret_key_file must be configured");
  if (c.access_key === "") throw new Error("access_key is mandatory");
  validateHTTP(c);
}, true);

export interface TritonSD {
  account: string;
  role: string;
  dns_suffix: string;
  endpoint: string;
  groups: string[] | null;
  port: number;
  refresh_interval: number;
  tls_config: TLSConfig;
  version: number;
}

const triton = sd<TritonSD>("triton.plain", {
  account: str, role: str, dns_suffix: str, endpoint: str, groups: slice(str), port: int, refresh_interval: modelDuration, tls_config: tlsConfig, version: int,
}, () => ({ account: "", role: "container", dns_suffix: "", endpoint: "", groups: null, port: 9163, refresh_interval: 60 * SECOND, tls_config: tlsConfigZero(), version: 1 }), (c) => {
  if (c.role !== "container" && c.role !== "cn") throw new Error("triton SD configuration requires role to be 'container' or 'cn'");
  if (c.account === "") throw new Error("triton SD configuration requires an account");
  if (c.dns_suffix === "") throw new Error("triton SD configuration requires a dns_suffix");
  if (c.endpoint === "") throw new Error("triton SD configuration requires an endpoint");
  if (c.refresh_interval <= 0) throw new Error("triton SD configuration requires RefreshInterval to be a positive integer");
});

function tlsConfigZero(): TLSConfig {
  return tlsConfig.zero();
}

// ---------------------------------------------------------------------------------------------
// static_configs: target groups.

export interface TargetGroup {
  /** One label set per target, each with __address__. */
  targets: Array<Record<string, string>>;
  labels: Record<string, string> | null;
}

const labelNameKey = custom(named("model.LabelName"), {
  after: (s) => {
    if (!isValidUTF8LabelName(s)) throw new Error(`${JSON.stringify(s)} is not a valid label name`);
  },
});

const groupGoName = 'struct { Targets []string "yaml:\\"targets\\""; Labels model.LabelSet "yaml:\\"labels\\"" }';
const groupPlain = struct<{ targets: string[] | null; labels: Record<string, string> | null }>(groupGoName, {
  targets: slice(str),
  labels: map(str, "model.LabelSet", labelNameKey),
});

export const targetGroup: YType<TargetGroup | null> = ptr({
  goName: "targetgroup.Group",
  decode(d, n) {
    const start = d.terrors.length;
    const g = groupPlain.decode(d, n, groupPlain.zero());
    if (d.terrors.length > start) return { targets: [], labels: null };
    return { targets: (g.targets ?? []).map((t) => ({ __address__: t })), labels: g.labels };
  },
  zero: () => ({ targets: [], labels: null }),
});

// ---------------------------------------------------------------------------------------------
// The registry: every `<name>_sd_configs` key Prometheus knows, sorted as Prometheus reads them.

export type SDConfig =
  | { name: "azure"; config: AzureSD }
  | { name: "consul"; config: ConsulSD }
  | { name: "digitalocean"; config: DigitalOceanSD }
  | { name: "dns"; config: DNSSD }
  | { name: "docker"; config: DockerSD }
  | { name: "dockerswarm"; config: DockerSwarmSD }
  | { name: "ec2"; config: EC2SD }
  | { name: "file"; config: FileSD }
  | { name: "gce"; config: GCESD }
  | { name: "http"; config: HTTPSD }
  | { name: "ionos"; config: IonosSD }
  | { name: "kubernetes"; config: KubernetesSD }
  | { name: "kuma"; config: KumaSD }
  | { name: "lightsail"; config: LightsailSD }
  | { name: "linode"; config: LinodeSD }
  | { name: "marathon"; config: MarathonSD }
  | { name: "nerve"; config: ZookeeperSD }
  | { name: "openstack"; config: OpenStackSD }
  | { name: "ovhcloud"; config: OVHCloudSD }
  | { name: "scaleway"; config: ScalewaySD }
  | { name: "serverset"; config: ZookeeperSD }
  | { name: "triton"; config: TritonSD }
  | { name: "static"; config: TargetGroup[] }
  | { name: UnsupportedSD; config: Record<string, never> };

/** Mechanisms Prometheus registers that Alloy's converter does not translate. */
export const UNSUPPORTED_SD = ["aws", "ecs", "elasticache", "eureka", "hetzner", "msk", "nomad", "outscale", "puppetdb", "rds", "stackit", "uyuni", "vultr"] as const;
export type UnsupportedSD = (typeof UNSUPPORTED_SD)[number];

const SUPPORTED: Record<string, YType<unknown>> = {
  azure, consul, digitalocean, dns, docker, dockerswarm, ec2, file, gce, http, ionos, kubernetes, kuma, lightsail, linode, marathon,
  nerve: zookeeper("nerve"), openstack, ovhcloud, scaleway, serverset: zookeeper("serverset"), triton,
};

const lenient: YType<Record<string, never> | null> = ptr(ignored);

/** Go's names of the registered config types (they appear in type errors on the lists). */
const GO_TYPES: Record<string, string> = {
  azure: "azure.SDConfig", consul: "consul.SDConfig", digitalocean: "digitalocean.SDConfig", dns: "dns.SDConfig",
  docker: "moby.DockerSDConfig", dockerswarm: "moby.DockerSwarmSDConfig", ec2: "aws.EC2SDConfig", file: "file.SDConfig",
  gce: "gce.SDConfig", http: "http.SDConfig", ionos: "ionos.SDConfig", kubernetes: "kubernetes.SDConfig", kuma: "xds.SDConfig",
  lightsail: "aws.LightsailSDConfig", linode: "linode.SDConfig", marathon: "marathon.SDConfig", nerve: "zookeeper.NerveSDConfig",
  openstack: "openstack.SDConfig", ovhcloud: "ovhcloud.SDConfig", scaleway: "scaleway.SDConfig", serverset: "zookeeper.ServersetSDConfig",
  triton: "triton.SDConfig", aws: "aws.SDConfig", ecs: "aws.ECSSDConfig", elasticache: "aws.ElasticacheSDConfig", eureka: "eureka.SDConfig",
  hetzner: "hetzner.SDConfig", msk: "aws.MSKSDConfig", nomad: "nomad.SDConfig", outscale: "outscale.SDConfig", puppetdb: "puppetdb.SDConfig",
  rds: "aws.RDSSDConfig", stackit: "stackit.SDConfig", uyuni: "uyuni.SDConfig", vultr: "vultr.SDConfig",
};

/** YAML key → element type, for every `*_sd_configs` key and `static_configs`. */
export function sdFields(): Record<string, YType<unknown>> {
  const fields: Record<string, YType<unknown>> = {};
  for (const [name, type] of Object.entries(SUPPORTED)) fields[`${name}_sd_configs`] = slice(type, `[]*${GO_TYPES[name]}`);
  for (const name of UNSUPPORTED_SD) fields[`${name}_sd_configs`] = slice(lenient, `[]*${GO_TYPES[name]}`);
  fields["static_configs"] = slice(targetGroup, "[]*targetgroup.Group");
  return fields;
}

/**
 * The discovery configs of a decoded section, in Prometheus's order (sorted by YAML key, static
 * target groups last and coalesced into one), failing like Prometheus on null entries.
 */
export function readSDConfigs(host: Record<string, unknown>): SDConfig[] {
  const keys = Object.keys(sdFields()).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: SDConfig[] = [];
  const groups: TargetGroup[] = [];
  for (const key of keys) {
    const list = host[key] as unknown[] | null | undefined;
    for (const item of list ?? []) {
      if (item === null || item === undefined) throw new Error(`empty or null section in ${key}`);
      if (key === "static_configs") groups.push(item as TargetGroup);
      else out.push({ name: key.slice(0, -"_sd_configs".length), config: item } as SDConfig);
    }
  }
  if (groups.length > 0) out.push({ name: "static", config: groups });
  return out;
}

