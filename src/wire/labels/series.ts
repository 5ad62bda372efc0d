// Interned label sets with numeric series references.
//
// Why hand-written: one series is stored as a run of symbol ids in a shared Uint32Array arena (no object
// per series), found again through an open-addressing index on its StableHash, and named by a dense
// integer ref that the WAL, the remote-write encoder's label cache and the scrape cache index arrays with.
// Refs are never reused after delete() (Prometheus's WAL refs only grow), so a stale ref can be detected.

import type { LabelsBuilder } from "./builder.ts";
import { SymbolTable } from "./symbols.ts";
import { xxhashResult } from "./xxhash64.ts";

const EMPTY = -1;
const TOMBSTONE = -2;

export class SeriesTable {
  readonly symbols: SymbolTable;
  private data = new Uint32Array(1024);
  private dataLen = 0;
  private offsets = new Int32Array(256); // per ref: start in data; -1 once deleted
  private counts = new Uint16Array(256); // per ref: number of labels
  private hashHi = new Uint32Array(256);
  private hashLo = new Uint32Array(256);
  private refs = 0;
  private live = 0;
  private index = new Int32Array(512).fill(EMPTY);
  private used = 0; // live + tombstones in index

  constructor(symbols = new SymbolTable()) {
    this.symbols = symbols;
  }

  /** Number of live series. */
  get size(): number {
    return this.live;
  }

  /** One past the highest ref handed out (arrays indexed by ref need this length). */
  get refLimit(): number {
    return this.refs;
  }

  /** The ref of the sorted label set in `lb`, adding it if new. */
  intern(lb: LabelsBuilder): number {
    lb.stableHash();
    const hi = xxhashResult.hi;
    const lo = xxhashResult.lo;
    const found = this.find(lb, hi, lo);
    if (found >= 0) return found;
    return this.add(lb, hi, lo);
  }

  /** The ref of the sorted label set in `lb`, or -1. */
  lookup(lb: LabelsBuilder): number {
    lb.stableHash();
    return this.find(lb, xxhashResult.hi, xxhashResult.lo);
  }

  private find(lb: LabelsBuilder, hi: number, lo: number): number {
    const mask = this.index.length - 1;
    for (let slot = lo & mask, step = 1; ; slot = (slot + step++) & mask) {
      const ref = this.index[slot]!;
      if (ref === EMPTY) return -1;
      if (ref === TOMBSTONE) continue;
      if (this.hashLo[ref] === lo && this.hashHi[ref] === hi && this.equals(ref, lb)) return ref;
    }
  }

  private equals(ref: number, lb: LabelsBuilder): boolean {
    const n = this.counts[ref]!;
    if (n !== lb.length) return false;
    const off = this.offsets[ref]!;
    const sym = this.symbols;
    for (let i = 0; i < n; i++) {
      if (sym.string(this.data[off + 2 * i]!) !== lb.names[i]) return false;
      if (sym.string(this.data[off + 2 * i + 1]!) !== lb.values[i]) return false;
    }
    return true;
  }

  private add(lb: LabelsBuilder, hi: number, lo: number): number {
    // Grow or clean the index first, while the new ref is not yet part of the table.
    if ((this.used + 1) * 4 > this.index.length * 3) {
      this.rehash((this.live + 1) * 2 > this.index.length ? this.index.length * 2 : this.index.length);
    }
    const ref = this.refs;
    if (ref >= this.offsets.length) this.growRefs();
    const need = this.dataLen + lb.length * 2;
    if (need > this.data.length) {
      const bigger = new Uint32Array(Math.max(need, this.data.length * 2));
      bigger.set(this.data.subarray(0, this.dataLen));
      this.data = bigger;
    }
    const off = this.dataLen;
    for (let i = 0; i < lb.length; i++) {
      this.data[off + 2 * i] = this.symbols.intern(lb.names[i]!);
      this.data[off + 2 * i + 1] = this.symbols.intern(lb.values[i]!);
    }
    this.dataLen = need;
    this.offsets[ref] = off;
    this.counts[ref] = lb.length;
    this.hashHi[ref] = hi;
    this.hashLo[ref] = lo;
    this.refs++;
    this.live++;
    this.place(ref);
    this.used++;
    return ref;
  }

