// /-/support: the zip Alloy's support bundle holds, built from a live app on the runtime under test.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { unzipSync, strFromU8 } from "fflate";
import { Gauge, MetricsRegistry } from "../../src/runtime/metrics/registry.ts";
import { platform } from "../../src/platform/mod.ts";
import { LogController } from "../../src/runtime/logging/logger.ts";
import { createHttpApp } from "../../src/service/http/app.ts";
import type { Hono } from "hono";
import { SUPPORT_BUNDLE_DISABLED, type SupportBundleOptions } from "../../src/service/http/support-bundle.ts";

function setup(withBundle: boolean) {
  const logs = new LogController({ write: () => {} });
  const logger = logs.logger();
  const metrics = new MetricsRegistry();
  const gauge = new Gauge({ name: "alloy_test_gauge", help: "Test." });
  gauge.set(7);
  metrics.register(gauge);
  let app!: Hono;
  const bundle: SupportBundleOptions = {
    platform: platform(),
    version: "0.1.0",
    fetchLocal: (path) => Promise.resolve(app.request(path)),
    sources: () => new Map([["/etc/alloy/main.alloy", 'remote.http "x" {\n  password = (secret)\n}\n'], ["/other/dir/main.alloy", "b = 2\n"]]),
    runtimeFlags: ["server.http.listen-addr=127.0.0.1:12345", "storage.path=data-alloy/"],
    captureLogs: () => logs.capture(),
  };
  app = createHttpApp({
    host: { listComponents: () => [], componentExists: () => false, componentHandler: () => undefined },
    metrics,
    logger,
    ready: () => true,
    reload: async () => {},
    basicAuth: () => undefined,
    serviceRoutes: [
      {
        base: "/api/v0/web/",
        handler: (request) =>
          new URL(request.url).pathname.endsWith("/peers") ? Response.json([]) : Response.json([{ localID: "local.file.a" }]),
      },
    ],
    ...(withBundle ? { supportBundle: bundle } : {}),
  });
  return { app, logger };
}

describe("/-/support", () => {
  it("is refused with 403 when disabled", async () => {
    const response = await setup(false).app.request("/-/support");
    assert.equal(response.status, 403);
    assert.equal(await response.text(), SUPPORT_BUNDLE_DISABLED);
  });

  it("checks the duration with Alloy's messages", async () => {
    const { app } = setup(true);
    for (const [query, message] of [
      ["abc", 'duration value (in seconds) should be a positive integer: strconv.Atoi: parsing "abc": invalid syntax'],
      ["0", "duration value (in seconds) should be larger than 1"],
      ["31", "duration value exceeds the server's write timeout"],
    ]) {
      const response = await app.request(`/-/support?duration=${query}`);
      assert.deepEqual([response.status, await response.text()], [400, `${message}\n`]);
    }
  });

  it("bundles metadata, components, peers, metrics, flags, environment, logs, profiles and sources", async () => {
    const { app, logger } = setup(true);
    const pending = app.request("/-/support?duration=1");
    await new Promise((resolve) => setTimeout(resolve, 100));
    logger.info("something happened during the window");
    const response = await pending;
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/zip");
    assert.equal(response.headers.get("content-disposition"), 'attachment; filename="alloy-support-bundle.zip"');
    const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
    const text = (name: string) => strFromU8(files[`alloy-support-bundle/${name}`]!);
    assert.deepEqual(Object.keys(files).sort(), [
      "alloy-components.json", "alloy-environment.txt", "alloy-logs.txt", "alloy-metadata.yaml",
      "alloy-metrics-sample-end.txt", "alloy-metrics-sample-start.txt", "alloy-peers.json", "alloy-runtime-flags.txt",
      "pprof/cpu.pprof", "pprof/heap.heapsnapshot", "sources/main.alloy",
    ].map((name) => `alloy-support-bundle/${name}`));
    assert.match(text("alloy-metadata.yaml"), /^build_version: v0\.1\.0$/m);
    assert.match(text("alloy-metadata.yaml"), /^uptime: \d+/m);
    assert.deepEqual(JSON.parse(text("alloy-components.json")), [{ localID: "local.file.a" }]);
    assert.equal(text("alloy-peers.json"), "[]");
    assert.match(text("alloy-metrics-sample-start.txt"), /^alloy_test_gauge 7$/m);
    assert.match(text("alloy-metrics-sample-end.txt"), /^alloy_test_gauge 7$/m);
    assert.equal(text("alloy-runtime-flags.txt"), "server.http.listen-addr=127.0.0.1:12345\nstorage.path=data-alloy/\n");
    assert.match(text("alloy-environment.txt"), /^GOGC=$/m);
    assert.match(text("alloy-environment.txt"), /^PPROF_MUTEX_PROFILING_PERCENT=$/m);
    assert.match(text("alloy-logs.txt"), /msg="something happened during the window"/);
    // Basename collisions: the last source of a name wins, as in Alloy.
    assert.equal(text("sources/main.alloy"), "b = 2\n");
    assert.ok(files["alloy-support-bundle/pprof/cpu.pprof"]!.length > 10);
    assert.ok(JSON.parse(text("pprof/heap.heapsnapshot")).snapshot);
  });
});
