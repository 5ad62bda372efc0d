// One listening port that answers HTTP/1.1 and HTTP/2, in cleartext or over TLS, with a web-standard
// fetch handler.
//
// A raw node:net listener accepts each connection and hands it to the right node server:
// - cleartext: the first bytes are compared with the HTTP/2 connection preface; a match goes to a
//   node:http2 server (h2c with prior knowledge, as cluster peers talk), anything else to node:http;
// - TLS: the connection goes to a node:http2 secure server with allowHTTP1, where ALPN picks the
//   protocol. Each TLS configuration gets its own secure server, so a reload can switch TLS on, off or
//   to a new certificate for new connections while open ones finish with what they had.
// node:http, node:http2 and node:net behave the same on Node, Deno and Bun except for one detail of
// the hand-off, which the caller passes in as a quirk. Two more details are handled the same way on
// every runtime (Deno's node:http needs them, the others do not mind): the HTTP/1 parser reads
// through the socket's stream (keepParserOnStream), and the servers report themselves listening
// (listeningWhileOpen), since only the raw listener really listens.
import { getRequestListener } from "@hono/node-server";
import * as http from "node:http";
import * as http2 from "node:http2";
import { Buffer } from "node:buffer";
import * as net from "node:net";
import type * as tls from "node:tls";
import type { ClientAuthType, ConnectionInfo, Http2ServerSettings, HttpServer, ServeLimits, ServeOptions, TlsServerConfig } from "../types.ts";

export interface ServeQuirks {
  /**
   * After unshifting the sniffed bytes, the socket must be resumed for the HTTP/2 server to see
   * them (Bun), or must not be, because the server reads the socket's handle directly (Node).
   */
  resumeAfterHttp2Handoff: boolean;
}

