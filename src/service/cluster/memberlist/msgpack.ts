// The msgpack dialect memberlist and ckit speak: hashicorp/go-msgpack's MsgpackHandle with its
// defaults (WriteExt off), the codec both link (spec/memberlist.md §5.1).
//
// Writing: Go structs become maps keyed by field name, keys sorted byte-wise; strings and byte
// slices alike use the legacy raw family only (fixraw, raw16, raw32 — never str8 or bin); a nil
// slice is nil; unsigned integers take the smallest unsigned form; Go `int` fields take positive
// fixint up to 127 and the *signed* int16/32/64 forms above it.
// Reading: any integer width, str and bin interchangeably, keys in any order, unknown keys ignored,
// and several values back to back from one buffer. A value cut short throws NeedMoreData, so that a
// stream reader can wait for more bytes and try again.

export class NeedMoreData extends Error {
  constructor() {
    super("msgpack: unexpected end of data");
  }
}

export class MsgpackError extends Error {}

/** A decoded value. Strings and binaries both come back as raw bytes: the schema decides. */
export type MpValue = null | boolean | number | bigint | Uint8Array | MpValue[] | MpMap;
export type MpMap = Map<string, MpValue>;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** A growing byte buffer. */
export class ByteWriter {
  #buf: Uint8Array;
  #view: DataView;
  length = 0;

  constructor(initial = 256) {
    this.#buf = new Uint8Array(initial);
    this.#view = new DataView(this.#buf.buffer);
  }

  #reserve(n: number) {
    if (this.length + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.length));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  u8(v: number) {
    this.#reserve(1);
    this.#buf[this.length++] = v;
  }
  u16(v: number) {
    this.#reserve(2);
    this.#view.setUint16(this.length, v);
    this.length += 2;
  }
  u32(v: number) {
    this.#reserve(4);
    this.#view.setUint32(this.length, v);
    this.length += 4;
  }
  u64(v: number | bigint) {
    this.#reserve(8);
    this.#view.setBigUint64(this.length, BigInt.asUintN(64, BigInt(v)));
    this.length += 8;
  }
  bytes(b: Uint8Array) {
    this.#reserve(b.length);
    this.#buf.set(b, this.length);
    this.length += b.length;
  }
  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.length);
  }
}

/** Writes msgpack values in go-msgpack's encoding. */
export class MsgpackWriter extends ByteWriter {
  nil() {
    this.u8(0xc0);
  }
  bool(v: boolean) {
    this.u8(v ? 0xc3 : 0xc2);
  }
  /** A Go unsigned integer (uint8 … uint64). */
  uint(v: number | bigint): void {
    if (typeof v === "bigint") {
      if (v < 0n) throw new MsgpackError(`negative value ${v} for an unsigned field`);
      if (v <= 0xffffffffn) return this.uint(Number(v));
      this.u8(0xcf);
      this.u64(v);
      return;
    }
    if (!Number.isInteger(v) || v < 0) throw new MsgpackError(`bad unsigned value ${v}`);
    if (v <= 0x7f) this.u8(v);
    else if (v <= 0xff) {
      this.u8(0xcc);
      this.u8(v);
    } else if (v <= 0xffff) {
      this.u8(0xcd);
      this.u16(v);
    } else if (v <= 0xffffffff) {
      this.u8(0xce);
      this.u32(v);
    } else {
      this.u8(0xcf);
      this.u64(v);
    }
  }
  /** A Go signed integer (int, int64 …). */
  int(v: number) {
    if (!Number.isInteger(v)) throw new MsgpackError(`bad integer value ${v}`);
    if (v >= 0 && v <= 0x7f) this.u8(v);
    else if (v > 0x7f) {
      if (v <= 0x7fff) {
        this.u8(0xd1);
        this.u16(v);
      } else if (v <= 0x7fffffff) {
        this.u8(0xd2);
        this.u32(v);
      } else {
        this.u8(0xd3);
        this.u64(v);
      }
    } else if (v >= -32) this.u8(v & 0xff);
    else if (v >= -128) {
      this.u8(0xd0);
      this.u8(v & 0xff);
    } else if (v >= -32768) {
      this.u8(0xd1);
      this.u16(v & 0xffff);
    } else if (v >= -2147483648) {
      this.u8(0xd2);
      this.u32(v >>> 0);
    } else {
      this.u8(0xd3);
      this.u64(v);
    }
  }
  rawHeader(n: number) {
    if (n < 32) this.u8(0xa0 | n);
    else if (n < 65536) {
      this.u8(0xda);
      this.u16(n);
    } else {
      this.u8(0xdb);
      this.u32(n);
    }
  }
  /** A Go string. */
  str(s: string) {
    const b = utf8.encode(s);
    this.rawHeader(b.length);
    this.bytes(b);
  }
  /** A Go []byte: nil stays nil. */
  raw(b: Uint8Array | null | undefined) {
    if (b == null) return this.nil();
    this.rawHeader(b.length);
    this.bytes(b);
  }
  mapHeader(n: number) {
    if (n < 16) this.u8(0x80 | n);
    else if (n < 65536) {
      this.u8(0xde);
      this.u16(n);
    } else {
      this.u8(0xdf);
      this.u32(n);
    }
  }
  arrayHeader(n: number) {
    if (n < 16) this.u8(0x90 | n);
    else if (n < 65536) {
      this.u8(0xdc);
      this.u16(n);
    } else {
      this.u8(0xdd);
      this.u32(n);
    }
  }
}

