// The Platform contract, checked under whichever runtime runs this file against that runtime's
// adapter: real files, real sockets on 127.0.0.1, real signals sent to a child process.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import { join } from "node:path";
import { platform } from "../../src/platform/mod.ts";
import type { ConnectionInfo, HttpServer } from "../../src/platform/mod.ts";
import { startDnsServer } from "../helpers/dns-server.ts";
import { currentRuntime, repoRoot, spawnRuntime } from "../helpers/runtime.ts";
import { makeTestCertificates, type TestCertificates } from "../helpers/tls.ts";
import { makeTempDir } from "../helpers/tmp.ts";

const p = platform();

function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("curl", ["--silent", "--show-error", "--max-time", "10", ...args], (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function eventually(check: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("platform: runtime", () => {
  it("is the adapter of the runtime running the test", () => {
    assert.equal(p.runtime.name, currentRuntime());
    assert.match(p.runtime.version, /^\d+\.\d+\.\d+/);
    assert.equal(p.runtime.os, os.platform() === "win32" ? "windows" : os.platform());
    assert.ok(["amd64", "arm64", "386", "arm"].includes(p.runtime.arch), p.runtime.arch);
    assert.equal(p.isCompiled(), false);
  });
});

describe("platform: files", () => {
  const dir = makeTempDir();
  after(() => dir.cleanup());

  it("makes nested directories and lists them sorted with their kinds", async () => {
    const nested = join(dir.path, "a", "b", "c");
    await p.fs.mkdirp(nested);
    await p.fs.mkdirp(nested); // again: no error
    writeFileSync(join(dir.path, "a", "z.txt"), "z");
    writeFileSync(join(dir.path, "a", "m.txt"), "m");
    const entries = await p.fs.readDir(join(dir.path, "a"));
    assert.deepEqual(
      entries.map((e) => [e.name, e.isFile, e.isDirectory]),
      [["b", false, true], ["m.txt", true, false], ["z.txt", true, false]],
    );
  });

  it("writes atomically, replacing the old content and leaving no temporary file", async () => {
    const file = join(dir.path, "atomic.txt");
    await p.fs.writeFileAtomic(file, "first");
    await p.fs.writeFileAtomic(file, new TextEncoder().encode("second"));
    assert.equal(await p.fs.readTextFile(file), "second");
    assert.deepEqual(new TextDecoder().decode(await p.fs.readFile(file)), "second");
    assert.deepEqual(readdirSync(dir.path).filter((name) => name.includes("atomic")), ["atomic.txt"]);
  });

  it("stats files and directories, and answers null for a missing path", async () => {
    const file = join(dir.path, "stat.txt");
    writeFileSync(file, "12345");
    const info = await p.fs.stat(file);
    assert.ok(info);
    assert.equal(info.isFile, true);
    assert.equal(info.isDirectory, false);
    assert.equal(info.size, 5);
    assert.ok(Math.abs(info.mtimeMs - Date.now()) < 60_000);
    assert.equal((await p.fs.stat(dir.path))?.isDirectory, true);
    assert.equal(await p.fs.stat(join(dir.path, "missing")), null);
  });

  it("rejects reading a missing file with ENOENT", async () => {
    await assert.rejects(p.fs.readFile(join(dir.path, "missing")), (error: { code?: string }) => error.code === "ENOENT");
    await assert.rejects(p.fs.readTextFile(join(dir.path, "missing")), (error: { code?: string }) => error.code === "ENOENT");
  });

  it("appends through a handle with fsync, keeping count of the size", async () => {
    const file = join(dir.path, "wal.bin");
    const handle = await p.fs.openAppend(file);
    assert.equal(handle.size, 0);
    await handle.write(new Uint8Array([1, 2, 3]));
    await handle.sync();
    await handle.write(new Uint8Array([4]));
    await handle.sync();
    assert.equal(handle.size, 4);
    await handle.close();
    const reopened = await p.fs.openAppend(file);
    assert.equal(reopened.size, 4);
    await reopened.write(new Uint8Array([5]));
    await reopened.close();
    await p.fs.appendFile(file, new Uint8Array([6]), { sync: true });
    assert.deepEqual([...readFileSync(file)], [1, 2, 3, 4, 5, 6]);
  });

  it("renames and removes files and whole trees; removing nothing is no error", async () => {
    const from = join(dir.path, "from.txt");
    const to = join(dir.path, "to.txt");
    writeFileSync(from, "x");
    await p.fs.rename(from, to);
    assert.equal(existsSync(from), false);
    assert.equal(readFileSync(to, "utf8"), "x");
    await p.fs.remove(to);
    await p.fs.remove(join(dir.path, "a"));
    await p.fs.remove(join(dir.path, "never-existed"));
    assert.equal(existsSync(to), false);
    assert.equal(existsSync(join(dir.path, "a")), false);
  });

  it("watches a directory and a file for changes", async () => {
    const watched = join(dir.path, "watched");
    await p.fs.mkdirp(watched);
    const seen: string[] = [];
    const watcher = p.fs.watch(watched, (event) => seen.push(event.path));
    try {
      // Some runtimes arm the watcher asynchronously: keep touching until an event arrives.
      const file = join(watched, "config.alloy");
      let n = 0;
      await eventually(() => {
        writeFileSync(file, `x = ${n++}`);
        return seen.some((path) => path.endsWith("config.alloy"));
      });
    } finally {
      watcher.close();
    }
    const single = join(dir.path, "single.alloy");
    writeFileSync(single, "a");
    const fileEvents: string[] = [];
    const fileWatcher = p.fs.watch(single, (event) => fileEvents.push(event.kind));
    try {
      let n = 0;
      await eventually(() => {
        writeFileSync(single, `b${n++}`);
        return fileEvents.length > 0;
      });
    } finally {
      fileWatcher.close();
    }
  });

  it("knows the working directory", () => {
    assert.equal(p.fs.cwd(), process.cwd());
  });
});

describe("platform: HTTP on one port", () => {
  let server: HttpServer;
  let base: string;
  const seen: ConnectionInfo[] = [];

  before(async () => {
    server = await p.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(request, connection) {
        seen.push(connection);
        const url = new URL(request.url);
        if (url.pathname === "/echo") {
          // Stream the body back as it arrives (full duplex over HTTP/2).
          return new Response(request.body, { headers: { "x-http-version": connection.httpVersion } });
        }
        if (url.pathname === "/slow") await new Promise((resolve) => setTimeout(resolve, 300));
        if (url.pathname === "/fail") throw new Error("handler failed");
        const body = request.body ? new Uint8Array(await request.arrayBuffer()) : new Uint8Array();
        let sum = 0;
        for (const byte of body) sum = (sum + byte) % 65521;
        return Response.json(
          {
            method: request.method,
            path: url.pathname + url.search,
            httpVersion: connection.httpVersion,
            tls: connection.tls,
            remote: connection.remoteAddress,
            length: body.length,
            sum,
            header: request.headers.get("x-test"),
          },
          { headers: { "x-reply": "yes" } },
        );
      },
    });
    base = `http://127.0.0.1:${server.port}`;
  });
  after(() => server.close(100));

  it("answers HTTP/1.1 from fetch", async () => {
    const response = await fetch(`${base}/hello?x=1`, { headers: { "x-test": "h1" } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("x-reply"), "yes");
    const body = await response.json();
    assert.deepEqual(
      { method: body.method, path: body.path, httpVersion: body.httpVersion, tls: body.tls, header: body.header },
      { method: "GET", path: "/hello?x=1", httpVersion: "1.1", tls: false, header: "h1" },
    );
    assert.equal(body.remote.replace(/^::ffff:/, ""), "127.0.0.1");
  });

  it("answers cleartext HTTP/2 from the peer client on the same port", async () => {
    const client = p.createHttp2Client(base);
    try {
      const response = await client.fetch("/hello", { headers: { "x-test": "h2" } });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("x-reply"), "yes");
      const body = await response.json();
      assert.equal(body.httpVersion, "2.0");
      assert.equal(body.header, "h2");
      // Several requests share one session.
      const results = await Promise.all([1, 2, 3].map((i) => client.fetch(`/n?i=${i}`).then((r) => r.json())));
      assert.deepEqual(results.map((r) => r.path), ["/n?i=1", "/n?i=2", "/n?i=3"]);
    } finally {
      await client.close();
    }
  });

  it("carries a 1 MiB body both ways over HTTP/1.1 and HTTP/2", async () => {
    const payload = new Uint8Array(1024 * 1024).map((_, i) => (i * 7) % 251);
    let expected = 0;
    for (const byte of payload) expected = (expected + byte) % 65521;
    const h1 = await (await fetch(`${base}/upload`, { method: "POST", body: payload })).json();
    assert.deepEqual([h1.length, h1.sum, h1.httpVersion], [payload.length, expected, "1.1"]);
    const client = p.createHttp2Client(base);
    try {
      const h2 = await (await client.fetch("/upload", { method: "POST", body: payload })).json();
      assert.deepEqual([h2.length, h2.sum, h2.httpVersion], [payload.length, expected, "2.0"]);
    } finally {
      await client.close();
    }
  });

  it("streams request and response bodies at the same time over HTTP/2", async () => {
    const client = p.createHttp2Client(base);
    try {
      let push!: (chunk: string | null) => void;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          push = (chunk) => (chunk === null ? controller.close() : controller.enqueue(new TextEncoder().encode(chunk)));
        },
      });
      push("ping-1;");
      const response = await client.fetch("/echo", { method: "POST", body, duplex: "half" } as RequestInit);
      assert.equal(response.headers.get("x-http-version"), "2.0");
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let received = "";
      // The first chunk comes back before the request body has ended.
      while (!received.includes("ping-1;")) received += decoder.decode((await reader.read()).value);
      push("ping-2;");
      while (!received.includes("ping-2;")) received += decoder.decode((await reader.read()).value);
      push(null);
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += decoder.decode(value);
      }
      assert.equal(received, "ping-1;ping-2;");
    } finally {
      await client.close();
    }
  });

  it("answers curl with --http1.1 and with --http2-prior-knowledge", async () => {
    const one = await curl(["--http1.1", "-H", "x-test: curl1", `${base}/curl`]);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(JSON.parse(one.stdout).httpVersion, "1.1");
    const two = await curl(["--http2-prior-knowledge", "-H", "x-test: curl2", `${base}/curl`]);
    assert.equal(two.code, 0, two.stderr);
    assert.equal(JSON.parse(two.stdout).httpVersion, "2.0");
    // A POST with a body on each protocol.
    const post = await curl(["--http2-prior-knowledge", "--data-binary", "abc", `${base}/post`]);
    assert.equal(JSON.parse(post.stdout).length, 3);
  });

  it("turns a throwing handler into a 500 without dropping the server", async () => {
    const response = await fetch(`${base}/fail`);
    assert.equal(response.status, 500);
    await response.text();
    assert.equal((await fetch(`${base}/ok`)).status, 200);
  });

  it("reports the remote address and HTTP version to the handler", () => {
    assert.ok(seen.some((c) => c.httpVersion === "2.0"));
    assert.ok(seen.every((c) => c.remotePort > 0));
  });
});

