// A ckit node (ckit:node.go): a memberlist member that also gossips each node's life-cycle state
// (viewer → participant → terminating) ordered by a Lamport clock, keeps the peer list, feeds the
// hash ring and tells observers when the peer list changes. Wire-compatible with Go ckit, so TS and
// Go Alloy nodes can share a cluster.
//
//   const node = await CkitNode.create({ name, advertiseAddr: "10.0.0.1:12345", clusterName, transport });
//   // mount node.handler(request, connection) for paths under ckitBaseRoute on the HTTP server
//   await node.start(["10.0.0.2:12345"]);        // [] bootstraps a cluster alone
//   await node.changeState(StateParticipant);
//   node.lookup(stringKey("some-key"), 1, "readwrite");
//   await node.stop();
import type { Registerer } from "../../../runtime/metrics/registry.ts";
import { abortable } from "../../../runtime/signal.ts";
import { type Clock } from "../memberlist/clock.ts";
import {
  ckitOverrides,
  defaultLANConfig,
  silentLogger,
  type Logger,
  type MemberlistConfig,
  type NodeInfo,
} from "../memberlist/config.ts";
import { Http2Transport, type RequestConnection } from "../memberlist/http2-transport.ts";
import { Memberlist } from "../memberlist/memberlist.ts";
import { TransmitLimitedQueue } from "../memberlist/queue.ts";
import type { Transport } from "../memberlist/transport.ts";
import { joinHostPort, parseIP, splitHostPort } from "../memberlist/util.ts";
import { LamportClock } from "./lamport.ts";
import {
  decodeLocalState,
  decodeState,
  describeState,
  encodeLocalState,
  parseMessage,
  stateBroadcast,
  type StateMessage,
} from "./messages.ts";
import { CkitMetrics, gossipEvent } from "./metrics.ts";
import { findNameClash, NodeNameConflictError, type NameClash } from "./name-clash.ts";
import { ObserverQueue, type Observer } from "./observers.ts";
import {
  byName,
  isValidTransition,
  stateName,
  StateTransitionError,
  StateViewer,
  type Peer,
  type PeerState,
} from "./peer.ts";
import { defaultNumTokens, RingSharder, type LookupOp } from "./sharder.ts";

/** Memberlist settings a node's owner may change (tests shorten the intervals). */
export type MemberlistOverrides = Partial<
  Omit<
    MemberlistConfig,
    "name" | "transport" | "advertiseAddr" | "advertisePort" | "label" | "delegate" | "events" | "conflict" | "merge" | "logger"
  >
>;

export interface CkitNodeOptions {
  /** Unique across the cluster (Alloy's --cluster.node-name). */
  name: string;
  /** "host:port" other nodes reach this one at: the HTTP server the handler is mounted on. */
  advertiseAddr: string;
  /** The memberlist label (Alloy's --cluster.name); nodes with another label are kept out. */
  clusterName?: string;
  /** Http2Transport on an agent; NetTransport works too. The node owns it and shuts it down. */
  transport: Transport;
  logger?: Logger;
  /** Where the cluster_* metrics are registered; unregistered by stop(). */
  registerer?: Registerer;
  /** Tokens per node in the hash ring; Alloy uses 512. */
  numTokens?: number;
  /** Resolves a host name in advertiseAddr or a join address; literal IPs need none. */
  resolveHost?: (host: string) => Promise<string[]>;
  /** How long stop() waits for its leave to be gossiped; ckit uses 5s. */
  leaveTimeoutMs?: number;
  /** Applied over memberlist's DefaultLANConfig and ckit's overrides. */
  memberlist?: MemberlistOverrides;
  /** Times the observer rounds; the memberlist clock when absent. */
  clock?: Clock;
}

/** Returned by start() after stop(); a stopped node cannot be reused (ckit's ErrStopped). */
export class NodeStoppedError extends Error {
  constructor() {
    super("node stopped");
    this.name = "NodeStoppedError";
  }
}

export class CkitNode {
  readonly name: string;
  /** "ip:port" as advertised to peers. */
  readonly advertiseAddr: string;
  readonly clusterName: string;
  readonly metrics: CkitMetrics;

