// FetchClient for Node and Deno, on undici (the engine of Node's own fetch) with one dispatcher per
// route: direct, through a proxy in absolute form (an http:// target behind an http(s):// proxy, as
// Go sends it), or through a tunnel (an https:// target, or any target behind a SOCKS5 proxy). The
// proxy is chosen per request, redirects included, by Go's rules (../proxy.ts).
//
// undici is loaded on first use: agents without TLS settings or proxies never pay for it. Its fetch
// returns its own Response class; callers get the runtime's global Response.
import * as net from "node:net";
import * as tls from "node:tls";
import type { Dispatcher } from "undici";
import { proxySelector, type ProxySelector, redactProxy } from "../proxy.ts";
import type { FetchClient, FetchClientOptions, FetchClientTls } from "../types.ts";
import { openTunnel } from "./proxy-tunnel.ts";
import { checkTlsMaterial } from "./tls-material.ts";

type Undici = typeof import("undici");

let undiciModule: Promise<Undici> | undefined;
export const loadUndici = () => (undiciModule ??= import("undici"));

/** Connecting (TCP, proxy handshake and TLS) gives up after this long, as Go's TLSHandshakeTimeout. */
const CONNECT_TIMEOUT_MS = 10_000;
/** How long close() lets requests in flight finish before it drops their connections. */
const CLOSE_GRACE_MS = 5_000;
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

export function createNodeFetchClient(options: FetchClientOptions, getEnv: (name: string) => string | undefined): FetchClient {
  checkTlsMaterial(options.tls);
  const select = proxySelector(options.proxy, getEnv);
  const connectHeaders = headerPairs(options.proxy?.connectHeaders);
  let router: Router | undefined;
  let closed = false;
  const closedError = () => new TypeError("fetch failed: the HTTP client was closed");

  return {
    async fetch(input, init) {
      if (closed) throw closedError();
      const undici = await loadUndici();
      if (closed) throw closedError();
      const dispatcher = (router ??= new Router(undici, select, options.tls, connectHeaders));
      const [url, requestInit] = undiciArguments(input, init);
      let response: Awaited<ReturnType<Undici["fetch"]>>;
      try {
        // The router does all a dispatcher must do for fetch (dispatch); the rest of undici's
        // Dispatcher interface is never called on it.
        const init = { ...requestInit, dispatcher: dispatcher as unknown as Dispatcher };
        response = await undici.fetch(url, init as unknown as Parameters<Undici["fetch"]>[1]);
      } catch (error) {
        throw explainFetchError(error);
      }
      const nullBody = NULL_BODY_STATUS.has(response.status) || response.body === null;
      return new Response(nullBody ? null : (response.body as ReadableStream<Uint8Array>), {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers as unknown as HeadersInit,
      });
    },
    async close() {
      closed = true;
      const current = router;
      router = undefined;
      await current?.close();
    },
  };
}

/** Sends each request down the route its origin calls for; one pool of connections per route. */
class Router {
  readonly #direct: Dispatcher;
  readonly #viaProxy = new Map<string, Dispatcher>();

