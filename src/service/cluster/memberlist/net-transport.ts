// memberlist's own transport (memberlist:net_transport.go): packets over UDP and streams over TCP,
// both on one port, through the Platform's sockets.
import type { Platform, TcpConnection } from "../../../platform/types.ts";
import type { Logger } from "./config.ts";
import { silentLogger } from "./config.ts";
import type { StreamConn } from "./stream.ts";
import type { Transport, TransportHandlers } from "./transport.ts";
import { joinHostPort, parseIP, splitHostPort, toIPv4 } from "./util.ts";

/** The UDP receive buffer memberlist asks for (udpRecvBufSize). */
const udpRecvBufSize = 2 * 1024 * 1024;

export interface NetTransportOptions {
  /** Address to bind; "0.0.0.0" (or "::") means every interface. */
  bindAddr: string;
  /** 0 picks a port that is free for both TCP and UDP. */
  bindPort: number;
  logger?: Logger;
}

/** A TCP connection as memberlist's stream. */
export function tcpStreamConn(conn: TcpConnection): StreamConn {
  const reader = conn.readable.getReader();
  let closed = false;
  return {
    remoteAddr: joinHostPort(conn.remote.address, conn.remote.port),
    async read() {
      if (closed) return null;
      const { done, value } = await reader.read();
      return done ? null : value;
    },
    write: (data) => conn.write(data),
    close() {
      if (closed) return;
      closed = true;
      reader.cancel().catch(() => {});
      conn.close();
    },
  };
}

export class NetTransport implements Transport {
  #handlers: TransportHandlers | undefined;
  #closed = false;
  readonly #sending = new Set<Promise<void>>();

  private constructor(
    readonly platform: Platform,
    readonly bindAddr: string,
    readonly port: number,
    readonly udp: Awaited<ReturnType<Platform["bindDatagram"]>>,
    readonly tcp: Awaited<ReturnType<Platform["listenTcp"]>>,
    readonly logger: Logger,
  ) {}

  static async create(platform: Platform, options: NetTransportOptions): Promise<NetTransport> {
    const logger = options.logger ?? silentLogger;
    let transport: NetTransport | undefined;
    const attempts = options.bindPort === 0 ? 10 : 1;
    let lastError: unknown;
    for (let i = 0; i < attempts && !transport; i++) {
      const tcp = await platform.listenTcp({
        hostname: options.bindAddr,
        port: options.bindPort,
        onConnection: (connection) => (transport ? transport.accept(connection) : connection.close()),
        onError: (error) => logger.error(`memberlist: TCP listener error: ${error.message}`),
      });
      try {
        const udp = await platform.bindDatagram({
          hostname: options.bindAddr,
          port: tcp.port,
          receiveBufferSize: udpRecvBufSize,
          onMessage: (data, from) => transport?.packet(data, joinHostPort(from.address, from.port)),
          onError: (error) => logger.error(`memberlist: UDP error: ${error.message}`),
        });
        transport = new NetTransport(platform, options.bindAddr, tcp.port, udp, tcp, logger);
      } catch (error) {
        lastError = error;
        await tcp.close();
      }
    }
    if (!transport) throw new Error(`failed to start UDP listener on ${options.bindAddr}: ${String(lastError)}`);
    return transport;
  }

  attach(handlers: TransportHandlers) {
    this.#handlers = handlers;
  }

  /** @internal */
  packet(data: Uint8Array, from: string) {
    if (this.#closed || !this.#handlers) return;
    if (data.length < 1) {
      this.logger.error("memberlist: UDP packet too short", { from });
      return;
    }
    this.#handlers.onPacket({ buf: data.slice(), from, timestamp: performance.now() });
  }

  /** @internal */
  accept(connection: TcpConnection) {
    if (this.#closed || !this.#handlers) {
      connection.close();
      return;
    }
    this.#handlers.onStream(tcpStreamConn(connection));
  }

  finalAdvertiseAddr(ip: string, port: number): { ip: Uint8Array; port: number } {
    let addr: Uint8Array | null;
    if (ip !== "") {
      addr = parseIP(ip);
      if (!addr) throw new Error(`failed to parse advertise address "${ip}"`);
    } else if (this.bindAddr === "0.0.0.0" || this.bindAddr === "::") {
      addr = privateIP(this.platform);
      if (!addr) throw new Error("no private IP address found, and explicit IP not provided");
    } else {
      addr = parseIP(this.bindAddr);
      if (!addr) throw new Error(`failed to parse bind address "${this.bindAddr}"`);
    }
    addr = toIPv4(addr) ?? addr;
    return { ip: addr, port: port > 0 ? port : this.port };
  }

  async writeTo(buf: Uint8Array, addr: string) {
    const { host, port } = splitHostPort(addr);
    const sending = this.udp.send(buf, { address: host, port });
    this.#sending.add(sending);
    try {
      await sending;
    } finally {
      this.#sending.delete(sending);
    }
  }

  async dial(addr: string, timeoutMs: number): Promise<StreamConn> {
    const { host, port } = splitHostPort(addr);
    return tcpStreamConn(await this.platform.connectTcp({ address: host, port, timeoutMs }));
  }

  async shutdown() {
    if (this.#closed) return;
    this.#closed = true;
    // Let datagrams already handed over leave first (a leave's last gossip is among them); some
    // runtimes drop queued sends when the socket closes.
    if (this.#sending.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.allSettled([...this.#sending]),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, 500))),
      ]);
      clearTimeout(timer);
    }
    await Promise.allSettled([this.udp.close(), this.tcp.close()]);
  }
}

/** The first private (RFC 1918 / RFC 6598) IPv4 address of a non-loopback interface. */
function privateIP(platform: Platform): Uint8Array | null {
  for (const iface of platform.networkInterfaces()) {
    for (const a of iface.addresses) {
      if (a.internal || a.family !== 4) continue;
      const ip = parseIP(a.address);
      if (!ip) continue;
      const [x, y] = [ip[0]!, ip[1]!];
      if (x === 10 || (x === 172 && y >= 16 && y < 32) || (x === 192 && y === 168) || (x === 100 && y >= 64 && y < 128)) {
        return ip;
      }
    }
  }
  return null;
}
