// The textfile collector's parser: Go expfmt's TextParser rules and error texts, which decide what
// node_exporter counts as a bad *.prom file.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseTextFormat } from "../../../src/component/prometheus/exporter/unix/textfile-parser.ts";

const error = (text: string) => {
  try {
    parseTextFormat(text);
  } catch (e) {
    return (e as Error).message;
  }
  return "no error";
};

describe("textfile parser", () => {
  it("reads families, help with escapes, types, labels and values", () => {
    const f = parseTextFormat('# HELP a_total Help with \\\\ and \\n.\n# TYPE a_total counter\na_total{x="1",y="q\\"uote"} 3\nb +Inf\n');
    assert.equal(f.get("a_total")!.help, "Help with \\ and \n.");
    assert.equal(f.get("a_total")!.type, "counter");
    assert.deepEqual(f.get("a_total")!.metrics, [{ labels: [["x", "1"], ["y", 'q"uote']], value: 3 }]);
    assert.equal(f.get("b")!.type, "untyped");
    assert.equal(f.get("b")!.metrics[0]!.value, Infinity);
  });

  it("folds summaries and histograms by their labels, without quantile and le", () => {
    const f = parseTextFormat(
      '# TYPE s summary\ns{q="a",quantile="0.5"} 1\ns_sum{q="a"} 10\ns_count{q="a"} 4\n# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 3\nh_sum 1.5\nh_count 3\n',
    );
    assert.deepEqual(f.get("s")!.metrics, [{ labels: [["q", "a"]], value: 0, summary: { quantiles: [[0.5, 1]], sum: 10, count: 4 } }]);
    assert.deepEqual(f.get("h")!.metrics[0]!.histogram, { buckets: [[1, 2], [Infinity, 3]], sum: 1.5, count: 3, floatCounts: false });
    assert.equal(f.has("s_sum"), false);
  });

  it("accepts the metric name inside the braces", () => {
    const f = parseTextFormat('{"braced_metric", a="b"} 7\n');
    assert.deepEqual(f.get("braced_metric")!.metrics, [{ labels: [["a", "b"]], value: 7 }]);
  });

  it("keeps a timestamp (the collector refuses such files) and drops empty families", () => {
    const f = parseTextFormat("# TYPE empty gauge\nt 1 1700000000000\n");
    assert.equal(f.get("t")!.metrics[0]!.timestampMs, 1_700_000_000_000);
    assert.equal(f.has("empty"), false);
  });

  it("refuses what expfmt refuses, with its messages", () => {
    assert.equal(error("no_newline 1"), "text format parsing error in line 1: unexpected end of input stream");
    assert.equal(error("blank_after 1 \n"), 'text format parsing error in line 1: expected integer as timestamp, got ""');
    assert.equal(error("m{ 1\n"), 'text format parsing error in line 1: invalid label name for metric "m"');
    assert.equal(error("ok 1\nm x\n"), 'text format parsing error in line 2: expected float as value, got "x"');
    assert.equal(error("# TYPE t gauge\n# TYPE t counter\n"), 'text format parsing error in line 2: second TYPE line for metric name "t", or TYPE reported after samples');
    assert.equal(error("# HELP t a\n# HELP t b\n"), 'text format parsing error in line 2: second HELP line for metric name "t"');
    assert.equal(error("# TYPE t nonsense\n"), 'text format parsing error in line 1: unknown metric type "nonsense"');
    assert.equal(error('m{a="1",a="2"} 1\n'), 'text format parsing error in line 1: duplicate label names for metric "m"');
    assert.equal(error('m{__name__="x"} 1\n'), 'text format parsing error in line 1: label name "__name__" is reserved');
    assert.equal(error('m{a="\\x"} 1\n'), "text format parsing error in line 1: invalid escape sequence '\\x'");
    assert.equal(error("m 1 12 x\n"), 'text format parsing error in line 1: spurious string after timestamp: " x"');
    assert.equal(error('m{a=1} 1\n'), "text format parsing error in line 1: expected '\"' at start of label value, found '1'");
    assert.equal(error("m 0x10\n"), 'text format parsing error in line 1: expected float as value, got "0x10"');
    assert.equal(error('# TYPE h histogram\nh_bucket{le="1"} -1.5\n'), 'text format parsing error in line 2: negative bucket population for histogram "h"');
  });
});
