// A component's own HTTP server (Alloy's fnet.TargetServer around dskit's server): listens where the
// `http` block says, routes requests to the component's handlers, and keeps dskit's instrumentation
// under the component's metrics namespace:
//   <ns>_tcp_connections{protocol}           connections being served
//   <ns>_tcp_connections_limit{protocol}     conn_limit (0: none)
//   <ns>_request_duration_seconds{method, route, status_code, ws}
//   <ns>_request_message_bytes{method, route}, <ns>_response_message_bytes{method, route}
//   <ns>_inflight_requests{method, route}
// The route label is the matched path with its non-alphanumerics turned into "_" (dskit's
// MakeLabelValue), "other" when no route matched.
//
// Only the HTTP server is started: the components built on it register no gRPC services, so the
// `grpc` block is accepted and checked but opens no listener.
import type { HttpServer, Platform } from "../../../platform/mod.ts";
import type { Logger } from "../../../runtime/logging/logger.ts";
import { type Collector, collector, Gauge, Histogram, type MetricFamily, type Registerer } from "../../../runtime/metrics/registry.ts";
import { type HttpConfig, type ServerConfig, serveOptions } from "./config.ts";

/** dskit's instrument.DefBuckets (seconds) and middleware.BodySizeBuckets (bytes). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100];
const MB = 1024 * 1024;
const BODY_SIZE_BUCKETS = [1 * MB, 2.5 * MB, 5 * MB, 10 * MB, 25 * MB, 50 * MB, 100 * MB, 250 * MB];

/** Counts the request body bytes a handler read, for <ns>_request_message_bytes. */
export interface RequestMeter {
  requestBytes: number;
}

export interface Route {
  method: string;
  path: string;
  handle(request: Request, meter: RequestMeter): Promise<Response>;
}

export interface TargetServerOptions {
  platform: Platform;
  logger: Logger;
  /** Metric name prefix, e.g. prometheus_receive_http. */
  namespace: string;
  routes: readonly Route[];
}

/** dskit's MakeLabelValue of a route's path template: api/v1/metrics/write -> api_v1_metrics_write. */
export function routeLabel(path: string): string {
  return path.replace(/[^a-zA-Z0-9]+/g, "_").replace(/^_+|_+$/g, "");
}

/** Go's http.Error: the message and a newline, as plain text the browser must not sniff. */
export function goHttpError(message: string, status: number, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("Content-Type", "text/plain; charset=utf-8");
  h.set("X-Content-Type-Options", "nosniff");
  return new Response(`${message}\n`, { status, headers: h });
}

/** The metrics of one server: Alloy replaces them (and so resets them) whenever the server restarts. */
class ServerMetrics implements Collector {
  readonly duration: Histogram;
  readonly requestBytes: Histogram;
  readonly responseBytes: Histogram;
  readonly inflight: Gauge;
  private readonly connections: Collector;

  constructor(namespace: string, limit: number, server: () => HttpServer | undefined) {
    this.duration = new Histogram(
      { name: `${namespace}_request_duration_seconds`, help: "Time (in seconds) spent serving HTTP requests.", buckets: DURATION_BUCKETS },
      ["method", "route", "status_code", "ws"],
    );
    this.requestBytes = new Histogram(
      { name: `${namespace}_request_message_bytes`, help: "Size (in bytes) of messages received in the request.", buckets: BODY_SIZE_BUCKETS },
      ["method", "route"],
    );
    this.responseBytes = new Histogram(
      { name: `${namespace}_response_message_bytes`, help: "Size (in bytes) of messages sent in response.", buckets: BODY_SIZE_BUCKETS },
      ["method", "route"],
    );
    this.inflight = new Gauge({ name: `${namespace}_inflight_requests`, help: "Current number of inflight requests." }, ["method", "route"]);
    this.connections = collector(() => [
      {
        name: `${namespace}_tcp_connections`,
        help: "Current number of accepted TCP connections.",
        type: "gauge",
        samples: [{ labels: { protocol: "http" }, value: server()?.connections ?? 0 }],
      },
      {
        name: `${namespace}_tcp_connections_limit`,
        help: "The max number of TCP connections that can be accepted (0 means no limit).",
        type: "gauge",
        samples: [{ labels: { protocol: "http" }, value: limit }],
      },
    ]);
  }

  collect(): MetricFamily[] {
    return [this.connections, this.duration, this.requestBytes, this.responseBytes, this.inflight].flatMap((c) => c.collect());
  }
}

export class TargetServer {
  private constructor(
    private readonly server: HttpServer,
    private readonly metrics: ServerMetrics,
    private readonly registerer: Registerer,
    private readonly graceMs: number,
  ) {}

  /** The port listened on (the configured one, or the one picked for listen_port = 0). */
  get port(): number {
    return this.server.port;
  }

  /** Starts listening; rejects when the address cannot be used or the TLS settings are bad. */
  static async start(config: ServerConfig, registerer: Registerer, options: TargetServerOptions): Promise<TargetServer> {
    const http = config.http as HttpConfig;
    const listen = await serveOptions(http, (path) => options.platform.fs.readTextFile(path));
    let server: HttpServer | undefined;
    const metrics = new ServerMetrics(options.namespace, Math.max(0, http.conn_limit), () => server);
    const routes = options.routes.map((r) => ({ ...r, label: routeLabel(r.path) }));
    const fetch = async (request: Request): Promise<Response> => {
      const started = performance.now();
      const path = new URL(request.url).pathname;
      const onPath = routes.filter((r) => r.path === path);
      const route = onPath.find((r) => r.method === request.method);
      const label = route?.label ?? "other";
      const inflight = metrics.inflight.with(request.method, label);
      inflight.inc();
      const meter: RequestMeter = { requestBytes: 0 };
      let response: Response;
      try {
        if (route) response = await route.handle(request, meter);
        // gorilla/mux: a path served for other methods is 405 with no body; anything else 404.
        else if (onPath.length > 0) response = new Response(null, { status: 405 });
        else response = goHttpError("404 page not found", 404);
      } catch (error) {
        options.logger.error("request failed", { path, err: (error as Error).message });
        response = goHttpError((error as Error).message, 500);
      } finally {
        inflight.dec();
      }
      // Responses here are small texts: measure them by reading them once.
      const body = response.body === null ? null : new Uint8Array(await response.arrayBuffer());
      metrics.requestBytes.with(request.method, label).observe(meter.requestBytes);
      metrics.responseBytes.with(request.method, label).observe(body?.length ?? 0);
      const ws = request.headers.get("upgrade")?.toLowerCase() === "websocket" ? "true" : "false";
      metrics.duration.with(request.method, label, String(response.status), ws).observe((performance.now() - started) / 1000);
      return new Response(body, { status: response.status, headers: response.headers });
    };
    server = await options.platform.serve({
      ...listen,
      fetch,
      onError: (error) => options.logger.debug("connection error", { err: error.message }),
    });
    options.logger.info("server listening on addresses", { http: `${formatHost(server.hostname)}:${server.port}` });
    registerer.register(metrics);
    return new TargetServer(server, metrics, registerer, config.graceful_shutdown_timeout / 1e6);
  }

  /** Stops accepting, lets requests in flight finish within graceful_shutdown_timeout, and drops the metrics. */
  async close(): Promise<void> {
    this.registerer.unregister(this.metrics);
    await this.server.close(this.graceMs);
  }
}

function formatHost(host: string): string {
  if (host === "") return "[::]";
  return host.includes(":") ? `[${host}]` : host;
}
