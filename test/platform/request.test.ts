// Platform.request under whichever runtime runs this file (undici's dispatcher on Node, the
// runtime's fetch on Bun and Deno): a real loopback server answers, and the behaviour is fetch's on
// every runtime — bodies, unwanted bodies, limits, decoding, redirects, aborts, network errors.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { type HttpRequest, platform, ResponseTooLargeError } from "../../src/platform/mod.ts";
import { currentRuntime } from "../helpers/runtime.ts";

const p = platform();

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

type Handler = (req: IncomingMessage, body: Buffer, res: ServerResponse) => void;

async function startServer(handler: Handler): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body });
      handler(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);
const compressible = "all work and no play makes a dull exposition format\n".repeat(2000);

function req(url: string, extra: Partial<HttpRequest> = {}): HttpRequest {
  return { url, method: "GET", headers: new Headers(), followRedirects: true, ...extra };
}

describe(`Platform.request (${currentRuntime()})`, () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let other: Awaited<ReturnType<typeof startServer>>;

  before(async () => {
    server = await startServer((req, body, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      const path = url.pathname;
      if (path === "/echo") {
        res.setHeader("content-type", "application/octet-stream");
        res.setHeader("x-method", req.method ?? "");
        res.end(body);
      } else if (path === "/text") {
        res.statusMessage = "Fine Thanks";
        res.setHeader("content-type", "text/plain; version=0.0.4");
        res.end("metric 1\n");
      } else if (path === "/bytes") {
        const n = Number(url.searchParams.get("n"));
        // Without a Content-Length (chunked) unless asked for.
        if (url.searchParams.has("length")) res.setHeader("content-length", n);
        res.end(Buffer.from(bytes(n)));
      } else if (path === "/status") {
        res.statusCode = Number(url.searchParams.get("code"));
        res.end(url.searchParams.get("body") ?? "");
      } else if (path === "/encoded") {
        const coding = url.searchParams.get("coding")!;
        const data = Buffer.from(compressible);
        const encoded = coding === "gzip" || coding === "x-gzip" ? gzipSync(data) : coding === "deflate" ? deflateSync(data) : coding === "br" ? brotliCompressSync(data) : data;
        res.setHeader("content-encoding", coding);
        res.end(encoded);
      } else if (path === "/redirect") {
        res.statusCode = Number(url.searchParams.get("code"));
        res.setHeader("location", url.searchParams.get("to")!);
        res.end("moved");
      } else if (path === "/loop") {
        res.statusCode = 302;
        res.setHeader("location", "/loop");
        res.end();
      } else if (path === "/never") {
        // Never answers.
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    other = await startServer((req, body, res) => {
      res.setHeader("x-method", req.method ?? "");
      res.end(body);
    });
  });

  after(async () => {
    await server.close();
    await other.close();
  });

  it("sends the method, headers and body, and reads status, status text, headers and body", async () => {
    const body = bytes(100_000);
    const headers = new Headers({ "User-Agent": "Alloy/test", "X-Custom": "yes" });
    const res = await p.request(req(`${server.url}/echo?x=1`, { method: "POST", headers, body }));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-method"), "POST");
    assert.deepEqual(res.body, body);
    const seen = server.seen.at(-1)!;
    assert.equal(seen.path, "/echo?x=1");
    assert.equal(seen.headers["user-agent"], "Alloy/test");
    assert.equal(seen.headers["x-custom"], "yes");
    assert.equal(seen.headers["content-length"], "100000");

    const plain = await p.request(req(`${server.url}/text`));
    // Deno's fetch gives the status code's standard text, not the server's.
    assert.equal(plain.statusText, currentRuntime() === "deno" ? "OK" : "Fine Thanks");
    assert.equal(plain.headers.get("content-type"), "text/plain; version=0.0.4");
    assert.equal(text(plain.body), "metric 1\n");
  });

  it("leaves the body of a status readBody refuses unread, and the connection usable", async () => {
    const res = await p.request(req(`${server.url}/status?code=503&body=overloaded`, { readBody: (s) => s === 200 }));
    assert.equal(res.status, 503);
    assert.equal(res.body.length, 0);
    const wanted = await p.request(req(`${server.url}/status?code=503&body=overloaded`, { readBody: (s) => s !== 200 }));
    assert.equal(text(wanted.body), "overloaded");
    const empty = await p.request(req(`${server.url}/status?code=204`));
    assert.equal(empty.status, 204);
    assert.equal(empty.body.length, 0);
  });

  it("fails a body longer than maxBodyBytes, or cuts it with bodyOverflow truncate", async () => {
    for (const length of ["", "&length"]) {
      const exact = await p.request(req(`${server.url}/bytes?n=5000${length}`, { maxBodyBytes: 5000 }));
      assert.deepEqual(exact.body, bytes(5000));
      await assert.rejects(p.request(req(`${server.url}/bytes?n=5000${length}`, { maxBodyBytes: 4999 })), ResponseTooLargeError);
      await assert.rejects(p.request(req(`${server.url}/bytes?n=300000${length}`, { maxBodyBytes: 0 })), ResponseTooLargeError);
      const cut = await p.request(req(`${server.url}/bytes?n=300000${length}`, { maxBodyBytes: 1000, bodyOverflow: "truncate" }));
      assert.deepEqual(cut.body, bytes(1000));
    }
    // The server still answers afterwards.
    assert.equal((await p.request(req(`${server.url}/text`))).status, 200);
  });

  it("reads into the given buffer while the body fits", async () => {
    const buffer = new Uint8Array(8192);
    const small = await p.request(req(`${server.url}/bytes?n=3000`, { bodyBuffer: buffer }));
    assert.deepEqual(small.body, bytes(3000));
    assert.equal(small.body.buffer, buffer.buffer);
    const big = await p.request(req(`${server.url}/bytes?n=100000&length`, { bodyBuffer: buffer }));
    assert.deepEqual(big.body, bytes(100_000));
  });

  it("decodes gzip, x-gzip, deflate and br bodies as fetch does; the limit counts decoded bytes", async () => {
    // Deno's fetch decodes only gzip and br.
    for (const coding of currentRuntime() === "deno" ? ["gzip", "br"] : ["gzip", "x-gzip", "deflate", "br"]) {
      const res = await p.request(req(`${server.url}/encoded?coding=${coding}`));
      assert.equal(text(res.body), compressible, coding);
      await assert.rejects(p.request(req(`${server.url}/encoded?coding=${coding}`, { maxBodyBytes: compressible.length - 1 })), ResponseTooLargeError, coding);
      const fits = await p.request(req(`${server.url}/encoded?coding=${coding}`, { maxBodyBytes: compressible.length }));
      assert.equal(fits.body.length, compressible.length, coding);
    }
    const unknown = await p.request(req(`${server.url}/encoded?coding=identity-ish`));
    assert.equal(text(unknown.body), compressible);
  });

  it("follows redirects as fetch does, or answers with the redirect", async () => {
    const body = new TextEncoder().encode("payload");
    const headers = new Headers({ "content-type": "application/x-protobuf", authorization: "Bearer secret" });
    // 302 turns a POST into a GET without its body; the same origin keeps the credentials.
    const got = await p.request(req(`${server.url}/redirect?code=302&to=/echo`, { method: "POST", headers, body }));
    assert.equal(got.headers.get("x-method"), "GET");
    assert.equal(got.body.length, 0);
    let seen = server.seen.at(-1)!;
    assert.equal(seen.headers["content-type"], undefined);
    assert.equal(seen.headers.authorization, "Bearer secret");
    // 307 keeps the method and body; another origin does not get the credentials.
    const kept = await p.request(req(`${server.url}/redirect?code=307&to=${encodeURIComponent(`${other.url}/x`)}`, { method: "POST", headers, body }));
    assert.equal(kept.headers.get("x-method"), "POST");
    assert.equal(text(kept.body), "payload");
    seen = other.seen.at(-1)!;
    assert.equal(seen.headers.authorization, undefined);
    assert.equal(seen.headers["content-type"], "application/x-protobuf");
    // Not followed: the 3xx is the answer.
    const manual = await p.request(req(`${server.url}/redirect?code=301&to=/text`, { followRedirects: false }));
    assert.equal(manual.status, 301);
    assert.equal(manual.headers.get("location"), "/text");
    assert.equal(text(manual.body), "moved");
    await assert.rejects(p.request(req(`${server.url}/loop`)), TypeError);
  });

  it("rejects with the signal's reason when aborted, and as fetch does when the network fails", async () => {
    const timeout = AbortSignal.timeout(200);
    await assert.rejects(p.request(req(`${server.url}/never`, { signal: timeout })), (e: Error) => e === timeout.reason);
    const aborted = new AbortController();
    aborted.abort(new Error("gone"));
    await assert.rejects(p.request(req(`${server.url}/text`, { signal: aborted.signal })), /gone/);
    if (currentRuntime() === "node") {
      // As Node's fetch (Bun's and Deno's send the credentials as basic auth).
      await assert.rejects(p.request(req(server.url.replace("http://", "http://user:secret@") + "/text")), TypeError, "credentials in the URL");
    }
    // A port nothing listens on.
    const closed = await startServer(() => {});
    await closed.close();
    await assert.rejects(p.request(req(`${closed.url}/`)), (e: Error) => {
      if (currentRuntime() === "node") {
        assert.ok(e instanceof TypeError);
        assert.equal(e.message, "fetch failed");
        assert.equal((e.cause as { code?: string }).code, "ECONNREFUSED");
      }
      return true;
    });
  });
});
