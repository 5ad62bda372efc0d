// The HTTP request body and headers of a remote-write 1.0 push.
//
// Why hand-written: it is three headers and a snappy block, but they are the protocol, so they live in
// one place: Prometheus's remote write sends
//   POST <url>
//   Content-Encoding: snappy                         (raw/block snappy, not the framed format)
//   Content-Type: application/x-protobuf             (a prometheus.WriteRequest)
//   X-Prometheus-Remote-Write-Version: 0.1.0
// plus a User-Agent; Alloy adds X-Alloy-Id (and the legacy X-Agent-Id) with its seed UID.

import { type BlockBuffer, compress, decompress } from "../snappy/snappy.ts";

export const REMOTE_WRITE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "Content-Encoding": "snappy",
  "Content-Type": "application/x-protobuf",
  "X-Prometheus-Remote-Write-Version": "0.1.0",
});

/** Snappy-compresses an encoded WriteRequest into a request body: a fresh copy, or a view of `into`. */
export function requestBody(writeRequest: Uint8Array, into?: BlockBuffer): Uint8Array {
  return compress(writeRequest, into);
}

/** The WriteRequest bytes of a received body; throws on corrupt or oversized snappy. */
export function readRequestBody(body: Uint8Array, maxDecodedBytes = 32 * 1024 * 1024): Uint8Array {
  return decompress(body, maxDecodedBytes);
}
