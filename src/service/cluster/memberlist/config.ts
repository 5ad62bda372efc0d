// memberlist's configuration (memberlist:config.go DefaultLANConfig) and the delegates through
// which the layer above (ckit) plugs in: node metadata, user messages and state, events.
import type { Clock } from "./clock.ts";
import type { Transport } from "./transport.ts";
import { ProtocolVersion2Compatible } from "./wire.ts";

export const StateAlive = 0;
export const StateSuspect = 1;
export const StateDead = 2;
export const StateLeft = 3;
export type NodeStateType = 0 | 1 | 2 | 3;

export const stateNames: Record<NodeStateType, "alive" | "suspect" | "dead" | "left"> = {
  0: "alive",
  1: "suspect",
  2: "dead",
  3: "left",
};

/** What the engine tells delegates about a node (a snapshot). */
export interface NodeInfo {
  name: string;
  /** IP as text. */
  addr: string;
  /** IP as bytes (4 for IPv4, 16 for IPv6). */
  addrBytes: Uint8Array;
  port: number;
  meta: Uint8Array | null;
  state: NodeStateType;
  incarnation: number;
  pMin: number;
  pMax: number;
  pCur: number;
  dMin: number;
  dMax: number;
  dCur: number;
}

/** The delegate memberlist's users implement (memberlist:delegate.go). */
export interface Delegate {
  /** Metadata gossiped with our alive messages; at most limit bytes. */
  nodeMeta?(limit: number): Uint8Array | null;
  /** A user message arrived (by packet or stream); the type byte is already stripped. */
  notifyMsg?(msg: Uint8Array): void;
  /** User broadcasts to piggyback, each costing overhead extra bytes, within limit bytes. */
  getBroadcasts?(overhead: number, limit: number): Uint8Array[];
  /** Our user state for a push/pull. */
  localState?(join: boolean): Uint8Array | null;
  /** A peer's user state from a push/pull. */
  mergeRemoteState?(buf: Uint8Array, join: boolean): void;
}

export interface EventDelegate {
  notifyJoin?(node: NodeInfo): void;
  notifyLeave?(node: NodeInfo): void;
  notifyUpdate?(node: NodeInfo): void;
}

export interface ConflictDelegate {
  notifyConflict(existing: NodeInfo, other: NodeInfo): void;
}

export interface PingDelegate {
  ackPayload(): Uint8Array | null;
  notifyPingComplete(node: NodeInfo, rttMs: number, payload: Uint8Array | null): void;
}

export interface AliveDelegate {
  /** Return an error message to drop the alive message. */
  notifyAlive(node: NodeInfo): string | undefined;
}

export interface MergeDelegate {
  /**
   * Return an error message to refuse the merge (and fail the join). `initiated` tells whether this
   * node started the push/pull (it is the joiner) or answers one (it is the seed); Go's delegate
   * cannot tell, ckit's name check needs to.
   */
  notifyMerge(nodes: NodeInfo[], initiated: boolean): string | undefined;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface MemberlistConfig {
  /** Unique node name. */
  name: string;
  transport: Transport;
  /** IP we tell others to reach us at (the transport may refine it). */
  advertiseAddr: string;
  advertisePort: number;
  /** The default port of a join address without one, and of an indirect ping with port 0. */
  bindPort: number;
  /** The cluster label (Alloy's --cluster.name); "" for none. */
  label: string;
  skipInboundLabelCheck: boolean;

  protocolVersion: number;
  delegateProtocolVersion: number;
  delegateProtocolMin: number;
  delegateProtocolMax: number;

  tcpTimeoutMs: number;
  indirectChecks: number;
  retransmitMult: number;
  suspicionMult: number;
  suspicionMaxTimeoutMult: number;
  pushPullIntervalMs: number;
  pushPullNodes: number;
  probeIntervalMs: number;
  probeTimeoutMs: number;
  disableTcpPings: boolean;
  awarenessMaxMultiplier: number;
  gossipIntervalMs: number;
  gossipNodes: number;
  gossipToTheDeadTimeMs: number;
  enableCompression: boolean;
  handoffQueueDepth: number;
  /** Maximum bytes of a packet's payload (piggybacked broadcasts fill up to it). */
  udpBufferSize: number;
  /** 0 disables reclaiming a dead node's name from another address. */
  deadNodeReclaimTimeMs: number;

  delegate?: Delegate;
  events?: EventDelegate;
  conflict?: ConflictDelegate;
  ping?: PingDelegate;
  alive?: AliveDelegate;
  merge?: MergeDelegate;

  logger: Logger;
  clock?: Clock;
  /** Uniform in [0, 1); Math.random when absent. */
  random?: () => number;
  /** Resolves a host name to IPs for Join; literal IPs need none. */
  resolveHost?: (host: string) => Promise<string[]>;
}

export type MemberlistOptions = Partial<MemberlistConfig> & Pick<MemberlistConfig, "name" | "transport" | "advertiseAddr" | "advertisePort">;

/** memberlist's DefaultLANConfig, minus what each node must set. */
export function defaultLANConfig(): Omit<MemberlistConfig, "name" | "transport" | "advertiseAddr" | "advertisePort"> {
  return {
    bindPort: 7946,
    label: "",
    skipInboundLabelCheck: false,
    protocolVersion: ProtocolVersion2Compatible,
    delegateProtocolVersion: 0,
    delegateProtocolMin: 0,
    delegateProtocolMax: 0,
    tcpTimeoutMs: 10_000,
    indirectChecks: 3,
    retransmitMult: 4,
    suspicionMult: 4,
    suspicionMaxTimeoutMult: 6,
    pushPullIntervalMs: 30_000,
    pushPullNodes: 1,
    probeIntervalMs: 1000,
    probeTimeoutMs: 500,
    disableTcpPings: false,
    awarenessMaxMultiplier: 8,
    gossipIntervalMs: 200,
    gossipNodes: 3,
    gossipToTheDeadTimeMs: 30_000,
    enableCompression: true,
    handoffQueueDepth: 1024,
    udpBufferSize: 1400,
    deadNodeReclaimTimeMs: 0,
    logger: silentLogger,
  };
}

/** ckit's overrides of DefaultLANConfig (ckit:node.go NewNode). */
export const ckitOverrides = {
  probeIntervalMs: 5000,
  probeTimeoutMs: 2000,
  tcpTimeoutMs: 2000,
  disableTcpPings: true,
  udpBufferSize: 10 * 1024 * 1024,
} as const satisfies Partial<MemberlistConfig>;
