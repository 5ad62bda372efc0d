// ckit's HTTP/2 transport for memberlist (ckit:internal/gossiphttp; spec/memberlist.md §5.7): the
// gossip rides on the agent's main HTTP port.
//
// - Packets: POST /api/v1/ckit/transport/message, one frame per packet. Outgoing packets wait in a
//   queue of 1000 (the oldest is dropped when full), so a send never fails from memberlist's point
//   of view. Incoming ones go through a queue of 1000 too.
//   ckit sends the queue with one worker, one POST at a time (its TODO asks for more workers "to
//   tolerate unhealthy peers"): a peer that does not answer holds every other peer's packets for
//   the 5s packet timeout, and so do slow peers on a loaded machine. Pings and acks between healthy
//   nodes then miss the 2s probe timeout, and healthy nodes suspect each other (seen with a peer
//   cut off in test/cli/cluster-netns.test.ts, and with 50 agents on two cores in
//   scripts/bench/cluster-50.ts). Here each peer has its own lane instead: at most one POST in
//   flight per peer, in queue order, so a peer's packets still arrive in the order they were
//   written, while a stuck peer delays only its own. The wire is unchanged.
// - Streams: POST /api/v1/ckit/transport/stream, full duplex: the server answers 200 at once, then
//   the request body carries the dialler's bytes and the response body the server's. Each write is
//   one frame; frame boundaries mean nothing on a stream. The dialler's whole exchange is bounded
//   by the dial timeout, and closing it resets the HTTP/2 stream.
//
// Frames: 0xCC + u16 BE length + data when the length is ≤65535, else 0xCD + u32 BE length + data.
// The server side is a web-standard Request handler, so that the HTTP service can mount it; the
// client side is the Platform's HTTP/2 client (h2c with prior knowledge, or TLS with ALPN h2).
import type { Http2Client, Http2ClientOptions } from "../../../platform/types.ts";
import { realClock, type Clock } from "./clock.ts";
import { silentLogger, type Logger } from "./config.ts";
import type { StreamConn } from "./stream.ts";
import type { Transport, TransportHandlers } from "./transport.ts";
import { joinHostPort, parseIP, toIPv4 } from "./util.ts";
import { concat } from "./wire.ts";

export const ckitBaseRoute = "/api/v1/ckit/transport/";
export const ckitMessagePath = ckitBaseRoute + "message";
export const ckitStreamPath = ckitBaseRoute + "stream";
export const ckitContentType = "application/x.ckit";

const packetBufferSize = 1000;
const magic16 = 0xcc;
const magic32 = 0xcd;
/** ckit's MaxMessageLength: what a u32 length can say. */
export const maxFrameLength = 0xffffffff;

export function encodeFrame(data: Uint8Array): Uint8Array<ArrayBuffer> {
  if (data.length > maxFrameLength) throw new Error(`message length ${data.length} exceeds size limit ${maxFrameLength}`);
  const small = data.length <= 0xffff;
  const out = new Uint8Array((small ? 3 : 5) + data.length);
  const view = new DataView(out.buffer);
  if (small) {
    out[0] = magic16;
    view.setUint16(1, data.length);
    out.set(data, 3);
  } else {
    out[0] = magic32;
    view.setUint32(1, data.length);
    out.set(data, 5);
  }
  return out;
}

/** Splits a byte stream into frames as bytes arrive. */
export class FrameParser {
  #buf: Uint8Array = new Uint8Array(0);
  /** Set once a bad frame header was seen; nothing after it is parsed. */
  error: Error | undefined;

