// import.http's `client` block is Alloy's common HTTP client configuration: a module served over TLS
// by a server with a private CA and a required client certificate loads with tls_config, fails with
// a clear error without it, and Alloy's client validation applies.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { platform } from "../../src/platform/mod.ts";
import type { HttpServer } from "../../src/platform/mod.ts";
import type { Runtime } from "../../src/runtime/index.ts";
import { makeTestCertificates } from "../helpers/tls.ts";
import { makeTempDir } from "../helpers/tmp.ts";
import { exportString, newTestRuntime } from "./helpers.ts";
import { PROBES } from "./probes.ts";
import { testRegistry } from "./testcomponents/index.ts";

describe("runtime: import.http client settings", () => {
  const dir = makeTempDir("alloy-ts-import-http-");
  const certs = makeTestCertificates();
  let server: HttpServer | undefined;
  const runtimes: Runtime[] = [];

  before(async () => {
    server = await platform().serve({
      hostname: "127.0.0.1",
      port: 0,
      tls: { cert: certs.cert, key: certs.key, clientCa: certs.ca, clientAuth: "RequireAndVerifyClientCert" },
      fetch: (request) =>
        new Response(`declare "m" {\n  export "v" {\n    value = ${JSON.stringify(request.headers.get("x-tenant") ?? "none")}\n  }\n}\n`),
    });
    for (const [name, pem] of [["ca.pem", certs.ca], ["client.pem", certs.clientCert], ["client.key", certs.clientKey]] as const) {
      writeFileSync(join(dir.path, name), pem);
    }
  });
  after(async () => {
    await Promise.all(runtimes.map((r) => r.stop()));
    await server?.close(0);
    dir.cleanup();
  });

  const load = (client: string) => {
    const { runtime } = newTestRuntime({ storagePath: join(dir.path, "data"), registry: testRegistry(...PROBES), minStability: "experimental" });
    runtimes.push(runtime);
    const config = `import.http "mod" {\n  url = "https://127.0.0.1:${server!.port}/module.alloy"\n  client {\n${client}  }\n}\nmod.m "x" {}\n`;
    return { runtime, result: runtime.load({ "main.alloy": config }) };
  };
  const file = (name: string) => JSON.stringify(join(dir.path, name));

  it("loads a module from a server that requires a client certificate", async () => {
    const { runtime, result } = load(
      `    http_headers = { "X-Tenant" = ["team-a"] }\n    tls_config {\n      ca_file   = ${file("ca.pem")}\n      cert_file = ${file("client.pem")}\n      key_file  = ${file("client.key")}\n    }\n`,
    );
    assert.equal((await result).error, undefined);
    assert.equal(exportString(runtime.component("mod.m.x")!.exports, "v"), "team-a");
  });

  it("fails the load with the TLS reason when the CA is missing", async () => {
    const { result } = load(`    follow_redirects = true\n`);
    assert.match((await result).error ?? "", /creating http component: performing request: Get "https:\/\/127\.0\.0\.1:\d+\/module\.alloy": .*(certificate|verify)/i);
  });

  it("applies Alloy's client validation", async () => {
    const { result } = load(`    no_proxy = "example.com"\n`);
    assert.match((await result).error ?? "", /if no_proxy is configured, proxy_url must also be configured/);
  });
});
