// The Platform interface: everything alloy-ts needs from the runtime it runs on.
//
// Code outside src/platform/ talks to the runtime only through this interface and web-standard
// APIs (DESIGN.md, portability rule). Each runtime has one adapter (node.ts, deno.ts, bun.ts) built
// from the capability modules in ./node/, overriding only what that runtime does differently or
// better. The adapter is chosen once at start-up by ./mod.ts.

export type RuntimeName = "node" | "deno" | "bun";

export interface RuntimeInfo {
  name: RuntimeName;
  /** Version of the runtime itself, e.g. "1.4.4" for Bun. */
  version: string;
  /** Operating system as Go names it (GOOS): linux, darwin, windows, freebsd … */
  os: string;
  /** CPU architecture as Go names it (GOARCH): amd64, arm64, 386, arm … */
  arch: string;
}

// ---------------------------------------------------------------------------------------------
// Files

export interface FileInfo {
  isFile: boolean;
  isDirectory: boolean;
  isSymlink: boolean;
  size: number;
  /** Last modification time in milliseconds since the epoch. */
  mtimeMs: number;
}

export interface DirEntry {
  name: string;
  isFile: boolean;
  isDirectory: boolean;
  isSymlink: boolean;
}

/** A file opened for appending; the write-ahead logs are built on it. */
export interface AppendHandle {
  readonly path: string;
  /** Bytes in the file, including everything written through this handle. */
  readonly size: number;
  write(data: Uint8Array): Promise<void>;
  /** Flushes written data to stable storage (fsync). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface WatchEvent {
  kind: "create" | "modify" | "remove" | "rename" | "other";
  /** The path the event was reported for (absolute when the watcher was given one). */
  path: string;
}

export interface Watcher {
  close(): void;
}

