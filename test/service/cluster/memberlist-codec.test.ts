// Deterministic tests of memberlist's wire layers: the go-msgpack dialect, LZW, compound messages,
// CRC, labels, ckit's HTTP/2 frames, and memberlist's formulas. (Byte-for-byte agreement with Go
// is checked against live captures in memberlist-golden.test.ts.)
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { crc32 } from "../../../src/service/cluster/memberlist/crc32.ts";
import { encodeFrame, FrameParser } from "../../../src/service/cluster/memberlist/http2-transport.ts";
import { lzwCompress, lzwDecompress } from "../../../src/service/cluster/memberlist/lzw.ts";
import { MsgpackReader, MsgpackWriter, NeedMoreData, StructCodec } from "../../../src/service/cluster/memberlist/msgpack.ts";
import { StreamReader } from "../../../src/service/cluster/memberlist/stream.ts";
import {
  ipToString,
  parseIP,
  pushPullScale,
  remainingSuspicionTime,
  retransmitLimit,
  suspicionTimeout,
} from "../../../src/service/cluster/memberlist/util.ts";
import {
  addCrc,
  addLabel,
  AliveCodec,
  checkCrc,
  decodeCompoundMessage,
  encodeMessage,
  labelHeader,
  labelOverhead,
  makeCompoundMessage,
  makeCompoundMessages,
  MessageType,
  PingCodec,
  PushPullHeaderCodec,
  removeLabel,
} from "../../../src/service/cluster/memberlist/wire.ts";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const unhex = (s: string) => Uint8Array.from(s.replace(/\s+/g, "").match(/../g)!.map((x) => parseInt(x, 16)));
const str = (s: string) => hex(new TextEncoder().encode(s));
const mp = (f: (w: MsgpackWriter) => void) => {
  const w = new MsgpackWriter();
  f(w);
  return hex(w.finish());
};

