// prometheus.receive_http: remote-write requests encoded with our encoder (and, for what it cannot
// produce, written field by field) are posted to the component's own server; a recording sink in
// forward_to shows what arrived — labels, values, timestamps, stale markers, exemplars, native
// histograms, metadata. Bad requests get Prometheus's statuses and messages; hostile bodies never hurt
// the server; the server restarts only when its blocks change, and finishes requests in flight when
// it stops. The last part has Debian's Prometheus scrape a loopback target and remote-write to us.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { labelStore } from "../../../src/component/prometheus/labelstore.ts";
import { appendableType, type MetricMetadata, type MetricsBatch, type MetricsReceiver } from "../../../src/component/prometheus/receiver.ts";
import { builtinRegistry } from "../../../src/component/registry.ts";
import { platform as currentPlatform } from "../../../src/platform/mod.ts";
import { createRuntime, defineComponent, type Runtime, type Stability } from "../../../src/runtime/index.ts";
import { LogController } from "../../../src/runtime/logging/logger.ts";
import type { MetricFamily } from "../../../src/runtime/metrics/registry.ts";
import { attr, struct, t } from "../../../src/syntax/schema/index.ts";
import { LabelsBuilder } from "../../../src/wire/labels/builder.ts";
import { SeriesTable } from "../../../src/wire/labels/series.ts";
import { NativeHistogram } from "../../../src/wire/histogram.ts";
import { ProtoWriter } from "../../../src/wire/protobuf/writer.ts";
import { WriteRequestEncoder, writeHistogram } from "../../../src/wire/remotewrite/encode.ts";
import { REMOTE_WRITE_HEADERS, requestBody } from "../../../src/wire/remotewrite/request.ts";
import { type ChildRun, spawnCommand } from "../../helpers/runtime.ts";
import { makeTestCertificates } from "../../helpers/tls.ts";
import { makeTempDir } from "../../helpers/tmp.ts";
import { eventually, freePort, seriesText, startServer } from "./helpers.ts";

const dir = makeTempDir("alloy-ts-receive-http-");
after(() => dir.cleanup());
let runtimes = 0;

// --- a sink that records everything a batch carries ---------------------------------------------

interface Received {
  samples: { series: string; value: number; timestamp: number; stale: boolean }[];
  exemplars: { series: string; labels: string[]; value: number; timestamp: number }[];
  histograms: { series: string; timestamp: number; histogram: NativeHistogram }[];
  metadata: MetricMetadata[];
  appends: number;
}
const received = new Map<string, Received>();
/** While set, sinks wait for it before returning from append (a slow downstream). */
let hold: Promise<void> | undefined;

function labelsOf(ref: number): Record<string, string> {
  const flat = labelStore().labels(ref);
  const labels: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) labels[flat[i]!] = flat[i + 1]!;
  return labels;
}

function record(into: Received, batch: MetricsBatch): void {
  into.appends++;
  for (let i = 0; i < batch.length; i++) {
    into.samples.push({ series: seriesText(labelsOf(batch.ids[i]!)), value: batch.values[i]!, timestamp: batch.timestamps[i]!, stale: batch.isStale(i) });
  }
  for (const e of batch.exemplars) {
    const ref = e.sample >= 0 ? batch.ids[e.sample]! : e.id!;
    into.exemplars.push({ series: seriesText(labelsOf(ref)), labels: [...e.labels], value: e.value, timestamp: e.timestamp });
  }
  for (const h of batch.histograms) {
    into.histograms.push({ series: seriesText(labelsOf(h.id)), timestamp: h.timestamp, histogram: new NativeHistogram().copyFrom(h.histogram) });
  }
  into.metadata.push(...batch.metadata.map((m) => ({ ...m })));
}

const rwSink = defineComponent({
  name: "testing.rw_sink",
  stability: "generally-available",
  args: struct({ fail: attr(t.bool(), { optional: true }) }),
  exports: struct({ receiver: attr(appendableType()) }),
  build(context, initial) {
    const into: Received = { samples: [], exemplars: [], histograms: [], metadata: [], appends: 0 };
    received.set(context.id.slice("testing.rw_sink.".length), into);
    let fail = initial.fail;
    const receiver: MetricsReceiver = {
      async append(batch) {
        if (fail) throw new Error("sink refuses the batch");
        record(into, batch);
        if (hold) await hold;
      },
    };
    context.onStateChange({ receiver });
    return {
      async run(signal) {
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
      },
      update(next) {
        fail = next.fail;
      },
    };
  },
});

function newRuntime(level: Stability = "experimental"): Runtime {
  return createRuntime({
    registry: builtinRegistry([rwSink]),
    logs: new LogController({ write: () => {} }, { level: "error", format: "logfmt" }),
    storagePath: join(dir.path, `data-${runtimes++}`),
    minStability: level,
  });
}