export interface FileSystem {
  readFile(path: string): Promise<Uint8Array>;
  readTextFile(path: string): Promise<string>;
  /** Entries of a directory, sorted by name so that callers get a stable order on every OS. */
  readDir(path: string): Promise<DirEntry[]>;
  /** Follows symlinks; null when nothing exists at the path. */
  stat(path: string): Promise<FileInfo | null>;
  /** The absolute path with every symlink resolved (Go's filepath.EvalSymlinks); rejects when it does not exist. */
  realPath(path: string): Promise<string>;
  /**
   * Replaces a file's content so that readers see either the old or the new content, never a mix:
   * write a temporary file beside it, fsync, rename over the target.
   */
  writeFileAtomic(path: string, data: Uint8Array | string): Promise<void>;
  /** Opens (creating if needed) a file for appending. */
  openAppend(path: string): Promise<AppendHandle>;
  /** Appends once; with sync, the data is on stable storage when the promise resolves. */
  appendFile(path: string, data: Uint8Array | string, options?: { sync?: boolean }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** mkdir -p. */
  mkdirp(path: string): Promise<void>;
  /** Removes a file, or a directory with everything in it; no error when nothing is there. */
  remove(path: string): Promise<void>;
  /** Calls onEvent for changes to a file, or to the direct entries of a directory. */
  watch(path: string, onEvent: (event: WatchEvent) => void): Watcher;
  cwd(): string;
}

// ---------------------------------------------------------------------------------------------
// HTTP

/** TLS client-certificate policies, named as Go's crypto/tls (and so Alloy's config) names them. */
export type ClientAuthType =
  | "NoClientCert"
  | "RequestClientCert"
  | "RequireAnyClientCert"
  | "VerifyClientCertIfGiven"
  | "RequireAndVerifyClientCert";

export type TlsVersion = "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";

export interface TlsServerConfig {
  /** PEM certificate chain. */
  cert: string;
  /** PEM private key. */
  key: string;
  /** PEM CA bundle used to verify client certificates. */
  clientCa?: string;
  clientAuth?: ClientAuthType;
  minVersion?: TlsVersion;
  maxVersion?: TlsVersion;
  /** OpenSSL cipher list. */
  ciphers?: string;
}

export interface ConnectionInfo {
  remoteAddress: string;
  remotePort: number;
  /** "1.1", "1.0" or "2.0". */
  httpVersion: string;
  tls: boolean;
}

export type FetchHandler = (request: Request, connection: ConnectionInfo) => Response | Promise<Response>;

/**
 * Limits of a listener, as Go's http.Server and netutil.LimitListener apply them (the servers of
 * components such as prometheus.receive_http are configured with them). Absent or 0: no limit.
 */
export interface ServeLimits {
  /** Connections served at once; more wait, unread, until one closes (they are not refused). */
  maxConnections?: number;
  /** Time to read a request, headers and body (Go's ReadTimeout); the connection is closed after it. */
  readTimeoutMs?: number;
  /** Time from the start of a request to the end of its response (Go's WriteTimeout). */
  writeTimeoutMs?: number;
  /** Time an open connection may wait for its next request (Go's IdleTimeout; readTimeoutMs when absent). */
  idleTimeoutMs?: number;
}

/** HTTP/2 settings the server announces (node:http2's Settings); absent: the runtime's defaults. */
export interface Http2ServerSettings {
  maxConcurrentStreams?: number;
  /** Largest frame payload the server accepts (16384 to 16777215). */
  maxFrameSize?: number;
  /** HPACK table size for decoding request headers. */
  headerTableSize?: number;
}

export interface ServeOptions {
  hostname: string;
  /** 0 picks a free port; HttpServer.port tells which. */
  port: number;
  fetch: FetchHandler;
  tls?: TlsServerConfig;
  /** Errors on the listener or on a connection that no request can report. */
  onError?: (error: Error) => void;
  limits?: ServeLimits;
  /** Whether cleartext connections may speak HTTP/2 with prior knowledge (h2c); default true. */
  h2c?: boolean;
  http2?: Http2ServerSettings;
}

export interface HttpServer {
  readonly hostname: string;
  readonly port: number;
  /** Connections being served now (not those waiting under ServeLimits.maxConnections). */
  readonly connections: number;
  /**
   * Switches TLS on, off, or to a new certificate for connections accepted from now on; open
   * connections keep the settings they were accepted with (Alloy applies the http block's TLS at
   * reload the same way).
   */
  setTls(tls: TlsServerConfig | undefined): void;
  /**
   * Stops accepting connections, lets requests in flight finish for up to graceMs, then drops
   * whatever is left.
   */
  close(graceMs?: number): Promise<void>;
}

export interface TlsClientConfig {
  /** PEM CA bundle; the system's roots when absent. */
  ca?: string;
  /** PEM client certificate and key for mutual TLS. */
  cert?: string;
  key?: string;
  serverName?: string;
  insecureSkipVerify?: boolean;
}

export interface Http2ClientOptions {
  tls?: TlsClientConfig;
  /** Milliseconds to wait for the connection (and TLS handshake). */
  connectTimeoutMs?: number;
}

/**
 * An HTTP/2 client for one origin (http:// means cleartext HTTP/2 with prior knowledge), used to talk
 * to cluster peers: no runtime's global fetch speaks cleartext HTTP/2. Request and response bodies
 * stream in both directions at once.
 */
export interface Http2Client {
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** TLS settings of a FetchClient: Go's tls.Config as Prometheus's tls_config fills it. */
export interface FetchClientTls extends TlsClientConfig {
  /**
   * PEM CA bundle that replaces the system's roots (Go's RootCAs), for the servers and for an
   * https:// proxy alike.
   */
  ca?: string;
  /** Name sent as SNI and checked against the server's certificate instead of the URL's host. */
  serverName?: string;
  minVersion?: TlsVersion;
  maxVersion?: TlsVersion;
}

/**
 * Which proxy requests go through, by Go's rules (./proxy.ts): a proxy URL (http://, https:// or
 * socks5://, userinfo sent as proxy basic auth), alone (every request goes through it, loopback
 * included) or with a NO_PROXY-style list; or HTTP_PROXY, HTTPS_PROXY and NO_PROXY from the
 * environment. connectHeaders go on CONNECT requests only (a tunnel for an https:// target).
 */
export type ProxySettings =
  | { url: string; noProxy?: string; connectHeaders?: Record<string, string[]> }
  | { fromEnvironment: true; connectHeaders?: Record<string, string[]> };

export interface FetchClientOptions {
  tls?: FetchClientTls;
  proxy?: ProxySettings;
}

/**
 * An HTTP/1.1 client with its own TLS settings and proxy, for requests that web-standard fetch
 * cannot make. Connections are pooled and kept alive until close(); idle ones never keep the
 * process running. Responses are decompressed as fetch does; errors are fetch's TypeError with
 * the reason in the message.
 */
export interface FetchClient {
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Lets requests in flight finish (for a few seconds at most), then closes every connection. */
  close(): Promise<void>;
}

/**
 * One request whose body is sent, and whose response body is read, as whole bytes: the hot requests
 * (scrapes, remote-write pushes), which need neither streams nor a Response object. Semantics are
 * fetch's (redirects, decoding of gzip/deflate/br responses, errors), so that a caller can switch
 * between Platform.request and a fetch without behaving differently.
 */
export interface HttpRequest {
  url: string;
  method: string;
  headers: Headers;
  body?: Uint8Array;
  signal?: AbortSignal;
  /** Follows redirects as fetch's redirect "follow" does; otherwise a 3xx response is the answer. */
  followRedirects: boolean;
  /** Whether the body of a response with this status is wanted (default: always); one that is not comes back empty. */
  readBody?: (status: number) => boolean;
  /** At most this many bytes of the (decoded) body are read; absent: no limit. */
  maxBodyBytes?: number;
  /**
   * What a longer body does: "fail" (default) rejects the request with a ResponseTooLargeError as
   * soon as the limit is passed; "truncate" answers with the first maxBodyBytes bytes.
   */
  bodyOverflow?: "fail" | "truncate";
  /**
   * A buffer the body may be read into when it fits (the response's body is then a view of it), so
   * that a caller reading one body at a time does not allocate one per response.
   */
  bodyBuffer?: Uint8Array;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  headers: Headers;
  /** The decoded body, or an empty one when readBody said no. */
  body: Uint8Array;
}

// ---------------------------------------------------------------------------------------------
// Datagrams and byte streams (cluster gossip over UDP and TCP, as memberlist's own transport)

/** An IP address (v4 or v6, as text) and a port. */
export interface SocketAddress {
  address: string;
  port: number;
}

export interface DatagramOptions {
  /** Address to bind, e.g. "127.0.0.1" or "::"; IPv6 when it contains a colon. */
  hostname: string;
  /** 0 picks a free port; DatagramSocket.port tells which. */
  port: number;
  /** Called for each datagram received, with the sender's address. */
  onMessage: (data: Uint8Array, from: SocketAddress) => void;
  /** Errors the socket reports after it is bound. */
  onError?: (error: Error) => void;
  /** SO_RCVBUF in bytes, where the runtime allows setting it. */
  receiveBufferSize?: number;
}

/** A bound UDP socket. */
export interface DatagramSocket {
  readonly hostname: string;
  readonly port: number;
  /** Sends one datagram; rejects when the OS refuses it (too large, unreachable network …). */
  send(data: Uint8Array, to: SocketAddress): Promise<void>;
  close(): Promise<void>;
}

/** One TCP connection, either accepted by a TcpListener or dialled with connectTcp. */
export interface TcpConnection {
  readonly local: SocketAddress;
  readonly remote: SocketAddress;
  /** The bytes the peer sends; ends when the peer half-closes, errors when the connection fails. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Resolves when the data has been handed to the OS (waits while the send buffer is full). */
  write(data: Uint8Array): Promise<void>;
  /** Half-closes: sends FIN after the pending writes; reading goes on. */
  end(): Promise<void>;
  /** Drops the connection at once (reads end, pending writes are lost). */
  close(): void;
}

export interface TcpListenOptions {
  hostname: string;
  /** 0 picks a free port; TcpListener.port tells which. */
  port: number;
  onConnection: (connection: TcpConnection) => void;
  onError?: (error: Error) => void;
}

export interface TcpListener {
  readonly hostname: string;
  readonly port: number;
  /** Stops accepting; connections already accepted stay open until their owners close them. */
  close(): Promise<void>;
}

export interface TcpConnectOptions extends SocketAddress {
  /** Milliseconds to wait for the connection; rejects after that. */
  timeoutMs?: number;
}

// ---------------------------------------------------------------------------------------------
// Process and system

export type SignalName = "SIGHUP" | "SIGINT" | "SIGTERM";

export interface NetworkAddress {
  address: string;
  family: 4 | 6;
  netmask: string;
  internal: boolean;
}

export interface NetworkInterface {
  name: string;
  addresses: NetworkAddress[];
}

export interface SrvRecord {
  target: string;
  port: number;
  priority: number;
  weight: number;
}

export interface MxRecord {
  /** The mail server's name, without the root dot. */
  exchange: string;
  priority: number;
}

export interface NameServer {
  address: string;
  port: number;
}

/**
 * DNS look-ups. Names in records come without the root dot. A name that does not exist (NXDOMAIN),
 * or has no records of the type asked for, rejects with an error whose `code` is "ENOTFOUND" or
 * "ENODATA" — an answer, unlike a failure to get one (timeout, refused, SERVFAIL), which rejects
 * with any other code. Deno's resolver reports SERVFAIL and REFUSED as not found too.
 */
export interface Dns {
  resolveA(name: string): Promise<string[]>;
  resolveAAAA(name: string): Promise<string[]>;
  resolveSrv(name: string): Promise<SrvRecord[]>;
  resolveMx(name: string): Promise<MxRecord[]>;
  /** The names of the name servers. */
  resolveNs(name: string): Promise<string[]>;
}

export interface ProcessStats {
  residentMemoryBytes: number;
  virtualMemoryBytes?: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  cpuUserSeconds: number;
  cpuSystemSeconds: number;
  /** Unix time in seconds at which the process started. */
  startTimeSeconds: number;
  /** Open file descriptors, where the OS tells. */
  openFds?: number;
  /** The soft limit on open file descriptors, where the OS tells. */
  maxFds?: number;
}

export interface CommandOptions {
  /** Working directory; the process's when absent. */
  cwd?: string;
  /** The whole environment of the program; the process's own when absent. */
  env?: Record<string, string>;
  /** Variables added to the process's environment (ignored when env is given). */
  extraEnv?: Record<string, string>;
  /** Written to the program's standard input, which is then closed; no input when absent. */
  stdin?: string | Uint8Array;
  /** Kills the program and rejects after this many milliseconds. */
  timeoutMs?: number;
  /** Kills the program and rejects when aborted. */
  signal?: AbortSignal;
}

export interface CommandResult {
  /** Exit status; 128 + the signal number when a signal ended the program. */
  code: number;
  /** Standard output and error, decoded as UTF-8. */
  stdout: string;
  stderr: string;
}

/** V8's CPU profile (the .cpuprofile format Chrome DevTools opens). */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number; scriptId?: string };
    children?: number[];
    hitCount?: number;
  }[];
  /** Microseconds. */
  startTime: number;
  endTime: number;
  /** Node id of each sample, in order. */
  samples?: number[];
  /** Microseconds between samples. */
  timeDeltas?: number[];
}

