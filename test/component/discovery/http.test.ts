// discovery.http against a loopback server: targets with __meta_url, Prometheus's request headers,
// groups that change and disappear, the last good targets through failed refreshes (status, content
// type, JSON), the HTTP client's authentication, and Alloy's validation.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { platform } from "../../../src/platform/mod.ts";
import { formatMetricsText } from "../../../src/runtime/index.ts";
import { makeTestCertificates } from "../../helpers/tls.ts";
import { makeTempDir } from "../../helpers/tmp.ts";
import { eventually, newRuntime, startServer, targetsOf } from "./helpers.ts";

const dir = makeTempDir("alloy-ts-discovery-http-");
after(() => dir.cleanup());

/** A server whose answer the test sets: status, content type and body. */
async function sdServer() {
  const reply = { status: 200, contentType: "application/json", body: "[]" };
  const server = await startServer((_req, _body, res) => {
    res.statusCode = reply.status;
    res.setHeader("Content-Type", reply.contentType);
    res.end(reply.body);
  });
  return { server, reply };
}

describe("discovery.http", () => {
  it("exports the targets of the response with __meta_url and sends Prometheus's headers", async () => {
    const { server, reply } = await sdServer();
    reply.body = JSON.stringify([
      { targets: ["10.0.0.1:9100", "10.0.0.2:9100"], labels: { env: "prod", __meta_url: "ignored" } },
      { targets: ["10.0.0.3:9100"] },
    ]);
    const runtime = newRuntime(`${dir.path}/basic`);
    try {
      const url = `${server.url}/sd?x=1`;
      const loaded = await runtime.load({ "c.alloy": `discovery.http "t" {\n  url = "${url}"\n  refresh_interval = "1500ms"\n}\n` });
      assert.ok(loaded.ok, loaded.error);
      runtime.start();
      await eventually(() => assert.equal(targetsOf(runtime, "discovery.http.t").length, 3));
      assert.deepEqual(targetsOf(runtime, "discovery.http.t"), [
        { __address__: "10.0.0.1:9100", __meta_url: url, env: "prod" },
        { __address__: "10.0.0.2:9100", __meta_url: url, env: "prod" },
        { __address__: "10.0.0.3:9100", __meta_url: url },
      ]);
      const request = server.requests[0]!;
      assert.equal(request.url, "/sd?x=1");
      assert.match(String(request.headers["user-agent"]), /^Prometheus\/v\d/);
      assert.equal(request.headers.accept, "application/json");
      assert.equal(request.headers["x-prometheus-refresh-interval-seconds"], "1.5");
    } finally {
      await runtime.stop();
      await server.close();
    }
  });

  it("follows changes, keeps the last good targets through failed refreshes, and counts the failures", async () => {
    const { server, reply } = await sdServer();
    reply.body = JSON.stringify([{ targets: ["a:1"] }, { targets: ["b:2"], labels: { g: "2" } }]);
    const lines: string[] = [];
    const runtime = newRuntime(`${dir.path}/changes`, lines);
    const addresses = () => targetsOf(runtime, "discovery.http.t").map((t) => t.__address__).sort();
    const failedWith = async (text: string) => {
      const seen = server.requests.length;
      await eventually(() => assert.ok(server.requests.length > seen + 1));
      assert.ok(lines.some((l) => l.includes("Unable to refresh target groups") && l.includes(text)), `${text}:\n${lines.join("\n")}`);
      assert.deepEqual(addresses(), ["a:1", "b:2"]);
    };
    try {
      const loaded = await runtime.load({ "c.alloy": `discovery.http "t" {\n  url = "${server.url}/"\n  refresh_interval = "50ms"\n}\n` });
      assert.ok(loaded.ok, loaded.error);
      runtime.start();
      await eventually(() => assert.deepEqual(addresses(), ["a:1", "b:2"]));

      reply.status = 500;
      await failedWith("server returned HTTP status 500 Internal Server Error");
      reply.status = 200;
      reply.contentType = "text/plain";
      await failedWith(`unsupported content type \\"text/plain\\"`);
      reply.contentType = "application/json; charset=utf-8";
      reply.body = `[{"targets": ["a:1"]`;
      await failedWith("unexpected end of JSON input");
      reply.body = `[null]`;
      await failedWith("nil target group item found");

      const metrics = formatMetricsText(runtime.metrics().families);
      assert.match(metrics, /prometheus_sd_http_failures_total\{component_id="discovery.http.t",component_path="\/"\} ([4-9]|\d\d+)/);
      assert.match(metrics, /prometheus_sd_refresh_failures_total\{component_id="discovery.http.t",component_path="\/",config="",mechanism="http"\} ([4-9]|\d\d+)/);

      // One group fewer: the second group's targets go.
      reply.body = JSON.stringify([{ targets: ["a:1", "c:3"] }]);
      await eventually(() => assert.deepEqual(addresses(), ["a:1", "c:3"]));
      reply.body = "[]";
      await eventually(() => assert.deepEqual(addresses(), []));
    } finally {
      await runtime.stop();
      await server.close();
    }
  });

  it("authenticates with the HTTP client settings", async () => {
    const { server, reply } = await sdServer();
    reply.body = JSON.stringify([{ targets: ["a:1"] }]);
    const runtime = newRuntime(`${dir.path}/auth`);
    try {
      const loaded = await runtime.load({
        "c.alloy": `discovery.http "t" {\n  url = "${server.url}/"\n  bearer_token = "s3cret"\n  http_headers = { "X-Team" = ["a", "b"] }\n}\n`,
      });
      assert.ok(loaded.ok, loaded.error);
      runtime.start();
      await eventually(() => assert.equal(targetsOf(runtime, "discovery.http.t").length, 1));
      assert.equal(server.requests[0]!.headers.authorization, "Bearer s3cret");
      assert.equal(server.requests[0]!.headers["x-team"], "a, b");
    } finally {
      await runtime.stop();
      await server.close();
    }
  });

  it("reaches an HTTPS endpoint of a private CA with tls_config, and refuses an unreadable CA file", async () => {
    const certs = makeTestCertificates();
    writeFileSync(`${dir.path}/ca.pem`, certs.ca);
    const server = await platform().serve({
      hostname: "127.0.0.1",
      port: 0,
      tls: { cert: certs.cert, key: certs.key },
      fetch: () => Response.json([{ targets: ["tls:1"] }]),
    });
    const runtime = newRuntime(`${dir.path}/tls`);
    try {
      const url = `https://127.0.0.1:${server.port}/sd`;
      const loaded = await runtime.load({ "c.alloy": `discovery.http "t" {
  url = "${url}"
  tls_config {
    ca_file = "${dir.path}/ca.pem"
  }
}
` });
      assert.ok(loaded.ok, loaded.error);
      runtime.start();
      await eventually(() => assert.deepEqual(targetsOf(runtime, "discovery.http.t"), [{ __address__: "tls:1", __meta_url: url }]));
      const missing = await runtime.load({ "c.alloy": `discovery.http "t" {
  url = "${url}"
  tls_config {
    ca_file = "${dir.path}/missing.pem"
  }
}
` });
      assert.equal(missing.ok, false);
      assert.match(missing.error ?? "", /unable to read CA cert/);
      assert.deepEqual(targetsOf(runtime, "discovery.http.t"), [{ __address__: "tls:1", __meta_url: url }], "the running discoverer stays");
    } finally {
      await runtime.stop();
      await server.close(0);
    }
  });

  it("refuses a bad URL, several authentication methods and a zero refresh_interval", async () => {
    const runtime = newRuntime(`${dir.path}/validation`);
    const check = async (body: string, message: RegExp) => {
      const result = await runtime.load({ "c.alloy": `discovery.http "t" {\n${body}\n}\n` });
      assert.equal(result.ok, false);
      assert.match(result.error ?? "", message);
    };
    await check(`url = "://example.com"`, /parse ":\/\/example.com": missing protocol scheme/);
    await check(`url = "http://example.com"\nbearer_token = "a"\nbasic_auth {\n  username = "u"\n}`, /at most one of basic_auth, authorization, oauth2, bearer_token & bearer_token_file must be configured/);
    await check(`url = "http://example.com"\nrefresh_interval = "0s"`, /refresh_interval must be greater than 0/);
    await check(``, /missing required attribute "url"/);
  });
});
