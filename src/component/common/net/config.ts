// The server blocks of Alloy's network components (internal/component/common/net): `http`, `grpc` and
// `graceful_shutdown_timeout`, squashed into a component's arguments, with Alloy's names and defaults
// (dskit's, which Alloy copies). A block that is present keeps the defaults of the attributes it omits.
//
// toServeOptions() turns the http block into the platform's listener settings: address and port,
// conn_limit, the read/write/idle timeouts, TLS (files read when the server starts) and cleartext
// HTTP/2 when http2.enabled.
import type { ClientAuthType, ServeOptions, TlsServerConfig, TlsVersion } from "../../../platform/mod.ts";
import { attr, block, type HostOf, Second, struct, t } from "../../../syntax/schema/index.ts";
import { opensslCipherName } from "./cipher-suites.ts";

/**
 * dskit's "infinity" for gRPC connection ages, the largest time.Duration (2^63-1 ns), as the largest
 * float64 below 2^63: 2^63-1 itself rounds up to 2^63, which overflows an int64 duration.
 */
const DURATION_INFINITY = 2 ** 63 - 1024;
const SIZE_4MB = 4 << 20;

export const DEFAULT_HTTP_PORT = 8080;

const TlsBlock = struct({
  cert_pem: attr(t.string(), { default: "" }),
  key_pem: attr(t.secret(), { optional: true }),
  cert_file: attr(t.string(), { default: "" }),
  key_file: attr(t.string(), { default: "" }),
  client_auth_type: attr(t.string(), { default: "" }),
  client_ca_file: attr(t.string(), { default: "" }),
  client_ca: attr(t.string(), { default: "" }),
  cipher_suites: attr(t.string(), { default: "" }),
  min_version: attr(t.string(), { default: "" }),
});

function defaultHttp2() {
  return {
    enabled: false,
    max_handlers: 0,
    max_concurrent_streams: 100,
    max_decoder_header_table_size: 4096,
    max_encoder_header_table_size: 4096,
    max_read_frame_size: 0,
    permit_prohibited_ciphers: false,
    idle_timeout: 0,
    read_idle_timeout: 0,
    ping_timeout: 15 * Second,
    write_byte_timeout: 0,
    max_upload_buffer_per_connection: 0,
    max_upload_buffer_per_stream: 0,
  };
}

/** The http2 settings alloy-ts applies; the others must keep their defaults (refused otherwise). */
const HTTP2_APPLIED = new Set(["enabled", "max_concurrent_streams", "max_decoder_header_table_size", "max_read_frame_size"]);

const Http2Block = struct(
  {
    enabled: attr(t.bool(), { optional: true }),
    max_handlers: attr(t.int(), { optional: true }),
    max_concurrent_streams: attr(t.uint32(), { optional: true }),
    max_decoder_header_table_size: attr(t.uint32(), { optional: true }),
    max_encoder_header_table_size: attr(t.uint32(), { optional: true }),
    max_read_frame_size: attr(t.uint32(), { optional: true }),
    permit_prohibited_ciphers: attr(t.bool(), { optional: true }),
    idle_timeout: attr(t.duration(), { optional: true }),
    read_idle_timeout: attr(t.duration(), { optional: true }),
    ping_timeout: attr(t.duration(), { optional: true }),
    write_byte_timeout: attr(t.duration(), { optional: true }),
    max_upload_buffer_per_connection: attr(t.int32(), { optional: true }),
    max_upload_buffer_per_stream: attr(t.int32(), { optional: true }),
  },
  {
    defaults: defaultHttp2,
    validate: (h) => {
      const defaults = defaultHttp2() as Record<string, unknown>;
      for (const [name, value] of Object.entries(h)) {
        if (!HTTP2_APPLIED.has(name) && value !== defaults[name]) return `http2 ${name} is not supported by alloy-ts yet`;
      }
      if (h.max_read_frame_size !== 0 && (h.max_read_frame_size < 16384 || h.max_read_frame_size > 16777215)) {
        return `http2 max_read_frame_size must be between 16384 and 16777215, got ${h.max_read_frame_size}`;
      }
      return undefined;
    },
  },
);

