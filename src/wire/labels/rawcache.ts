// A map from raw series text (bytes of a scrape body) to an int32, with scrape iterations.
//
// Why hand-written: Prometheus's scrape cache is keyed by the series exactly as the target wrote it
// (`name{a="b"}`), so a repeated scrape finds its series without decoding labels. Keying a JS Map would
// need a string per sample; this table hashes the byte range in place, compares bytes against a copy in
// its own arena, and allocates nothing on a hit. Each entry remembers the iteration it was last seen in,
// for staleness markers and for dropping entries of series that went away.

const EMPTY = 0; // index slots hold entry + 1

/** 32-bit hash of buf[start:end] (murmur3-style mixing, 4 bytes at a time). */
export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0x9747b28c ^ (end - start);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    let k = buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rest = end - i;
  if (rest > 0) {
    let k = buf[i]!;
    if (rest > 1) k ^= buf[i + 1]! << 8;
    if (rest > 2) k ^= buf[i + 2]! << 16;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class RawSeriesCache {
  private arena = new Uint8Array(64 * 1024);
  private arenaView = new DataView(this.arena.buffer);
  private arenaLen = 0;
  /** The last buffer looked up in, and a DataView of it (a parser reads every body from one buffer). */
  private keysIn: Uint8Array | undefined;
  private keysView: DataView<ArrayBufferLike> = this.arenaView;
  private keyOff = new Int32Array(1024);
  private keyLen = new Int32Array(1024);
  private hashes = new Uint32Array(1024);
  private values = new Int32Array(1024);
  private seen = new Int32Array(1024);
  private count = 0;
  private index = new Int32Array(2048);
  private last = -1; // entry of the last hit or insert
  /** The current scrape iteration; lookups mark entries with it. */
  iteration = 1;

  get size(): number {
    return this.count;
  }

  /** The entry of buf[start:end] (marking it seen in this iteration), or -1. */
  lookup(buf: Uint8Array, start: number, end: number): number {
    const len = end - start;
    // A target exposes its series in the same order every scrape, and entries are stored in the order
    // they were first seen: try the entry after the last one found before hashing and probing. On a hit
    // this reads the arena sequentially and skips the hash.
    const guess = this.last + 1;
    if (guess < this.count && this.keyLen[guess] === len && this.same(this.keyOff[guess]!, buf, start, len)) {
      this.seen[guess] = this.iteration;
      this.last = guess;
      return guess;
    }
    const h = hashBytes(buf, start, end);
    const mask = this.index.length - 1;
    for (let slot = h & mask, step = 1; ; slot = (slot + step++) & mask) {
      const e1 = this.index[slot]!;
      if (e1 === EMPTY) return -1;
      const e = e1 - 1;
      if (this.hashes[e] !== h || this.keyLen[e] !== len || !this.same(this.keyOff[e]!, buf, start, len)) continue;
      this.seen[e] = this.iteration;
      this.last = e;
      return e;
    }
  }

  /**
   * Whether arena[off:off+len] equals buf[start:start+len]: 4 bytes at a time through DataViews (a
   * byte loop was a third of looking up a 90-byte series on Node), the tail byte by byte.
   */
  private same(off: number, buf: Uint8Array, start: number, len: number): boolean {
    if (buf !== this.keysIn) {
      this.keysIn = buf;
      this.keysView = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    const a = this.arenaView;
    const b = this.keysView;
    let i = 0;
    for (; i + 4 <= len; i += 4) if (a.getInt32(off + i) !== b.getInt32(start + i)) return false;
    const arena = this.arena;
    for (; i < len; i++) if (arena[off + i] !== buf[start + i]) return false;
    return true;
  }

  /** Adds buf[start:end] -> value (the key must not be present) and returns its entry. */
  insert(buf: Uint8Array, start: number, end: number, value: number): number {
    const len = end - start;
    if (this.arenaLen + len > this.arena.length) {
      const bigger = new Uint8Array(Math.max(this.arena.length * 2, this.arenaLen + len));
      bigger.set(this.arena.subarray(0, this.arenaLen));
      this.arena = bigger;
      this.arenaView = new DataView(bigger.buffer);
    }
    if (this.count === this.keyOff.length) this.growEntries(this.count * 2);
    if ((this.count + 1) * 2 > this.index.length) this.reindex(this.index.length * 2);
    const e = this.count++;
    this.arena.set(buf.subarray(start, end), this.arenaLen);
    this.keyOff[e] = this.arenaLen;
    this.keyLen[e] = len;
    this.arenaLen += len;
    this.hashes[e] = hashBytes(buf, start, end);
    this.values[e] = value;
    this.seen[e] = this.iteration;
    this.place(e);
    this.last = e;
    return e;
  }

  value(entry: number): number {
    return this.values[entry]!;
  }

  setValue(entry: number, value: number): void {
    this.values[entry] = value;
  }

  /** The iteration an entry was last seen in. */
  lastSeen(entry: number): number {
    return this.seen[entry]!;
  }

  /** The raw key bytes of an entry (a view into the arena, valid until the next insert or sweep). */
  key(entry: number): Uint8Array {
    const off = this.keyOff[entry]!;
    return this.arena.subarray(off, off + this.keyLen[entry]!);
  }

  /** Starts the next scrape iteration. */
  nextIteration(): number {
    this.last = -1;
    return ++this.iteration;
  }

  /** Calls fn(entry, value) for each entry seen in `iteration - 1` but not in the current iteration. */
  forEachDisappeared(fn: (entry: number, value: number) => void): void {
    const prev = this.iteration - 1;
    for (let e = 0; e < this.count; e++) if (this.seen[e] === prev) fn(e, this.values[e]!);
  }

  /**
   * Drops entries not seen in the last `keep` iterations (keep >= 1: 1 keeps only those seen in the
   * current one) and compacts the arena. Entry numbers change; returns the number dropped.
   */
  sweep(keep: number, onDrop?: (value: number) => void): number {
    const oldest = this.iteration - keep + 1;
    const arena = new Uint8Array(Math.max(64 * 1024, this.arenaLen));
    let n = 0;
    let w = 0;
    for (let e = 0; e < this.count; e++) {
      if (this.seen[e]! < oldest) {
        onDrop?.(this.values[e]!);
        continue;
      }
      const off = this.keyOff[e]!;
      const len = this.keyLen[e]!;
      arena.set(this.arena.subarray(off, off + len), n);
      this.keyOff[w] = n;
      this.keyLen[w] = len;
      this.hashes[w] = this.hashes[e]!;
      this.values[w] = this.values[e]!;
      this.seen[w] = this.seen[e]!;
      n += len;
      w++;
    }
    const dropped = this.count - w;
    this.arena = arena;
    this.arenaView = new DataView(arena.buffer);
    this.arenaLen = n;
    this.count = w;
    this.last = -1;
    this.reindex(this.index.length);
    return dropped;
  }

  clear(): void {
    this.last = -1;
    this.count = 0;
    this.arenaLen = 0;
    this.index.fill(EMPTY);
  }

  private place(e: number): void {
    const mask = this.index.length - 1;
    let slot = this.hashes[e]! & mask;
    for (let step = 1; this.index[slot] !== EMPTY; step++) slot = (slot + step) & mask;
    this.index[slot] = e + 1;
  }

  private reindex(capacity: number): void {
    this.index = new Int32Array(capacity);
    for (let e = 0; e < this.count; e++) this.place(e);
  }

  private growEntries(n: number): void {
    const g = <T extends Int32Array | Uint32Array>(a: T, b: T): T => (b.set(a), b);
    this.keyOff = g(this.keyOff, new Int32Array(n));
    this.keyLen = g(this.keyLen, new Int32Array(n));
    this.hashes = g(this.hashes, new Uint32Array(n));
    this.values = g(this.values, new Int32Array(n));
    this.seen = g(this.seen, new Int32Array(n));
  }
}
