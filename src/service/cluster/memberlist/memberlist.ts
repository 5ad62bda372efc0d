// The SWIM engine, with memberlist's rules (spec/memberlist.md §2–§6; memberlist:state.go, net.go,
// memberlist.go): membership table, probing with indirect and TCP fallback, suspicion with
// incarnations, refutation and Lifeguard awareness, reaping, gossip of piggybacked broadcasts,
// push/pull state sync, join and leave. It talks to the network only through a Transport, so the
// same engine runs over UDP+TCP and over ckit's HTTP/2 transport.
import { realClock, type Clock, type TimerHandle } from "./clock.ts";
import {
  defaultLANConfig,
  StateAlive,
  StateDead,
  StateLeft,
  StateSuspect,
  type Logger,
  type MemberlistConfig,
  type MemberlistOptions,
  type NodeInfo,
  type NodeStateType,
} from "./config.ts";
import { TransmitLimitedQueue } from "./queue.ts";
import { EOFError, StreamReader, type StreamConn } from "./stream.ts";
import { Suspicion } from "./suspicion.ts";
import type { Packet } from "./transport.ts";
import {
  bytesEqual,
  ensurePort,
  ipToString,
  joinHostPort,
  kRandomNodes,
  parseIP,
  pushPullScale,
  randomOffset,
  shuffle,
  splitHostPort,
  suspicionTimeout,
} from "./util.ts";
import {
  AckCodec,
  AliveCodec,
  checkCrc,
  addCrc,
  compoundHeaderOverhead,
  compoundOverhead,
  compressPayload,
  concat,
  DeadCodec,
  decodeCompoundMessage,
  decompressBuffer,
  decompressPayload,
  encodeMessage,
  ErrCodec,
  IndirectPingCodec,
  labelHeader,
  labelOverhead,
  LabelMaxSize,
  makeCompoundMessage,
  makeCompoundMessages,
  maxPushPullRequests,
  MessageType,
  MetaMaxSize,
  NackCodec,
  PingCodec,
  ProtocolVersionMax,
  ProtocolVersionMin,
  PushNodeStateCodec,
  PushPullHeaderCodec,
  removeLabel,
  SuspectCodec,
  CompressCodec,
  UserMsgHeaderCodec,
  userMsgOverhead,
  type Alive,
  type Dead,
  type Ping,
  type PushNodeState,
  type Suspect,
} from "./wire.ts";

/** One entry of the membership table. */
interface NodeState {
  name: string;
  addr: Uint8Array;
  port: number;
  meta: Uint8Array | null;
  pMin: number;
  pMax: number;
  pCur: number;
  dMin: number;
  dMax: number;
  dCur: number;
  incarnation: number;
  state: NodeStateType;
  /** Clock milliseconds of the last state change (-Infinity for a placeholder never alive). */
  stateChange: number;
}

interface AckHandler {
  ackFn: (payload: Uint8Array | null, timestamp: number) => void;
  nackFn?: () => void;
  timer: TimerHandle;
}

interface AckMessage {
  complete: boolean;
  payload: Uint8Array | null;
  timestamp: number;
}

interface Handoff {
  type: number;
  buf: Uint8Array;
  from: string;
}

export interface JoinResult {
  /** How many addresses a push/pull succeeded with. */
  joined: number;
  /** Every failure, when none succeeded. */
  error?: Error;
}

const vsnLength = 6;

function info(n: NodeState): NodeInfo {
  return {
    name: n.name,
    addr: ipToString(n.addr),
    addrBytes: n.addr,
    port: n.port,
    meta: n.meta,
    state: n.state,
    incarnation: n.incarnation,
    pMin: n.pMin,
    pMax: n.pMax,
    pCur: n.pCur,
    dMin: n.dMin,
    dMax: n.dMax,
    dCur: n.dCur,
  };
}

const deadOrLeft = (n: NodeState) => n.state === StateDead || n.state === StateLeft;

export class Memberlist {
  readonly config: MemberlistConfig;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #log: Logger;

  #sequenceNum = 0;
  #incarnation = 0;
  #advertise: { ip: Uint8Array; port: number } = { ip: new Uint8Array(4), port: 0 };
  #shutdown = false;
  #left = false;
  #leaveNotify: (() => void) | undefined;

  #nodes: NodeState[] = [];
  readonly #nodeMap = new Map<string, NodeState>();
  readonly #nodeTimers = new Map<string, Suspicion>();
  #healthScore = 0;
  #probeIndex = 0;
  readonly #ackHandlers = new Map<number, AckHandler>();
  readonly #otherTimers = new Set<TimerHandle>();
  readonly #broadcasts: TransmitLimitedQueue;

  readonly #highPriority: Handoff[] = [];
  readonly #lowPriority: Handoff[] = [];
  #drainScheduled = false;
  #pushPullRequests = 0;

  #tickers: (() => void)[] = [];

  private constructor(config: MemberlistConfig) {
    this.config = config;
    this.#clock = config.clock ?? realClock;
    this.#random = config.random ?? Math.random;
    this.#log = config.logger;
    this.#broadcasts = new TransmitLimitedQueue(() => this.#nodes.length, config.retransmitMult);
  }

  /** Starts a node: listens through the transport, marks itself alive, starts the timers. */
  static async create(options: MemberlistOptions): Promise<Memberlist> {
    // Options left undefined keep their defaults.
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    const config = { ...defaultLANConfig(), ...given } as MemberlistConfig;
    if (config.protocolVersion < ProtocolVersionMin || config.protocolVersion > ProtocolVersionMax) {
      throw new Error(
        `protocol version '${config.protocolVersion}' out of range: [${ProtocolVersionMin}, ${ProtocolVersionMax}]`,
      );
    }
    if (new TextEncoder().encode(config.label).length > LabelMaxSize) {
      throw new Error(`could not use "${config.label}" as a label: too long`);
    }
    const m = new Memberlist(config);
    config.transport.attach({
      onPacket: (packet) => m.#ingestPacket(packet),
      onStream: (conn) => void m.#handleConn(conn),
    });
    const advertise = config.transport.finalAdvertiseAddr(config.advertiseAddr, config.advertisePort);
    m.#advertise = advertise;
    m.#setAlive();
    m.#schedule();
    return m;
  }

  // -------------------------------------------------------------------------------------------
  // Public view

  /** Nodes that are alive or suspect, ourselves included. */
  members(): NodeInfo[] {
    return this.#nodes.filter((n) => !deadOrLeft(n)).map(info);
  }

  /** Every entry of the table, dead and left ones included until they are reaped. */
  allNodes(): NodeInfo[] {
    return this.#nodes.map(info);
  }

  numMembers(): number {
    return this.#nodes.filter((n) => !deadOrLeft(n)).length;
  }

