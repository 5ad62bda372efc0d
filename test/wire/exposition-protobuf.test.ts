// The protobuf exposition format, fed with MetricFamily messages that protobufjs encodes from
// io.prometheus.client's metrics.proto; expected entries follow Prometheus's ProtobufParser.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import protobuf from "protobufjs";
import { ProtobufExpositionParser } from "../../src/wire/exposition/protobuf.ts";
import { LabelsBuilder } from "../../src/wire/labels/builder.ts";
import { NativeHistogram } from "../../src/wire/histogram.ts";
import { Entry, ParseError } from "../../src/wire/exposition/common.ts";
import { RawSeriesCache } from "../../src/wire/labels/rawcache.ts";
import { SampleBatch, ScrapeReader } from "../../src/wire/exposition/reader.ts";

const CLIENT = `
syntax = "proto2";
package io.prometheus.client;
message Timestamp { optional int64 seconds = 1; optional int32 nanos = 2; }
message LabelPair { optional string name = 1; optional string value = 2; }
enum MetricType { COUNTER = 0; GAUGE = 1; SUMMARY = 2; UNTYPED = 3; HISTOGRAM = 4; GAUGE_HISTOGRAM = 5; }
message Gauge { optional double value = 1; }
message Counter { optional double value = 1; optional Exemplar exemplar = 2; optional Timestamp start_timestamp = 3; }
message Quantile { optional double quantile = 1; optional double value = 2; }
message Summary { optional uint64 sample_count = 1; optional double sample_sum = 2; repeated Quantile quantile = 3; optional Timestamp start_timestamp = 4; }
message Untyped { optional double value = 1; }
message Histogram {
  optional uint64 sample_count = 1; optional double sample_count_float = 4; optional double sample_sum = 2;
  repeated Bucket bucket = 3; optional Timestamp start_timestamp = 15;
  optional sint32 schema = 5; optional double zero_threshold = 6; optional uint64 zero_count = 7; optional double zero_count_float = 8;
  repeated BucketSpan negative_span = 9; repeated sint64 negative_delta = 10; repeated double negative_count = 11;
  repeated BucketSpan positive_span = 12; repeated sint64 positive_delta = 13; repeated double positive_count = 14;
  repeated Exemplar exemplars = 16;
}
message Bucket { optional uint64 cumulative_count = 1; optional double cumulative_count_float = 4; optional double upper_bound = 2; optional Exemplar exemplar = 3; }
message BucketSpan { optional sint32 offset = 1; optional uint32 length = 2; }
message Exemplar { repeated LabelPair label = 1; optional double value = 2; optional Timestamp timestamp = 3; }
message Metric {
  repeated LabelPair label = 1; optional Gauge gauge = 2; optional Counter counter = 3; optional Summary summary = 4;
  optional Untyped untyped = 5; optional Histogram histogram = 7; optional int64 timestamp_ms = 6;
}
message MetricFamily { optional string name = 1; optional string help = 2; optional MetricType type = 3; repeated Metric metric = 4; optional string unit = 5; }
`;
const MF = protobuf.parse(CLIENT, { keepCase: true }).root.lookupType("io.prometheus.client.MetricFamily");

function body(families: Record<string, unknown>[]): Uint8Array {
  const w = protobuf.Writer.create();
  for (const f of families) MF.encodeDelimited(MF.fromObject(f), w);
  return w.finish();
}

