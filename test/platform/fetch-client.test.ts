// Platform.createFetchClient under whichever runtime runs this file: real TLS servers on loopback
// with a private CA (test/helpers/tls.ts), mutual TLS, an untrusted certificate, a certificate for
// another name, a TLS 1.2-only server; real proxies (tinyproxy, microsocks) for absolute-form
// requests, CONNECT tunnels, proxy authentication, CONNECT headers, no_proxy and SOCKS5.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { platform } from "../../src/platform/mod.ts";
import type { FetchClientOptions, HttpServer, TlsServerConfig } from "../../src/platform/mod.ts";
import { type RunningProxy, skipWithout, startMicrosocks, startTinyproxy } from "../helpers/proxies.ts";
import { currentRuntime, repoRoot, runRuntime } from "../helpers/runtime.ts";
import { makeTestCertificates, type TestCertificates } from "../helpers/tls.ts";

const p = platform();

interface Echo {
  method: string;
  path: string;
  bytes: number;
  via: string | null;
  remotePort: number;
}

async function serve(tls?: TlsServerConfig): Promise<HttpServer> {
  return p.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls,
    async fetch(request, connection) {
      const url = new URL(request.url);
      const bytes = (await request.arrayBuffer()).byteLength;
      if (url.pathname === "/never") return new Promise<Response>(() => {});
      const echo: Echo = { method: request.method, path: url.pathname, bytes, via: request.headers.get("via"), remotePort: connection.remotePort };
      if (url.pathname === "/gzip") {
        const body = new Blob([JSON.stringify(echo)]).stream().pipeThrough(new CompressionStream("gzip"));
        return new Response(body, { headers: { "content-type": "application/json", "content-encoding": "gzip" } });
      }
      return Response.json(echo);
    },
  });
}

/** Runs one request with a fresh client, closing it afterwards. */
async function get(options: FetchClientOptions, url: string, init?: RequestInit): Promise<Echo> {
  const client = p.createFetchClient(options);
  try {
    const response = await client.fetch(url, init);
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as Echo;
  } finally {
    await client.close();
  }
}

async function failure(options: FetchClientOptions, url: string): Promise<string> {
  const client = p.createFetchClient(options);
  try {
    await client.fetch(url);
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return `${(error as Error).message} ${cause?.code ?? ""}`;
  } finally {
    await client.close();
  }
  assert.fail(`${url} was fetched, but should have failed`);
}