  localNode(): NodeInfo {
    return info(this.#nodeMap.get(this.config.name)!);
  }

  /** Lifeguard's local health: 0 is healthy, up to AwarenessMaxMultiplier−1. */
  healthScore(): number {
    return this.#healthScore;
  }

  get advertiseAddress(): string {
    return joinHostPort(ipToString(this.#advertise.ip), this.#advertise.port);
  }

  /** How many broadcasts wait in memberlist's own queue. */
  queuedBroadcasts(): number {
    return this.#broadcasts.length;
  }

  // -------------------------------------------------------------------------------------------
  // Scheduling

  #schedule() {
    const c = this.config;
    if (c.probeIntervalMs > 0) this.#startTicker(c.probeIntervalMs, this.#serialized(() => this.#probe()));
    if (c.pushPullIntervalMs > 0) this.#startPushPull();
    if (c.gossipIntervalMs > 0 && c.gossipNodes > 0) this.#startTicker(c.gossipIntervalMs, () => this.#gossip());
  }

  /** Runs f one at a time; a tick that comes while it runs is kept (one at most), as a Go ticker. */
  #serialized(f: () => Promise<void>): () => void {
    let running = false;
    let missed = false;
    const run = () => {
      if (running) {
        missed = true;
        return;
      }
      running = true;
      void f()
        .catch((error) => this.#log.error("memberlist: tick failed", { error: String(error) }))
        .finally(() => {
          running = false;
          if (missed && !this.#shutdown) {
            missed = false;
            run();
          }
        });
    };
    return run;
  }

  /** A fixed-rate ticker from now, whose first tick comes after one interval. */
  #startTicker(intervalMs: number, f: () => void) {
    let next = this.#clock.now() + intervalMs;
    let handle: TimerHandle | undefined;
    let stopped = false;
    const tick = () => {
      if (stopped) return;
      const now = this.#clock.now();
      // Ticks that could not be delivered are dropped, as time.Ticker does.
      while (next <= now) next += intervalMs;
      handle = this.#clock.setTimeout(tick, next - now);
      f();
    };
    handle = this.#clock.setTimeout(tick, next - this.#clock.now());
    this.#tickers.push(() => {
      stopped = true;
      this.#clock.clearTimeout(handle);
    });
  }

  #startPushPull() {
    const interval = this.config.pushPullIntervalMs;
    let handle: TimerHandle | undefined;
    let stopped = false;
    const loop = () => {
      if (stopped) return;
      handle = this.#clock.setTimeout(() => {
        if (stopped) return;
        void this.#pushPull().finally(loop);
      }, pushPullScale(interval, this.#nodes.length));
    };
    // A random stagger first, so that nodes do not synchronize.
    handle = this.#clock.setTimeout(loop, Math.floor(this.#random() * interval));
    this.#tickers.push(() => {
      stopped = true;
      this.#clock.clearTimeout(handle);
    });
  }

  #setTimer(fn: () => void, ms: number): TimerHandle {
    const handle = this.#clock.setTimeout(() => {
      this.#otherTimers.delete(handle);
      fn();
    }, ms);
    this.#otherTimers.add(handle);
    return handle;
  }

  #clearTimer(handle: TimerHandle) {
    this.#otherTimers.delete(handle);
    this.#clock.clearTimeout(handle);
  }

  #sleep(ms: number): { promise: Promise<void>; cancel(): void } {
    let handle: TimerHandle | undefined;
    const promise = new Promise<void>((resolve) => {
      handle = this.#setTimer(resolve, ms);
    });
    return { promise, cancel: () => handle !== undefined && this.#clearTimer(handle) };
  }

  // -------------------------------------------------------------------------------------------
  // Probing (failure detection)

  async #probe() {
    let numCheck = 0;
    for (;;) {
      if (this.#shutdown) return;
      if (numCheck >= this.#nodes.length) return;
      if (this.#probeIndex >= this.#nodes.length) {
        this.#resetNodes();
        this.#probeIndex = 0;
        numCheck++;
        continue;
      }
      const node = this.#nodes[this.#probeIndex]!;
      const skip = node.name === this.config.name || deadOrLeft(node);
      this.#probeIndex++;
      if (skip) {
        numCheck++;
        continue;
      }
      await this.#probeNode({ ...node });
      return;
    }
  }

  /** Reaps dead and left nodes older than GossipToTheDeadTime and shuffles the rest. */
  #resetNodes() {
    const now = this.#clock.now();
    const keep: NodeState[] = [];
    for (const n of this.#nodes) {
      if (deadOrLeft(n) && now - n.stateChange > this.config.gossipToTheDeadTimeMs) {
        this.#nodeMap.delete(n.name);
      } else {
        keep.push(n);
      }
    }
    this.#nodes = keep;
    shuffle(this.#nodes, this.#random);
  }

  #applyAwareness(delta: number) {
    const max = this.config.awarenessMaxMultiplier - 1;
    this.#healthScore = Math.min(max, Math.max(0, this.#healthScore + delta));
  }

  #nextSeqNo(): number {
    this.#sequenceNum = (this.#sequenceNum + 1) >>> 0;
    return this.#sequenceNum;
  }

  #nextIncarnation(): number {
    this.#incarnation = (this.#incarnation + 1) >>> 0;
    return this.#incarnation;
  }

  #skipIncarnation(offset: number): number {
    this.#incarnation = (this.#incarnation + offset) >>> 0;
    return this.#incarnation;
  }

  #ping(seqNo: number, target: string): Ping {
    return {
      SeqNo: seqNo,
      Node: target,
      SourceAddr: this.#advertise.ip,
      SourcePort: this.#advertise.port,
      SourceNode: this.config.name,
    };
  }

  async #probeNode(node: NodeState) {
    const c = this.config;
    const probeInterval = c.probeIntervalMs * (this.#healthScore + 1);
    const ping = this.#ping(this.#nextSeqNo(), node.name);
    let nacks = 0;
    let resolveAck!: (m: AckMessage) => void;
    const acked = new Promise<AckMessage>((resolve) => (resolveAck = resolve));
    this.#setProbeChannels(
      ping.SeqNo,
      (payload, timestamp) => resolveAck({ complete: true, payload, timestamp }),
      () => nacks++,
      probeInterval,
      () => resolveAck({ complete: false, payload: null, timestamp: this.#clock.now() }),
    );
    const sent = this.#clock.now();
    const deadline = sent + probeInterval;
    const addr = joinHostPort(ipToString(node.addr), node.port);
    let awarenessDelta = 0;
    try {
      let remoteFailure = false;
      try {
        if (node.state === StateAlive) {
          await this.#encodeAndSendMsg(addr, MessageType.ping, encodeMessage(MessageType.ping, PingCodec, ping));
        } else {
          const suspect: Suspect = { Incarnation: node.incarnation, Node: node.name, From: c.name };
          const compound = makeCompoundMessage([
            encodeMessage(MessageType.ping, PingCodec, ping),
            encodeMessage(MessageType.suspect, SuspectCodec, suspect),
          ]);
          await this.#rawSendMsgPacket(addr, node, compound);
        }
      } catch (error) {
        // Every local send failure of our transports is a failure to reach the peer.
        this.#log.error("memberlist: failed to send ping", { node: node.name, error: String(error) });
        remoteFailure = true;
      }

      if (!remoteFailure) {
        awarenessDelta = -1;
        const wait = this.#sleep(c.probeTimeoutMs);
        const first = await Promise.race([acked, wait.promise.then(() => null)]);
        wait.cancel();
        if (first?.complete) {
          c.ping?.notifyPingComplete(info(node), first.timestamp - sent, first.payload);
          return;
        }
        this.#log.debug("memberlist: failed ping (timeout reached)", { node: node.name });
      }

      // Indirect probes through up to IndirectChecks other live nodes.
      const peers = kRandomNodes(
        c.indirectChecks,
        this.#nodes,
        (n) => n.name === c.name || n.name === node.name || n.state !== StateAlive,
        this.#random,
      );
      let expectedNacks = 0;
      for (const peer of peers) {
        const nack = peer.pMax >= 4;
        if (nack) expectedNacks++;
        const ind = {
          SeqNo: ping.SeqNo,
          Target: node.addr,
          Port: node.port,
          Node: node.name,
          Nack: nack,
          SourceAddr: this.#advertise.ip,
          SourcePort: this.#advertise.port,
          SourceNode: c.name,
        };
        this.#encodeAndSendMsg(
          joinHostPort(ipToString(peer.addr), peer.port),
          MessageType.indirectPing,
          encodeMessage(MessageType.indirectPing, IndirectPingCodec, ind),
        ).catch((error) => this.#log.error("memberlist: failed to send indirect ping", { error: String(error) }));
      }

      // A TCP ping as well, for peers that understand it, unless switched off (ckit does).
      const fallback: Promise<boolean> =
        !c.disableTcpPings && node.pMax >= 3
          ? this.#sendPingAndWaitForAck(addr, ping, deadline).catch((error) => {
              this.#log.error("memberlist: failed fallback TCP ping", { error: String(error) });
              return false;
            })
          : Promise.resolve(false);

      const v = await acked;
      if (v.complete) return;
      if (await fallback) {
        this.#log.warn(`memberlist: was able to connect to ${node.name} over TCP but UDP probes failed, network may be misconfigured`);
        return;
      }

      awarenessDelta = expectedNacks > 0 ? Math.max(0, expectedNacks - nacks) : 1;
      this.#log.info(`memberlist: suspect ${node.name} has failed, no acks received`);
      this.#suspectNode({ Incarnation: node.incarnation, Node: node.name, From: c.name });
    } finally {
      this.#applyAwareness(awarenessDelta);
    }
  }

  #setProbeChannels(
    seqNo: number,
    ackFn: (payload: Uint8Array | null, timestamp: number) => void,
    nackFn: () => void,
    timeoutMs: number,
    onTimeout: () => void,
  ) {
    const timer = this.#setTimer(() => {
      this.#ackHandlers.delete(seqNo);
      onTimeout();
    }, timeoutMs);
    this.#ackHandlers.set(seqNo, { ackFn, nackFn, timer });
  }

  #setAckHandler(seqNo: number, ackFn: (payload: Uint8Array | null, timestamp: number) => void, timeoutMs: number) {
    const timer = this.#setTimer(() => this.#ackHandlers.delete(seqNo), timeoutMs);
    this.#ackHandlers.set(seqNo, { ackFn, timer });
  }

  #invokeAckHandler(seqNo: number, payload: Uint8Array | null, timestamp: number) {
    const handler = this.#ackHandlers.get(seqNo);
    if (!handler) return;
    this.#ackHandlers.delete(seqNo);
    this.#clearTimer(handler.timer);
    handler.ackFn(payload, timestamp);
  }

  #invokeNackHandler(seqNo: number) {
    this.#ackHandlers.get(seqNo)?.nackFn?.();
  }

  // -------------------------------------------------------------------------------------------
  // Gossip and push/pull

  #gossip() {
    if (this.#shutdown) return;
    const c = this.config;
    const now = this.#clock.now();
    const targets = kRandomNodes(
      c.gossipNodes,
      this.#nodes,
      (n) => {
        if (n.name === c.name) return true;
        switch (n.state) {
          case StateAlive:
          case StateSuspect:
            return false;
          case StateDead:
            return now - n.stateChange > c.gossipToTheDeadTimeMs;
          default:
            return true;
        }
      },
      this.#random,
    );
    const bytesAvail = c.udpBufferSize - compoundHeaderOverhead - labelOverhead(c.label);
    for (const node of targets) {
      const msgs = this.#getBroadcasts(compoundOverhead, bytesAvail);
      if (msgs.length === 0) return;
      const addr = joinHostPort(ipToString(node.addr), node.port);
      const packets = msgs.length === 1 ? msgs : makeCompoundMessages(msgs);
      for (const packet of packets) {
        this.#rawSendMsgPacket(addr, node, packet).catch((error) =>
          this.#log.error("memberlist: failed to send gossip", { to: addr, error: String(error) }),
        );
      }
    }
  }

  async #pushPull() {
    if (this.#shutdown) return;
    const c = this.config;
    const nodes = kRandomNodes(
      Math.max(1, c.pushPullNodes),
      this.#nodes,
      (n) => n.name === c.name || n.state !== StateAlive,
      this.#random,
    );
    for (const node of nodes) {
      try {
        await this.#pushPullNode(joinHostPort(ipToString(node.addr), node.port), false);
      } catch (error) {
        this.#log.error(`memberlist: push/pull with ${node.name} failed`, { error: String(error) });
      }
    }
  }

  async #pushPullNode(addr: string, join: boolean) {
    const { nodes, userState } = await this.#sendAndReceiveState(addr, join);
    this.#mergeRemoteState(join, nodes, userState, true);
  }

  #getBroadcasts(overhead: number, limit: number): Uint8Array[] {
    const toSend = this.#broadcasts.getBroadcasts(overhead, limit);
    const d = this.config.delegate;
    if (d?.getBroadcasts) {
      let bytesUsed = 0;
      for (const m of toSend) bytesUsed += m.length + overhead;
      const avail = limit - bytesUsed;
      if (avail > overhead + userMsgOverhead) {
        for (const m of d.getBroadcasts(overhead + userMsgOverhead, avail)) {
          toSend.push(concat([Uint8Array.of(MessageType.user), m]));
        }
      }
    }
    return toSend;
  }

  #queueBroadcast(node: string, msg: Uint8Array, notify?: () => void) {
    this.#broadcasts.queueBroadcast({ message: msg, name: node, finished: () => notify?.() });
  }

  // -------------------------------------------------------------------------------------------
  // Sending packets

  /** Sends a message, piggybacking as many queued broadcasts as fit. */
  async #encodeAndSendMsg(addr: string, _type: number, msg: Uint8Array) {
    const c = this.config;
    const bytesAvail = c.udpBufferSize - msg.length - compoundHeaderOverhead - labelOverhead(c.label);
    const extra = this.#getBroadcasts(compoundOverhead, bytesAvail);
    if (extra.length === 0) return this.#rawSendMsgPacket(addr, null, msg);
    for (const compound of makeCompoundMessages([msg, ...extra])) await this.#rawSendMsgPacket(addr, null, compound);
  }

  /** Compression (when smaller), CRC (for peers that speak protocol 5), label; then the transport. */
  async #rawSendMsgPacket(addr: string, node: { pMax: number } | null, msg: Uint8Array) {
    const c = this.config;
    if (c.enableCompression) {
      const compressed = compressPayload(msg);
      if (compressed.length < msg.length) msg = compressed;
    }
    if (!node) {
      // memberlist finds the node only when its name is its IP.
      try {
        node = this.#nodeMap.get(splitHostPort(addr).host) ?? null;
      } catch {
        node = null;
      }
    }
    if (node && node.pMax >= 5) msg = addCrc(msg);
    if (c.label !== "") msg = concat([labelHeader(c.label), msg]);
    if (this.#shutdown) return;
    await c.transport.writeTo(msg, addr);
  }

  /** Sends a user message as a packet to a member (SendBestEffort). */
  async sendBestEffort(node: NodeInfo, msg: Uint8Array) {
    await this.#rawSendMsgPacket(
      joinHostPort(node.addr, node.port),
      node,
      concat([Uint8Array.of(MessageType.user), msg]),
    );
  }

  /** Sends a user message as a packet to an address (SendToAddress). */
  async sendToAddress(addr: string, msg: Uint8Array) {
    await this.#rawSendMsgPacket(addr, null, concat([Uint8Array.of(MessageType.user), msg]));
  }

  /** Sends a user message over a stream (SendReliable). */
  async sendReliable(node: NodeInfo, msg: Uint8Array) {
    const conn = await this.#dial(joinHostPort(node.addr, node.port), this.config.tcpTimeoutMs);
    try {
      const header = encodeMessage(MessageType.user, UserMsgHeaderCodec, { UserMsgLen: msg.length });
      await this.#rawSendMsgStream(conn, concat([header, msg]));
    } finally {
      conn.close();
    }
  }

  // -------------------------------------------------------------------------------------------
  // Receiving packets

  #ingestPacket(packet: Packet) {
    if (this.#shutdown) return;
    let buf: Uint8Array;
    let label: string;
    try {
      ({ label, rest: buf } = removeLabel(packet.buf));
    } catch (error) {
      this.#log.error(`memberlist: ${(error as Error).message}`, { from: packet.from });
      return;
    }
    if (this.config.skipInboundLabelCheck) label = this.config.label;
    if (label !== this.config.label) {
      this.#log.error(`memberlist: discarding packet with unacceptable label "${label}"`, { from: packet.from });
      return;
    }
    const checked = checkCrc(buf);
    if (!checked) {
      this.#log.warn("memberlist: got invalid checksum for UDP packet", { from: packet.from });
      return;
    }
    this.#handleCommand(checked, packet.from, packet.timestamp);
  }

  #handleCommand(buf: Uint8Array, from: string, timestamp: number) {
    if (buf.length < 1) {
      this.#log.error("memberlist: missing message type byte", { from });
      return;
    }
    const type = buf[0]!;
    const body = buf.subarray(1);
    try {
      switch (type) {
        case MessageType.compound: {
          const { truncated, parts } = decodeCompoundMessage(body);
          if (truncated > 0) this.#log.warn(`memberlist: compound request had ${truncated} truncated messages`, { from });
          for (const part of parts) this.#handleCommand(part, from, timestamp);
          return;
        }
        case MessageType.compress:
          this.#handleCommand(decompressPayload(body), from, timestamp);
          return;
        case MessageType.ping:
          this.#handlePing(body, from);
          return;
        case MessageType.indirectPing:
          this.#handleIndirectPing(body, from);
          return;
        case MessageType.ackResp: {
          const ack = AckCodec.decode(body);
          this.#invokeAckHandler(ack.SeqNo, ack.Payload, timestamp);
          return;
        }
        case MessageType.nackResp:
          this.#invokeNackHandler(NackCodec.decode(body).SeqNo);
          return;
        case MessageType.suspect:
        case MessageType.alive:
        case MessageType.dead:
        case MessageType.user: {
          const queue = type === MessageType.alive ? this.#highPriority : this.#lowPriority;
          if (queue.length >= this.config.handoffQueueDepth) {
            this.#log.warn(`memberlist: handler queue full, dropping message (${type})`, { from });
          } else {
            queue.push({ type, buf: body, from });
          }
          if (!this.#drainScheduled) {
            this.#drainScheduled = true;
            queueMicrotask(() => this.#drainHandoff());
          }
          return;
        }
        default:
          this.#log.error(`memberlist: msg type (${type}) not supported`, { from });
      }
    } catch (error) {
      this.#log.error(`memberlist: failed to handle message type ${type}: ${(error as Error).message}`, { from });
    }
  }

  /** Alive messages first, newest first within a queue (memberlist's LIFO hand-off). */
  #drainHandoff() {
    this.#drainScheduled = false;
    for (;;) {
      const msg = this.#highPriority.pop() ?? this.#lowPriority.pop();
      if (!msg) return;
      if (this.#shutdown) continue;
      try {
        switch (msg.type) {
          case MessageType.alive: {
            const a = AliveCodec.decode(msg.buf);
            if (this.config.protocolVersion < 2 || a.Port === 0) a.Port = this.config.bindPort;
            this.#aliveNode(a, undefined, false);
            break;
          }
          case MessageType.suspect:
            this.#suspectNode(SuspectCodec.decode(msg.buf));
            break;
          case MessageType.dead:
            this.#deadNode(DeadCodec.decode(msg.buf));
            break;
          case MessageType.user:
            this.config.delegate?.notifyMsg?.(msg.buf.slice());
            break;
        }
      } catch (error) {
        this.#log.error(`memberlist: failed to handle message type ${msg.type}: ${(error as Error).message}`, {
          from: msg.from,
        });
      }
    }
  }

  #replyAddr(sourceAddr: Uint8Array | null, sourcePort: number, from: string): string {
    return sourceAddr && sourceAddr.length > 0 && sourcePort > 0 ? joinHostPort(ipToString(sourceAddr), sourcePort) : from;
  }

  #handlePing(buf: Uint8Array, from: string) {
    const p = PingCodec.decode(buf);
    if (p.Node !== "" && p.Node !== this.config.name) {
      this.#log.warn(`memberlist: got ping for unexpected node '${p.Node}'`, { from });
      return;
    }
    const ack = { SeqNo: p.SeqNo, Payload: this.config.ping?.ackPayload() ?? null };
    const addr = this.#replyAddr(p.SourceAddr, p.SourcePort, from);
    this.#encodeAndSendMsg(addr, MessageType.ackResp, encodeMessage(MessageType.ackResp, AckCodec, ack)).catch((error) =>
      this.#log.error("memberlist: failed to send ack", { to: addr, error: String(error) }),
    );
  }

  #handleIndirectPing(buf: Uint8Array, from: string) {
    const ind = IndirectPingCodec.decode(buf);
    if (this.config.protocolVersion < 2 || ind.Port === 0) ind.Port = this.config.bindPort;
    const localSeqNo = this.#nextSeqNo();
    const ping = this.#ping(localSeqNo, ind.Node);
    const indAddr = this.#replyAddr(ind.SourceAddr, ind.SourcePort, from);
    let cancelled = false;
    let nackTimer: TimerHandle | undefined;
    this.#setAckHandler(
      localSeqNo,
      () => {
        cancelled = true;
        if (nackTimer !== undefined) this.#clearTimer(nackTimer);
        const ack = { SeqNo: ind.SeqNo, Payload: null };
        this.#encodeAndSendMsg(indAddr, MessageType.ackResp, encodeMessage(MessageType.ackResp, AckCodec, ack)).catch(
          (error) => this.#log.error("memberlist: failed to forward ack", { to: indAddr, error: String(error) }),
        );
      },
      this.config.probeTimeoutMs,
    );
    const target = joinHostPort(ipToString(ind.Target), ind.Port);
    this.#encodeAndSendMsg(target, MessageType.ping, encodeMessage(MessageType.ping, PingCodec, ping)).catch((error) =>
      this.#log.error("memberlist: failed to send indirect ping", { to: target, error: String(error) }),
    );
    if (ind.Nack) {
      nackTimer = this.#setTimer(() => {
        if (cancelled) return;
        this.#encodeAndSendMsg(
          indAddr,
          MessageType.nackResp,
          encodeMessage(MessageType.nackResp, NackCodec, { SeqNo: ind.SeqNo }),
        ).catch((error) => this.#log.error("memberlist: failed to send nack", { to: indAddr, error: String(error) }));
      }, this.config.probeTimeoutMs);
    }
  }

  // -------------------------------------------------------------------------------------------
  // The state machine

  #vsn(): Uint8Array {
    const c = this.config;
    return Uint8Array.of(
      ProtocolVersionMin,
      ProtocolVersionMax,
      c.protocolVersion,
      c.delegateProtocolMin,
      c.delegateProtocolMax,
      c.delegateProtocolVersion,
    );
  }

  #nodeMeta(): Uint8Array | null {
    const meta = this.config.delegate?.nodeMeta?.(MetaMaxSize) ?? null;
    if (meta && meta.length > MetaMaxSize) throw new Error("node meta data provided is longer than the limit");
    return meta;
  }

  #setAlive() {
    const a: Alive = {
      Incarnation: this.#nextIncarnation(),
      Node: this.config.name,
      Addr: this.#advertise.ip,
      Port: this.#advertise.port,
      Meta: this.#nodeMeta(),
      Vsn: this.#vsn(),
    };
    this.#aliveNode(a, undefined, true);
  }

  /** Gossips new metadata (from the delegate) with a new incarnation; waits for the broadcast. */
  async updateNode(timeoutMs: number) {
    const state = this.#nodeMap.get(this.config.name)!;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    this.#aliveNode(
      {
        Incarnation: this.#nextIncarnation(),
        Node: this.config.name,
        Addr: state.addr,
        Port: state.port,
        Meta: this.#nodeMeta(),
        Vsn: this.#vsn(),
      },
      done,
      true,
    );
    if (this.#anyAlive()) await this.#waitOrTimeout(finished, timeoutMs, "timeout waiting for update broadcast");
  }

  async #waitOrTimeout(promise: Promise<void>, timeoutMs: number, message: string) {
    if (timeoutMs <= 0) return promise;
    const wait = this.#sleep(timeoutMs);
    const won = await Promise.race([promise.then(() => true), wait.promise.then(() => false)]);
    wait.cancel();
    if (!won) throw new Error(message);
  }

  #refute(me: NodeState, accusedInc: number) {
    let inc = this.#nextIncarnation();
    if (accusedInc >= inc) inc = this.#skipIncarnation(accusedInc - inc + 1);
    me.incarnation = inc;
    this.#applyAwareness(1);
    const a: Alive = {
      Incarnation: inc,
      Node: me.name,
      Addr: me.addr,
      Port: me.port,
      Meta: me.meta,
      Vsn: Uint8Array.of(me.pMin, me.pMax, me.pCur, me.dMin, me.dMax, me.dCur),
    };
    // memberlist keys this broadcast by our IP, not our name.
    this.#queueBroadcast(ipToString(me.addr), encodeMessage(MessageType.alive, AliveCodec, a));
  }

  #aliveNode(a: Alive, notify: (() => void) | undefined, bootstrap: boolean) {
    const c = this.config;
    let state = this.#nodeMap.get(a.Node);
    if (this.#left && a.Node === c.name) return;
    const vsn = a.Vsn ?? new Uint8Array(0);
    if (vsn.length >= 3) {
      const [pMin, pMax] = [vsn[0]!, vsn[1]!];
      if (pMin === 0 || pMax === 0 || pMin > pMax) {
        this.#log.warn(`memberlist: ignoring an alive message for '${a.Node}' because protocol version(s) are wrong`);
        return;
      }
    }
    const addr = a.Addr ?? new Uint8Array(0);
    if (c.alive) {
      if (vsn.length < vsnLength) {
        this.#log.warn(`memberlist: ignoring alive message for '${a.Node}' because Vsn is not present`);
        return;
      }
      const error = c.alive.notifyAlive(this.#infoOf(a));
      if (error) {
        this.#log.warn(`memberlist: ignoring alive message for '${a.Node}': ${error}`);
        return;
      }
    }

    let updatesNode = false;
    if (!state) {
      state = {
        name: a.Node,
        addr,
        port: a.Port,
        meta: a.Meta,
        pMin: 0,
        pMax: 0,
        pCur: 0,
        dMin: 0,
        dMax: 0,
        dCur: 0,
        incarnation: 0,
        state: StateDead,
        // Never alive: as old as can be, so that a reset reaps it (Go's zero time).
        stateChange: -Infinity,
      };
      if (vsn.length > 5) [state.pMin, state.pMax, state.pCur, state.dMin, state.dMax, state.dCur] = vsn;
      this.#nodeMap.set(a.Node, state);
      // At a random position, so that probe order is not join order.
      const n = this.#nodes.length;
      const offset = randomOffset(n, this.#random);
      this.#nodes.push(state);
      [this.#nodes[offset], this.#nodes[n]] = [this.#nodes[n]!, this.#nodes[offset]!];
    } else if (!bytesEqual(state.addr, addr) || state.port !== a.Port) {
      const canReclaim = c.deadNodeReclaimTimeMs > 0 && this.#clock.now() - state.stateChange > c.deadNodeReclaimTimeMs;
      if (state.state === StateLeft || (state.state === StateDead && canReclaim)) {
        this.#log.info(
          `memberlist: updating address for left or failed node ${state.name} from ${ipToString(state.addr)}:${state.port} to ${ipToString(addr)}:${a.Port}`,
        );
        updatesNode = true;
      } else {
        this.#log.error(
          `memberlist: conflicting address for ${state.name}. Mine: ${ipToString(state.addr)}:${state.port} Theirs: ${ipToString(addr)}:${a.Port} Old state: ${state.state}`,
        );
        c.conflict?.notifyConflict(info(state), this.#infoOf(a));
        return;
      }
    }

    const isLocalNode = state.name === c.name;
    if (a.Incarnation <= state.incarnation && !isLocalNode && !updatesNode) return;
    if (a.Incarnation < state.incarnation && isLocalNode) return;

    this.#stopSuspicion(a.Node);
    const oldState = state.state;
    const oldMeta = state.meta;

    if (!bootstrap && isLocalNode) {
      const versions = Uint8Array.of(state.pMin, state.pMax, state.pCur, state.dMin, state.dMax, state.dCur);
      if (a.Incarnation === state.incarnation && bytesEqual(a.Meta, state.meta) && bytesEqual(vsn, versions)) return;
      this.#refute(state, a.Incarnation);
      this.#log.warn(`memberlist: refuting an alive message for '${a.Node}'`);
    } else {
      this.#queueBroadcast(a.Node, encodeMessage(MessageType.alive, AliveCodec, a), notify);
      if (vsn.length > 0) {
        [state.pMin, state.pMax, state.pCur, state.dMin, state.dMax, state.dCur] = [
          vsn[0] ?? 0,
          vsn[1] ?? 0,
          vsn[2] ?? 0,
          vsn[3] ?? 0,
          vsn[4] ?? 0,
          vsn[5] ?? 0,
        ];
      }
      state.incarnation = a.Incarnation;
      state.meta = a.Meta;
      state.addr = addr;
      state.port = a.Port;
      if (state.state !== StateAlive) {
        state.state = StateAlive;
        state.stateChange = this.#clock.now();
      }
    }

    const events = c.events;
    if (events) {
      if (oldState === StateDead || oldState === StateLeft) events.notifyJoin?.(info(state));
      else if (!bytesEqual(oldMeta, state.meta)) events.notifyUpdate?.(info(state));
    }
  }

  #infoOf(a: Alive): NodeInfo {
    const vsn = a.Vsn ?? new Uint8Array(0);
    return {
      name: a.Node,
      addr: ipToString(a.Addr),
      addrBytes: a.Addr ?? new Uint8Array(0),
      port: a.Port,
      meta: a.Meta,
      state: StateAlive,
      incarnation: a.Incarnation,
      pMin: vsn[0] ?? 0,
      pMax: vsn[1] ?? 0,
      pCur: vsn[2] ?? 0,
      dMin: vsn[3] ?? 0,
      dMax: vsn[4] ?? 0,
      dCur: vsn[5] ?? 0,
    };
  }

  #stopSuspicion(name: string) {
    const timer = this.#nodeTimers.get(name);
    if (timer) {
      timer.stop();
      this.#nodeTimers.delete(name);
    }
  }

  #suspectNode(s: Suspect) {
    const c = this.config;
    const state = this.#nodeMap.get(s.Node);
    if (!state) return;
    if (s.Incarnation < state.incarnation) return;

    const timer = this.#nodeTimers.get(s.Node);
    if (timer) {
      if (timer.confirm(s.From)) this.#queueBroadcast(s.Node, encodeMessage(MessageType.suspect, SuspectCodec, s));
      return;
    }
    if (state.state !== StateAlive) return;

    if (state.name === c.name) {
      this.#refute(state, s.Incarnation);
      this.#log.warn(`memberlist: refuting a suspect message (from: ${s.From})`);
      return;
    }
    this.#queueBroadcast(s.Node, encodeMessage(MessageType.suspect, SuspectCodec, s));

    state.incarnation = s.Incarnation;
    state.state = StateSuspect;
    const changeTime = this.#clock.now();
    state.stateChange = changeTime;

    // k confirmations expected; none when there are not enough other nodes to give them.
    let k = c.suspicionMult - 2;
    const n = this.#nodes.length;
    if (n - 2 < k) k = 0;
    const min = suspicionTimeout(c.suspicionMult, n, c.probeIntervalMs);
    const max = c.suspicionMaxTimeoutMult * min;
    const onTimeout = (numConfirmations: number) => {
      const cur = this.#nodeMap.get(s.Node);
      if (this.#nodeTimers.get(s.Node) === suspicion) this.#nodeTimers.delete(s.Node);
      if (!cur || cur.state !== StateSuspect || cur.stateChange !== changeTime) return;
      this.#log.info(`memberlist: marking ${cur.name} as failed, suspect timeout reached (${numConfirmations} peer confirmations)`);
      this.#deadNode({ Incarnation: cur.incarnation, Node: cur.name, From: c.name });
    };
    const suspicion = new Suspicion(s.From, k, min, max, onTimeout, this.#clock);
    this.#nodeTimers.set(s.Node, suspicion);
  }

  #deadNode(d: Dead) {
    const c = this.config;
    const state = this.#nodeMap.get(d.Node);
    if (!state) return;
    if (d.Incarnation < state.incarnation) return;
    this.#stopSuspicion(d.Node);
    if (deadOrLeft(state)) return;

    if (state.name === c.name) {
      if (!this.#left) {
        this.#refute(state, d.Incarnation);
        this.#log.warn(`memberlist: refuting a dead message (from: ${d.From})`);
        return;
      }
      this.#queueBroadcast(d.Node, encodeMessage(MessageType.dead, DeadCodec, d), () => this.#leaveNotify?.());
    } else {
      this.#queueBroadcast(d.Node, encodeMessage(MessageType.dead, DeadCodec, d));
    }

    state.incarnation = d.Incarnation;
    state.state = d.Node === d.From ? StateLeft : StateDead;
    state.stateChange = this.#clock.now();
    c.events?.notifyLeave?.(info(state));
  }

  #mergeState(remote: PushNodeState[]) {
    for (const r of remote) {
      switch (r.State) {
        case StateAlive:
          this.#aliveNode(
            { Incarnation: r.Incarnation, Node: r.Name, Addr: r.Addr, Port: r.Port, Meta: r.Meta, Vsn: r.Vsn },
            undefined,
            false,
          );
          break;
        case StateLeft:
          this.#deadNode({ Incarnation: r.Incarnation, Node: r.Name, From: r.Name });
          break;
        case StateDead:
        // A node another peer thinks dead is only suspected here.
        case StateSuspect:
          this.#suspectNode({ Incarnation: r.Incarnation, Node: r.Name, From: this.config.name });
          break;
      }
    }
  }

  #verifyProtocol(remote: PushNodeState[]) {
    let maxpmin = 0;
    let minpmax = 255;
    let maxdmin = 0;
    let mindmax = 255;
    for (const rn of remote) {
      if (rn.State !== StateAlive) continue;
      const v = rn.Vsn;
      if (!v || v.length === 0) continue;
      maxpmin = Math.max(maxpmin, v[0] ?? 0);
      minpmax = Math.min(minpmax, v[1] ?? 0);
      maxdmin = Math.max(maxdmin, v[3] ?? 0);
      mindmax = Math.min(mindmax, v[4] ?? 0);
    }
    for (const n of this.#nodes) {
      if (n.state !== StateAlive) continue;
      maxpmin = Math.max(maxpmin, n.pMin);
      minpmax = Math.min(minpmax, n.pMax);
      maxdmin = Math.max(maxdmin, n.dMin);
      mindmax = Math.min(mindmax, n.dMax);
    }
    const check = (name: string, pCur: number, dCur: number) => {
      if (pCur < maxpmin || pCur > minpmax) {
        throw new Error(`Node '${name}' protocol version (${pCur}) is incompatible: [${maxpmin}, ${minpmax}]`);
      }
      if (dCur < maxdmin || dCur > mindmax) {
        throw new Error(`Node '${name}' delegate protocol version (${dCur}) is incompatible: [${maxdmin}, ${mindmax}]`);
      }
    };
    for (const n of remote) {
      const v = n.Vsn;
      check(n.Name, v && v.length > 0 ? (v[2] ?? 0) : 0, v && v.length > 0 ? (v[5] ?? 0) : 0);
    }
    for (const n of this.#nodes) check(n.name, n.pCur, n.dCur);
  }

  #mergeRemoteState(join: boolean, remote: PushNodeState[], userState: Uint8Array | null, initiated: boolean) {
    this.#verifyProtocol(remote);
    const merge = this.config.merge;
    if (join && merge) {
      const nodes = remote.map((n): NodeInfo => {
        const v = n.Vsn ?? new Uint8Array(0);
        return {
          name: n.Name,
          addr: ipToString(n.Addr),
          addrBytes: n.Addr ?? new Uint8Array(0),
          port: n.Port,
          meta: n.Meta,
          state: n.State as NodeStateType,
          incarnation: n.Incarnation,
          pMin: v[0] ?? 0,
          pMax: v[1] ?? 0,
          pCur: v[2] ?? 0,
          dMin: v[3] ?? 0,
          dMax: v[4] ?? 0,
          dCur: v[5] ?? 0,
        };
      });
      const error = merge.notifyMerge(nodes, initiated);
      if (error) throw new Error(error);
    }
    this.#mergeState(remote);
    if (userState && this.config.delegate?.mergeRemoteState) this.config.delegate.mergeRemoteState(userState, join);
  }

  #anyAlive(): boolean {
    return this.#nodes.some((n) => !deadOrLeft(n) && n.name !== this.config.name);
  }

  // -------------------------------------------------------------------------------------------
  // Streams

  async #dial(addr: string, timeoutMs: number): Promise<StreamConn> {
    const conn = await this.config.transport.dial(addr, timeoutMs);
    if (this.config.label !== "") {
      try {
        await conn.write(labelHeader(this.config.label));
      } catch (error) {
        conn.close();
        throw error;
      }
    }
    return conn;
  }

  /** Compresses (always, when compression is on) and writes one message in one write. */
  async #rawSendMsgStream(conn: StreamConn, msg: Uint8Array) {
    if (this.config.enableCompression) msg = compressPayload(msg);
    await conn.write(msg);
  }

  /** The message type, and a reader positioned after it (decompressed when it came compressed). */
  async #readStream(reader: StreamReader): Promise<{ type: number; src: StreamReader }> {
    let type = await reader.readByte();
    if (type === MessageType.encrypt) throw new Error("remote state is encrypted and encryption is not configured");
    if (type === MessageType.compress) {
      const c = CompressCodec.fromValue(await reader.readValue());
      const plain = decompressBuffer(c.Algo, c.Buf);
      if (plain.length === 0) throw new EOFError("empty compressed stream message");
      type = plain[0]!;
      return { type, src: StreamReader.fromBytes(plain.subarray(1)) };
    }
    return { type, src: reader };
  }

  async #readRemoteState(src: StreamReader): Promise<{ join: boolean; nodes: PushNodeState[]; userState: Uint8Array | null }> {
    const header = PushPullHeaderCodec.fromValue(await src.readValue());
    const nodes: PushNodeState[] = [];
    for (let i = 0; i < header.Nodes; i++) nodes.push(PushNodeStateCodec.fromValue(await src.readValue()));
    let userState: Uint8Array | null = null;
    if (header.UserStateLen > 0) userState = await src.readExact(header.UserStateLen);
    for (const n of nodes) if (this.config.protocolVersion < 2 || n.Port === 0) n.Port = this.config.bindPort;
    return { join: header.Join, nodes, userState };
  }

  #encodeLocalState(join: boolean): Uint8Array {
    const userData = this.config.delegate?.localState?.(join) ?? null;
    const parts: Uint8Array[] = [
      Uint8Array.of(MessageType.pushPull),
      PushPullHeaderCodec.encode({ Nodes: this.#nodes.length, UserStateLen: userData?.length ?? 0, Join: join }),
    ];
    for (const n of this.#nodes) {
      parts.push(
        PushNodeStateCodec.encode({
          Name: n.name,
          Addr: n.addr,
          Port: n.port,
          Meta: n.meta,
          Incarnation: n.incarnation,
          State: n.state,
          Vsn: Uint8Array.of(n.pMin, n.pMax, n.pCur, n.dMin, n.dMax, n.dCur),
        }),
      );
    }
    if (userData) parts.push(userData);
    return concat(parts);
  }

  async #sendAndReceiveState(
    addr: string,
    join: boolean,
  ): Promise<{ nodes: PushNodeState[]; userState: Uint8Array | null }> {
    const conn = await this.#dial(addr, this.config.tcpTimeoutMs);
    try {
      await this.#rawSendMsgStream(conn, this.#encodeLocalState(join));
      const reader = new StreamReader(conn, this.#clock);
      reader.setDeadline(this.#clock.now() + this.config.tcpTimeoutMs);
      const { type, src } = await this.#readStream(reader);
      if (type === MessageType.err) {
        const resp = ErrCodec.fromValue(await src.readValue());
        throw new Error(`remote error: ${resp.Error}`);
      }
      if (type !== MessageType.pushPull) {
        throw new Error(`received invalid msgType (${type}), expected pushPullMsg (${MessageType.pushPull})`);
      }
      const { nodes, userState } = await this.#readRemoteState(src);
      return { nodes, userState };
    } finally {
      conn.close();
    }
  }

  async #sendPingAndWaitForAck(addr: string, ping: Ping, deadline: number): Promise<boolean> {
    let conn: StreamConn;
    try {
      conn = await this.#dial(addr, Math.max(1, deadline - this.#clock.now()));
    } catch {
      // A dead node is expected to refuse; that is no error worth reporting.
      return false;
    }
    try {
      await this.#rawSendMsgStream(conn, encodeMessage(MessageType.ping, PingCodec, ping));
      const reader = new StreamReader(conn, this.#clock);
      reader.setDeadline(deadline);
      const { type, src } = await this.#readStream(reader);
      if (type !== MessageType.ackResp) throw new Error(`unexpected msgType (${type}) from ping`);
      const ack = AckCodec.fromValue(await src.readValue());
      if (ack.SeqNo !== ping.SeqNo) {
        throw new Error(`sequence number from ack (${ack.SeqNo}) doesn't match ping (${ping.SeqNo})`);
      }
      return true;
    } finally {
      conn.close();
    }
  }

  async #handleConn(conn: StreamConn) {
    if (this.#shutdown) {
      conn.close();
      return;
    }
    const c = this.config;
    const reader = new StreamReader(conn, this.#clock);
    reader.setDeadline(this.#clock.now() + c.tcpTimeoutMs);
    try {
      let label = "";
      try {
        label = await this.#removeStreamLabel(reader);
      } catch (error) {
        this.#log.error(`memberlist: failed to receive and remove the stream label header: ${(error as Error).message}`, {
          from: conn.remoteAddr,
        });
        return;
      }
      if (c.skipInboundLabelCheck) label = c.label;
      if (label !== c.label) {
        this.#log.error(`memberlist: discarding stream with unacceptable label "${label}"`, { from: conn.remoteAddr });
        return;
      }

      let type: number;
      let src: StreamReader;
      try {
        ({ type, src } = await this.#readStream(reader));
      } catch (error) {
        if (!(error instanceof EOFError && error.message === "EOF")) {
          this.#log.error(`memberlist: failed to receive: ${(error as Error).message}`, { from: conn.remoteAddr });
          const out = encodeMessage(MessageType.err, ErrCodec, { Error: (error as Error).message });
          await this.#rawSendMsgStream(conn, out).catch(() => {});
        }
        return;
      }

      switch (type) {
        case MessageType.user: {
          const header = UserMsgHeaderCodec.fromValue(await src.readValue());
          if (header.UserMsgLen > 0) c.delegate?.notifyMsg?.(await src.readExact(header.UserMsgLen));
          return;
        }
        case MessageType.pushPull: {
          this.#pushPullRequests++;
          try {
            if (this.#pushPullRequests >= maxPushPullRequests) {
              this.#log.error("memberlist: too many pending push/pull requests");
              return;
            }
            const remote = await this.#readRemoteState(src);
            await this.#rawSendMsgStream(conn, this.#encodeLocalState(remote.join));
            this.#mergeRemoteState(remote.join, remote.nodes, remote.userState, false);
          } finally {
            this.#pushPullRequests--;
          }
          return;
        }
        case MessageType.ping: {
          const p = PingCodec.fromValue(await src.readValue());
          if (p.Node !== "" && p.Node !== c.name) {
            this.#log.warn(`memberlist: got ping for unexpected node ${p.Node}`, { from: conn.remoteAddr });
            return;
          }
          await this.#rawSendMsgStream(conn, encodeMessage(MessageType.ackResp, AckCodec, { SeqNo: p.SeqNo, Payload: null }));
          return;
        }
        default:
          this.#log.error(`memberlist: received invalid msgType (${type})`, { from: conn.remoteAddr });
      }
    } catch (error) {
      this.#log.error(`memberlist: stream failed: ${(error as Error).message}`, { from: conn.remoteAddr });
    } finally {
      conn.close();
    }
  }

  /** Reads a label header off a stream, if there is one; "" when there is none. */
  async #removeStreamLabel(reader: StreamReader): Promise<string> {
    const first = await reader.peek(1);
    if (!first || first[0] !== MessageType.hasLabel) return "";
    const two = await reader.peek(2);
    if (!two) throw new Error("cannot decode label; stream has been truncated");
    const size = two[1]!;
    if (size < 1) throw new Error("label header cannot be empty when present");
    const whole = await reader.peek(2 + size);
    if (!whole) throw new Error("cannot decode label; stream has been truncated");
    await reader.readExact(2 + size);
    return new TextDecoder().decode(whole.subarray(2));
  }

  // -------------------------------------------------------------------------------------------
  // Join, leave, shutdown

  /**
   * Push/pulls with every address ("ip:port", "host:port" or "name/host:port"; the port defaults
   * to bindPort) in turn. Succeeds when at least one did.
   */
  async join(existing: string[]): Promise<JoinResult> {
    let joined = 0;
    const errors: string[] = [];
    for (const entry of existing) {
      let addrs: string[];
      try {
        addrs = await this.#resolveAddr(entry);
      } catch (error) {
        errors.push(`failed to resolve ${entry}: ${(error as Error).message}`);
        continue;
      }
      for (const addr of addrs) {
        try {
          await this.#pushPullNode(addr, true);
          joined++;
        } catch (error) {
          const message = `failed to join ${addr}: ${(error as Error).message}`;
          this.#log.debug(`memberlist: ${message}`);
          errors.push(message);
        }
      }
    }
    if (joined > 0 || errors.length === 0) return { joined };
    return { joined, error: new Error(errors.length === 1 ? errors[0] : `${errors.length} errors occurred:\n\t* ${errors.join("\n\t* ")}`) };
  }

  async #resolveAddr(hostStr: string): Promise<string[]> {
    const slash = hostStr.indexOf("/");
    if (slash === 0) throw new Error("empty node name provided");
    if (slash > 0) hostStr = hostStr.slice(slash + 1);
    const { host, port } = splitHostPort(ensurePort(hostStr, this.config.bindPort));
    if (parseIP(host)) return [joinHostPort(host, port)];
    if (!this.config.resolveHost) throw new Error(`no resolver for host ${host}`);
    const ips = await this.config.resolveHost(host);
    return ips.map((ip) => joinHostPort(ip, port));
  }

  /**
   * Marks this node Left and gossips it; waits until that message has gone out its retransmit
   * limit (or timeoutMs), when there is anyone to tell.
   */
  async leave(timeoutMs: number) {
    if (this.#shutdown) throw new Error("leave after shutdown");
    if (this.#left) return;
    this.#left = true;
    const state = this.#nodeMap.get(this.config.name);
    if (!state) {
      this.#log.warn("memberlist: leave but we're not in the node map");
      return;
    }
    const finished = new Promise<void>((resolve) => (this.#leaveNotify = resolve));
    this.#deadNode({ Incarnation: state.incarnation, Node: state.name, From: state.name });
    if (this.#anyAlive()) await this.#waitOrTimeout(finished, timeoutMs, "timeout waiting for leave broadcast");
  }

  /** Stops the transport and every timer; sends nothing (peers find out by probing). */
  async shutdown() {
    if (this.#shutdown) return;
    this.#shutdown = true;
    try {
      await this.config.transport.shutdown();
    } catch (error) {
      this.#log.error(`failed to shutdown transport: ${(error as Error).message}`);
    }
    for (const stop of this.#tickers) stop();
    this.#tickers = [];
    for (const handle of this.#otherTimers) this.#clock.clearTimeout(handle);
    this.#otherTimers.clear();
    this.#ackHandlers.clear();
    for (const timer of this.#nodeTimers.values()) timer.stop();
    this.#nodeTimers.clear();
  }

  get hasLeft(): boolean {
    return this.#left;
  }

  get hasShutdown(): boolean {
    return this.#shutdown;
  }
}

