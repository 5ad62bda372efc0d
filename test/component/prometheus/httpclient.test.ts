// The common HTTP client settings of prometheus.scrape and prometheus.remote_write (httpclient.ts):
// Alloy's validation messages, tls_config files read on every request (a replaced CA takes effect
// without a reload), Prometheus's error wording for unusable files, oauth2's own TLS settings, a
// real proxy, and the in-memory address staying on the component's fetch.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { HttpClient, type HttpClientConfig, httpClientFields, validateHttpClient } from "../../../src/component/prometheus/httpclient.ts";
import { platform } from "../../../src/platform/mod.ts";
import type { HttpServer, TlsServerConfig } from "../../../src/platform/mod.ts";
import { parseFile } from "../../../src/syntax/parser.ts";
import { struct } from "../../../src/syntax/schema/index.ts";
import { decodeBody } from "../../../src/syntax/vm/index.ts";
import { type RunningProxy, skipWithout, startTinyproxy } from "../../helpers/proxies.ts";
import { makeTestCertificates, type TestCertificates } from "../../helpers/tls.ts";
import { makeTempDir } from "../../helpers/tmp.ts";
import { startServer, type TestServer } from "./helpers.ts";

const p = platform();
const ClientBlock = struct(httpClientFields(true));

/** Decodes the settings as they would be written inside a prometheus.scrape block. */
function settings(text: string): HttpClientConfig {
  return decodeBody(parseFile("client.alloy", text), ClientBlock) as HttpClientConfig;
}

const quote = (s: string) => JSON.stringify(s);

async function serve(tls?: TlsServerConfig, answer?: (request: Request) => Response | Promise<Response>): Promise<HttpServer> {
  return p.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls,
    fetch: async (request) =>
      answer ? answer(request) : Response.json({ path: new URL(request.url).pathname, authorization: request.headers.get("authorization"), via: request.headers.get("via") }),
  });
}

