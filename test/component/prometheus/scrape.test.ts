// prometheus.scrape against local HTTP targets: labels, the synthetic series, content negotiation,
// gzip, limits, staleness markers (series gone, target down, target removed), honor_labels, and
// prometheus.relabel in the pipeline.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { acceptHeader, DEFAULT_SCRAPE_PROTOCOLS } from "../../../src/component/prometheus/scrape/component.ts";
import { fnv64a, formatModelDuration, parseModelDuration, Target, targetURL } from "../../../src/component/prometheus/scrape/target.ts";
import { makeTempDir } from "../../helpers/tmp.ts";
import { eventually, newRuntime, type RecordedSample, sinks, startServer, type TestServer } from "./helpers.ts";

const dir = makeTempDir("alloy-ts-scrape-");
after(() => dir.cleanup());

const latest = (samples: RecordedSample[], series: string) => samples.filter((s) => s.series === series).at(-1);

function config(target: TestServer, sink: string, extra = "", targetExtra = ""): string {
  return `
prometheus.scrape "t" {
  targets         = [{"__address__" = "${target.host}"${targetExtra}}]
  forward_to      = [testing.metrics_sink.${sink}.receiver]
  scrape_interval = "200ms"
  scrape_timeout  = "150ms"
  ${extra}
}
testing.metrics_sink "${sink}" {}
`;
}