export interface Profiler {
  /** Samples the CPU for durationMs (or until the signal aborts). */
  cpuProfile(durationMs: number, signal?: AbortSignal): Promise<CpuProfile>;
  /** A V8 heap snapshot (.heapsnapshot JSON), streamed. */
  heapSnapshot(): ReadableStream<Uint8Array>;
}

export interface Output {
  write(text: string | Uint8Array): void;
}

export interface Platform {
  readonly runtime: RuntimeInfo;
  readonly fs: FileSystem;
  /** The system's resolver. */
  readonly dns: Dns;
  /** A resolver that asks only the given server (tests, and users who name their DNS server). */
  dnsResolver(server: NameServer): Dns;
  readonly stdout: Output;
  readonly stderr: Output;
  readonly profiler: Profiler;

  /** Reads standard input to its end. */
  readStdin(): Promise<Uint8Array>;
  /** Command-line arguments after the program (and script) name. */
  args(): string[];
  /** The absolute path of the executable running us (the runtime, or the compiled binary). */
  execPath(): string;
  /** True when running as a standalone executable built with `bun build --compile`. */
  isCompiled(): boolean;
  exit(code: number): never;
  pid(): number;

  getEnv(name: string): string | undefined;
  /** Every environment variable visible to the process. */
  envObject(): Record<string, string>;

