// The prometheus/common configuration types Prometheus reads (config.HTTPClientConfig and its
// parts, model.Duration, Secret, URL), with their YAML names, defaults and validation messages.
import { parseURL, urlString } from "../common/gourl.ts";
import { bool, custom, map, named, ptr, slice, str, struct, type StructY, via, type YType } from "../goyaml/decode.ts";

// ---------------------------------------------------------------------------------------------
// model.Duration: Prometheus's duration strings ("1d12h", "30s", "500ms"), in nanoseconds.

const DURATION_UNITS: Record<string, { pos: number; mult: bigint }> = {
  ms: { pos: 7, mult: 1_000_000n },
  s: { pos: 6, mult: 1_000_000_000n },
  m: { pos: 5, mult: 60_000_000_000n },
  h: { pos: 4, mult: 3_600_000_000_000n },
  d: { pos: 3, mult: 86_400_000_000_000n },
  w: { pos: 2, mult: 604_800_000_000_000n },
  y: { pos: 1, mult: 31_536_000_000_000_000n },
};

/** model.ParseDuration. */
export function parseModelDuration(s: string): number {
  if (s === "0") return 0;
  if (s === "") throw new Error("empty duration string");
  const invalid = () => new Error(`not a valid duration string: ${JSON.stringify(s)}`);
  let rest = s;
  let total = 0n;
  let lastPos = 0;
  while (rest !== "") {
    const digits = /^[0-9]*/.exec(rest)![0];
    if (digits === "") throw invalid();
    rest = rest.slice(digits.length);
    const unit = /^[^0-9]*/.exec(rest)![0];
    if (unit === "") throw invalid();
    rest = rest.slice(unit.length);
    const u = DURATION_UNITS[unit];
    if (!u) throw new Error(`unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(s)}`);
    if (u.pos <= lastPos) throw invalid();
    lastPos = u.pos;
    const v = BigInt(digits);
    if (v > (1n << 63n) / u.mult) throw new Error("duration out of range");
    total += v * u.mult;
    if (total > (1n << 63n) - 1n) throw new Error("duration out of range");
  }
  return Number(total);
}

export const modelDuration: YType<number> = via("model.Duration", str, parseModelDuration, () => 0);

/** config.Secret (a string with its own UnmarshalYAML). */
export const secret: YType<string> = named("config.plain");

/** config.URL: a URL parsed with Go's net/url; the host value is its String(). */
export const promURL: YType<string | null> = ptr(via("config.URL", str, (s) => urlString(parseURL(s)), () => ""));
/** A non-pointer config.URL ("" when unset). */
export const promURLValue: YType<string> = via("config.URL", str, (s) => urlString(parseURL(s)), () => "");

const TLS_VERSIONS = new Set(["TLS13", "TLS12", "TLS11", "TLS10"]);
export const tlsVersion: YType<string> = via("config.TLSVersion", str, (s) => {
  if (!TLS_VERSIONS.has(s)) throw new Error(`unknown TLS version: ${s}`);
  return s;
}, () => "");

// ---------------------------------------------------------------------------------------------
// HTTP client settings

export interface TLSConfig {
  ca: string;
  cert: string;
  key: string;
  ca_file: string;
  cert_file: string;
  key_file: string;
  ca_ref: string;
  cert_ref: string;
  key_ref: string;
  server_name: string;
  insecure_skip_verify: boolean;
  min_version: string;
  max_version: string;
}

const nonZero = (...values: boolean[]) => values.filter(Boolean).length;

export function validateTLS(c: TLSConfig): void {
  if (nonZero(c.ca !== "", c.ca_file !== "", c.ca_ref !== "") > 1) throw new Error("at most one of ca, ca_file & ca_ref must be configured");
  if (nonZero(c.cert !== "", c.cert_file !== "", c.cert_ref !== "") > 1) throw new Error("at most one of cert, cert_file & cert_ref must be configured");
  if (nonZero(c.key !== "", c.key_file !== "", c.key_ref !== "") > 1) throw new Error("at most one of key and key_file must be configured");
  const cert = c.cert !== "" || c.cert_file !== "" || c.cert_ref !== "";
  const key = c.key !== "" || c.key_file !== "" || c.key_ref !== "";
  if (cert && !key) throw new Error("exactly one of key or key_file must be configured when a client certificate is configured");
  if (key && !cert) throw new Error("exactly one of cert or cert_file must be configured when a client key is configured");
}

