// remote.http against a loopback server: content at load (so dependants see it in the same load),
// method, headers, body, User-Agent and client authentication, polling, health and the last content
// through failures, secrets, timeouts, and Alloy's validation messages.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { platform } from "../../../src/platform/mod.ts";
import { makeTestCertificates } from "../../helpers/tls.ts";
import { makeTempDir } from "../../helpers/tmp.ts";
import { eventually, newRuntime, startServer, type TestServer } from "../prometheus/helpers.ts";
import { ObjectValue, OptionalSecretValue } from "../../../src/syntax/value/index.ts";
import type { Runtime } from "../../../src/runtime/index.ts";

const dir = makeTempDir("alloy-ts-remote-http-");
after(() => dir.cleanup());

/** A server whose answer the test sets. */
async function server(): Promise<{ server: TestServer; reply: { status: number; body: string; delayMs: number } }> {
  const reply = { status: 200, body: "", delayMs: 0 };
  const s = await startServer(async (_req, _body, res) => {
    if (reply.delayMs > 0) await new Promise((r) => setTimeout(r, reply.delayMs));
    res.statusCode = reply.status;
    res.end(reply.body);
  });
  return { server: s, reply };
}

function content(runtime: Runtime, id = "remote.http.r"): OptionalSecretValue {
  const exports = runtime.component(id)!.exports as ObjectValue;
  return exports.get("content") as OptionalSecretValue;
}

