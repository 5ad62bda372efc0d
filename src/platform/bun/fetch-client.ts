// FetchClient for Bun: Bun's own fetch takes TLS settings (`tls`) and an http(s):// proxy (`proxy`,
// absolute form for http:// targets, CONNECT with the given headers for https://) per request, so
// no second HTTP stack is needed. The proxy is chosen per request by Go's rules (../proxy.ts).
//
// Limits of Bun's fetch: no SOCKS5 proxies (refused with a clear error); a redirect is followed
// through the proxy chosen for the first URL.
import { checkTlsMaterial } from "../node/tls-material.ts";
import { proxySelector, redactProxy } from "../proxy.ts";
import type { FetchClient, FetchClientOptions, FetchClientTls, TlsVersion } from "../types.ts";

/** Bun takes TLS versions as the protocol's numbers. */
const TLS_VERSION_NUMBERS: Record<TlsVersion, number> = { TLSv1: 0x0301, "TLSv1.1": 0x0302, "TLSv1.2": 0x0303, "TLSv1.3": 0x0304 };

interface BunTlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized?: boolean;
  serverName?: string;
  checkServerIdentity?: (host: string, cert: unknown) => Error | undefined;
  minVersion?: number;
  maxVersion?: number;
}

type BunRequestInit = RequestInit & { tls?: BunTlsOptions; proxy?: { url: string; headers?: Record<string, string> } };

export function createBunFetchClient(options: FetchClientOptions, getEnv: (name: string) => string | undefined): FetchClient {
  checkTlsMaterial(options.tls);
  const select = proxySelector(options.proxy, getEnv);
  if (options.proxy && "url" in options.proxy) refuseSocks(new URL(options.proxy.url));
  const tls = bunTls(options.tls);
  const connectHeaders = new Headers();
  for (const [name, values] of Object.entries(options.proxy?.connectHeaders ?? {})) for (const value of values) connectHeaders.append(name, value);
  const connectHeaderObject = Object.fromEntries(connectHeaders);
  let closed = false;

  return {
    async fetch(input, init) {
      if (closed) throw new TypeError("fetch failed: the HTTP client was closed");
      const target = new URL(input instanceof Request ? input.url : String(input));
      const proxy = select(target);
      if (proxy) refuseSocks(proxy);
      const extra: BunRequestInit = {};
      if (tls) extra.tls = tls;
      if (proxy) {
        // proxy_connect_header belongs to CONNECT; Bun would add it to absolute-form requests too.
        extra.proxy = target.protocol === "https:" ? { url: proxy.href, headers: connectHeaderObject } : { url: proxy.href };
      }
      let response: Response;
      try {
        response = await fetch(input, { ...init, ...extra } as RequestInit);
      } catch (error) {
        throw explainBunError(error);
      }
      // As on the other runtimes (and as a refused CONNECT is), the proxy's refusal is an error.
      if (proxy && response.status === 407) {
        await response.body?.cancel().catch(() => {});
        throw new TypeError(`fetch failed: proxy ${redactProxy(proxy)} refused the request: 407 Proxy Authentication Required`);
      }
      return response;
    },
    close() {
      // Bun pools connections process-wide and never lets idle ones keep the process alive.
      closed = true;
      return Promise.resolve();
    },
  };
}

function refuseSocks(proxy: URL): void {
  if (proxy.protocol === "socks5:" || proxy.protocol === "socks5h:") {
    throw new Error(`SOCKS5 proxies are not supported on Bun (its fetch speaks only http:// and https:// proxies): ${redactProxy(proxy)}`);
  }
}

function bunTls(settings: FetchClientTls | undefined): BunTlsOptions | undefined {
  if (!settings) return undefined;
  const out: BunTlsOptions = {};
  if (settings.ca !== undefined) out.ca = settings.ca;
  if (settings.cert !== undefined) out.cert = settings.cert;
  if (settings.key !== undefined) out.key = settings.key;
  if (settings.insecureSkipVerify) out.rejectUnauthorized = false;
  if (settings.minVersion) out.minVersion = TLS_VERSION_NUMBERS[settings.minVersion];
  if (settings.maxVersion) out.maxVersion = TLS_VERSION_NUMBERS[settings.maxVersion];
  if (settings.serverName) out.serverName = settings.serverName;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Bun's errors name the cause in a message of their own; give them fetch's shape, cause kept for its code. */
function explainBunError(error: unknown): unknown {
  if (!(error instanceof Error) || error.name === "AbortError" || error.name === "TimeoutError") return error;
  const detail = error.message.replace(/ fetching "[^"]*"\. For more information, pass `verbose: true` in the second argument to fetch\(\)$/, "");
  return new TypeError(`fetch failed: ${detail}`, { cause: error });
}
