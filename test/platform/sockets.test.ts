// The Platform's datagram (UDP) and TCP capabilities, checked under whichever runtime runs this file:
// real sockets on 127.0.0.1.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { platform } from "../../src/platform/mod.ts";
import type { SocketAddress, TcpConnection } from "../../src/platform/mod.ts";

const p = platform();
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (s: string) => new TextEncoder().encode(s);

/** Promise.withResolvers, which Node 20 lacks. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function waitFor<T>(register: (done: (value: T) => void) => void, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timed out")), timeoutMs);
    register((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

describe("platform: datagrams", () => {
  it("sends and receives UDP datagrams between two sockets, with the sender's address", async () => {
    const received: { data: string; from: SocketAddress }[] = [];
    let notify: (() => void) | undefined;
    const a = await p.bindDatagram({
      hostname: "127.0.0.1",
      port: 0,
      onMessage: (data, from) => {
        received.push({ data: text(data), from });
        notify?.();
      },
    });
    const b = await p.bindDatagram({ hostname: "127.0.0.1", port: 0, onMessage: () => {} });
    try {
      assert.ok(a.port > 0 && b.port > 0 && a.port !== b.port);
      await waitFor<void>((done) => {
        notify = () => received.length >= 2 && done();
        void b.send(bytes("one"), { address: "127.0.0.1", port: a.port });
        void b.send(bytes("two"), { address: "127.0.0.1", port: a.port });
      });
      assert.deepEqual(received.map((r) => r.data).sort(), ["one", "two"]);
      assert.deepEqual(received[0]!.from, { address: "127.0.0.1", port: b.port });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("carries a 60 KB datagram whole", async () => {
    const payload = new Uint8Array(60_000).map((_, i) => i % 251);
    let got: Uint8Array | undefined;
    let notify: (() => void) | undefined;
    const a = await p.bindDatagram({
      hostname: "127.0.0.1",
      port: 0,
      receiveBufferSize: 1 << 20,
      onMessage: (data) => {
        got = data.slice();
        notify?.();
      },
    });
    const b = await p.bindDatagram({ hostname: "127.0.0.1", port: 0, onMessage: () => {} });
    try {
      await waitFor<void>((done) => {
        notify = done;
        void b.send(payload, { address: "127.0.0.1", port: a.port });
      });
      assert.deepEqual(got, payload);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("refuses to bind a port that is taken, and sending after close rejects", async () => {
    const a = await p.bindDatagram({ hostname: "127.0.0.1", port: 0, onMessage: () => {} });
    await assert.rejects(p.bindDatagram({ hostname: "127.0.0.1", port: a.port, onMessage: () => {} }));
    await a.close();
    await assert.rejects(a.send(bytes("x"), { address: "127.0.0.1", port: 9 }));
  });
});

describe("platform: TCP", () => {
  it("accepts a connection and exchanges bytes both ways with half-close", async () => {
    const accepted = deferred<TcpConnection>();
    const listener = await p.listenTcp({ hostname: "127.0.0.1", port: 0, onConnection: (c) => accepted.resolve(c) });
    try {
      const client = await p.connectTcp({ address: "127.0.0.1", port: listener.port, timeoutMs: 2000 });
      const server = await accepted.promise;
      assert.equal(client.remote.port, listener.port);
      assert.equal(server.remote.port, client.local.port);
      assert.equal(server.remote.address, "127.0.0.1");
      // The server answers before the client has finished (full duplex), then both half-close.
      await client.write(bytes("hello "));
      const reader = server.readable.getReader();
      const first = await reader.read();
      assert.equal(text(first.value!), "hello ");
      await server.write(bytes("hi"));
      await client.write(bytes("world"));
      await client.end();
      let rest = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        rest += text(value);
      }
      assert.equal(rest, "world");
      await server.end();
      assert.equal(text(await readAll(client.readable)), "hi");
      client.close();
      server.close();
    } finally {
      await listener.close();
    }
  });

  it("carries 4 MiB with back-pressure", async () => {
    const payload = new Uint8Array(4 << 20).map((_, i) => (i * 7) % 256);
    const received = deferred<Uint8Array>();
    const listener = await p.listenTcp({
      hostname: "127.0.0.1",
      port: 0,
      onConnection: (c) => void readAll(c.readable).then(received.resolve, received.reject).finally(() => c.close()),
    });
    try {
      const client = await p.connectTcp({ address: "127.0.0.1", port: listener.port });
      await client.write(payload);
      await client.end();
      assert.deepEqual(await received.promise, payload);
      client.close();
    } finally {
      await listener.close();
    }
  });

  it("rejects a connection to a closed port, and a dropped peer ends the reader with an error or EOF", async () => {
    const accepted = deferred<TcpConnection>();
    const listener = await p.listenTcp({ hostname: "127.0.0.1", port: 0, onConnection: (c) => accepted.resolve(c) });
    const port = listener.port;
    const client = await p.connectTcp({ address: "127.0.0.1", port });
    const server = await accepted.promise;
    client.close();
    const outcome = await readAll(server.readable).then(
      (data) => `eof ${data.length}`,
      () => "error",
    );
    assert.ok(outcome === "eof 0" || outcome === "error", outcome);
    server.close();
    await listener.close();
    await assert.rejects(p.connectTcp({ address: "127.0.0.1", port, timeoutMs: 2000 }));
  });
});