  readonly #log: Logger;
  readonly #transport: Transport;
  readonly #registerer: Registerer | undefined;
  readonly #leaveTimeoutMs: number;
  readonly #clock = new LamportClock();
  readonly #sharder: RingSharder;
  readonly #observers: ObserverQueue;
  readonly #broadcasts: TransmitLimitedQueue;
  #ml!: Memberlist;

  #localState: PeerState = StateViewer;
  /** The newest state message per node name; may name nodes that are not (or no longer) peers. */
  readonly #peerStates = new Map<string, StateMessage>();
  /** The current members and their states. */
  readonly #peers = new Map<string, Peer>();
  #peerList: readonly Peer[] = [];

  #stopped = false;
  /** Serializes start() calls, as ckit's shutdown mutex does. */
  #starting: Promise<unknown> = Promise.resolve();
  /** Set while start() joins: push/pulls this node initiates are then its own join. */
  #joining = false;
  #clash: NameClash | undefined;

  private constructor(options: CkitNodeOptions, advertiseAddr: string, retransmitMult: number) {
    this.name = options.name;
    this.advertiseAddr = advertiseAddr;
    this.clusterName = options.clusterName ?? "";
    this.#log = options.logger ?? silentLogger;
    this.#transport = options.transport;
    this.#registerer = options.registerer;
    this.#leaveTimeoutMs = options.leaveTimeoutMs ?? 5000;
    this.#sharder = new RingSharder(options.numTokens ?? defaultNumTokens);
    // ckit retransmits its state messages as often as memberlist does, scaled by the peer count.
    this.#broadcasts = new TransmitLimitedQueue(() => this.#peers.size, retransmitMult);
    this.metrics = new CkitMetrics(
      this.clusterName,
      {
        protocolVersion: () => this.#ml.config.protocolVersion,
        healthScore: () => this.#ml.healthScore(),
        aliveMembers: () => this.#ml.numMembers(),
        lamportTime: () => this.#clock.now(),
      },
      options.transport instanceof Http2Transport ? options.transport : undefined,
    );
    this.#observers = new ObserverQueue(
      this.#log,
      {
        observers: (n) => this.metrics.nodeObservers.set(n),
        updating: (active) => this.metrics.nodeUpdating.set(active ? 1 : 0),
        duration: (seconds) => this.metrics.nodeUpdateDuration.observe(seconds),
      },
      options.clock ?? options.memberlist?.clock,
    );
  }

  /** Validates the options and starts memberlist (listening, alone) without joining anyone. */
  static async create(options: CkitNodeOptions): Promise<CkitNode> {
    if (!options.name) throw new Error("node name is required");
    if (!options.advertiseAddr) throw new Error("advertise address is required");
    let host: string;
    let port: number;
    try {
      ({ host, port } = splitHostPort(options.advertiseAddr));
    } catch (error) {
      throw new Error(`failed to read advertise address: ${(error as Error).message}`);
    }
    const ip = await resolveAdvertiseHost(host, options.resolveHost);
    const overrides = definedOnly(options.memberlist ?? {});
    const retransmitMult = overrides.retransmitMult ?? defaultLANConfig().retransmitMult;
    const node = new CkitNode(options, joinHostPort(ip, port), retransmitMult);
    try {
      node.#ml = await Memberlist.create({
        ...ckitOverrides,
        ...overrides,
        ...(options.resolveHost ? { resolveHost: options.resolveHost } : {}),
        name: options.name,
        transport: options.transport,
        advertiseAddr: ip,
        advertisePort: port,
        label: node.clusterName,
        logger: node.#log,
        delegate: {
          nodeMeta: () => null,
          notifyMsg: (raw) => node.#notifyMsg(raw),
          getBroadcasts: (overhead, limit) => node.#broadcasts.getBroadcasts(overhead, limit),
          localState: () => node.#encodeLocalState(),
          mergeRemoteState: (buf) => node.#mergeRemoteState(buf),
        },
        events: {
          notifyJoin: (n) => node.#notifyJoinOrUpdate(n, gossipEvent.nodeJoin),
          notifyUpdate: (n) => node.#notifyJoinOrUpdate(n, gossipEvent.nodeUpdate),
          notifyLeave: (n) => node.#notifyLeave(n),
        },
        conflict: { notifyConflict: (existing, other) => node.#notifyConflict(existing, other) },
        merge: { notifyMerge: (remote, initiated) => node.#checkMerge(remote, initiated) },
      });
    } catch (error) {
      throw new Error(`failed to create memberlist: ${(error as Error).message}`);
    }
    options.registerer?.register(node.metrics);
    return node;
  }

  // -------------------------------------------------------------------------------------------
  // Public API

  /** This node's own state; other nodes may not have heard of it yet. */
  get currentState(): PeerState {
    return this.#localState;
  }

  /** Every known peer, this node included, whatever its state, sorted by name. */
  peers(): Peer[] {
    return [...this.#peerList];
  }

  /** The peers that take part in sharding (not viewers), sorted by name. */
  shardPeers(): Peer[] {
    return this.#sharder.peers();
  }

  /**
   * The numOwners owners of key: for "read", among participants and terminating nodes; for
   * "readwrite", among participants only. Throws `not enough nodes: need at least N, have M`.
   */
  lookup(key: bigint, numOwners: number, op: LookupOp): Peer[] {
    return this.#sharder.lookup(key, numOwners, op);
  }

  /**
   * Calls observer with the peer list whenever it changes (only the newest list, only when it
   * differs from the last one delivered), after start(). Returns a function that unregisters it.
   */
  observe(observer: Observer): () => void {
    return this.#observers.add(observer);
  }

  /** Answers ckit's transport routes (under ckitBaseRoute) for the HTTP server. */
  handler(request: Request, connection?: RequestConnection): Promise<Response> {
    if (this.#transport instanceof Http2Transport) return this.#transport.handler(request, connection);
    return Promise.resolve(new Response("404 page not found\n", { status: 404 }));
  }

  /**
   * Joins the cluster through peers ("ip:port" each, tried in turn); with none, the node runs as a
   * cluster of its own. May be called again to rejoin. Rejects with `failed to join memberlist: …`
   * when no peer could be joined, and with a NodeNameConflictError when the cluster already has a
   * live member by a name this node brings (its own, normally): nothing of that cluster is merged,
   * so a node that was alone stays alone and can bootstrap with start([]).
   */
  start(peers: readonly string[]): Promise<void> {
    const run = this.#starting.then(() => this.#start(peers));
    this.#starting = run.catch(() => {});
    return run;
  }

  async #start(peers: readonly string[]) {
    if (this.#stopped) throw new NodeStoppedError();
    this.#observers.start();
    this.#joining = true;
    this.#clash = undefined;
    let result;
    try {
      result = await this.#ml.join([...peers]);
    } finally {
      this.#joining = false;
    }
    const clash = this.#clash as NameClash | undefined;
    if (clash) {
      this.#log.warn("refusing to join: a live member of that cluster already has the name", {
        name: clash.name,
        holder: clash.remoteAddr,
        advertise_addr: clash.localAddr,
      });
      throw new NodeNameConflictError(clash.name, clash.remoteAddr, clash.localAddr);
    }
    if (result.error) throw new Error(`failed to join memberlist: ${result.error.message}`);
  }

  /**
   * Moves this node to another state: viewer → participant → terminating only, else
   * `invalid transition from X to Y`. The change is stored and gossiped at once; when there are
   * other peers, the promise resolves once the message has been sent its full retransmit count (or
   * rejects with the signal's reason when it aborts first; the change stands either way).
   */
  async changeState(to: PeerState, signal?: AbortSignal): Promise<void> {
    const from = this.#localState;
    if (!isValidTransition(from, to)) throw new StateTransitionError(from, to);
    this.#log.debug("changing node state", { from: stateName(from), to: stateName(to) });
    let broadcastDone!: () => void;
    const sent = new Promise<void>((resolve) => (broadcastDone = resolve));
    this.#localState = to;
    this.metrics.infoState = stateName(to);
    const msg: StateMessage = { nodeName: this.name, newState: to, time: this.#clock.tick() };
    // Stored directly, not through the receive path, so that the clock ticks once per change.
    this.#storePeerState(msg);
    this.#broadcasts.queueBroadcast(stateBroadcast(msg, broadcastDone));
    // Alone, there is nobody to wait for.
    if (this.#peers.size <= 1) return;
    await abortable(sent, signal);
  }

  /** Leaves the cluster gracefully (gossips the leave, up to leaveTimeoutMs) and shuts down. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#observers.close();
    try {
      await this.#ml.leave(this.#leaveTimeoutMs);
    } catch (error) {
      this.#log.error("failed to broadcast leave message to cluster", { err: (error as Error).message });
    }
    await this.#ml.shutdown();
    // Anyone still waiting in changeState is released.
    this.#broadcasts.reset();
    this.#registerer?.unregister(this.metrics);
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** The memberlist underneath, for diagnostics and tests. */
  get memberlist(): Memberlist {
    return this.#ml;
  }

  // -------------------------------------------------------------------------------------------
  // Peer bookkeeping

  /** Rebuilds the sorted peer list, updates the gauges, the sharder, then queues it for observers. */
  #peersChanged() {
    const list = Object.freeze([...this.#peers.values()].sort(byName));
    this.metrics.setPeerCounts(list.map((p) => p.state));
    this.#sharder.setPeers(list);
    this.#peerList = list;
    this.#observers.enqueue(list);
  }

  #storePeerState(msg: StateMessage) {
    this.#peerStates.set(msg.nodeName, msg);
    const p = this.#peers.get(msg.nodeName);
    if (p) {
      this.#peers.set(msg.nodeName, { ...p, state: msg.newState });
      this.#peersChanged();
    }
  }

  /** A message about this node with the same time but another state: two instances collided. */
  #shouldRefute(cached: StateMessage, received: StateMessage): boolean {
    return received.nodeName === this.name && received.time === cached.time && received.newState !== cached.newState;
  }

  /**
   * The state message to keep, if msg is news: an older or equal one is ignored; a newer one about
   * this node (from an earlier run under the same name) is answered with our current state at a
   * fresh tick.
   */
  #acceptState(msg: StateMessage): StateMessage | undefined {
    const current = this.#peerStates.get(msg.nodeName);
    if (current && msg.time <= current.time && !this.#shouldRefute(current, msg)) return undefined;
    if (msg.nodeName === this.name) {
      this.#log.debug("got stale message about self", { msg: describeState(msg) });
      return { nodeName: this.name, newState: this.#localState, time: this.#clock.tick() };
    }
    this.#log.debug("handling state message", { msg: describeState(msg) });
    return msg;
  }

  // -------------------------------------------------------------------------------------------
  // memberlist delegates

  #notifyMsg(raw: Uint8Array) {
    let parsed;
    try {
      parsed = parseMessage(raw);
    } catch (error) {
      this.#log.error("failed to parse gossip message", { err: (error as Error).message });
      return;
    }
    // parseMessage knows only State messages, as ckit's Parse does.
    this.metrics.gossipEvents.with(gossipEvent.stateChange).inc();
    let msg: StateMessage;
    try {
      msg = decodeState(parsed.body);
    } catch (error) {
      this.#log.error("failed to decode state message", { err: (error as Error).message });
      return;
    }
    this.#clock.observe(msg.time);
    const accepted = this.#acceptState(msg);
    if (!accepted) return;
    this.#storePeerState(accepted);
    // Epidemic relay: what was news to us is passed on.
    this.#broadcasts.queueBroadcast(stateBroadcast(accepted));
    this.metrics.gossipBroadcasts.with(gossipEvent.stateChange).inc();
  }

  /** One state per current peer; peers that never sent one count as viewers at time 0. */
  #encodeLocalState(): Uint8Array {
    this.metrics.gossipEvents.with(gossipEvent.getLocalState).inc();
    const nodeStates = [...this.#peers.keys()].map(
      (name) => this.#peerStates.get(name) ?? { nodeName: name, newState: StateViewer, time: 0n },
    );
    return encodeLocalState({ currentTime: this.#clock.now(), nodeStates });
  }

  #mergeRemoteState(buf: Uint8Array) {
    let remote;
    try {
      remote = decodeLocalState(buf);
    } catch (error) {
      this.#log.error("failed to decode remote state", { err: (error as Error).message });
      return;
    }
    this.#clock.observe(remote.currentTime);
    this.#log.debug("merging remote state", { remote_time: remote.currentTime.toString() });
    this.metrics.gossipEvents.with(gossipEvent.mergeRemoteState).inc();
    const news: StateMessage[] = [];
    for (const msg of remote.nodeStates) {
      // Only states of peers both sides know survive a sync; the rest fade away.
      const p = this.#peers.get(msg.nodeName);
      if (!p) continue;
      const accepted = this.#acceptState(msg);
      if (!accepted) continue;
      this.#peerStates.set(accepted.nodeName, accepted);
      this.#peers.set(accepted.nodeName, { ...p, state: accepted.newState });
      news.push(accepted);
    }
    if (news.length > 0) this.#peersChanged();
    for (const msg of news) this.#broadcasts.queueBroadcast(stateBroadcast(msg));
  }

  #notifyJoinOrUpdate(node: NodeInfo, event: string) {
    this.metrics.gossipEvents.with(event).inc();
    this.#peers.set(node.name, {
      name: node.name,
      addr: joinHostPort(node.addr, node.port),
      self: node.name === this.name,
      state: this.#peerStates.get(node.name)?.newState ?? StateViewer,
    });
    this.#peersChanged();
  }

  #notifyLeave(node: NodeInfo) {
    this.metrics.gossipEvents.with(gossipEvent.nodeLeave).inc();
    this.#peers.delete(node.name);
    this.#peerStates.delete(node.name);
    this.#peersChanged();
  }

  #notifyConflict(existing: NodeInfo, other: NodeInfo) {
    this.metrics.gossipEvents.with(gossipEvent.nodeConflict).inc();
    this.#log.warn("node name conflict: a second node claims a name in use; it is ignored", {
      name: existing.name,
      holder: joinHostPort(existing.addr, existing.port),
      claimant: joinHostPort(other.addr, other.port),
    });
  }

  /**
   * Refuses a join push/pull that would bring a second live node under a name in use. As the joiner
   * (initiated), the other side's node is the holder and start() reports the clash; as the seed, our
   * node is the holder and the attempt is only logged and counted.
   */
  #checkMerge(remote: NodeInfo[], initiated: boolean): string | undefined {
    const ownJoin = initiated && this.#joining;
    if (ownJoin && this.#clash) {
      // Once our join found the name taken, no other address of that join may merge us in.
      return `node name ${JSON.stringify(this.#clash.name)} is already taken by the live member at ${this.#clash.remoteAddr}`;
    }
    const clash = findNameClash(this.#ml.allNodes(), remote);
    if (!clash) return undefined;
    this.metrics.gossipEvents.with(gossipEvent.nodeConflict).inc();
    if (initiated) {
      if (ownJoin) this.#clash = clash;
      return `node name ${JSON.stringify(clash.name)} is already taken by the live member at ${clash.remoteAddr}`;
    }
    this.#log.warn("refusing a joining node: its name is taken by a live member", {
      name: clash.name,
      holder: clash.localAddr,
      claimant: clash.remoteAddr,
    });
    return `node name ${JSON.stringify(clash.name)} is already taken by the live member at ${clash.localAddr}`;
  }
}

async function resolveAdvertiseHost(host: string, resolve?: (host: string) => Promise<string[]>): Promise<string> {
  if (parseIP(host)) return host.replace(/^\[|\]$/g, "");
  if (!resolve) throw new Error(`failed to lookup advertise address ${JSON.stringify(host)}: not an IP address`);
  let ips: string[];
  try {
    ips = await resolve(host);
  } catch (error) {
    throw new Error(`failed to lookup advertise address ${JSON.stringify(host)}: ${(error as Error).message}`);
  }
  const ip = ips.find((a) => parseIP(a));
  if (!ip) throw new Error(`failed to lookup advertise address ${JSON.stringify(host)}: no addresses found`);
  return ip;
}

function definedOnly<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