  private place(ref: number): void {
    const mask = this.index.length - 1;
    let slot = this.hashLo[ref]! & mask;
    for (let step = 1; this.index[slot]! >= 0; step++) slot = (slot + step) & mask;
    this.index[slot] = ref;
  }

  private rehash(capacity: number): void {
    this.index = new Int32Array(capacity).fill(EMPTY);
    for (let ref = 0; ref < this.refs; ref++) if (this.offsets[ref]! >= 0) this.place(ref);
    this.used = this.live;
  }

  private isLive(ref: number): boolean {
    return ref < this.refs && this.offsets[ref]! >= 0;
  }

  private growRefs(): void {
    const n = this.offsets.length * 2;
    const grow = <T extends Int32Array | Uint32Array | Uint16Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.offsets = grow(this.offsets, (k) => new Int32Array(k));
    this.counts = grow(this.counts, (k) => new Uint16Array(k));
    this.hashHi = grow(this.hashHi, (k) => new Uint32Array(k));
    this.hashLo = grow(this.hashLo, (k) => new Uint32Array(k));
  }

  /** Forgets a series. Its ref is not reused. The arena space is reclaimed by compact(). */
  delete(ref: number): boolean {
    if (!this.isLive(ref)) return false;
    const mask = this.index.length - 1;
    for (let slot = this.hashLo[ref]! & mask, step = 1; ; slot = (slot + step++) & mask) {
      const r = this.index[slot]!;
      if (r === EMPTY) break;
      if (r === ref) {
        this.index[slot] = TOMBSTONE;
        break;
      }
    }
    this.offsets[ref] = -1;
    this.live--;
    return true;
  }

  /** Rewrites the label arena without the space of deleted series. */
  compact(): void {
    const data = new Uint32Array(Math.max(1024, this.dataLen));
    let n = 0;
    for (let ref = 0; ref < this.refs; ref++) {
      const off = this.offsets[ref]!;
      if (off < 0) continue;
      const len = this.counts[ref]! * 2;
      data.set(this.data.subarray(off, off + len), n);
      this.offsets[ref] = n;
      n += len;
    }
    this.data = data;
    this.dataLen = n;
    this.rehash(this.index.length);
  }

  has(ref: number): boolean {
    return ref >= 0 && this.isLive(ref);
  }

  /** Number of labels of a series. */
  count(ref: number): number {
    return this.counts[ref]!;
  }

  nameId(ref: number, i: number): number {
    return this.data[this.offsets[ref]! + 2 * i]!;
  }

  valueId(ref: number, i: number): number {
    return this.data[this.offsets[ref]! + 2 * i + 1]!;
  }

  name(ref: number, i: number): string {
    return this.symbols.string(this.nameId(ref, i));
  }

  value(ref: number, i: number): string {
    return this.symbols.string(this.valueId(ref, i));
  }

  /** The value of label `name`, or undefined. */
  get(ref: number, name: string): string | undefined {
    const n = this.counts[ref]!;
    for (let i = 0; i < n; i++) if (this.name(ref, i) === name) return this.value(ref, i);
    return undefined;
  }

  /** StableHash of a series: high and low 32 bits. */
  hash(ref: number): { hi: number; lo: number } {
    return { hi: this.hashHi[ref]!, lo: this.hashLo[ref]! };
  }

  /** Copies a series' labels into a builder. */
  load(ref: number, lb: LabelsBuilder): LabelsBuilder {
    lb.reset();
    const n = this.counts[ref]!;
    for (let i = 0; i < n; i++) lb.add(this.name(ref, i), this.value(ref, i));
    return lb;
  }

  /** A flat [name, value, ...] copy of a series' labels. */
  labels(ref: number): string[] {
    const out: string[] = [];
    const n = this.counts[ref]!;
    for (let i = 0; i < n; i++) out.push(this.name(ref, i), this.value(ref, i));
    return out;
  }
}