function receiverConfig(port: number, sink: string, extra = ""): string {
  return `
prometheus.receive_http "rw" {
  http {
    listen_address = "127.0.0.1"
    listen_port    = ${port}
  }
  forward_to = [testing.rw_sink.${sink}.receiver]
  ${extra}
}
testing.rw_sink "${sink}" {}
`;
}

/** Starts a runtime running `config`; returns it and the write URL on `port`. */
async function start(config: string, port: number, level: Stability = "experimental"): Promise<{ runtime: Runtime; url: string }> {
  const runtime = newRuntime(level);
  const loaded = await runtime.load({ "c.alloy": config });
  assert.ok(loaded.ok, loaded.error);
  runtime.start();
  return { runtime, url: `http://127.0.0.1:${port}/api/v1/metrics/write` };
}

// --- requests -----------------------------------------------------------------------------------

interface SeriesSpec {
  labels: Record<string, string>;
  samples?: [timestamp: number, value: number, stale?: boolean][];
  exemplars?: { sample: number; labels: string[]; value: number; timestamp: number }[];
  histograms?: { timestamp: number; histogram: NativeHistogram }[];
}

/** A remote write 1.0 request body (protobuf, uncompressed) from our WriteRequestEncoder. */
function encodeV1(series: SeriesSpec[], metadata: MetricMetadata[] = []): Uint8Array {
  const table = new SeriesTable();
  const lb = new LabelsBuilder();
  const refs: number[] = [], timestamps: number[] = [], values: number[] = [], stale: number[] = [];
  const exemplars: { sample: number; labels: string[]; value: number; timestamp: number }[] = [];
  const histograms: { ref: number; timestamp: number; histogram: NativeHistogram }[] = [];
  for (const s of series) {
    lb.reset();
    for (const [k, v] of Object.entries(s.labels)) lb.add(k, v);
    const ref = table.intern(lb.sort());
    const first = refs.length;
    for (const [ts, v, isStale] of s.samples ?? []) {
      refs.push(ref);
      timestamps.push(ts);
      values.push(v);
      stale.push(isStale ? 1 : 0);
    }
    for (const e of s.exemplars ?? []) exemplars.push({ ...e, sample: first + e.sample });
    for (const h of s.histograms ?? []) histograms.push({ ref, ...h });
  }
  const encoder = new WriteRequestEncoder(table);
  return encoder.encode({ samples: { length: refs.length, refs, timestamps, values, stale }, exemplars, histograms, metadata }).slice();
}

/** A prometheus.WriteRequest written field by field, for labels our encoder would never produce. */
function rawV1(series: { labels: [Uint8Array | string, Uint8Array | string][]; samples: [number, number][] }[]): Uint8Array {
  const w = new ProtoWriter();
  const bytes = (s: Uint8Array | string) => (typeof s === "string" ? new TextEncoder().encode(s) : s);
  for (const s of series) {
    w.tag(1, 2);
    const ts = w.begin();
    for (const [name, value] of s.labels) {
      w.tag(1, 2);
      const l = w.begin();
      w.tag(1, 2);
      w.lenBytes(bytes(name));
      w.tag(2, 2);
      w.lenBytes(bytes(value));
      w.end(l);
    }
    for (const [timestamp, value] of s.samples) {
      w.tag(2, 2);
      const m = w.begin();
      w.tag(1, 1);
      w.double(value);
      w.tag(2, 0);
      w.varint(timestamp);
      w.end(m);
    }
    w.end(ts);
  }
  return w.bytes().slice();
}

interface V2Series {
  labels: string[];
  samples?: [timestamp: number, value: number][];
  histograms?: { timestamp: number; histogram: NativeHistogram }[];
  exemplars?: { labels: string[]; value: number; timestamp: number }[];
  /** io.prometheus.write.v2.Metadata.MetricType number, help, unit. */
  metadata?: { type: number; help: string; unit: string };
  /** Label refs written as given instead of from `labels`. */
  rawRefs?: number[];
}

