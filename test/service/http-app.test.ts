// The HTTP service's routes against a fake host, through hono's in-process request API, plus the
// in-memory address and the `http` block's validation.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Counter, MetricsRegistry } from "../../src/runtime/metrics/registry.ts";
import { LogController } from "../../src/runtime/logging/logger.ts";
import { createHttpApp, type HttpAppOptions } from "../../src/service/http/app.ts";
import type { BasicAuthConfig } from "../../src/service/http/auth.ts";
import { splitComponentPath } from "../../src/service/http/component-path.ts";
import { HttpBlock, basicAuthOf } from "../../src/service/http/config.ts";
import type { HttpHost } from "../../src/service/http/host.ts";
import { memoryFetch } from "../../src/service/http/memory.ts";
import { parseFile } from "../../src/syntax/parser.ts";
import { decodeBody } from "../../src/syntax/vm/index.ts";
import type { HealthState } from "../../src/runtime/component.ts";

const logs: string[] = [];
const logger = new LogController({ write: (line) => logs.push(line) }).logger();

function fakeHost(components: Record<string, { name: string; health: HealthState; handler?: (r: Request) => Response }>): HttpHost {
  return {
    listComponents: (moduleId) => {
      if (moduleId !== "") throw new Error("module not found");
      return Object.entries(components).filter(([id]) => !id.includes("/")).map(([, c]) => ({ name: c.name, health: c.health }));
    },
    componentExists: (id) => id in components,
    componentHandler: (id) => components[id]?.handler,
  };
}

function app(overrides: Partial<HttpAppOptions> = {}) {
  const metrics = new MetricsRegistry();
  const events = new Counter({ name: "alloy_test_events_total", help: "Events." });
  events.inc(3);
  metrics.register(events);
  return createHttpApp({
    host: fakeHost({
      "prometheus.exporter.unix.default": {
        name: "prometheus.exporter.unix",
        health: "healthy",
        handler: (request) => new Response(`path=${new URL(request.url).pathname}`),
      },
      "module.file.m/prometheus.exporter.self.x": { name: "prometheus.exporter.self", health: "healthy", handler: (r) => new Response(new URL(r.url).pathname) },
      "local.file.nohandler": { name: "local.file", health: "healthy" },
    }),
    metrics,
    logger,
    ready: () => true,
    reload: async () => {},
    basicAuth: () => undefined,
    ...overrides,
  });
}

describe("http service: component paths", () => {
  const ids = new Set([
    "prometheus.exporter.unix",
    "module.string.example/prometheus.exporter.mysql.example",
    "module.string.example/module.git.example/prometheus.exporter.mysql.example",
  ]);
  const exists = (id: string) => ids.has(id);
  // Alloy's split_path_test cases.
  for (const [path, id, rest] of [
    ["/prometheus.exporter.unix/metrics", "prometheus.exporter.unix", "/metrics"],
    ["/prometheus.exporter.unix/metrics/", "prometheus.exporter.unix", "/metrics/"],
    ["/module.string.example/prometheus.exporter.mysql.example/metrics", "module.string.example/prometheus.exporter.mysql.example", "/metrics"],
    ["/module.string.example/module.git.example/prometheus.exporter.mysql.example/metrics", "module.string.example/module.git.example/prometheus.exporter.mysql.example", "/metrics"],
    ["/prometheus.exporter.unix/some/path/from/component", "prometheus.exporter.unix", "/some/path/from/component"],
    ["/prometheus.exporter.unix", "prometheus.exporter.unix", "/"],
    ["/prometheus.exporter.unix/", "prometheus.exporter.unix", "/"],
  ] as const) {
    it(`splits ${path}`, () => assert.deepEqual(splitComponentPath(path, exists), { id, path: rest }));
  }
  it("finds nothing for unknown ids", () => assert.equal(splitComponentPath("/nope/metrics", exists), undefined));
});