  hostname(): string;
  /** Seconds since the machine booted. */
  hostUptimeSeconds(): number;
  /** Bytes received and sent by every network interface of the machine; undefined where the OS does not tell. */
  machineNetworkBytes(): { received: number; sent: number } | undefined;
  networkInterfaces(): NetworkInterface[];
  processStats(): ProcessStats;

  /** Calls handler on each delivery of the signal; returns a function that removes it. */
  onSignal(signal: SignalName, handler: () => void): () => void;

  /**
   * Runs a program (found on PATH) to completion and collects its output. Rejects when the program
   * cannot be started, times out or is aborted; a non-zero exit is a result, not an error.
   */
  runCommand(command: string, args: readonly string[], options?: CommandOptions): Promise<CommandResult>;

  serve(options: ServeOptions): Promise<HttpServer>;
  createHttp2Client(origin: string, options?: Http2ClientOptions): Http2Client;
  /**
   * An HTTP client with TLS settings and a proxy (FetchClientOptions). Throws at once, with the
   * reason, for settings that cannot work: unreadable PEM, a client key that does not match its
   * certificate, a proxy URL of an unknown scheme, or a feature this runtime lacks.
   */
  createFetchClient(options: FetchClientOptions): FetchClient;
  /**
   * Sends one request with the runtime's cheapest HTTP/1.1 client (the system's roots, no proxy, as
   * the global fetch) and reads the whole response; see HttpRequest. Network failures reject as
   * fetch's do (TypeError "fetch failed", the reason as cause), an aborted signal with its reason.
   */
  request(request: HttpRequest): Promise<HttpResponse>;

  /** Binds a UDP socket. */
  bindDatagram(options: DatagramOptions): Promise<DatagramSocket>;
  /** Listens for TCP connections. */
  listenTcp(options: TcpListenOptions): Promise<TcpListener>;
  /** Opens a TCP connection. */
  connectTcp(options: TcpConnectOptions): Promise<TcpConnection>;
}