const tlsPlain = struct<TLSConfig>("config.plain", {
  ca: str, cert: str, key: secret, ca_file: str, cert_file: str, key_file: str, ca_ref: str, cert_ref: str, key_ref: str,
  server_name: str, insecure_skip_verify: bool, min_version: tlsVersion, max_version: tlsVersion,
});
export const tlsConfig: YType<TLSConfig> = custom(tlsPlain, { after: validateTLS, goName: "config.plain" });

export interface ProxyConfig {
  proxy_url: string | null;
  no_proxy: string;
  proxy_from_environment: boolean;
  proxy_connect_header: Record<string, string[] | null> | null;
}

export const proxyConfig: StructY<ProxyConfig> = struct<ProxyConfig>("config.ProxyConfig", {
  proxy_url: promURL,
  no_proxy: str,
  proxy_from_environment: bool,
  proxy_connect_header: map(slice(secret, "[]config.Secret"), "config.ProxyHeader"),
});

export function validateProxy(c: ProxyConfig): void {
  const hasURL = c.proxy_url !== null && c.proxy_url !== "";
  if (c.proxy_connect_header && Object.keys(c.proxy_connect_header).length > 0 && !c.proxy_from_environment && !hasURL) {
    throw new Error("if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be configured");
  }
  if (c.proxy_from_environment && hasURL) throw new Error("if proxy_from_environment is configured, proxy_url must not be configured");
  if (c.proxy_from_environment && c.no_proxy !== "") throw new Error("if proxy_from_environment is configured, no_proxy must not be configured");
  if (c.proxy_url === null && c.no_proxy !== "") throw new Error("if no_proxy is configured, proxy_url must also be configured");
}

export interface BasicAuth {
  username: string;
  username_file: string;
  username_ref: string;
  password: string;
  password_file: string;
  password_ref: string;
}

const basicAuth = struct<BasicAuth>("config.plain", { username: str, username_file: str, username_ref: str, password: secret, password_file: str, password_ref: str });

export interface Authorization {
  type: string;
  credentials: string;
  credentials_file: string;
  credentials_ref: string;
}

const authorization = struct<Authorization>("config.Authorization", { type: str, credentials: secret, credentials_file: str, credentials_ref: str });

export interface OAuth2 {
  client_id: string;
  client_secret: string;
  client_secret_file: string;
  client_secret_ref: string;
  client_certificate_key_id: string;
  client_certificate_key: string;
  client_certificate_key_file: string;
  client_certificate_key_ref: string;
  grant_type: string;
  signature_algorithm: string;
  iss: string;
  audience: string;
  claims: Record<string, unknown> | null;
  scopes: string[] | null;
  token_url: string;
  endpoint_params: Record<string, string> | null;
  tls_config: TLSConfig;
  proxy: ProxyConfig;
}

const anyValue: YType<unknown> = { goName: "interface {}", decode: () => null, zero: () => null };

const oauth2Plain = struct<OAuth2>("config.plain", {
  client_id: str, client_secret: secret, client_secret_file: str, client_secret_ref: str, client_certificate_key_id: str,
  client_certificate_key: secret, client_certificate_key_file: str, client_certificate_key_ref: str, grant_type: str,
  signature_algorithm: str, iss: str, audience: str, claims: map(anyValue, "map[string]interface {}"), scopes: slice(str),
  token_url: str, endpoint_params: map(str), tls_config: tlsConfig,
}, { proxy: proxyConfig });
const oauth2 = custom(oauth2Plain, { after: (o) => validateProxy(o.proxy), goName: "config.plain" });

export interface HTTPClientConfig {
  basic_auth: BasicAuth | null;
  authorization: Authorization | null;
  oauth2: OAuth2 | null;
  bearer_token: string;
  bearer_token_file: string;
  tls_config: TLSConfig;
  follow_redirects: boolean;
  enable_http2: boolean;
  proxy: ProxyConfig;
  http_headers: Record<string, unknown> | null;
}

const HEADER_NAMES = new Set([
  "Authorization", "Host", "Content-Encoding", "Content-Length", "Content-Type", "User-Agent", "Connection", "Keep-Alive",
  "Proxy-Authenticate", "Proxy-Authorization", "Www-Authenticate", "Accept-Encoding", "X-Prometheus-Remote-Write-Version",
  "X-Prometheus-Remote-Read-Version", "X-Prometheus-Scrape-Timeout-Seconds", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256",
]);

