// prometheus.remote_write: the WAL format (pages, fragments, CRC32C, torn tails), records with stale
// markers, replay and checkpoints, and the queue against a local receiver: batching, external labels,
// write relabelling, retries on 5xx, Retry-After on 429, no retry on other 4xx, an outage, and a restart
// that sends what was not sent before.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { labelStore } from "../../../src/component/prometheus/labelstore.ts";
import { MetricsBatch, type MetricsReceiver } from "../../../src/component/prometheus/receiver.ts";
import { decodeSamples, encodeSamples, RecordWriter, SampleColumns } from "../../../src/component/prometheus/remotewrite/records.ts";
import { WalStorage } from "../../../src/component/prometheus/remotewrite/storage.ts";
import { crc32c, listSegments, PAGE_SIZE, readSegment, SegmentWriter } from "../../../src/component/prometheus/remotewrite/wlog.ts";
import { retryAfterMs } from "../../../src/component/prometheus/remotewrite/queue.ts";
import { platform } from "../../../src/platform/mod.ts";
import { LogController } from "../../../src/runtime/logging/logger.ts";
import { CapsuleValue, ObjectValue } from "../../../src/syntax/value/index.ts";
import { decodeWriteRequest } from "../../../src/wire/remotewrite/decode.ts";
import { readRequestBody } from "../../../src/wire/remotewrite/request.ts";
import { makeTempDir } from "../../helpers/tmp.ts";
import { eventually, newRuntime, startServer, type TestServer } from "./helpers.ts";

const dir = makeTempDir("alloy-ts-rw-");
after(() => dir.cleanup());
const logger = new LogController({ write: () => {} }).logger();
const store = labelStore();

function batchOf(samples: [Record<string, string>, number, number][], staleAt: number[] = []): MetricsBatch {
  const b = new MetricsBatch();
  for (const [labels, v, ts] of samples) {
    const flat = Object.keys(labels).sort().flatMap((k) => [k, labels[k]!]);
    const i = b.push(store.internArray(flat), v, ts);
    if (staleAt.includes(i)) b.markStale(i);
  }
  return b;
}

interface Received {
  series: string;
  value: number;
  timestamp: number;
  stale: boolean;
}

function receivedSamples(server: TestServer): Received[] {
  const out: Received[] = [];
  for (const r of server.requests) {
    if (r.body.length === 0) continue;
    const req = decodeWriteRequest(readRequestBody(new Uint8Array(r.body)));
    for (const ts of req.timeseries) {
      const labels: string[] = [];
      for (let i = 0; i < ts.labels.length; i += 2) labels.push(`${ts.labels[i]}=${ts.labels[i + 1]}`);
      for (const s of ts.samples) out.push({ series: labels.join(","), value: s.value, timestamp: s.timestamp, stale: s.stale });
    }
  }
  return out;
}

function receiverOf(runtime: ReturnType<typeof newRuntime>, id: string): MetricsReceiver {
  const exports = runtime.component(id)!.exports as ObjectValue;
  return (exports.get("receiver") as CapsuleValue).raw as MetricsReceiver;
}

