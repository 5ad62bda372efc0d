// The agent's HTTP routes, in Alloy's order and with Alloy's status codes and bodies (spec
// run-http-cluster.md §2): health, metrics, component handlers, readiness, reload, then the routes
// of services that build on HTTP (longest base first), the UI last.
import { Hono } from "hono";
import { compress } from "hono/compress";
import type { ConnectionInfo } from "../../platform/types.ts";
import type { MetricsRegistry } from "../../runtime/metrics/registry.ts";
import type { Logger } from "../../runtime/logging/logger.ts";
import { checkBasicAuth, type BasicAuthConfig } from "./auth.ts";
import { COMPONENT_PATH_PREFIX, splitComponentPath } from "./component-path.ts";
import type { HttpHost, ServiceRoute } from "./host.ts";
import { renderMetrics } from "./metrics-handler.ts";
import { bundleDuration, SUPPORT_BUNDLE_DISABLED, supportBundle, type SupportBundleOptions } from "./support-bundle.ts";

export interface HttpAppOptions {
  host: HttpHost;
  metrics: MetricsRegistry;
  logger: Logger;
  /** True once the first configuration load has been applied. */
  ready(): boolean;
  /** Reloads the configuration; rejects with the reason it failed. */
  reload(): Promise<void>;
  /** The basic auth currently configured by the `http` block (read per request: it changes at reload). */
  basicAuth(): BasicAuthConfig | undefined;
  serviceRoutes?: ServiceRoute[];
  /** The /debug/pprof routes, when --server.http.enable-pprof is on. */
  pprof?: Hono;
  /** What /-/support bundles; undefined when --server.http.disable-support-bundle is set. */
  supportBundle?: SupportBundleOptions;
}

// Go's http.Error: the message, a newline, and a plain-text content type.
const textResponse = (body: string, status = 200) =>
  new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });

export function createHttpApp(options: HttpAppOptions): Hono {
  const { host, logger } = options;
  const app = new Hono();

  app.use("*", async (c, next) => {
    const auth = options.basicAuth();
    if (auth) {
      const problem = await checkBasicAuth(auth, c.req.raw);
      if (problem) {
        logger.info("failed to authenticate request", { path: c.req.path, err: problem });
        return new Response(null, { status: 401, headers: { "www-authenticate": 'Basic realm="Restricted"' } });
      }
    }
    await next();
  });

  app.all("/-/healthy", () => {
    let unhealthy: string[];
    try {
      unhealthy = host.listComponents("").filter((c) => c.health === "unhealthy").map((c) => c.name);
    } catch (error) {
      return textResponse(`${(error as Error).message}\n`, 500);
    }
    if (unhealthy.length > 0) return textResponse(`unhealthy components: ${unhealthy.join(", ")}\n`, 500);
    return textResponse("All Alloy components are healthy.\n");
  });

  app.all("/metrics", compress(), (c) => renderMetrics(options.metrics, c.req.header("accept") ?? null));

  if (options.pprof) app.route("/", options.pprof);

  app.all(`${COMPONENT_PATH_PREFIX}*`, async (c) => {
    const url = new URL(c.req.url);
    const trimmed = url.pathname.slice(COMPONENT_PATH_PREFIX.length);
    const split = splitComponentPath(trimmed, (id) => host.componentExists(id));
    if (!split) return textResponse(`failed to parse URL path "${trimmed}": invalid path\n`, 400);
    const handler = host.componentHandler(split.id);
    if (!handler) return new Response(null, { status: 404 });
    // The component sees its own path, as Alloy rewrites r.URL.Path.
    url.pathname = split.path;
    return handler(new Request(url, c.req.raw));
  });

  app.all("/-/ready", () =>
    options.ready() ? textResponse("Alloy is ready.\n") : textResponse("Alloy is not ready.\n", 503),
  );

  app.on(["GET", "POST"], "/-/reload", async () => {
    logger.info("reload requested via /-/reload endpoint");
    try {
      await options.reload();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.error("failed to reload config", { err: message });
      return textResponse(`${message}\n`, 400);
    }
    logger.info("config reloaded");
    return textResponse("config reloaded\n");
  });

  app.get("/-/support", async (c) => {
    if (!options.supportBundle) return new Response(SUPPORT_BUNDLE_DISABLED, { status: 403 });
    const seconds = bundleDuration(c.req.query("duration"));
    if (typeof seconds === "string") return textResponse(`${seconds}\n`, 400);
    try {
      const zip = await supportBundle(options.supportBundle, seconds, c.req.raw.signal);
      return new Response(zip, {
        headers: { "content-type": "application/zip", "content-disposition": 'attachment; filename="alloy-support-bundle.zip"' },
      });
    } catch (error) {
      return textResponse(`${(error as Error).message}\n`, 500);
    }
  });

  // Services' routes: the base with the most "/" first, so nested bases win over shorter ones.
  const routes = [...(options.serviceRoutes ?? [])].sort((a, b) => slashes(b.base) - slashes(a.base));
  // The connection (HTTP version, peer address) comes from the server as hono's env: the cluster
  // transport needs it.
  for (const route of routes) {
    app.all(`${route.base.replace(/\/$/, "")}/*`, (c) => route.handler(c.req.raw, connectionOf(c.env)));
  }

  app.notFound(() => textResponse("404 page not found\n", 404));
  return app;
}

const slashes = (text: string) => text.split("/").length - 1;

/** The env the HTTP server passes to app.fetch. */
export interface HttpAppEnv {
  connection: ConnectionInfo;
}

function connectionOf(env: unknown): ConnectionInfo | undefined {
  return (env as Partial<HttpAppEnv> | undefined)?.connection;
}
