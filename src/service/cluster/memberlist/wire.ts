// memberlist's messages and the layers around them (spec/memberlist.md §5): message types, the Go
// structs as msgpack, compound messages, compression, the CRC header and the label header.
import { crc32 } from "./crc32.ts";
import { lzwCompress, lzwDecompress } from "./lzw.ts";
import { MsgpackWriter, StructCodec, type StructOf } from "./msgpack.ts";

export const MessageType = {
  ping: 0,
  indirectPing: 1,
  ackResp: 2,
  suspect: 3,
  alive: 4,
  dead: 5,
  pushPull: 6,
  compound: 7,
  user: 8,
  compress: 9,
  encrypt: 10,
  nackResp: 11,
  hasCrc: 12,
  err: 13,
  hasLabel: 244,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

export const ProtocolVersionMin = 1;
/** Version 2 is what memberlist speaks by default; it understands up to 5. */
export const ProtocolVersion2Compatible = 2;
export const ProtocolVersionMax = 5;

export const MetaMaxSize = 512;
export const LabelMaxSize = 255;
export const compoundHeaderOverhead = 2;
export const compoundOverhead = 2;
export const userMsgOverhead = 1;
export const maxPushStateBytes = 20 * 1024 * 1024;
export const maxPushPullRequests = 128;

export const PingCodec = new StructCodec({
  SeqNo: { kind: "uint" },
  Node: { kind: "str" },
  SourceAddr: { kind: "bytes", omitEmpty: true },
  SourcePort: { kind: "uint", omitEmpty: true },
  SourceNode: { kind: "str", omitEmpty: true },
});
export type Ping = StructOf<typeof PingCodec.schema>;

export const IndirectPingCodec = new StructCodec({
  SeqNo: { kind: "uint" },
  Target: { kind: "bytes" },
  Port: { kind: "uint" },
  Node: { kind: "str" },
  Nack: { kind: "bool" },
  SourceAddr: { kind: "bytes", omitEmpty: true },
  SourcePort: { kind: "uint", omitEmpty: true },
  SourceNode: { kind: "str", omitEmpty: true },
});
export type IndirectPing = StructOf<typeof IndirectPingCodec.schema>;

export const AckCodec = new StructCodec({ SeqNo: { kind: "uint" }, Payload: { kind: "bytes" } });
export type Ack = StructOf<typeof AckCodec.schema>;

export const NackCodec = new StructCodec({ SeqNo: { kind: "uint" } });
export const ErrCodec = new StructCodec({ Error: { kind: "str" } });

export const SuspectCodec = new StructCodec({
  Incarnation: { kind: "uint" },
  Node: { kind: "str" },
  From: { kind: "str" },
});
export type Suspect = StructOf<typeof SuspectCodec.schema>;
export const DeadCodec = SuspectCodec;
export type Dead = Suspect;

export const AliveCodec = new StructCodec({
  Incarnation: { kind: "uint" },
  Node: { kind: "str" },
  Addr: { kind: "bytes" },
  Port: { kind: "uint" },
  Meta: { kind: "bytes" },
  Vsn: { kind: "bytes" },
});
export type Alive = StructOf<typeof AliveCodec.schema>;

export const PushPullHeaderCodec = new StructCodec({
  Nodes: { kind: "int" },
  UserStateLen: { kind: "int" },
  Join: { kind: "bool" },
});
export type PushPullHeader = StructOf<typeof PushPullHeaderCodec.schema>;

export const UserMsgHeaderCodec = new StructCodec({ UserMsgLen: { kind: "int" } });

export const PushNodeStateCodec = new StructCodec({
  Name: { kind: "str" },
  Addr: { kind: "bytes" },
  Port: { kind: "uint" },
  Meta: { kind: "bytes" },
  Incarnation: { kind: "uint" },
  State: { kind: "int" },
  Vsn: { kind: "bytes" },
});
export type PushNodeState = StructOf<typeof PushNodeStateCodec.schema>;

export const CompressCodec = new StructCodec({ Algo: { kind: "uint" }, Buf: { kind: "bytes" } });

/** `[type byte] + msgpack(value)`, as memberlist's encode(). */
export function encodeMessage<S extends Record<string, { kind: "str" | "bytes" | "uint" | "int" | "bool" }>>(
  type: MessageType,
  codec: StructCodec<S>,
  value: StructOf<S>,
): Uint8Array {
  const w = new MsgpackWriter();
  w.u8(type);
  codec.write(w, value);
  return w.finish();
}

export function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Compound messages: [7][count u8][len u16 BE]×count, then the parts.

export function makeCompoundMessage(msgs: Uint8Array[]): Uint8Array {
  let size = 2 + 2 * msgs.length;
  for (const m of msgs) size += m.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out[0] = MessageType.compound;
  out[1] = msgs.length;
  let o = 2;
  for (const m of msgs) {
    view.setUint16(o, m.length);
    o += 2;
  }
  for (const m of msgs) {
    out.set(m, o);
    o += m.length;
  }
  return out;
}

/** Parts longer than 65535 bytes go alone; the rest in compounds of at most 255 parts. */
export function makeCompoundMessages(msgs: Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  const small: Uint8Array[] = [];
  for (const m of msgs) {
    if (m.length <= 0xffff) small.push(m);
    else out.push(m);
  }
  for (let i = 0; i < small.length; i += 255) out.push(makeCompoundMessage(small.slice(i, i + 255)));
  return out;
}

/** Splits a compound (without its type byte); truncated counts the parts that did not fit. */
export function decodeCompoundMessage(buf: Uint8Array): { truncated: number; parts: Uint8Array[] } {
  if (buf.length < 1) throw new Error("missing compound length byte");
  const numParts = buf[0]!;
  let o = 1;
  if (buf.length - o < numParts * 2) throw new Error("truncated len slice");
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const lengths: number[] = [];
  for (let i = 0; i < numParts; i++) lengths.push(view.getUint16(o + i * 2));
  o += numParts * 2;
  const parts: Uint8Array[] = [];
  for (let i = 0; i < numParts; i++) {
    const len = lengths[i]!;
    if (buf.length - o < len) return { truncated: numParts - i, parts };
    parts.push(buf.subarray(o, o + len));
    o += len;
  }
  return { truncated: 0, parts };
}

// ---------------------------------------------------------------------------------------------
// Compression: [9] + msgpack(compress{Algo 0 = LZW, Buf}).

export const lzwAlgo = 0;

export function compressPayload(msg: Uint8Array): Uint8Array {
  return encodeMessage(MessageType.compress, CompressCodec, { Algo: lzwAlgo, Buf: lzwCompress(msg) });
}

/** Decodes a compress struct (the bytes after the type byte) and inflates it. */
export function decompressPayload(buf: Uint8Array): Uint8Array {
  const c = CompressCodec.decode(buf);
  return decompressBuffer(c.Algo, c.Buf);
}

export function decompressBuffer(algo: number, buf: Uint8Array | null): Uint8Array {
  if (algo !== lzwAlgo) throw new Error(`cannot decompress unknown algorithm ${algo}`);
  return lzwDecompress(buf ?? new Uint8Array(0));
}

// ---------------------------------------------------------------------------------------------
// CRC: [12][crc32-IEEE(rest) u32 BE] + rest.

export function addCrc(msg: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + msg.length);
  out[0] = MessageType.hasCrc;
  new DataView(out.buffer).setUint32(1, crc32(msg));
  out.set(msg, 5);
  return out;
}

