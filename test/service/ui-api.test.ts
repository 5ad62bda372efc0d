// The UI's API against a fake host, through the service's web-standard handler: Alloy's paths,
// status codes, bodies and JSON, compression, and the two streams read with bounded waits.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { LogController } from "../../src/runtime/logging/logger.ts";
import { parseGoFloat } from "../../src/service/ui/api.ts";
import type { UiComponentSource, UiHost } from "../../src/service/ui/host.ts";
import { goTime } from "../../src/service/ui/json.ts";
import { UiService } from "../../src/service/ui/service.ts";
import { fakeUiHost } from "./ui-fake-host.ts";

const services: UiService[] = [];
after(() => {
  for (const s of services) s.close();
});

function service(host: UiHost, prefix = "/", logger?: LogController) {
  const ui = new UiService({ host, prefix, debugFlushMs: 20, graphSecondMs: 25, ...(logger ? { logger: logger.logger() } : {}) });
  services.push(ui);
  return ui;
}

const get = (ui: UiService, path: string, headers: Record<string, string> = {}, init: RequestInit = {}) =>
  ui.handler(new Request(`http://alloy.test${path}`, { headers, ...init }));

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Reads a streamed body until `done(text)` holds or the time runs out, then cancels it. */
async function readUntil(response: Response, done: (text: string) => boolean, timeoutMs = 3000): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Date.now() + timeoutMs;
  try {
    while (!done(text)) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out; read so far: ${JSON.stringify(text)}`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const result = await Promise.race([
        reader.read(),
        new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), remaining))),
      ]);
      clearTimeout(timer);
      if (result === "timeout") continue;
      if (result.done) break;
      text += decoder.decode(result.value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return text;
}

async function decompress(response: Response, format: "gzip" | "deflate"): Promise<string> {
  const stream = response.body!.pipeThrough(new DecompressionStream(format) as unknown as TransformStream<Uint8Array, Uint8Array>);
  return new Response(stream).text();
}

describe("ui api: components", () => {
  const fake = fakeUiHost();
  const ui = service(fake.host);

  it("lists the root module's components as Alloy's Info JSON, health only", async () => {
    const response = await get(ui, "/api/v0/web/components");
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/plain; charset=utf-8");
    const text = await response.text();
    const list = JSON.parse(text) as { localID: string }[];
    assert.deepEqual(
      list.map((c) => c.localID),
      [
        "discovery.kubernetes.pods",
        "discovery.relabel.pods",
        "prometheus.scrape.pods",
        "prometheus.remote_write.default",
        "loki.source.file.logs",
        "loki.process.default",
        "loki.write.default",
        "prometheus.exporter.unix.node",
        "pipeline.default",
      ],
    );
    // Field order, `[]` for nil lists and bodies, Go's time format: byte for byte.
    assert.ok(
      text.startsWith(
        '[{"name":"discovery.kubernetes","type":"block","localID":"discovery.kubernetes.pods","moduleID":"","label":"pods",' +
          '"referencesTo":[],"referencedBy":["discovery.relabel.pods"],"dataFlowEdgesTo":["discovery.relabel.pods"],' +
          '"health":{"state":"healthy","message":"started component","updatedTime":"2026-05-06T07:08:09.12Z"},' +
          '"original":"","arguments":[],"exports":[],"debugInfo":[],"liveDebuggingEnabled":true},',
      ),
      text.slice(0, 600),
    );
    assert.ok(
      text.includes(
        '{"name":"prometheus.exporter.unix","type":"block","localID":"prometheus.exporter.unix.node","moduleID":"","label":"node",' +
          '"referencesTo":[],"referencedBy":[],"dataFlowEdgesTo":[],"health":{"state":"unknown","message":"","updatedTime":"0001-01-01T00:00:00Z"},' +
          '"original":"","arguments":[],"exports":[],"debugInfo":[],"liveDebuggingEnabled":false}',
      ),
    );
    assert.ok(text.includes('"createdModuleIDs":["pipeline.default"],"liveDebuggingEnabled":false}'));
  });

  it("lists a module's components, and answers 500 for an unknown module", async () => {
    const response = await get(ui, "/api/v0/web/modules/pipeline.default/components");
    assert.equal(response.status, 200);
    const list = (await response.json()) as { localID: string; moduleID: string }[];
    assert.deepEqual(list.map((c) => `${c.moduleID}/${c.localID}`), ["pipeline.default/local.file.token", "pipeline.default/remote.http.config"]);

    const missing = await get(ui, "/api/v0/web/modules/module.file.nope/components");
    assert.equal(missing.status, 500);
    assert.equal(await missing.text(), "module not found\n");
    assert.equal(missing.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(missing.headers.get("x-content-type-options"), "nosniff");
  });

  it("answers an empty module with []", async () => {
    const empty = service({ listComponents: () => [], getComponent: () => undefined });
    assert.equal(await (await get(empty, "/api/v0/web/components")).text(), "[]");
  });

  it("gives one component with arguments, exports and debug info; secrets stay capsules", async () => {
    const response = await get(ui, "/api/v0/web/components/prometheus.remote_write.default");
    assert.equal(response.status, 200);
    const info = (await response.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(info), [
      "name", "type", "localID", "moduleID", "label", "referencesTo", "referencedBy", "dataFlowEdgesTo",
      "health", "original", "arguments", "exports", "debugInfo", "liveDebuggingEnabled",
    ]);
    assert.deepEqual(info.health, {
      state: "unhealthy",
      message: "server returned HTTP status 401 Unauthorized: invalid credentials",
      updatedTime: "2026-05-06T07:08:09.12Z",
    });
    const text = JSON.stringify(info.arguments);
    assert.ok(text.includes('{"name":"password","type":"attr","value":{"type":"capsule","value":"(secret)"}}'), text);
    assert.deepEqual(info.exports, [{ name: "receiver", type: "attr", value: { type: "capsule", value: "prometheus.Appendable" } }]);

    const scrape = (await (await get(ui, "/api/v0/web/components/prometheus.scrape.pods")).json()) as { debugInfo: unknown[] };
    assert.equal(scrape.debugInfo.length, 1);
  });

  it("finds module components by global id, percent-encoded or not", async () => {
    for (const path of ["pipeline.default/local.file.token", "pipeline.default%2Flocal.file.token"]) {
      const response = await get(ui, `/api/v0/web/components/${path}`);
      assert.equal(response.status, 200, path);
      const info = (await response.json()) as { moduleID: string; exports: unknown };
      assert.equal(info.moduleID, "pipeline.default");
      assert.deepEqual(info.exports, [{ name: "content", type: "attr", value: { type: "capsule", value: "(secret)" } }]);
    }
  });

  it("answers 404 page not found for an unknown component", async () => {
    const response = await get(ui, "/api/v0/web/components/prometheus.scrape.nope");
    assert.equal(response.status, 404);
    assert.equal(await response.text(), "404 page not found\n");
  });

  it("accepts any method, as Alloy's routes have none", async () => {
    const response = await get(ui, "/api/v0/web/components", {}, { method: "POST", body: "x" });
    assert.equal(response.status, 200);
  });

  it("inserts pre-encoded alloyjson bodies as they are", async () => {
    const host: UiHost = {
      listComponents: () => [],
      getComponent: () => ({
        name: "local.file",
        localID: "local.file.x",
        moduleID: "",
        health: { state: "healthy", updatedTime: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 0)) },
        arguments: '[{"name":"filename","type":"attr","value":{"type":"string","value":"/a\\u003cb"}}]',
      }),
    };
    const text = await (await get(service(host), "/api/v0/web/components/local.file.x")).text();
    assert.ok(text.includes('"arguments":[{"name":"filename","type":"attr","value":{"type":"string","value":"/a\\u003cb"}}],"exports":[]'), text);
    assert.ok(text.includes('"updatedTime":"2024-01-02T03:04:05Z"'));
  });

  it("escapes strings as Go does", async () => {
    const host: UiHost = {
      listComponents: () => [{ name: "x", localID: "x.<a&b>", moduleID: "", health: { state: "unhealthy", message: 'bad "<thing>" \u2028' } }],
      getComponent: () => undefined,
    };
    const text = await (await get(service(host), "/api/v0/web/components")).text();
    assert.ok(text.includes('"localID":"x.\\u003ca\\u0026b\\u003e"'), text);
    assert.ok(text.includes('"message":"bad \\"\\u003cthing\\u003e\\" \\u2028"'), text);
  });

  it("reports a host error as a 500 with its message", async () => {
    const host: UiHost = {
      listComponents: () => {
        throw new Error("controller is not running");
      },
      getComponent: () => undefined,
    };
    const response = await get(service(host), "/api/v0/web/components");
    assert.equal(response.status, 500);
    assert.equal(await response.text(), "controller is not running\n");
  });
});

describe("ui api: compression", () => {
  const ui = service(fakeUiHost().host);
  const plain = async () => (await get(ui, "/api/v0/web/components")).text();

  it("gzips when the client lists gzip", async () => {
    const response = await get(ui, "/api/v0/web/components", { "accept-encoding": "gzip" });
    assert.equal(response.headers.get("content-encoding"), "gzip");
    assert.equal(await decompress(response, "gzip"), await plain());
  });

  it("uses zlib for deflate, and the first of the two the client lists", async () => {
    const response = await get(ui, "/api/v0/web/components", { "accept-encoding": "br, deflate, gzip" });
    assert.equal(response.headers.get("content-encoding"), "deflate");
    assert.equal(await decompress(response, "deflate"), await plain());
  });

  it("matches tokens exactly, as Prometheus's handler does", async () => {
    const response = await get(ui, "/api/v0/web/components", { "accept-encoding": "gzip;q=1.0, br" });
    assert.equal(response.headers.get("content-encoding"), null);
    assert.equal(await response.text(), await plain());
  });

  it("compresses errors too", async () => {
    const response = await get(ui, "/api/v0/web/components/nope", { "accept-encoding": "gzip" });
    assert.equal(response.status, 404);
    assert.equal(await decompress(response, "gzip"), "404 page not found\n");
  });

  it("never compresses the streams", async () => {
    const response = await get(ui, "/api/v0/web/graph?window=1", { "accept-encoding": "gzip" });
    assert.equal(response.headers.get("content-encoding"), null);
    await response.body!.cancel();
  });
});

describe("ui api: peers and remotecfg", () => {
  it("lists the sharder's peers, without viewers", async () => {
    const ui = service(fakeUiHost().host);
    const response = await get(ui, "/api/v0/web/peers");
    assert.equal(response.status, 200);
    assert.equal(
      await response.text(),
      '[{"name":"alloy-0","addr":"10.0.0.10:12345","isSelf":true,"state":"participant"},' +
        '{"name":"alloy-1","addr":"10.0.0.11:12345","isSelf":false,"state":"participant"},' +
        '{"name":"alloy-2","addr":"10.0.0.12:12345","isSelf":false,"state":"terminating"}]',
    );
  });

  it("answers 500 when there is no cluster service", async () => {
    for (const host of [
      { listComponents: () => [], getComponent: () => undefined },
      { listComponents: () => [], getComponent: () => undefined, peers: () => undefined },
    ] as UiHost[]) {
      const response = await get(service(host), "/api/v0/web/peers");
      assert.equal(response.status, 500);
      assert.equal(await response.text(), "cluster service not running\n");
    }
  });

  it("serves the remote configuration's components, or Alloy's errors when there is none", async () => {
    const none = service({ listComponents: () => [], getComponent: () => undefined });
    for (const path of ["remotecfg/components", "remotecfg/modules/x/components", "remotecfg/components/x", "debug/remotecfg/x", "graph/remotecfg/x"]) {
      const response = await get(none, `/api/v0/web/${path}`);
      assert.equal(response.status, 500, path);
      assert.equal(await response.text(), "remote config service not available\n", path);
    }
    const starting = service({
      listComponents: () => [],
      getComponent: () => undefined,
      remoteConfig: () => {
        throw new Error("remote config service startup in progress");
      },
    });
    assert.equal(await (await get(starting, "/api/v0/web/remotecfg/components")).text(), "remote config service startup in progress\n");

    const remote: UiComponentSource = {
      listComponents: (m) => (m === "" ? [{ name: "prometheus.scrape", localID: "prometheus.scrape.r", moduleID: "remotecfg", health: { state: "healthy" } }] : undefined),
      getComponent: (id) => (id === "remotecfg/prometheus.scrape.r" ? { name: "prometheus.scrape", localID: "prometheus.scrape.r", moduleID: "remotecfg", health: { state: "healthy" } } : undefined),
    };
    const ui = service({ ...fakeUiHost().host, remoteConfig: () => remote });
    const list = (await (await get(ui, "/api/v0/web/remotecfg/components")).json()) as { localID: string }[];
    assert.deepEqual(list.map((c) => c.localID), ["prometheus.scrape.r"]);
    assert.equal((await get(ui, "/api/v0/web/remotecfg/components/remotecfg/prometheus.scrape.r")).status, 200);
    assert.equal((await get(ui, "/api/v0/web/remotecfg/components/prometheus.scrape.r")).status, 404);
    const missing = await get(ui, "/api/v0/web/remotecfg/modules/x/components");
    assert.equal(await missing.text(), "module not found\n");
  });
});

describe("ui api: live debugging stream", () => {
  it("streams each item followed by |;|", async () => {
    const fake = fakeUiHost();
    const ui = service(fake.host);
    const response = await get(ui, "/api/v0/web/debug/prometheus.scrape.pods");
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-encoding"), null);
    assert.equal(fake.subscribers.get("prometheus.scrape.pods")?.size, 1);
    let computed = 0;
    fake.emit("prometheus.scrape.pods", { text: "sample a" });
    fake.emit("prometheus.scrape.pods", { dataFunc: () => `sample b ${++computed}` });
    const text = await readUntil(response, (t) => t.endsWith("sample b 1|;|"));
    assert.equal(text, "sample a|;|sample b 1|;|");
    // Cancelling the body ends the subscription.
    await sleep(10);
    assert.equal(fake.subscribers.get("prometheus.scrape.pods")?.size, 0);
  });

  it("streams module components by global id", async () => {
    const fake = fakeUiHost();
    fake.components.get("pipeline.default/local.file.token")!.liveDebuggingEnabled = true;
    const response = await get(service(fake.host), "/api/v0/web/debug/pipeline.default/local.file.token");
    assert.equal(response.status, 200);
    fake.emit("pipeline.default/local.file.token", { text: "x" });
    assert.equal(await readUntil(response, (t) => t.includes("x|;|")), "x|;|");
  });

  it("ends the subscription when the request is aborted or the service closes", async () => {
    const fake = fakeUiHost();
    const ui = service(fake.host);
    const controller = new AbortController();
    const response = await ui.handler(new Request("http://alloy.test/api/v0/web/debug/prometheus.scrape.pods", { signal: controller.signal }));
    assert.equal(fake.subscribers.get("prometheus.scrape.pods")?.size, 1);
    controller.abort();
    assert.equal(fake.subscribers.get("prometheus.scrape.pods")?.size, 0);
    await response.body?.cancel().catch(() => {});

    const second = await get(ui, "/api/v0/web/debug/prometheus.scrape.pods");
    assert.equal(fake.subscribers.get("prometheus.scrape.pods")?.size, 1);
    ui.close();
    assert.equal(fake.subscribers.get("prometheus.scrape.pods")?.size, 0);
    assert.equal(await second.text(), "");
  });

  it("answers Alloy's errors", async () => {
    const fake = fakeUiHost();
    const ui = service(fake.host);
    const check = async (path: string, status: number, body: string) => {
      const response = await get(ui, `/api/v0/web/debug/${path}`);
      assert.equal(response.status, status, path);
      assert.equal(await response.text(), body, path);
    };
    await check("prometheus.scrape.nope", 500, "component not found\n");
    await check("prometheus.remote_write.default", 500, 'the component "prometheus.remote_write" does not support live debugging\n');
    // An invalid probability is a 400 that goes on streaming (Alloy's quirk), here followed by the next error.
    await check("prometheus.remote_write.default?sampleProb=2", 400, 'Invalid sample probability\nthe component "prometheus.remote_write" does not support live debugging\n');
    fake.liveDebuggingEnabled = false;
    await check("prometheus.scrape.pods", 500, "the live debugging service is disabled. Check the documentation to find out how to enable it\n");
    const without = service({ listComponents: () => [], getComponent: () => undefined });
    const response = await get(without, "/api/v0/web/debug/x");
    assert.equal(await response.text(), "the live debugging service is disabled. Check the documentation to find out how to enable it\n");
  });

  it("reports a subscription failure as a 500", async () => {
    const fake = fakeUiHost();
    fake.host.liveDebugging!.subscribe = () => {
      throw new Error("the live debugging service is not ready yet");
    };
    const response = await get(service(fake.host), "/api/v0/web/debug/prometheus.scrape.pods");
    assert.equal(response.status, 500);
    assert.equal(await response.text(), "the live debugging service is not ready yet\n");
  });

  it("keeps streaming with probability 1 after a 400 for an invalid sampleProb", async () => {
    const fake = fakeUiHost();
    const response = await get(service(fake.host), "/api/v0/web/debug/prometheus.scrape.pods?sampleProb=abc");
    assert.equal(response.status, 400);
    fake.emit("prometheus.scrape.pods", { text: "kept" });
    assert.equal(await readUntil(response, (t) => t.includes("kept|;|")), "Invalid sample probability\nkept|;|");
  });

  it("samples: probability 0 drops everything", async () => {
    const fake = fakeUiHost();
    const response = await get(service(fake.host), "/api/v0/web/debug/prometheus.scrape.pods?sampleProb=0");
    assert.equal(response.status, 200);
    let computed = 0;
    for (let i = 0; i < 100; i++) fake.emit("prometheus.scrape.pods", { dataFunc: () => String(++computed) });
    await sleep(60);
    assert.equal(computed, 0, "dropped data is never computed");
    await response.body!.cancel();
  });

  it("holds at most 1000 items for a client that does not read, and says so once", async () => {
    const lines: string[] = [];
    const logs = new LogController({ write: (line) => lines.push(line) });
    const fake = fakeUiHost();
    const response = await get(service(fake.host, "/", logs), "/api/v0/web/debug/prometheus.scrape.pods");
    const line = "x".repeat(200);
    for (let i = 0; i < 20000; i++) fake.emit("prometheus.scrape.pods", { text: line });
    const warnings = lines.filter((l) => l.includes("data throughput is very high"));
    assert.equal(warnings.length, 1, lines.join("\n"));
    const text = await readUntil(response, (t) => t.length >= 1000 * 203, 3000);
    assert.ok(text.length < 20000 * 203, "data beyond the backlog was dropped");
  });

  it("parses sampleProb as Go's ParseFloat does", () => {
    assert.equal(parseGoFloat("0.5"), 0.5);
    assert.equal(parseGoFloat("1e-1"), 0.1);
    assert.equal(parseGoFloat(".5"), 0.5);
    assert.equal(parseGoFloat("1."), 1);
    assert.ok(Number.isNaN(parseGoFloat("NaN")!));
    assert.equal(parseGoFloat("+Inf"), Infinity);
    for (const bad of ["", " 1", "0x1", "1_0", "abc", "1e", "."]) assert.equal(parseGoFloat(bad), undefined, bad);
  });
});

describe("ui api: graph stream", () => {
  it("writes the window's rates per component and type every window", async () => {
    const fake = fakeUiHost();
    const response = await get(service(fake.host), "/api/v0/web/graph?window=2");
    assert.equal(response.status, 200);
    // Only components that support live debugging are subscribed.
    assert.deepEqual([...fake.subscribers.keys()].sort(), ["discovery.kubernetes.pods", "discovery.relabel.pods", "loki.process.default", "prometheus.scrape.pods"]);
    fake.emit("prometheus.scrape.pods", { type: "prometheus_metric", count: 30, dataFunc: () => assert.fail("not computed for the graph") });
    fake.emit("prometheus.scrape.pods", { type: "prometheus_metric", count: 10 });
    fake.emit("loki.process.default", { type: "loki_log", count: 5, targetComponentIDs: ["loki.write.default"] });
    const text = await readUntil(response, (t) => t.includes("|;|"));
    const [first] = text.split("|;|");
    assert.equal(
      first,
      '[{"componentID":"prometheus.scrape.pods","targetComponentIDs":null,"type":"prometheus_metric","rate":20},' +
        '{"componentID":"loki.process.default","targetComponentIDs":["loki.write.default"],"type":"loki_log","rate":2.5}]',
    );
    await sleep(10);
    assert.equal(fake.subscribers.get("prometheus.scrape.pods")?.size, 0, "unsubscribed when the client goes");
  });

  it("writes [] for a quiet window, and resets counts each window", async () => {
    const fake = fakeUiHost();
    const response = await get(service(fake.host), "/api/v0/web/graph?window=1");
    fake.emit("discovery.kubernetes.pods", { type: "target", count: 3 });
    const text = await readUntil(response, (t) => t.split("|;|").length >= 3);
    const items = text.split("|;|");
    assert.equal(items[0], '[{"componentID":"discovery.kubernetes.pods","targetComponentIDs":null,"type":"target","rate":3}]');
    assert.equal(items[1], "[]");
  });

  it("streams a module's graph, and answers 500 for an unknown module", async () => {
    const fake = fakeUiHost();
    const ui = service(fake.host);
    const response = await get(ui, "/api/v0/web/graph/pipeline.default?window=1");
    assert.equal(response.status, 200);
    assert.equal(await readUntil(response, (t) => t.includes("|;|")), "[]|;|");
    const missing = await get(ui, "/api/v0/web/graph/nope");
    assert.equal(missing.status, 500);
    assert.equal(await missing.text(), "module not found\n");
  });

  it("answers 400 for an invalid window and goes on with 5 seconds", async () => {
    const fake = fakeUiHost();
    const ui = service(fake.host);
    for (const window of ["0", "61", "1.5", "x"]) {
      const response = await get(ui, `/api/v0/web/graph?window=${window}`);
      assert.equal(response.status, 400, window);
      const text = await readUntil(response, (t) => t.includes("|;|"), 2000);
      assert.equal(text, "Invalid window: must be an integer between 1 and 60\n[]|;|", window);
    }
  });

  it("streams empty windows when there is no live-debugging service", async () => {
    const host: UiHost = { listComponents: () => [], getComponent: () => undefined };
    const response = await get(service(host), "/api/v0/web/graph?window=1");
    assert.equal(await readUntil(response, (t) => t.includes("|;|")), "[]|;|");
  });
});

describe("ui api: Go's time format", () => {
  it("trims trailing zeros of the fraction, and writes the zero time for none", () => {
    assert.equal(goTime(new Date("2024-01-02T03:04:05.000Z")), "2024-01-02T03:04:05Z");
    assert.equal(goTime(new Date("2024-01-02T03:04:05.100Z")), "2024-01-02T03:04:05.1Z");
    assert.equal(goTime(new Date("2024-01-02T03:04:05.123Z")), "2024-01-02T03:04:05.123Z");
    assert.equal(goTime(undefined), "0001-01-01T00:00:00Z");
    assert.equal(goTime(new Date(NaN)), "0001-01-01T00:00:00Z");
  });
});

describe("ui api: streams on a real socket", () => {
  it("ends the subscription when the client goes away", async () => {
    const { platform } = await import("../../src/platform/mod.ts");
    const fake = fakeUiHost();
    const ui = service(fake.host);
    const server = await platform().serve({ hostname: "127.0.0.1", port: 0, fetch: (request) => ui.handler(request) });
    try {
      const controller = new AbortController();
      const response = await fetch(`http://127.0.0.1:${server.port}/api/v0/web/debug/prometheus.scrape.pods`, { signal: controller.signal });
      assert.equal(response.status, 200);
      assert.equal(fake.subscribers.get("prometheus.scrape.pods")?.size, 1);
      const reader = response.body!.getReader();
      fake.emit("prometheus.scrape.pods", { text: "over the wire" });
      const { value } = await reader.read();
      assert.equal(new TextDecoder().decode(value), "over the wire|;|");
      controller.abort();
      await reader.cancel().catch(() => {});
      const deadline = Date.now() + 3000;
      // The server notices the closed connection on its next write at the latest.
      while (fake.subscribers.get("prometheus.scrape.pods")!.size > 0 && Date.now() < deadline) {
        fake.emit("prometheus.scrape.pods", { text: "x".repeat(5000) });
        await sleep(25);
      }
      assert.equal(fake.subscribers.get("prometheus.scrape.pods")!.size, 0);
    } finally {
      ui.close();
      await server.close(100);
    }
  });
});