type Got = (string | number | boolean | object)[];
function entries(p: ProtobufExpositionParser): Got[] {
  const out: Got[] = [];
  const lb = new LabelsBuilder();
  for (let e = p.next(); e !== Entry.EOF; e = p.next()) {
    if (e === Entry.Help) out.push(["help", p.metadataName(), p.helpText()]);
    else if (e === Entry.Type) out.push(["type", p.metadataName(), p.metricType]);
    else if (e === Entry.Unit) out.push(["unit", p.metadataName(), p.unitText()]);
    else {
      const row: Got = [e === Entry.Series ? "series" : "histogram", p.labels(lb).toArray()];
      if (e === Entry.Series) row.push(p.value);
      else {
        const h = p.histogram(new NativeHistogram());
        row.push({ count: h.count, sum: h.sum, schema: h.schema, zt: h.zeroThreshold, zc: h.zeroCount, float: h.isFloat, ps: h.positiveSpans, pd: h.positiveDeltas, pc: h.positiveCounts, ns: h.negativeSpans, nd: h.negativeDeltas, hint: h.resetHint });
      }
      if (p.hasTimestamp) row.push({ t: p.timestamp });
      const st = p.startTimestamp();
      if (st) row.push({ st });
      while (p.exemplar(lb)) row.push({ ex: lb.toArray(), v: p.exemplarValue, ...(p.exemplarHasTimestamp ? { ts: p.exemplarTimestamp } : {}) });
      out.push(row);
    }
  }
  return out;
}