/** An io.prometheus.write.v2.Request: symbols table first ("" at 0), then the series. */
function encodeV2(series: V2Series[]): Uint8Array {
  const symbols = [""];
  const index = new Map<string, number>([["", 0]]);
  const ref = (s: string) => {
    let i = index.get(s);
    if (i === undefined) {
      i = symbols.length;
      symbols.push(s);
      index.set(s, i);
    }
    return i;
  };
  const body = new ProtoWriter();
  const packed = (field: number, values: number[]) => {
    if (values.length === 0) return;
    body.tag(field, 2);
    const m = body.begin();
    for (const v of values) body.varint(v);
    body.end(m);
  };
  for (const s of series) {
    body.tag(5, 2);
    const ts = body.begin();
    packed(1, s.rawRefs ?? s.labels.map(ref));
    for (const [timestamp, value] of s.samples ?? []) {
      body.tag(2, 2);
      const m = body.begin();
      body.tag(1, 1);
      body.double(value);
      body.tag(2, 0);
      body.varint(timestamp);
      body.end(m);
    }
    for (const h of s.histograms ?? []) {
      body.tag(3, 2);
      const m = body.begin();
      writeHistogram(body, h.histogram, h.timestamp);
      body.end(m);
    }
    for (const e of s.exemplars ?? []) {
      body.tag(4, 2);
      const m = body.begin();
      packed(1, e.labels.map(ref));
      body.tag(2, 1);
      body.double(e.value);
      body.tag(3, 0);
      body.varint(e.timestamp);
      body.end(m);
    }
    if (s.metadata) {
      body.tag(5, 2);
      const m = body.begin();
      body.tag(1, 0);
      body.varint(s.metadata.type);
      body.tag(3, 0);
      body.varint(ref(s.metadata.help));
      body.tag(4, 0);
      body.varint(ref(s.metadata.unit));
      body.end(m);
    }
    body.end(ts);
  }
  const w = new ProtoWriter();
  for (const s of symbols) {
    w.tag(4, 2);
    w.lenBytes(new TextEncoder().encode(s));
  }
  w.raw(body.bytes());
  return w.bytes().slice();
}

const V2_CONTENT_TYPE = "application/x-protobuf;proto=io.prometheus.write.v2.Request";

