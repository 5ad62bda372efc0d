import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LabelsBuilder } from "../../src/wire/labels/builder.ts";
import { SeriesTable } from "../../src/wire/labels/series.ts";
import { NativeHistogram } from "../../src/wire/histogram.ts";
import { type ExemplarRecord, WriteRequestEncoder } from "../../src/wire/remotewrite/encode.ts";
import { decodeWriteRequest, ProtoError, visitWriteRequest } from "../../src/wire/remotewrite/decode.ts";
import { readRequestBody, REMOTE_WRITE_HEADERS, requestBody } from "../../src/wire/remotewrite/request.ts";
import { peerDecode, WriteRequestType } from "./prompb.ts";

function table(sets: string[][]): { t: SeriesTable; refs: number[] } {
  const t = new SeriesTable();
  const lb = new LabelsBuilder();
  return { t, refs: sets.map((s) => t.intern(lb.fromArray(s).sort())) };
}

const labelsObj = (flat: string[]) => {
  const out: { name?: string; value?: string }[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const l: { name?: string; value?: string } = {};
    if (flat[i] !== "") l.name = flat[i]!;
    if (flat[i + 1] !== "") l.value = flat[i + 1]!;
    out.push(l);
  }
  return out;
};

function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>>= 0), x / 2 ** 32);
}

