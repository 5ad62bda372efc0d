// Golden tests of the memberlist codec against bytes the real Go memberlist writes: this test
// listens on a UDP and a TCP socket (not our engine), lets the Go peer (../shared/tools/
// memberlist-peer) join it, probe it, suspect it, declare it dead and answer its requests, and
// checks that every byte captured decodes with our codec and re-encodes to exactly the same bytes:
// msgpack structs, LZW, compound, CRC and label layers. Nothing here is hand-written.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { platform } from "../../../src/platform/mod.ts";
import type { DatagramSocket, TcpConnection, TcpListener } from "../../../src/platform/mod.ts";
import { lzwCompress, lzwDecompress } from "../../../src/service/cluster/memberlist/lzw.ts";
import { MsgpackReader, type StructCodec } from "../../../src/service/cluster/memberlist/msgpack.ts";
import { tcpStreamConn } from "../../../src/service/cluster/memberlist/net-transport.ts";
import { StreamReader, type StreamConn } from "../../../src/service/cluster/memberlist/stream.ts";
import {
  AckCodec,
  addCrc,
  AliveCodec,
  checkCrc,
  CompressCodec,
  compressPayload,
  concat,
  DeadCodec,
  decodeCompoundMessage,
  encodeMessage,
  ErrCodec,
  IndirectPingCodec,
  labelHeader,
  makeCompoundMessage,
  MessageType,
  NackCodec,
  PingCodec,
  PushNodeStateCodec,
  PushPullHeaderCodec,
  removeLabel,
  SuspectCodec,
  type PushNodeState,
} from "../../../src/service/cluster/memberlist/wire.ts";
import { eventually, freePort, joinResult, startGoPeer, stopAll, waitForState, type GossipProcess } from "./helpers.ts";

const p = platform();
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const utf8 = new TextEncoder();

/** A stream that keeps a copy of every byte read from it. */
function tee(conn: StreamConn): { conn: StreamConn; raw: Uint8Array[] } {
  const raw: Uint8Array[] = [];
  return {
    raw,
    conn: {
      remoteAddr: conn.remoteAddr,
      async read() {
        const chunk = await conn.read();
        if (chunk) raw.push(chunk.slice());
        return chunk;
      },
      write: (d) => conn.write(d),
      close: () => conn.close(),
    },
  };
}

/** A raw listener on one port for UDP and TCP, recording what arrives. */
class Capture {
  packets: { at: number; buf: Uint8Array }[] = [];
  streams: Promise<{ raw: Uint8Array; type: number; plain: Uint8Array | null }>[] = [];
  udp!: DatagramSocket;
  tcp!: TcpListener;
  port = 0;
  /** Called with each accepted stream after its first message has been read. */
  onStream?: (index: number, conn: StreamConn, first: { type: number; plain: Uint8Array | null }) => Promise<void>;

