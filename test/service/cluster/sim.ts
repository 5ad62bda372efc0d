// A fake clock and an in-memory network for deterministic tests of the gossip engine: packets and
// streams between engines in one process, with optional loss and latency, on simulated time.
import type { Clock, TimerHandle } from "../../../src/service/cluster/memberlist/clock.ts";
import type { StreamConn } from "../../../src/service/cluster/memberlist/stream.ts";
import type { Packet, Transport, TransportHandlers } from "../../../src/service/cluster/memberlist/transport.ts";
import { parseIP, splitHostPort } from "../../../src/service/cluster/memberlist/util.ts";

/** Lets every pending promise continuation run (a real macrotask turn). */
export const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Runs queued microtasks a good many times over: cheaper than a macrotask between timers. */
async function drainMicrotasks() {
  for (let i = 0; i < 200; i++) await null;
}

export class FakeClock implements Clock {
  #now = 1_000_000;
  #seq = 0;
  #timers: { id: number; at: number; fn: () => void }[] = [];

  now() {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.#seq;
    this.#timers.push({ id, at: this.#now + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: TimerHandle | undefined) {
    if (handle === undefined) return;
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }

  get pending() {
    return this.#timers.length;
  }

  /** Moves time forward, firing due timers in order and letting async work settle after each. */
  async advance(ms: number) {
    const end = this.#now + ms;
    await settle();
    for (;;) {
      let next: { id: number; at: number; fn: () => void } | undefined;
      for (const t of this.#timers) if (t.at <= end && (!next || t.at < next.at || (t.at === next.at && t.id < next.id))) next = t;
      if (!next) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = Math.max(this.#now, next.at);
      next.fn();
      await drainMicrotasks();
    }
    this.#now = end;
    await settle();
  }
}

/** One end of an in-memory byte stream. */
class MemConn implements StreamConn {
  #chunks: (Uint8Array | null)[] = [];
  #waiter: (() => void) | undefined;
  peer!: MemConn;
  closed = false;
  constructor(readonly remoteAddr: string) {}

  push(chunk: Uint8Array | null) {
    this.#chunks.push(chunk);
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.();
  }

  async read(): Promise<Uint8Array | null> {
    while (this.#chunks.length === 0) await new Promise<void>((resolve) => (this.#waiter = resolve));
    const chunk = this.#chunks.shift()!;
    if (chunk === null) this.#chunks.unshift(null);
    return chunk;
  }

  async write(data: Uint8Array) {
    if (this.closed) throw new Error("write on closed stream");
    this.peer.push(data.slice());
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.push(null);
    this.peer.push(null);
  }
}

export interface SentPacket {
  from: string;
  to: string;
  buf: Uint8Array;
}

/** Engines' transports, wired to each other by address. */
export class MemNetwork {
  readonly transports = new Map<string, MemTransport>();
  readonly sent: SentPacket[] = [];
  /** Probability that a packet is lost (streams are reliable). */
  lossRate = 0;
  latencyMs = 0;
  /** Addresses that neither send nor receive (a crashed or paused node). */
  readonly down = new Set<string>();
  /** Addresses that send but receive no packets. */
  readonly deaf = new Set<string>();
  /** Packets delivered so far. */
  delivered = 0;
  random: () => number = Math.random;

  constructor(readonly clock: FakeClock) {}

  transport(addr: string): MemTransport {
    const t = new MemTransport(this, addr);
    this.transports.set(addr, t);
    return t;
  }

  deliver(from: string, to: string, buf: Uint8Array) {
    this.sent.push({ from, to, buf });
    if (this.down.has(from) || this.down.has(to) || this.deaf.has(to)) return;
    if (this.lossRate > 0 && this.random() < this.lossRate) return;
    const target = this.transports.get(to);
    if (!target) return;
    const packet: Packet = { buf: buf.slice(), from, timestamp: this.clock.now() };
    if (this.latencyMs > 0) this.clock.setTimeout(() => target.receive(packet), this.latencyMs);
    else queueMicrotask(() => target.receive(packet));
  }

  dial(from: string, to: string): StreamConn {
    const target = this.transports.get(to);
    if (!target || this.down.has(to) || this.down.has(from) || target.closed) throw new Error(`dial tcp ${to}: connection refused`);
    const client = new MemConn(to);
    const server = new MemConn(from);
    client.peer = server;
    server.peer = client;
    queueMicrotask(() => target.accept(server));
    return client;
  }
}

export class MemTransport implements Transport {
  handlers: TransportHandlers | undefined;
  closed = false;
  constructor(
    readonly network: MemNetwork,
    readonly addr: string,
  ) {}

  attach(handlers: TransportHandlers) {
    this.handlers = handlers;
  }

  finalAdvertiseAddr(ip: string, port: number) {
    return { ip: parseIP(ip || splitHostPort(this.addr).host)!, port: port || splitHostPort(this.addr).port };
  }

  async writeTo(buf: Uint8Array, addr: string) {
    if (this.closed) throw new Error("transport closed");
    this.network.deliver(this.addr, addr, buf);
  }

  async dial(addr: string): Promise<StreamConn> {
    return this.network.dial(this.addr, addr);
  }

  receive(packet: Packet) {
    if (this.closed) return;
    this.network.delivered++;
    this.handlers?.onPacket(packet);
  }

  accept(conn: StreamConn) {
    if (this.closed) conn.close();
    else this.handlers?.onStream(conn);
  }

  async shutdown() {
    this.closed = true;
  }
}
