// The remote write 2.0 decoder against requests encoded by protobufjs from Prometheus's own schema
// (prompb/io/prometheus/write/v2/types.proto): symbols resolved into sorted labels, samples with stale
// markers, histograms with their start timestamps, exemplars, metadata, Prometheus's messages for
// references outside the symbols table, and malformed input reported as ProtoError only.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import protobuf from "protobufjs";
import { ProtoError } from "../../src/wire/protobuf/reader.ts";
import { visitWriteRequestV2 } from "../../src/wire/remotewrite/decode-v2.ts";
import { visitWriteRequest } from "../../src/wire/remotewrite/decode.ts";

const WRITE_V2 = `
syntax = "proto3";
package io.prometheus.write.v2;
message Request {
  reserved 1 to 3;
  repeated string symbols = 4;
  repeated TimeSeries timeseries = 5;
}
message TimeSeries {
  repeated uint32 labels_refs = 1;
  repeated Sample samples = 2;
  repeated Histogram histograms = 3;
  repeated Exemplar exemplars = 4;
  Metadata metadata = 5;
  reserved 6;
}
message Exemplar { repeated uint32 labels_refs = 1; double value = 2; int64 timestamp = 3; }
message Sample { double value = 1; int64 timestamp = 2; int64 start_timestamp = 3; }
message Metadata {
  enum MetricType {
    METRIC_TYPE_UNSPECIFIED = 0; METRIC_TYPE_COUNTER = 1; METRIC_TYPE_GAUGE = 2; METRIC_TYPE_HISTOGRAM = 3;
    METRIC_TYPE_GAUGEHISTOGRAM = 4; METRIC_TYPE_SUMMARY = 5; METRIC_TYPE_INFO = 6; METRIC_TYPE_STATESET = 7;
  }
  MetricType type = 1;
  uint32 help_ref = 3;
  uint32 unit_ref = 4;
}
message Histogram {
  oneof count { uint64 count_int = 1; double count_float = 2; }
  double sum = 3;
  sint32 schema = 4;
  double zero_threshold = 5;
  oneof zero_count { uint64 zero_count_int = 6; double zero_count_float = 7; }
  repeated BucketSpan negative_spans = 8;
  repeated sint64 negative_deltas = 9;
  repeated double negative_counts = 10;
  repeated BucketSpan positive_spans = 11;
  repeated sint64 positive_deltas = 12;
  repeated double positive_counts = 13;
  int32 reset_hint = 14;
  int64 timestamp = 15;
  repeated double custom_values = 16;
  int64 start_timestamp = 17;
}
message BucketSpan { sint32 offset = 1; uint32 length = 2; }
`;

const Request = protobuf.parse(WRITE_V2, { keepCase: true }).root.lookupType("io.prometheus.write.v2.Request");

function encode(object: Record<string, unknown>): Uint8Array {
  return Request.encode(Request.fromObject(object)).finish();
}

/** A value the test writes where a stale marker goes; its bytes are then replaced by StaleNaN's. */
const STALE_SENTINEL = 1234.5678;

/**
 * Replaces the little-endian double STALE_SENTINEL in `bytes` with Prometheus's StaleNaN
 * (0x7ff0000000000002): a NaN's payload does not survive every engine as a JavaScript number, so the
 * marker is written as bytes.
 */
function withStaleMarker(bytes: Uint8Array): Uint8Array {
  const sentinel = new Uint8Array(new Float64Array([STALE_SENTINEL]).buffer);
  const out = new Uint8Array(bytes); // a copy with its own buffer (Node's protobufjs output is a pooled Buffer)
  for (let i = 0; i + 8 <= out.length; i++) {
    if (sentinel.every((b, k) => out[i + k] === b)) {
      out.set([0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f], i);
      return out;
    }
  }
  throw new Error("sentinel not found");
}

interface Decoded {
  labels: string[];
  labelsError: string;
  validUtf8: boolean;
  metadata: [string, string, string, string];
  samples: [number, number, number, boolean][];
  histograms: [number, number, number, number[], number[]][];
  exemplars: [string[], string, number, number][];
}

function decode(bytes: Uint8Array): Decoded[] {
  const out: Decoded[] = [];
  visitWriteRequestV2(bytes, (s) => {
    out.push({
      labels: s.labels.toArray(),
      labelsError: s.labelsError,
      validUtf8: s.validUtf8,
      metadata: [s.type, s.help, s.unit, s.metadataError],
      samples: Array.from({ length: s.sampleCount }, (_, i) => [s.values[i]!, s.timestamps[i]!, s.startTimestamps[i]!, s.stale[i]!]),
      histograms: s.histograms.slice(0, s.histogramCount).map((h) => [h.timestamp, h.startTimestamp, h.histogram.schema, h.histogram.positiveSpans.slice(), h.histogram.positiveDeltas.slice()]),
      exemplars: s.exemplars.map((e) => [e.labels.slice(), e.error, e.value, e.timestamp]),
    });
  });
  return out;
}

