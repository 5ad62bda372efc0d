// ckit's HTTP/2 transport on a real server and client (h2c on 127.0.0.1): the routes' status codes,
// packets as frames, full-duplex streams, and the dialler's time budget.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { platform } from "../../../src/platform/mod.ts";
import type { HttpServer } from "../../../src/platform/mod.ts";
import {
  ckitContentType,
  ckitMessagePath,
  ckitStreamPath,
  encodeFrame,
  Http2Transport,
} from "../../../src/service/cluster/memberlist/http2-transport.ts";
import type { StreamConn } from "../../../src/service/cluster/memberlist/stream.ts";
import type { Packet } from "../../../src/service/cluster/memberlist/transport.ts";
import { eventually } from "./helpers.ts";

const p = platform();
const bytes = (...b: number[]) => Uint8Array.from(b);

interface Node {
  transport: Http2Transport;
  server: HttpServer;
  addr: string;
  packets: Packet[];
  streams: StreamConn[];
}

async function node(hang = false): Promise<Node> {
  const transport = new Http2Transport({ createClient: p.createHttp2Client });
  const packets: Packet[] = [];
  const streams: StreamConn[] = [];
  transport.attach({ onPacket: (pk) => packets.push(pk), onStream: (c) => streams.push(c) });
  const server = await p.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request, connection) => (hang ? new Promise<Response>(() => {}) : transport.handler(request, connection)),
  });
  return { transport, server, addr: `127.0.0.1:${server.port}`, packets, streams };
}

