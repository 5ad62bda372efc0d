// Which proxy a request goes through, by the rules of Go's net/http, which Prometheus's proxy settings
// (and so Alloy's proxy_url, no_proxy and proxy_from_environment) rely on:
//
// - proxy_url alone is http.ProxyURL: every request goes through the proxy, loopback included;
// - proxy_url with no_proxy, and proxy_from_environment, are golang.org/x/net/http/httpproxy: the
//   NO_PROXY list decides, and localhost and loopback addresses are never proxied.
//
// Pure code shared by every adapter; environment variables come through the caller's getEnv.
import type { ProxySettings } from "./types.ts";

/** The proxy for a request URL, or null to connect directly. */
export type ProxySelector = (target: URL) => URL | null;

const PROXY_SCHEMES = new Set(["http:", "https:", "socks5:", "socks5h:"]);

/**
 * Parses a proxy address as httpproxy does: a URL with an http, https or socks5 scheme, or else a
 * bare "host[:port]" taken as http://host[:port].
 */
export function parseProxyAddress(text: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    // Not a URL at all: maybe host:port.
  }
  if (url === undefined || !PROXY_SCHEMES.has(url.protocol) || url.hostname === "") {
    try {
      const withScheme = new URL(`http://${text}`);
      if (withScheme.hostname !== "") return withScheme;
    } catch {
      // Fall through to the error about the original text.
    }
    if (url === undefined) throw new Error(`invalid proxy address ${JSON.stringify(text)}`);
  }
  return url;
}

/** Throws for a proxy URL no client can use, naming the scheme. */
export function checkProxyScheme(proxy: URL): void {
  if (!PROXY_SCHEMES.has(proxy.protocol)) {
    throw new Error(`unsupported proxy scheme ${JSON.stringify(proxy.protocol.slice(0, -1))} in ${redactProxy(proxy)} (http, https and socks5 are supported)`);
  }
}

/** The proxy URL with its password hidden, for messages (Go's URL.Redacted). */
export function redactProxy(proxy: URL): string {
  if (proxy.password === "") return proxy.href;
  const copy = new URL(proxy.href);
  copy.password = "xxxxx";
  return copy.href;
}

/** The environment as httpproxy.FromEnvironment reads it (upper case first, then lower case). */
export function proxyEnvironment(getEnv: (name: string) => string | undefined) {
  const any = (...names: string[]) => {
    for (const name of names) {
      const value = getEnv(name);
      if (value !== undefined && value !== "") return value;
    }
    return "";
  };
  return {
    httpProxy: any("HTTP_PROXY", "http_proxy"),
    httpsProxy: any("HTTPS_PROXY", "https_proxy"),
    noProxy: any("NO_PROXY", "no_proxy"),
    // A CGI handler's HTTP_PROXY may come from a request header (golang.org/s/cgihttpproxy).
    cgi: (getEnv("REQUEST_METHOD") ?? "") !== "",
  };
}

/** The selector for the given settings; throws for a proxy URL that cannot be used. */
export function proxySelector(settings: ProxySettings | undefined, getEnv: (name: string) => string | undefined): ProxySelector {
  if (!settings) return () => null;
  if ("url" in settings) {
    // A configured URL is used as written (Go's http.ProxyURL); only the environment gets
    // httpproxy's "host:port means http://host:port".
    let proxy: URL;
    try {
      proxy = new URL(settings.url);
    } catch {
      throw new Error(`invalid proxy URL ${JSON.stringify(settings.url)}`);
    }
    checkProxyScheme(proxy);
    if (!settings.noProxy) return () => proxy;
    const bypass = noProxyMatcher(settings.noProxy);
    return (target) => (bypass(target) ? null : proxy);
  }
  const env = proxyEnvironment(getEnv);
  // As httpproxy does, an address that does not parse is ignored rather than failing every request.
  const parse = (text: string) => {
    if (text === "") return null;
    try {
      const url = parseProxyAddress(text);
      checkProxyScheme(url);
      return url;
    } catch {
      return null;
    }
  };
  const httpProxy = parse(env.httpProxy);
  const httpsProxy = parse(env.httpsProxy);
  const bypass = noProxyMatcher(env.noProxy);
  return (target) => {
    let proxy: URL | null = null;
    if (target.protocol === "https:") proxy = httpsProxy;
    else if (target.protocol === "http:") {
      proxy = httpProxy;
      if (proxy && env.cgi) throw new Error("refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy");
    }
    if (proxy === null || bypass(target)) return null;
    return proxy;
  };
}

const DEFAULT_PORTS: Record<string, string> = { "http:": "80", "https:": "443", "socks5:": "1080" };

type Matcher = (host: string, port: string, ip: Uint8Array | undefined) => boolean;

/**
 * True when a request to the URL must not be proxied: localhost and loopback addresses always, and
 * whatever the NO_PROXY list names — IP addresses and CIDR ranges, domains (with or without a leading
 * "." or "*."; without one the domain itself matches too), each optionally with a port, or "*".
 */
