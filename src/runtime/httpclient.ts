// The HTTP client settings Alloy uses wherever it makes requests (common/config.HTTPClientConfig:
// basic_auth, authorization, oauth2, bearer_token(_file), proxy settings, tls_config,
// follow_redirects, enable_http2, http_headers) — squashed into prometheus.scrape and
// prometheus.remote_write endpoints, the `client` block of import.http and remote.http — and a client
// that applies them to requests made with the caller's fetch (which reaches the in-memory address
// without a socket). It lives in the runtime layer because import.http needs it too.
//
// Requests that need TLS settings beyond the system's roots or a proxy go through a client from the
// platform (Platform.createFetchClient), built from the settings and rebuilt when they, or the
// contents of ca_file, cert_file and key_file, change — those files are read on every request, as
// Prometheus's common config does. Everything else stays on the caller's fetch, the hot path.

import type { FetchClient, FetchClientTls, HttpRequest, HttpResponse, Platform, ProxySettings, TlsVersion } from "../platform/mod.ts";
import { requestViaFetch } from "../platform/mod.ts";
import { attr, block, struct, t } from "../syntax/schema/index.ts";
import type { SecretValue } from "../syntax/value/index.ts";

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

/** Alloy's HTTPClientConfig.Validate: auth exclusivity, headers, proxy rules. */
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
  return validateProxy(h) ?? (h.oauth2 ? validateProxy(h.oauth2) : undefined);
}

type ProxyConfig = Pick<HttpClientConfig, "proxy_url" | "no_proxy" | "proxy_from_environment" | "proxy_connect_header">;

/** Alloy's ProxyConfig.Validate, for a client and for an oauth2 block's token requests. */
function validateProxy(p: ProxyConfig): string | undefined {
  if (Object.keys(p.proxy_connect_header ?? {}).length > 0 && !p.proxy_from_environment && p.proxy_url === "") {
    return "if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be configured";
  }
  if (p.proxy_from_environment && p.proxy_url !== "") return "if proxy_from_environment is configured, proxy_url must not be configured";
  if (p.proxy_from_environment && p.no_proxy !== "") return "if proxy_from_environment is configured, no_proxy must not be configured";
  if (p.proxy_url === "" && p.no_proxy !== "") return "if no_proxy is configured, proxy_url must also be configured";
  return undefined;
}

/** tls_config's min_version names (Go's) as the platform names TLS versions. */
const PLATFORM_TLS_VERSIONS: Record<string, TlsVersion> = { TLS10: "TLSv1", TLS11: "TLSv1.1", TLS12: "TLSv1.2", TLS13: "TLSv1.3" };

/** Whether a tls_config asks for anything beyond the system's roots and defaults. */
function customTls(c: TlsConfig | null | undefined): c is TlsConfig {
  return !!c && (c.ca_pem !== "" || c.ca_file !== "" || c.cert_pem !== "" || c.cert_file !== "" || secret(c.key_pem) !== "" ||
    c.key_file !== "" || c.server_name !== "" || c.insecure_skip_verify || c.min_version !== "");
}

function proxySettings(p: ProxyConfig): ProxySettings | undefined {
  const connectHeaders: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(p.proxy_connect_header ?? {})) connectHeaders[name] = values.map(secret);
  if (p.proxy_url !== "") return { url: p.proxy_url, ...(p.no_proxy !== "" ? { noProxy: p.no_proxy } : {}), connectHeaders };
  if (p.proxy_from_environment) return { fromEnvironment: true, connectHeaders };
  return undefined;
}

/** One platform client and the settings (file contents included) it was built from. */
interface Transport {
  key: string;
  client: FetchClient;
}

/**
 * The transport for one set of TLS and proxy settings: the component's fetch when they ask for
 * nothing special, otherwise a platform client, replaced when the settings or the files change.
 */
class TransportSlot {
  #current: Transport | undefined;

  constructor(private readonly platform: Platform) {}

