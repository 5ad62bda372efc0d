// Which peers own a key (ckit:shard/shard.go with shard.Ring(512), Alloy's sharder): two rings,
// one of the nodes that may serve reads (participants and terminating nodes), one of those that may
// also take writes (participants). Viewers are in neither and are not listed.
import { byName, StateParticipant, StateTerminating, type Peer } from "./peer.ts";
import { HashRing } from "./ring.ts";

/** How a looked-up key will be used (shard.Op). */
export type LookupOp = "read" | "readwrite";

/** Tokens per node in Alloy's ring (cluster service: shard.Ring(512)). */
export const defaultNumTokens = 512;

export class RingSharder {
  readonly #read: HashRing;
  readonly #readWrite: HashRing;
  #peers = new Map<string, Peer>();
  #sorted: readonly Peer[] = [];

  constructor(numTokens = defaultNumTokens) {
    this.#read = new HashRing(numTokens);
    this.#readWrite = new HashRing(numTokens);
  }

  /** Replaces the peers the rings are built from; viewers (and unknown states) are left out. */
  setPeers(peers: readonly Peer[]): void {
    const sorted = [...peers].sort(byName);
    const kept = new Map<string, Peer>();
    const read: string[] = [];
    const readWrite: string[] = [];
    for (const p of sorted) {
      if (p.state === StateParticipant) {
        read.push(p.name);
        readWrite.push(p.name);
        kept.set(p.name, p);
      } else if (p.state === StateTerminating) {
        read.push(p.name);
        kept.set(p.name, p);
      }
    }
    this.#read.setNodes(read);
    this.#readWrite.setNodes(readWrite);
    this.#peers = kept;
    this.#sorted = [...kept.values()];
  }

  /** The non-viewer peers, sorted by name. */
  peers(): Peer[] {
    return [...this.#sorted];
  }

  /**
   * The numOwners peers that own key for op, first owner first. Throws `not enough nodes: need at
   * least N, have M` when fewer peers are eligible.
   */
  lookup(key: bigint, numOwners: number, op: LookupOp): Peer[] {
    let ring: HashRing;
    if (op === "read") ring = this.#read;
    else if (op === "readwrite") ring = this.#readWrite;
    else throw new Error(`unknown op ${String(op)}`);
    return ring.get(key, numOwners).map((name) => this.#peers.get(name)!);
  }
}