describe("platform: HTTP with TLS", () => {
  let certs: TestCertificates;
  let server: HttpServer;
  let base: string;
  const handler = (request: Request, connection: ConnectionInfo) =>
    Response.json({ httpVersion: connection.httpVersion, tls: connection.tls, path: new URL(request.url).pathname });

  before(async () => {
    certs = makeTestCertificates();
    server = await p.serve({ hostname: "127.0.0.1", port: 0, fetch: handler, tls: { cert: certs.cert, key: certs.key } });
    base = `https://127.0.0.1:${server.port}`;
  });
  after(() => server.close(100));

  it("negotiates HTTP/1.1 and HTTP/2 by ALPN", async () => {
    const dir = makeTempDir();
    try {
      const ca = join(dir.path, "ca.pem");
      writeFileSync(ca, certs.ca);
      const one = await curl(["--cacert", ca, "--http1.1", `${base}/tls`]);
      assert.equal(one.code, 0, one.stderr);
      assert.deepEqual(JSON.parse(one.stdout), { httpVersion: "1.1", tls: true, path: "/tls" });
      const two = await curl(["--cacert", ca, "--http2", `${base}/tls`]);
      assert.equal(two.code, 0, two.stderr);
      assert.deepEqual(JSON.parse(two.stdout), { httpVersion: "2.0", tls: true, path: "/tls" });
    } finally {
      dir.cleanup();
    }
  });

  it("lets the peer client verify the server with a CA", async () => {
    const client = p.createHttp2Client(base, { tls: { ca: certs.ca, serverName: "localhost" } });
    try {
      const body = await (await client.fetch("/peer")).json();
      assert.deepEqual(body, { httpVersion: "2.0", tls: true, path: "/peer" });
    } finally {
      await client.close();
    }
    const untrusting = p.createHttp2Client(base, { connectTimeoutMs: 5000 });
    await assert.rejects(untrusting.fetch("/peer"));
    await untrusting.close();
  });

  it("requires and verifies client certificates when told to", async () => {
    const strict = await p.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: handler,
      tls: { cert: certs.cert, key: certs.key, clientCa: certs.ca, clientAuth: "RequireAndVerifyClientCert" },
    });
    const origin = `https://127.0.0.1:${strict.port}`;
    try {
      const withCert = p.createHttp2Client(origin, {
        tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey, serverName: "localhost" },
      });
      assert.equal((await (await withCert.fetch("/mtls")).json()).tls, true);
      await withCert.close();
      const without = p.createHttp2Client(origin, { tls: { ca: certs.ca, serverName: "localhost" }, connectTimeoutMs: 5000 });
      await assert.rejects(async () => {
        const response = await without.fetch("/mtls");
        await response.text();
      });
      await without.close();
    } finally {
      await strict.close(100);
    }
  });

  it("switches TLS off and on for new connections", async () => {
    const switching = await p.serve({ hostname: "127.0.0.1", port: 0, fetch: handler });
    try {
      const plain = await curl(["--http1.1", `http://127.0.0.1:${switching.port}/`]);
      assert.equal(JSON.parse(plain.stdout).tls, false);
      switching.setTls({ cert: certs.cert, key: certs.key });
      const secure = await curl(["-k", "--http2", `https://127.0.0.1:${switching.port}/`]);
      assert.equal(secure.code, 0, secure.stderr);
      assert.deepEqual(JSON.parse(secure.stdout).tls, true);
      assert.notEqual((await curl(["--http1.1", `http://127.0.0.1:${switching.port}/`])).code, 0);
      switching.setTls(undefined);
      const again = await curl(["--http2-prior-knowledge", `http://127.0.0.1:${switching.port}/`]);
      assert.deepEqual(JSON.parse(again.stdout), { httpVersion: "2.0", tls: false, path: "/" });
    } finally {
      await switching.close(100);
    }
  });
});

