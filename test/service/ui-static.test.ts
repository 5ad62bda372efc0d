// The UI's files and prefix handling, as Alloy's internal/web/ui/ui.go serves them, and the UI
// mounted on the HTTP service's app.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LogController } from "../../src/runtime/logging/logger.ts";
import { MetricsRegistry } from "../../src/runtime/metrics/registry.ts";
import { createHttpApp } from "../../src/service/http/app.ts";
import { UI_ASSETS } from "../../src/service/ui/assets.generated.ts";
import { UiService, normalizePrefix } from "../../src/service/ui/service.ts";
import { fakeUiHost } from "./ui-fake-host.ts";

const request = (ui: UiService, path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
  ui.handler(new Request(`http://alloy.test${path}`, init));

const script = UI_ASSETS.find((a) => a.path.endsWith(".js"))!;
const style = UI_ASSETS.find((a) => a.path.endsWith(".css"))!;

describe("ui static files", () => {
  it("normalises the prefix to start and end with /", () => {
    assert.equal(normalizePrefix(undefined), "/");
    assert.equal(normalizePrefix("/"), "/");
    assert.equal(normalizePrefix("/ui"), "/ui/");
    assert.equal(normalizePrefix("ui/"), "/ui/");
    assert.equal(new UiService({ host: fakeUiHost().host, prefix: "/a/b" }).route.base, "/a/b/");
  });

  it("serves index.html at the root prefix with <base href=\"/\">", async () => {
    const ui = new UiService({ host: fakeUiHost().host });
    const response = await request(ui, "/");
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(response.headers.get("cache-control"), "no-cache");
    const html = await response.text();
    assert.ok(html.includes('<base href="/" />'), html);
    assert.ok(!html.includes("{{!"));
    assert.ok(html.includes(script.path.slice(1)) && html.includes(style.path.slice(1)));
  });

  it("substitutes the prefix into every file and serves the single-page app's routes with index.html", async () => {
    const ui = new UiService({ host: fakeUiHost().host, prefix: "/alloy/ui" });
    for (const path of ["/alloy/ui/", "/alloy/ui/component/prometheus.scrape.pods", "/alloy/ui/graph/pipeline.default", "/alloy/ui/no/such/page", "/alloy/ui/assets/app.missing.js"]) {
      const response = await request(ui, path);
      assert.equal(response.status, 200, path);
      assert.ok((await response.text()).includes('<base href="/alloy/ui/" />'), path);
    }
  });

  it("redirects the prefix without its slash, as Go's http.Redirect does", async () => {
    const ui = new UiService({ host: fakeUiHost().host, prefix: "/alloy/ui/" });
    const response = await request(ui, "/alloy/ui");
    assert.equal(response.status, 302);
    assert.equal(response.headers.get("location"), "/alloy/ui/");
    assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(await response.text(), '<a href="/alloy/ui/">Found</a>.\n\n');
    const post = await request(ui, "/alloy/ui", { method: "POST" });
    assert.equal(post.status, 302);
    assert.equal(await post.text(), "");
  });

  it("answers 404 page not found outside the prefix", async () => {
    const ui = new UiService({ host: fakeUiHost().host, prefix: "/alloy/ui/" });
    for (const path of ["/", "/api/v0/web/components", "/alloy/uix", "/alloy"]) {
      const response = await request(ui, path);
      assert.equal(response.status, 404, path);
      assert.equal(await response.text(), "404 page not found\n");
    }
  });

  it("moves the API with the prefix", async () => {
    const ui = new UiService({ host: fakeUiHost().host, prefix: "/alloy/ui/" });
    const response = await request(ui, "/alloy/ui/api/v0/web/components");
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as unknown[]).length, 9);
    // A path below the API base that no route takes gets the single-page app, as in Alloy.
    const other = await request(ui, "/alloy/ui/api/v0/web/nothing");
    assert.equal(other.status, 200);
    assert.ok((await other.text()).startsWith("<!doctype html>"));
  });

  it("serves assets with their type, long caching for hashed names, and ETags", async () => {
    const ui = new UiService({ host: fakeUiHost().host, prefix: "/ui/" });
    const js = await request(ui, `/ui${script.path}`);
    assert.equal(js.status, 200);
    assert.equal(js.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.equal(js.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.equal(await js.text(), script.body);
    const css = await request(ui, `/ui${style.path}`);
    assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");
    const icon = await request(ui, "/ui/favicon.svg");
    assert.equal(icon.headers.get("content-type"), "image/svg+xml");

    const etag = js.headers.get("etag")!;
    assert.match(etag, /^"[0-9a-f]+"$/);
    const cached = await request(ui, `/ui${script.path}`, { headers: { "if-none-match": etag } });
    assert.equal(cached.status, 304);
    assert.equal(await cached.text(), "");
    const changed = await request(ui, `/ui${script.path}`, { headers: { "if-none-match": '"other"' } });
    assert.equal(changed.status, 200);
  });

  it("gives index.html a different ETag under a different prefix", async () => {
    const a = await request(new UiService({ host: fakeUiHost().host, prefix: "/a/" }), "/a/");
    const b = await request(new UiService({ host: fakeUiHost().host, prefix: "/b/" }), "/b/");
    assert.notEqual(a.headers.get("etag"), b.headers.get("etag"));
  });

  it("redirects /index.html to ./ as Go's FileServer does", async () => {
    const ui = new UiService({ host: fakeUiHost().host, prefix: "/ui/" });
    const response = await request(ui, "/ui/index.html?x=1");
    assert.equal(response.status, 301);
    assert.equal(response.headers.get("location"), "./?x=1");
  });

  it("compresses assets when asked, and answers HEAD without a body", async () => {
    const ui = new UiService({ host: fakeUiHost().host });
    const gz = await request(ui, script.path, { headers: { "accept-encoding": "gzip, deflate, br" } });
    assert.equal(gz.headers.get("content-encoding"), "gzip");
    assert.equal(gz.headers.get("vary"), "Accept-Encoding");
    const body = gz.body!.pipeThrough(new DecompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>);
    assert.equal(await new Response(body).text(), script.body);
    assert.ok(Number(gz.headers.get("content-length")) < script.body.length);

    const head = await request(ui, script.path, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), String(new TextEncoder().encode(script.body).length));
    assert.equal(await head.text(), "");
  });

  it("rejects a set of assets without index.html", () => {
    assert.throws(() => new UiService({ host: fakeUiHost().host, assets: [] }), /index\.html/);
  });
});