async function post(url: string, protobuf: Uint8Array, headers: Record<string, string> = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(url, { method: "POST", headers: { ...REMOTE_WRITE_HEADERS, ...headers }, body: requestBody(protobuf) as BodyInit });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

function intHistogram(schema: number, spans: number[], deltas: number[]): NativeHistogram {
  const h = new NativeHistogram();
  h.schema = schema;
  h.positiveSpans = spans;
  h.positiveDeltas = deltas;
  let abs = 0, count = 0;
  for (const d of deltas) count += (abs += d);
  h.count = count;
  h.sum = count * 1.5;
  h.zeroThreshold = 0.001;
  return h;
}

function family(families: MetricFamily[], name: string): MetricFamily | undefined {
  return families.find((f) => f.name === name);
}

/** A small deterministic generator for hostile bodies. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s;
  };
}

// --- tests --------------------------------------------------------------------------------------

describe("prometheus.receive_http", () => {
  it("forwards samples, stale markers, exemplars and native histograms of remote write 1.0", async () => {
    const port = await freePort();
    const { runtime, url } = await start(receiverConfig(port, "v1"), port);
    try {
      const now = Date.now();
      const req = encodeV1(
        [
          {
            labels: { __name__: "http_requests_total", job: "api", instance: "a:1" },
            samples: [[now - 2000, 5], [now - 1000, 7.5], [now, 0, true]],
            exemplars: [{ sample: 1, labels: ["trace_id", "abc"], value: 0.25, timestamp: now - 1000 }],
          },
          { labels: { __name__: "temperature", room: "ü-1" }, samples: [[now - 500, -3.25], [now - 400, NaN]] },
          {
            labels: { __name__: "latency_seconds", job: "api" },
            histograms: [
              { timestamp: now - 300, histogram: intHistogram(3, [0, 2, 1, 1], [2, -1, 3]) },
              // Schema 10 is taken and reduced to 8: buckets 3, 4 and 5 become buckets 1 and 2.
              { timestamp: now - 200, histogram: intHistogram(10, [3, 3], [1, 2, 3]) },
            ],
          },
        ],
        [{ type: "counter", family: "http_requests", help: "Requests.", unit: "" }],
      );
      const response = await post(url, req);
      assert.equal(response.status, 204, response.text);
      assert.equal(response.headers.get("X-Prometheus-Remote-Write-Samples-Written"), "0", "1.0 reports no counts");
      const got = received.get("v1")!;
      const reqs = got.samples.filter((s) => s.series.startsWith("http_requests_total"));
      assert.deepEqual(
        reqs.map((s) => [s.series, s.timestamp, s.stale ? "stale" : s.value]),
        [
          ['http_requests_total{instance="a:1", job="api"}', now - 2000, 5],
          ['http_requests_total{instance="a:1", job="api"}', now - 1000, 7.5],
          ['http_requests_total{instance="a:1", job="api"}', now, "stale"],
        ],
      );
      const temperature = got.samples.filter((s) => s.series === 'temperature{room="ü-1"}');
      assert.equal(temperature[0]!.value, -3.25);
      assert.ok(Number.isNaN(temperature[1]!.value) && !temperature[1]!.stale, "a plain NaN is not a stale marker");
      assert.deepEqual(got.exemplars, [
        { series: 'http_requests_total{instance="a:1", job="api"}', labels: ["trace_id", "abc"], value: 0.25, timestamp: now - 1000 },
      ]);
      assert.equal(got.histograms.length, 2);
      const [h3, h10] = got.histograms;
      assert.equal(h3!.series, 'latency_seconds{job="api"}');
      assert.equal(h3!.timestamp, now - 300);
      assert.deepEqual([h3!.histogram.schema, h3!.histogram.positiveSpans, h3!.histogram.positiveDeltas, h3!.histogram.count], [3, [0, 2, 1, 1], [2, -1, 3], 2 + 1 + 4]);
      assert.equal(h3!.histogram.zeroThreshold, 0.001);
      assert.deepEqual([h10!.histogram.schema, h10!.histogram.positiveSpans, h10!.histogram.positiveDeltas], [8, [1, 2], [4, 2]]);
      assert.equal(h10!.histogram.count, 1 + 3 + 6);
      assert.deepEqual(got.metadata, [], "remote write 1.0 metadata is not forwarded, as in Prometheus's handler");

      const families = runtime.metrics().families;
      const forwarded = family(families, "prometheus_forwarded_samples_total")!;
      assert.equal(forwarded.samples.find((s) => s.labels.component_id === "prometheus.receive_http.rw")!.value, 5);
      const duration = family(families, "prometheus_receive_http_request_duration_seconds")!;
      const ok = duration.samples.find((s) => s.labels.status_code === "204")!;
      assert.deepEqual({ ...ok.labels }, { method: "POST", route: "api_v1_metrics_write", status_code: "204", ws: "false", component_path: "/", component_id: "prometheus.receive_http.rw" });
      assert.equal(ok.histogram!.count, 1);
      const requestBytes = family(families, "prometheus_receive_http_request_message_bytes")!.samples[0]!;
      assert.ok(requestBytes.histogram!.sum > 0 && requestBytes.histogram!.sum === requestBody(req).length);
      const limit = family(families, "prometheus_receive_http_tcp_connections_limit")!.samples[0]!;
      assert.equal(limit.labels.protocol, "http");
      assert.equal(limit.value, 0);
      assert.ok(family(families, "prometheus_receive_http_tcp_connections"));
      assert.ok(family(families, "prometheus_receive_http_inflight_requests"));
      assert.ok(family(families, "prometheus_fanout_latency"));
    } finally {
      await runtime.stop();
    }
  });

  it("answers bad requests as Prometheus's handler does", async () => {
    const port = await freePort();
    const { runtime, url } = await start(receiverConfig(port, "bad"), port);
    try {
      const now = Date.now();
      const good = encodeV1([{ labels: { __name__: "up" }, samples: [[now, 1]] }]);
      let r = await post(url, good, { "Content-Encoding": "gzip" });
      assert.deepEqual([r.status, r.text], [415, "gzip encoding (compression) is not accepted by this server; only snappy is acceptable\n"]);
      const corrupt = await fetch(url, { method: "POST", headers: REMOTE_WRITE_HEADERS, body: new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02]) });
      assert.equal(corrupt.status, 400);
      assert.match(await corrupt.text(), /snappy/);
      r = await post(url, good, { "Content-Type": "application/json" });
      assert.deepEqual([r.status, r.text], [415, "expected application/x-protobuf as the first (media) part, got application/json content-type\n"]);
      r = await post(url, good, { "Content-Type": "application/x-protobuf;proto" });
      assert.equal(r.status, 415);
      assert.match(r.text, /expected parameters to be key-values, got proto in application\/x-protobuf;proto content-type/);
      r = await post(url, good, { "Content-Type": "application/x-protobuf;proto=foo.Bar" });
      assert.deepEqual(
        [r.status, r.text],
        [415, "got application/x-protobuf;proto=foo.Bar content type; unknown type for remote write protobuf message foo.Bar, supported: prometheus.WriteRequest, io.prometheus.write.v2.Request\n"],
      );
      r = await post(url, encodeV2([{ labels: ["__name__", "up"], samples: [[now, 1]] }]), { "Content-Type": V2_CONTENT_TYPE });
      assert.deepEqual([r.status, r.text], [415, "io.prometheus.write.v2.Request protobuf message is not accepted by this server; only accepts prometheus.WriteRequest\n"]);
      r = await post(url, new Uint8Array([0x0a, 0x05, 0x0a]));
      assert.equal(r.status, 400, "truncated protobuf");
      const get = await fetch(url);
      assert.equal(get.status, 405);
      assert.equal(await get.text(), "");
      const other = await fetch(`http://127.0.0.1:${port}/api/v1/write`, { method: "POST" });
      assert.deepEqual([other.status, await other.text()], [404, "404 page not found\n"]);
      // One sample ten minutes and more ahead fails the whole request: nothing is forwarded.
      r = await post(url, encodeV1([{ labels: { __name__: "soon" }, samples: [[now, 1]] }, { labels: { __name__: "later" }, samples: [[now + 11 * 60_000, 1]] }]));
      assert.deepEqual([r.status, r.text], [400, "out of bounds: timestamp is too far in the future\n"]);
      assert.equal(received.get("bad")!.samples.length, 0);

      // Series with invalid labels are skipped and counted; the others are forwarded.
      r = await post(
        url,
        rawV1([
          { labels: [["job", "no-name"]], samples: [[now, 1]] },
          { labels: [["__name__", "dup"], ["a", "1"], ["a", "2"]], samples: [[now, 1]] },
          { labels: [["__name__", "bad_utf8"], ["v", new Uint8Array([0xc3, 0x28])]], samples: [[now, 1]] },
          { labels: [["__name__", ""]], samples: [[now, 1]] },
          { labels: [["z", "last"], ["__name__", "fine"]], samples: [[now, 42]] },
        ]),
      );
      assert.equal(r.status, 204, r.text);
      assert.deepEqual(received.get("bad")!.samples.map((s) => [s.series, s.value]), [['fine{z="last"}', 42]]);
      const invalid = family(runtime.metrics().families, "prometheus_api_remote_write_invalid_labels_samples_total")!;
      assert.equal(invalid.samples[0]!.value, 4);

      // A downstream failure is a 500, which senders retry.
      const failing = await runtime.load({ "c.alloy": receiverConfig(port, "bad").replace('testing.rw_sink "bad" {}', 'testing.rw_sink "bad" { fail = true }') });
      assert.ok(failing.ok, failing.error);
      r = await post(url, good);
      assert.deepEqual([r.status, r.text], [500, "sink refuses the batch\n"]);
    } finally {
      await runtime.stop();
    }
  });

  it("survives hostile bodies: every answer is 204 or 400 and the server keeps serving", async () => {
    const port = await freePort();
    const { runtime, url } = await start(receiverConfig(port, "hostile"), port);
    try {
      const now = Date.now();
      const valid = encodeV1([
        {
          labels: { __name__: "x", a: "b" },
          samples: [[now, 1], [now + 1, 2]],
          exemplars: [{ sample: 0, labels: ["t", "1"], value: 1, timestamp: now }],
          histograms: [{ timestamp: now, histogram: intHistogram(2, [0, 3], [1, 1, 1]) }],
        },
      ]);
      const statuses = new Set<number>();
      for (let cut = 0; cut < valid.length; cut++) statuses.add((await post(url, valid.subarray(0, cut))).status);
      const next = prng(7);
      for (let k = 0; k < 150; k++) {
        const body = valid.slice();
        for (let flips = 1 + (next() % 4); flips > 0; flips--) body[next() % body.length] = next() & 0xff;
        statuses.add((await post(url, body)).status);
        const noise = new Uint8Array(1 + (next() % 64)).map(() => next() & 0xff);
        statuses.add((await post(url, noise)).status);
        statuses.add((await fetch(url, { method: "POST", headers: REMOTE_WRITE_HEADERS, body: noise as BodyInit })).status);
      }
      assert.deepEqual([...statuses].filter((s) => s !== 204 && s !== 400), [], `statuses: ${[...statuses]}`);
      assert.equal((await post(url, valid)).status, 204, "still serving");
      // A snappy header that declares a huge body is refused without decoding it.
      const huge = new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x0f]);
      const r = await fetch(url, { method: "POST", headers: REMOTE_WRITE_HEADERS, body: huge as BodyInit });
      assert.equal(r.status, 400);
      assert.equal((await post(url, valid)).status, 204);
    } finally {
      await runtime.stop();
    }
  });

  it("takes remote write 2.0 at --stability.level=experimental: partial writes, counts, metadata, type and unit labels", async () => {
    const port = await freePort();
    const extra = `
  accepted_remote_write_protobuf_messages = ["prometheus.WriteRequest", "io.prometheus.write.v2.Request"]
  append_metadata                         = true
  enable_type_and_unit_labels             = true`;
    const { runtime, url } = await start(receiverConfig(port, "v2", extra), port);
    try {
      const now = Date.now();
      const body = encodeV2([
        {
          labels: ["__name__", "jobs_total", "queue", "q1"],
          samples: [[now - 100, 3], [now, 4]],
          exemplars: [{ labels: ["trace_id", "t-1"], value: 4, timestamp: now }],
          metadata: { type: 1, help: "Jobs done.", unit: "" },
        },
        { labels: ["__name__", "room_temp", "__unit__", "wrong"], samples: [[now, 21.5]], metadata: { type: 2, help: "Temperature.", unit: "celsius" } },
        { labels: ["__name__", "wait_seconds"], histograms: [{ timestamp: now, histogram: intHistogram(0, [0, 2], [1, 1]) }] },
        { labels: ["__name__", "empty"] },
        { labels: ["__name__", "future"], samples: [[now + 11 * 60_000, 1]] },
        { labels: [], rawRefs: [1, 99], samples: [[now, 1]] },
      ]);
      const r = await post(url, body, { "Content-Type": V2_CONTENT_TYPE, "X-Prometheus-Remote-Write-Version": "2.0.0" });
      assert.equal(r.status, 400);
      assert.deepEqual(r.text.trimEnd().split("\n"), [
        'TimeSeries must contain at least one sample or histogram for series {__name__="empty"}',
        'out of bounds: timestamp is too far in the future for series {__name__="future"}',
        "parsing labels for series [1 99]: labelRefs 1 (name) = 99 (value) outside of symbols table (size 16)",
      ]);
      assert.equal(r.headers.get("X-Prometheus-Remote-Write-Samples-Written"), "3");
      assert.equal(r.headers.get("X-Prometheus-Remote-Write-Histograms-Written"), "1");
      assert.equal(r.headers.get("X-Prometheus-Remote-Write-Exemplars-Written"), "1");
      const got = received.get("v2")!;
      assert.deepEqual(got.samples.map((s) => [s.series, s.timestamp, s.value]), [
        ['jobs_total{__type__="counter", queue="q1"}', now - 100, 3],
        ['jobs_total{__type__="counter", queue="q1"}', now, 4],
        ['room_temp{__type__="gauge", __unit__="celsius"}', now, 21.5],
      ]);
      assert.deepEqual(got.exemplars, [{ series: 'jobs_total{__type__="counter", queue="q1"}', labels: ["trace_id", "t-1"], value: 4, timestamp: now }]);
      assert.equal(got.histograms[0]!.series, "wait_seconds{}");
      assert.deepEqual(got.metadata, [
        { family: "jobs_total", type: "counter", help: "Jobs done.", unit: "" },
        { family: "room_temp", type: "gauge", help: "Temperature.", unit: "celsius" },
        { family: "wait_seconds", type: "unknown", help: "", unit: "" },
        { family: "future", type: "unknown", help: "", unit: "" },
      ]);
      // A clean v2 request is a 204 with its counts.
      const clean = await post(url, encodeV2([{ labels: ["__name__", "ok"], samples: [[now, 1]] }]), { "Content-Type": V2_CONTENT_TYPE });
      assert.deepEqual([clean.status, clean.headers.get("X-Prometheus-Remote-Write-Samples-Written")], [204, "1"]);
      // And 1.0 still works on the same endpoint.
      assert.equal((await post(url, encodeV1([{ labels: { __name__: "v1" }, samples: [[now, 1]] }]))).status, 204);
    } finally {
      await runtime.stop();
    }
  });

  it("gates its experimental arguments on --stability.level and checks the accepted messages", async () => {
    const cases: [string, RegExp][] = [
      ["append_metadata = true", /append_metadata is an experimental feature, and must be enabled by setting the stability.level flag to experimental/],
      ["enable_type_and_unit_labels = true", /enable_type_and_unit_labels is an experimental feature, and must be enabled by setting the stability\.level flag to experimental/],
      [
        `accepted_remote_write_protobuf_messages = ["io.prometheus.write.v2.Request"]`,
        /using "io\.prometheus\.write\.v2\.Request" in supported_protocol_versions is an experimental feature, and must be enabled by setting the stability\.level flag to experimental/,
      ],
    ];
    for (const [extra, message] of cases) {
      const port = await freePort();
      const ga = newRuntime("generally-available");
      const refused = await ga.load({ "c.alloy": receiverConfig(port, "gate", extra) });
      await ga.stop();
      assert.equal(refused.ok, false);
      assert.match(refused.error ?? "", message);
      const experimental = newRuntime("experimental");
      const allowed = await experimental.load({ "c.alloy": receiverConfig(port, "gate", extra) });
      // Run it, so that stopping closes the server it built.
      if (allowed.ok) experimental.start();
      await experimental.stop();
      assert.ok(allowed.ok, allowed.error);
    }
    const runtime = newRuntime("experimental");
    try {
      let r = await runtime.load({ "c.alloy": receiverConfig(await freePort(), "gate", "accepted_remote_write_protobuf_messages = []") });
      assert.match(r.error ?? "", /accepted_remote_write_protobuf_messages must not be empty/);
      r = await runtime.load({ "c.alloy": receiverConfig(await freePort(), "gate", `accepted_remote_write_protobuf_messages = ["v3"]`) });
      assert.match(r.error ?? "", /unsupported protocol version "v3": valid values are "prometheus\.WriteRequest" and "io\.prometheus\.write\.v2\.Request"/);
    } finally {
      await runtime.stop();
    }
  });

  it("restarts its server when the http block changes at reload, and only then", async () => {
    const port = await freePort();
    const { runtime, url } = await start(receiverConfig(port, "reload"), port);
    const requests = () =>
      family(runtime.metrics().families, "prometheus_receive_http_request_duration_seconds")?.samples.reduce((n, s) => n + s.histogram!.count, 0) ?? 0;
    try {
      const now = Date.now();
      const body = encodeV1([{ labels: { __name__: "r" }, samples: [[now, 1]] }]);
      assert.equal((await post(url, body)).status, 204);
      assert.equal((await post(url, body)).status, 204);
      assert.equal(requests(), 2);
      // forward_to and handler arguments change: the same server keeps running (its metrics go on).
      const twoSinks = receiverConfig(port, "reload")
        .replace("[testing.rw_sink.reload.receiver]", "[testing.rw_sink.reload.receiver, testing.rw_sink.other.receiver]")
        .concat('testing.rw_sink "other" {}\n');
      let reloaded = await runtime.load({ "c.alloy": twoSinks });
      assert.ok(reloaded.ok, reloaded.error);
      reloaded = await runtime.load({ "c.alloy": receiverConfig(port, "reload", "append_metadata = true") });
      assert.ok(reloaded.ok, reloaded.error);
      assert.equal((await post(url, body)).status, 204);
      assert.equal(requests(), 3, "not restarted: the server's request count went on");
      // The http block changes: a new server on the new port, the old port closed, fresh metrics.
      const port2 = await freePort();
      reloaded = await runtime.load({ "c.alloy": receiverConfig(port2, "reload") });
      assert.ok(reloaded.ok, reloaded.error);
      await assert.rejects(fetch(url, { method: "POST", body: "x" }));
      assert.equal(requests(), 0, "a new server starts its metrics afresh");
      assert.equal((await post(`http://127.0.0.1:${port2}/api/v1/metrics/write`, body)).status, 204);
      assert.equal(requests(), 1);
      // conn_limit shows in the limit gauge of the restarted server.
      reloaded = await runtime.load({ "c.alloy": receiverConfig(port2, "reload").replace("listen_port    = " + port2, `listen_port = ${port2}\n    conn_limit = 7`) });
      assert.ok(reloaded.ok, reloaded.error);
      const limit = family(runtime.metrics().families, "prometheus_receive_http_tcp_connections_limit")!.samples[0]!;
      assert.equal(limit.value, 7);
      assert.equal((await post(`http://127.0.0.1:${port2}/api/v1/metrics/write`, body)).status, 204);
    } finally {
      await runtime.stop();
    }
  });

  it("serves TLS from the tls block's files, and cleartext HTTP/2 only with http2 enabled", async () => {
    const certs = makeTestCertificates();
    writeFileSync(join(dir.path, "server.pem"), certs.cert);
    writeFileSync(join(dir.path, "server.key"), certs.key);
    const tlsPort = await freePort();
    const h2cPort = await freePort();
    const config = `
prometheus.receive_http "tls" {
  http {
    listen_address = "127.0.0.1"
    listen_port    = ${tlsPort}
    tls {
      cert_file   = ${JSON.stringify(join(dir.path, "server.pem"))}
      key_file    = ${JSON.stringify(join(dir.path, "server.key"))}
      min_version = "VersionTLS12"
    }
  }
  forward_to = [testing.rw_sink.tls.receiver]
}
prometheus.receive_http "h2c" {
  http {
    listen_address = "127.0.0.1"
    listen_port    = ${h2cPort}
    http2 { enabled = true }
  }
  forward_to = [testing.rw_sink.tls.receiver]
}
testing.rw_sink "tls" {}
`;
    const { runtime } = await start(config, tlsPort);
    const platform = currentPlatform();
    const body = requestBody(encodeV1([{ labels: { __name__: "secure" }, samples: [[Date.now(), 1]] }]));
    const send = async (origin: string, tls?: { ca: string; serverName: string }) => {
      const client = platform.createHttp2Client(origin, { ...(tls ? { tls } : {}), connectTimeoutMs: 5000 });
      try {
        const response = await client.fetch("/api/v1/metrics/write", { method: "POST", headers: REMOTE_WRITE_HEADERS, body: body as BodyInit });
        await response.arrayBuffer();
        return response.status;
      } finally {
        await client.close();
      }
    };
    try {
      assert.equal(await send(`https://127.0.0.1:${tlsPort}`, { ca: certs.ca, serverName: "localhost" }), 204);
      assert.equal(await send(`http://127.0.0.1:${h2cPort}`), 204);
      assert.equal(received.get("tls")!.samples.length, 2);
      // Without http2 { enabled = true } (the default), cleartext HTTP/2 is not spoken.
      const plainPort = await freePort();
      const reloaded = await runtime.load({ "c.alloy": config.replace("http2 { enabled = true }", "").replace(String(h2cPort), String(plainPort)) });
      assert.ok(reloaded.ok, reloaded.error);
      await assert.rejects(send(`http://127.0.0.1:${plainPort}`));
      // A tls block naming a missing file fails the reload with the path in the message.
      const missing = await runtime.load({ "c.alloy": config.replace(join(dir.path, "server.key"), join(dir.path, "nope.key")) });
      assert.equal(missing.ok, false);
      assert.match(missing.error ?? "", /error generating http tls config: failed to read key_file .*nope\.key/);
    } finally {
      await runtime.stop();
    }
  });

  it("finishes a request in flight when it stops, then closes its port", async () => {
    const port = await freePort();
    const { runtime, url } = await start(receiverConfig(port, "graceful"), port);
    let release: () => void = () => {};
    hold = new Promise<void>((resolve) => (release = resolve));
    try {
      const body = encodeV1([{ labels: { __name__: "g" }, samples: [[Date.now(), 1]] }]);
      const pending = post(url, body);
      await eventually(() => assert.equal(received.get("graceful")!.appends, 1));
      const stopping = runtime.stop();
      release();
      const response = await pending;
      assert.equal(response.status, 204);
      await stopping;
      await assert.rejects(fetch(url, { method: "POST", body: "x" }));
    } finally {
      hold = undefined;
      release();
      await runtime.stop();
    }
  });
});

describe("prometheus.receive_http with a real Prometheus remote-writing to it", { timeout: 180_000 }, () => {
  const PROMETHEUS = "/usr/bin/prometheus";
  let prometheus: ChildRun | undefined;
  let runtime: Runtime | undefined;
  let target: Awaited<ReturnType<typeof startServer>> | undefined;
  let targetUp = true;
  let receivePort = 0;

  before(async () => {
    assert.ok(existsSync(PROMETHEUS), `${PROMETHEUS} is needed (Debian package prometheus; .ci/run installs it)`);
    target = await startServer((_req, _body, res) => {
      if (!targetUp) {
        res.statusCode = 503;
        res.end();
        return;
      }
      res.setHeader("Content-Type", "text/plain; version=0.0.4");
      res.end('# HELP shop_orders_total Orders.\n# TYPE shop_orders_total counter\nshop_orders_total{shop="north"} 17\nshop_queue_depth 3.5\n');
    });
    receivePort = await freePort();
    ({ runtime } = await start(receiverConfig(receivePort, "prom"), receivePort));
    const promPort = await freePort();
    const yml = join(dir.path, "prometheus.yml");
    writeFileSync(
      yml,
      `global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: shop
    static_configs:
      - targets: ["${target.host}"]
        labels: { env: "test" }
remote_write:
  - url: http://127.0.0.1:${receivePort}/api/v1/metrics/write
    queue_config: { batch_send_deadline: 500ms, min_backoff: 100ms, max_backoff: 1s }
    metadata_config: { send_interval: 1s }
`,
    );
    prometheus = spawnCommand(PROMETHEUS, [
      `--config.file=${yml}`,
      `--storage.tsdb.path=${join(dir.path, "tsdb")}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ]);
    await prometheus.waitFor(/Server is ready to receive web requests/, 60_000);
  });

  after(async () => {
    prometheus?.kill("SIGTERM");
    await prometheus?.completion(30_000).catch(() => {});
    await runtime?.stop();
    await target?.close();
  });

  it("receives the scraped series with Prometheus's labels, values and stale markers", async () => {
    const got = () => received.get("prom")!;
    const instance = target!.host;
    const orders = `shop_orders_total{env="test", instance="${instance}", job="shop", shop="north"}`;
    await eventually(() => assert.ok(got().samples.some((s) => s.series === orders)), 60_000);
    const sample = got().samples.find((s) => s.series === orders)!;
    assert.equal(sample.value, 17);
    assert.ok(Math.abs(sample.timestamp - Date.now()) < 60_000, "timestamps are Prometheus's scrape times");
    assert.ok(got().samples.some((s) => s.series === `shop_queue_depth{env="test", instance="${instance}", job="shop"}` && s.value === 3.5));
    assert.ok(got().samples.some((s) => s.series === `up{env="test", instance="${instance}", job="shop"}` && s.value === 1));
    // When the target fails, Prometheus sends stale markers for its series.
    targetUp = false;
    await eventually(() => assert.ok(got().samples.some((s) => s.series === orders && s.stale)), 60_000);
    assert.equal(family(runtime!.metrics().families, "prometheus_receive_http_request_duration_seconds")!.samples.every((s) => s.labels.status_code === "204"), true);
  });
});
