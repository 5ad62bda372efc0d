// A configuration server for the remotecfg tests: collector.v1.CollectorService over the Connect
// protocol (unary, binary protobuf), on 127.0.0.1 with the platform's HTTP server. Messages are
// decoded and encoded with protobufjs from the .proto text of github.com/grafana/alloy-remote-config
// (v0.0.12, with EffectiveConfig), so the agent's hand-written codec is checked against a generic one.
import protobuf from "protobufjs";
import { platform } from "../../src/platform/mod.ts";
import type { HttpServer, TlsServerConfig } from "../../src/platform/mod.ts";

export const COLLECTOR_PROTO = `
syntax = "proto3";
package collector.v1;
message GetConfigRequest {
  string id = 1;
  map<string, string> attributes = 2;
  map<string, string> local_attributes = 4;
  string hash = 3;
  RemoteConfigStatus remote_config_status = 5;
  EffectiveConfig effective_config = 6;
}
message RemoteConfigStatus { RemoteConfigStatuses status = 1; string error_message = 2; }
enum RemoteConfigStatuses {
  RemoteConfigStatuses_UNSET = 0;
  RemoteConfigStatuses_APPLIED = 1;
  RemoteConfigStatuses_APPLYING = 2;
  RemoteConfigStatuses_FAILED = 3;
}
message EffectiveConfig { AgentConfigMap config_map = 1; }
message AgentConfigMap { map<string, AgentConfigFile> config_map = 1; }
message AgentConfigFile { bytes body = 1; string content_type = 2; }
message GetConfigResponse { string content = 1; string hash = 2; bool not_modified = 3; }
message RegisterCollectorRequest {
  string id = 1;
  map<string, string> attributes = 2;
  map<string, string> local_attributes = 4;
  string name = 3;
}
message RegisterCollectorResponse {}
message UnregisterCollectorRequest { string id = 1; }
message UnregisterCollectorResponse {}
`;

export const collectorRoot = protobuf.parse(COLLECTOR_PROTO, { keepCase: true }).root;
export const msg = (name: string) => collectorRoot.lookupType(`collector.v1.${name}`);

export interface StatusSeen {
  status: number;
  error_message: string;
}

export interface GetConfigSeen {
  id: string;
  hash: string;
  local_attributes: Record<string, string>;
  remote_config_status?: StatusSeen;
  effective_config?: { config_map?: { config_map?: Record<string, { body?: Uint8Array; content_type?: string }> } };
  userAgent: string;
}

export interface RegisterSeen {
  id: string;
  name: string;
  local_attributes: Record<string, string>;
  userAgent: string;
}

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

export class CollectorServer {
  server: HttpServer | undefined;
  /** What GetConfig serves. */
  content = "";
  /** Answer every RPC with this Connect error code (e.g. "unavailable"). */
  failWith: string | undefined;
  /** Honour the request hash with not_modified. */
  supportNotModified = true;
  readonly registers: RegisterSeen[] = [];
  readonly getConfigs: GetConfigSeen[] = [];
  readonly unregisters: string[] = [];
  readonly contentTypes = new Set<string>();

  #tls = false;
  /** HTTP versions of the requests served ("1.1", "2.0"). */
  readonly httpVersions = new Set<string>();

  get url(): string {
    return `${this.#tls ? "https" : "http"}://127.0.0.1:${this.server!.port}`;
  }

  async start(port = 0, tls?: TlsServerConfig): Promise<this> {
    this.#tls = tls !== undefined;
    this.server = await platform().serve({
      hostname: "127.0.0.1",
      port,
      ...(tls ? { tls } : {}),
      fetch: (request, connection) => {
        this.httpVersions.add(connection.httpVersion);
        return this.#handle(request);
      },
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.close(100);
    this.server = undefined;
  }

  /** Statuses of the GetConfig requests that carried one. */
  statuses(): StatusSeen[] {
    return this.getConfigs.flatMap((r) => (r.remote_config_status ? [r.remote_config_status] : []));
  }

  async #handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    const type = request.headers.get("content-type") ?? "";
    this.contentTypes.add(type);
    if (request.method !== "POST") return new Response(null, { status: 405 });
    if (type !== "application/proto") return new Response(null, { status: 415 });
    if (request.headers.get("connect-protocol-version") !== "1") return connectError("invalid_argument", "missing Connect-Protocol-Version");
    const body = new Uint8Array(await request.arrayBuffer());
    const userAgent = request.headers.get("user-agent") ?? "";
    if (this.failWith) return connectError(this.failWith, "the test server fails on purpose");
    const decode = (name: string) =>
      msg(name).toObject(msg(name).decode(body), { defaults: false, enums: Number }) as Record<string, unknown>;
    switch (path) {
      case "/collector.v1.CollectorService/RegisterCollector": {
        const m = decode("RegisterCollectorRequest");
        this.registers.push({ id: (m.id as string) ?? "", name: (m.name as string) ?? "", local_attributes: (m.local_attributes as Record<string, string>) ?? {}, userAgent });
        return proto("RegisterCollectorResponse", {});
      }
      case "/collector.v1.CollectorService/UnregisterCollector": {
        this.unregisters.push((decode("UnregisterCollectorRequest").id as string) ?? "");
        return proto("UnregisterCollectorResponse", {});
      }
      case "/collector.v1.CollectorService/GetConfig": {
        const m = decode("GetConfigRequest");
        const seen: GetConfigSeen = {
          id: (m.id as string) ?? "",
          hash: (m.hash as string) ?? "",
          local_attributes: (m.local_attributes as Record<string, string>) ?? {},
          userAgent,
        };
        if (m.remote_config_status) {
          const s = m.remote_config_status as { status?: number; error_message?: string };
          seen.remote_config_status = { status: s.status ?? 0, error_message: s.error_message ?? "" };
        }
        if (m.effective_config) seen.effective_config = m.effective_config as GetConfigSeen["effective_config"];
        this.getConfigs.push(seen);
        const hash = hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(this.content)));
        if (this.supportNotModified && seen.hash === hash) return proto("GetConfigResponse", { hash, not_modified: true });
        return proto("GetConfigResponse", { content: this.content, hash });
      }
      default:
        return connectError("unimplemented", `${path} is not implemented`, 404);
    }
  }
}

function proto(name: string, value: Record<string, unknown>): Response {
  const bytes = msg(name).encode(msg(name).fromObject(value)).finish();
  return new Response(bytes as BodyInit, { headers: { "content-type": "application/proto" } });
}

function connectError(code: string, message: string, status = code === "unavailable" ? 503 : code === "invalid_argument" ? 400 : 500): Response {
  return new Response(JSON.stringify({ code, message }), { status, headers: { "content-type": "application/json" } });
}

/** Waits until check() passes (it throws until then). */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000, stepMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