describe("remote write 2.0 decoder", () => {
  it("decodes what protobufjs encodes from Prometheus's schema", () => {
    const symbols = ["", "__name__", "jobs_total", "queue", "q1", "trace_id", "abc", "Jobs done.", "jobs"];
    const bytes = withStaleMarker(encode({
      symbols,
      timeseries: [
        {
          // Labels in any order on the wire come out sorted.
          labels_refs: [3, 4, 1, 2],
          samples: [{ value: 3, timestamp: 1000, start_timestamp: 500 }, { value: STALE_SENTINEL, timestamp: 2000 }, { value: -1.5, timestamp: -3000 }],
          exemplars: [{ labels_refs: [5, 6], value: 0.5, timestamp: 1000 }],
          metadata: { type: "METRIC_TYPE_COUNTER", help_ref: 7, unit_ref: 8 },
        },
        {
          labels_refs: [1, 2],
          histograms: [{ count_int: 3, schema: 2, positive_spans: [{ offset: 1, length: 2 }], positive_deltas: [1, 1], timestamp: 4000, start_timestamp: 3500 }],
        },
      ],
    }));
    const [a, b] = decode(bytes);
    assert.deepEqual(a!.labels, ["__name__", "jobs_total", "queue", "q1"]);
    assert.equal(a!.labelsError, "");
    assert.deepEqual(a!.metadata, ["counter", "Jobs done.", "jobs", ""]);
    assert.deepEqual(a!.samples[0], [3, 1000, 500, false]);
    assert.equal(a!.samples[1]![3], true, "StaleNaN is a stale marker");
    assert.deepEqual(a!.samples[2], [-1.5, -3000, 0, false]);
    assert.deepEqual(a!.exemplars, [[["trace_id", "abc"], "", 0.5, 1000]]);
    assert.deepEqual(b!.histograms, [[4000, 3500, 2, [1, 2], [1, 1]]]);
    assert.deepEqual(b!.metadata, ["unknown", "", "", ""]);
  });

  it("reports references outside the symbols table with Prometheus's messages", () => {
    const bytes = encode({
      symbols: ["", "__name__", "x"],
      timeseries: [
        { labels_refs: [1, 2, 1], samples: [{ value: 1, timestamp: 1 }] },
        { labels_refs: [1, 7], samples: [{ value: 1, timestamp: 1 }] },
        { labels_refs: [1, 2], metadata: { help_ref: 9 }, samples: [{ value: 1, timestamp: 1 }] },
        { labels_refs: [1, 2], metadata: { unit_ref: 4 }, samples: [{ value: 1, timestamp: 1 }] },
        { labels_refs: [1, 2], exemplars: [{ labels_refs: [3, 0] }], samples: [{ value: 1, timestamp: 1 }] },
      ],
    });
    const got = decode(bytes);
    assert.equal(got[0]!.labelsError, "invalid labelRefs length 3");
    assert.equal(got[1]!.labelsError, "labelRefs 1 (name) = 7 (value) outside of symbols table (size 3)");
    assert.equal(got[2]!.metadata[3], "metadata help_ref 9 outside of symbols table (size 3)");
    assert.equal(got[3]!.metadata[3], "metadata unit_ref 4 outside of symbols table (size 3)");
    assert.equal(got[4]!.exemplars[0]![1], "labelRefs 3 (name) = 0 (value) outside of symbols table (size 3)");
  });

  it("tells label bytes that are not UTF-8 (v2 symbols and v1 labels)", () => {
    const bad = new Uint8Array([0xc3, 0x28]);
    const v2 = encode({ symbols: ["", "__name__", "x", "v"], timeseries: [{ labels_refs: [1, 2, 3, 3], samples: [{ value: 1, timestamp: 1 }] }] });
    assert.equal(decode(v2)[0]!.validUtf8, true);
    // The same request with the last symbol's bytes replaced by invalid UTF-8 (same length, in place).
    const bytes = v2.slice();
    const at = bytes.lastIndexOf(0x76); // "v"
    const broken = new Uint8Array([...bytes.subarray(0, at - 1), 2, ...bad, ...bytes.subarray(at + 1)]);
    assert.equal(decode(broken)[0]!.validUtf8, false);
    // v1: a Label with an invalid value.
    const v1 = new Uint8Array([0x0a, 0x10, 0x0a, 0x0e, 0x0a, 0x08, ...new TextEncoder().encode("__name__"), 0x12, 0x02, ...bad]);
    const seen: boolean[] = [];
    visitWriteRequest(v1, { series: (_lb, valid) => (seen.push(valid), 0), sample: () => {} });
    assert.deepEqual(seen, [false]);
  });

  it("reports malformed input as ProtoError, never another error", () => {
    const good = encode({
      symbols: ["", "__name__", "m", "t", "1"],
      timeseries: [
        {
          labels_refs: [1, 2],
          samples: [{ value: 2, timestamp: 10 }],
          histograms: [{ count_float: 2, positive_spans: [{ offset: 0, length: 1 }], positive_counts: [2], timestamp: 10 }],
          exemplars: [{ labels_refs: [3, 4], value: 1, timestamp: 10 }],
          metadata: { type: "METRIC_TYPE_GAUGE", help_ref: 2 },
        },
      ],
    });
    let seed = 99;
    const next = () => (seed = (seed * 1664525 + 1013904223) >>> 0);
    let errors = 0;
    for (let i = 0; i < 3000; i++) {
      const bad = good.slice(0, next() % (good.length + 1));
      for (let k = next() % 4; k > 0 && bad.length > 0; k--) bad[next() % bad.length] = next() & 0xff;
      try {
        decode(bad);
      } catch (e) {
        assert.ok(e instanceof ProtoError, String(e));
        errors++;
      }
    }
    assert.ok(errors > 100, `malformed inputs detected: ${errors}`);
  });
});
