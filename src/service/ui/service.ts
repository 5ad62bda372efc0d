// The UI service (Alloy's internal/service/ui): the debugging web UI and its API, mounted on the HTTP
// service at `--server.http.ui-path-prefix`. One web-standard handler owns everything below the
// prefix, as Alloy's UI router does:
//
//   <prefix>api/v0/web/...   the API (api.ts)
//   <prefix without "/">     302 to <prefix>
//   <prefix>...              an embedded file, or index.html for the single-page app's own routes
import type { Logger } from "../../runtime/logging/logger.ts";
import type { Handler, ServiceRoute } from "../http/host.ts";
import { API_PATH, UiApi, notFound } from "./api.ts";
import { UI_ASSETS } from "./assets.generated.ts";
import type { UiHost } from "./host.ts";
import { StaticUi, type UiAsset } from "./static.ts";

export interface UiServiceOptions {
  host: UiHost;
  /** `--server.http.ui-path-prefix`; "/" when absent. */
  prefix?: string;
  logger?: Logger;
  /** The files to serve; the embedded UI when absent. */
  assets?: readonly UiAsset[];
  /** Milliseconds between live-debugging flushes (1000, as Alloy; tests shorten it). */
  debugFlushMs?: number;
  /** Milliseconds per second of the graph stream's `window` (1000; tests shorten it). */
  graphSecondMs?: number;
}

/** The prefix as Alloy uses it: starting and ending with `/`. */
export function normalizePrefix(prefix: string | undefined): string {
  let p = prefix ?? "/";
  if (!p.startsWith("/")) p = `/${p}`;
  if (!p.endsWith("/")) p = `${p}/`;
  return p;
}

/** Go's URL.Path: the percent-decoded path (kept as sent when it does not decode). */
function decodePath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

export class UiService {
  /** The prefix, starting and ending with `/`. */
  readonly prefix: string;
  readonly #publicURL: string;
  readonly #apiBase: string;
  readonly #api: UiApi;
  readonly #static: StaticUi;

  constructor(options: UiServiceOptions) {
    this.prefix = normalizePrefix(options.prefix);
    this.#publicURL = this.prefix.slice(0, -1);
    this.#apiBase = `${this.#publicURL}${API_PATH}`;
    this.#api = new UiApi({
      host: options.host,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.debugFlushMs !== undefined ? { debugFlushMs: options.debugFlushMs } : {}),
      ...(options.graphSecondMs !== undefined ? { graphSecondMs: options.graphSecondMs } : {}),
    });
    this.#static = new StaticUi(this.#publicURL, options.assets ?? UI_ASSETS);
  }

  /** The route to hand to the HTTP service. */
  get route(): ServiceRoute {
    return { base: this.prefix, handler: this.handler };
  }

  readonly handler: Handler = async (request) => {
    const path = decodePath(new URL(request.url).pathname);
    if (path.startsWith(`${this.#apiBase}/`)) {
      const response = await this.#api.handle(request, path.slice(this.#apiBase.length));
      if (response) return response;
    }
    if (path === this.#publicURL && path !== "") return redirect(request, this.prefix);
    if (!path.startsWith(this.prefix)) return notFound();
    return this.#static.serve(request, path.slice(this.#publicURL.length));
  };

  /** Ends open streams (live debugging, graph) so that shutdown need not wait for them. */
  close(): void {
    this.#api.close();
  }
}

/** Go's http.Redirect with 302 Found. */
function redirect(request: Request, location: string): Response {
  const headers = new Headers({ location });
  let body: string | null = null;
  if (request.method === "GET" || request.method === "HEAD") {
    headers.set("content-type", "text/html; charset=utf-8");
    if (request.method === "GET") body = `<a href="${escapeHtml(location)}">Found</a>.\n\n`;
  }
  return new Response(body, { status: 302, headers });
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;" })[c]!);