describe("WAL format", () => {
  it("computes CRC32C (Castagnoli)", () => {
    assert.equal(crc32c(new TextEncoder().encode("123456789")), 0xe3069283);
    // Any range of any buffer, against the bit-by-bit definition.
    const bitwise = (b: Uint8Array, start: number, end: number) => {
      let c = 0xffffffff;
      for (let i = start; i < end; i++) {
        c ^= b[i]!;
        for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
      }
      return (c ^ 0xffffffff) >>> 0;
    };
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 167 + 13) & 0xff);
    for (let start = 0; start < 9; start++) {
      for (let end = start; end <= 300; end += 7) assert.equal(crc32c(bytes, start, end), bitwise(bytes, start, end), `${start}..${end}`);
    }
  });

  it("splits records over pages, reads them back, and stops at a torn tail", async () => {
    const d = `${dir.path}/wlog`;
    await platform().fs.mkdirp(d);
    const w = new SegmentWriter(platform(), d, 4 * PAGE_SIZE);
    await w.openSegment(0);
    const big = new Uint8Array(PAGE_SIZE * 2 + 100).map((_, i) => i % 251);
    const small = new Uint8Array([1, 2, 3]);
    const { end } = w.log([small, big, small]);
    await w.written();
    assert.equal(end.segment, 0);
    const { records } = readSegment(new Uint8Array(await platform().fs.readFile(`${d}/00000000`)), 0, 0, true);
    assert.equal(records.length, 3);
    assert.deepEqual(records[1]!.data, big);
    assert.equal(records[2]!.end, end.offset);
    // A record that does not fit in the segment starts the next one.
    w.log([big]);
    await w.written();
    assert.equal(w.segment, 1);
    await w.close();
    assert.deepEqual(await listSegments(platform(), d), [0, 1]);
    // A torn last record (crash mid-write) ends the segment; a corrupt byte elsewhere is reported.
    const bytes = new Uint8Array(await platform().fs.readFile(`${d}/00000000`));
    const torn = bytes.slice(0, records[2]!.end - 1);
    assert.equal(readSegment(torn, 0, 0, true).records.length, 2);
    const corrupt = bytes.slice();
    corrupt[20] = corrupt[20]! ^ 0xff;
    assert.match(readSegment(corrupt, 0, 0, false).corrupt!.message, /checksum/);
    // Reading from a record boundary.
    assert.equal(readSegment(bytes, 0, records[0]!.end, true).records.length, 2);
  });

  it("keeps StaleNaN bits in samples records", () => {
    const w = new RecordWriter();
    const rec = encodeSamples(w, [5, 6, 5], [1000, 1000, 2000], [1.5, NaN, 0], (i) => i === 2, 0, 3);
    // The marker's bits are 0x7ff0000000000002.
    const hex = [...rec.slice(rec.length - 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
    assert.equal(hex, "7ff0000000000002");
    const cols = new SampleColumns();
    decodeSamples(rec, cols);
    assert.deepEqual([...cols.refs.slice(0, 3)], [5, 6, 5]);
    assert.deepEqual([...cols.ts.slice(0, 3)], [1000, 1000, 2000]);
    assert.deepEqual([...cols.stale.slice(0, 3)], [0, 0, 1]);
    assert.equal(cols.values[0], 1.5);
    assert.ok(Number.isNaN(cols.values[1]!));
  });

  it("replays series and keeps refs across reopen; truncation checkpoints old segments", async () => {
    const d = `${dir.path}/storage/wal`;
    const open = async () => {
      const s = new WalStorage({ platform: platform(), logger, store, dir: d, segmentSize: PAGE_SIZE });
      await s.open();
      return s;
    };
    let s = await open();
    const now = Date.now();
    for (let k = 0; k < 40; k++) {
      await s.append(batchOf(Array.from({ length: 500 }, (_, i) => [{ __name__: "m", i: String(i), k: String(k % 2) }, k, now + k] as [Record<string, string>, number, number])));
    }
    await s.append(batchOf([[{ __name__: "old" }, 1, now - 3_600_000]]));
    const seriesBefore = s.seriesCount;
    assert.equal(seriesBefore, 1001);
    const segmentsBefore = (await listSegments(platform(), d)).length;
    assert.ok(segmentsBefore > 5, `segments: ${segmentsBefore}`);
    // Series last seen before the cut-off go; two thirds of the segments become a checkpoint.
    const deleted = await s.truncate(now - 60_000, undefined);
    assert.ok(deleted > 0);
    assert.equal(s.seriesCount, 1000);
    assert.ok(readdirSync(d).some((n) => n.startsWith("checkpoint.")));
    await s.close();
    s = await open();
    // The checkpoint keeps the deleted series while later segments may still name it (as Prometheus's
    // does); the next truncation drops it again.
    assert.equal(s.seriesCount, 1001, "replay restores the series from checkpoint and segments");
    await s.truncate(now - 60_000, undefined);
    assert.equal(s.seriesCount, 1000);
    await s.close();
  });

  it("keeps segments an endpoint has not read, unless their data is older than max_keepalive", async () => {
    const d = `${dir.path}/keepalive/wal`;
    const s = new WalStorage({ platform: platform(), logger, store, dir: d, segmentSize: PAGE_SIZE });
    await s.open();
    const old = Date.now() - 10 * 3_600_000;
    for (let k = 0; k < 20; k++) {
      await s.append(batchOf(Array.from({ length: 300 }, (_, i) => [{ __name__: "k", i: String(i) }, k, old + k] as [Record<string, string>, number, number])));
    }
    const unread = { segment: 0, offset: 0 };
    assert.equal(await s.truncate(old - 1, unread), 0, "an endpoint still needs them");
    const before = (await listSegments(platform(), d)).length;
    const deleted = await s.truncate(old - 1, unread, Date.now() - 8 * 3_600_000);
    assert.ok(deleted > 0 && deleted >= before - 2, `older than max_keepalive: ${deleted} of ${before} deleted`);
    await s.close();
  });

  it("parses Retry-After as seconds or a date", () => {
    assert.equal(retryAfterMs("3"), 3000);
    assert.equal(retryAfterMs(null), 0);
    const inTwo = new Date(Date.now() + 2500).toUTCString();
    assert.ok(retryAfterMs(inTwo) > 1000 && retryAfterMs(inTwo) <= 2500);
  });
});

