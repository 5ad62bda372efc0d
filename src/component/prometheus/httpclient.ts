// The HTTP client settings Alloy squashes into prometheus.scrape and prometheus.remote_write endpoints
// (common/config.HTTPClientConfig: basic_auth, authorization, oauth2, bearer_token(_file), proxy
// settings, tls_config, follow_redirects, enable_http2, http_headers), and a client that applies them
// to requests made with the component's fetch (which reaches the in-memory address without a socket).
//
// What fetch cannot do is refused at configuration time with a clear error rather than ignored: a
// proxy URL, and TLS settings beyond the system's roots (custom CA, client certificates, skipping
// verification) — web-standard fetch has no per-request TLS or proxy options.

import type { Platform } from "../../platform/mod.ts";
import { attr, block, struct, t } from "../../syntax/schema/index.ts";
import type { SecretValue } from "../../syntax/value/index.ts";

export const BasicAuthBlock = struct(
  {
    username: attr(t.string(), { optional: true }),
    password: attr(t.secret(), { optional: true }),
    password_file: attr(t.string(), { optional: true }),
  },
  {
    validate: (b) =>
      secret(b.password) !== "" && b.password_file !== "" ? "at most one of basic_auth password & password_file must be configured" : undefined,
  },
);

export const AuthorizationBlock = struct(
  {
    type: attr(t.string(), { optional: true }),
    credentials: attr(t.secret(), { optional: true }),
    credentials_file: attr(t.string(), { optional: true }),
  },
  {
    validate: (a) => {
      if (secret(a.credentials) !== "" && a.credentials_file !== "") {
        return "at most one of authorization credentials & credentials_file must be configured";
      }
      if (a.type.trim().toLowerCase() === "basic") return `authorization type cannot be set to "basic", use "basic_auth" block instead`;
      return undefined;
    },
  },
);

const TLS_VERSIONS = ["TLS10", "TLS11", "TLS12", "TLS13"];

export const TlsConfigBlock = struct(
  {
    ca_pem: attr(t.string(), { optional: true }),
    ca_file: attr(t.string(), { optional: true }),
    cert_pem: attr(t.string(), { optional: true }),
    cert_file: attr(t.string(), { optional: true }),
    key_pem: attr(t.secret(), { optional: true }),
    key_file: attr(t.string(), { optional: true }),
    server_name: attr(t.string(), { optional: true }),
    insecure_skip_verify: attr(t.bool(), { optional: true }),
    min_version: attr(
      t.text<string>({
        name: "tls_version",
        parse: (s) => {
          if (!TLS_VERSIONS.includes(s)) throw new Error(`unknown TLS version: ${s}`);
          return s;
        },
        format: (s) => s,
        zero: () => "",
      }),
      { optional: true },
    ),
  },
  {
    validate: (c) => {
      if (c.ca_pem !== "" && c.ca_file !== "") return "at most one of ca_pem and ca_file must be configured";
      if (c.cert_pem !== "" && c.cert_file !== "") return "at most one of cert_pem and cert_file must be configured";
      const key = secret(c.key_pem);
      if (key !== "" && c.key_file !== "") return "at most one of key_pem and key_file must be configured";
      const cert = c.cert_pem !== "" || c.cert_file !== "";
      const hasKey = key !== "" || c.key_file !== "";
      if (cert && !hasKey) return "exactly one of key_pem or key_file must be configured when a client certificate is configured";
      if (hasKey && !cert) return "exactly one of cert_pem or cert_file must be configured when a client key is configured";
      return undefined;
    },
  },
);

const proxyFields = {
  proxy_url: attr(t.string(), { optional: true }),
  no_proxy: attr(t.string(), { optional: true }),
  proxy_from_environment: attr(t.bool(), { optional: true }),
  proxy_connect_header: attr(t.map(t.array(t.secret())), { optional: true }),
};

export const OAuth2Block = struct(
  {
    client_id: attr(t.string(), { optional: true }),
    client_secret: attr(t.secret(), { optional: true }),
    client_secret_file: attr(t.string(), { optional: true }),
    scopes: attr(t.array(t.string()), { optional: true }),
    token_url: attr(t.string(), { optional: true }),
    endpoint_params: attr(t.map(t.string()), { optional: true }),
    ...proxyFields,
    tls_config: block(TlsConfigBlock, { optional: true }),
  },
  {
    validate: (o) => {
      if (o.client_id === "") return "oauth2 client_id must be configured";
      const s = secret(o.client_secret);
      if (s === "" && o.client_secret_file === "") return "either oauth2 client_secret or client_secret_file must be configured";
      if (o.token_url === "") return "oauth2 token_url must be configured";
      if (s !== "" && o.client_secret_file !== "") return "at most one of oauth2 client_secret & client_secret_file must be configured";
      return undefined;
    },
  },
);