/** Strips a CRC header when there is one; null when the checksum does not match. */
export function checkCrc(buf: Uint8Array): Uint8Array | null {
  if (buf.length < 5 || buf[0] !== MessageType.hasCrc) return buf;
  const expected = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(1);
  const rest = buf.subarray(5);
  return crc32(rest) === expected ? rest : null;
}

// ---------------------------------------------------------------------------------------------
// Labels: [0xF4][len u8][label] in front of every packet and every dialled stream.

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export function labelHeader(label: string): Uint8Array {
  if (label === "") return new Uint8Array(0);
  const bytes = utf8.encode(label);
  if (bytes.length > LabelMaxSize) throw new Error(`label "${label}" is too long`);
  const out = new Uint8Array(2 + bytes.length);
  out[0] = MessageType.hasLabel;
  out[1] = bytes.length;
  out.set(bytes, 2);
  return out;
}

export function labelOverhead(label: string): number {
  return label === "" ? 0 : 2 + utf8.encode(label).length;
}

export function addLabel(buf: Uint8Array, label: string): Uint8Array {
  if (label === "") return buf;
  return concat([labelHeader(label), buf]);
}

/** Splits the label off a packet; a packet without one has the label "". */
export function removeLabel(buf: Uint8Array): { label: string; rest: Uint8Array } {
  if (buf.length === 0 || buf[0] !== MessageType.hasLabel) return { label: "", rest: buf };
  if (buf.length < 2) throw new Error("cannot decode label; packet has been truncated");
  const size = buf[1]!;
  if (size < 1) throw new Error("label header cannot be empty when present");
  if (buf.length < 2 + size) throw new Error("cannot decode label; packet has been truncated");
  return { label: fromUtf8.decode(buf.subarray(2, 2 + size)), rest: buf.subarray(2 + size) };
}
