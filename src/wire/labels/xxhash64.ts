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

/** The high and low 32 bits of the last xxh64 result. */
export const xxhashResult = { hi: 0, lo: 0 };

/** xxHash64 of data[start:end]; the result is left in `xxhashResult` and the low half returned. */
export function xxh64(data: Uint8Array, start = 0, end = data.length): number {
  const len = end - start;
  let i = start;
  let hh: number, hl: number;
  if (len >= 32) {
    // v1 = P1 + P2, v2 = P2, v3 = 0, v4 = -P1 (mod 2^64)
    add(P1H, P1L, P2H, P2L);
    let v1h = rh, v1l = rl;
    let v2h = P2H, v2l = P2L;
    let v3h = 0, v3l = 0;
    // -P1 = ~P1 + 1; P1's low half is non-zero, so no carry into the high half.
    let v4h = ~P1H >>> 0, v4l = -P1L >>> 0;
    const limit = end - 32;
    while (i <= limit) {
      round(v1h, v1l, u32(data, i + 4), u32(data, i)); v1h = rh; v1l = rl;
      round(v2h, v2l, u32(data, i + 12), u32(data, i + 8)); v2h = rh; v2l = rl;
      round(v3h, v3l, u32(data, i + 20), u32(data, i + 16)); v3h = rh; v3l = rl;
      round(v4h, v4l, u32(data, i + 28), u32(data, i + 24)); v4h = rh; v4l = rl;
      i += 32;
    }
    rotl(v1h, v1l, 1); hh = rh; hl = rl;
    rotl(v2h, v2l, 7); add(hh, hl, rh, rl); hh = rh; hl = rl;
    rotl(v3h, v3l, 12); add(hh, hl, rh, rl); hh = rh; hl = rl;
    rotl(v4h, v4l, 18); add(hh, hl, rh, rl); hh = rh; hl = rl;
    // mergeRound for each lane: h = (h ^ round(0, v)) * P1 + P4
    const lanes = [v1h, v1l, v2h, v2l, v3h, v3l, v4h, v4l];
    for (let k = 0; k < 8; k += 2) {
      round(0, 0, lanes[k]!, lanes[k + 1]!);
      mul((hh ^ rh) >>> 0, (hl ^ rl) >>> 0, P1H, P1L);
      add(rh, rl, P4H, P4L); hh = rh; hl = rl;
    }
  } else {
    hh = P5H;
    hl = P5L;
  }
  add(hh, hl, 0, len >>> 0); hh = rh; hl = rl;
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

const encoder = new TextEncoder();

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