  /**
   * Adds bytes; returns every frame now complete. A bad magic byte throws, or, when complete frames
   * came before it in the same chunk, sets error and returns those frames first.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.error) throw this.error;
    if (this.#buf.length === 0) this.#buf = chunk;
    else {
      const next = new Uint8Array(this.#buf.length + chunk.length);
      next.set(this.#buf);
      next.set(chunk, this.#buf.length);
      this.#buf = next;
    }
    const frames: Uint8Array[] = [];
    let o = 0;
    for (;;) {
      const left = this.#buf.length - o;
      if (left < 3) break;
      const view = new DataView(this.#buf.buffer, this.#buf.byteOffset + o);
      let header: number;
      let length: number;
      if (this.#buf[o] === magic16) {
        header = 3;
        length = view.getUint16(1);
      } else if (this.#buf[o] === magic32) {
        if (left < 5) break;
        header = 5;
        length = view.getUint32(1);
      } else {
        this.error = new Error(`unrecognized magic byte (${this.#buf[o]!.toString(16)})`);
        if (frames.length === 0) throw this.error;
        break;
      }
      if (left < header + length) break;
      frames.push(this.#buf.slice(o + header, o + header + length));
      o += header + length;
    }
    this.#buf = this.#buf.subarray(o);
    return frames;
  }

  /** Bytes of an incomplete frame still waiting. */
  get pending(): number {
    return this.#buf.length;
  }
}