describe("memberlist msgpack dialect", () => {
  it("encodes the spec's ping and alive (sorted keys, raw strings, omitempty, Vsn as raw bytes)", () => {
    const ping = encodeMessage(MessageType.ping, PingCodec, {
      SeqNo: 1,
      Node: "n2",
      SourceAddr: Uint8Array.of(10, 0, 0, 1),
      SourcePort: 12345,
      SourceNode: "n1",
    });
    assert.equal(
      hex(ping),
      "0085" + `a4${str("Node")}a2${str("n2")}` + `a5${str("SeqNo")}01` + `aa${str("SourceAddr")}a40a000001` +
        `aa${str("SourceNode")}a2${str("n1")}` + `aa${str("SourcePort")}cd3039`,
    );
    const alive = encodeMessage(MessageType.alive, AliveCodec, {
      Incarnation: 1,
      Node: "n1",
      Addr: Uint8Array.of(10, 0, 0, 1),
      Port: 12345,
      Meta: null,
      Vsn: Uint8Array.of(1, 5, 2, 0, 0, 0),
    });
    assert.equal(
      hex(alive),
      "0486" + `a4${str("Addr")}a40a000001` + `ab${str("Incarnation")}01` + `a4${str("Meta")}c0` + `a4${str("Node")}a2${str("n1")}` +
        `a4${str("Port")}cd3039` + `a3${str("Vsn")}a6010502000000`,
    );
    // Omitted when empty.
    const bare = encodeMessage(MessageType.ping, PingCodec, { SeqNo: 2, Node: "", SourceAddr: null, SourcePort: 0, SourceNode: "" });
    assert.equal(hex(bare), "0082" + `a4${str("Node")}a0` + `a5${str("SeqNo")}02`);
  });

  it("writes unsigned and signed integers in go-msgpack's forms", () => {
    assert.equal(mp((w) => w.uint(127)), "7f");
    assert.equal(mp((w) => w.uint(128)), "cc80");
    assert.equal(mp((w) => w.uint(256)), "cd0100");
    assert.equal(mp((w) => w.uint(65536)), "ce00010000");
    assert.equal(mp((w) => w.uint(2 ** 32)), "cf0000000100000000");
    // Go int: positive fixint, then the signed forms (never uint8/16 for an int field).
    assert.equal(mp((w) => w.int(127)), "7f");
    assert.equal(mp((w) => w.int(128)), "d10080");
    assert.equal(mp((w) => w.int(40000)), "d200009c40");
    assert.equal(mp((w) => w.int(-1)), "ff");
    assert.equal(mp((w) => w.int(-33)), "d0df");
    assert.equal(hex(PushPullHeaderCodec.encode({ Nodes: 200, UserStateLen: 0, Join: false })).includes("d100c8"), true);
  });

  it("writes strings and bytes with the raw family only (no str8, no bin), nil as nil", () => {
    assert.equal(mp((w) => w.str("")), "a0");
    assert.equal(mp((w) => w.raw(new Uint8Array(31))).slice(0, 2), "bf");
    assert.equal(mp((w) => w.raw(new Uint8Array(32))).slice(0, 6), "da0020");
    assert.equal(mp((w) => w.raw(new Uint8Array(65535))).slice(0, 6), "daffff");
    assert.equal(mp((w) => w.raw(new Uint8Array(65536))).slice(0, 10), "db00010000");
    assert.equal(mp((w) => w.raw(null)), "c0");
    assert.equal(mp((w) => w.raw(new Uint8Array(0))), "a0");
  });

  it("reads str and bin alike, any integer width, keys in any order, unknown keys, missing keys", () => {
    const codec = new StructCodec({ A: { kind: "bytes" }, B: { kind: "str" }, C: { kind: "uint" }, D: { kind: "bool" } });
    // map{ Z: 1, C: uint32 7, B: bin8 "hi", A: str8 "xy" } with D missing
    const buf = unhex(`84 a15a 01 a143 ce00000007 a142 c4026869 a141 d9027879`);
    const v = codec.decode(buf);
    assert.equal(hex(v.A!), "7879");
    assert.equal(v.B, "hi");
    assert.equal(v.C, 7);
    assert.equal(v.D, false);
  });

  it("reads values back to back, and reports an incomplete value without consuming it", () => {
    const w = new MsgpackWriter();
    w.uint(1);
    w.str("two");
    w.mapHeader(1);
    w.str("k");
    w.int(-5);
    const all = w.finish();
    const r = new MsgpackReader(all);
    assert.equal(r.read(), 1);
    assert.equal(new TextDecoder().decode(r.read() as Uint8Array), "two");
    assert.deepEqual(r.read(), new Map([["k", -5]]));
    assert.equal(r.remaining, 0);
    const cut = new MsgpackReader(all.subarray(0, all.length - 1), 5);
    assert.throws(() => cut.read(), NeedMoreData);
    assert.equal(cut.offset, 5);
  });

  it("a stream reader decodes values as their bytes trickle in", async () => {
    const w = new MsgpackWriter();
    PushPullHeaderCodec.write(w, { Nodes: 3, UserStateLen: 2, Join: true });
    w.bytes(Uint8Array.of(0xaa, 0xbb));
    const bytes = w.finish();
    let i = 0;
    const reader = new StreamReader({
      remoteAddr: "x",
      read: async () => (i < bytes.length ? bytes.subarray(i, ++i) : null),
      write: async () => {},
      close() {},
    });
    assert.deepEqual(PushPullHeaderCodec.fromValue(await reader.readValue()), { Nodes: 3, UserStateLen: 2, Join: true });
    assert.equal(hex(await reader.readExact(2)), "aabb");
    await assert.rejects(reader.readByte(), /EOF/);
  });
});

