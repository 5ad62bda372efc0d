// memberlist's TransmitLimitedQueue (memberlist:queue.go): broadcasts waiting to be piggybacked
// or gossiped, each sent a limited number of times, the least-sent first.
import { retransmitLimit } from "./util.ts";

export interface Broadcast {
  /** The encoded message. */
  readonly message: Uint8Array;
  /**
   * A named broadcast replaces (and finishes) a queued one of the same name; memberlist names its
   * own by node name and ckit its state messages by node name.
   */
  readonly name?: string;
  /** A unique broadcast never invalidates another one. */
  readonly unique?: boolean;
  /** For unnamed, non-unique broadcasts: whether this one makes a queued one obsolete. */
  invalidates?(other: Broadcast): boolean;
  /** Called once when the broadcast leaves the queue: sent the limit, replaced, or reset. */
  finished(): void;
}

interface Entry {
  transmits: number;
  msgLen: number;
  id: number;
  b: Broadcast;
}

/** Fewer transmits first, then longer messages, then newer ones. */
function less(a: Entry, b: Entry): boolean {
  if (a.transmits !== b.transmits) return a.transmits < b.transmits;
  if (a.msgLen !== b.msgLen) return a.msgLen > b.msgLen;
  return a.id > b.id;
}

export class TransmitLimitedQueue {
  #entries: Entry[] = [];
  #byName = new Map<string, Entry>();
  #idGen = 0;

  constructor(
    readonly numNodes: () => number,
    readonly retransmitMult: number,
  ) {}

  get length(): number {
    return this.#entries.length;
  }

  queueBroadcast(b: Broadcast, initialTransmits = 0) {
    this.#idGen = this.#idGen === Number.MAX_SAFE_INTEGER ? 1 : this.#idGen + 1;
    const entry: Entry = { transmits: initialTransmits, msgLen: b.message.length, id: this.#idGen, b };
    if (b.name) {
      const old = this.#byName.get(b.name);
      if (old) {
        old.b.finished();
        this.#delete(old);
      }
    } else if (!b.unique && b.invalidates) {
      for (const cur of [...this.#entries]) {
        if (cur.b.name || cur.b.unique) continue;
        if (b.invalidates(cur.b)) {
          cur.b.finished();
          this.#delete(cur);
        }
      }
    }
    this.#insert(entry);
  }

  #insert(entry: Entry) {
    let lo = 0;
    let hi = this.#entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (less(this.#entries[mid]!, entry)) lo = mid + 1;
      else hi = mid;
    }
    this.#entries.splice(lo, 0, entry);
    if (entry.b.name) this.#byName.set(entry.b.name, entry);
  }

  #delete(entry: Entry) {
    const i = this.#entries.indexOf(entry);
    if (i >= 0) this.#entries.splice(i, 1);
    if (entry.b.name && this.#byName.get(entry.b.name) === entry) this.#byName.delete(entry.b.name);
  }

  /**
   * Takes broadcasts that fit in limit bytes, counting overhead for each, from the least-sent
   * tier up; each counts one transmit, and one that reaches the retransmit limit is finished.
   */
  getBroadcasts(overhead: number, limit: number): Uint8Array[] {
    if (this.#entries.length === 0) return [];
    const transmitLimit = retransmitLimit(this.retransmitMult, this.numNodes());
    let bytesUsed = 0;
    const toSend: Uint8Array[] = [];
    const reinsert: Entry[] = [];
    const minTr = this.#entries[0]!.transmits;
    const maxTr = this.#entries[this.#entries.length - 1]!.transmits;
    for (let transmits = minTr; transmits <= maxTr; ) {
      const free = limit - bytesUsed - overhead;
      if (free <= 0) break;
      const keep = this.#entries.find((e) => e.transmits === transmits && e.msgLen <= free);
      if (!keep) {
        transmits++;
        continue;
      }
      bytesUsed += overhead + keep.msgLen;
      toSend.push(keep.b.message);
      this.#delete(keep);
      if (keep.transmits + 1 >= transmitLimit) keep.b.finished();
      else {
        keep.transmits++;
        reinsert.push(keep);
      }
    }
    for (const e of reinsert) this.#insert(e);
    return toSend;
  }

  /** Finishes and drops everything. */
  reset() {
    for (const e of this.#entries) e.b.finished();
    this.#entries = [];
    this.#byName.clear();
    this.#idGen = 0;
  }

  /** Drops the most-sent entries until at most maxRetain are left. */
  prune(maxRetain: number) {
    while (this.#entries.length > maxRetain) {
      const e = this.#entries.pop()!;
      if (e.b.name && this.#byName.get(e.b.name) === e) this.#byName.delete(e.b.name);
      e.b.finished();
    }
  }

  /** The queue in order, for tests and debugging. */
  snapshot(): { transmits: number; msgLen: number; id: number; name?: string }[] {
    return this.#entries.map((e) => ({ transmits: e.transmits, msgLen: e.msgLen, id: e.id, ...(e.b.name ? { name: e.b.name } : {}) }));
  }
}