describe("ckit HTTP/2 transport", () => {
  let a: Node;
  let b: Node;
  before(async () => {
    a = await node();
    b = await node();
  });
  after(async () => {
    for (const n of [a, b]) {
      await n.transport.shutdown();
      await n.server.close(100);
    }
  });

  it("answers only HTTP/2 POSTs with ckit's content type at its two paths", async () => {
    const client = p.createHttp2Client(`http://${a.addr}`);
    try {
      const post = (path: string, type = ckitContentType) =>
        client.fetch(`http://${a.addr}${path}`, { method: "POST", headers: { "content-type": type }, body: encodeFrame(bytes(1)) as Uint8Array<ArrayBuffer> });
      assert.equal((await post("/api/v1/ckit/transport/nope")).status, 404);
      assert.equal((await post(ckitMessagePath, "application/octet-stream")).status, 400);
      const http1 = await fetch(`http://${a.addr}${ckitMessagePath}`, { method: "POST", headers: { "content-type": ckitContentType }, body: "x" });
      assert.equal(http1.status, 505);
      assert.equal((await post(ckitMessagePath)).status, 200);
    } finally {
      await client.close();
    }
  });

  it("turns each frame of a /message body into a packet from the sender's address; a bad frame is a 400", async () => {
    const client = p.createHttp2Client(`http://${a.addr}`);
    try {
      a.packets.length = 0;
      const body = new Uint8Array([...encodeFrame(bytes(1, 2)), ...encodeFrame(bytes(3)), ...encodeFrame(new Uint8Array(70_000).fill(7))]);
      const ok = await client.fetch(`http://${a.addr}${ckitMessagePath}`, { method: "POST", headers: { "content-type": ckitContentType }, body });
      assert.equal(ok.status, 200);
      assert.equal((await ok.arrayBuffer()).byteLength, 0);
      await eventually("three packets", () => a.packets.length === 3, 2000);
      assert.deepEqual(a.packets.slice(0, 2).map((pk) => Array.from(pk.buf)), [[1, 2], [3]]);
      assert.equal(a.packets[2]!.buf.length, 70_000);
      assert.match(a.packets[0]!.from, /^127\.0\.0\.1:\d+$/);
      const bad = await client.fetch(`http://${a.addr}${ckitMessagePath}`, {
        method: "POST",
        headers: { "content-type": ckitContentType },
        body: new Uint8Array([...encodeFrame(bytes(9)), 0xee, 0, 1, 5]),
      });
      assert.equal(bad.status, 400);
      await eventually("the good frame before the bad one", () => a.packets.length === 4, 2000);
      assert.deepEqual(Array.from(a.packets[3]!.buf), [9]);
    } finally {
      await client.close();
    }
  });

  it("sends packets with writeTo, one POST per packet", async () => {
    b.packets.length = 0;
    for (let i = 0; i < 20; i++) await a.transport.writeTo(bytes(i), b.addr);
    await eventually("20 packets", () => b.packets.length === 20, 5000);
    assert.deepEqual(b.packets.map((pk) => pk.buf[0]), Array.from({ length: 20 }, (_, i) => i));
  });

  it("a packet to an unreachable peer only counts a failure", async () => {
    const failed = a.transport.metrics.packetsSendFailed;
    await a.transport.writeTo(bytes(1), "127.0.0.1:1");
    await eventually("a failure", () => a.transport.metrics.packetsSendFailed > failed, 5000);
  });

  it("a peer that never answers holds up only its own packets, not other peers'", async () => {
    // ckit's single sender would wait out the packet timeout (an hour here) before b got anything.
    const sender = new Http2Transport({ createClient: p.createHttp2Client, packetTimeoutMs: 3_600_000, shutdownFlushMs: 0 });
    const hanging = await node(true);
    try {
      b.packets.length = 0;
      await sender.writeTo(bytes(100), hanging.addr);
      await sender.writeTo(bytes(101), hanging.addr);
      for (let i = 0; i < 5; i++) await sender.writeTo(bytes(i), b.addr);
      await eventually("b's five packets", () => b.packets.length === 5, 5000);
      assert.deepEqual(b.packets.map((pk) => pk.buf[0]), [0, 1, 2, 3, 4]);
      // The stuck peer's second packet still waits behind its first.
      assert.equal(sender.outQueueLength, 1);
    } finally {
      await sender.shutdown();
      await hanging.transport.shutdown();
      await hanging.server.close(100);
    }
  });

  it("carries a full-duplex stream: each side reads before the other has finished", async () => {
    b.streams.length = 0;
    const conn = await a.transport.dial(b.addr, 5000);
    // Dial returns once the server's 200 is back, before anything is written.
    await conn.write(bytes(1, 2, 3));
    const server = await eventually("the accepted stream", () => b.streams[0], 2000);
    assert.deepEqual(Array.from((await server.read())!), [1, 2, 3]);
    await server.write(bytes(4));
    assert.deepEqual(Array.from((await conn.read())!), [4]);
    await conn.write(new Uint8Array(100_000).fill(5));
    let got = 0;
    while (got < 100_000) got += (await server.read())!.length;
    await server.write(bytes(6));
    server.close();
    assert.deepEqual(Array.from((await conn.read())!), [6]);
    assert.equal(await conn.read(), null);
    conn.close();
  });

  it("a stream closed by the dialler ends the server's reads", async () => {
    b.streams.length = 0;
    const conn = await a.transport.dial(b.addr, 5000);
    await conn.write(bytes(1));
    const server = await eventually("the accepted stream", () => b.streams[0], 2000);
    assert.deepEqual(Array.from((await server.read())!), [1]);
    conn.close();
    assert.equal(await server.read(), null);
    server.close();
  });

  it("the dial timeout bounds the whole exchange", async () => {
    const hanging = await node(true);
    try {
      const start = Date.now();
      await assert.rejects(a.transport.dial(hanging.addr, 300));
      assert.ok(Date.now() - start < 3000);
      // And an open stream is cut when the budget runs out.
      b.streams.length = 0;
      const conn = await a.transport.dial(b.addr, 300);
      await eventually("the accepted stream", () => b.streams[0], 2000);
      assert.equal(await conn.read(), null);
    } finally {
      await hanging.transport.shutdown();
      await hanging.server.close(100);
    }
  });

  it("answers 503 once shut down", async () => {
    const c = await node();
    await c.transport.shutdown();
    const client = p.createHttp2Client(`http://${c.addr}`);
    try {
      const r = await client.fetch(`http://${c.addr}${ckitStreamPath}`, { method: "POST", headers: { "content-type": ckitContentType }, body: bytes() });
      assert.equal(r.status, 503);
    } finally {
      await client.close();
      await c.server.close(100);
    }
  });
});