const PREFACE = new TextEncoder().encode("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/** How a prefix of a connection's first bytes compares with the HTTP/2 preface. */
function prefaceMatch(bytes: Uint8Array): "yes" | "no" | "undecided" {
  const n = Math.min(bytes.length, PREFACE.length);
  for (let i = 0; i < n; i++) if (bytes[i] !== PREFACE[i]) return "no";
  return n === PREFACE.length ? "yes" : "undecided";
}

type NodeRequest = http.IncomingMessage | http2.Http2ServerRequest;
type NodeResponse = http.ServerResponse | http2.Http2ServerResponse;

export async function serveDualProtocol(options: ServeOptions, quirks: ServeQuirks): Promise<HttpServer> {
  const reportError = (error: unknown) => {
    options.onError?.(error instanceof Error ? error : new Error(String(error)));
  };

  const fetchListener = getRequestListener(
    (request, bindings) => options.fetch(request, connectionInfo(bindings.incoming)),
    {
      // Keep the runtime's own Request/Response globals: other code relies on them.
      overrideGlobalObjects: false,
      errorHandler: (error) => {
        reportError(error);
        return new Response("internal server error", { status: 500 });
      },
    },
  );

  // In-flight requests per connection (an HTTP/1 socket or an HTTP/2 session), so that a graceful
  // close ends idle connections at once and busy ones right after their last response. Closing an
  // HTTP/2 session with streams open is not graceful on every runtime, so sessions wait for theirs.
  type Connection = net.Socket | http2.Http2Session;
  const inFlight = new Map<Connection, number>();
  const endConnection = (connection: Connection) =>
    connection instanceof net.Socket ? connection.end() : connection.close();
  let closing = false;
  const limits = options.limits ?? {};
  const listener = (incoming: NodeRequest, outgoing: NodeResponse) => {
    const http2Stream = incoming.httpVersionMajor >= 2 ? (incoming as http2.Http2ServerRequest).stream : undefined;
    const connection: Connection = http2Stream ? http2Stream.session! : (incoming.socket as net.Socket);
    inFlight.set(connection, (inFlight.get(connection) ?? 0) + 1);
    const clearTimers = requestTimers(limits, incoming, () => (http2Stream ? http2Stream.close(http2.constants.NGHTTP2_CANCEL) : incoming.socket?.destroy()));
    // An HTTP/2 request is over when its stream closes: Deno reports the response closed before
    // the last frames have left, and closing the session then would lose them.
    (http2Stream ?? outgoing).once("close", () => {
      clearTimers();
      const left = (inFlight.get(connection) ?? 1) - 1;
      inFlight.set(connection, left);
      if (closing && left === 0) endConnection(connection);
    });
    void fetchListener(incoming, outgoing);
  };

  // A connection silent for longer than the idle (or read) timeout is closed by its server; never
  // sooner than the write timeout, which already bounds a request whose handler is slow to answer.
  const inactivityMs = Math.max(limits.idleTimeoutMs || limits.readTimeoutMs || 0, limits.writeTimeoutMs ?? 0);
  const plainHttp1 = http.createServer(http1ServerOptions(limits), listener);
  listeningWhileOpen(plainHttp1, () => !closing);
  if (limits.idleTimeoutMs) plainHttp1.keepAliveTimeout = limits.idleTimeoutMs;
  if (inactivityMs > 0) plainHttp1.timeout = inactivityMs;
  const plainHttp2 = http2.createServer({ settings: http2Settings(options.http2) }, listener);
  if (inactivityMs > 0) plainHttp2.setTimeout(inactivityMs);
  const h2c = options.h2c ?? true;
  const sessions = new Set<http2.ServerHttp2Session>();
  const trackSessions = (server: http2.Http2Server | http2.Http2SecureServer) => {
    server.on("session", (session: http2.ServerHttp2Session) => {
      sessions.add(session);
      session.once("close", () => {
        sessions.delete(session);
        inFlight.delete(session);
      });
      session.on("error", reportError);
    });
    server.on("sessionError", reportError);
  };
  trackSessions(plainHttp2);
  plainHttp1.on("clientError", (_error, socket) => socket.destroy());

  let secureServer: http2.Http2SecureServer | undefined;
  const setTls = (config: TlsServerConfig | undefined) => {
    if (!config) {
      secureServer = undefined;
      return;
    }
    const server = http2.createSecureServer({ ...secureServerOptions(config), settings: http2Settings(options.http2) }, listener);
    // With allowHTTP1, its HTTP/1 connections go through node:http's connection code as well.
    listeningWhileOpen(server, () => !closing);
    if (inactivityMs > 0) server.setTimeout(inactivityMs);
    trackSessions(server);
    enforceClientAuth(server, config.clientAuth ?? "NoClientCert");
    server.on("tlsClientError", () => {});
    secureServer = server;
  };
  setTls(options.tls);

  // Every connection being served, and whether it is still being sniffed (no server owns it yet).
  const sockets = new Map<net.Socket, { sniffing: boolean }>();
  // Connections beyond limits.maxConnections, accepted but left unread until one being served closes
  // (Go's LimitListener makes them wait in the backlog the same way).
  const waiting: net.Socket[] = [];
  const maxConnections = limits.maxConnections ?? 0;
  /** Hands a connection to its server; `paused` when it was accepted paused (see pauseOnConnect). */
  const serveConnection = (socket: net.Socket, paused: boolean) => {
    const state = { sniffing: !secureServer && h2c };
    sockets.set(socket, state);
    socket.once("close", () => {
      sockets.delete(socket);
      inFlight.delete(socket);
      admitWaiting();
    });
    if (secureServer) {
      secureServer.emit("connection", socket);
      return;
    }
    if (!h2c) {
      plainHttp1.emit("connection", socket);
      socket.resume();
      return;
    }
    // A connection that says nothing is not kept while it is sniffed; its server's timeout
    // takes over after the hand-off.
    if (inactivityMs > 0) socket.setTimeout(inactivityMs, () => state.sniffing && socket.destroy());
    sniffCleartext(socket, plainHttp1, plainHttp2, quirks, () => (state.sniffing = false));
    if (paused) socket.resume();
  };
  const admitWaiting = () => {
    while (!closing && waiting.length > 0 && sockets.size < maxConnections) {
      const next = waiting.shift()!;
      if (!next.destroyed) serveConnection(next, true);
    }
  };
  // No Nagle: a response written as head then body would otherwise wait for the peer's delayed
  // ACK (40 ms) — http.createServer sets this for the sockets it accepts, but these are accepted here.
  // With a connection limit, connections are accepted paused so that those that must wait are not
  // read (a waiting TLS connection must reach its TLS server with no bytes taken from it).
  const raw = net.createServer({ noDelay: true, pauseOnConnect: maxConnections > 0 }, (socket) => {
    socket.on("error", () => socket.destroy());
    if (maxConnections > 0 && sockets.size >= maxConnections) {
      waiting.push(socket);
      socket.once("close", () => {
        const i = waiting.indexOf(socket);
        if (i >= 0) waiting.splice(i, 1);
      });
      return;
    }
    serveConnection(socket, maxConnections > 0);
  });
  raw.on("error", reportError);

  await new Promise<void>((resolve, reject) => {
    raw.once("error", reject);
    raw.listen(options.port, options.hostname, () => {
      raw.off("error", reject);
      resolve();
    });
  });
  const address = raw.address() as net.AddressInfo;

  const server: HttpServer = {
    hostname: options.hostname,
    port: address.port,
    get connections() {
      return sockets.size;
    },
    setTls,
    async close(graceMs = 5000) {
      if (closing) return;
      closing = true;
      const stopped = new Promise<void>((resolve) => raw.close(() => resolve()));
      for (const session of sessions) if (!inFlight.get(session)) session.close();
      for (const [connection, count] of inFlight) if (count === 0) endConnection(connection);
      for (const [socket, state] of sockets) if (state.sniffing) socket.destroy();
      for (const socket of waiting.splice(0)) socket.destroy();
      const deadline = Date.now() + graceMs;
      while (sockets.size > 0 && Date.now() < deadline) await delay(20);
      for (const socket of sockets.keys()) socket.destroy();
      for (const session of sessions) session.destroy();
      await stopped;
    },
  };
  return server;
}

function sniffCleartext(
  socket: net.Socket,
  h1: http.Server,
  h2: http2.Http2Server,
  quirks: ServeQuirks,
  onDecided: () => void,
) {
  let buffered = new Uint8Array(0);
  const onData = (chunk: Uint8Array) => {
    const joined = new Uint8Array(buffered.length + chunk.length);
    joined.set(buffered);
    joined.set(chunk, buffered.length);
    buffered = joined;
    const match = prefaceMatch(buffered);
    if (match === "undecided") return;
    onDecided();
    socket.off("data", onData);
    socket.pause();
    socket.unshift(Buffer.from(buffered.buffer, buffered.byteOffset, buffered.byteLength));
    if (match === "yes") {
      h2.emit("connection", socket);
      if (quirks.resumeAfterHttp2Handoff) socket.resume();
    } else {
      keepParserOnStream(socket);
      h1.emit("connection", socket);
      socket.resume();
    }
  };
  socket.on("data", onData);
}

/**
 * node:http's server lets its parser read a new connection's handle directly when it can
 * (parser.consume), past the socket's stream — where the sniffed bytes were put back. Node gets
 * away with it because the stream delivers them before the next read; Deno's parser reads the
 * handle natively alongside the stream, so a request arriving in several pieces (tinyproxy writes
 * one header line at a time) reached it out of order or in part: a 400 that the clientError handler
 * turns into a closed connection, or no answer at all. Marking the handle as already consumed —
 * the flag node:http itself checks — keeps the parser on the stream's data events, in order.
 */
function keepParserOnStream(socket: net.Socket) {
  const handle = (socket as net.Socket & { _handle?: { _consumed?: boolean } | null })._handle;
  if (handle) handle._consumed = true;
}

/**
 * Makes a server that is only handed connections report itself listening while the port is open.
 * After each response on a kept-alive connection, Deno's node:http destroys the connection when its
 * server is not listening (meant for a closed server) — after answering `Connection: keep-alive`,
 * so the client's next request on it met a reset.
 */
function listeningWhileOpen(server: net.Server, open: () => boolean) {
  Object.defineProperty(server, "listening", { configurable: true, get: open });
}

/** node:http's own limits for the read timeout (it checks them every connectionsCheckingInterval). */
function http1ServerOptions(limits: ServeLimits): http.ServerOptions {
  if (!limits.readTimeoutMs) return {};
  return {
    requestTimeout: limits.readTimeoutMs,
    headersTimeout: limits.readTimeoutMs,
    connectionsCheckingInterval: Math.min(limits.readTimeoutMs, 1000),
  };
}

function http2Settings(settings: Http2ServerSettings | undefined): http2.Settings {
  const out: http2.Settings = {};
  if (settings?.maxConcurrentStreams) out.maxConcurrentStreams = settings.maxConcurrentStreams;
  if (settings?.maxFrameSize) out.maxFrameSize = settings.maxFrameSize;
  if (settings?.headerTableSize) out.headerTableSize = settings.headerTableSize;
  return out;
}

/**
 * Go's per-request deadlines: the request must be read within readTimeoutMs and answered within
 * writeTimeoutMs of its start, or `abort` ends it (the HTTP/1 connection, or the HTTP/2 stream).
 * Returns what clears them once the response is over.
 */
function requestTimers(limits: ServeLimits, incoming: NodeRequest, abort: () => void): () => void {
  const timers: ReturnType<typeof setTimeout>[] = [];
  if (limits.readTimeoutMs) {
    const read = setTimeout(abort, limits.readTimeoutMs);
    timers.push(read);
    incoming.once("end", () => clearTimeout(read));
  }
  if (limits.writeTimeoutMs) timers.push(setTimeout(abort, limits.writeTimeoutMs));
  return () => {
    for (const timer of timers) clearTimeout(timer);
  };
}

function connectionInfo(incoming: NodeRequest): ConnectionInfo {
  const socket = incoming.socket as net.Socket & { encrypted?: boolean };
  return {
    remoteAddress: socket?.remoteAddress ?? "",
    remotePort: socket?.remotePort ?? 0,
    httpVersion: incoming.httpVersion,
    tls: Boolean(socket?.encrypted),
  };
}

function secureServerOptions(config: TlsServerConfig): http2.SecureServerOptions {
  const clientAuth = config.clientAuth ?? "NoClientCert";
  const options: http2.SecureServerOptions = {
    allowHTTP1: true,
    cert: config.cert,
    key: config.key,
    requestCert: clientAuth !== "NoClientCert",
    // Only the strictest policy lets the TLS layer reject; the others are checked after the
    // handshake (enforceClientAuth) because Node has no switch for them.
    rejectUnauthorized: clientAuth === "RequireAndVerifyClientCert",
  };
  if (config.clientCa) options.ca = config.clientCa;
  if (config.minVersion) options.minVersion = config.minVersion;
  if (config.maxVersion) options.maxVersion = config.maxVersion;
  if (config.ciphers) options.ciphers = config.ciphers;
  return options;
}

function enforceClientAuth(server: http2.Http2SecureServer, policy: ClientAuthType) {
  if (policy !== "RequireAnyClientCert" && policy !== "VerifyClientCertIfGiven") return;
  server.on("secureConnection", (socket: tls.TLSSocket) => {
    const certificate = socket.getPeerCertificate();
    const given = certificate && Object.keys(certificate).length > 0;
    if (policy === "RequireAnyClientCert" && !given) socket.destroy();
    if (policy === "VerifyClientCertIfGiven" && given && !socket.authorized) socket.destroy();
  });
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
