// The UI's HTTP API under `<prefix>/api/v0/web` (Alloy's internal/web/api/api.go): the same paths,
// status codes, bodies and JSON, any method, gzip/deflate on request except for the two streams.
//
// Alloy's handlers write their JSON without a content type, so Go sniffs `text/plain;
// charset=utf-8`; these do the same. Errors are Go's http.Error: the text, a newline, plain text.
import type { Logger } from "../../runtime/logging/logger.ts";
import { compressResponse } from "./compression.ts";
import type { LiveDebuggingData, UiComponentSource, UiHost } from "./host.ts";
import { componentJSON, componentListJSON, graphRatesJSON, peersJSON, type GraphRate } from "./json.ts";

export const API_PATH = "/api/v0/web";

const TEXT = "text/plain; charset=utf-8";
const encoder = new TextEncoder();

/** Go's http.Error. */
export function httpError(message: string, status: number): Response {
  return new Response(`${message}\n`, {
    status,
    headers: { "content-type": TEXT, "x-content-type-options": "nosniff" },
  });
}

/** Go's http.NotFound. */
export const notFound = () => httpError("404 page not found", 404);

const okText = (body: string) => new Response(body, { status: 200, headers: { "content-type": TEXT } });

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

// Live debugging's messages (livedebugging.go AddCallback, remotecfg.go GetHost).
export const LIVE_DEBUGGING_DISABLED =
  "the live debugging service is disabled. Check the documentation to find out how to enable it";
const REMOTECFG_NOT_AVAILABLE = "remote config service not available";

/** Bytes a stream buffers before writing without waiting for the timer (Go's ResponseWriter: 4 KiB). */
const WRITE_BUFFER_BYTES = 4096;
/** Items a stream holds while its client is not reading, as Alloy's channel of 1000. */
const STREAM_BACKLOG = 1000;

export interface ApiOptions {
  host: UiHost;
  logger?: Logger;
  /** Milliseconds between flushes of a live-debugging stream (Alloy: one second). */
  debugFlushMs?: number;
  /** Milliseconds in one `window` second of the graph stream (tests shorten it). */
  graphSecondMs?: number;
}

type Route = {
  pattern: RegExp;
  stream?: boolean;
  handle: (request: Request, match: RegExpExecArray) => Response | Promise<Response>;
};

export class UiApi {
  readonly #host: UiHost;
  readonly #logger: Logger | undefined;
  readonly #debugFlushMs: number;
  readonly #graphSecondMs: number;
  readonly #routes: Route[];
  /** Ends every open stream (at shutdown). */
  readonly #openStreams = new Set<() => void>();