describe("remote write encoder", () => {
  it("writes a WriteRequest that protobufjs decodes exactly", () => {
    const { t, refs } = table([
      ["__name__", "up", "job", "node", "instance", "a:9100"],
      ["__name__", "http_requests_total", "code", "200", "job", "api", "zone", "ü-1"],
    ]);
    const enc = new WriteRequestEncoder(t, { externalLabels: { cluster: "eu", job: "ignored", a: "first" } });
    const h = new NativeHistogram();
    h.count = 12; h.sum = 18.5; h.schema = -1; h.zeroThreshold = 1e-128; h.zeroCount = 2;
    h.positiveSpans.push(-2, 2, 3, 1); h.positiveDeltas.push(3, -1, 4);
    h.negativeSpans.push(0, 1); h.negativeDeltas.push(1); h.resetHint = 2;
    const fh = new NativeHistogram();
    fh.isFloat = true; fh.count = 3.5; fh.sum = -1; fh.schema = -53; fh.positiveSpans.push(0, 2); fh.positiveCounts.push(1.5, 2); fh.customValues.push(0.5, 1);
    const exemplars: ExemplarRecord[] = [{ sample: 2, labels: ["trace_id", "abc"], value: 0.25, timestamp: 1700000000123 }];
    const bytes = enc.encode({
      samples: {
        length: 5,
        refs: [refs[0]!, refs[0]!, refs[1]!, refs[0]!, refs[1]!],
        timestamps: Float64Array.from([1700000000000, 1700000015000, 0, -5, 2 ** 52]),
        values: Float64Array.from([1, 0, NaN, -2.5e300, 7]),
        stale: Uint8Array.from([0, 0, 0, 0, 1]),
      },
      exemplars,
      histograms: [{ ref: refs[1]!, timestamp: 1700000000000, histogram: h }, { ref: refs[0]!, timestamp: 5, histogram: fh }],
      metadata: [{ type: "counter", family: "http_requests", help: "Requests.", unit: "" }, { type: "unknown", family: "x", help: "", unit: "seconds" }],
    });
    const up = labelsObj(["__name__", "up", "a", "first", "cluster", "eu", "instance", "a:9100", "job", "node"]);
    const http = labelsObj(["__name__", "http_requests_total", "a", "first", "cluster", "eu", "code", "200", "job", "api", "zone", "ü-1"]);
    const got = peerDecode(bytes) as { timeseries: { samples: { value: number }[] }[] };
    // NaN and stale NaN compare as NaN here; their bits are checked with our decoder below.
    assert.deepEqual(got, {
      timeseries: [
        { labels: up, samples: [{ value: 1, timestamp: 1700000000000 }, { timestamp: 1700000015000 }], exemplars: [], histograms: [] },
        { labels: http, samples: [{ value: NaN }], exemplars: [{ labels: [{ name: "trace_id", value: "abc" }], value: 0.25, timestamp: 1700000000123 }], histograms: [] },
        { labels: up, samples: [{ value: -2.5e300, timestamp: -5 }], exemplars: [], histograms: [] },
        { labels: http, samples: [{ value: NaN, timestamp: 2 ** 52 }], exemplars: [], histograms: [] },
        {
          labels: http, samples: [], exemplars: [],
          histograms: [{
            count_int: 12, sum: 18.5, schema: -1, zero_threshold: 1e-128, zero_count_int: 2,
            negative_spans: [{ length: 1 }], negative_deltas: [1], negative_counts: [],
            positive_spans: [{ offset: -2, length: 2 }, { offset: 3, length: 1 }], positive_deltas: [3, -1, 4], positive_counts: [],
            reset_hint: "NO", timestamp: 1700000000000, custom_values: [],
          }],
        },
        {
          labels: up, samples: [], exemplars: [],
          histograms: [{
            count_float: 3.5, sum: -1, schema: -53, zero_count_float: 0,
            negative_spans: [], negative_deltas: [], negative_counts: [],
            positive_spans: [{ length: 2 }], positive_deltas: [], positive_counts: [1.5, 2],
            timestamp: 5, custom_values: [0.5, 1],
          }],
        },
      ],
      metadata: [{ type: "COUNTER", metric_family_name: "http_requests", help: "Requests." }, { metric_family_name: "x", unit: "seconds" }],
    });

    // Our decoder sees the same, and tells the stale marker from the NaN.
    const ours = decodeWriteRequest(bytes);
    assert.equal(ours.timeseries.length, 6);
    assert.deepEqual(ours.timeseries[1]!.samples, [{ value: NaN, timestamp: 0, stale: false }]);
    assert.deepEqual(ours.timeseries[3]!.samples, [{ value: NaN, timestamp: 2 ** 52, stale: true }]);
    assert.deepEqual(ours.timeseries[2]!.samples, [{ value: -2.5e300, timestamp: -5, stale: false }]);
    assert.deepEqual(ours.timeseries[4]!.histograms[0]!.histogram, h);
    assert.deepEqual(ours.timeseries[5]!.histograms[0]!.histogram, fh);
    assert.deepEqual(ours.timeseries[1]!.exemplars, [{ labels: ["trace_id", "abc"], value: 0.25, timestamp: 1700000000123 }]);
    assert.deepEqual(ours.metadata, [{ type: "counter", family: "http_requests", help: "Requests.", unit: "" }, { type: "unknown", family: "x", help: "", unit: "seconds" }]);
  });

  it("keeps requests and label bytes intact while its buffers grow, series first seen mid-request included", () => {
    // Long labels: the label arena and the request both outgrow their first 256 KiB several times.
    const sets = Array.from({ length: 3000 }, (_, i) => ["__name__", `metric_${i % 7}`, "id", String(i), "pad", `${i}-${"x".repeat(200 + (i % 13))}`]);
    const { t, refs } = table(sets);
    const enc = new WriteRequestEncoder(t, { externalLabels: { cluster: "eu" } });
    const expected = (order: number[]) => order.map((k) => ({ labels: labelsObj([...sets[k]!.slice(0, 2), "cluster", "eu", ...sets[k]!.slice(2)]), value: k + 0.5, timestamp: 1_700_000_000_000 + k }));
    const request = (order: number[], withHistogram: boolean) => {
      const h = new NativeHistogram();
      h.count = 1; h.positiveSpans.push(0, 1); h.positiveDeltas.push(1);
      return enc.encode({
        samples: {
          length: order.length,
          refs: order.map((k) => refs[k]!),
          timestamps: Float64Array.from(order, (k) => 1_700_000_000_000 + k),
          values: Float64Array.from(order, (k) => k + 0.5),
        },
        // A histogram makes the writer grow its own buffer: the next request must still be right.
        histograms: withHistogram ? [{ ref: refs[0]!, timestamp: 1, histogram: h }] : [],
      });
    };
    const check = (bytes: Uint8Array, order: number[]) => {
      const got = (peerDecode(bytes) as { timeseries: { labels: unknown; samples: { value: number; timestamp: number }[] }[] }).timeseries
        .filter((ts) => ts.samples.length > 0)
        .map((ts) => ({ labels: ts.labels, value: ts.samples[0]!.value, timestamp: ts.samples[0]!.timestamp }));
      assert.deepEqual(got, expected(order));
    };
    const first = Array.from({ length: 1500 }, (_, k) => k);
    check(request(first, false), first);
    const mixed = Array.from({ length: 3000 }, (_, k) => (k * 7) % 3000); // cached and new series interleaved
    check(request(mixed, true), mixed);
    check(request(first, false), first);
  });

  it("decodes what protobufjs encodes", () => {
    const msg = WriteRequestType.fromObject({
      timeseries: [{
        labels: [{ name: "__name__", value: "m" }, { name: "le", value: "0.5" }],
        samples: [{ value: 3, timestamp: 1000 }, { value: -1, timestamp: -1000 }],
        histograms: [{ count_float: 2, positive_spans: [{ offset: 1, length: 1 }], positive_counts: [2], timestamp: 9 }],
      }],
      metadata: [{ type: "GAUGE", metric_family_name: "m", help: "h" }],
    });
    const got = decodeWriteRequest(WriteRequestType.encode(msg).finish());
    assert.deepEqual(got.timeseries[0]!.labels, ["__name__", "m", "le", "0.5"]);
    assert.deepEqual(got.timeseries[0]!.samples, [{ value: 3, timestamp: 1000, stale: false }, { value: -1, timestamp: -1000, stale: false }]);
    const h = got.timeseries[0]!.histograms[0]!;
    assert.equal(h.timestamp, 9);
    assert.equal(h.histogram.isFloat, true);
    assert.deepEqual(h.histogram.positiveCounts, [2]);
    assert.deepEqual(got.metadata, [{ type: "gauge", family: "m", help: "h", unit: "" }]);
  });

  it("matches protobufjs on randomized batches", () => {
    const r = rng(7);
    for (let round = 0; round < 40; round++) {
      const sets: string[][] = [];
      const nSeries = 1 + Math.floor(r() * 20);
      for (let s = 0; s < nSeries; s++) {
        const flat = ["__name__", `metric_${s}`];
        const nl = Math.floor(r() * 6);
        for (let l = 0; l < nl; l++) flat.push(`l${l}`, "v".repeat(Math.floor(r() * 200)) + s);
        sets.push(flat);
      }
      const { t, refs } = table(sets);
      const enc = new WriteRequestEncoder(t);
      const n = Math.floor(r() * 300);
      const rf = new Int32Array(n), ts = new Float64Array(n), vs = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        rf[i] = refs[Math.floor(r() * refs.length)]!;
        ts[i] = Math.floor(r() * 2 ** 45) - (r() < 0.05 ? 2 ** 44 : 0);
        vs[i] = r() < 0.1 ? 0 : (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20);
      }
      const bytes = enc.encode({ samples: { length: n, refs: rf, timestamps: ts, values: vs } });
      const peer = peerDecode(bytes) as { timeseries?: { labels: unknown; samples: { value?: number; timestamp?: number }[] }[] };
      // Rebuild the sample list from the peer's view.
      const flat: [number, number][] = [];
      for (const series of peer.timeseries ?? []) for (const s of series.samples) flat.push([s.timestamp ?? 0, s.value ?? 0]);
      assert.deepEqual(flat, Array.from({ length: n }, (_, i) => [ts[i]!, vs[i]! === 0 ? 0 : vs[i]!]), `round ${round}`);
      const ours = decodeWriteRequest(bytes);
      assert.equal(ours.timeseries.reduce((a, s) => a + s.samples.length, 0), n);
    }
  });

  it("reports malformed input as ProtoError, never a crash", () => {
    const { t, refs } = table([["__name__", "a", "x", "y"]]);
    const good = new WriteRequestEncoder(t).encode({ samples: { length: 3, refs: [refs[0]!, refs[0]!, refs[0]!], timestamps: [1, 2, 3], values: [1, 2, 3] } }).slice();
    const r = rng(99);
    let errors = 0;
    for (let i = 0; i < 2000; i++) {
      const bad = good.slice(0, Math.floor(r() * (good.length + 1)));
      for (let k = 0; k < 3; k++) if (bad.length > 0) bad[Math.floor(r() * bad.length)] = Math.floor(r() * 256);
      try {
        visitWriteRequest(bad, { series: () => 0, sample: () => {} });
      } catch (e) {
        assert.ok(e instanceof ProtoError, String(e));
        errors++;
      }
    }
    assert.ok(errors > 100);
  });

  it("frames a request as remote write wants: snappy block and the three headers", () => {
    assert.deepEqual(REMOTE_WRITE_HEADERS, {
      "Content-Encoding": "snappy",
      "Content-Type": "application/x-protobuf",
      "X-Prometheus-Remote-Write-Version": "0.1.0",
    });
    const { t, refs } = table([["__name__", "a"]]);
    const wr = new WriteRequestEncoder(t).encode({ samples: { length: 1, refs: [refs[0]!], timestamps: [5], values: [1] } }).slice();
    const body = requestBody(wr);
    assert.deepEqual(readRequestBody(body), wr);
    assert.throws(() => readRequestBody(body, 2), /exceeds the limit/);
  });

  it("re-encodes a series' labels after forget()", () => {
    const { t, refs } = table([["__name__", "a"]]);
    const enc = new WriteRequestEncoder(t);
    const one = { samples: { length: 1, refs: [refs[0]!], timestamps: [1], values: [1] } };
    const first = enc.encode(one).slice();
    enc.forget(refs[0]!);
    assert.deepEqual(enc.encode(one), first);
    enc.clearCache();
    assert.deepEqual(enc.encode(one), first);
  });
});