/** A queue that drops its oldest entry when full (ckit's internal/queue). */
class DropOldestQueue<T> {
  #items: T[] = [];
  #waiter: (() => void) | undefined;
  dropped = 0;
  constructor(readonly capacity: number) {}
  get size() {
    return this.#items.length;
  }
  push(item: T) {
    if (this.#items.length >= this.capacity) {
      this.#items.shift();
      this.dropped++;
    }
    this.#items.push(item);
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.();
  }
  shift(): T | undefined {
    return this.#items.shift();
  }
  /** Removes and returns the oldest entry that `ready` accepts. */
  takeFirst(ready: (item: T) => boolean): T | undefined {
    const index = this.#items.findIndex(ready);
    return index < 0 ? undefined : this.#items.splice(index, 1)[0];
  }
  /** Resolves at the next push or wake(), whatever the queue holds now. */
  changed(): Promise<void> {
    return new Promise((resolve) => (this.#waiter = resolve));
  }
  /** Resolves when something is queued (or wake() is called). */
  wait(): Promise<void> {
    if (this.#items.length > 0) return Promise.resolve();
    return new Promise((resolve) => (this.#waiter = resolve));
  }
  wake() {
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.();
  }
}

/** What the handler needs to know about the connection a request came on. */
export interface RequestConnection {
  remoteAddress: string;
  remotePort: number;
  /** "2.0" for HTTP/2. */
  httpVersion: string;
}

export interface Http2TransportOptions {
  /** Opens an HTTP/2 client for an origin ("http://ip:port" or "https://ip:port"). */
  createClient: (origin: string, options?: Http2ClientOptions) => Http2Client;
  /** https with TLS (--cluster.enable-tls), else cleartext h2c. */
  useHttps?: boolean;
  clientOptions?: Http2ClientOptions;
  /** Timeout of each packet POST; ckit uses 5s. */
  packetTimeoutMs?: number;
  /**
   * How long shutdown waits for queued packets to go out (a leave's last broadcasts are queued
   * just before it). ckit drops them at once; the default gives them up to 1s.
   */
  shutdownFlushMs?: number;
  logger?: Logger;
  clock?: Clock;
}

export interface Http2TransportMetrics {
  packetsSent: number;
  /** Packet POSTs that failed or were answered with anything but 200 (tx_packets_failed_total). */
  packetsSendFailed: number;
  packetsReceived: number;
  packetsDropped: number;
  /** Streams open now, dialled or accepted (cluster_transport_streams). */
  openStreams: number;
  // ckit's gossiphttp counters (cluster_transport_*), counted where ckit counts them.
  /** Incoming packets: ckit counts each one when it arrives and again when it is handed over. */
  rxPackets: number;
  rxBytes: number;
  /** Outgoing packets taken off the queue to be sent, failed or not. */
  txPackets: number;
  txBytes: number;
  /** Reads and writes on streams (one per call, as ckit counts them), their bytes, failed writes. */
  streamRxPackets: number;
  streamRxBytes: number;
  streamTxPackets: number;
  streamTxBytes: number;
  streamTxFailed: number;
}

export class Http2Transport implements Transport {
  readonly #options: Http2TransportOptions;
  readonly #log: Logger;
  readonly #clock: Clock;
  #handlers: TransportHandlers | undefined;
  #shutdown = false;
  #closing = false;
  /** Packet POSTs in flight, by destination address: one per peer at a time. */
  readonly #inFlight = new Map<string, AbortController>();
  readonly #clients = new Map<string, Http2Client>();
  readonly #out = new DropOldestQueue<{ data: Uint8Array; addr: string }>(packetBufferSize);
  readonly #in = new DropOldestQueue<{ buf: Uint8Array; from: string; timestamp: number }>(packetBufferSize);
  readonly #streams = new Set<StreamConn>();
  readonly #workers: Promise<void>[];
  readonly metrics: Http2TransportMetrics = {
    packetsSent: 0,
    packetsSendFailed: 0,
    packetsReceived: 0,
    packetsDropped: 0,
    openStreams: 0,
    rxPackets: 0,
    rxBytes: 0,
    txPackets: 0,
    txBytes: 0,
    streamRxPackets: 0,
    streamRxBytes: 0,
    streamTxPackets: 0,
    streamTxBytes: 0,
    streamTxFailed: 0,
  };

  constructor(options: Http2TransportOptions) {
    this.#options = options;
    this.#log = options.logger ?? silentLogger;
    this.#clock = options.clock ?? realClock;
    this.#workers = [this.#sendLoop(), this.#receiveLoop()];
  }

  /** Packets received and not yet handed to memberlist (rx_packet_queue_length). */
  get inQueueLength(): number {
    return this.#in.size;
  }

  /** Packets waiting to be sent (tx_packet_queue_length). */
  get outQueueLength(): number {
    return this.#out.size;
  }

  get #scheme() {
    return this.#options.useHttps ? "https" : "http";
  }

  attach(handlers: TransportHandlers) {
    this.#handlers = handlers;
  }

  finalAdvertiseAddr(ip: string, port: number): { ip: Uint8Array; port: number } {
    if (ip === "") throw new Error("no configured advertise address");
    if (port === 0) throw new Error("missing real listen port");
    const parsed = parseIP(ip);
    if (!parsed) throw new Error(`failed to parse advertise ip "${ip}"`);
    return { ip: toIPv4(parsed) ?? parsed, port };
  }

  #client(addr: string): Http2Client {
    const origin = `${this.#scheme}://${addr}`;
    let client = this.#clients.get(origin);
    if (!client) {
      client = this.#options.createClient(origin, {
        connectTimeoutMs: this.#options.packetTimeoutMs ?? 5000,
        ...this.#options.clientOptions,
      });
      this.#clients.set(origin, client);
    }
    return client;
  }

  writeTo(buf: Uint8Array, addr: string): Promise<void> {
    if (!this.#shutdown) this.#out.push({ data: buf, addr });
    return Promise.resolve();
  }

  /** Starts the oldest packet for each peer with nothing in flight; waits for a push or a finished send. */
  async #sendLoop() {
    for (;;) {
      if (this.#shutdown) return;
      const packet = this.#out.takeFirst((p) => !this.#inFlight.has(p.addr));
      if (!packet) {
        await this.#out.changed();
        continue;
      }
      this.metrics.txPackets++;
      this.metrics.txBytes += packet.data.length;
      const abort = new AbortController();
      this.#inFlight.set(packet.addr, abort);
      void this.#sendPacket(packet.data, packet.addr, abort).finally(() => {
        this.#inFlight.delete(packet.addr);
        this.#out.wake();
      });
    }
  }