describe("ui service mounted on the HTTP app", () => {
  const logger = new LogController({ write: () => {} }).logger();
  const httpApp = (ui: UiService) =>
    createHttpApp({
      host: { listComponents: () => [], componentExists: () => false, componentHandler: () => undefined },
      metrics: new MetricsRegistry(),
      logger,
      ready: () => true,
      reload: async () => {},
      basicAuth: () => undefined,
      serviceRoutes: [ui.route],
    });

  it("at /, catches every path the agent has no route for (Alloy's single-page fallback)", async () => {
    const app = httpApp(new UiService({ host: fakeUiHost().host }));
    assert.equal(await (await app.request("/-/ready")).text(), "Alloy is ready.\n");
    const list = await app.request("/api/v0/web/components");
    assert.equal(list.status, 200);
    assert.equal(((await list.json()) as unknown[]).length, 9);
    const spa = await app.request("/some/page");
    assert.equal(spa.status, 200);
    assert.ok((await spa.text()).includes('<base href="/" />'));
  });

  it("under a prefix, redirects the bare prefix and leaves other paths to the app's 404", async () => {
    const app = httpApp(new UiService({ host: fakeUiHost().host, prefix: "/ui" }));
    const bare = await app.request("/ui");
    assert.equal(bare.status, 302);
    assert.equal(bare.headers.get("location"), "/ui/");
    assert.equal((await app.request("/ui/")).status, 200);
    assert.equal((await app.request("/ui/api/v0/web/peers")).status, 200);
    const other = await app.request("/some/page");
    assert.equal(other.status, 404);
    assert.equal(await other.text(), "404 page not found\n");
  });
});