  constructor(options: ApiOptions) {
    this.#host = options.host;
    this.#logger = options.logger;
    this.#debugFlushMs = options.debugFlushMs ?? 1000;
    this.#graphSecondMs = options.graphSecondMs ?? 1000;
    const remote = (handle: (source: UiComponentSource, m: RegExpExecArray) => Response) =>
      (_request: Request, m: RegExpExecArray) => {
        let source: UiComponentSource;
        try {
          source = this.#remoteConfig();
        } catch (error) {
          return httpError(errorMessage(error), 500);
        }
        return handle(source, m);
      };
    // Registration order is matching order, as in api.go.
    this.#routes = [
      { pattern: /^\/modules\/(.+)\/components$/, handle: (_r, m) => this.#list(this.#host, m[1]!) },
      { pattern: /^\/remotecfg\/modules\/(.+)\/components$/, handle: remote((s, m) => this.#list(s, m[1]!)) },
      { pattern: /^\/components$/, handle: () => this.#list(this.#host, "") },
      { pattern: /^\/remotecfg\/components$/, handle: remote((s) => this.#list(s, "")) },
      { pattern: /^\/components\/(.+)$/, handle: (_r, m) => this.#get(this.#host, m[1]!) },
      { pattern: /^\/remotecfg\/components\/(.+)$/, handle: remote((s, m) => this.#get(s, m[1]!)) },
      { pattern: /^\/peers$/, handle: () => this.#peers() },
      { pattern: /^\/debug\/(.+)$/, stream: true, handle: (r, m) => this.#debug(r, m[1]!) },
      { pattern: /^\/graph$/, stream: true, handle: (r) => this.#graph(r, "") },
      { pattern: /^\/graph\/(.+)$/, stream: true, handle: (r, m) => this.#graph(r, m[1]!) },
    ];
  }

  /**
   * Answers a request whose decoded path, relative to the API base, is `path` (e.g. `/components`);
   * undefined when no API route matches, so the static UI gets it.
   */
  async handle(request: Request, path: string): Promise<Response | undefined> {
    for (const route of this.#routes) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      const response = await route.handle(request, match);
      return route.stream ? response : compressResponse(request, response);
    }
    return undefined;
  }

  /** Ends the open live-debugging and graph streams. */
  close(): void {
    for (const end of [...this.#openStreams]) end();
  }

  #remoteConfig(): UiComponentSource {
    if (!this.#host.remoteConfig) throw new Error(REMOTECFG_NOT_AVAILABLE);
    return this.#host.remoteConfig();
  }

  /** The host an id or module id belongs to (api.go resolveServiceHost). */
  #resolve(id: string): UiComponentSource {
    return id.startsWith("remotecfg/") ? this.#remoteConfig() : this.#host;
  }

  #list(source: UiComponentSource, moduleID: string): Response {
    let components;
    try {
      components = source.listComponents(moduleID);
    } catch (error) {
      return httpError(errorMessage(error), 500);
    }
    if (!components) return httpError("module not found", 500);
    return okText(componentListJSON(components));
  }

  #get(source: UiComponentSource, id: string): Response {
    let component;
    try {
      component = source.getComponent(id);
    } catch {
      return notFound();
    }
    if (!component) return notFound();
    return okText(componentJSON(component));
  }

  #peers(): Response {
    let peers;
    try {
      peers = this.#host.peers?.();
    } catch (error) {
      return httpError(errorMessage(error), 500);
    }
    if (!peers) return httpError("cluster service not running", 500);
    // The sharder's view: viewers own no part of the ring and are not listed.
    return okText(peersJSON(peers.filter((p) => p.state !== "viewer")));
  }

  /** Alloy's AddCallback checks, in its order; the message of the first that fails. */
  #debugProblem(source: UiComponentSource, id: string): string | undefined {
    const live = this.#host.liveDebugging;
    if (!live || !live.enabled()) return LIVE_DEBUGGING_DISABLED;
    let info;
    try {
      info = source.getComponent(id);
    } catch (error) {
      return errorMessage(error);
    }
    if (!info) return "component not found";
    if (!info.liveDebuggingEnabled) return `the component ${JSON.stringify(info.name)} does not support live debugging`;
    return undefined;
  }

  #debug(request: Request, id: string): Response {
    let source: UiComponentSource;
    try {
      source = this.#resolve(id);
    } catch (error) {
      return httpError(errorMessage(error), 500);
    }
    // Like Alloy, an invalid probability answers 400 and then streams with probability 1.
    const param = new URL(request.url).searchParams.get("sampleProb") ?? "";
    let sampleProb = 1;
    let status = 200;
    let head = "";
    if (param !== "") {
      const parsed = parseGoFloat(param);
      if (parsed === undefined || parsed < 0 || parsed > 1) {
        status = 400;
        head = "Invalid sample probability\n";
      } else {
        sampleProb = parsed;
      }
    }
    const problem = this.#debugProblem(source, id);
    if (problem !== undefined) return status === 400 ? afterError(head, problem) : httpError(problem, 500);

    let dropped = false;
    const stream = new BufferedStream(this.#debugFlushMs, head);
    try {
      const unsubscribe = this.#host.liveDebugging!.subscribe([id], (data: LiveDebuggingData) => {
        if (stream.closed) return;
        if (sampleProb < 1 && Math.random() > sampleProb) return;
        if (!stream.push(`${data.dataFunc()}|;|`) && !dropped) {
          dropped = true;
          this.#logger?.warn("data throughput is very high, not all debugging data can be sent the live debugging stream");
        }
      });
      stream.onClose(unsubscribe);
    } catch (error) {
      stream.close();
      return status === 400 ? afterError(head, errorMessage(error)) : httpError(errorMessage(error), 500);
    }
    return this.#open(request, stream, status);
  }

  #graph(request: Request, moduleID: string): Response {
    let source: UiComponentSource;
    try {
      source = this.#resolve(moduleID);
    } catch (error) {
      return httpError(errorMessage(error), 500);
    }
    const param = new URL(request.url).searchParams.get("window") ?? "";
    let windowSeconds = 5;
    let status = 200;
    let head = "";
    if (param !== "") {
      const parsed = /^[+-]?\d+$/.test(param) ? Number(param) : NaN;
      if (!Number.isInteger(parsed) || parsed < 1 || parsed > 60) {
        status = 400;
        head = "Invalid window: must be an integer between 1 and 60\n";
      } else {
        windowSeconds = parsed;
      }
    }

    // AddCallbackMulti: every component of the module that supports live debugging.
    let components;
    try {
      components = source.listComponents(moduleID);
    } catch (error) {
      return status === 400 ? afterError(head, errorMessage(error)) : httpError(errorMessage(error), 500);
    }
    if (!components) return status === 400 ? afterError(head, "module not found") : httpError("module not found", 500);
    const ids = components
      .filter((c) => c.liveDebuggingEnabled)
      .map((c) => (c.moduleID ? `${c.moduleID}/${c.localID}` : c.localID));

    const counts = new Map<string, GraphRate & { count: number }>();
    const stream = new BufferedStream(0, head);
    const live = this.#host.liveDebugging;
    if (live && ids.length > 0) {
      try {
        const unsubscribe = live.subscribe(ids, (data) => {
          if (stream.closed) return;
          const key = `${data.componentID}\u0000${data.type}`;
          const entry = counts.get(key);
          if (entry) entry.count += data.count;
          else {
            counts.set(key, {
              componentID: data.componentID,
              targetComponentIDs: data.targetComponentIDs,
              type: data.type,
              rate: 0,
              count: data.count,
            });
          }
        });
        stream.onClose(unsubscribe);
      } catch (error) {
        stream.close();
        return status === 400 ? afterError(head, errorMessage(error)) : httpError(errorMessage(error), 500);
      }
    }
    const ticker = setInterval(() => {
      const rates = [...counts.values()].map((e) => ({ ...e, rate: e.count / windowSeconds }));
      counts.clear();
      stream.push(`${graphRatesJSON(rates)}|;|`, true);
    }, windowSeconds * this.#graphSecondMs);
    stream.onClose(() => clearInterval(ticker));
    return this.#open(request, stream, status);
  }

  #open(request: Request, stream: BufferedStream, status: number): Response {
    const end = () => stream.close();
    this.#openStreams.add(end);
    stream.onClose(() => {
      this.#openStreams.delete(end);
      request.signal?.removeEventListener("abort", end);
    });
    if (request.signal?.aborted) stream.close();
    else request.signal?.addEventListener("abort", end, { once: true });
    return new Response(stream.readable, {
      status,
      headers: { "content-type": TEXT, "x-content-type-options": "nosniff", "cache-control": "no-cache" },
    });
  }
}

/** A response that had written an error status and then a second error (Go's superfluous WriteHeader). */
function afterError(head: string, message: string): Response {
  return new Response(`${head}${message}\n`, {
    status: 400,
    headers: { "content-type": TEXT, "x-content-type-options": "nosniff" },
  });
}

/**
 * A chunked body fed by callbacks: text waits in a buffer that is flushed on a timer, when it
 * passes 4 KiB, or at once for `push(text, true)`; while the client is not reading, at most 1000
 * items wait and later ones are dropped.
 */
class BufferedStream {
  readonly readable: ReadableStream<Uint8Array>;
  closed = false;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #pending: string[] = [];
  #pendingBytes = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #onClose: (() => void)[] = [];

  constructor(flushMs: number, head: string) {
    this.readable = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
          if (head) controller.enqueue(encoder.encode(head));
        },
        pull: () => {
          if (this.#pendingBytes >= WRITE_BUFFER_BYTES) this.#flush();
        },
        cancel: () => this.close(),
      },
      { highWaterMark: 1 << 16, size: (chunk) => chunk.byteLength },
    );
    if (flushMs > 0) this.#timer = setInterval(() => this.#flush(), flushMs);
  }

  /** Queues text; false when it had to be dropped. */
  push(text: string, flush = false): boolean {
    if (this.closed) return false;
    if (this.#pending.length >= STREAM_BACKLOG) return false;
    this.#pending.push(text);
    this.#pendingBytes += text.length;
    if (flush || this.#pendingBytes >= WRITE_BUFFER_BYTES) this.#flush();
    return true;
  }

  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.#onClose.push(fn);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#pending = [];
    try {
      this.#controller.close();
    } catch {
      // Already cancelled by the client.
    }
    for (const fn of this.#onClose.splice(0)) {
      try {
        fn();
      } catch {
        // An unsubscribe that fails must not keep the others from running.
      }
    }
  }

  #flush(): void {
    if (this.closed || this.#pending.length === 0) return;
    // A client that does not read keeps its backlog here, where it is bounded.
    if ((this.#controller.desiredSize ?? 1) <= 0) return;
    const text = this.#pending.join("");
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#controller.enqueue(encoder.encode(text));
  }
}

/** Go's strconv.ParseFloat for the decimal forms a URL parameter carries; undefined when invalid. */
export function parseGoFloat(text: string): number | undefined {
  const t = text.toLowerCase();
  const sign = t.startsWith("-") ? -1 : 1;
  const body = t.replace(/^[+-]/, "");
  if (body === "inf" || body === "infinity") return sign * Infinity;
  if (body === "nan") return NaN;
  if (!/^(\d+(_\d+)*)?(\.(\d+(_\d+)*)?)?(e[+-]?\d+)?$/.test(body) || !/\d/.test(body.split("e")[0]!)) return undefined;
  if (body.includes("_")) return undefined; // underscores only with a base prefix
  return sign * Number(body);
}
