// Opens a TCP connection to a target through a proxy: an HTTP CONNECT tunnel (over TLS when the
// proxy is https://) or a SOCKS5 connection (RFC 1928, with RFC 1929 username/password
// authentication). The socket returned carries the target's bytes; TLS to the target, if any, is
// the caller's business. node:net and node:tls behave alike on Node and Deno.
import { Buffer } from "node:buffer";
import * as net from "node:net";
import * as tls from "node:tls";
import { redactProxy } from "../proxy.ts";

export interface TunnelOptions {
  proxy: URL;
  /** Target host as in a URL (IPv6 in brackets) and port. */
  host: string;
  port: number;
  /** Extra headers for the CONNECT request (proxy_connect_header). */
  connectHeaders: [string, string][];
  /** TLS options for an https:// proxy. */
  proxyTls: tls.ConnectionOptions;
  timeoutMs: number;
}

const DEFAULT_PROXY_PORTS: Record<string, number> = { "http:": 80, "https:": 443, "socks5:": 1080, "socks5h:": 1080 };

export function openTunnel(options: TunnelOptions): Promise<net.Socket> {
  const { proxy } = options;
  const proxyHost = unbracket(proxy.hostname);
  const proxyPort = proxy.port !== "" ? Number(proxy.port) : DEFAULT_PROXY_PORTS[proxy.protocol]!;
  const where = `proxy ${redactProxy(proxy)}`;
  return new Promise<net.Socket>((resolve, reject) => {
    const socket = proxy.protocol === "https:"
      ? tls.connect({ ...options.proxyTls, host: proxyHost, port: proxyPort, ALPNProtocols: ["http/1.1"] })
      : net.connect({ host: proxyHost, port: proxyPort });
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`${where}: no tunnel to ${options.host}:${options.port} after ${options.timeoutMs}ms`)), options.timeoutMs);
    const onError = (error: Error) => fail(new Error(`${where}: ${error.message}`, { cause: error }));
    socket.on("error", onError);
    const onClose = () => fail(new Error(`${where}: connection closed before the tunnel to ${options.host}:${options.port} was open`));
    socket.once("close", onClose);
    socket.once(proxy.protocol === "https:" ? "secureConnect" : "connect", async () => {
      const reader = new SocketReader(socket);
      try {
        if (proxy.protocol === "socks5:" || proxy.protocol === "socks5h:") await socks5Connect(socket, reader, options);
        else await httpConnect(socket, reader, options);
        reader.detach();
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.off("error", onError);
        socket.off("close", onClose);
        resolve(socket);
      } catch (error) {
        reader.detach();
        fail(error instanceof Error && error.message.startsWith(where) ? error : new Error(`${where}: ${(error as Error).message}`));
      }
    });
  });
}