  /** The fetch to use; reads the TLS files and (re)builds the client when needed. */
  async fetchFor(tlsConfig: TlsConfig | null | undefined, proxyConfig: ProxyConfig, plain: typeof fetch): Promise<typeof fetch> {
    const proxy = proxySettings(proxyConfig);
    if (!customTls(tlsConfig) && !proxy) {
      // The hot path: nothing to build, and a client from earlier settings goes.
      if (this.#current) void this.close();
      return plain;
    }
    const tls = customTls(tlsConfig) ? await readTls(tlsConfig, this.platform) : undefined;
    const key = JSON.stringify([tls?.settings ?? null, proxy ?? null]);
    if (this.#current?.key !== key) {
      const client = createClient(this.platform, tls, proxy);
      this.close();
      this.#current = { key, client };
    }
    const client = this.#current!.client;
    return ((input: RequestInfo | URL, init?: RequestInit) => client.fetch(input, init)) as typeof fetch;
  }

  /** Closes the client, letting requests in flight finish. */
  close(): Promise<void> {
    const old = this.#current;
    this.#current = undefined;
    return old ? old.client.close().catch(() => {}) : Promise.resolve();
  }
}

interface ReadTls {
  settings: FetchClientTls;
  /** How Prometheus names where each PEM came from, for its error messages. */
  caSource: string;
  certSource: string;
  keySource: string;
}

/** tls_config with the files read now (trimmed, as Prometheus reads them); errors as Prometheus words them. */
async function readTls(c: TlsConfig, platform: Platform): Promise<ReadTls> {
  const read = async (inline: string, file: string, what: string): Promise<string | undefined> => {
    if (inline !== "") return inline;
    if (file === "") return undefined;
    try {
      return (await platform.fs.readTextFile(file)).trim();
    } catch (error) {
      throw new Error(`unable to read ${what}: unable to read file ${file}: ${(error as Error).message}`);
    }
  };
  const settings: FetchClientTls = {};
  const ca = await read(c.ca_pem, c.ca_file, "CA cert");
  const cert = await read(c.cert_pem, c.cert_file, "client cert");
  const key = await read(secret(c.key_pem), c.key_file, "client key");
  if (ca !== undefined) settings.ca = ca;
  if (cert !== undefined) settings.cert = cert;
  if (key !== undefined) settings.key = key;
  if (c.server_name !== "") settings.serverName = c.server_name;
  if (c.insecure_skip_verify) settings.insecureSkipVerify = true;
  if (c.min_version !== "") settings.minVersion = PLATFORM_TLS_VERSIONS[c.min_version];
  const source = (inline: string, file: string) => (inline !== "" ? "inline" : `file ${file}`);
  return {
    settings,
    caSource: source(c.ca_pem, c.ca_file),
    certSource: source(c.cert_pem, c.cert_file),
    keySource: source(secret(c.key_pem), c.key_file),
  };
}

/** The platform client, its refusals worded as Prometheus words them. */
function createClient(platform: Platform, tls: ReadTls | undefined, proxy: ProxySettings | undefined): FetchClient {
  try {
    return platform.createFetchClient({ ...(tls ? { tls: tls.settings } : {}), ...(proxy ? { proxy } : {}) });
  } catch (error) {
    const part = (error as { part?: string }).part;
    if (tls && part === "ca") throw new Error(`unable to use specified CA cert ${tls.caSource}`);
    if (tls && part === "keypair") {
      throw new Error(`unable to use specified client cert (${tls.certSource}) & key (${tls.keySource}): ${(error as Error).message}`);
    }
    throw error;
  }
}

interface Token {
  value: string;
  type: string;
  expiresAt: number;
}

export interface HttpClientOptions {
  /**
   * The agent's in-memory address (host:port): requests to it always go to the component's fetch,
   * which answers them without a socket, whatever the TLS and proxy settings say.
   */
  memoryAddr?: string;
}

/** The in-memory address from the http service's data; undefined where the agent runs without it. */
export function memoryAddress(context: { getServiceData(name: string): unknown }): string | undefined {
  try {
    return (context.getServiceData("http") as { memoryAddr?: string } | undefined)?.memoryAddr;
  } catch {
    return undefined;
  }
}

/** Applies an HTTPClientConfig to requests. */
export class HttpClient {
  private token: Token | undefined;
  private tokenKey = "";
  readonly #transport: TransportSlot;
  readonly #tokenTransport: TransportSlot;
  readonly #isMemory: (url: URL) => boolean;

