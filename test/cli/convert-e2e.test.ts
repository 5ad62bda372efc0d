// `alloy run --config.format=prometheus` with real peers: a prometheus.yml that scrapes Debian's
// prometheus-node-exporter and remote-writes to Debian's Prometheus is converted and run by the real
// CLI (under the runtime running the test), and the series arrive in Prometheus.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { type ChildRun, repoRoot, spawnCommand, spawnRuntime } from "../helpers/runtime.ts";
import { makeTempDir } from "../helpers/tmp.ts";

const PROMETHEUS = "/usr/bin/prometheus";
const NODE_EXPORTER = "/usr/bin/prometheus-node-exporter";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

describe("alloy run --config.format=prometheus with real node_exporter and Prometheus", { timeout: 180_000 }, () => {
  const dir = makeTempDir("alloy-ts-convert-e2e-");
  const children: ChildRun[] = [];
  let promPort = 0;
  let nodePort = 0;

  before(async () => {
    for (const bin of [PROMETHEUS, NODE_EXPORTER]) {
      assert.ok(existsSync(bin), `${bin} is needed (Debian packages prometheus and prometheus-node-exporter; .ci/run installs them)`);
    }
    promPort = await freePort();
    nodePort = await freePort();
    const node = spawnCommand(NODE_EXPORTER, [`--web.listen-address=127.0.0.1:${nodePort}`]);
    children.push(node);
    await node.waitFor(/Listening on/, 30_000);
    writeFileSync(join(dir.path, "receiver.yml"), "global:\n  scrape_interval: 1m\n");
    const prometheus = spawnCommand(PROMETHEUS, [
      `--config.file=${join(dir.path, "receiver.yml")}`,
      `--storage.tsdb.path=${join(dir.path, "tsdb")}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      "--web.enable-remote-write-receiver",
    ]);
    children.push(prometheus);
    await prometheus.waitFor(/Server is ready to receive web requests/, 30_000);
  });

  after(async () => {
    for (const child of children.reverse()) {
      child.kill("SIGTERM");
      await child.completion(30_000).catch(() => {});
    }
    dir.cleanup();
  });

  it("converts the Prometheus configuration, runs it, and delivers node_exporter's series", async () => {
    const yml = join(dir.path, "prometheus.yml");
    writeFileSync(
      yml,
      [
        "global:",
        "  scrape_interval: 1s",
        "  scrape_timeout: 900ms",
        "  external_labels:",
        "    source: converted",
        "scrape_configs:",
        "  - job_name: node",
        "    static_configs:",
        `      - targets: ["127.0.0.1:${nodePort}"]`,
        "remote_write:",
        `  - url: http://127.0.0.1:${promPort}/api/v1/write`,
        "    queue_config:",
        "      batch_send_deadline: 500ms",
        "",
      ].join("\n"),
    );
    const alloy = spawnRuntime(
      join(repoRoot, "src/cli/entry.ts"),
      ["run", "--config.format=prometheus", "--server.http.listen-addr=127.0.0.1:0", `--storage.path=${join(dir.path, "data")}`, yml],
      { cwd: dir.path },
    );
    children.push(alloy);
    const output = await alloy.waitFor(/msg="now listening for http traffic".*addr=127\.0\.0\.1:\d+/, 60_000);
    const port = /addr=127\.0\.0\.1:(\d+)/.exec(output)![1];

    // The UI shows the converted source's components.
    const components = (await (await fetch(`http://127.0.0.1:${port}/api/v0/web/components`)).json()) as { localID: string }[];
    assert.ok(components.some((c) => c.localID.startsWith("prometheus.scrape.")), JSON.stringify(components.map((c) => c.localID)));
    assert.ok(components.some((c) => c.localID.startsWith("prometheus.remote_write.")));

    const deadline = Date.now() + 60_000;
    let result: { metric: Record<string, string>; value: [number, string] }[] = [];
    while (Date.now() < deadline) {
      const url = new URL(`http://127.0.0.1:${promPort}/api/v1/query`);
      url.searchParams.set("query", 'node_memory_MemTotal_bytes{job="node"}');
      const body = (await (await fetch(url)).json()) as { data: { result: typeof result } };
      result = body.data.result;
      if (result.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    assert.equal(result.length, 1, "node_exporter's series reached Prometheus");
    assert.equal(result[0]!.metric.instance, `127.0.0.1:${nodePort}`);
    assert.equal(result[0]!.metric.source, "converted", "the global external label came through the conversion");
    assert.ok(Number(result[0]!.value[1]) > 64 * 1024 * 1024);
  });
});