describe("LZW (Go compress/lzw, LSB, 8-bit literals)", () => {
  it("matches Go's output for known inputs", () => {
    const enc = (s: string) => hex(lzwCompress(new TextEncoder().encode(s)));
    assert.equal(enc("a"), "00c30404");
    assert.equal(enc("abababab"), "00c3881148504c40");
    assert.equal(enc(""), "000302");
  });

  it("round-trips, including the KwKwK case and inputs long enough to reset the table", () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const inputs = [
      new TextEncoder().encode("aaaaaaaaaaaaaaaaaaaaaaaaa"),
      new TextEncoder().encode("TOBEORNOTTOBEORTOBEORNOT#"),
      Uint8Array.from({ length: 70_000 }, () => rand()),
      Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7919 + (i >> 5)) % 253),
      new Uint8Array(100_000),
    ];
    for (const input of inputs) assert.deepEqual(lzwDecompress(lzwCompress(input)), input);
  });

  it("rejects truncated and invalid data", () => {
    const c = lzwCompress(new TextEncoder().encode("hello hello hello"));
    assert.throws(() => lzwDecompress(c.subarray(0, c.length - 2)), /unexpected EOF/);
    assert.throws(() => lzwDecompress(Uint8Array.of(0x00, 0xff, 0xff, 0xff)), /invalid code|unexpected EOF/);
  });
});

describe("compound messages, CRC and labels", () => {
  it("builds and splits compounds; more than 255 parts split, parts over 65535 bytes go alone", () => {
    const parts = [Uint8Array.of(1, 2), Uint8Array.of(3), new Uint8Array(0)];
    const c = makeCompoundMessage(parts);
    assert.equal(hex(c), "0703" + "0002" + "0001" + "0000" + "010203");
    assert.deepEqual(decodeCompoundMessage(c.subarray(1)), { truncated: 0, parts });
    const many = Array.from({ length: 300 }, (_, i) => Uint8Array.of(i & 0xff));
    const big = new Uint8Array(70_000);
    const out = makeCompoundMessages([...many.slice(0, 10), big, ...many.slice(10)]);
    assert.equal(out.length, 3);
    assert.equal(out[0], big);
    assert.equal(out[1]![1], 255);
    assert.equal(out[2]![1], 45);
  });

  it("decodes the complete parts of a truncated compound and counts the rest", () => {
    const c = makeCompoundMessage([Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5, 6), Uint8Array.of(7)]);
    const { truncated, parts } = decodeCompoundMessage(c.subarray(1, c.length - 2));
    assert.equal(truncated, 2);
    assert.deepEqual(parts, [Uint8Array.of(1, 2, 3)]);
    assert.throws(() => decodeCompoundMessage(Uint8Array.of(3, 0)), /truncated len slice/);
  });

  it("adds and checks the CRC header (CRC-32 IEEE, big-endian)", () => {
    assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
    const msg = Uint8Array.of(4, 1, 2, 3);
    const withCrc = addCrc(msg);
    assert.equal(withCrc[0], MessageType.hasCrc);
    assert.deepEqual(checkCrc(withCrc), msg);
    withCrc[6] ^= 1;
    assert.equal(checkCrc(withCrc), null);
    // Too short for a CRC header: left alone.
    assert.deepEqual(checkCrc(Uint8Array.of(12, 0)), Uint8Array.of(12, 0));
  });

  it("adds and strips labels; an empty label header or a truncated one is an error", () => {
    assert.equal(hex(labelHeader("alloy")), "f405616c6c6f79");
    assert.equal(labelOverhead("alloy"), 7);
    assert.equal(labelOverhead(""), 0);
    assert.deepEqual(removeLabel(addLabel(Uint8Array.of(0, 1), "alloy")), { label: "alloy", rest: Uint8Array.of(0, 1) });
    assert.deepEqual(removeLabel(Uint8Array.of(0, 1)), { label: "", rest: Uint8Array.of(0, 1) });
    assert.throws(() => removeLabel(Uint8Array.of(0xf4, 0, 1)), /cannot be empty/);
    assert.throws(() => removeLabel(Uint8Array.of(0xf4, 5, 0x61)), /truncated/);
    assert.throws(() => removeLabel(Uint8Array.of(0xf4)), /truncated/);
    assert.throws(() => labelHeader("x".repeat(256)), /too long/);
  });
});

