// LZW as Go's compress/lzw does it with LSB bit order and 8-bit literals: the compression
// memberlist applies to packets and streams (spec/memberlist.md §5.5). Output is byte-identical to
// Go's writer, which matters only for tests; what matters on the wire is that both sides decode
// each other.
//
// Codes: 0..255 literals, 256 clear, 257 end, new entries from 258. The code width starts at 9
// bits and grows when the next free code reaches 512, 1024, 2048; at 4095 the writer emits a
// clear (at 12 bits) and starts over with an empty table.

const CLEAR = 256;
const EOF = 257;
const MAX_CODE = 4095;
const MAX_WIDTH = 12;

class BitWriter {
  out: number[] = [];
  #bits = 0;
  #n = 0;
  write(code: number, width: number) {
    this.#bits |= code << this.#n;
    this.#n += width;
    while (this.#n >= 8) {
      this.out.push(this.#bits & 0xff);
      this.#bits >>>= 8;
      this.#n -= 8;
    }
  }
  flush() {
    if (this.#n > 0) this.out.push(this.#bits & 0xff);
    this.#bits = 0;
    this.#n = 0;
  }
}

export function lzwCompress(input: Uint8Array): Uint8Array {
  const w = new BitWriter();
  let width = 9;
  let hi = EOF;
  let overflow = 512;
  // Dictionary: (prefix code << 8 | byte) -> code.
  let table = new Map<number, number>();

  // Returns false when the table was full and has been reset (the new entry is then not added).
  const incHi = (): boolean => {
    hi++;
    if (hi === overflow) {
      width++;
      overflow <<= 1;
    }
    if (hi === MAX_CODE) {
      w.write(CLEAR, width);
      width = 9;
      hi = EOF;
      overflow = 512;
      table = new Map();
      return false;
    }
    return true;
  };

  w.write(CLEAR, width);
  if (input.length === 0) {
    // Go writes nothing for an empty Write; Close then emits the clear (above) and the end.
    w.write(EOF, width);
    w.flush();
    return Uint8Array.from(w.out);
  }
  let code = input[0]!;
  for (let i = 1; i < input.length; i++) {
    const literal = input[i]!;
    const key = code * 256 + literal;
    const found = table.get(key);
    if (found !== undefined) {
      code = found;
      continue;
    }
    w.write(code, width);
    code = literal;
    if (incHi()) table.set(key, hi);
  }
  w.write(code, width);
  incHi();
  w.write(EOF, width);
  w.flush();
  return Uint8Array.from(w.out);
}

export class LzwError extends Error {}

export function lzwDecompress(input: Uint8Array): Uint8Array {
  const prefix = new Uint16Array(1 << MAX_WIDTH);
  const suffix = new Uint8Array(1 << MAX_WIDTH);
  const scratch = new Uint8Array(1 << MAX_WIDTH);
  let out = new Uint8Array(Math.max(64, input.length * 3));
  let o = 0;
  const grow = (n: number) => {
    if (o + n <= out.length) return;
    let size = out.length * 2;
    while (size < o + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(out.subarray(0, o));
    out = next;
  };

  let width = 9;
  let hi = EOF;
  let overflow = 512;
  let last = -1;
  let bits = 0;
  let nBits = 0;
  let pos = 0;
  for (;;) {
    while (nBits < width) {
      if (pos >= input.length) throw new LzwError("lzw: unexpected EOF");
      bits |= input[pos++]! << nBits;
      nBits += 8;
    }
    const code = bits & ((1 << width) - 1);
    bits >>>= width;
    nBits -= width;

    if (code < CLEAR) {
      grow(1);
      out[o++] = code;
      if (last !== -1) {
        suffix[hi] = code;
        prefix[hi] = last;
      }
    } else if (code === CLEAR) {
      width = 9;
      hi = EOF;
      overflow = 512;
      last = -1;
      continue;
    } else if (code === EOF) {
      return out.slice(0, o);
    } else if (code <= hi) {
      let c = code;
      let i = scratch.length - 1;
      if (code === hi && last !== -1) {
        // KwKwK: the code being defined right now; it ends with its own first byte.
        c = last;
        while (c >= CLEAR) c = prefix[c]!;
        scratch[i--] = c;
        c = last;
      }
      while (c >= CLEAR) {
        scratch[i--] = suffix[c]!;
        c = prefix[c]!;
      }
      scratch[i] = c;
      grow(scratch.length - i);
      out.set(scratch.subarray(i), o);
      o += scratch.length - i;
      if (last !== -1) {
        suffix[hi] = c;
        prefix[hi] = last;
      }
    } else {
      throw new LzwError("lzw: invalid code");
    }
    last = code;
    hi++;
    if (hi >= overflow) {
      if (width === MAX_WIDTH) {
        last = -1;
        hi--;
      } else {
        width++;
        overflow = 1 << width;
      }
    }
  }
}