async function httpConnect(socket: net.Socket, reader: SocketReader, options: TunnelOptions): Promise<void> {
  const authority = `${options.host}:${options.port}`;
  const lines = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`];
  const { username, password } = options.proxy;
  if (username !== "" || password !== "") {
    const credentials = `${decodeURIComponent(username)}:${decodeURIComponent(password)}`;
    lines.push(`Proxy-Authorization: Basic ${Buffer.from(credentials).toString("base64")}`);
  }
  for (const [name, value] of options.connectHeaders) lines.push(`${name}: ${value}`);
  socket.write(`${lines.join("\r\n")}\r\n\r\n`);
  const head = await reader.readUntil("\r\n\r\n", 64 * 1024);
  const statusLine = head.slice(0, head.indexOf("\r\n"));
  const match = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!match) throw new Error(`malformed response to CONNECT ${authority}: ${JSON.stringify(statusLine.slice(0, 100))}`);
  if (match[1] !== "200") throw new Error(`CONNECT ${authority} refused: ${match[1]} ${match[2] ?? ""}`.trimEnd());
}

const SOCKS_REPLIES: Record<number, string> = {
  1: "general SOCKS server failure",
  2: "connection not allowed by ruleset",
  3: "network unreachable",
  4: "host unreachable",
  5: "connection refused",
  6: "TTL expired",
  7: "command not supported",
  8: "address type not supported",
};

async function socks5Connect(socket: net.Socket, reader: SocketReader, options: TunnelOptions): Promise<void> {
  const username = decodeURIComponent(options.proxy.username);
  const password = decodeURIComponent(options.proxy.password);
  const withAuth = username !== "" || password !== "";
  // Greeting: offer "no authentication", and username/password when the URL has credentials.
  socket.write(Uint8Array.from(withAuth ? [5, 2, 0, 2] : [5, 1, 0]));
  const choice = await reader.read(2);
  if (choice[0] !== 5) throw new Error("not a SOCKS5 server");
  if (choice[1] === 2 && withAuth) {
    const user = Buffer.from(username);
    const pass = Buffer.from(password);
    if (user.length > 255 || pass.length > 255) throw new Error("SOCKS5 username or password longer than 255 bytes");
    socket.write(Buffer.concat([Uint8Array.from([1, user.length]), user, Uint8Array.from([pass.length]), pass]));
    const status = await reader.read(2);
    if (status[1] !== 0) throw new Error("SOCKS5 username/password authentication failed");
  } else if (choice[1] !== 0) {
    throw new Error("SOCKS5 server accepts none of the offered authentication methods");
  }
  const host = unbracket(options.host);
  let address: Uint8Array;
  if (net.isIPv4(host)) address = Uint8Array.from([1, ...host.split(".").map(Number)]);
  else if (net.isIPv6(host)) address = Uint8Array.from([4, ...ipv6Bytes(host)]);
  else {
    // Names are resolved by the proxy, as Go's SOCKS5 dialer does.
    const name = Buffer.from(host);
    if (name.length > 255) throw new Error(`host name too long for SOCKS5: ${host}`);
    address = Buffer.concat([Uint8Array.from([3, name.length]), name]);
  }
  socket.write(Buffer.concat([Uint8Array.from([5, 1, 0]), address, Uint8Array.from([options.port >> 8, options.port & 0xff])]));
  const reply = await reader.read(4);
  if (reply[0] !== 5) throw new Error("not a SOCKS5 server");
  if (reply[1] !== 0) {
    throw new Error(`SOCKS5 connect to ${options.host}:${options.port} failed: ${SOCKS_REPLIES[reply[1]!] ?? `reply code ${reply[1]}`}`);
  }
  // The bound address that follows is of no use to us, but it must be consumed.
  const type = reply[3];
  const length = type === 1 ? 4 : type === 4 ? 16 : type === 3 ? (await reader.read(1))[0]! : -1;
  if (length < 0) throw new Error(`SOCKS5 reply with unknown address type ${type}`);
  await reader.read(length + 2);
}

function ipv6Bytes(host: string): number[] {
  // Expand "::" and embedded IPv4, then write the eight groups big-endian.
  const [head, tail] = host.includes("::") ? host.split("::") as [string, string] : [host, undefined];
  const groups = (part: string) => part === "" ? [] : part.split(":").flatMap((g) => {
    if (g.includes(".")) {
      const v4 = g.split(".").map(Number);
      return [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    }
    return [parseInt(g, 16)];
  });
  const first = groups(head);
  const last = tail === undefined ? [] : groups(tail);
  const all = [...first, ...new Array<number>(8 - first.length - last.length).fill(0), ...last];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

function unbracket(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/**
 * Reads a handshake from a socket: exact byte counts, or up to a delimiter. What arrives beyond the
 * handshake is pushed back onto the socket on detach, so the next reader (TLS, HTTP) sees it.
 */
class SocketReader {
  #buffer = Buffer.alloc(0);
  #wake: (() => void) | undefined;
  #ended = false;
  readonly #onData = (chunk: Buffer) => {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    this.#wake?.();
  };
  readonly #onEnd = () => {
    this.#ended = true;
    this.#wake?.();
  };

  constructor(private readonly socket: net.Socket) {
    socket.on("data", this.#onData);
    socket.once("end", this.#onEnd);
  }

  async read(n: number): Promise<Buffer> {
    while (this.#buffer.length < n) await this.#more();
    const out = this.#buffer.subarray(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return out;
  }

  async readUntil(delimiter: string, limit: number): Promise<string> {
    for (;;) {
      const at = this.#buffer.indexOf(delimiter);
      if (at >= 0) {
        const text = this.#buffer.subarray(0, at).toString("latin1");
        this.#buffer = this.#buffer.subarray(at + delimiter.length);
        return text;
      }
      if (this.#buffer.length > limit) throw new Error(`proxy response header larger than ${limit} bytes`);
      await this.#more();
    }
  }

  detach(): void {
    this.socket.off("data", this.#onData);
    this.socket.off("end", this.#onEnd);
    this.socket.pause();
    if (this.#buffer.length > 0) this.socket.unshift(this.#buffer);
    this.#buffer = Buffer.alloc(0);
  }

  #more(): Promise<void> {
    if (this.#ended) return Promise.reject(new Error("proxy closed the connection during the handshake"));
    return new Promise((resolve) => {
      this.#wake = () => {
        this.#wake = undefined;
        resolve();
      };
    });
  }
}
