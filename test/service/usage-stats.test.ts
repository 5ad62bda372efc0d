// Usage reporting: the seed file, the 4-hour schedule, and a report sent only to a configured
// endpoint — here a server on 127.0.0.1.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { platform } from "../../src/platform/mod.ts";
import { LogController } from "../../src/runtime/logging/logger.ts";
import { loadSeed, nextReportTime, sendReport } from "../../src/service/usage-stats.ts";
import { makeTempDir } from "../helpers/tmp.ts";

const logger = new LogController({ write: () => {} }).logger();

describe("usage stats", () => {
  const dir = makeTempDir();
  after(() => dir.cleanup());

  it("creates the seed once and reads it back", async () => {
    const storage = join(dir.path, "data-alloy");
    const seed = await loadSeed(platform(), storage, "0.1.0", logger);
    assert.match(seed.UID, /^[0-9a-f-]{36}$/);
    assert.deepEqual(JSON.parse(readFileSync(join(storage, "alloy_seed.json"), "utf8")), seed);
    assert.deepEqual(await loadSeed(platform(), storage, "0.2.0", logger), seed);
  });

  it("anchors the schedule at the seed's creation time", () => {
    const seed = { UID: "x", created_at: "2026-01-01T00:00:00.000Z", version: "v0.1.0" };
    assert.equal(nextReportTime(seed, new Date("2026-01-01T01:00:00Z")).toISOString(), "2026-01-01T04:00:00.000Z");
    assert.equal(nextReportTime(seed, new Date("2026-01-01T05:00:00Z")).toISOString(), "2026-01-01T08:00:00.000Z");
  });

  it("posts the report to the configured endpoint", async () => {
    const received: { headers: Headers; body: string }[] = [];
    const server = await platform().serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(request) {
        received.push({ headers: request.headers, body: await request.text() });
        return new Response("ok");
      },
    });
    try {
      const seed = { UID: "1234", created_at: "2026-01-01T00:00:00.000Z", version: "v0.1.0" };
      await sendReport(
        {
          platform: platform(),
          logger,
          seed,
          version: "0.1.0",
          endpoint: `http://127.0.0.1:${server.port}/alloy-usage-report`,
          enabledComponents: () => ["prometheus.scrape", "prometheus.remote_write"],
        },
        new Date("2026-01-01T04:00:00Z"),
      );
      assert.equal(received.length, 1);
      assert.equal(received[0]!.headers.get("content-type"), "application/json");
      const report = JSON.parse(received[0]!.body);
      assert.deepEqual(report, {
        usageStatsId: "1234",
        createdAt: "2026-01-01T00:00:00.000Z",
        interval: "2026-01-01T04:00:00.000Z",
        version: "v0.1.0",
        metrics: { "enabled-components": ["prometheus.scrape", "prometheus.remote_write"] },
        os: platform().runtime.os,
        arch: platform().runtime.arch,
        deployMode: "binary",
        engine: "default",
      });
      assert.ok(received[0]!.body.includes('\n "usageStatsId"'), "indented with one space, as Alloy");
    } finally {
      await server.close(100);
    }
  });
});
