// ckit's consistent-hash ring (ckit:internal/chash/ring.go), token for token, so that a TS node and
// a Go node agree on who owns every key. Each node gets numTokens tokens: the XXH64 digest of its
// name, read again after appending each byte 0, 1, … (the token number truncated to a byte) without
// resetting. Tokens are sorted (ties by node name); a key belongs to the node of the first token at
// or after it, wrapping around, and further owners are the next distinct nodes along the ring.
//
// The ring is rebuilt on every peer change, on the event loop, so a node's tokens are computed once
// and kept (sorted) while it stays in the ring, and a rebuild only merges the per-node lists.
import { compareStrings } from "../../../wire/labels/compare.ts";
import { Xxh64Digest, xxhashResult } from "../../../wire/labels/xxhash64.ts";

/** One node's tokens in ascending order, as uint32 halves. */
interface NodeTokens {
  hi: Uint32Array;
  lo: Uint32Array;
}

export class HashRing {
  readonly numTokens: number;
  #numNodes = 0;
  /** All tokens in ring order, as uint32 halves; owners[i] indexes into #nodes. */
  #hi = new Uint32Array(0);
  #lo = new Uint32Array(0);
  #owners = new Uint32Array(0);
  #nodes: string[] = [];
  #cache = new Map<string, NodeTokens>();

  constructor(numTokens: number) {
    if (!Number.isInteger(numTokens) || numTokens < 1) throw new Error(`numTokens must be a positive integer, got ${numTokens}`);
    this.numTokens = numTokens;
  }

  get numNodes(): number {
    return this.#numNodes;
  }

  /** Replaces the set of nodes (chash.Hash.SetNodes). */
  setNodes(nodes: readonly string[]): void {
    const cache = new Map<string, NodeTokens>();
    const lists = nodes.map((node) => {
      const tokens = this.#cache.get(node) ?? this.#tokensOf(node);
      cache.set(node, tokens);
      return tokens;
    });
    this.#cache = cache;
    const total = nodes.length * this.numTokens;
    const hi = new Uint32Array(total);
    const lo = new Uint32Array(total);
    const owners = new Uint32Array(total);
    // A k-way merge of the sorted per-node lists through a binary heap of node indices.
    const pos = new Uint32Array(nodes.length);
    const heap: number[] = nodes.map((_, i) => i);
    const less = (a: number, b: number) => {
      const ta = lists[a]!;
      const tb = lists[b]!;
      const ha = ta.hi[pos[a]!]!;
      const hb = tb.hi[pos[b]!]!;
      if (ha !== hb) return ha < hb;
      const la = ta.lo[pos[a]!]!;
      const lb = tb.lo[pos[b]!]!;
      if (la !== lb) return la < lb;
      return compareStrings(nodes[a]!, nodes[b]!) < 0;
    };
    const siftDown = (i: number) => {
      for (;;) {
        const l = 2 * i + 1;
        if (l >= heap.length) return;
        const r = l + 1;
        const m = r < heap.length && less(heap[r]!, heap[l]!) ? r : l;
        if (!less(heap[m]!, heap[i]!)) return;
        [heap[m], heap[i]] = [heap[i]!, heap[m]!];
        i = m;
      }
    };
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(i);
    for (let k = 0; k < total; k++) {
      const node = heap[0]!;
      const list = lists[node]!;
      hi[k] = list.hi[pos[node]!]!;
      lo[k] = list.lo[pos[node]!]!;
      owners[k] = node;
      pos[node]!++;
      if (pos[node] === this.numTokens) {
        heap[0] = heap[heap.length - 1]!;
        heap.pop();
      }
      siftDown(0);
    }
    this.#hi = hi;
    this.#lo = lo;
    this.#owners = owners;
    this.#nodes = [...nodes];
    this.#numNodes = nodes.length;
  }

  #tokensOf(node: string): NodeTokens {
    const hi = new Uint32Array(this.numTokens);
    const lo = new Uint32Array(this.numTokens);
    const digest = new Xxh64Digest().writeString(node);
    for (let t = 0; t < this.numTokens; t++) {
      digest.writeByte(t & 0xff);
      digest.sum();
      hi[t] = xxhashResult.hi;
      lo[t] = xxhashResult.lo;
    }
    const order = Array.from({ length: this.numTokens }, (_, i) => i).sort((a, b) =>
      hi[a] !== hi[b] ? hi[a]! - hi[b]! : lo[a]! - lo[b]!,
    );
    return { hi: Uint32Array.from(order, (i) => hi[i]!), lo: Uint32Array.from(order, (i) => lo[i]!) };
  }

  /** The n owners of key, first owner first (chash.Hash.Get). */
  get(key: bigint, n: number): string[] {
    if (n > this.#numNodes) throw new Error(`not enough nodes: need at least ${n}, have ${this.#numNodes}`);
    if (n <= 0) return [];
    const keyHi = Number((key >> 32n) & 0xffffffffn);
    const keyLo = Number(key & 0xffffffffn);
    // The first token >= key (sort.Search), wrapping to the start past the last one.
    let lo = 0;
    let hi = this.#hi.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const th = this.#hi[mid]!;
      if (th < keyHi || (th === keyHi && this.#lo[mid]! < keyLo)) lo = mid + 1;
      else hi = mid;
    }
    let idx = lo === this.#hi.length ? 0 : lo;
    if (n === 1) return [this.#nodes[this.#owners[idx]!]!];
    const result: string[] = [];
    const seen = new Set<number>();
    while (result.length < n) {
      const owner = this.#owners[idx]!;
      if (!seen.has(owner)) {
        seen.add(owner);
        result.push(this.#nodes[owner]!);
      }
      idx = (idx + 1) % this.#owners.length;
    }
    return result;
  }
}