/** The squashed HTTP client fields; `enableHttp2` is the default of enable_http2 (scrape: true, remote_write: false). */
export function httpClientFields(enableHttp2: boolean) {
  return {
    basic_auth: block(BasicAuthBlock, { optional: true }),
    authorization: block(AuthorizationBlock, { optional: true }),
    oauth2: block(OAuth2Block, { optional: true }),
    bearer_token: attr(t.secret(), { optional: true }),
    bearer_token_file: attr(t.string(), { optional: true }),
    ...proxyFields,
    tls_config: block(TlsConfigBlock, { optional: true }),
    follow_redirects: attr(t.bool(), { default: true }),
    enable_http2: attr(t.bool(), { default: enableHttp2 }),
    http_headers: attr(t.map(t.array(t.secret())), { optional: true }),
  };
}

type BasicAuth = ReturnType<typeof BasicAuthBlock.decode>;
type Authorization = ReturnType<typeof AuthorizationBlock.decode>;
type OAuth2 = ReturnType<typeof OAuth2Block.decode>;
type TlsConfig = ReturnType<typeof TlsConfigBlock.decode>;

export interface HttpClientConfig {
  basic_auth: BasicAuth | null;
  authorization: Authorization | null;
  oauth2: OAuth2 | null;
  bearer_token: SecretValue | null;
  bearer_token_file: string;
  proxy_url: string;
  no_proxy: string;
  proxy_from_environment: boolean;
  proxy_connect_header: Record<string, (SecretValue | null)[]>;
  tls_config: TlsConfig | null;
  follow_redirects: boolean;
  enable_http2: boolean;
  http_headers: Record<string, (SecretValue | null)[]>;
}

export function secret(s: SecretValue | null | undefined): string {
  return s?.value ?? "";
}

/** Alloy's HTTPClientConfig.Validate (auth exclusivity, proxy rules) plus what this client cannot do. */
export function validateHttpClient(h: HttpClientConfig): string | undefined {
  let auth = 0;
  if (h.basic_auth) auth++;
  if (h.authorization) auth++;
  if (h.oauth2) auth++;
  if (secret(h.bearer_token) !== "") auth++;
  if (h.bearer_token_file !== "") auth++;
  if (auth > 1) return "at most one of basic_auth, authorization, oauth2, bearer_token & bearer_token_file must be configured";
  for (const name of Object.keys(h.http_headers ?? {})) {
    const lower = name.toLowerCase();
    if (["authorization", "host", "content-encoding", "content-length", "content-type", "user-agent", "connection", "keep-alive",
      "proxy-authenticate", "proxy-authorization", "www-authenticate", "accept-encoding", "x-prometheus-remote-write-version",
      "x-prometheus-remote-read-version", "x-prometheus-scrape-timeout-seconds", "x-amz-date", "x-amz-security-token",
      "x-amz-content-sha256", "upgrade", "te", "trailer", "transfer-encoding"].includes(lower)) {
      return `setting header ${JSON.stringify(name)} is not allowed`;
    }
  }
  if (Object.keys(h.proxy_connect_header ?? {}).length > 0 && !h.proxy_from_environment && h.proxy_url === "") {
    return "if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be configured";
  }
  if (h.proxy_from_environment && h.proxy_url !== "") return "if proxy_from_environment is configured, proxy_url must not be configured";
  if (h.proxy_from_environment && h.no_proxy !== "") return "if proxy_from_environment is configured, no_proxy must not be configured";
  if (h.proxy_url === "" && h.no_proxy !== "") return "if no_proxy is configured, proxy_url must also be configured";
  // Not offered by web-standard fetch.
  if (h.proxy_url !== "") return "proxy_url is not supported by alloy-ts yet";
  const unsupportedTls = (c: TlsConfig | null) =>
    c !== null && (c.ca_pem !== "" || c.ca_file !== "" || c.cert_pem !== "" || c.cert_file !== "" || secret(c.key_pem) !== "" ||
      c.key_file !== "" || c.insecure_skip_verify);
  if (unsupportedTls(h.tls_config) || unsupportedTls(h.oauth2?.tls_config ?? null)) {
    return "tls_config with a CA, client certificate or insecure_skip_verify is not supported by alloy-ts yet (the system's roots are used)";
  }
  return undefined;
}

