// Alloy's labelstore metrics on the agent's /metrics: `alloy run` (a child process) scrapes a loopback
// target and remote-writes to a loopback receiver; the global id count covers the series it handles,
// the remote_write reports the series of its WAL, and the stale-check time is unset or recent.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, spawnRuntime } from "../../helpers/runtime.ts";
import { makeTempDir } from "../../helpers/tmp.ts";
import { eventually, startServer } from "./helpers.ts";

const dir = makeTempDir("alloy-ts-labelstore-");
after(() => dir.cleanup());

/** The samples of `name` in an exposition text: labels text -> value. */
function samples(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)/.exec(line);
    if (m && m[1] === name) out.set(m[2] ?? "", Number(m[3]));
  }
  return out;
}

describe("labelstore metrics", { timeout: 120_000 }, () => {
  it("appear on /metrics with the series the pipeline handles", async () => {
    const target = await startServer((_req, _body, res) => {
      res.setHeader("Content-Type", "text/plain; version=0.0.4");
      res.end("a 1\nb 2\nc{x=\"1\"} 3\nc{x=\"2\"} 4\n");
    });
    const receiver = await startServer((_req, _body, res) => {
      res.statusCode = 204;
      res.end();
    });
    const config = join(dir.path, "config.alloy");
    writeFileSync(
      config,
      `
prometheus.scrape "t" {
  targets         = [{"__address__" = "${target.host}"}]
  forward_to      = [prometheus.remote_write.default.receiver]
  scrape_interval = "200ms"
  scrape_timeout  = "150ms"
}
prometheus.remote_write "default" {
  endpoint {
    url = "${receiver.url}/api/v1/write"
    queue_config { batch_send_deadline = "100ms" }
  }
}
`,
    );
    const run = spawnRuntime(join(repoRoot, "src/cli/entry.ts"), ["run", "--server.http.listen-addr=127.0.0.1:0", `--storage.path=${join(dir.path, "data")}`, config]);
    try {
      const output = await run.waitFor(/msg="now listening for http traffic".*addr=127\.0\.0\.1:\d+/, 60_000);
      const port = Number(/addr=127\.0\.0\.1:(\d+)/.exec(output.slice(output.indexOf("now listening for http traffic")))![1]);
      const metrics = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      // 4 scraped series and the scrape's 5 synthetic ones (up, scrape_*), all through remote_write.
      await eventually(async () => {
        const text = await metrics();
        assert.ok((samples(text, "alloy_labelstore_remote_store_ids_count").get('{remote_name="prometheus.remote_write.default"}') ?? 0) >= 9, text);
      }, 60_000);
      const text = await metrics();
      assert.match(text, /# TYPE alloy_labelstore_global_ids_count gauge/);
      assert.match(text, /# HELP alloy_labelstore_remote_store_ids_count Total number of ids per remote write/);
      const global = samples(text, "alloy_labelstore_global_ids_count").get("")!;
      assert.ok(global >= 9 && global < 100, `global ids: ${global}`);
      assert.equal(samples(text, "alloy_labelstore_remote_store_ids_count").get('{remote_name="prometheus.remote_write.default"}'), 9);
      const lastCheck = samples(text, "alloy_labelstore_last_stale_check_timestamp").get("")!;
      assert.ok(lastCheck === 0 || Math.abs(lastCheck - Date.now() / 1000) < 600, `last stale check: ${lastCheck}`);
    } finally {
      run.kill("SIGTERM");
      await run.completion(30_000).catch(() => {});
      await target.close();
      await receiver.close();
    }
  });
});