describe("platform: graceful close", () => {
  it("finishes requests in flight, then refuses new connections", async () => {
    const server = await p.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch() {
        await new Promise((resolve) => setTimeout(resolve, 300));
        return new Response("done");
      },
    });
    const url = `http://127.0.0.1:${server.port}/`;
    const client = p.createHttp2Client(url);
    const inFlightH1 = fetch(url).then((r) => r.text());
    const inFlightH2 = client.fetch("/").then((r) => r.text());
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await server.close(5000);
    assert.ok(Date.now() - started < 4000, "idle connections must not hold the close for the whole grace period");
    assert.equal(await inFlightH1, "done");
    assert.equal(await inFlightH2, "done");
    await assert.rejects(fetch(url));
    await client.close();
  });
});

describe("platform: signals", () => {
  it("delivers SIGHUP to a handler in a child process, repeatedly, and SIGTERM after it", async () => {
    const child = spawnRuntime(join(repoRoot, "test/fixtures/signal-child.ts"));
    await child.waitFor(new RegExp(`ready ${currentRuntime()}`));
    child.kill("SIGHUP");
    await child.waitFor(/got SIGHUP 1/);
    child.kill("SIGHUP");
    await child.waitFor(/got SIGHUP 2/);
    child.kill("SIGTERM");
    const result = await child.completion();
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /got SIGTERM after 2 SIGHUP/);
  });
});