  constructor(
    private readonly undici: Undici,
    private readonly select: ProxySelector,
    private readonly tlsSettings: FetchClientTls | undefined,
    private readonly connectHeaders: [string, string][],
  ) {
    this.#direct = new undici.Agent({ ...poolOptions(), connect: { ...nodeTlsOptions(tlsSettings), timeout: CONNECT_TIMEOUT_MS } });
  }

  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandlers): boolean {
    let proxy: URL | null;
    const origin = new URL(String(options.origin));
    try {
      proxy = this.select(origin);
    } catch (error) {
      handler.onError?.(error as Error);
      return true;
    }
    if (proxy === null) return this.#direct.dispatch(options, handler);
    const absoluteForm = origin.protocol === "http:" && (proxy.protocol === "http:" || proxy.protocol === "https:");
    const key = `${absoluteForm ? "absolute" : "tunnel"} ${proxy.href}`;
    let dispatcher = this.#viaProxy.get(key);
    if (!dispatcher) {
      dispatcher = absoluteForm ? this.#absoluteForm(proxy) : this.#tunnel(proxy);
      this.#viaProxy.set(key, dispatcher);
    }
    if (!absoluteForm) return dispatcher.dispatch(options, handler);
    // An http:// target: the whole URL goes on the request line to the proxy, with the proxy's
    // credentials; proxy_connect_header is for CONNECT only.
    const extra: [string, string][] = [];
    if (!hasHeader(options.headers, "host")) extra.push(["host", origin.host]);
    const auth = proxyAuthorization(proxy);
    if (auth) extra.push(["proxy-authorization", auth]);
    const request = { ...options, path: origin.origin + options.path, headers: withHeaders(options.headers, extra) };
    return dispatcher.dispatch(request, refuseProxyAuthRequired(handler, proxy));
  }

  async close(): Promise<void> {
    const all = [this.#direct, ...this.#viaProxy.values()];
    this.#viaProxy.clear();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const graceOver = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), CLOSE_GRACE_MS)));
    const outcome = await Promise.race([Promise.all(all.map((d) => d.close())).then(() => "closed" as const), graceOver]);
    clearTimeout(timer);
    if (outcome === "late") await Promise.all(all.map((d) => d.destroy().catch(() => {})));
  }

  /** A pool of connections to the proxy itself; requests keep the target in their request line. */
  #absoluteForm(proxy: URL): Dispatcher {
    const connect = proxy.protocol === "https:" ? { ...proxyTlsOptions(this.tlsSettings, proxy), timeout: CONNECT_TIMEOUT_MS } : { timeout: CONNECT_TIMEOUT_MS };
    return new this.undici.Pool(proxy.origin, { ...poolOptions(), connect });
  }

  /** Connections that open a tunnel through the proxy, then speak TLS to the target when it is https://. */
  #tunnel(proxy: URL): Dispatcher {
    const targetTls = this.undici.buildConnector({ ...nodeTlsOptions(this.tlsSettings), timeout: CONNECT_TIMEOUT_MS });
    const proxyTls = proxyTlsOptions(this.tlsSettings, proxy);
    const connectHeaders = this.connectHeaders;
    const connect = (target: { hostname: string; protocol: string; port: string; servername?: string }, callback: (error: Error | null, socket: net.Socket | null) => void) => {
      const port = target.port !== "" ? Number(target.port) : target.protocol === "https:" ? 443 : 80;
      openTunnel({ proxy, host: target.hostname, port, connectHeaders, proxyTls, timeoutMs: CONNECT_TIMEOUT_MS }).then(
        (socket) => {
          if (target.protocol !== "https:") return callback(null, socket);
          targetTls({ ...target, httpSocket: socket }, (error, secure) => {
            if (error) socket.destroy();
            callback(error, secure);
          });
        },
        (error: Error) => callback(error, null),
      );
    };
    return new this.undici.Agent({ ...poolOptions(), connect: connect as never });
  }
}

/**
 * fetch turns a 407 into a bare network error; the request fails instead with the proxy's answer in
 * the message, as a refused CONNECT does. The wrapper inherits from the handler so that fetch's own
 * handler keeps its state on one object.
 */
function refuseProxyAuthRequired(handler: Dispatcher.DispatchHandlers, proxy: URL): Dispatcher.DispatchHandlers {
  let abort: ((error: Error) => void) | undefined;
  const wrapped = Object.create(handler) as Dispatcher.DispatchHandlers;
  wrapped.onConnect = function (this: Dispatcher.DispatchHandlers, abortRequest: (error?: Error) => void, ...rest: unknown[]) {
    abort = abortRequest;
    return (handler.onConnect as (...args: unknown[]) => void).call(this, abortRequest, ...rest);
  };
  wrapped.onHeaders = function (this: Dispatcher.DispatchHandlers, status: number, ...rest: unknown[]) {
    if (status === 407) {
      abort?.(new Error(`proxy ${redactProxy(proxy)} refused the request: 407 Proxy Authentication Required`));
      return false;
    }
    return (handler.onHeaders as (...args: unknown[]) => boolean).call(this, status, ...rest);
  };
  return wrapped;
}

export function poolOptions() {
  // Idle connections are kept for reuse (remote_write sends every few seconds) but never hold the
  // process open: undici unrefs idle sockets.
  return { keepAliveTimeout: 30_000, keepAliveMaxTimeout: 300_000 };
}