describe("protobuf exposition format", () => {
  const families = [
    {
      name: "http_requests_total", help: "Requests.", type: "COUNTER",
      metric: [
        { label: [{ name: "code", value: "200" }, { name: "method", value: "get" }], counter: { value: 1027, start_timestamp: { seconds: 1700000000, nanos: 5e8 }, exemplar: { label: [{ name: "trace_id", value: "x1" }], value: 0.5, timestamp: { seconds: 1700000001 } } } },
        { label: [{ name: "code", value: "500" }], counter: { value: 3 }, timestamp_ms: 1700000002000 },
      ],
    },
    { name: "temperature", help: "", type: "GAUGE", unit: "celsius", metric: [{ gauge: { value: -1.5 } }] },
    { name: "empty_family", type: "GAUGE", metric: [] },
    { name: "mystery", type: "UNTYPED", metric: [{ untyped: { value: 42 } }] },
    {
      name: "rpc_duration_seconds", help: "RPC latency.", type: "SUMMARY",
      metric: [{ label: [{ name: "service", value: "a" }], summary: { sample_count: 9, sample_sum: 1.5, quantile: [{ quantile: 0.5, value: 0.1 }, { quantile: 1, value: 0.9 }] } }],
    },
    {
      name: "req_size_bytes", help: "Classic.", type: "HISTOGRAM",
      metric: [{ histogram: { sample_count: 10, sample_sum: 500, bucket: [{ cumulative_count: 4, upper_bound: 100, exemplar: { label: [{ name: "id", value: "e" }], value: 50 } }, { cumulative_count: 9, upper_bound: 1000 }] } }],
    },
    {
      name: "latency_seconds", help: "Native.", type: "HISTOGRAM",
      metric: [{
        label: [{ name: "job", value: "x" }],
        histogram: {
          sample_count: 7, sample_sum: 3.25, schema: 3, zero_threshold: 1e-128, zero_count: 1,
          positive_span: [{ offset: -1, length: 2 }, { offset: 2, length: 1 }], positive_delta: [2, 1, -2],
          negative_span: [{ offset: 0, length: 1 }], negative_delta: [1],
          bucket: [{ cumulative_count: 5, upper_bound: 1 }],
        },
      }],
    },
    {
      name: "queue_fill", help: "Float gauge histogram.", type: "GAUGE_HISTOGRAM",
      metric: [{ histogram: { sample_count_float: 2.5, sample_sum: 1, schema: 0, positive_span: [{ offset: 0, length: 1 }], positive_count: [2.5] } }],
    },
  ];

  it("replays Prometheus's entry sequence for every metric type", () => {
    const got = entries(new ProtobufExpositionParser(body(families)));
    const nh = { count: 7, sum: 3.25, schema: 3, zt: 1e-128, zc: 1, float: false, ps: [-1, 2, 2, 1], pd: [2, 1, -2], pc: [], ns: [0, 1], nd: [1], hint: 0 };
    const fh = { count: 2.5, sum: 1, schema: 0, zt: 0, zc: 0, float: true, ps: [0, 1], pd: [], pc: [2.5], ns: [], nd: [], hint: 3 };
    assert.deepEqual(got, [
      ["help", "http_requests_total", "Requests."],
      ["type", "http_requests_total", "counter"],
      ["series", ["__name__", "http_requests_total", "code", "200", "method", "get"], 1027, { st: 1700000000500 }, { ex: ["trace_id", "x1"], v: 0.5, ts: 1700000001000 }],
      ["series", ["__name__", "http_requests_total", "code", "500"], 3, { t: 1700000002000 }],
      ["help", "temperature", ""],
      ["unit", "temperature", "celsius"],
      ["type", "temperature", "gauge"],
      ["series", ["__name__", "temperature"], -1.5],
      ["help", "mystery", ""],
      ["type", "mystery", "unknown"],
      ["series", ["__name__", "mystery"], 42],
      ["help", "rpc_duration_seconds", "RPC latency."],
      ["type", "rpc_duration_seconds", "summary"],
      ["series", ["__name__", "rpc_duration_seconds_count", "service", "a"], 9],
      ["series", ["__name__", "rpc_duration_seconds_sum", "service", "a"], 1.5],
      ["series", ["__name__", "rpc_duration_seconds", "quantile", "0.5", "service", "a"], 0.1],
      ["series", ["__name__", "rpc_duration_seconds", "quantile", "1.0", "service", "a"], 0.9],
      ["help", "req_size_bytes", "Classic."],
      ["type", "req_size_bytes", "histogram"],
      ["series", ["__name__", "req_size_bytes_count"], 10],
      ["series", ["__name__", "req_size_bytes_sum"], 500],
      ["series", ["__name__", "req_size_bytes_bucket", "le", "100.0"], 4, { ex: ["id", "e"], v: 50 }],
      ["series", ["__name__", "req_size_bytes_bucket", "le", "1000.0"], 9],
      ["series", ["__name__", "req_size_bytes_bucket", "le", "+Inf"], 10],
      ["help", "latency_seconds", "Native."],
      ["type", "latency_seconds", "histogram"],
      ["histogram", ["__name__", "latency_seconds", "job", "x"], nh],
      ["help", "queue_fill", "Float gauge histogram."],
      ["type", "queue_fill", "gaugehistogram"],
      ["histogram", ["__name__", "queue_fill"], fh],
    ]);
  });

  it("can keep the classic series of a native histogram", () => {
    const got = entries(new ProtobufExpositionParser(body([families[6]!]), { keepClassicHistograms: true }));
    assert.deepEqual(got.map((r) => [r[0], Array.isArray(r[1]) ? r[1][1] : r[1]]), [
      ["help", "latency_seconds"], ["type", "latency_seconds"], ["histogram", "latency_seconds"],
      ["series", "latency_seconds_count"], ["series", "latency_seconds_sum"], ["series", "latency_seconds_bucket"], ["series", "latency_seconds_bucket"],
    ]);
  });

  it("gives distinct series keys and works with the scrape reader and its cache", () => {
    const b = body(families);
    const seen: string[][] = [];
    const reader = new ScrapeReader(new RawSeriesCache(), { resolve: (lb) => (seen.push(lb.toArray()), seen.length - 1) });
    const batch = new SampleBatch();
    const first = reader.read(new ProtobufExpositionParser(b), batch);
    assert.equal(first.newSeries, 15);
    assert.equal(batch.length, 13);
    assert.equal(batch.histograms.length, 2);
    assert.equal(batch.histograms[1]!.histogram.isFloat, true);
    assert.equal(new Set(seen.map((s) => JSON.stringify(s))).size, 15);
    reader.cache.nextIteration();
    const second = reader.read(new ProtobufExpositionParser(b), batch.reset());
    assert.equal(second.newSeries, 0);
    assert.equal(batch.length, 13);
  });

  it("reports malformed bodies as ParseError, never a crash", () => {
    const good = body(families);
    let x = 1;
    const r = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 1500; i++) {
      const bad = good.slice(0, Math.floor(r() * (good.length + 1)));
      for (let k = 0; k < 2; k++) if (bad.length) bad[Math.floor(r() * bad.length)] = Math.floor(r() * 256);
      try {
        entries(new ProtobufExpositionParser(bad));
      } catch (e) {
        assert.ok(e instanceof ParseError, `${e}`);
      }
    }
  });
});