describe("ckit HTTP/2 frames", () => {
  it("uses the 16-bit header up to 65535 bytes and the 32-bit header above", () => {
    assert.equal(hex(encodeFrame(Uint8Array.of(7, 8))), "cc00020708");
    const at = encodeFrame(new Uint8Array(65535));
    assert.equal(hex(at.subarray(0, 3)), "ccffff");
    const over = encodeFrame(new Uint8Array(65536));
    assert.equal(hex(over.subarray(0, 5)), "cd00010000");
    assert.equal(over.length, 65541);
  });

  it("parses frames split anywhere, and rejects a bad magic byte", () => {
    const stream = new Uint8Array([...encodeFrame(Uint8Array.of(1, 2, 3)), ...encodeFrame(new Uint8Array(70_000).fill(9)), ...encodeFrame(new Uint8Array(0))]);
    const parser = new FrameParser();
    const frames: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i += 997) frames.push(...parser.push(stream.subarray(i, i + 997)));
    assert.equal(frames.length, 3);
    assert.deepEqual(frames[0], Uint8Array.of(1, 2, 3));
    assert.equal(frames[1]!.length, 70_000);
    assert.equal(frames[2]!.length, 0);
    assert.equal(parser.pending, 0);
    assert.throws(() => new FrameParser().push(Uint8Array.of(0xce, 0, 1, 0)), /unrecognized magic byte/);
  });
});

describe("memberlist formulas", () => {
  it("suspicion timeout uses log10 of the node count (memberlist util_test values)", () => {
    const cases: [number, number][] = [[5, 1000], [10, 1000], [50, 1698], [100, 2000], [500, 2698], [1000, 3000]];
    for (const [n, expected] of cases) assert.equal(suspicionTimeout(3, n, 1000) / 3, expected, `n=${n}`);
    // ckit: SuspicionMult 4, ProbeInterval 5s, up to 10 nodes: 20s.
    assert.equal(suspicionTimeout(4, 3, 5000), 20_000);
  });

  it("retransmit limit is RetransmitMult · ceil(log10(n+1))", () => {
    assert.equal(retransmitLimit(3, 0), 0);
    assert.equal(retransmitLimit(3, 1), 3);
    assert.equal(retransmitLimit(3, 99), 6);
    assert.equal(retransmitLimit(4, 9), 4);
    assert.equal(retransmitLimit(4, 10), 8);
  });

  it("push/pull interval stretches above 32 nodes", () => {
    const I = 30_000;
    assert.equal(pushPullScale(I, 1), I);
    assert.equal(pushPullScale(I, 32), I);
    assert.equal(pushPullScale(I, 33), 2 * I);
    assert.equal(pushPullScale(I, 64), 2 * I);
    assert.equal(pushPullScale(I, 65), 3 * I);
    assert.equal(pushPullScale(I, 128), 3 * I);
    assert.equal(pushPullScale(I, 129), 4 * I);
  });

  it("remaining suspicion time shrinks with confirmations (memberlist suspicion_test values)", () => {
    const min = 2000;
    const max = 30_000;
    const cases: [number, number, number][] = [[0, 0, 30_000], [1, 2000, 14_000], [2, 3000, 4810], [3, 4000, -2000], [4, 5000, -3000], [5, 10_000, -8000]];
    for (const [n, elapsed, expected] of cases) assert.equal(remainingSuspicionTime(n, 3, elapsed, min, max), expected, `n=${n}`);
  });

  it("IP addresses as Go's net.IP", () => {
    assert.equal(hex(parseIP("10.0.0.1")!), "0a000001");
    assert.equal(hex(parseIP("::1")!), "00000000000000000000000000000001");
    assert.equal(hex(parseIP("[fe80::1:2]")!), "fe800000000000000000000000010002");
    assert.equal(hex(parseIP("::ffff:10.0.0.1")!), "00000000000000000000ffff0a000001");
    assert.equal(parseIP("1.2.3"), null);
    assert.equal(parseIP("256.1.1.1"), null);
    assert.equal(ipToString(parseIP("::ffff:10.0.0.1")), "10.0.0.1");
    assert.equal(ipToString(parseIP("fe80::1:2")), "fe80::1:2");
    assert.equal(ipToString(parseIP("2001:db8:0:0:1:0:0:1")), "2001:db8::1:0:0:1");
  });
});