/** Go's tls.Config for the servers, as node:tls options. */
export function nodeTlsOptions(settings: FetchClientTls | undefined): tls.ConnectionOptions {
  const out: tls.ConnectionOptions = {};
  if (!settings) return out;
  if (settings.ca !== undefined) out.ca = settings.ca;
  if (settings.cert !== undefined) out.cert = settings.cert;
  if (settings.key !== undefined) out.key = settings.key;
  if (settings.insecureSkipVerify) out.rejectUnauthorized = false;
  if (settings.minVersion) out.minVersion = settings.minVersion;
  if (settings.maxVersion) out.maxVersion = settings.maxVersion;
  if (settings.serverName) Object.assign(out, serverNameOptions(settings.serverName));
  return out;
}

/**
 * Go uses the same tls.Config for an https:// proxy, with the proxy's host as the server name unless
 * server_name sets one.
 */
function proxyTlsOptions(settings: FetchClientTls | undefined, proxy: URL): tls.ConnectionOptions {
  const host = proxy.hostname.replace(/^\[|\]$/g, "");
  return { ...nodeTlsOptions(settings), ...serverNameOptions(settings?.serverName || host) };
}

/** SNI carries only DNS names (an IP there is deprecated on Node, refused on Deno); an IP is checked by hand. */
function serverNameOptions(name: string): tls.ConnectionOptions {
  if (net.isIP(name) === 0) return { servername: name };
  return { checkServerIdentity: (_host, cert) => tls.checkServerIdentity(name, cert) };
}

function proxyAuthorization(proxy: URL): string | undefined {
  if (proxy.username === "" && proxy.password === "") return undefined;
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(credentials)))}`;
}

function headerPairs(headers: Record<string, string[]> | undefined): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, values] of Object.entries(headers ?? {})) for (const value of values) out.push([name, value]);
  return out;
}

type RawHeaders = Dispatcher.DispatchOptions["headers"];

function hasHeader(headers: RawHeaders, name: string): boolean {
  if (!headers) return false;
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) if (String(headers[i]).toLowerCase() === name) return true;
    return false;
  }
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

/** undici hands headers over as a flat [name, value, …] list (fetch) or as an object. */
function withHeaders(headers: RawHeaders, extra: [string, string][]): RawHeaders {
  if (Array.isArray(headers)) return [...headers, ...extra.flat()] as RawHeaders;
  const out: Record<string, string | string[] | undefined> = { ...(headers as Record<string, string | string[] | undefined>) };
  for (const [name, value] of extra) out[name] = value;
  return out as RawHeaders;
}

/**
 * undici's fetch takes its own Request class only, so a Request is taken apart into a URL and an
 * init; a streamed body needs duplex "half".
 */
function undiciArguments(input: string | URL | Request, init: RequestInit | undefined): [string, RequestInit & { duplex?: "half" }] {
  if (input instanceof Request) {
    const fromRequest: RequestInit & { duplex?: "half" } = {
      method: input.method,
      headers: input.headers,
      body: input.body,
      signal: input.signal,
      redirect: input.redirect,
    };
    const merged = { ...fromRequest, ...init };
    if (merged.body instanceof ReadableStream) merged.duplex = "half";
    return [input.url, merged];
  }
  const out: RequestInit & { duplex?: "half" } = { ...init };
  if (out.body instanceof ReadableStream) out.duplex = "half";
  return [String(input), out];
}

/**
 * fetch's "fetch failed" says nothing; the cause (a certificate problem, a refused tunnel, a reset)
 * goes into the message, and stays the error's cause for its code.
 */
function explainFetchError(error: unknown): unknown {
  if (!(error instanceof TypeError) || error.message !== "fetch failed") return error;
  const cause = (error as { cause?: unknown }).cause;
  if (!(cause instanceof Error)) return error;
  // OpenSSL's own text ("80AC…:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol
  // version:…") is cut down to its reason.
  const openssl = /^[0-9A-F]+:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+):/.exec(cause.message);
  const detail = (openssl ? openssl[1]! : cause.message).replace(/^fetch failed:?\s*/, "").trim();
  return new TypeError(`fetch failed: ${detail || cause.name}`, { cause });
}
