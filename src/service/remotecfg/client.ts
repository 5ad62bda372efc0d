// A client of collector.v1.CollectorService over the Connect protocol (unary RPCs as connect-go's
// generated client makes them, with its default binary protobuf codec): POST
// `<url>/collector.v1.CollectorService/<Method>`, `Content-Type: application/proto`,
// `Connect-Protocol-Version: 1`, the message as the body. A 200 carries the response message;
// anything else is an error, a JSON `{code, message}` body or, failing that, a code derived from
// the HTTP status, reported in connect-go's words (`unavailable: …`, `unimplemented: HTTP status 404
// Not Found`). Responses compressed with Content-Encoding are inflated by fetch.
import {
  checkMessage,
  decodeGetConfigResponse,
  encodeGetConfigRequest,
  encodeRegisterCollectorRequest,
  encodeUnregisterCollectorRequest,
  type GetConfigRequest,
  type GetConfigResponse,
  type RegisterCollectorRequest,
  type UnregisterCollectorRequest,
} from "./proto.ts";

export const SERVICE_PATH = "/collector.v1.CollectorService";
const PROTO = "application/proto";

/** The three RPCs Alloy's remotecfg service calls. */
export interface CollectorClient {
  getConfig(request: GetConfigRequest, signal?: AbortSignal): Promise<GetConfigResponse>;
  registerCollector(request: RegisterCollectorRequest, signal?: AbortSignal): Promise<void>;
  unregisterCollector(request: UnregisterCollectorRequest, signal?: AbortSignal): Promise<void>;
}

/** A Connect error: its code (`unavailable`, `not_found` …) and connect-go's text `<code>: <message>`. */
export class ConnectError extends Error {
  constructor(
    readonly code: string,
    readonly rawMessage: string,
  ) {
    super(rawMessage === "" ? code : `${code}: ${rawMessage}`);
    this.name = "ConnectError";
  }
}

const CODES = new Set([
  "canceled", "unknown", "invalid_argument", "deadline_exceeded", "not_found", "already_exists", "permission_denied",
  "resource_exhausted", "failed_precondition", "aborted", "out_of_range", "unimplemented", "internal", "unavailable",
  "data_loss", "unauthenticated",
]);

/** The Connect protocol's code for an HTTP status without an error body (connect-go's httpToCode). */
function codeOfStatus(status: number): string {
  switch (status) {
    case 400:
      return "internal";
    case 401:
      return "unauthenticated";
    case 403:
      return "permission_denied";
    case 404:
      return "unimplemented";
    case 429:
    case 502:
    case 503:
    case 504:
      return "unavailable";
    default:
      return "unknown";
  }
}

// Go's http.StatusText for the statuses a server is likely to answer with.
const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
  408: "Request Timeout", 409: "Conflict", 413: "Request Entity Too Large", 415: "Unsupported Media Type",
  429: "Too Many Requests", 500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
  503: "Service Unavailable", 504: "Gateway Timeout",
};

/** fetch with the remotecfg block's HTTP client settings applied (authentication, headers, redirects). */
export type ClientFetch = (url: string, init: RequestInit & { headers: Headers }) => Promise<Response>;

export class ConnectCollectorClient implements CollectorClient {
  readonly #base: string;

  constructor(
    baseUrl: string,
    private readonly fetchFn: ClientFetch,
    private readonly userAgent: string,
  ) {
    // connect-go joins with strings.TrimRight(baseURL, "/") + procedure.
    this.#base = baseUrl.replace(/\/+$/, "");
  }

  async getConfig(request: GetConfigRequest, signal?: AbortSignal): Promise<GetConfigResponse> {
    const body = await this.#call("GetConfig", encodeGetConfigRequest(request), signal);
    try {
      return decodeGetConfigResponse(body);
    } catch (e) {
      throw new ConnectError("internal", `unmarshal message: ${(e as Error).message}`);
    }
  }

  async registerCollector(request: RegisterCollectorRequest, signal?: AbortSignal): Promise<void> {
    this.#check(await this.#call("RegisterCollector", encodeRegisterCollectorRequest(request), signal));
  }

  async unregisterCollector(request: UnregisterCollectorRequest, signal?: AbortSignal): Promise<void> {
    this.#check(await this.#call("UnregisterCollector", encodeUnregisterCollectorRequest(request), signal));
  }

  #check(body: Uint8Array): void {
    try {
      checkMessage(body);
    } catch (e) {
      throw new ConnectError("internal", `unmarshal message: ${(e as Error).message}`);
    }
  }

  async #call(method: string, message: Uint8Array, signal: AbortSignal | undefined): Promise<Uint8Array> {
    const url = `${this.#base}${SERVICE_PATH}/${method}`;
    const headers = new Headers({
      "Content-Type": PROTO,
      "Connect-Protocol-Version": "1",
      "User-Agent": this.userAgent,
    });
    let response: Response;
    try {
      response = await this.fetchFn(url, { method: "POST", headers, body: message as BodyInit, ...(signal ? { signal } : {}) });
    } catch (e) {
      if (signal?.aborted) throw new ConnectError(signal.reason instanceof Error && signal.reason.name === "TimeoutError" ? "deadline_exceeded" : "canceled", errorText(e));
      throw new ConnectError("unavailable", `${titleMethod("POST")} ${JSON.stringify(url)}: ${errorText(e)}`);
    }
    let body: Uint8Array;
    try {
      body = new Uint8Array(await response.arrayBuffer());
    } catch (e) {
      throw new ConnectError(signal?.aborted ? "canceled" : "unavailable", `read response: ${errorText(e)}`);
    }
    if (response.status !== 200) throw errorOf(response, body);
    const type = (response.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== PROTO) {
      throw new ConnectError("internal", `invalid content-type: ${JSON.stringify(response.headers.get("content-type") ?? "")}; expecting ${JSON.stringify(PROTO)}`);
    }
    return body;
  }
}

function errorOf(response: Response, body: Uint8Array): ConnectError {
  const type = (response.headers.get("content-type") ?? "").toLowerCase();
  if (type.startsWith("application/json")) {
    try {
      const wire = JSON.parse(new TextDecoder().decode(body)) as { code?: unknown; message?: unknown };
      const code = typeof wire.code === "string" && CODES.has(wire.code) ? wire.code : codeOfStatus(response.status);
      return new ConnectError(code, typeof wire.message === "string" ? wire.message : "");
    } catch {
      // Not Connect's error JSON: fall back to the status.
    }
  }
  const text = STATUS_TEXT[response.status] ?? response.statusText;
  return new ConnectError(codeOfStatus(response.status), `HTTP status ${response.status}${text ? ` ${text}` : ""}`);
}

const titleMethod = (m: string) => m.charAt(0) + m.slice(1).toLowerCase();

/** A fetch failure's reason (Node and Bun hide it in `cause`). */
function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as { cause?: unknown }).cause;
  if (cause instanceof Error && cause.message && cause.message !== e.message) return `${e.message}: ${cause.message}`;
  return e.message;
}