function rwConfig(url: string, extra = "", queue = "") {
  return `
prometheus.remote_write "rw" {
  external_labels = { "cluster" = "c1" }
  endpoint {
    name = "ep"
    url  = "${url}"
    queue_config {
      batch_send_deadline  = "50ms"
      max_samples_per_send = 100
      min_backoff          = "10ms"
      max_backoff          = "100ms"
      ${queue}
    }
    ${extra}
  }
}
`;
}

describe("prometheus.remote_write", () => {
  it("sends samples with external labels, snappy protobuf and Prometheus's headers; write relabelling", async () => {
    const server = await startServer((_req, _b, res) => void res.end());
    const runtime = newRuntime(`${dir.path}/send`);
    try {
      const loaded = await runtime.load({
        "c.alloy": rwConfig(`${server.url}/api/v1/write`, `
    write_relabel_config {
      source_labels = ["__name__"]
      regex         = "drop_me"
      action        = "drop"
    }
    write_relabel_config {
      source_labels = ["cluster"]
      target_label  = "from_external"
    }`),
      });
      assert.ok(loaded.ok, loaded.error);
      runtime.start();
      const receiver = receiverOf(runtime, "prometheus.remote_write.rw");
      const now = Date.now();
      await receiver.append(batchOf([[{ __name__: "a", x: "1" }, 1, now], [{ __name__: "drop_me" }, 2, now], [{ __name__: "a", x: "1" }, 3, now + 1]], [2]));
      await eventually(() => assert.equal(receivedSamples(server).length, 2));
      const got = receivedSamples(server);
      assert.equal(got[0]!.series, "__name__=a,cluster=c1,from_external=c1,x=1");
      assert.equal(got[0]!.value, 1);
      assert.equal(got[1]!.stale, true, "the staleness marker arrives as StaleNaN");
      const h = server.requests[0]!.headers;
      assert.equal(h["content-encoding"], "snappy");
      assert.equal(h["content-type"], "application/x-protobuf");
      assert.equal(h["x-prometheus-remote-write-version"], "0.1.0");
      assert.match(h["user-agent"]!, /^Alloy\//);
      assert.equal(server.requests[0]!.url, "/api/v1/write");
      assert.ok(existsSync(`${dir.path}/send/prometheus.remote_write.rw/wal/00000000`));
    } finally {
      await runtime.stop();
      await server.close();
    }
  });

  it("retries 5xx and 429 (honouring Retry-After), drops a batch on other 4xx", async () => {
    let mode: "500" | "429" | "400" | "ok" = "500";
    let failures = 0;
    const server = await startServer((_req, _b, res) => {
      if (mode === "ok") return void res.end();
      failures++;
      if (mode === "429") {
        res.setHeader("Retry-After", "1");
        res.statusCode = 429;
        mode = "ok";
      } else if (mode === "500") {
        res.statusCode = 500;
        if (failures >= 3) mode = "429";
      } else {
        res.statusCode = 400;
      }
      res.end("nope");
    });
    const runtime = newRuntime(`${dir.path}/retry`);
    try {
      await runtime.load({ "c.alloy": rwConfig(server.url) });
      runtime.start();
      const receiver = receiverOf(runtime, "prometheus.remote_write.rw");
      const t0 = Date.now();
      await receiver.append(batchOf([[{ __name__: "r" }, 7, Date.now()]]));
      await eventually(() => assert.equal(server.requests.filter((r) => r.body.length > 0).length, 5));
      // 3 x 500, 1 x 429 (Retry-After: 1s), then success: the same sample each time.
      assert.ok(Date.now() - t0 >= 1000, "waited for Retry-After");
      const samples = receivedSamples(server);
      assert.ok(samples.every((s) => s.series === "__name__=r,cluster=c1" && s.value === 7));
      // 400: not retried.
      mode = "400";
      const before = server.requests.length;
      await receiver.append(batchOf([[{ __name__: "bad" }, 1, Date.now()]]));
      await eventually(() => assert.equal(server.requests.length, before + 1));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(server.requests.length, before + 1, "no retry after 400");
      const failed = runtime.metrics().families.find((f) => f.name === "prometheus_remote_storage_samples_failed_total")!;
      assert.equal(failed.samples[0]!.value, 1);
    } finally {
      await runtime.stop();
      await server.close();
    }
  });

  it("does not send again after a restart what was sent before it (partly sent batch of records)", async () => {
    let ok = true;
    const first = await startServer((_req, _b, res) => {
      res.statusCode = ok ? 200 : 503;
      ok = false; // the receiver fails after the first request
      res.end();
    });
    const runtime = newRuntime(`${dir.path}/resume`);
    await runtime.load({ "c.alloy": rwConfig(first.url) });
    runtime.start();
    const now = Date.now();
    // One append (one chunk of records) of 150 samples: sent as 100 (accepted) + 50 (failing).
    await receiverOf(runtime, "prometheus.remote_write.rw").append(
      batchOf(Array.from({ length: 150 }, (_, i) => [{ __name__: "p", i: String(i) }, i, now] as [Record<string, string>, number, number])),
    );
    await eventually(() => assert.ok(first.requests.length >= 2));
    // What the first receiver accepted: its first request (the batch may have been cut by the deadline).
    const accepted = receivedSamples({ ...first, requests: first.requests.slice(0, 1) }).map((s) => s.value);
    assert.ok(accepted.length > 0 && accepted.length <= 100);
    await runtime.stop();
    await first.close();

    const second = await startServer((_req, _b, res) => void res.end());
    const runtime2 = newRuntime(`${dir.path}/resume`);
    try {
      await runtime2.load({ "c.alloy": rwConfig(second.url) });
      runtime2.start();
      const rest = 150 - accepted.length;
      await eventually(() => assert.equal(receivedSamples(second).length, rest));
      await new Promise((r) => setTimeout(r, 300));
      const values = receivedSamples(second).map((s) => s.value);
      assert.equal(values.length, rest);
      assert.deepEqual([...accepted, ...values].sort((a, b) => a - b), Array.from({ length: 150 }, (_, k) => k), "only what the first receiver did not accept");
    } finally {
      await runtime2.stop();
      await second.close();
    }
  });

  it("keeps samples through an outage and a restart, and sends them afterwards", async () => {
    // A port with nothing listening: connections are refused.
    const probe = await startServer((_req, _b, res) => void res.end());
    const url = probe.url;
    await probe.close();
    const runtime = newRuntime(`${dir.path}/outage`);
    const now = Date.now();
    await runtime.load({ "c.alloy": rwConfig(url) });
    runtime.start();
    const receiver = receiverOf(runtime, "prometheus.remote_write.rw");
    for (let k = 0; k < 30; k++) await receiver.append(batchOf([[{ __name__: "o", k: String(k % 3) }, k, now + k]]));
    await new Promise((r) => setTimeout(r, 200));
    await runtime.stop(); // gives up on sending after a few seconds; the WAL and the position remain

    const port = Number(new URL(url).port);
    const server = await startServer((_req, _b, res) => void res.end());
    // The receiver comes back on another port: point the endpoint there (same name: same position).
    const runtime2 = newRuntime(`${dir.path}/outage`);
    try {
      await runtime2.load({ "c.alloy": rwConfig(server.url) });
      runtime2.start();
      await eventually(() => assert.equal(receivedSamples(server).length, 30), 20_000);
      const values = receivedSamples(server).map((s) => s.value).sort((a, b) => a - b);
      assert.deepEqual(values, Array.from({ length: 30 }, (_, k) => k));
      void port;
    } finally {
      await runtime2.stop();
      await server.close();
    }
  });
});