describe("http service: routes", () => {
  it("reports health from the root module's components", async () => {
    const ok = await app().request("/-/healthy");
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), "All Alloy components are healthy.\n");
    const sick = createHttpApp({
      host: fakeHost({ a: { name: "math.add", health: "unhealthy" }, b: { name: "local.file", health: "unhealthy" }, c: { name: "x.y", health: "healthy" } }),
      metrics: new MetricsRegistry(),
      logger,
      ready: () => true,
      reload: async () => {},
      basicAuth: () => undefined,
    });
    const response = await sick.request("/-/healthy");
    assert.equal(response.status, 500);
    assert.equal(await response.text(), "unhealthy components: math.add, local.file\n");
  });

  it("answers readiness", async () => {
    let ready = false;
    const a = app({ ready: () => ready });
    const before = await a.request("/-/ready");
    assert.deepEqual([before.status, await before.text()], [503, "Alloy is not ready.\n"]);
    ready = true;
    const after = await a.request("/-/ready");
    assert.deepEqual([after.status, await after.text()], [200, "Alloy is ready.\n"]);
  });

  it("reloads on GET and POST, with the error as a 400", async () => {
    let calls = 0;
    let failWith: string | undefined;
    const a = app({
      reload: async () => {
        calls++;
        if (failWith) throw new Error(failWith);
      },
    });
    for (const method of ["GET", "POST"]) {
      const response = await a.request("/-/reload", { method });
      assert.deepEqual([response.status, await response.text()], [200, "config reloaded\n"]);
    }
    failWith = "main.alloy:3:1: component \"x.y\" does not exist";
    const failed = await a.request("/-/reload", { method: "POST" });
    assert.deepEqual([failed.status, await failed.text()], [400, `${failWith}\n`]);
    assert.equal(calls, 3);
    assert.equal((await a.request("/-/reload", { method: "PUT" })).status, 404);
    assert.equal(calls, 3);
  });

  it("routes to component handlers with the component's own path", async () => {
    const a = app();
    const response = await a.request("/api/v0/component/prometheus.exporter.unix.default/metrics?x=1");
    assert.equal(await response.text(), "path=/metrics");
    const nested = await a.request("/api/v0/component/module.file.m/prometheus.exporter.self.x/metrics");
    assert.equal(await nested.text(), "/metrics");
    const invalid = await a.request("/api/v0/component/nope.nope/metrics");
    assert.deepEqual([invalid.status, await invalid.text()], [400, 'failed to parse URL path "nope.nope/metrics": invalid path\n']);
    const noHandler = await a.request("/api/v0/component/local.file.nohandler/");
    assert.deepEqual([noHandler.status, await noHandler.text()], [404, ""]);
  });

  it("serves metrics as text, as OpenMetrics on request, and gzipped when asked", async () => {
    const a = app();
    const text = await a.request("/metrics");
    assert.match(text.headers.get("content-type")!, /^text\/plain; version=0\.0\.4/);
    assert.match(await text.text(), /^alloy_test_events_total 3$/m);
    const om = await a.request("/metrics", { headers: { accept: "application/openmetrics-text;version=1.0.0,text/plain;q=0.5" } });
    assert.match(om.headers.get("content-type")!, /^application\/openmetrics-text; version=1\.0\.0/);
    const body = await om.text();
    assert.match(body, /^# TYPE alloy_test_events counter$/m);
    assert.match(body, /^alloy_test_events_total 3$/m);
    assert.ok(body.endsWith("# EOF\n"));
    // The shared registry still renders the text format unchanged afterwards.
    assert.match(await (await a.request("/metrics")).text(), /^alloy_test_events_total 3$/m);
    const gzipped = await a.request("/metrics", { headers: { "accept-encoding": "gzip" } });
    assert.equal(gzipped.headers.get("content-encoding"), "gzip");
    const inflated = await new Response(gzipped.body!.pipeThrough(new DecompressionStream("gzip"))).text();
    assert.match(inflated, /alloy_test_events_total 3/);
  });

  it("answers unknown paths with Go's 404 text", async () => {
    const response = await app().request("/no/such/route");
    assert.deepEqual([response.status, await response.text()], [404, "404 page not found\n"]);
  });

  it("serves service routes, the deepest base first", async () => {
    const a = app({
      serviceRoutes: [
        { base: "/", handler: () => new Response("ui") },
        { base: "/api/v1/ckit/transport/", handler: () => new Response("cluster") },
      ],
    });
    assert.equal(await (await a.request("/api/v1/ckit/transport/message")).text(), "cluster");
    assert.equal(await (await a.request("/graph")).text(), "ui");
    assert.equal(await (await a.request("/-/ready")).text(), "Alloy is ready.\n");
  });
});

describe("http service: basic auth", () => {
  const auth: BasicAuthConfig = { username: "admin", password: "s3cret", filterPaths: [], authenticateMatchingPaths: false };
  const header = (user: string, password: string) => ({ authorization: `Basic ${btoa(`${user}:${password}`)}` });

  it("needs credentials on every path without a filter", async () => {
    const a = app({ basicAuth: () => auth });
    const denied = await a.request("/-/ready");
    assert.equal(denied.status, 401);
    assert.equal(denied.headers.get("www-authenticate"), 'Basic realm="Restricted"');
    assert.equal(await denied.text(), "");
    assert.equal((await a.request("/-/ready", { headers: header("admin", "wrong") })).status, 401);
    assert.equal((await a.request("/-/ready", { headers: header("admin", "s3cret") })).status, 200);
    assert.ok(logs.some((line) => line.includes('msg="failed to authenticate request"')));
  });

  it("applies the path filter both ways", async () => {
    const onlyMetrics = app({ basicAuth: () => ({ ...auth, filterPaths: ["/metrics"], authenticateMatchingPaths: true }) });
    assert.equal((await onlyMetrics.request("/metrics")).status, 401);
    assert.equal((await onlyMetrics.request("/-/ready")).status, 200);
    const allButReady = app({ basicAuth: () => ({ ...auth, filterPaths: ["/-/ready"], authenticateMatchingPaths: false }) });
    assert.equal((await allButReady.request("/-/ready")).status, 200);
    assert.equal((await allButReady.request("/metrics")).status, 401);
  });
});

