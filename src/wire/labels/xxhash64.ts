// xxHash64 (XXH64, seed 0), as github.com/cespare/xxhash/v2 computes it for Prometheus's
// labels.StableHash, ckit's hash ring and Alloy's target hashing.
//
// Why hand-written: the npm packages are either wasm loaded from a file at run time (not possible in a
// compiled Bun binary), BigInt-based (about 10x slower), or node-only. This one works on 32-bit halves
// with Math.imul and 16-bit limbs, allocates nothing, and returns the 64-bit result as two uint32 halves
// (or a bigint / hex string when the caller wants one).

const P1H = 0x9e3779b1, P1L = 0x85ebca87;
const P2H = 0xc2b2ae3d, P2L = 0x27d4eb4f;
const P3H = 0x165667b1, P3L = 0x9e3779f9;
const P4H = 0x85ebca77, P4L = 0xc2b2ae63;
const P5H = 0x27d4eb2f, P5L = 0x165667c5;

// Result registers of the 64-bit helpers below (no allocation for multiple return values).
let rh = 0;
let rl = 0;

function mul(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff, a1 = al >>> 16;
  const b0 = bl & 0xffff, b1 = bl >>> 16;
  const t0 = a0 * b0;
  const t1 = a1 * b0 + a0 * b1 + Math.floor(t0 / 0x10000);
  const lo = (((t1 & 0xffff) << 16) | (t0 & 0xffff)) >>> 0;
  const carry = Math.floor(t1 / 0x10000);
  rh = (a1 * b1 + carry + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
  rl = lo;
}

function add(ah: number, al: number, bh: number, bl: number): void {
  const lo = al + bl;
  rl = lo >>> 0;
  rh = (ah + bh + (lo > 0xffffffff ? 1 : 0)) >>> 0;
}

/** rotl for 0 < r < 32. */
function rotl(h: number, l: number, r: number): void {
  rh = ((h << r) | (l >>> (32 - r))) >>> 0;
  rl = ((l << r) | (h >>> (32 - r))) >>> 0;
}

// acc = rotl(acc + input * P2, 31) * P1
function round(acch: number, accl: number, inh: number, inl: number): void {
  mul(inh, inl, P2H, P2L);
  add(acch, accl, rh, rl);
  rotl(rh, rl, 31);
  mul(rh, rl, P1H, P1L);
}

function u32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

const encoder = new TextEncoder();

/** The high and low 32 bits of the last xxh64 result. */
export const xxhashResult = { hi: 0, lo: 0 };

// The four lanes' initial values: v1 = P1 + P2, v2 = P2, v3 = 0, v4 = -P1 (mod 2^64).
add(P1H, P1L, P2H, P2L);
const V1H = rh, V1L = rl;
// -P1 = ~P1 + 1; P1's low half is non-zero, so no carry into the high half.
const V4H = ~P1H >>> 0, V4L = -P1L >>> 0;

/** Folds the four lanes into one accumulator, left in rh:rl. */
function mergeLanes(
  v1h: number, v1l: number, v2h: number, v2l: number, v3h: number, v3l: number, v4h: number, v4l: number,
): void {
  rotl(v1h, v1l, 1);
  let hh = rh, hl = rl;
  rotl(v2h, v2l, 7); add(hh, hl, rh, rl); hh = rh; hl = rl;
  rotl(v3h, v3l, 12); add(hh, hl, rh, rl); hh = rh; hl = rl;
  rotl(v4h, v4l, 18); add(hh, hl, rh, rl); hh = rh; hl = rl;
  // mergeRound for each lane: h = (h ^ round(0, v)) * P1 + P4
  round(0, 0, v1h, v1l); mul((hh ^ rh) >>> 0, (hl ^ rl) >>> 0, P1H, P1L); add(rh, rl, P4H, P4L); hh = rh; hl = rl;
  round(0, 0, v2h, v2l); mul((hh ^ rh) >>> 0, (hl ^ rl) >>> 0, P1H, P1L); add(rh, rl, P4H, P4L); hh = rh; hl = rl;
  round(0, 0, v3h, v3l); mul((hh ^ rh) >>> 0, (hl ^ rl) >>> 0, P1H, P1L); add(rh, rl, P4H, P4L); hh = rh; hl = rl;
  round(0, 0, v4h, v4l); mul((hh ^ rh) >>> 0, (hl ^ rl) >>> 0, P1H, P1L); add(rh, rl, P4H, P4L);
}

/**
 * The end of XXH64 over hh:hl: adds the total length, mixes in data[i:end] (fewer than 32 bytes)
 * and avalanches. The result goes to `xxhashResult`; the low half is returned.
 */
function finish(hh: number, hl: number, total: number, data: Uint8Array, i: number, end: number): number {
  add(hh, hl, Math.floor(total / 0x100000000) >>> 0, total >>> 0); hh = rh; hl = rl;
  while (i + 8 <= end) {
    round(0, 0, u32(data, i + 4), u32(data, i));
    rotl((hh ^ rh) >>> 0, (hl ^ rl) >>> 0, 27);
    mul(rh, rl, P1H, P1L);
    add(rh, rl, P4H, P4L); hh = rh; hl = rl;
    i += 8;
  }
  if (i + 4 <= end) {
    mul(0, u32(data, i), P1H, P1L);
    rotl((hh ^ rh) >>> 0, (hl ^ rl) >>> 0, 23);
    mul(rh, rl, P2H, P2L);
    add(rh, rl, P3H, P3L); hh = rh; hl = rl;
    i += 4;
  }
  while (i < end) {
    mul(0, data[i]!, P5H, P5L);
    rotl((hh ^ rh) >>> 0, (hl ^ rl) >>> 0, 11);
    mul(rh, rl, P1H, P1L); hh = rh; hl = rl;
    i++;
  }
  // Avalanche: h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32.
  hl = (hl ^ (hh >>> 1)) >>> 0;
  mul(hh, hl, P2H, P2L); hh = rh; hl = rl;
  hl = (hl ^ ((hl >>> 29) | (hh << 3))) >>> 0;
  hh = (hh ^ (hh >>> 29)) >>> 0;
  mul(hh, hl, P3H, P3L); hh = rh; hl = rl;
  hl = (hl ^ hh) >>> 0;
  xxhashResult.hi = hh;
  xxhashResult.lo = hl;
  return hl;
}

/** xxHash64 of data[start:end]; the result is left in `xxhashResult` and the low half returned. */
export function xxh64(data: Uint8Array, start = 0, end = data.length): number {
  const len = end - start;
  let i = start;
  if (len < 32) return finish(P5H, P5L, len, data, i, end);
  let v1h = V1H, v1l = V1L;
  let v2h = P2H, v2l = P2L;
  let v3h = 0, v3l = 0;
  let v4h = V4H, v4l = V4L;
  const limit = end - 32;
  while (i <= limit) {
    round(v1h, v1l, u32(data, i + 4), u32(data, i)); v1h = rh; v1l = rl;
    round(v2h, v2l, u32(data, i + 12), u32(data, i + 8)); v2h = rh; v2l = rl;
    round(v3h, v3l, u32(data, i + 20), u32(data, i + 16)); v3h = rh; v3l = rl;
    round(v4h, v4l, u32(data, i + 28), u32(data, i + 24)); v4h = rh; v4l = rl;
    i += 32;
  }
  mergeLanes(v1h, v1l, v2h, v2l, v3h, v3l, v4h, v4l);
  return finish(rh, rl, len, data, i, end);
}

/**
 * A streaming XXH64 (cespare/xxhash's Digest): bytes are written in pieces and the sum can be read
 * at any point without disturbing the state. ckit's hash ring reads it after every byte it appends.
 */
export class Xxh64Digest {
  /** The four lanes, as high/low pairs. */
  readonly #lanes = new Uint32Array(8);
  /** Bytes not yet folded into the lanes (fewer than 32). */
  readonly #mem = new Uint8Array(32);
  #memLen = 0;
  #total = 0;

  constructor() {
    this.reset();
  }

  reset(): this {
    this.#lanes.set([V1H, V1L, P2H, P2L, 0, 0, V4H, V4L]);
    this.#memLen = 0;
    this.#total = 0;
    return this;
  }

  /** Appends data[start:end]. */
  write(data: Uint8Array, start = 0, end = data.length): this {
    this.#total += end - start;
    let i = start;
    if (this.#memLen > 0) {
      const take = Math.min(32 - this.#memLen, end - i);
      this.#mem.set(data.subarray(i, i + take), this.#memLen);
      this.#memLen += take;
      i += take;
      if (this.#memLen < 32) return this;
      this.#stripe(this.#mem, 0);
      this.#memLen = 0;
    }
    for (; i + 32 <= end; i += 32) this.#stripe(data, i);
    if (i < end) {
      this.#mem.set(data.subarray(i, end));
      this.#memLen = end - i;
    }
    return this;
  }

  /** Appends one byte. */
  writeByte(b: number): this {
    this.#total++;
    this.#mem[this.#memLen++] = b;
    if (this.#memLen === 32) {
      this.#stripe(this.#mem, 0);
      this.#memLen = 0;
    }
    return this;
  }

  /** Appends a string's UTF-8 bytes. */
  writeString(s: string): this {
    return this.write(encoder.encode(s));
  }

  #stripe(data: Uint8Array, i: number) {
    const v = this.#lanes;
    for (let k = 0; k < 8; k += 2, i += 8) {
      round(v[k]!, v[k + 1]!, u32(data, i + 4), u32(data, i));
      v[k] = rh;
      v[k + 1] = rl;
    }
  }

  /** The hash of everything written so far, left in `xxhashResult`; the low half is returned. */
  sum(): number {
    const v = this.#lanes;
    if (this.#total < 32) return finish(P5H, P5L, this.#total, this.#mem, 0, this.#memLen);
    mergeLanes(v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, v[5]!, v[6]!, v[7]!);
    return finish(rh, rl, this.#total, this.#mem, 0, this.#memLen);
  }

  /** The hash of everything written so far, as a bigint (Digest.Sum64). */
  sum64(): bigint {
    this.sum();
    return (BigInt(xxhashResult.hi) << 32n) | BigInt(xxhashResult.lo);
  }
}

/** xxHash64 of bytes or of a string's UTF-8 encoding, as a bigint. */
export function xxhash64(data: Uint8Array | string): bigint {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  xxh64(bytes);
  return (BigInt(xxhashResult.hi) << 32n) | BigInt(xxhashResult.lo);
}

/** xxHash64 as 16 lower-case hex digits. */
export function xxhash64Hex(data: Uint8Array | string): string {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  xxh64(bytes);
  return xxhashResult.hi.toString(16).padStart(8, "0") + xxhashResult.lo.toString(16).padStart(8, "0");
}