interface Token {
  value: string;
  type: string;
  expiresAt: number;
}

/** Applies an HTTPClientConfig to requests. */
export class HttpClient {
  private token: Token | undefined;
  private tokenKey = "";

  constructor(
    private config: HttpClientConfig,
    private readonly fetchFn: typeof fetch,
    private readonly platform: Platform,
  ) {}

  update(config: HttpClientConfig): void {
    this.config = config;
  }

  /** Headers for authentication and http_headers (files are read on every request, as Prometheus does). */
  async headers(): Promise<Headers> {
    const c = this.config;
    const h = new Headers();
    for (const [name, values] of Object.entries(c.http_headers ?? {})) {
      for (const v of values) h.append(name, secret(v));
    }
    if (c.basic_auth) {
      const password = c.basic_auth.password_file !== ""
        ? (await this.platform.fs.readTextFile(c.basic_auth.password_file)).trim()
        : secret(c.basic_auth.password);
      h.set("Authorization", `Basic ${base64(`${c.basic_auth.username}:${password}`)}`);
    } else if (c.authorization) {
      const type = c.authorization.type.trim() || "Bearer";
      const credentials = c.authorization.credentials_file !== ""
        ? (await this.platform.fs.readTextFile(c.authorization.credentials_file)).trim()
        : secret(c.authorization.credentials);
      h.set("Authorization", `${type} ${credentials}`);
    } else if (secret(c.bearer_token) !== "") {
      h.set("Authorization", `Bearer ${secret(c.bearer_token)}`);
    } else if (c.bearer_token_file !== "") {
      h.set("Authorization", `Bearer ${(await this.platform.fs.readTextFile(c.bearer_token_file)).trim()}`);
    } else if (c.oauth2) {
      const token = await this.oauth2Token(c.oauth2);
      h.set("Authorization", `${token.type} ${token.value}`);
    }
    return h;
  }

  /** fetch with the configured authentication, headers and redirect policy. */
  async fetch(url: string, init: RequestInit & { headers?: Headers }): Promise<Response> {
    const headers = await this.headers();
    init.headers?.forEach((v, k) => headers.set(k, v));
    return this.fetchFn(url, { ...init, headers, redirect: this.config.follow_redirects ? "follow" : "manual" });
  }

  /** The client-credentials token of an oauth2 block, fetched again shortly before it expires. */
  private async oauth2Token(o: OAuth2): Promise<Token> {
    const secretText = o.client_secret_file !== "" ? (await this.platform.fs.readTextFile(o.client_secret_file)).trim() : secret(o.client_secret);
    const key = `${o.token_url}\u0000${o.client_id}\u0000${secretText}\u0000${(o.scopes ?? []).join(" ")}`;
    if (this.token && this.tokenKey === key && Date.now() < this.token.expiresAt - 10_000) return this.token;
    const body = new URLSearchParams({ grant_type: "client_credentials" });
    if ((o.scopes ?? []).length > 0) body.set("scope", o.scopes.join(" "));
    for (const [k, v] of Object.entries(o.endpoint_params ?? {})) body.set(k, v);
    const response = await this.fetchFn(o.token_url, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: `Basic ${base64(`${encodeURIComponent(o.client_id)}:${encodeURIComponent(secretText)}`)}`,
      },
      body,
    });
    if (!response.ok) throw new Error(`oauth2: cannot fetch token: ${response.status} ${response.statusText}`);
    const json = (await response.json()) as { access_token?: string; token_type?: string; expires_in?: number };
    if (!json.access_token) throw new Error("oauth2: server response missing access_token");
    const type = !json.token_type || json.token_type.toLowerCase() === "bearer" ? "Bearer" : json.token_type;
    this.token = { value: json.access_token, type, expiresAt: json.expires_in ? Date.now() + json.expires_in * 1000 : Infinity };
    this.tokenKey = key;
    return this.token;
  }
}

const utf8 = new TextEncoder();

function base64(s: string): string {
  let bin = "";
  for (const b of utf8.encode(s)) bin += String.fromCharCode(b);
  return btoa(bin);
}