function defaultHttp() {
  return {
    listen_address: "",
    listen_port: DEFAULT_HTTP_PORT,
    conn_limit: 0,
    server_read_timeout: 30 * Second,
    server_write_timeout: 30 * Second,
    server_idle_timeout: 120 * Second,
    tls: null,
    http2: defaultHttp2(),
  };
}

const HttpBlock = struct(
  {
    listen_address: attr(t.string(), { optional: true }),
    listen_port: attr(t.int(), { optional: true }),
    conn_limit: attr(t.int(), { optional: true }),
    server_read_timeout: attr(t.duration(), { optional: true }),
    server_write_timeout: attr(t.duration(), { optional: true }),
    server_idle_timeout: attr(t.duration(), { optional: true }),
    tls: block(TlsBlock, { optional: true }),
    http2: block(Http2Block, { optional: true, default: defaultHttp2 }),
  },
  {
    defaults: defaultHttp,
    validate: (h) => {
      if (h.listen_port < 0 || h.listen_port > 65535) return `invalid listen_port ${h.listen_port}: must be between 0 and 65535`;
      return undefined;
    },
  },
);

function defaultGrpc() {
  return {
    listen_address: "",
    listen_port: 0,
    conn_limit: 0,
    max_connection_age: DURATION_INFINITY,
    max_connection_age_grace: DURATION_INFINITY,
    max_connection_idle: DURATION_INFINITY,
    server_max_recv_msg_size: SIZE_4MB,
    server_max_send_msg_size: SIZE_4MB,
    server_max_concurrent_streams: 100,
    tls: null,
  };
}

const GrpcBlock = struct(
  {
    listen_address: attr(t.string(), { optional: true }),
    listen_port: attr(t.int(), { optional: true }),
    conn_limit: attr(t.int(), { optional: true }),
    max_connection_age: attr(t.duration(), { optional: true }),
    max_connection_age_grace: attr(t.duration(), { optional: true }),
    max_connection_idle: attr(t.duration(), { optional: true }),
    server_max_recv_msg_size: attr(t.int(), { optional: true }),
    server_max_send_msg_size: attr(t.int(), { optional: true }),
    server_max_concurrent_streams: attr(t.uint(), { optional: true }),
    tls: block(TlsBlock, { optional: true }),
  },
  { defaults: defaultGrpc },
);

/** Alloy's fnet.ServerConfig, to squash into a component's arguments. */
export const ServerConfigBlock = struct({
  http: block(HttpBlock, { optional: true, default: defaultHttp }),
  grpc: block(GrpcBlock, { optional: true, default: defaultGrpc }),
  graceful_shutdown_timeout: attr(t.duration(), { default: 30 * Second }),
});

export type ServerConfig = HostOf<typeof ServerConfigBlock>;
export type HttpConfig = NonNullable<ServerConfig["http"]>;
type TlsConfig = NonNullable<HttpConfig["tls"]>;

/** exporter-toolkit's client_auth_type values ("" is no client certificate). */
const CLIENT_AUTH: Record<string, ClientAuthType> = {
  "": "NoClientCert",
  NoClientCert: "NoClientCert",
  RequestClientCert: "RequestClientCert",
  RequireAnyClientCert: "RequireAnyClientCert",
  VerifyClientCertIfGiven: "VerifyClientCertIfGiven",
  RequireAndVerifyClientCert: "RequireAndVerifyClientCert",
};

/** dskit's TLS version names (those of Kubernetes). */
const TLS_VERSIONS: Record<string, TlsVersion> = {
  VersionTLS10: "TLSv1",
  VersionTLS11: "TLSv1.1",
  VersionTLS12: "TLSv1.2",
  VersionTLS13: "TLSv1.3",
};

