// A protobuf wire-format reader over a byte range, for the remote-write decoder and the protobuf
// exposition format (io.prometheus.client.MetricFamily).
//
// Why hand-written: decoders walk fields and hand values to typed arrays or callbacks; a generic library
// would materialise every message as an object first. Errors name the offset.

const TWO32 = 2 ** 32;

export class ProtoError extends Error {
  override name = "ProtoError";
}

export class ProtoReader {
  pos: number;
  end: number;
  private view: DataView;

  constructor(readonly buf: Uint8Array, start = 0, end = buf.length) {
    this.pos = start;
    this.end = end;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  fail(what: string): never {
    throw new ProtoError(`protobuf: ${what} at offset ${this.pos}`);
  }

  /** Unsigned varint as a number (exact below 2^53). */
  uvarint(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= this.end) this.fail("truncated varint");
    let b = buf[pos++]!;
    if (b < 0x80) {
      this.pos = pos;
      return b;
    }
    let lo = b & 0x7f;
    let shift = 7;
    // First 28 bits in 32-bit arithmetic.
    for (; shift < 28; shift += 7) {
      if (pos >= this.end) this.fail("truncated varint");
      b = buf[pos++]!;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return lo >>> 0;
      }
    }
    let result = lo >>> 0;
    let mul = 2 ** 28;
    for (let k = 0; k < 6; k++) {
      if (pos >= this.end) this.fail("truncated varint");
      b = buf[pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) {
        this.pos = pos;
        return result;
      }
      mul *= 128;
    }
    this.fail("varint too long");
  }

  /** Signed int64 varint (two's complement; exact for |n| < 2^53). */
  int64(): number {
    const start = this.pos;
    const v = this.uvarint();
    if (v < 2 ** 63) return v;
    // Negative: re-read as 64-bit two's complement.
    this.pos = start;
    let lo = 0, hi = 0;
    for (let shift = 0, i = 0; i < 10; i++, shift += 7) {
      const b = this.buf[this.pos++]!;
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >>> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      if (b < 0x80) break;
    }
    lo >>>= 0;
    hi >>>= 0;
    // -(~x + 1)
    const nlo = (~lo + 1) >>> 0;
    const nhi = (~hi + (nlo === 0 ? 1 : 0)) >>> 0;
    return -(nhi * TWO32 + nlo);
  }

  sint64(): number {
    const n = this.uvarint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  sint32(): number {
    const n = this.uvarint() >>> 0;
    return (n >>> 1) ^ -(n & 1);
  }

  double(): number {
    if (this.pos + 8 > this.end) this.fail("truncated double");
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** The two 32-bit halves of a double, to see NaN payloads. */
  doubleHi(): number {
    return this.view.getUint32(this.pos + 4, true);
  }

  doubleLo(): number {
    return this.view.getUint32(this.pos, true);
  }

  fixed32(): number {
    if (this.pos + 4 > this.end) this.fail("truncated fixed32");
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** Length of a length-delimited field; leaves pos at its first byte. */
  len(): number {
    const n = this.uvarint();
    if (n > this.end - this.pos) this.fail("length beyond the end of the message");
    return n;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.uvarint();
        return;
      case 1:
        if (this.pos + 8 > this.end) this.fail("truncated fixed64");
        this.pos += 8;
        return;
      case 2: {
        const n = this.len(); // (not `this.pos += this.len()`: pos would be read before len() moves it)
        this.pos += n;
        return;
      }
      case 5:
        if (this.pos + 4 > this.end) this.fail("truncated fixed32");
        this.pos += 4;
        return;
      default:
        this.fail(`unsupported wire type ${wireType}`);
    }
  }
}
