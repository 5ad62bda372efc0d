// The HTTP service on a real socket: one port for HTTP/1.1 and h2c, TLS switched by the http block.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { MetricsRegistry } from "../../src/runtime/metrics/registry.ts";
import { platform } from "../../src/platform/mod.ts";
import { LogController } from "../../src/runtime/logging/logger.ts";
import { createHttpApp } from "../../src/service/http/app.ts";
import { HttpService } from "../../src/service/http/server.ts";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { HttpBlock } from "../../src/service/http/config.ts";
import { parseFile } from "../../src/syntax/parser.ts";
import { decodeBody } from "../../src/syntax/vm/index.ts";
import { makeTestCertificates } from "../helpers/tls.ts";
import { makeTempDir } from "../helpers/tmp.ts";

const curl = (...args: string[]) =>
  new Promise<{ code: number; stdout: string }>((resolve) =>
    execFile("curl", ["-s", "--max-time", "5", ...args], (error, stdout) => resolve({ code: error ? 1 : 0, stdout })),
  );

describe("http service on a socket", () => {
  const lines: string[] = [];
  const logger = new LogController({ write: (line) => lines.push(line) }).logger();
  const service = new HttpService({ platform: platform(), logger, listenAddr: "127.0.0.1:0", memoryAddr: "alloy.internal:12345" });
  after(() => service.stop(100));

  it("serves HTTP/1.1 and h2c on one port, and switches TLS at apply", async () => {
    const app = createHttpApp({
      host: { listComponents: () => [], componentExists: () => false, componentHandler: () => undefined },
      metrics: new MetricsRegistry(),
      logger,
      ready: () => true,
      reload: async () => {},
      basicAuth: () => service.basicAuth(),
    });
    await service.start(app);
    const base = `http://127.0.0.1:${service.port}`;
    assert.ok(lines.some((l) => l.includes('msg="now listening for http traffic"')));
    assert.equal((await curl("--http1.1", `${base}/-/ready`)).stdout, "Alloy is ready.\n");
    assert.equal((await curl("--http2-prior-knowledge", `${base}/-/ready`)).stdout, "Alloy is ready.\n");
    const client = platform().createHttp2Client(base);
    assert.equal(await (await client.fetch("/-/healthy")).text(), "All Alloy components are healthy.\n");
    await client.close();

    // An http block with TLS from files and basic auth, decoded as the controller will decode it.
    const certs = makeTestCertificates();
    const dir = makeTempDir();
    writeFileSync(join(dir.path, "cert.pem"), certs.cert);
    writeFileSync(join(dir.path, "key.pem"), certs.key);
    writeFileSync(join(dir.path, "ca.pem"), certs.ca);
    const block = (source: string) => decodeBody(parseFile("main.alloy", source), HttpBlock);
    await service.apply(block(`tls {\n cert_file = "${dir.path}/cert.pem"\n key_file = "${dir.path}/key.pem"\n}\nauth {\n basic {\n username = "u"\n password = "p"\n }\n}\n`));
    assert.ok(lines.some((l) => l.includes('msg="applying TLS config to HTTP server"')));
    const https = `https://127.0.0.1:${service.port}/-/ready`;
    const ca = join(dir.path, "ca.pem");
    assert.equal((await curl("--cacert", ca, "--http2", "-u", "u:p", https)).stdout, "Alloy is ready.\n");
    assert.equal((await curl("--cacert", ca, "--http1.1", "-u", "u:p", https)).stdout, "Alloy is ready.\n");
    assert.equal((await curl("--cacert", ca, "-o", "/dev/null", "-w", "%{http_code}", https)).stdout, "401");
    assert.notEqual((await curl("--http1.1", `${base}/-/ready`)).code, 0, "plain HTTP is refused while TLS is on");

    // Removing the block turns TLS and auth off again.
    await service.apply(undefined);
    assert.ok(lines.some((l) => l.includes('msg="applying non-TLS config to HTTP server"')));
    assert.equal((await curl("--http1.1", `${base}/-/ready`)).stdout, "Alloy is ready.\n");
    dir.cleanup();

    // A TLS file that cannot be read is an error, and the previous settings stay.
    await assert.rejects(service.apply(block('tls {\n cert_file = "/nonexistent/cert.pem"\n key_file = "/nonexistent/key.pem"\n}\n')), /ENOENT/);
    assert.equal((await curl("--http1.1", `${base}/-/ready`)).stdout, "Alloy is ready.\n");
  });

  it("answers one request after another on a connection without resets (kept alive, or closed cleanly)", async () => {
    // Deno's node:http resets a kept-alive connection it was handed; there the server closes each
    // connection after its response instead, and clients never see a reset.
    const base = `http://127.0.0.1:${service.port}`;
    const verbose = await new Promise<string>((resolve) =>
      execFile("curl", ["-sv", "--http1.1", "--max-time", "5", `${base}/-/ready`, `${base}/-/ready`, `${base}/-/ready`], (_error, stdout, stderr) =>
        resolve(`${stdout}${stderr}`),
      ),
    );
    assert.equal(verbose.match(/Alloy is ready\./g)?.length, 3, verbose);
    assert.doesNotMatch(verbose, /reset by peer|seems to be dead|retrying/, verbose);
  });

  it("refuses to start on an address in use, with Alloy's message", async () => {
    const other = new HttpService({ platform: platform(), logger, listenAddr: `127.0.0.1:${service.port}`, memoryAddr: "alloy.internal:12345" });
    const app = createHttpApp({
      host: { listComponents: () => [], componentExists: () => false, componentHandler: () => undefined },
      metrics: new MetricsRegistry(),
      logger,
      ready: () => true,
      reload: async () => {},
      basicAuth: () => undefined,
    });
    await assert.rejects(other.start(app), new RegExp(`failed to listen on 127\\.0\\.0\\.1:${service.port}`));
  });
});
