// End to end over TLS: `alloy run` (a child under the runtime running this test) scrapes a target
// whose certificate comes from a private CA (tls_config.ca_file) and remote-writes to a receiver
// that requires a client certificate (ca_file, cert_file, key_file). The receiver decodes what it
// gets: the scraped series arrive, so both TLS set-ups worked on this runtime.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { platform } from "../../../src/platform/mod.ts";
import type { HttpServer } from "../../../src/platform/mod.ts";
import { decodeWriteRequest } from "../../../src/wire/remotewrite/decode.ts";
import { decompress } from "../../../src/wire/snappy/snappy.ts";
import { type ChildRun, repoRoot, spawnRuntime } from "../../helpers/runtime.ts";
import { makeTestCertificates } from "../../helpers/tls.ts";
import { makeTempDir } from "../../helpers/tmp.ts";
import { eventually } from "./helpers.ts";

const p = platform();
const entry = join(repoRoot, "src/cli/entry.ts");

describe("alloy run: scrape over TLS with a private CA, remote_write with mutual TLS", { timeout: 120_000 }, () => {
  const dir = makeTempDir("alloy-ts-tls-e2e-");
  const certs = makeTestCertificates();
  let target: HttpServer | undefined;
  let receiver: HttpServer | undefined;
  let alloy: ChildRun | undefined;
  const received: { labels: Record<string, string>; value: number }[] = [];

  before(async () => {
    target = await p.serve({
      hostname: "127.0.0.1",
      port: 0,
      tls: { cert: certs.cert, key: certs.key },
      fetch: () =>
        new Response("# TYPE alloy_ts_tls_e2e gauge\nalloy_ts_tls_e2e{source=\"private-ca\"} 42\n", {
          headers: { "content-type": "text/plain; version=0.0.4" },
        }),
    });
    receiver = await p.serve({
      hostname: "127.0.0.1",
      port: 0,
      tls: { cert: certs.cert, key: certs.key, clientCa: certs.ca, clientAuth: "RequireAndVerifyClientCert" },
      async fetch(request) {
        const body = decompress(new Uint8Array(await request.arrayBuffer()));
        for (const series of decodeWriteRequest(body).timeseries) {
          const labels: Record<string, string> = {};
          for (let i = 0; i < series.labels.length; i += 2) labels[series.labels[i]!] = series.labels[i + 1]!;
          for (const sample of series.samples) received.push({ labels, value: sample.value });
        }
        return new Response(null, { status: 204 });
      },
    });
    for (const [name, pem] of [["ca.pem", certs.ca], ["client.pem", certs.clientCert], ["client.key", certs.clientKey]] as const) {
      writeFileSync(join(dir.path, name), pem);
    }
    const file = (name: string) => JSON.stringify(join(dir.path, name));
    writeFileSync(
      join(dir.path, "config.alloy"),
      `prometheus.scrape "tls" {
  targets         = [{"__address__" = "127.0.0.1:${target.port}"}]
  scheme          = "https"
  scrape_interval = "1s"
  scrape_timeout  = "1s"
  tls_config {
    ca_file = ${file("ca.pem")}
  }
  forward_to = [prometheus.remote_write.mtls.receiver]
}

prometheus.remote_write "mtls" {
  endpoint {
    url = "https://127.0.0.1:${receiver.port}/api/v1/write"
    tls_config {
      ca_file   = ${file("ca.pem")}
      cert_file = ${file("client.pem")}
      key_file  = ${file("client.key")}
    }
    queue_config {
      batch_send_deadline = "1s"
    }
  }
}
`,
    );
    alloy = spawnRuntime(entry, ["run", "--server.http.listen-addr=127.0.0.1:0", `--storage.path=${join(dir.path, "data")}`, join(dir.path, "config.alloy")]);
    await alloy.waitFor(/now listening for http traffic/, 60_000);
  });

  after(async () => {
    alloy?.kill("SIGTERM");
    await alloy?.completion(30_000);
    await Promise.all([target?.close(0), receiver?.close(0)]);
    dir.cleanup();
  });

  it("delivers the scraped series to the mTLS receiver", async () => {
    await eventually(() => {
      const sample = received.find((s) => s.labels.__name__ === "alloy_ts_tls_e2e");
      assert.ok(sample, `no alloy_ts_tls_e2e sample yet; agent output:\n${alloy!.output.slice(-2000)}`);
      assert.equal(sample.value, 42);
      assert.equal(sample.labels.source, "private-ca");
      assert.equal(sample.labels.job, "prometheus.scrape.tls");
      assert.equal(sample.labels.instance, `127.0.0.1:${target!.port}`);
    }, 60_000);
    // up = 1: the scrape itself succeeded over TLS.
    assert.ok(received.some((s) => s.labels.__name__ === "up" && s.value === 1));
  });
});