describe("platform: HTTP clients with TLS settings", () => {
  let certs: TestCertificates;
  let untrusted: TestCertificates;
  let other: TestCertificates;
  let tlsServer: HttpServer, mtlsServer: HttpServer, untrustedServer: HttpServer, otherNameServer: HttpServer, tls12Server: HttpServer;
  const base = (s: HttpServer) => `https://127.0.0.1:${s.port}`;

  before(async () => {
    certs = makeTestCertificates();
    untrusted = makeTestCertificates();
    other = makeTestCertificates("DNS:metrics.internal.test");
    tlsServer = await serve({ cert: certs.cert, key: certs.key });
    mtlsServer = await serve({ cert: certs.cert, key: certs.key, clientCa: certs.ca, clientAuth: "RequireAndVerifyClientCert" });
    untrustedServer = await serve({ cert: untrusted.cert, key: untrusted.key });
    otherNameServer = await serve({ cert: other.cert, key: other.key });
    tls12Server = await serve({ cert: certs.cert, key: certs.key, maxVersion: "TLSv1.2" });
  });
  after(async () => {
    await Promise.all([tlsServer, mtlsServer, untrustedServer, otherNameServer, tls12Server].map((s) => s?.close(0)));
  });

  it("trusts a private CA given as PEM, and only with it", async () => {
    assert.equal((await get({ tls: { ca: certs.ca } }, `${base(tlsServer)}/a`)).path, "/a");
    assert.match(await failure({ tls: {} }, `${base(tlsServer)}/a`), /^fetch failed: .*(certificate|verify)/i);
    // The CA replaces the system's roots (Go's RootCAs): another CA's server is not trusted.
    assert.match(await failure({ tls: { ca: certs.ca } }, `${base(untrustedServer)}/a`), /^fetch failed: .*(certificate|verify)/i);
  });

  it("presents a client certificate to a server that requires one", async () => {
    const echo = await get({ tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey } }, `${base(mtlsServer)}/mtls`);
    assert.equal(echo.path, "/mtls");
    assert.match(await failure({ tls: { ca: certs.ca } }, `${base(mtlsServer)}/mtls`), /^fetch failed: /);
  });

  it("skips verification only when told to, and says why it failed otherwise", async () => {
    assert.equal((await get({ tls: { insecureSkipVerify: true } }, `${base(untrustedServer)}/insecure`)).path, "/insecure");
    assert.match(await failure({ tls: {} }, `${base(untrustedServer)}/insecure`), /^fetch failed: .*(certificate|verify)/i);
  });

  it("checks the certificate against server_name instead of the URL's host", async () => {
    const echo = await get({ tls: { ca: other.ca, serverName: "metrics.internal.test" } }, `${base(otherNameServer)}/sni`);
    assert.equal(echo.path, "/sni");
    assert.match(await failure({ tls: { ca: other.ca } }, `${base(otherNameServer)}/sni`), /^fetch failed: .*(altname|match|hostname|certificate)/i);
  });

  it("refuses a server below min_version", async () => {
    assert.match(await failure({ tls: { ca: certs.ca, minVersion: "TLSv1.3" } }, `${base(tls12Server)}/v`), /^fetch failed: /);
    assert.equal((await get({ tls: { ca: certs.ca, minVersion: "TLSv1.2" } }, `${base(tls12Server)}/v`)).path, "/v");
  });

  it("refuses unusable PEM at once, naming the part", () => {
    assert.throws(() => p.createFetchClient({ tls: { ca: "not a certificate" } }), { name: "TlsMaterialError", part: "ca" });
    assert.throws(() => p.createFetchClient({ tls: { cert: certs.clientCert, key: certs.key } }), {
      part: "keypair",
      message: "tls: private key does not match public key",
    });
    assert.throws(() => p.createFetchClient({ tls: { cert: "", key: certs.clientKey } }), {
      message: "tls: failed to find any PEM data in certificate input",
    });
  });

  it("sends streamed and byte bodies, decompresses gzip, reuses its connection", async () => {
    const client = p.createFetchClient({ tls: { ca: certs.ca } });
    try {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array(1000));
          controller.enqueue(new Uint8Array(24));
          controller.close();
        },
      });
      const streamed = await client.fetch(`${base(tlsServer)}/stream`, { method: "POST", body: stream, duplex: "half" } as RequestInit);
      assert.equal(((await streamed.json()) as Echo).bytes, 1024);
      const bytes = await client.fetch(`${base(tlsServer)}/bytes`, { method: "POST", body: new Uint8Array(777) });
      const first = (await bytes.json()) as Echo;
      assert.equal(first.bytes, 777);
      const gzip = await client.fetch(`${base(tlsServer)}/gzip`);
      assert.equal(((await gzip.json()) as Echo).path, "/gzip");
      // Keep-alive: requests one after another share connections (client ports).
      const ports = new Set<number>([first.remotePort]);
      for (let i = 0; i < 4; i++) {
        const response = await client.fetch(`${base(tlsServer)}/again`);
        ports.add(((await response.json()) as Echo).remotePort);
      }
      assert.ok(ports.size < 5, `5 requests used ${ports.size} connections`);
    } finally {
      await client.close();
    }
  });

  it("gives up when the request's signal aborts", async () => {
    const client = p.createFetchClient({ tls: { ca: certs.ca } });
    try {
      await assert.rejects(client.fetch(`${base(tlsServer)}/never`, { signal: AbortSignal.timeout(200) }), (e: Error) => {
        assert.match(e.name, /AbortError|TimeoutError/);
        return true;
      });
    } finally {
      await client.close();
    }
    await assert.rejects(client.fetch(`${base(tlsServer)}/a`), /the HTTP client was closed/);
  });

  it("lets the process exit once closed", async () => {
    const script = join(repoRoot, "test/fixtures/fetch-client-exit.ts");
    const result = await runRuntime(script, [base(tlsServer), certs.ca], { timeoutMs: 30_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), "200 /exit");
  });
});