  /** Waits (up to ms) until every queued packet has been sent. */
  async #flush(ms: number) {
    const deadline = this.#clock.now() + ms;
    while ((this.#out.size > 0 || this.#inFlight.size > 0) && this.#clock.now() < deadline) {
      await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, 10));
    }
  }

  async #sendPacket(data: Uint8Array, addr: string, abort: AbortController) {
    const timeoutMs = this.#options.packetTimeoutMs ?? 5000;
    const timer = this.#clock.setTimeout(() => abort.abort(new Error("packet send timed out")), timeoutMs);
    try {
      const response = await this.#client(addr).fetch(`${this.#scheme}://${addr}${ckitMessagePath}`, {
        method: "POST",
        headers: { "content-type": ckitContentType },
        body: encodeFrame(data) as Uint8Array<ArrayBuffer>,
        signal: abort.signal,
      });
      await response.arrayBuffer().catch(() => {});
      this.metrics.packetsSent++;
      if (response.status !== 200) {
        this.metrics.packetsSendFailed++;
        this.#log.debug("failed to send message", { status_code: response.status, to: addr });
      }
    } catch (error) {
      this.metrics.packetsSendFailed++;
      this.#log.debug("failed to send message", { err: String(error), to: addr });
    } finally {
      this.#clock.clearTimeout(timer);
    }
  }

  async #receiveLoop() {
    for (;;) {
      await this.#in.wait();
      if (this.#shutdown) return;
      // Hand packets over one macrotask at a time, so that request handling is not starved.
      while (this.#in.size > 0 && !this.#shutdown) {
        const packet = this.#in.shift()!;
        this.metrics.packetsReceived++;
        this.metrics.rxPackets++;
        this.metrics.rxBytes += packet.buf.length;
        try {
          this.#handlers?.onPacket(packet);
        } catch (error) {
          this.#log.error(`memberlist: packet handler failed: ${String(error)}`);
        }
      }
    }
  }

  async dial(addr: string, timeoutMs: number): Promise<StreamConn> {
    if (this.#shutdown) throw new Error("transport is shut down");
    const abort = new AbortController();
    const timer =
      timeoutMs > 0
        ? this.#clock.setTimeout(() => abort.abort(new Error(`dial ${addr}: context deadline exceeded`)), timeoutMs)
        : undefined;
    let requestController!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        requestController = controller;
      },
    });
    let response: Response;
    try {
      response = await this.#client(addr).fetch(`${this.#scheme}://${addr}${ckitStreamPath}`, {
        method: "POST",
        headers: { "content-type": ckitContentType },
        body,
        signal: abort.signal,
        duplex: "half",
      } as RequestInit);
    } catch (error) {
      this.#clock.clearTimeout(timer);
      abort.abort();
      throw error;
    }
    if (response.status !== 200 || !response.body) {
      this.#clock.clearTimeout(timer);
      abort.abort();
      await response.body?.cancel().catch(() => {});
      throw new Error(`stream to ${addr} refused: HTTP ${response.status}`);
    }
    const reader = response.body.getReader();
    let closed = false;
    this.metrics.openStreams++;
    const conn = framedConn({
      metrics: this.metrics,
      remoteAddr: addr,
      readChunk: async () => {
        const { done, value } = await reader.read();
        return done ? null : value;
      },
      writeFrame: (frame) => {
        if (closed) throw new Error("stream is closed");
        requestController.enqueue(frame);
      },
      close: () => {
        if (closed) return;
        closed = true;
        this.metrics.openStreams--;
        this.#clock.clearTimeout(timer);
        this.#streams.delete(conn);
        // ckit cancels the request: the HTTP/2 stream is reset, never ended cleanly.
        abort.abort(new Error("stream closed"));
        reader.cancel().catch(() => {});
        try {
          requestController.error(new Error("stream closed"));
        } catch {
          // Already errored or closed.
        }
      },
    });
    this.#streams.add(conn);
    return conn;
  }

  /** Answers ckit's transport routes; anything else under the base route is 404. */
  async handler(request: Request, connection?: RequestConnection): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path !== ckitMessagePath && path !== ckitStreamPath) return new Response("404 page not found\n", { status: 404 });
    if (this.#shutdown) return new Response(null, { status: 503 });
    if (connection && connection.httpVersion !== "2.0") return new Response(null, { status: 505 });
    if (request.headers.get("content-type") !== ckitContentType) return new Response(null, { status: 400 });
    const from = connection ? joinHostPort(connection.remoteAddress.replace(/^::ffff:/, ""), connection.remotePort) : "unknown";
    return path === ckitMessagePath ? this.#handleMessage(request, from) : this.#handleStream(request, from);
  }

  async #handleMessage(request: Request, from: string): Promise<Response> {
    const timestamp = this.#clock.now();
    const parser = new FrameParser();
    if (request.body) {
      const reader = request.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          for (const frame of parser.push(value)) this.#enqueuePacket(frame, from, timestamp);
          if (parser.error) throw parser.error;
        }
      } catch (error) {
        this.#log.warn("error reading packet from peer", { err: String(error) });
        return new Response(null, { status: 400 });
      }
    }
    if (parser.pending > 0) {
      this.#log.warn("error reading packet from peer", { err: "unexpected EOF" });
      return new Response(null, { status: 400 });
    }
    return new Response(null, { status: 200 });
  }

  #enqueuePacket(buf: Uint8Array, from: string, timestamp: number) {
    this.metrics.rxPackets++;
    this.metrics.rxBytes += buf.length;
    if (this.#in.size >= packetBufferSize) this.metrics.packetsDropped++;
    this.#in.push({ buf, from, timestamp });
  }

  #handleStream(request: Request, from: string): Response {
    const handlers = this.#handlers;
    let responseController!: ReadableStreamDefaultController<Uint8Array>;
    let closed = false;
    const reader = request.body?.getReader();
    let conn: StreamConn | undefined;
    const responseBody = new ReadableStream<Uint8Array>({
      start(controller) {
        responseController = controller;
      },
      cancel: () => conn?.close(),
    });
    this.metrics.openStreams++;
    conn = framedConn({
      metrics: this.metrics,
      remoteAddr: from,
      readChunk: async () => {
        if (!reader) return null;
        const { done, value } = await reader.read();
        return done ? null : value;
      },
      writeFrame: (frame) => {
        if (closed) throw new Error("stream is closed");
        responseController.enqueue(frame);
      },
      close: () => {
        if (closed) return;
        closed = true;
        this.metrics.openStreams--;
        this.#streams.delete(conn!);
        reader?.cancel().catch(() => {});
        try {
          responseController.close();
        } catch {
          // The client went away first.
        }
      },
    });
    this.#streams.add(conn);
    // The conn is handed over after the 200 is on its way: the dialler waits for the headers.
    const handOver = conn;
    queueMicrotask(() => {
      if (handlers && !this.#shutdown) handlers.onStream(handOver);
      else handOver.close();
    });
    return new Response(responseBody, { status: 200, headers: { "content-type": ckitContentType } });
  }

  async shutdown() {
    if (this.#shutdown || this.#closing) return;
    this.#closing = true;
    await this.#flush(this.#options.shutdownFlushMs ?? 1000);
    this.#shutdown = true;
    for (const abort of this.#inFlight.values()) abort.abort(new Error("transport shut down"));
    this.#out.wake();
    this.#in.wake();
    for (const conn of [...this.#streams]) conn.close();
    await Promise.allSettled(this.#workers);
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.allSettled(clients.map((c) => c.close()));
  }
}

/** A StreamConn over framed chunks: each write is one frame, reads reassemble frames into bytes. */
function framedConn(io: {
  metrics: Http2TransportMetrics;
  remoteAddr: string;
  readChunk: () => Promise<Uint8Array | null>;
  writeFrame: (frame: Uint8Array) => void;
  close: () => void;
}): StreamConn {
  const parser = new FrameParser();
  let ended = false;
  const counted = (chunk: Uint8Array | null) => {
    io.metrics.streamRxPackets++;
    io.metrics.streamRxBytes += chunk?.length ?? 0;
    return chunk;
  };
  return {
    remoteAddr: io.remoteAddr,
    async read() {
      return counted(await readFrames());
    },
    async write(data: Uint8Array) {
      io.metrics.streamTxPackets++;
      try {
        io.writeFrame(encodeFrame(data));
      } catch (error) {
        io.metrics.streamTxFailed++;
        throw error;
      }
      io.metrics.streamTxBytes += data.length;
    },
    close: io.close,
  };

  async function readFrames(): Promise<Uint8Array | null> {
    for (;;) {
      if (ended) return null;
      let chunk: Uint8Array | null;
      try {
        chunk = await io.readChunk();
      } catch {
        chunk = null;
      }
      if (chunk === null) {
        ended = true;
        return null;
      }
      const frames = parser.push(chunk);
      if (frames.length === 0) continue;
      return frames.length === 1 ? frames[0]! : concat(frames);
    }
  }
}
