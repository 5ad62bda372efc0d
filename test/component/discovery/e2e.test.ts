// End to end: `alloy run` (a child process under the runtime running the test) with discovery.file
// feeding prometheus.scrape. Loopback exporters are scraped with the labels of the targets file, and
// editing the file moves the scrapes to the new targets.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ChildRun, repoRoot, spawnRuntime } from "../../helpers/runtime.ts";
import { makeTempDir } from "../../helpers/tmp.ts";
import { eventually, startServer, type TestServer } from "../prometheus/helpers.ts";

const dir = makeTempDir("alloy-ts-discovery-e2e-");
const servers: TestServer[] = [];
let alloy: ChildRun | undefined;
after(async () => {
  alloy?.kill("SIGTERM");
  await alloy?.completion(30_000);
  for (const s of servers) await s.close();
  dir.cleanup();
});

async function exporter(): Promise<TestServer> {
  const s = await startServer((_req, _body, res) => {
    res.setHeader("Content-Type", "text/plain; version=0.0.4");
    res.end("# TYPE demo gauge\ndemo 1\n");
  });
  servers.push(s);
  return s;
}

/** Replaces the targets file at once, as a configuration tool would. */
function writeTargets(path: string, groups: unknown): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(groups));
  renameSync(`${path}.tmp`, path);
}

describe("discovery.file -> prometheus.scrape in alloy run", { timeout: 120_000 }, () => {
  it("scrapes the discovered targets with their labels and follows the file", async () => {
    const [a, b] = [await exporter(), await exporter()];
    const targets = join(dir.path, "targets.json");
    writeTargets(targets, [{ targets: [a.host], labels: { env: "dev" } }]);
    const config = join(dir.path, "config.alloy");
    writeFileSync(
      config,
      `
discovery.file "f" {
  files = ["${targets}"]
}

prometheus.scrape "s" {
  targets         = discovery.file.f.targets
  forward_to      = []
  scrape_interval = "200ms"
  scrape_timeout  = "150ms"
}
`,
    );
    alloy = spawnRuntime(join(repoRoot, "src/cli/entry.ts"), ["run", "--server.http.listen-addr=127.0.0.1:0", `--storage.path=${join(dir.path, "data")}`, config]);
    const output = await alloy.waitFor(/msg="now listening for http traffic".*addr=127\.0\.0\.1:\d+/, 60_000);
    const port = /addr=127\.0\.0\.1:(\d+)/.exec(output)![1];
    const scrapeInfo = async () => JSON.stringify(await (await fetch(`http://127.0.0.1:${port}/api/v0/web/components/prometheus.scrape.s`)).json());

    await eventually(() => assert.ok(a.requests.length > 0, "the discovered exporter is scraped"), 30_000);
    assert.equal(a.requests[0]!.url, "/metrics");
    await eventually(async () => {
      const info = await scrapeInfo();
      assert.ok(info.includes(a.host), info);
      assert.ok(info.includes('"env"') && info.includes('"dev"'), `the group's label reaches the scrape target: ${info}`);
    }, 30_000);

    writeTargets(targets, [{ targets: [b.host], labels: { env: "prod" } }]);
    await eventually(() => assert.ok(b.requests.length > 0, "the new target is scraped"), 30_000);
    await eventually(async () => {
      const info = await scrapeInfo();
      assert.ok(info.includes(b.host) && !info.includes(a.host), info);
    }, 30_000);
  });
});