describe("platform: HTTP clients through proxies", { skip: skipWithout("tinyproxy") }, () => {
  let certs: TestCertificates;
  let tlsServer: HttpServer;
  let plainServer: HttpServer;
  let proxy: RunningProxy, authProxy: RunningProxy;
  const auth = { user: "alloy", password: "p-ss.w0rd" };
  const basicAuth = `Basic ${btoa(`${auth.user}:${auth.password}`)}`;

  before(async () => {
    certs = makeTestCertificates();
    tlsServer = await serve({ cert: certs.cert, key: certs.key });
    plainServer = await serve();
    proxy = await startTinyproxy();
    authProxy = await startTinyproxy(auth);
  });
  after(async () => {
    await Promise.all([tlsServer?.close(0), plainServer?.close(0), proxy?.stop(), authProxy?.stop()]);
  });

  /** Waits for tinyproxy to log a request line (it logs as it forwards). */
  async function logged(running: RunningProxy, line: string): Promise<void> {
    for (let i = 0; i < 50 && !running.log().includes(line); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(running.log().includes(line), `tinyproxy logged ${JSON.stringify(line)}:\n${running.log()}`);
  }

  it("sends an http:// request to the proxy in absolute form", async () => {
    const url = `http://127.0.0.1:${plainServer.port}/absolute`;
    const echo = await get({ proxy: { url: proxy.url } }, url);
    assert.match(echo.via ?? "", /tinyproxy/);
    await logged(proxy, `GET ${url} HTTP/1.1`);
  });

  it("tunnels an https:// request through CONNECT, verifying the target's certificate", async () => {
    const echo = await get({ tls: { ca: certs.ca }, proxy: { url: proxy.url } }, `https://127.0.0.1:${tlsServer.port}/tunnel`);
    assert.equal(echo.path, "/tunnel");
    assert.equal(echo.via, null);
    await logged(proxy, `CONNECT 127.0.0.1:${tlsServer.port} HTTP/1.1`);
    assert.match(await failure({ tls: {}, proxy: { url: proxy.url } }, `https://127.0.0.1:${tlsServer.port}/tunnel`), /^fetch failed: .*(certificate|verify)/i);
  });

  it("authenticates to the proxy with the URL's userinfo", async () => {
    const withAuth = `http://${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.password)}@127.0.0.1:${authProxy.port}`;
    const anonymous = `http://127.0.0.1:${authProxy.port}`;
    assert.match((await get({ proxy: { url: withAuth } }, `http://127.0.0.1:${plainServer.port}/auth`)).via ?? "", /tinyproxy/);
    assert.equal((await get({ tls: { ca: certs.ca }, proxy: { url: withAuth } }, `https://127.0.0.1:${tlsServer.port}/auth`)).path, "/auth");
    // Without credentials the proxy's 407 fails the request, with the proxy's answer.
    assert.match(await failure({ proxy: { url: anonymous } }, `http://127.0.0.1:${plainServer.port}/auth`), /^fetch failed: proxy .* refused the request: 407 Proxy Authentication Required/);
    assert.match(await failure({ tls: { ca: certs.ca }, proxy: { url: anonymous } }, `https://127.0.0.1:${tlsServer.port}/auth`), /^fetch failed: .*407 Proxy Authentication Required/);
  });

  it("sends proxy_connect_header on CONNECT only", async () => {
    const options: FetchClientOptions = {
      tls: { ca: certs.ca },
      proxy: { url: `http://127.0.0.1:${authProxy.port}`, connectHeaders: { "Proxy-Authorization": [basicAuth] } },
    };
    assert.equal((await get(options, `https://127.0.0.1:${tlsServer.port}/connect-header`)).path, "/connect-header");
    // An http:// request is not a CONNECT: the header is not sent, and the proxy refuses.
    assert.match(await failure(options, `http://127.0.0.1:${plainServer.port}/connect-header`), /407 Proxy Authentication Required/);
  });

  it("goes direct to loopback once no_proxy is set, as Go does", async () => {
    const url = `http://127.0.0.1:${plainServer.port}/bypass`;
    const echo = await get({ proxy: { url: proxy.url, noProxy: "example.invalid" } }, url);
    assert.equal(echo.via, null);
    assert.ok(!proxy.log().includes(url));
  });

  it("tunnels through a SOCKS5 proxy, with username and password", { skip: skipWithout("microsocks") }, async () => {
    if (currentRuntime() === "bun") {
      assert.throws(() => p.createFetchClient({ proxy: { url: "socks5://127.0.0.1:1080" } }), /SOCKS5 proxies are not supported on Bun/);
      return;
    }
    const socks = await startMicrosocks({ user: "alice", password: "secret" });
    try {
      const good = socks.url;
      assert.equal((await get({ tls: { ca: certs.ca }, proxy: { url: good } }, `https://127.0.0.1:${tlsServer.port}/socks`)).path, "/socks");
      assert.equal((await get({ proxy: { url: good } }, `http://127.0.0.1:${plainServer.port}/socks`)).via, null);
      const wrong = `socks5://alice:wrong@127.0.0.1:${socks.port}`;
      const message = await failure({ proxy: { url: wrong } }, `http://127.0.0.1:${plainServer.port}/socks`);
      assert.match(message, /SOCKS5 username\/password authentication failed/);
      assert.ok(!message.includes("wrong"), "the password stays out of the message");
    } finally {
      await socks.stop();
    }
  });
});