describe("prometheus http client settings", () => {
  const dir = makeTempDir("alloy-ts-httpclient-");
  let certs: TestCertificates;
  let otherCa: TestCertificates;
  let tlsServer: HttpServer, mtlsServer: HttpServer;

  before(async () => {
    certs = makeTestCertificates();
    otherCa = makeTestCertificates();
    tlsServer = await serve({ cert: certs.cert, key: certs.key });
    mtlsServer = await serve({ cert: certs.cert, key: certs.key, clientCa: certs.ca, clientAuth: "RequireAndVerifyClientCert" });
  });
  after(async () => {
    await Promise.all([tlsServer?.close(0), mtlsServer?.close(0)]);
    dir.cleanup();
  });

  it("accepts TLS and proxy settings and keeps Alloy's validation messages", () => {
    assert.equal(validateHttpClient(settings(`proxy_url = "http://127.0.0.1:3128"\nno_proxy = "10.0.0.0/8"\ntls_config {\n  insecure_skip_verify = true\n}\n`)), undefined);
    assert.equal(validateHttpClient(settings(`proxy_from_environment = true\nproxy_connect_header = { "X-A" = ["b"] }\n`)), undefined);
    const cases: [string, string][] = [
      [`no_proxy = "example.com"\n`, "if no_proxy is configured, proxy_url must also be configured"],
      [`proxy_from_environment = true\nproxy_url = "http://p:3128"\n`, "if proxy_from_environment is configured, proxy_url must not be configured"],
      [`proxy_from_environment = true\nno_proxy = "x"\n`, "if proxy_from_environment is configured, no_proxy must not be configured"],
      [`proxy_connect_header = { "X-A" = ["b"] }\n`, "if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be configured"],
      [
        `oauth2 {\n  client_id = "id"\n  client_secret = "s"\n  token_url = "https://t/"\n  no_proxy = "x"\n}\n`,
        "if no_proxy is configured, proxy_url must also be configured",
      ],
    ];
    for (const [text, message] of cases) assert.equal(validateHttpClient(settings(text)), message, text);
    assert.throws(() => settings(`tls_config {\n  cert_pem = "x"\n}\n`), /exactly one of key_pem or key_file must be configured when a client certificate is configured/);
    assert.throws(() => settings(`tls_config {\n  ca_pem = "x"\n  ca_file = "y"\n}\n`), /at most one of ca_pem and ca_file must be configured/);
  });

  it("reads ca_file on every request, so a replaced CA is trusted without a reload", async () => {
    const caFile = join(dir.path, "ca.pem");
    writeFileSync(caFile, otherCa.ca);
    const client = new HttpClient(settings(`tls_config {\n  ca_file = ${quote(caFile)}\n}\n`), fetch, p);
    try {
      await assert.rejects(client.fetch(`https://127.0.0.1:${tlsServer.port}/one`, {}), /fetch failed: .*(certificate|verify)/i);
      writeFileSync(caFile, certs.ca);
      const response = await client.fetch(`https://127.0.0.1:${tlsServer.port}/two`, {});
      assert.equal(((await response.json()) as { path: string }).path, "/two");
    } finally {
      await client.close();
    }
  });

  it("presents cert_file and key_file to a server that requires a client certificate", async () => {
    const files = { ca: join(dir.path, "m-ca.pem"), cert: join(dir.path, "m-cert.pem"), key: join(dir.path, "m-key.pem") };
    writeFileSync(files.ca, certs.ca);
    writeFileSync(files.cert, certs.clientCert);
    writeFileSync(files.key, certs.clientKey);
    const client = new HttpClient(
      settings(`tls_config {\n  ca_file = ${quote(files.ca)}\n  cert_file = ${quote(files.cert)}\n  key_file = ${quote(files.key)}\n}\n`),
      fetch,
      p,
    );
    try {
      await client.prepare();
      assert.equal((await client.fetch(`https://127.0.0.1:${mtlsServer.port}/m`, {})).status, 200);
    } finally {
      await client.close();
    }
  });

  it("words unusable TLS files as Prometheus does, when prepared and on each request", async () => {
    const missing = join(dir.path, "missing.pem");
    const unreadable = new HttpClient(settings(`tls_config {\n  ca_file = ${quote(missing)}\n}\n`), fetch, p);
    await assert.rejects(unreadable.prepare(), (e: Error) => e.message.startsWith(`unable to read CA cert: unable to read file ${missing}: `));
    await assert.rejects(unreadable.fetch(`https://127.0.0.1:${tlsServer.port}/`, {}), /^Error: unable to read CA cert: unable to read file /);

    const garbage = join(dir.path, "garbage.pem");
    writeFileSync(garbage, "not a certificate\n");
    await assert.rejects(new HttpClient(settings(`tls_config {\n  ca_file = ${quote(garbage)}\n}\n`), fetch, p).prepare(), {
      message: `unable to use specified CA cert file ${garbage}`,
    });

    const mismatched = new HttpClient(settings(`tls_config {\n  cert_pem = ${quote(certs.clientCert)}\n  key_pem = ${quote(certs.key)}\n}\n`), fetch, p);
    await assert.rejects(mismatched.prepare(), {
      message: "unable to use specified client cert (inline) & key (inline): tls: private key does not match public key",
    });
  });

  it("applies a changed tls_config on the next request", async () => {
    const client = new HttpClient(settings(`tls_config {\n  ca_pem = ${quote(otherCa.ca)}\n}\n`), fetch, p);
    try {
      await assert.rejects(client.fetch(`https://127.0.0.1:${tlsServer.port}/`, {}), /fetch failed/);
      client.update(settings(`tls_config {\n  ca_pem = ${quote(certs.ca)}\n}\n`));
      assert.equal((await client.fetch(`https://127.0.0.1:${tlsServer.port}/`, {})).status, 200);
      client.update(settings(`tls_config {\n  insecure_skip_verify = true\n}\n`));
      assert.equal((await client.fetch(`https://127.0.0.1:${tlsServer.port}/`, {})).status, 200);
    } finally {
      await client.close();
    }
  });

  it("fetches the oauth2 token with the block's own tls_config", async () => {
    const tokenCerts = makeTestCertificates();
    const tokenServer = await serve({ cert: tokenCerts.cert, key: tokenCerts.key }, async (request) => {
      const form = new URLSearchParams(await request.text());
      assert.equal(form.get("grant_type"), "client_credentials");
      return Response.json({ access_token: "t0ken", token_type: "bearer", expires_in: 3600 });
    });
    try {
      const config = settings(
        `oauth2 {\n  client_id = "alloy"\n  client_secret = "s3cret"\n  token_url = "https://127.0.0.1:${tokenServer.port}/token"\n` +
          `  tls_config {\n    ca_pem = ${quote(tokenCerts.ca)}\n  }\n}\ntls_config {\n  ca_pem = ${quote(certs.ca)}\n}\n`,
      );
      const client = new HttpClient(config, fetch, p);
      try {
        const response = await client.fetch(`https://127.0.0.1:${tlsServer.port}/with-token`, {});
        assert.equal(((await response.json()) as { authorization: string }).authorization, "Bearer t0ken");
      } finally {
        await client.close();
      }
    } finally {
      await tokenServer.close(0);
    }
  });

  it("sends requests for the in-memory address to the component's fetch, whatever the settings", async () => {
    const seen: string[] = [];
    const componentFetch = (async (input: RequestInfo | URL) => {
      seen.push(String(input));
      return new Response("in memory");
    }) as typeof fetch;
    // A proxy nothing listens on, and a CA nobody uses: neither may be involved.
    const config = settings(`proxy_url = "http://127.0.0.1:9"\ntls_config {\n  ca_pem = ${quote(otherCa.ca)}\n}\n`);
    const client = new HttpClient(config, componentFetch, p, { memoryAddr: "alloy.internal:12345" });
    try {
      const response = await client.fetch("http://alloy.internal:12345/api/v0/component/x/metrics", {});
      assert.equal(await response.text(), "in memory");
      assert.deepEqual(seen, ["http://alloy.internal:12345/api/v0/component/x/metrics"]);
      await assert.rejects(client.fetch(`http://127.0.0.1:${tlsServer.port}/`, {}), /fetch failed/);
      assert.equal(seen.length, 1);
    } finally {
      await client.close();
    }
  });

  describe("through a proxy", { skip: skipWithout("tinyproxy") }, () => {
    let proxy: RunningProxy;
    let plain: TestServer;
    before(async () => {
      proxy = await startTinyproxy({ user: "alloy", password: "pw0rd" });
      plain = await startServer((req, _body, res) => {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ path: req.url, via: req.headers.via ?? null }));
      });
    });
    after(async () => {
      await Promise.all([proxy?.stop(), plain?.close()]);
    });

    it("goes through proxy_url, with proxy_connect_header on CONNECT", async () => {
      const viaUrl = new HttpClient(settings(`proxy_url = ${quote(proxy.url)}\n`), fetch, p);
      const connect = new HttpClient(
        settings(
          `proxy_url = "http://127.0.0.1:${proxy.port}"\nproxy_connect_header = { "Proxy-Authorization" = [${quote(`Basic ${btoa("alloy:pw0rd")}`)}] }\n` +
            `tls_config {\n  ca_pem = ${quote(certs.ca)}\n}\n`,
        ),
        fetch,
        p,
      );
      try {
        const response = await viaUrl.fetch(`${plain.url}/proxied`, {});
        assert.match(((await response.json()) as { via: string }).via, /tinyproxy/);
        assert.equal((await connect.fetch(`https://127.0.0.1:${tlsServer.port}/tunnelled`, {})).status, 200);
      } finally {
        await Promise.all([viaUrl.close(), connect.close()]);
      }
    });
  });
});