describe("remote.http", () => {
  it("polls while loading, so dependants get the trimmed content in the same load", async () => {
    const { server: s, reply } = await server();
    reply.body = "  10.1.2.3:9100\n";
    const runtime = newRuntime(`${dir.path}/load`);
    try {
      const loaded = await runtime.load({
        "c.alloy": `
remote.http "r" {
  url = "${s.url}/target"
}
discovery.relabel "d" {
  targets = [{"__address__" = remote.http.r.content}]
}
`,
      });
      assert.ok(loaded.ok, loaded.error);
      assert.equal(content(runtime).value, "10.1.2.3:9100");
      assert.equal(content(runtime).isSecret, false);
      const output = (runtime.component("discovery.relabel.d")!.exports as ObjectValue).get("output") as ObjectValue[];
      assert.equal(output[0]!.get("__address__"), "10.1.2.3:9100");
      assert.match(String(s.requests[0]!.headers["user-agent"]), /^Alloy\/v/);
      runtime.start();
      await eventually(() => assert.equal(runtime.component("remote.http.r")!.health.state, "healthy"));
      // The component's own report (the node's health shows the newer "started component" too).
      assert.equal(runtime.component("remote.http.r")!.component!.health!()!.message, "polled endpoint");
    } finally {
      await runtime.stop();
      await s.close();
    }
  });

  it("sends the method, headers, body and client authentication; a User-Agent header replaces Alloy's", async () => {
    const { server: s, reply } = await server();
    reply.body = "ok";
    const runtime = newRuntime(`${dir.path}/request`);
    try {
      const loaded = await runtime.load({
        "c.alloy": `
remote.http "r" {
  url     = "${s.url}/put"
  method  = "PUT"
  headers = { "X-Custom" = "value", "User-Agent" = "custom_useragent" }
  body    = "hello there!"
  client {
    basic_auth {
      username = "user"
      password = "pass"
    }
  }
}
`,
      });
      assert.ok(loaded.ok, loaded.error);
      const request = s.requests[0]!;
      assert.equal(request.url, "/put");
      assert.equal(request.body.toString(), "hello there!");
      assert.equal(request.headers["x-custom"], "value");
      assert.equal(request.headers["user-agent"], "custom_useragent");
      assert.equal(request.headers.authorization, `Basic ${Buffer.from("user:pass").toString("base64")}`);
    } finally {
      await s.close();
    }
  });

  it("reaches an HTTPS endpoint of a private CA with the client block's tls_config", async () => {
    const certs = makeTestCertificates();
    writeFileSync(`${dir.path}/ca.pem`, certs.ca);
    const server = await platform().serve({ hostname: "127.0.0.1", port: 0, tls: { cert: certs.cert, key: certs.key }, fetch: () => new Response("over tls\n") });
    const runtime = newRuntime(`${dir.path}/tls`);
    try {
      const url = `https://127.0.0.1:${server.port}/`;
      const loaded = await runtime.load({ "c.alloy": `remote.http "r" {
  url = "${url}"
  client {
    tls_config {
      ca_file = "${dir.path}/ca.pem"
    }
  }
}
` });
      assert.ok(loaded.ok, loaded.error);
      assert.equal(content(runtime).value, "over tls");
      const untrusted = await runtime.load({ "c.alloy": `remote.http "r" {
  url = "${url}"
}
` });
      assert.equal(untrusted.ok, false, "the system's roots do not trust the test CA");
      assert.match(untrusted.error ?? "", /performing request: Get "https:\/\/127.0.0.1:\d+\/": /);
    } finally {
      await runtime.stop();
      await server.close(0);
    }
  });

  it("polls at poll_frequency, keeps the last content while polls fail, and reports them in health", async () => {
    const { server: s, reply } = await server();
    reply.body = "one";
    const lines: string[] = [];
    const runtime = newRuntime(`${dir.path}/poll`, lines);
    try {
      const loaded = await runtime.load({
        "c.alloy": `remote.http "r" {\n  url = "${s.url}/"\n  poll_frequency = "100ms"\n  poll_timeout = "50ms"\n  is_secret = true\n}\n`,
      });
      assert.ok(loaded.ok, loaded.error);
      assert.equal(content(runtime).isSecret, true);
      runtime.start();
      reply.body = "two";
      await eventually(() => assert.equal(content(runtime).value, "two"));

      reply.status = 500;
      await eventually(() => assert.equal(runtime.component("remote.http.r")!.health.message, "polling failed: unexpected status code 500 Internal Server Error"));
      assert.equal(runtime.component("remote.http.r")!.health.state, "unhealthy");
      assert.equal(content(runtime).value, "two");
      assert.ok(lines.some((l) => l.includes("unexpected status code from response") && l.includes("500 Internal Server Error")));

      reply.status = 200;
      reply.delayMs = 300;
      await eventually(() => assert.match(runtime.component("remote.http.r")!.health.message, /polling failed: performing request: Get ".*": context deadline exceeded/));

      reply.delayMs = 0;
      reply.body = "three";
      await eventually(() => assert.equal(content(runtime).value, "three"));
      assert.equal(runtime.component("remote.http.r")!.health.state, "healthy");
    } finally {
      await runtime.stop();
      await s.close();
    }
  });

  it("fails the load when the first poll fails", async () => {
    const { server: s, reply } = await server();
    reply.status = 404;
    const runtime = newRuntime(`${dir.path}/first`);
    try {
      const loaded = await runtime.load({ "c.alloy": `remote.http "r" {\n  url = "${s.url}/missing"\n}\n` });
      assert.equal(loaded.ok, false);
      assert.match(loaded.error ?? "", /unexpected status code 404 Not Found/);
      const refused = await runtime.load({ "c.alloy": `remote.http "r" {\n  url = "http://127.0.0.1:1/"\n}\n` });
      assert.equal(refused.ok, false);
      assert.match(refused.error ?? "", /performing request: Get "http:\/\/127.0.0.1:1\/": /);
    } finally {
      await s.close();
    }
  });

  it("refuses bad arguments with Alloy's messages", async () => {
    const runtime = newRuntime(`${dir.path}/validation`);
    const check = async (body: string, message: RegExp) => {
      const result = await runtime.load({ "c.alloy": `remote.http "r" {\n${body}\n}\n` });
      assert.equal(result.ok, false);
      assert.match(result.error ?? "", message);
    };
    await check(`poll_frequency = "0"`, /missing required attribute "url"/);
    await check(`url = "://example.com"`, /parse ":\/\/example.com": missing protocol scheme/);
    await check(`url = "http://example.com"\npoll_frequency = "0"`, /poll_frequency must be greater than 0/);
    await check(`url = "http://example.com"\npoll_timeout = "0s"`, /poll_timeout must be greater than 0/);
    await check(`url = "http://example.com"\npoll_frequency = "5s"\npoll_timeout = "5s"`, /poll_timeout must be less than poll_frequency/);
    await check(`url = "http://example.com"\nmethod = "GE T"`, /net\/http: invalid method "GE T"/);
    await check(
      `url = "http://example.com"\nclient {\n  bearer_token = "a"\n  basic_auth {\n    username = "u"\n  }\n}`,
      /at most one of basic_auth, authorization, oauth2, bearer_token & bearer_token_file must be configured/,
    );
  });
});
