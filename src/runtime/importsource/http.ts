// import.http: a module fetched from a URL and polled at poll_frequency, as Alloy's remote.http
// component does it: the first fetch happens during evaluation (so an unreachable module fails
// the load), new content is delivered only when it differs, and health reports the last poll.
//
// The `client` block is Alloy's common HTTP client configuration (authentication, http_headers,
// tls_config, proxy settings, follow_redirects), applied by the shared HttpClient.
import type { BlockStmt } from "../../syntax/ast.ts";
import { attr, block, Minute, Second, struct, t } from "../../syntax/schema/index.ts";
import { decodeBody, type Scope } from "../../syntax/vm/index.ts";
import type { Platform } from "../../platform/mod.ts";
import type { Health } from "../component.ts";
import { health } from "../health.ts";
import { HttpClient, type HttpClientConfig, httpClientFields, validateHttpClient } from "../httpclient.ts";
import type { Logger } from "../logging/logger.ts";
import { wrapError } from "../nodes/types.ts";
import { waitForWake } from "../signal.ts";
import type { ContentHandler, ImportSource, ImportSourceOptions } from "./types.ts";

/** Alloy's DefaultHTTPClientConfig: follow_redirects and enable_http2 on. */
const HttpClientBlock = struct(httpClientFields(true), { validate: (c) => validateHttpClient(c as HttpClientConfig) });

export const HttpArguments = struct(
  {
    url: attr(t.string()),
    poll_frequency: attr(t.duration(), { optional: true }),
    poll_timeout: attr(t.duration(), { optional: true }),
    method: attr(t.string(), { optional: true }),
    headers: attr(t.map(t.string()), { optional: true }),
    body: attr(t.string(), { optional: true }),
    client: block(HttpClientBlock, { optional: true }),
  },
  {
    defaults: () => ({
      poll_frequency: Minute,
      poll_timeout: 10 * Second,
      method: "GET",
      client: HttpClientBlock.defaults(),
    }),
  },
);

type Args = ReturnType<typeof HttpArguments.defaults>;

export class ImportHttp implements ImportSource {
  #block: BlockStmt;
  #args: Args | undefined;
  #lastContent: string | undefined;
  #lastPoll = 0;
  #health: Health = health("unknown", "component started");
  #wake: (() => void) | undefined;
  #client: HttpClient | undefined;
  readonly #id: string;
  readonly #fetch: typeof fetch;
  readonly #platform: Platform;
  readonly #logger: Logger;
  readonly #onContentChange: ContentHandler;

  constructor(options: ImportSourceOptions) {
    this.#block = options.block;
    this.#id = options.globalId;
    this.#fetch = options.fetch;
    this.#platform = options.platform;
    this.#logger = options.logger;
    this.#onContentChange = options.onContentChange;
  }

  updateBlock(block: BlockStmt): void {
    this.#block = block;
  }

  async evaluate(scope: Scope): Promise<void> {
    let args: Args;
    try {
      args = decodeBody(this.#block.body, HttpArguments, scope);
    } catch (e) {
      throw wrapError("decoding configuration", e);
    }
    const first = this.#args === undefined;
    if (!first && HttpArguments.equal(this.#args!, args)) return;
    this.#args = args;
    this.#client?.update(args.client as HttpClientConfig);
    this.#wake?.();
    // An update polls at once and fails with the poll, so the first content is known to the load.
    try {
      await this.#poll();
    } catch (e) {
      throw wrapError(first ? "creating http component" : "updating component", e);
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const wait = this.#lastPoll + this.#args!.poll_frequency / 1e6 - Date.now();
      if (wait > 0) {
        await waitForWake(signal, (wake) => (this.#wake = wake), wait);
        this.#wake = undefined;
        continue;
      }
      await this.#poll().catch(() => {});
    }
    // Connections opened for TLS settings or a proxy; a later poll opens new ones.
    await this.#client?.close();
  }

  /** Fetches the module; health reports the outcome, errors are also thrown. */
  async #poll(): Promise<void> {
    try {
      await this.#pollOnce();
      this.#health = health("healthy", "polled endpoint");
    } catch (e) {
      this.#health = health("unhealthy", `polling failed: ${(e as Error).message}`);
      throw e;
    }
  }

  async #pollOnce(): Promise<void> {
    const args = this.#args!;
    this.#lastPoll = Date.now();
    const headers = new Headers();
    headers.set("User-Agent", "Alloy");
    // Headers set here win over the client's authentication, as in Prometheus's round trippers.
    for (const [name, value] of Object.entries(args.headers ?? {})) headers.set(name, value);
    this.#client ??= new HttpClient(args.client as HttpClientConfig, this.#fetch, this.#platform);
    let response: Response;
    try {
      response = await this.#client.fetch(args.url, {
        method: args.method,
        headers,
        body: args.body ? args.body : undefined,
        signal: AbortSignal.timeout(Math.max(1, args.poll_timeout / 1e6)),
      });
    } catch (e) {
      this.#logger.error("failed to perform request", { err: (e as Error).message });
      // Go's client names the method in title case: Get "https://…": <reason>.
      const method = args.method.charAt(0).toUpperCase() + args.method.slice(1).toLowerCase();
      throw new Error(`performing request: ${method} ${JSON.stringify(args.url)}: ${fetchErrorText(e)}`);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (e) {
      this.#logger.error("failed to read response", { err: (e as Error).message });
      throw new Error(`reading response: ${(e as Error).message}`);
    }
    if (response.status !== 200) {
      const status = `${response.status} ${response.statusText}`.trim();
      this.#logger.error("unexpected status code from response", { status });
      throw new Error(`unexpected status code ${status}`);
    }
    const content = text.trim();
    if (content === this.#lastContent) return;
    this.#lastContent = content;
    await this.#onContentChange(new Map([[this.#id, content]]));
  }

  health(): Health {
    return this.#health;
  }

  /** The URL up to its last slash, so nested imports can be relative to it. */
  modulePath(): string {
    const url = this.#args?.url ?? "";
    return url.slice(0, url.lastIndexOf("/") + 1);
  }
}

/** fetch's own message ("fetch failed") with the reason it wraps (connection refused …). */
export function fetchErrorText(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const cause = e instanceof Error ? (e.cause as Error | undefined) : undefined;
  return cause?.message && !message.includes(cause.message) ? `${message}: ${cause.message}` : message;
}
