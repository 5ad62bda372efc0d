// The UI's files, embedded in the program (assets.generated.ts), served as Alloy's
// internal/web/ui/ui.go serves its dist folder: every file rendered once with `{{! .PublicURL !}}`
// replaced by the prefix without its trailing slash, `/` and unknown paths answered with index.html
// so the single-page app can route them, and `/index.html` redirected to `./` as Go's FileServer
// does. On top of Alloy: ETags, long caching for content-hashed names, gzip or deflate on request.
import { negotiateEncoding, type Encoding } from "./compression.ts";

export interface UiAsset {
  /** Path below the UI prefix, starting with `/` (`/index.html`, `/assets/app.1a2b3c4d.js`). */
  path: string;
  contentType: string;
  body: string;
  /** The name carries a hash of the content, so it can be cached for good. */
  immutable: boolean;
}

interface RenderedAsset {
  bytes: Uint8Array;
  contentType: string;
  etag: string;
  cacheControl: string;
  compressed: Map<Encoding, Promise<Uint8Array>>;
}

const PUBLIC_URL = /\{\{!-?\s*\.PublicURL\s*-?!\}\}/g;

/** Below this size compression costs more than it saves. */
const MIN_COMPRESS_BYTES = 1024;

/** FNV-1a over the bytes, as two 32-bit halves with different offsets: an ETag, not a checksum. */
function fingerprint(bytes: Uint8Array): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < bytes.length; i++) {
    a = Math.imul(a ^ bytes[i]!, 0x01000193) >>> 0;
    b = Math.imul(b ^ bytes[i]!, 0x01000193) >>> 0;
  }
  return a.toString(16).padStart(8, "0") + b.toString(16).padStart(8, "0") + bytes.length.toString(16);
}

export class StaticUi {
  readonly #files = new Map<string, RenderedAsset>();

  /** `publicURL` is the UI prefix without its trailing slash ("" for the root). */
  constructor(publicURL: string, assets: readonly UiAsset[]) {
    const encoder = new TextEncoder();
    for (const asset of assets) {
      const bytes = encoder.encode(asset.body.replace(PUBLIC_URL, () => publicURL));
      this.#files.set(asset.path, {
        bytes,
        contentType: asset.contentType,
        etag: `"${fingerprint(bytes)}"`,
        cacheControl: asset.immutable ? "public, max-age=31536000, immutable" : "no-cache",
        compressed: new Map(),
      });
    }
    if (!this.#files.has("/index.html")) throw new Error("the UI assets have no /index.html");
  }

  /** Whether a file exists at this path below the prefix. */
  has(path: string): boolean {
    return this.#files.has(path);
  }

  /** Serves `path`, the request's decoded path below the prefix (starting with `/`). */
  async serve(request: Request, path: string): Promise<Response> {
    if (path.endsWith("/index.html") && this.#files.has(path)) {
      // Go's FileServer sends requests for index.html to the directory.
      const query = new URL(request.url).search;
      return new Response(null, { status: 301, headers: { location: `./${query}` } });
    }
    const file = this.#files.get(path) ?? this.#files.get("/index.html")!;
    const headers = new Headers({
      "content-type": file.contentType,
      "cache-control": file.cacheControl,
      etag: file.etag,
      vary: "Accept-Encoding",
      "x-content-type-options": "nosniff",
    });
    if (matchesEtag(request.headers.get("if-none-match"), file.etag)) {
      return new Response(null, { status: 304, headers });
    }
    let body = file.bytes;
    const encoding = file.bytes.length >= MIN_COMPRESS_BYTES ? negotiateEncoding(request.headers.get("accept-encoding")) : undefined;
    if (encoding) {
      let compressed = file.compressed.get(encoding);
      if (!compressed) {
        compressed = compress(file.bytes, encoding);
        file.compressed.set(encoding, compressed);
      }
      body = await compressed;
      headers.set("content-encoding", encoding);
    }
    headers.set("content-length", String(body.length));
    return new Response(request.method === "HEAD" ? null : (body as Uint8Array<ArrayBuffer>), { status: 200, headers });
  }
}

function matchesEtag(header: string | null, etag: string): boolean {
  if (!header) return false;
  return header.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || t === etag || t === `W/${etag}`;
  });
}

async function compress(bytes: Uint8Array, encoding: Encoding): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream(encoding) as unknown as TransformStream<Uint8Array, Uint8Array>,
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
