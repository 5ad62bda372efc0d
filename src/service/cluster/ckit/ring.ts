// ckit's consistent-hash ring (ckit:internal/chash/ring.go), token for token, so that a TS node and
// a Go node agree on who owns every key. Each node gets numTokens tokens: the XXH64 digest of its
// name, read again after appending each byte 0, 1, … (the token number truncated to a byte) without
// resetting. Tokens are sorted (ties by node name); a key belongs to the node of the first token at
// or after it, wrapping around, and further owners are the next distinct nodes along the ring.
import { compareStrings } from "../../../wire/labels/compare.ts";
import { Xxh64Digest, xxhashResult } from "../../../wire/labels/xxhash64.ts";

export class HashRing {
  readonly numTokens: number;
  #numNodes = 0;
  /** Tokens as two uint32 halves, sorted; owners[i] indexes into #nodes. */
  #hi = new Uint32Array(0);
  #lo = new Uint32Array(0);
  #owners = new Uint32Array(0);
  #nodes: string[] = [];

  constructor(numTokens: number) {
    if (!Number.isInteger(numTokens) || numTokens < 1) throw new Error(`numTokens must be a positive integer, got ${numTokens}`);
    this.numTokens = numTokens;
  }

  get numNodes(): number {
    return this.#numNodes;
  }

  /** Replaces the set of nodes (chash.Hash.SetNodes). */
  setNodes(nodes: readonly string[]): void {
    const n = nodes.length * this.numTokens;
    const hi = new Uint32Array(n);
    const lo = new Uint32Array(n);
    const owner = new Uint32Array(n);
    const digest = new Xxh64Digest();
    let k = 0;
    nodes.forEach((node, index) => {
      digest.reset().writeString(node);
      for (let t = 0; t < this.numTokens; t++) {
        digest.writeByte(t & 0xff);
        digest.sum();
        hi[k] = xxhashResult.hi;
        lo[k] = xxhashResult.lo;
        owner[k] = index;
        k++;
      }
    });
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => {
      if (hi[a] !== hi[b]) return hi[a]! < hi[b]! ? -1 : 1;
      if (lo[a] !== lo[b]) return lo[a]! < lo[b]! ? -1 : 1;
      return compareStrings(nodes[owner[a]!]!, nodes[owner[b]!]!);
    });
    this.#hi = Uint32Array.from(order, (i) => hi[i]!);
    this.#lo = Uint32Array.from(order, (i) => lo[i]!);
    this.#owners = Uint32Array.from(order, (i) => owner[i]!);
    this.#nodes = [...nodes];
    this.#numNodes = nodes.length;
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