/**
 * The listener's TLS settings, or undefined when the block names no certificate and key (dskit
 * serves plain HTTP then). Reads the files it names; throws with dskit's and exporter-toolkit's
 * messages.
 */
export async function tlsServerConfig(tls: TlsConfig | null, readFile: (path: string) => Promise<string>): Promise<TlsServerConfig | undefined> {
  if (!tls) return undefined;
  const key = tls.key_pem?.value ?? "";
  if (!(tls.cert_file || tls.cert_pem) || !(tls.key_file || key)) return undefined;
  const fail = (message: string) => new Error(`error generating http tls config: ${message}`);
  if (tls.cert_pem && tls.cert_file) throw fail("cannot specify both cert and cert_file");
  if (key && tls.key_file) throw fail("cannot specify both key and key_file");
  if (tls.client_ca && tls.client_ca_file) throw fail("cannot specify both client_ca and client_ca_file");
  const clientAuth = CLIENT_AUTH[tls.client_auth_type];
  if (clientAuth === undefined) throw fail(`Invalid ClientAuth: ${tls.client_auth_type}`);
  const ciphers: string[] = [];
  if (tls.cipher_suites !== "") {
    for (const name of tls.cipher_suites.split(",")) {
      const openssl = opensslCipherName(name);
      if (openssl === undefined) throw new Error(`cipher suite ${JSON.stringify(name)} not recognized`);
      ciphers.push(openssl);
    }
  }
  let minVersion: TlsVersion | undefined;
  if (tls.min_version !== "") {
    minVersion = TLS_VERSIONS[tls.min_version];
    if (minVersion === undefined) throw new Error(`TLS version ${JSON.stringify(tls.min_version)} not recognized`);
  }
  const read = async (path: string, what: string) => {
    try {
      return await readFile(path);
    } catch (e) {
      throw fail(`failed to read ${what} ${path}: ${(e as Error).message}`);
    }
  };
  const config: TlsServerConfig = {
    cert: tls.cert_pem || (await read(tls.cert_file, "cert_file")),
    key: key || (await read(tls.key_file, "key_file")),
    clientAuth,
  };
  const clientCa = tls.client_ca || (tls.client_ca_file ? await read(tls.client_ca_file, "client_ca_file") : "");
  if (clientCa) {
    if (clientAuth === "NoClientCert") throw fail("Client CA's have been configured without a Client Auth Policy");
    config.clientCa = clientCa;
  }
  if (minVersion) config.minVersion = minVersion;
  if (ciphers.length > 0) config.ciphers = ciphers.join(":");
  return config;
}

/** Nanoseconds to the platform's milliseconds; 0 stays "no limit". */
const ms = (ns: number) => (ns > 0 ? Math.max(1, Math.round(ns / 1e6)) : 0);

/** The platform listener settings of an http block (without the fetch handler). */
export async function serveOptions(http: HttpConfig, readFile: (path: string) => Promise<string>): Promise<Omit<ServeOptions, "fetch">> {
  const tls = await tlsServerConfig(http.tls, readFile);
  const h2 = http.http2 ?? defaultHttp2();
  return {
    // "" is every interface, as in Go (the runtimes' listen() takes an empty host the same way).
    hostname: http.listen_address,
    port: http.listen_port,
    ...(tls ? { tls } : {}),
    limits: {
      maxConnections: Math.max(0, http.conn_limit),
      readTimeoutMs: ms(http.server_read_timeout),
      writeTimeoutMs: ms(http.server_write_timeout),
      idleTimeoutMs: ms(http.server_idle_timeout),
    },
    h2c: h2.enabled,
    http2: {
      ...(h2.max_concurrent_streams > 0 ? { maxConcurrentStreams: h2.max_concurrent_streams } : {}),
      ...(h2.max_read_frame_size > 0 ? { maxFrameSize: h2.max_read_frame_size } : {}),
      ...(h2.max_decoder_header_table_size > 0 ? { headerTableSize: h2.max_decoder_header_table_size } : {}),
    },
  };
}
