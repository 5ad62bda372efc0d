// The listener limits of Platform.serve (Go's http.Server and LimitListener, as the servers of
// components like prometheus.receive_http configure them): a connection limit that makes further
// connections wait rather than fail, read and write timeouts that end a request, cleartext HTTP/2
// only when asked for, and the count of connections being served.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { platform } from "../../src/platform/mod.ts";
import type { HttpServer, ServeOptions } from "../../src/platform/mod.ts";
import { makeTestCertificates, type TestCertificates } from "../helpers/tls.ts";

const p = platform();

/** A raw TCP client that records what it receives and when the server closes the connection. */
async function connect(port: number): Promise<{ socket: net.Socket; received: () => string; closed: Promise<void> }> {
  const socket = net.connect(port, "127.0.0.1");
  let text = "";
  socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return { socket, received: () => text, closed };
}

async function eventually(check: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function serve(options: Partial<ServeOptions>): Promise<HttpServer> {
  return p.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("ok"), ...options });
}

describe("platform: serve limits", () => {
  let certs: TestCertificates;
  before(() => {
    certs = makeTestCertificates();
  });
  const servers: HttpServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close(100)));
  });

  it("makes connections beyond maxConnections wait until one closes, and counts those served", async () => {
    const server = await serve({ limits: { maxConnections: 1 } });
    servers.push(server);
    const first = await connect(server.port);
    await eventually(() => server.connections === 1);
    const second = await connect(server.port);
    second.socket.write("GET /second HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    await sleep(300);
    assert.equal(second.received(), "", "the second connection waits while the first holds the only slot");
    assert.equal(server.connections, 1, "a waiting connection is not counted");
    first.socket.end();
    await second.closed;
    assert.match(second.received(), /^HTTP\/1\.1 200 /);
    assert.match(second.received(), /\r\n\r\nok$/);
    await eventually(() => server.connections === 0);
  });

  it("serves TLS connections under a connection limit", async () => {
    const server = await serve({ limits: { maxConnections: 2 }, tls: { cert: certs.cert, key: certs.key } });
    servers.push(server);
    for (let i = 0; i < 3; i++) {
      const client = p.createHttp2Client(`https://127.0.0.1:${server.port}`, { tls: { ca: certs.ca, serverName: "localhost" } });
      try {
        assert.equal(await (await client.fetch("/")).text(), "ok");
      } finally {
        await client.close();
      }
    }
  });

  it("ends a request whose body is not read within readTimeoutMs", async () => {
    let bodies = 0;
    const server = await serve({
      limits: { readTimeoutMs: 300 },
      fetch: async (request) => {
        await request.arrayBuffer();
        bodies++;
        return new Response("read");
      },
    });
    servers.push(server);
    const client = await connect(server.port);
    client.socket.write("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789");
    await client.closed;
    assert.equal(bodies, 0);
    assert.doesNotMatch(client.received(), /read$/);
    // A request that arrives whole is answered.
    const whole = await connect(server.port);
    whole.socket.write("POST /fast HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi");
    await whole.closed;
    assert.match(whole.received(), /read$/);
  });

  it("ends a request not answered within writeTimeoutMs", async () => {
    let release: () => void = () => {};
    const never = new Promise<void>((resolve) => (release = resolve));
    const server = await serve({
      limits: { writeTimeoutMs: 300 },
      fetch: async () => {
        await never;
        return new Response("late");
      },
    });
    servers.push(server);
    const client = await connect(server.port);
    client.socket.write("GET /hang HTTP/1.1\r\nHost: x\r\n\r\n");
    await client.closed;
    assert.equal(client.received(), "", "no response was sent");
    release();
  });

  it("speaks cleartext HTTP/2 only when h2c is on", async () => {
    const on = await serve({});
    const off = await serve({ h2c: false });
    servers.push(on, off);
    const good = p.createHttp2Client(`http://127.0.0.1:${on.port}`);
    try {
      assert.equal(await (await good.fetch("/")).text(), "ok");
    } finally {
      await good.close();
    }
    const refused = p.createHttp2Client(`http://127.0.0.1:${off.port}`, { connectTimeoutMs: 5000 });
    try {
      await assert.rejects(async () => {
        const response = await refused.fetch("/");
        await response.text();
      });
    } finally {
      await refused.close();
    }
    // HTTP/1.1 still works without h2c.
    assert.equal(await (await fetch(`http://127.0.0.1:${off.port}/`)).text(), "ok");
  });
});