  constructor(
    private config: HttpClientConfig,
    private readonly fetchFn: typeof fetch,
    private readonly platform: Platform,
    options: HttpClientOptions = {},
  ) {
    this.#transport = new TransportSlot(platform);
    this.#tokenTransport = new TransportSlot(platform);
    const memory = options.memoryAddr?.toLowerCase();
    const memoryHost = memory?.replace(/:\d+$/, "");
    this.#isMemory = (url) =>
      memory !== undefined && (url.host.toLowerCase() === memory || (url.port === "" && url.hostname.toLowerCase() === memoryHost));
  }

  /** New settings; a client with other TLS or proxy settings is built on the next request. */
  update(config: HttpClientConfig): void {
    this.config = config;
  }

  /**
   * Reads the TLS files and builds the client for the current settings now, so that an unreadable
   * CA or a client key of another certificate fails the configuration, as Prometheus's
   * NewClientFromConfig does, rather than every request.
   */
  async prepare(): Promise<void> {
    await this.#transport.fetchFor(this.config.tls_config, this.config, this.fetchFn);
    if (this.config.oauth2) await this.#tokenTransport.fetchFor(this.config.oauth2.tls_config, this.config.oauth2, this.fetchFn);
  }

  /** Closes the clients built for TLS or proxy settings (requests in flight finish first). */
  async close(): Promise<void> {
    await Promise.all([this.#transport.close(), this.#tokenTransport.close()]);
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

  /** fetch with the configured authentication, headers, redirect policy, TLS settings and proxy. */
  async fetch(url: string, init: RequestInit & { headers?: Headers }): Promise<Response> {
    const headers = await this.headers();
    init.headers?.forEach((v, k) => headers.set(k, v));
    const send = this.#isMemory(new URL(url)) ? this.fetchFn : await this.#transport.fetchFor(this.config.tls_config, this.config, this.fetchFn);
    return send(url, { ...init, headers, redirect: this.config.follow_redirects ? "follow" : "manual" });
  }

  /**
   * One request with the configured authentication, headers, redirect policy, TLS settings and proxy,
   * its response read whole (see HttpRequest): the hot requests of scrapes and remote-write pushes.
   * Plain requests go through the platform's cheapest client; the in-memory address and clients
   * built for TLS settings or a proxy answer through their fetch.
   */
  async request(url: string, init: Omit<HttpRequest, "url" | "followRedirects">): Promise<HttpResponse> {
    const headers = await this.headers();
    init.headers.forEach((v, k) => headers.set(k, v));
    const request: HttpRequest = { ...init, url, headers, followRedirects: this.config.follow_redirects };
    if (this.#isMemory(new URL(url))) return requestViaFetch(this.fetchFn, request);
    const send = await this.#transport.fetchFor(this.config.tls_config, this.config, this.fetchFn);
    return send === this.fetchFn ? this.platform.request(request) : requestViaFetch(send, request);
  }

  /** The client-credentials token of an oauth2 block, fetched again shortly before it expires. */
  private async oauth2Token(o: OAuth2): Promise<Token> {
    const secretText = o.client_secret_file !== "" ? (await this.platform.fs.readTextFile(o.client_secret_file)).trim() : secret(o.client_secret);
    const key = `${o.token_url}\u0000${o.client_id}\u0000${secretText}\u0000${(o.scopes ?? []).join(" ")}`;
    if (this.token && this.tokenKey === key && Date.now() < this.token.expiresAt - 10_000) return this.token;
    const body = new URLSearchParams({ grant_type: "client_credentials" });
    if ((o.scopes ?? []).length > 0) body.set("scope", o.scopes.join(" "));
    for (const [k, v] of Object.entries(o.endpoint_params ?? {})) body.set(k, v);
    // The token request has the oauth2 block's own TLS and proxy settings (Prometheus's oauth2 client).
    const send = this.#isMemory(new URL(o.token_url)) ? this.fetchFn : await this.#tokenTransport.fetchFor(o.tls_config, o, this.fetchFn);
    const response = await send(o.token_url, {
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