describe("http service: the http block", () => {
  const decode = (source: string) => decodeBody(parseFile("main.alloy", source), HttpBlock);

  it("decodes auth with Alloy's filter defaults", () => {
    const withFilter = basicAuthOf(decode('auth {\n basic {\n username = "u"\n password = "p"\n }\n filter {\n paths = ["/metrics"]\n }\n}\n'));
    assert.deepEqual(withFilter, { username: "u", password: "p", filterPaths: ["/metrics"], authenticateMatchingPaths: true });
    const noFilter = basicAuthOf(decode('auth {\n basic {\n username = "u"\n password = "p"\n }\n}\n'));
    assert.deepEqual(noFilter, { username: "u", password: "p", filterPaths: [], authenticateMatchingPaths: false });
    assert.equal(basicAuthOf(decode("")), undefined);
  });

  it("validates TLS settings with Alloy's messages", () => {
    const cases: [string, RegExp][] = [
      ['tls {\n cert_pem = "a"\n cert_file = "b"\n key_file = "k"\n}\n', /cannot specify both cert_pem and cert_file/],
      ['tls {\n key_file = "k"\n}\n', /must specify either cert_pem or cert_file/],
      ['tls {\n cert_file = "c"\n}\n', /must specify either key_pem or key_file/],
      ['tls {\n cert_file = "c"\n key_file = "k"\n client_ca_file = "ca"\n}\n', /cannot specify client_ca_pem or client_ca_file when client_auth_type is NoClientCert/],
    ];
    for (const [source, message] of cases) assert.throws(() => decode(source), message, source);
    assert.doesNotThrow(() => decode('tls {\n cert_file = "c"\n key_file = "k"\n client_auth_type = "RequireAndVerifyClientCert"\n client_ca_file = "ca"\n min_version = "TLS12"\n}\n'));
  });
});

describe("http service: the in-memory address", () => {
  it("answers requests to alloy.internal:12345 from the app, without a socket", async () => {
    let networkCalls = 0;
    const network = (async () => {
      networkCalls++;
      return new Response("network");
    }) as unknown as typeof fetch;
    const a = app();
    const f = memoryFetch("alloy.internal:12345", (request) => a.fetch(request), network);
    const response = await f("http://alloy.internal:12345/api/v0/component/prometheus.exporter.unix.default/metrics");
    assert.equal(await response.text(), "path=/metrics");
    assert.equal(networkCalls, 0);
    assert.equal(await (await f("http://127.0.0.1:9100/metrics")).text(), "network");
    assert.equal(networkCalls, 1);
  });
});

describe("http service: listen addresses", () => {
  it("parses Go's host:port forms", async () => {
    const { parseListenAddress } = await import("../../src/service/http/listen-address.ts");
    assert.deepEqual(parseListenAddress("127.0.0.1:12345"), { hostname: "127.0.0.1", port: 12345 });
    assert.deepEqual(parseListenAddress("[::1]:80"), { hostname: "::1", port: 80 });
    assert.deepEqual(parseListenAddress(":9090"), { hostname: "0.0.0.0", port: 9090 });
    assert.throws(() => parseListenAddress("localhost"), /missing port in address/);
    assert.throws(() => parseListenAddress("::1:80"), /too many colons/);
  });
});

describe("self-metrics", () => {
  it("exposes build info, process resources and config loads with Alloy's names", async () => {
    const { registerSelfMetrics, ConfigMetrics } = await import("../../src/service/self-metrics.ts");
    const { platform } = await import("../../src/platform/mod.ts");
    const { formatMetricsText } = await import("../../src/runtime/metrics/text.ts");
    const registry = new MetricsRegistry();
    registerSelfMetrics(registry, platform(), { version: "0.1.0", revision: "abc", branch: "main", runtime: "node", runtimeVersion: "20.0.0", os: "linux", arch: "amd64" });
    const config = new ConfigMetrics(registry);
    config.record(true, "deadbeef", "");
    config.record(false, "cafe", "prod");
    const text = formatMetricsText(registry.gather());
    assert.match(text, /^alloy_build_info\{branch="main",goarch="amd64",goos="linux",goversion="node20\.0\.0",revision="abc",tags="",version="v0\.1\.0"\} 1$/m);
    assert.match(text, /^alloy_resources_process_resident_memory_bytes \d+/m);
    assert.match(text, /^# TYPE alloy_resources_process_cpu_seconds_total counter$/m);
    assert.match(text, /^alloy_resources_machine_rx_bytes_total \d/m);
    assert.match(text, /^alloy_resources_machine_tx_bytes_total \d/m);
    assert.match(text, /^alloy_config_hash\{cluster_name="prod",sha256="cafe"\} 1$/m);
    assert.doesNotMatch(text, /sha256="deadbeef"/, "the hash gauge is reset on every load");
    assert.match(text, /^alloy_config_last_load_successful 0$/m);
    assert.match(text, /^alloy_config_load_failures_total 1$/m);
  });
});