describe("prometheus.scrape", () => {
  it("builds Prometheus's Accept header, URLs and durations", () => {
    assert.equal(
      acceptHeader(DEFAULT_SCRAPE_PROTOCOLS, "underscores"),
      "application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5," +
        "text/plain;version=1.0.0;escaping=underscores;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
    );
    assert.equal(
      targetURL([["__address__", "h:1"], ["__metrics_path__", "/probe"], ["__param_module", "x y"], ["__scheme__", "https"]], { target: ["a&b"], module: ["m"] }),
      "https://h:1/probe?module=x+y&target=a%26b",
    );
    assert.equal(formatModelDuration(90_000), "1m30s");
    assert.equal(formatModelDuration(60_000), "1m");
    assert.equal(parseModelDuration("1h5m"), 3_900_000);
    assert.equal(fnv64a(""), 0xcbf29ce484222325n);
    assert.equal(fnv64a("a"), 0xaf63dc4c8601ec8cn);
    // The offset is within the interval and stable for the same target and time.
    const t = new Target([["__address__", "h:1"], ["__scrape_interval__", "15s"], ["__scrape_timeout__", "10s"], ["__scheme__", "http"], ["__metrics_path__", "/metrics"]], {
      jobName: "j", intervalMs: 15000, timeoutMs: 10000, metricsPath: "/metrics", scheme: "http", params: {},
      scrapeNativeHistograms: false, scrapeClassicHistograms: false, convertClassicHistogramsToNHCB: false,
    });
    const o = t.offsetMs(123n, 1_700_000_000_000);
    assert.ok(o >= 0 && o <= 15000);
    assert.equal(t.offsetMs(123n, 1_700_000_000_000), o);
    assert.equal(t.offsetMs(123n, 1_700_000_001_000), o - 1000 < 0 ? o - 1000 + 15000 : o - 1000, "pinned to absolute time");
  });

  it("scrapes a target: target labels, up and scrape_* series, request headers", async () => {
    let body = "# TYPE a counter\na_total 1\nb{x=\"1\"} 2\nc 3 1700000000000\n";
    const target = await startServer((_req, _b, res) => {
      res.setHeader("Content-Type", "text/plain; version=0.0.4");
      res.end(body);
    });
    const runtime = newRuntime(`${dir.path}/basic`);
    try {
      const loaded = await runtime.load({ "c.alloy": config(target, "basic", `params = { "p" = ["v 1"] }`) });
      assert.ok(loaded.ok, loaded.error);
      runtime.start();
      const recorded = () => sinks.get("basic")!;
      await eventually(() => assert.ok(recorded().some((s) => s.series.startsWith("up{"))));
      const job = "prometheus.scrape.t";
      const up = latest(recorded(), `up{instance="${target.host}", job="${job}"}`);
      assert.equal(up?.value, 1);
      assert.equal(latest(recorded(), `a_total{instance="${target.host}", job="${job}"}`)?.value, 1);
      assert.equal(latest(recorded(), `b{instance="${target.host}", job="${job}", x="1"}`)?.value, 2);
      // Whole milliseconds, as Prometheus's timestamps (the scrape offset has fractions of one).
      assert.ok(recorded().every((s) => Number.isInteger(s.timestamp)), "integer timestamps");
      assert.equal(latest(recorded(), `c{instance="${target.host}", job="${job}"}`)?.timestamp, 1700000000000, "honor_timestamps");
      assert.equal(latest(recorded(), `scrape_samples_scraped{instance="${target.host}", job="${job}"}`)?.value, 3);
      assert.equal(latest(recorded(), `scrape_series_added{instance="${target.host}", job="${job}"}`)?.value, 3);
      assert.ok(latest(recorded(), `scrape_duration_seconds{instance="${target.host}", job="${job}"}`)!.value < 1);
      const req = target.requests[0]!;
      assert.equal(req.url, "/metrics?p=v+1");
      assert.match(req.headers.accept!, /^application\/openmetrics-text;version=1\.0\.0;escaping=underscores;q=0\.6,/);
      assert.equal(req.headers["x-prometheus-scrape-timeout-seconds"], "0.15");
      assert.equal(req.headers["accept-encoding"], "gzip");
      assert.match(req.headers["user-agent"]!, /^Alloy\//);

      // A series that goes away gets one staleness marker at the next scrape; one that stays does not.
      const before = recorded().length;
      body = "# TYPE a counter\na_total 2\nc 3 1700000000000\n";
      await eventually(() => assert.ok(recorded().slice(before).some((s) => s.series.startsWith("b{") && s.stale)));
      assert.ok(!recorded().some((s) => s.series.startsWith("a_total") && s.stale));
      assert.ok(!recorded().some((s) => s.series.startsWith("c{") && s.stale), "explicit timestamps are not tracked");
      const marker = recorded().find((s) => s.stale)!;
      assert.ok(Number.isNaN(marker.value));

      // The target fails: up is 0 and every series gets a marker.
      const failing = recorded().length;
      body = "";
      target.requests.length = 0;
      await eventually(() => assert.ok(recorded().slice(failing).some((s) => s.series.startsWith("a_total") && s.stale)));
      const down = recorded().slice(failing).filter((s) => s.series.startsWith("up{"));
      assert.ok(down.length > 0);
    } finally {
      await runtime.stop();
      await target.close();
    }
  });

  it("reports up=0 with an error for bad status, parse errors, body and sample limits", async () => {
    let mode = "500";
    const target = await startServer((_req, _b, res) => {
      if (mode === "500") {
        res.statusCode = 500;
        res.end("boom");
        return;
      }
      res.setHeader("Content-Type", "text/plain; version=0.0.4");
      if (mode === "bad") res.end("a{ 1\n");
      else res.end("a 1\nb 2\nc 3\n");
    });
    const runtime = newRuntime(`${dir.path}/errors`);
    try {
      await runtime.load({ "c.alloy": config(target, "errors", `sample_limit = 2\nextra_metrics = true\nbody_size_limit = 100000`) });
      runtime.start();
      const status = () => (runtime.component("prometheus.scrape.t")!.debugInfo as { target: { health: string; last_error: string }[] }).target[0]!;
      await eventually(() => assert.equal(status().last_error, "server returned HTTP status 500 Internal Server Error"));
      mode = "bad";
      await eventually(() => assert.match(status().last_error, /^line 1: expected label name, got "1\\n" \("INVALID"\)|^line 1:/));
      mode = "limit";
      await eventually(() => assert.equal(status().last_error, "sample limit exceeded"));
      assert.equal(status().health, "down");
      const rec = sinks.get("errors")!;
      assert.equal(latest(rec, `scrape_sample_limit{instance="${target.host}", job="prometheus.scrape.t"}`)?.value, 2);
      assert.equal(latest(rec, `up{instance="${target.host}", job="prometheus.scrape.t"}`)?.value, 0);
      assert.ok(!rec.some((s) => s.series.startsWith("a{") || s.series.startsWith("b{")), "nothing of a failed scrape is forwarded");
    } finally {
      await runtime.stop();
      await target.close();
    }
  });

  it("negotiates OpenMetrics (exemplars) and reads gzip bodies; honor_labels off renames clashes", async () => {
    const om = '# TYPE r counter\nr_total{job="inner"} 5 # {trace_id="abc"} 1 1700000000.5\n# EOF\n';
    const target = await startServer((req, _b, res) => {
      res.setHeader("Content-Type", "application/openmetrics-text; version=1.0.0; charset=utf-8");
      if (req.headers["accept-encoding"] === "gzip") {
        res.setHeader("Content-Encoding", "gzip");
        res.end(gzipSync(om));
      } else {
        res.end(om);
      }
    });
    const runtime = newRuntime(`${dir.path}/om`);
    try {
      await runtime.load({ "c.alloy": config(target, "om", "", `, "team" = "a"`) });
      runtime.start();
      const rec = () => sinks.get("om")!;
      await eventually(() => assert.ok(rec().some((s) => s.series.startsWith("r_total"))));
      const r = rec().find((s) => s.series.startsWith("r_total"))!;
      assert.deepEqual(r.labels, { __name__: "r_total", exported_job: "inner", instance: target.host, job: "prometheus.scrape.t", team: "a" });
      assert.equal(r.value, 5);
    } finally {
      await runtime.stop();
      await target.close();
    }
  });

  it("honor_labels keeps the target's labels; prometheus.relabel rewrites and drops downstream", async () => {
    const target = await startServer((_req, _b, res) => {
      res.setHeader("Content-Type", "text/plain; version=0.0.4");
      res.end('x{job="inner",keep="yes"} 1\ny{keep="no"} 2\n');
    });
    const runtime = newRuntime(`${dir.path}/relabel`);
    try {
      const loaded = await runtime.load({
        "c.alloy": `
prometheus.scrape "t" {
  targets         = [{"__address__" = "${target.host}"}]
  forward_to      = [prometheus.relabel.r.receiver]
  scrape_interval = "200ms"
  scrape_timeout  = "150ms"
  honor_labels    = true
}
prometheus.relabel "r" {
  forward_to = [testing.metrics_sink.rl.receiver]
  rule {
    source_labels = ["keep"]
    regex         = "no"
    action        = "drop"
  }
  rule {
    source_labels = ["__name__"]
    target_label  = "name_copy"
  }
  rule {
    regex  = "keep"
    action = "labeldrop"
  }
}
testing.metrics_sink "rl" {}
`,
      });
      assert.ok(loaded.ok, loaded.error);
      runtime.start();
      const rec = () => sinks.get("rl")!;
      await eventually(() => assert.ok(rec().some((s) => s.series.startsWith("x{"))));
      const x = rec().find((s) => s.series.startsWith("x{"))!;
      assert.deepEqual(x.labels, { __name__: "x", instance: target.host, job: "inner", name_copy: "x" });
      assert.ok(!rec().some((s) => s.series.startsWith("y{")));
      assert.ok(rec().some((s) => s.series.startsWith("up{")), "report series pass relabelling");
      const metrics = runtime.metrics().families.find((f) => f.name === "alloy_prometheus_relabel_metrics_processed");
      assert.ok(metrics);
    } finally {
      await runtime.stop();
      await target.close();
    }
  });

  it("fails every scrape while there are more targets than target_limit; refuses unimplemented options", async () => {
    const target = await startServer((_req, _b, res) => {
      res.setHeader("Content-Type", "text/plain; version=0.0.4");
      res.end("x 1\n");
    });
    const runtime = newRuntime(`${dir.path}/limit`);
    try {
      const loaded = await runtime.load({ "c.alloy": config(target, "limit", "target_limit = 1", `}, {"__address__" = "${target.host}", "other" = "1"`) });
      assert.ok(loaded.ok, loaded.error);
      runtime.start();
      const statuses = () => (runtime.component("prometheus.scrape.t")!.debugInfo as { target: { last_error: string }[] }).target;
      await eventually(() => assert.ok(statuses().every((s) => s.last_error === "target_limit exceeded (number of targets: 2, limit: 1)")));
      assert.equal(target.requests.length, 0, "nothing is fetched");
      assert.ok(sinks.get("limit")!.every((s) => !s.series.startsWith("x{")));
      const refused = await runtime.load({ "c.alloy": config(target, "limit", "scrape_failure_log_file = \"/tmp/x\"") });
      assert.match(refused.error ?? "", /scrape_failure_log_file is not supported by alloy-ts yet/);
    } finally {
      await runtime.stop();
      await target.close();
    }
  });

  it("writes end-of-run staleness markers for a target that was removed", async () => {
    const target = await startServer((_req, _b, res) => {
      res.setHeader("Content-Type", "text/plain; version=0.0.4");
      res.end("gone_soon 1\n");
    });
    const runtime = newRuntime(`${dir.path}/eor`);
    try {
      await runtime.load({ "c.alloy": config(target, "eor") });
      runtime.start();
      const rec = () => sinks.get("eor")!;
      await eventually(() => assert.ok(rec().some((s) => s.series.startsWith("gone_soon"))));
      const removed = await runtime.load({
        "c.alloy": `
prometheus.scrape "t" {
  targets         = []
  forward_to      = [testing.metrics_sink.eor.receiver]
  scrape_interval = "200ms"
  scrape_timeout  = "150ms"
}
testing.metrics_sink "eor" {}
`,
      });
      assert.ok(removed.ok, removed.error);
      const at = Date.now();
      await eventually(() => {
        assert.ok(rec().some((s) => s.series.startsWith("gone_soon") && s.stale));
        assert.ok(rec().some((s) => s.series.startsWith("up{") && s.stale));
      }, 5000);
      assert.ok(Date.now() - at >= 300, "markers wait about two intervals");
    } finally {
      await runtime.stop();
      await target.close();
    }
  });
});