  async start() {
    this.port = await freePort();
    this.tcp = await p.listenTcp({ hostname: "127.0.0.1", port: this.port, onConnection: (c) => this.#accept(c) });
    this.udp = await p.bindDatagram({
      hostname: "127.0.0.1",
      port: this.port,
      onMessage: (buf) => this.packets.push({ at: Date.now(), buf: buf.slice() }),
    });
  }

  #accept(connection: TcpConnection) {
    const index = this.streams.length;
    const { conn, raw } = tee(tcpStreamConn(connection));
    this.streams.push(
      (async () => {
        const reader = new StreamReader(conn);
        reader.setDeadline(performance.now() + 5000);
        const first = await reader.peek(1);
        // A label header comes first when the dialler has one.
        if (first?.[0] === MessageType.hasLabel) {
          const size = (await reader.peek(2))![1]!;
          await reader.readExact(2 + size);
        }
        const type = await reader.readByte();
        let plain: Uint8Array | null = null;
        if (type === MessageType.compress) plain = lzwDecompress(CompressCodec.fromValue(await reader.readValue()).Buf!);
        // Everything read so far is exactly one message (the peer waits for our answer).
        const bytes = concat(raw).subarray(0, concat(raw).length - reader.buffered);
        await this.onStream?.(index, conn, { type, plain });
        conn.close();
        return { raw: bytes, type, plain };
      })(),
    );
  }

  send(msg: Uint8Array, port: number) {
    return this.udp.send(msg, { address: "127.0.0.1", port });
  }

  async stop() {
    await this.udp?.close();
    await this.tcp?.close();
  }
}

/** Decodes a struct from exactly these bytes and encodes it again. */
function reencode(type: number, codec: StructCodec<never>, body: Uint8Array): Uint8Array {
  const reader = new MsgpackReader(body);
  const value = (codec as StructCodec<never>).fromValue(reader.read());
  assert.equal(reader.remaining, 0, `type ${type}: trailing bytes`);
  return encodeMessage(type as MessageType, codec, value);
}

const leafCodecs: Record<number, StructCodec<never>> = {
  [MessageType.ping]: PingCodec as unknown as StructCodec<never>,
  [MessageType.indirectPing]: IndirectPingCodec as unknown as StructCodec<never>,
  [MessageType.ackResp]: AckCodec as unknown as StructCodec<never>,
  [MessageType.nackResp]: NackCodec as unknown as StructCodec<never>,
  [MessageType.suspect]: SuspectCodec as unknown as StructCodec<never>,
  [MessageType.alive]: AliveCodec as unknown as StructCodec<never>,
  [MessageType.dead]: DeadCodec as unknown as StructCodec<never>,
  [MessageType.err]: ErrCodec as unknown as StructCodec<never>,
};

interface Seen {
  layers: Set<number>;
  leaves: { type: number; value: Record<string, unknown> }[];
}

/** Peels every layer of a packet, checking that each re-encodes to the captured bytes. */
function walk(buf: Uint8Array, seen: Seen) {
  const type = buf[0]!;
  const body = buf.subarray(1);
  switch (type) {
    case MessageType.hasCrc: {
      seen.layers.add(type);
      const inner = checkCrc(buf);
      assert.ok(inner, "CRC matches");
      assert.equal(hex(addCrc(inner)), hex(buf), "CRC layer");
      return walk(inner, seen);
    }
    case MessageType.compress: {
      seen.layers.add(type);
      const c = CompressCodec.decode(body);
      const plain = lzwDecompress(c.Buf!);
      assert.equal(hex(lzwCompress(plain)), hex(c.Buf!), "LZW output");
      assert.equal(hex(compressPayload(plain)), hex(buf), "compress layer");
      return walk(plain, seen);
    }
    case MessageType.compound: {
      seen.layers.add(type);
      const { truncated, parts } = decodeCompoundMessage(body);
      assert.equal(truncated, 0);
      assert.equal(hex(makeCompoundMessage(parts)), hex(buf), "compound layer");
      for (const part of parts) walk(part, seen);
      return;
    }
    default: {
      const codec = leafCodecs[type];
      assert.ok(codec, `unexpected message type ${type}`);
      assert.equal(hex(reencode(type, codec, body)), hex(buf), `message type ${type}`);
      seen.leaves.push({ type, value: codec.decode(body) as Record<string, unknown> });
    }
  }
}

function localState(name: string, port: number, join: boolean): Uint8Array {
  const node: PushNodeState = {
    Name: name,
    Addr: Uint8Array.of(127, 0, 0, 1),
    Port: port,
    Meta: utf8.encode("ts-meta"),
    Incarnation: 1,
    State: 0,
    Vsn: Uint8Array.of(1, 5, 2, 0, 0, 0),
  };
  return concat([
    Uint8Array.of(MessageType.pushPull),
    PushPullHeaderCodec.encode({ Nodes: 1, UserStateLen: 0, Join: join }),
    PushNodeStateCodec.encode(node),
  ]);
}

describe("memberlist codec against bytes captured from Go memberlist", () => {
  const capture = new Capture();
  const processes: GossipProcess[] = [];
  let gold: GossipProcess;
  let goldPort = 0;
  const seen: Seen = { layers: new Set(), leaves: [] };

  before(async () => {
    await capture.start();
    // Answer the Go peer's join with our own state (encoded by our codec), so that it adds us.
    capture.onStream = async (index, conn, first) => {
      if (index === 0 && first.type === MessageType.compress && first.plain?.[0] === MessageType.pushPull) {
        await conn.write(compressPayload(localState("ts-gold", capture.port, true)));
      }
    };
    gold = await startGoPeer({ name: "gold", meta: "golden-meta", join: [`127.0.0.1:${capture.port}`] });
    processes.push(gold);
    goldPort = Number(gold.gossip.split(":")[1]);
  });

  after(async () => {
    await stopAll(processes);
    await capture.stop();
  });

  it("reads Go's join push/pull stream and re-encodes it byte for byte (LZW and msgpack)", async () => {
    const first = await capture.streams[0]!;
    assert.equal(first.type, MessageType.compress);
    const raw = first.raw;
    assert.equal(raw[0], MessageType.compress);
    // The compress struct, then the LZW stream inside it.
    const c = CompressCodec.decode(raw.subarray(1));
    assert.equal(c.Algo, 0);
    assert.equal(hex(CompressCodec.encode(c)), hex(raw.subarray(1)));
    const plain = lzwDecompress(c.Buf!);
    assert.equal(hex(lzwCompress(plain)), hex(c.Buf!));
    // The push/pull: header, one node state, no user state.
    const reader = new MsgpackReader(plain, 1);
    const header = PushPullHeaderCodec.fromValue(reader.read());
    assert.deepEqual(header, { Join: true, Nodes: 1, UserStateLen: 0 });
    const node = PushNodeStateCodec.fromValue(reader.read());
    assert.equal(reader.remaining, 0);
    assert.equal(node.Name, "gold");
    assert.equal(new TextDecoder().decode(node.Meta!), "golden-meta");
    assert.equal(hex(node.Addr!), "7f000001");
    assert.equal(node.Port, goldPort);
    assert.equal(node.Incarnation, 1);
    assert.equal(node.State, 0);
    assert.equal(hex(node.Vsn!), "010502000000");
    const ours = concat([Uint8Array.of(MessageType.pushPull), PushPullHeaderCodec.encode(header), PushNodeStateCodec.encode(node)]);
    assert.equal(hex(ours), hex(plain));
  });

  it("is understood by Go: our push/pull reply joins it", async () => {
    await eventually("join_result", () => joinResult(gold), 5000);
    assert.equal(joinResult(gold)?.contacted, 1);
    const m = await waitForState(gold, "ts-gold", ["alive", "suspect", "dead"], 3000);
    assert.equal(m.meta, "ts-meta");
    assert.equal(m.port, capture.port);
    assert.equal(m.incarnation, 1);
  });

  it("captures Go's pings, gossip, suspicion and death of a node that never answers, and re-encodes every layer", async () => {
    // Our requests: a ping (Go answers with an ack) and an indirect ping for a node that does not
    // exist (Go answers with a nack after its probe timeout).
    const ping = { SeqNo: 77, Node: "gold", SourceAddr: Uint8Array.of(127, 0, 0, 1), SourcePort: capture.port, SourceNode: "ts-gold" };
    await capture.send(encodeMessage(MessageType.ping, PingCodec, ping), goldPort);
    const ind = {
      SeqNo: 88,
      Target: Uint8Array.of(127, 0, 0, 1),
      Port: await freePort(),
      Node: "ghost",
      Nack: true,
      SourceAddr: Uint8Array.of(127, 0, 0, 1),
      SourcePort: capture.port,
      SourceNode: "ts-gold",
    };
    await capture.send(encodeMessage(MessageType.indirectPing, IndirectPingCodec, ind), goldPort);
    // We never ack: Go suspects us, then declares us dead, gossiping both to us.
    await waitForState(gold, "ts-gold", ["dead"], 5000);
    await new Promise((r) => setTimeout(r, 300));

    assert.ok(capture.packets.length > 3, `captured ${capture.packets.length} packets`);
    for (const { buf } of capture.packets) walk(buf, seen);
    const types = new Set(seen.leaves.map((l) => l.type));
    for (const t of [MessageType.ping, MessageType.ackResp, MessageType.nackResp, MessageType.alive, MessageType.suspect, MessageType.dead]) {
      assert.ok(types.has(t), `a message of type ${t} was captured (types: ${[...types]})`);
    }
    // Gossip to a node that speaks protocol 5 carries a CRC; several messages travel as a compound.
    assert.ok(seen.layers.has(MessageType.hasCrc), "a CRC layer was captured");
    assert.ok(seen.layers.has(MessageType.compound), "a compound was captured");

    const ack = seen.leaves.find((l) => l.type === MessageType.ackResp && l.value.SeqNo === 77);
    assert.ok(ack, "Go acked our ping");
    const nack = seen.leaves.find((l) => l.type === MessageType.nackResp && l.value.SeqNo === 88);
    assert.ok(nack, "Go nacked our indirect ping");
    const goPing = seen.leaves.find((l) => l.type === MessageType.ping)!.value;
    assert.equal(goPing.Node, "ts-gold");
    assert.equal(goPing.SourceNode, "gold");
    assert.equal(goPing.SourcePort, goldPort);
    const suspect = seen.leaves.find((l) => l.type === MessageType.suspect)!.value;
    assert.deepEqual(suspect, { From: "gold", Incarnation: 1, Node: "ts-gold" });
    const dead = seen.leaves.find((l) => l.type === MessageType.dead)!.value;
    assert.deepEqual(dead, { From: "gold", Incarnation: 1, Node: "ts-gold" });
  });

  it("captures Go's TCP fallback ping stream", async () => {
    // Streams after the join are TCP pings (we understand protocol 5, so Go tries TCP too).
    const results = await Promise.all(capture.streams.slice(1));
    const pingStream = results.find((s) => s.type === MessageType.compress && s.plain?.[0] === MessageType.ping);
    assert.ok(pingStream, `a TCP ping was captured (${results.length} streams)`);
    walk(pingStream.raw, seen);
  });

  it("captures Go's error reply to a stream it cannot read", async () => {
    const conn = tcpStreamConn(await p.connectTcp({ address: "127.0.0.1", port: goldPort, timeoutMs: 2000 }));
    const { conn: teed, raw } = tee(conn);
    try {
      // A compress message whose body is not msgpack.
      await teed.write(Uint8Array.of(MessageType.compress, 0xc1));
      const reader = new StreamReader(teed);
      reader.setDeadline(performance.now() + 5000);
      assert.equal(await reader.readByte(), MessageType.compress);
      const c = CompressCodec.fromValue(await reader.readValue());
      const plain = lzwDecompress(c.Buf!);
      assert.equal(plain[0], MessageType.err);
      assert.match(ErrCodec.decode(plain.subarray(1)).Error, /./);
      walk(concat(raw), { layers: new Set(), leaves: [] });
    } finally {
      teed.close();
    }
  });

  it("captures Go's label header on streams and packets", async () => {
    const labelled = new Capture();
    await labelled.start();
    try {
      const peer = await startGoPeer({ name: "gold-label", label: "golden", join: [`127.0.0.1:${labelled.port}`] });
      processes.push(peer);
      const first = await labelled.streams[0]!;
      assert.equal(first.type, MessageType.compress);
      const header = labelHeader("golden");
      assert.equal(hex(first.raw.subarray(0, header.length)), hex(header));
      assert.equal(hex(first.raw.subarray(0, 8)), "f406676f6c64656e");
      // Without our answer the join fails; the peer then has nobody to send packets to. Send it a
      // labelled ping and check the label on its ack.
      const ping = { SeqNo: 5, Node: "gold-label", SourceAddr: Uint8Array.of(127, 0, 0, 1), SourcePort: labelled.port, SourceNode: "x" };
      await labelled.send(concat([header, encodeMessage(MessageType.ping, PingCodec, ping)]), Number(peer.gossip.split(":")[1]));
      const packet = await eventually("a labelled ack", () => labelled.packets[0], 3000);
      const { label, rest } = removeLabel(packet.buf);
      assert.equal(label, "golden");
      const acks: Seen = { layers: new Set(), leaves: [] };
      walk(rest, acks);
      assert.ok(acks.leaves.some((l) => l.type === MessageType.ackResp && l.value.SeqNo === 5));
      await peer.stop();
    } finally {
      await labelled.stop();
    }
  });
});
