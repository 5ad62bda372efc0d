// An HTTP/2 client with a fetch-shaped API, on node:http2 (which Node, Deno and Bun all implement).
// No runtime's global fetch speaks cleartext HTTP/2, and cluster peers talk h2c to each other.
//
// One session per client, opened on first use and reopened after it closes or fails, so a peer that
// restarts is reached again without the caller noticing. Bodies stream both ways: the response is
// returned as soon as its headers arrive, while the request body may still be flowing.
import { Buffer } from "node:buffer";
import * as http2 from "node:http2";
import type { Http2Client, Http2ClientOptions } from "../types.ts";

// Connection-specific headers are forbidden in HTTP/2 (RFC 9113 §8.2.2).
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "host"]);
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

export function createNodeHttp2Client(origin: string, options: Http2ClientOptions = {}): Http2Client {
  const base = new URL(origin);
  let session: http2.ClientHttp2Session | undefined;
  let closed = false;

  const connect = (): Promise<http2.ClientHttp2Session> => {
    if (session && !session.closed && !session.destroyed) return Promise.resolve(session);
    const tls = options.tls;
    const connectOptions: http2.SecureClientSessionOptions = {};
    if (base.protocol === "https:") {
      if (tls?.ca) connectOptions.ca = tls.ca;
      if (tls?.cert) connectOptions.cert = tls.cert;
      if (tls?.key) connectOptions.key = tls.key;
      if (tls?.serverName) connectOptions.servername = tls.serverName;
      if (tls?.insecureSkipVerify) connectOptions.rejectUnauthorized = false;
    }
    const current = http2.connect(base.origin, connectOptions);
    session = current;
    const forget = () => {
      if (session === current) session = undefined;
    };
    current.once("close", forget);
    current.once("goaway", forget);
    // Errors surface on the streams that use the session; without a listener they would crash.
    current.on("error", forget);
    return new Promise((resolve, reject) => {
      const timeoutMs = options.connectTimeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        current.destroy();
        reject(new Error(`connecting to ${base.origin} timed out after ${timeoutMs}ms`));
      }, timeoutMs);
      current.once("connect", () => {
        clearTimeout(timer);
        resolve(current);
      });
      current.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  };

  return {
    async fetch(input, init) {
      if (closed) throw new Error("HTTP/2 client is closed");
      const request = input instanceof Request && !init ? input : new Request(resolveUrl(base, input), init);
      const url = new URL(request.url);
      if (url.origin !== base.origin) throw new Error(`HTTP/2 client for ${base.origin} cannot fetch ${url.origin}`);
      const active = await connect();

      const headers: http2.OutgoingHttpHeaders = {
        ":method": request.method,
        ":path": url.pathname + url.search,
        ":scheme": url.protocol.slice(0, -1),
        ":authority": url.host,
      };
      request.headers.forEach((value, name) => {
        if (!HOP_BY_HOP.has(name)) headers[name] = value;
      });

      const hasBody = request.body !== null && request.method !== "GET" && request.method !== "HEAD";
      const stream = active.request(headers, { endStream: !hasBody });
      const signal = request.signal;
      const onAbort = () => stream.close(http2.constants.NGHTTP2_CANCEL);
      signal.addEventListener("abort", onAbort, { once: true });
      stream.once("close", () => signal.removeEventListener("abort", onAbort));

      if (hasBody) void pumpBody(request.body!, stream);
      // Listen for data before the headers arrive: Deno can emit the first DATA frame ahead of the
      // "response" event, and a late listener would miss it.
      const body = responseBody(stream);

      const responseHeaders = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
        stream.once("response", resolve);
        stream.once("error", reject);
        stream.once("close", () => reject(closeError(stream, signal)));
      });
      const status = Number(responseHeaders[":status"]);
      const outHeaders = new Headers();
      for (const [name, value] of Object.entries(responseHeaders)) {
        if (name.startsWith(":") || value === undefined) continue;
        for (const item of Array.isArray(value) ? value : [value]) outHeaders.append(name, String(item));
      }
      const nullBody = NULL_BODY_STATUS.has(status) || request.method === "HEAD";
      if (nullBody) void body.cancel().catch(() => {});
      return new Response(nullBody ? null : body, { status, headers: outHeaders });
    },
    async close() {
      closed = true;
      const current = session;
      session = undefined;
      if (!current || current.closed || current.destroyed) return;
      // A graceful close waits for open streams; a peer that stopped answering must not hold us.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          current.destroy();
          resolve();
        }, 2000);
        current.close(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

function resolveUrl(base: URL, input: string | URL | Request): string {
  if (input instanceof Request) return input.url;
  return new URL(input, base).toString();
}

function closeError(stream: http2.ClientHttp2Stream, signal: AbortSignal): Error {
  if (signal.aborted) return signal.reason instanceof Error ? signal.reason : new Error("request aborted");
  return new Error(`HTTP/2 stream closed before a response (code ${stream.rstCode})`);
}

async function pumpBody(body: ReadableStream<Uint8Array>, stream: http2.ClientHttp2Stream) {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (stream.destroyed) return;
      // Respect flow control: wait for the stream to drain before reading more.
      if (!stream.write(value)) await new Promise((resolve) => stream.once("drain", resolve));
    }
    stream.end();
  } catch (error) {
    stream.destroy(error instanceof Error ? error : new Error(String(error)));
  } finally {
    reader.releaseLock();
  }
}

function responseBody(stream: http2.ClientHttp2Stream): ReadableStream<Uint8Array> {
  let finished = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      stream.on("data", (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        // Back-pressure: stop reading the stream until the consumer catches up.
        if ((controller.desiredSize ?? 1) <= 0) stream.pause();
      });
      stream.once("end", () => {
        finished = true;
        controller.close();
      });
      stream.once("error", (error) => {
        finished = true;
        controller.error(error);
      });
      stream.once("close", () => {
        if (finished) return;
        finished = true;
        controller.error(new Error(`HTTP/2 stream closed before the response ended (code ${stream.rstCode})`));
      });
    },
    pull() {
      stream.resume();
    },
    cancel() {
      finished = true;
      stream.close(http2.constants.NGHTTP2_CANCEL);
    },
  });
}