export function noProxyMatcher(noProxy: string): (target: URL) => boolean {
  const ipMatchers: Matcher[] = [];
  const domainMatchers: Matcher[] = [];
  let all = false;
  for (const raw of noProxy.split(",")) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") {
      all = true;
      break;
    }
    const cidr = parseCidr(entry);
    if (cidr) {
      ipMatchers.push((_host, _port, ip) => ip !== undefined && cidrContains(cidr, ip));
      continue;
    }
    let host = entry;
    let port = "";
    const split = splitHostPort(entry);
    if (split) {
      if (split.host === "") continue;
      host = split.host;
      port = split.port;
    }
    const ip = parseIp(host);
    if (ip) {
      ipMatchers.push((_host, p, target) => target !== undefined && sameIp(ip, target) && (port === "" || port === p));
      continue;
    }
    if (host === "") continue;
    if (host.startsWith("*.")) host = host.slice(1);
    const matchHost = !host.startsWith(".");
    const suffix = matchHost ? `.${host}` : host;
    domainMatchers.push((h, p) => (h.endsWith(suffix) || (matchHost && h === suffix.slice(1))) && (port === "" || port === p));
  }
  return (target) => {
    const host = hostnameOf(target);
    if (host === "localhost") return true;
    const ip = parseIp(host);
    if (ip && isLoopback(ip)) return true;
    if (all) return true;
    const port = target.port !== "" ? target.port : (DEFAULT_PORTS[target.protocol] ?? "");
    const h = host.trim().toLowerCase();
    if (ip && ipMatchers.some((m) => m(h, port, ip))) return true;
    return domainMatchers.some((m) => m(h, port, ip));
  };
}

/** The URL's host without IPv6 brackets (Go's URL.Hostname). */
function hostnameOf(url: URL): string {
  const host = url.hostname;
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/** "host:port" or "[v6]:port" with a non-empty port; undefined when there is no port. */
function splitHostPort(text: string): { host: string; port: string } | undefined {
  if (text.startsWith("[")) {
    const end = text.indexOf("]");
    if (end < 0 || text[end + 1] !== ":") return undefined;
    return { host: text.slice(1, end), port: text.slice(end + 2) };
  }
  const colon = text.lastIndexOf(":");
  if (colon < 0 || text.indexOf(":") !== colon) return undefined;
  return { host: text.slice(0, colon), port: text.slice(colon + 1) };
}

/** IPv4 as 4 bytes, IPv6 as 16 (an IPv4-mapped IPv6 address as its 4 IPv4 bytes, as Go compares them). */
export function parseIp(text: string): Uint8Array | undefined {
  const v4 = parseIpv4(text);
  if (v4) return v4;
  const v6 = parseIpv6(text);
  if (!v6) return undefined;
  const mapped = v6.subarray(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  return mapped ? v6.slice(12) : v6;
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    // Go refuses leading zeros (they would be octal elsewhere).
    if (!/^\d{1,3}$/.test(part) || (part.length > 1 && part.startsWith("0"))) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | undefined {
  if (!text.includes(":") || text.includes("%")) return undefined;
  let head = text;
  let tail = "";
  const double = text.indexOf("::");
  if (double >= 0) {
    if (text.indexOf("::", double + 1) >= 0) return undefined;
    head = text.slice(0, double);
    tail = text.slice(double + 2);
  }
  const groups = (s: string): number[] | undefined => {
    if (s === "") return [];
    const out: number[] = [];
    const parts = s.split(":");
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (i === parts.length - 1 && part.includes(".")) {
        const v4 = parseIpv4(part);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-f]{1,4}$/i.test(part)) return undefined;
        out.push(parseInt(part, 16));
      }
    }
    return out;
  };
  const first = groups(head);
  const last = groups(tail);
  if (!first || !last) return undefined;
  const missing = 8 - first.length - last.length;
  if (double >= 0 ? missing < 1 : missing !== 0) return undefined;
  const all = [...first, ...new Array<number>(missing).fill(0), ...last];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

function isLoopback(ip: Uint8Array): boolean {
  if (ip.length === 4) return ip[0] === 127;
  return ip.subarray(0, 15).every((b) => b === 0) && ip[15] === 1;
}

function sameIp(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

interface Cidr {
  network: Uint8Array;
  bits: number;
}

function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const addr = text.slice(0, slash);
  const bitsText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  const network = parseIpv4(addr) ?? parseIpv6(addr);
  const bits = Number(bitsText);
  if (!network || bits > network.length * 8) return undefined;
  return { network, bits };
}

function cidrContains(cidr: Cidr, ip: Uint8Array): boolean {
  // Go's IPNet.Contains: an IPv4 address (mapped ones included) only falls in an IPv4 network.
  if (cidr.network.length !== ip.length) return false;
  for (let bit = 0; bit < cidr.bits; bit++) {
    const mask = 0x80 >> (bit % 8);
    if ((ip[bit >> 3]! & mask) !== (cidr.network[bit >> 3]! & mask)) return false;
  }
  return true;
}
