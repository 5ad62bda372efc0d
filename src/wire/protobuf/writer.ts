// A protobuf wire-format writer into one reusable, growing buffer.
//
// Why hand-written: generic protobuf libraries build a message object per sample and encode at
// 40-50 MiB/s here (spec/portability.md); the remote-write encoder instead writes fields straight from
// typed arrays. This is the small set of primitives it needs: varints up to 64 bits from JS numbers,
// zigzag, little-endian doubles, and copying pre-encoded bytes.

const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TWO32 = 2 ** 32;

/** Bytes a varint of the non-negative integer n (< 2^64) takes. */
export function varintSize(n: number): number {
  if (n < 0x80) return n < 0 ? 10 : 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  if (n < 0x800000000) return 5;
  if (n < 0x40000000000) return 6;
  if (n < 0x2000000000000) return 7;
  if (n < 0x100000000000000) return 8;
  return n < 2 ** 63 ? 9 : 10;
}

/** Zigzag encoding of a signed integer (exact for |n| < 2^52). */
export function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

export class ProtoWriter {
  buf: Uint8Array;
  pos = 0;

  constructor(capacity = 64 * 1024) {
    this.buf = new Uint8Array(capacity);
  }

  reset(): this {
    this.pos = 0;
    return this;
  }

  /** Makes room for n more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }

  /** The bytes written so far (a view, valid until the next write). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** Varint of an integer in [-2^63, 2^64); negative values take 10 bytes (two's complement). */
  varint(n: number): void {
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    if (n >= 0 && n < 0x80) {
      buf[pos] = n;
      this.pos = pos + 1;
      return;
    }
    if (n >= 0 && n < 0x10000000) {
      while (n >= 0x80) {
        buf[pos++] = (n & 0x7f) | 0x80;
        n >>>= 7;
      }
      buf[pos++] = n;
      this.pos = pos;
      return;
    }
    // The two 32-bit halves (ToInt32 keeps the low bits of a two's complement; the floor division
    // gives the high ones) of the integer part. They go to the rest as small integers: this method
    // stays small enough for V8 to inline into hot loops, and a double passed to a call it does not
    // inline would be boxed.
    const i = Math.trunc(n);
    this.varintHalves(Math.floor(i / TWO32) | 0, i | 0);
  }

  /** The varint of the 64-bit integer with these high and low 32 bits. */
  private varintHalves(hi: number, lo: number): void {
    const buf = this.buf;
    let pos = this.pos;
    let h = hi >>> 0, l = lo >>> 0;
    while (h > 0 || l >= 0x80) {
      buf[pos++] = (l & 0x7f) | 0x80;
      l = ((l >>> 7) | (h << 25)) >>> 0;
      h >>>= 7;
    }
    buf[pos++] = l;
    this.pos = pos;
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  double(v: number): void {
    this.ensure(8);
    const buf = this.buf;
    const pos = this.pos;
    if (LITTLE_ENDIAN) {
      f64[0] = v;
      buf[pos] = f64b[0]!;
      buf[pos + 1] = f64b[1]!;
      buf[pos + 2] = f64b[2]!;
      buf[pos + 3] = f64b[3]!;
      buf[pos + 4] = f64b[4]!;
      buf[pos + 5] = f64b[5]!;
      buf[pos + 6] = f64b[6]!;
      buf[pos + 7] = f64b[7]!;
    } else {
      new DataView(buf.buffer, buf.byteOffset).setFloat64(pos, v, true);
    }
    this.pos = pos + 8;
  }

  /** A double from its two 32-bit halves (for NaN payloads such as Prometheus's stale marker). */
  doubleBits(hi: number, lo: number): void {
    this.ensure(8);
    const buf = this.buf;
    const pos = this.pos;
    buf[pos] = lo & 0xff;
    buf[pos + 1] = (lo >>> 8) & 0xff;
    buf[pos + 2] = (lo >>> 16) & 0xff;
    buf[pos + 3] = lo >>> 24;
    buf[pos + 4] = hi & 0xff;
    buf[pos + 5] = (hi >>> 8) & 0xff;
    buf[pos + 6] = (hi >>> 16) & 0xff;
    buf[pos + 7] = hi >>> 24;
    this.pos = pos + 8;
  }

  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Length-delimited bytes with their length prefix. */
  lenBytes(b: Uint8Array): void {
    this.varint(b.length);
    this.raw(b);
  }

  /**
   * Starts a length-delimited sub-message whose size is not known yet: reserves one length byte and
   * returns the mark to pass to end().
   */
  begin(): number {
    this.ensure(1);
    return this.pos++;
  }

  /** Ends a sub-message begun at `mark`, moving its body if the length needs more than one byte. */
  end(mark: number): void {
    const len = this.pos - mark - 1;
    const size = varintSize(len);
    if (size > 1) {
      this.ensure(size - 1);
      this.buf.copyWithin(mark + size, mark + 1, this.pos);
      this.pos += size - 1;
    }
    let p = mark;
    let n = len;
    while (n >= 0x80) {
      this.buf[p++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[p] = n;
  }
}