describe("platform: system facts", () => {
  it("reads environment variables", () => {
    assert.equal(p.getEnv("PATH"), process.env.PATH);
    assert.equal(p.getEnv("ALLOY_TS_SURELY_UNSET_VARIABLE"), undefined);
    assert.equal(p.envObject().PATH, process.env.PATH);
  });

  it("knows the host name and the network interfaces with their addresses", () => {
    assert.equal(p.hostname(), os.hostname());
    const loopback = p.networkInterfaces().flatMap((i) => i.addresses).find((a) => a.address === "127.0.0.1");
    assert.ok(loopback, "127.0.0.1 is on some interface");
    assert.equal(loopback.family, 4);
    assert.equal(loopback.internal, true);
    assert.equal(loopback.netmask, "255.0.0.0");
  });

  it("counts the machine's network traffic", () => {
    const bytes = p.machineNetworkBytes();
    if (os.platform() !== "linux") return;
    assert.ok(bytes && bytes.received > 0 && bytes.sent > 0, JSON.stringify(bytes));
  });

  it("knows how long the host has been up", () => {
    assert.ok(Math.abs(p.hostUptimeSeconds() - os.uptime()) < 5);
  });

  it("reports process statistics", () => {
    const stats = p.processStats();
    assert.ok(stats.residentMemoryBytes > 1024 * 1024);
    assert.ok(stats.heapUsedBytes > 0 && stats.heapTotalBytes >= stats.heapUsedBytes);
    assert.ok(stats.cpuUserSeconds > 0);
    assert.ok(stats.cpuSystemSeconds >= 0);
    const now = Date.now() / 1000;
    assert.ok(stats.startTimeSeconds <= now && stats.startTimeSeconds > now - 3600);
    if (os.platform() === "linux") {
      assert.ok((stats.openFds ?? 0) > 2);
      assert.ok((stats.maxFds ?? 0) >= 256);
      assert.ok((stats.virtualMemoryBytes ?? 0) >= stats.residentMemoryBytes);
    }
    assert.equal(p.pid(), process.pid);
  });

  it("resolves A, AAAA and SRV records from a DNS server", async () => {
    const dns = await startDnsServer({
      A: { "peers.test": ["127.0.0.11", "127.0.0.12"] },
      AAAA: { "peers.test": ["::1"] },
      SRV: { "_alloy._tcp.peers.test": [{ target: "node-a.peers.test", port: 12345, priority: 10, weight: 5 }] },
    });
    try {
      const resolver = p.dnsResolver({ address: "127.0.0.1", port: dns.port });
      assert.deepEqual((await resolver.resolveA("peers.test")).sort(), ["127.0.0.11", "127.0.0.12"]);
      assert.deepEqual(await resolver.resolveAAAA("peers.test"), ["::1"]);
      assert.deepEqual(await resolver.resolveSrv("_alloy._tcp.peers.test"), [
        { target: "node-a.peers.test", port: 12345, priority: 10, weight: 5 },
      ]);
      await assert.rejects(resolver.resolveA("missing.test"));
    } finally {
      await dns.close();
    }
  });

  it("resolves MX and NS records, and tells a missing name from a failed look-up", async () => {
    const dns = await startDnsServer({
      MX: { "mail.test": [{ exchange: "mx1.mail.test", priority: 10 }, { exchange: "mx2.mail.test", priority: 20 }] },
      NS: { "zone.test": ["ns1.zone.test", "ns2.zone.test"] },
      fail: ["broken.test"],
    });
    try {
      const resolver = p.dnsResolver({ address: "127.0.0.1", port: dns.port });
      const mx = await resolver.resolveMx("mail.test");
      assert.deepEqual(mx.sort((a, b) => a.priority - b.priority), [
        { exchange: "mx1.mail.test", priority: 10 },
        { exchange: "mx2.mail.test", priority: 20 },
      ]);
      assert.deepEqual((await resolver.resolveNs("zone.test")).sort(), ["ns1.zone.test", "ns2.zone.test"]);
      const code = async (lookup: Promise<unknown>) => {
        try {
          await lookup;
          return "resolved";
        } catch (error) {
          return (error as { code?: string }).code;
        }
      };
      assert.match(String(await code(resolver.resolveNs("missing.test"))), /^(ENOTFOUND|ENODATA)$/);
      assert.match(String(await code(resolver.resolveA("mail.test"))), /^(ENOTFOUND|ENODATA)$/, "a name without records of the type");
      assert.doesNotMatch(String(await code(resolver.resolveMx("broken.test"))), /^(resolved|ENOTFOUND|ENODATA)$/);
    } finally {
      await dns.close();
    }
  });
});