/** Reads msgpack values from a buffer, one after another. */
export class MsgpackReader {
  offset: number;
  readonly #view: DataView;

  constructor(
    readonly buf: Uint8Array,
    offset = 0,
  ) {
    this.offset = offset;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  #need(n: number) {
    if (this.offset + n > this.buf.length) throw new NeedMoreData();
  }
  #u8() {
    this.#need(1);
    return this.buf[this.offset++]!;
  }
  #u16() {
    this.#need(2);
    const v = this.#view.getUint16(this.offset);
    this.offset += 2;
    return v;
  }
  #u32() {
    this.#need(4);
    const v = this.#view.getUint32(this.offset);
    this.offset += 4;
    return v;
  }
  #u64(): number | bigint {
    this.#need(8);
    const v = this.#view.getBigUint64(this.offset);
    this.offset += 8;
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
  #i64(): number | bigint {
    this.#need(8);
    const v = this.#view.getBigInt64(this.offset);
    this.offset += 8;
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
  }
  #raw(n: number): Uint8Array {
    this.#need(n);
    const out = this.buf.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** Reads one value; throws NeedMoreData (with the offset unchanged) when it is incomplete. */
  read(): MpValue {
    const start = this.offset;
    try {
      return this.#value(0);
    } catch (error) {
      this.offset = start;
      throw error;
    }
  }

  #value(depth: number): MpValue {
    if (depth > 64) throw new MsgpackError("msgpack: nesting too deep");
    const b = this.#u8();
    if (b <= 0x7f) return b;
    if (b >= 0xe0) return b - 0x100;
    if ((b & 0xe0) === 0xa0) return this.#raw(b & 0x1f);
    if ((b & 0xf0) === 0x80) return this.#map(b & 0x0f, depth);
    if ((b & 0xf0) === 0x90) return this.#array(b & 0x0f, depth);
    switch (b) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.#raw(this.#u8());
      case 0xc5:
        return this.#raw(this.#u16());
      case 0xc6:
        return this.#raw(this.#u32());
      case 0xca: {
        this.#need(4);
        const v = this.#view.getFloat32(this.offset);
        this.offset += 4;
        return v;
      }
      case 0xcb: {
        this.#need(8);
        const v = this.#view.getFloat64(this.offset);
        this.offset += 8;
        return v;
      }
      case 0xcc:
        return this.#u8();
      case 0xcd:
        return this.#u16();
      case 0xce:
        return this.#u32();
      case 0xcf:
        return this.#u64();
      case 0xd0: {
        const v = this.#u8();
        return v > 0x7f ? v - 0x100 : v;
      }
      case 0xd1: {
        const v = this.#u16();
        return v > 0x7fff ? v - 0x10000 : v;
      }
      case 0xd2:
        return this.#u32() | 0;
      case 0xd3:
        return this.#i64();
      case 0xd9:
        return this.#raw(this.#u8());
      case 0xda:
        return this.#raw(this.#u16());
      case 0xdb:
        return this.#raw(this.#u32());
      case 0xdc:
        return this.#array(this.#u16(), depth);
      case 0xdd:
        return this.#array(this.#u32(), depth);
      case 0xde:
        return this.#map(this.#u16(), depth);
      case 0xdf:
        return this.#map(this.#u32(), depth);
      case 0xd4:
      case 0xd5:
      case 0xd6:
      case 0xd7:
      case 0xd8: {
        // fixext: a type byte and 1..16 bytes of data; not used by memberlist, skipped whole.
        const size = 1 << (b - 0xd4);
        this.#raw(1 + size);
        return null;
      }
      case 0xc7:
      case 0xc8:
      case 0xc9: {
        const size = b === 0xc7 ? this.#u8() : b === 0xc8 ? this.#u16() : this.#u32();
        this.#raw(1 + size);
        return null;
      }
    }
    throw new MsgpackError(`msgpack: unknown descriptor 0x${b.toString(16)}`);
  }

  #map(n: number, depth: number): MpMap {
    const out: MpMap = new Map();
    for (let i = 0; i < n; i++) {
      const key = this.#value(depth + 1);
      const value = this.#value(depth + 1);
      out.set(key instanceof Uint8Array ? fromUtf8.decode(key) : String(key), value);
    }
    return out;
  }

  #array(n: number, depth: number): MpValue[] {
    const out: MpValue[] = [];
    for (let i = 0; i < n; i++) out.push(this.#value(depth + 1));
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Go structs as msgpack maps, described by a schema.

/** How a Go field is encoded: string, []byte, unsigned, signed `int`, bool. */
export type FieldKind = "str" | "bytes" | "uint" | "int" | "bool";

export interface FieldSpec {
  kind: FieldKind;
  /** `codec:",omitempty"`: left out when zero (empty string, empty or nil slice, 0, false). */
  omitEmpty?: boolean;
}

export type StructSchema = Record<string, FieldSpec>;

/** The JS type of each kind. */
export interface KindTypes {
  str: string;
  bytes: Uint8Array | null;
  uint: number;
  int: number;
  bool: boolean;
}

export type StructOf<S extends StructSchema> = { [K in keyof S]: KindTypes[S[K]["kind"]] };

function isEmpty(kind: FieldKind, value: unknown): boolean {
  switch (kind) {
    case "str":
      return value === "" || value == null;
    case "bytes":
      return value == null || (value as Uint8Array).length === 0;
    case "uint":
    case "int":
      return !value;
    case "bool":
      return !value;
  }
}

const compareBytes = (a: string, b: string) => {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
};

/** A Go struct's codec: encodes with sorted keys, decodes leniently. */
export class StructCodec<S extends StructSchema> {
  readonly #keys: [string, FieldSpec][];

  constructor(readonly schema: S) {
    this.#keys = Object.entries(schema).sort(([a], [b]) => compareBytes(a, b));
  }

  write(w: MsgpackWriter, value: StructOf<S>) {
    const fields = this.#keys.filter(([name, spec]) => !(spec.omitEmpty && isEmpty(spec.kind, value[name])));
    w.mapHeader(fields.length);
    for (const [name, spec] of fields) {
      w.str(name);
      const v = value[name] as unknown;
      switch (spec.kind) {
        case "str":
          w.str((v as string) ?? "");
          break;
        case "bytes":
          w.raw(v as Uint8Array | null);
          break;
        case "uint":
          w.uint((v as number) ?? 0);
          break;
        case "int":
          w.int((v as number) ?? 0);
          break;
        case "bool":
          w.bool(Boolean(v));
          break;
      }
    }
  }

  encode(value: StructOf<S>): Uint8Array {
    const w = new MsgpackWriter();
    this.write(w, value);
    return w.finish();
  }

  /** Converts a decoded map; missing fields take their zero value. */
  fromValue(value: MpValue): StructOf<S> {
    if (value === null) value = new Map();
    if (!(value instanceof Map)) throw new MsgpackError("msgpack: expected a map for a struct");
    const out: Record<string, unknown> = {};
    for (const [name, spec] of this.#keys) out[name] = convert(spec.kind, value.get(name), name);
    return out as StructOf<S>;
  }

  read(r: MsgpackReader): StructOf<S> {
    return this.fromValue(r.read());
  }

  decode(buf: Uint8Array): StructOf<S> {
    return this.read(new MsgpackReader(buf));
  }
}

function convert(kind: FieldKind, v: MpValue | undefined, name: string): unknown {
  switch (kind) {
    case "str":
      if (v == null) return "";
      if (v instanceof Uint8Array) return fromUtf8.decode(v);
      throw new MsgpackError(`msgpack: field ${name}: expected a string`);
    case "bytes":
      if (v == null) return null;
      if (v instanceof Uint8Array) return v;
      if (Array.isArray(v)) return Uint8Array.from(v.map((x) => Number(x) & 0xff));
      throw new MsgpackError(`msgpack: field ${name}: expected bytes`);
    case "uint":
    case "int":
      if (v == null) return 0;
      if (typeof v === "number") return v;
      if (typeof v === "bigint") return Number(v);
      if (typeof v === "boolean") return v ? 1 : 0;
      throw new MsgpackError(`msgpack: field ${name}: expected an integer`);
    case "bool":
      if (v == null) return false;
      if (typeof v === "boolean") return v;
      if (typeof v === "number") return v !== 0;
      throw new MsgpackError(`msgpack: field ${name}: expected a bool`);
  }
}
