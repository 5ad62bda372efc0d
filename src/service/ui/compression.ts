// Prometheus's httputil.CompressionHandler with web streams: the first of `gzip` or `deflate` (zlib,
// as Go's compress/zlib writes it) listed in Accept-Encoding, matched exactly after trimming, so
// `gzip;q=0.5` does not count. Other encodings leave the body as it is.

export type Encoding = "gzip" | "deflate";

export function negotiateEncoding(acceptEncoding: string | null): Encoding | undefined {
  if (!acceptEncoding) return undefined;
  for (const token of acceptEncoding.split(",")) {
    const name = token.trim();
    if (name === "gzip" || name === "deflate") return name;
  }
  return undefined;
}

/** The response compressed as the request asks; the response itself otherwise. */
export function compressResponse(request: Request, response: Response): Response {
  const encoding = negotiateEncoding(request.headers.get("accept-encoding"));
  if (!encoding || !response.body || request.method === "HEAD") return response;
  const headers = new Headers(response.headers);
  headers.set("content-encoding", encoding);
  headers.delete("content-length");
  const body = response.body.pipeThrough(new CompressionStream(encoding) as unknown as TransformStream<Uint8Array, Uint8Array>);
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}