/** Go's http.CanonicalHeaderKey. */
export function canonicalHeaderKey(s: string): string {
  if (!/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/.test(s)) return s;
  return s.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

const header = struct("config.Header", { values: slice(str), secrets: slice(secret, "[]config.Secret"), files: slice(str) });
const headers: YType<Record<string, unknown> | null> = ptr(custom(map(header, "map[string]config.Header"), {
  after: (h) => {
    for (const name of Object.keys(h ?? {})) {
      if (HEADER_NAMES.has(canonicalHeaderKey(name))) throw new Error(`setting header ${JSON.stringify(canonicalHeaderKey(name))} is not allowed`);
    }
  },
  zero: () => ({}),
})) as YType<Record<string, unknown> | null>;

/** The fields of config.HTTPClientConfig, inlined into the settings that embed it. */
export const httpClientConfig: StructY<HTTPClientConfig> = struct<HTTPClientConfig>("config.HTTPClientConfig", {
  basic_auth: ptr(basicAuth),
  authorization: ptr(authorization),
  oauth2: ptr(oauth2),
  bearer_token: secret,
  bearer_token_file: str,
  tls_config: tlsConfig,
  follow_redirects: bool,
  enable_http2: bool,
  http_headers: headers,
}, { proxy: proxyConfig });

/** config.DefaultHTTPClientConfig. */
export function defaultHTTPClientConfig(): HTTPClientConfig {
  return { ...httpClientConfig.zero(), follow_redirects: true, enable_http2: true };
}

/** HTTPClientConfig.Validate: also turns bearer_token(_file) into an authorization. */
export function validateHTTPClientConfig(c: HTTPClientConfig): void {
  if (c.bearer_token !== "" && c.bearer_token_file !== "") throw new Error("at most one of bearer_token & bearer_token_file must be configured");
  if ((c.basic_auth || c.oauth2) && (c.bearer_token !== "" || c.bearer_token_file !== "")) {
    throw new Error("at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured");
  }
  const ba = c.basic_auth;
  if (ba && nonZero(ba.username !== "", ba.username_file !== "", ba.username_ref !== "") > 1) {
    throw new Error("at most one of basic_auth username, username_file & username_ref must be configured");
  }
  if (ba && nonZero(ba.password !== "", ba.password_file !== "", ba.password_ref !== "") > 1) {
    throw new Error("at most one of basic_auth password, password_file & password_ref must be configured");
  }
  if (c.authorization) {
    const a = c.authorization;
    if (c.bearer_token !== "" || c.bearer_token_file !== "") throw new Error("authorization is not compatible with bearer_token & bearer_token_file");
    if (nonZero(a.credentials !== "", a.credentials_file !== "", a.credentials_ref !== "") > 1) {
      throw new Error("at most one of authorization credentials & credentials_file must be configured");
    }
    a.type = a.type.trim();
    if (a.type === "") a.type = "Bearer";
    if (a.type.toLowerCase() === "basic") throw new Error('authorization type cannot be set to "basic", use "basic_auth" instead');
    if (c.basic_auth || c.oauth2) throw new Error("at most one of basic_auth, oauth2 & authorization must be configured");
  } else {
    if (c.bearer_token !== "") {
      c.authorization = { type: "Bearer", credentials: c.bearer_token, credentials_file: "", credentials_ref: "" };
      c.bearer_token = "";
    }
    if (c.bearer_token_file !== "") {
      c.authorization = { type: "Bearer", credentials: "", credentials_file: c.bearer_token_file, credentials_ref: "" };
      c.bearer_token_file = "";
    }
  }
  if (c.oauth2) {
    const o = c.oauth2;
    if (c.basic_auth) throw new Error("at most one of basic_auth, oauth2 & authorization must be configured");
    if (o.client_id === "") throw new Error("oauth2 client_id must be configured");
    if (o.token_url === "") throw new Error("oauth2 token_url must be configured");
    if (o.grant_type === "urn:ietf:params:oauth:grant-type:jwt-bearer") {
      if (nonZero(o.client_certificate_key !== "", o.client_certificate_key_file !== "", o.client_certificate_key_ref !== "") > 1) {
        throw new Error("at most one of oauth2 client_certificate_key, client_certificate_key_file & client_certificate_key_ref must be configured using grant-type=urn:ietf:params:oauth:grant-type:jwt-bearer");
      }
      if (o.signature_algorithm !== "" && !["RS256", "RS384", "RS512"].includes(o.signature_algorithm)) {
        throw new Error("valid signature algorithms are RS256, RS384 and RS512");
      }
    } else if (nonZero(o.client_secret !== "", o.client_secret_file !== "", o.client_secret_ref !== "") > 1) {
      throw new Error("at most one of oauth2 client_secret, client_secret_file & client_secret_ref must be configured using grant-type=client_credentials");
    }
  }
  validateProxy(c.proxy);
}
