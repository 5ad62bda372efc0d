// A scratch label set: parsers and relabelling fill it, then it is interned once into a SeriesTable.
//
// Why hand-written: Prometheus's ScratchBuilder semantics (add in any order, sort by name in UTF-8 byte
// order, find duplicate names, StableHash) over two reusable string arrays, so that building the labels
// of a new series allocates only the strings themselves.

import { compareStrings } from "./compare.ts";
import { xxh64, xxhashResult } from "./xxhash64.ts";

const encoder = new TextEncoder();
let hashScratch = new Uint8Array(1024);

export class LabelsBuilder {
  names: string[] = [];
  values: string[] = [];
  length = 0;

  reset(): this {
    this.length = 0;
    return this;
  }

  add(name: string, value: string): this {
    this.names[this.length] = name;
    this.values[this.length] = value;
    this.length++;
    return this;
  }

  /** Sorts by name (stable, UTF-8 byte order). Label sets are small: insertion sort. */
  sort(): this {
    const { names, values } = this;
    for (let i = 1; i < this.length; i++) {
      const n = names[i]!;
      const v = values[i]!;
      let j = i - 1;
      while (j >= 0 && compareStrings(names[j]!, n) > 0) {
        names[j + 1] = names[j]!;
        values[j + 1] = values[j]!;
        j--;
      }
      names[j + 1] = n;
      values[j + 1] = v;
    }
    return this;
  }

  /** After sort(): the first name that occurs twice, or undefined. */
  duplicateName(): string | undefined {
    for (let i = 1; i < this.length; i++) if (this.names[i] === this.names[i - 1]) return this.names[i];
    return undefined;
  }

  get(name: string): string | undefined {
    for (let i = 0; i < this.length; i++) if (this.names[i] === name) return this.values[i];
    return undefined;
  }

  /** Sets a label, replacing an existing one of the same name (order is restored by sort()). */
  set(name: string, value: string): this {
    for (let i = 0; i < this.length; i++) {
      if (this.names[i] === name) {
        this.values[i] = value;
        return this;
      }
    }
    return this.add(name, value);
  }

  del(name: string): this {
    let w = 0;
    for (let r = 0; r < this.length; r++) {
      if (this.names[r] === name) continue;
      this.names[w] = this.names[r]!;
      this.values[w] = this.values[r]!;
      w++;
    }
    this.length = w;
    return this;
  }

  /** Copies from a flat [name, value, ...] array. */
  fromArray(flat: readonly string[]): this {
    this.reset();
    for (let i = 0; i + 1 < flat.length; i += 2) this.add(flat[i]!, flat[i + 1]!);
    return this;
  }

  /** A flat [name, value, ...] copy. */
  toArray(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.names[i]!, this.values[i]!);
    return out;
  }

  /**
   * Prometheus's labels.StableHash of the (sorted) set: xxHash64 over name 0xff value 0xff ... .
   * Leaves the 64-bit result in xxhashResult and returns its low 32 bits.
   */
  stableHash(): number {
    let n = 0;
    for (let i = 0; i < this.length; i++) {
      n = put(n, this.names[i]!);
      n = put(n, this.values[i]!);
    }
    return xxh64(hashScratch, 0, n);
  }

  /** StableHash as a bigint. */
  stableHashBigInt(): bigint {
    this.stableHash();
    return (BigInt(xxhashResult.hi) << 32n) | BigInt(xxhashResult.lo);
  }
}

function put(n: number, s: string): number {
  // Worst case 3 bytes per UTF-16 code unit, plus the separator.
  const need = n + s.length * 3 + 1;
  if (need > hashScratch.length) {
    const bigger = new Uint8Array(Math.max(need, hashScratch.length * 2));
    bigger.set(hashScratch.subarray(0, n));
    hashScratch = bigger;
  }
  n += encoder.encodeInto(s, hashScratch.subarray(n)).written;
  hashScratch[n] = 0xff;
  return n + 1;
}
