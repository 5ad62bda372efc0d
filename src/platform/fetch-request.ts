// Platform.request on top of a fetch: how Bun and Deno send the hot requests (their native fetch is
// fast), and how the in-memory address and the clients built for TLS settings or a proxy answer
// them on every runtime. Web-standard code only.
import type { HttpRequest, HttpResponse } from "./types.ts";

/** A response body went past HttpRequest.maxBodyBytes (with bodyOverflow "fail"). */
export class ResponseTooLargeError extends Error {
  override name = "ResponseTooLargeError";
  constructor(readonly limit: number) {
    super(`response body larger than ${limit} bytes`);
  }
}

type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

const EMPTY = new Uint8Array(0);

export async function requestViaFetch(send: FetchLike, request: HttpRequest): Promise<HttpResponse> {
  const init: RequestInit = {
    method: request.method,
    headers: request.headers,
    redirect: request.followRedirects ? "follow" : "manual",
  };
  if (request.body !== undefined) init.body = request.body as BodyInit;
  if (request.signal !== undefined) init.signal = request.signal;
  const response = await send(request.url, init);
  try {
    const wanted = request.readBody?.(response.status) ?? true;
    const body = wanted ? await readBody(response, request) : EMPTY;
    return { status: response.status, statusText: response.statusText, headers: response.headers, body };
  } finally {
    if (!response.bodyUsed) await response.body?.cancel().catch(() => {});
  }
}

/** Reads a body into request.bodyBuffer (or a buffer of its own once it does not fit), up to the limit. */
async function readBody(response: Response, request: HttpRequest): Promise<Uint8Array> {
  const stream = response.body;
  if (stream === null) return EMPTY;
  const limit = request.maxBodyBytes ?? Infinity;
  const truncate = request.bodyOverflow === "truncate";
  let buf = request.bodyBuffer ?? new Uint8Array(16 * 1024);
  let n = 0;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      let chunk = value;
      if (n + chunk.length > limit) {
        if (!truncate) throw new ResponseTooLargeError(limit);
        chunk = chunk.subarray(0, limit - n);
      }
      if (n + chunk.length > buf.length) {
        const bigger = new Uint8Array(Math.max(buf.length * 2, n + chunk.length));
        bigger.set(buf.subarray(0, n));
        buf = bigger;
      }
      buf.set(chunk, n);
      n += chunk.length;
      if (truncate && n === limit) {
        // The rest is not wanted: the connection goes rather than reading it.
        await reader.cancel().catch(() => {});
        break;
      }
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  } finally {
    reader.releaseLock();
  }
  return buf.subarray(0, n);
}
