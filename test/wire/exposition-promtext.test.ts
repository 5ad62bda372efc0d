// Cases transcribed from Prometheus's model/textparse/promparse_test.go (TestPromParse,
// TestUTF8PromParse, TestPromParseErrors, TestPromNullByteHandling), expected values as Prometheus has them.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PromTextParser } from "../../src/wire/exposition/promtext.ts";
import { ParseError } from "../../src/wire/exposition/common.ts";
import { collect, errorOf, type Parsed, series as s } from "./exposition-helpers.ts";

const enc = new TextEncoder();
const parse = (text: string) => new PromTextParser(enc.encode(text));

describe("Prometheus text format (promparse_test.go)", () => {
  it("TestPromParse", () => {
    let input = `# HELP go_gc_duration_seconds A summary of the GC invocation durations.
# 	TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0"} 4.9351e-05
go_gc_duration_seconds{quantile="0.25",} 7.424100000000001e-05
go_gc_duration_seconds{quantile="0.5",a="b"} 8.3835e-05
go_gc_duration_seconds{quantile="0.8", a="b"} 8.3835e-05
go_gc_duration_seconds{ quantile="0.9", a="b"} 8.3835e-05
# HELP prometheus_http_request_duration_seconds Histogram of latencies for HTTP requests.
# TYPE prometheus_http_request_duration_seconds histogram
prometheus_http_request_duration_seconds_bucket{handler="/",le="1"} 423
prometheus_http_request_duration_seconds_bucket{handler="/",le="2"} 1423
prometheus_http_request_duration_seconds_bucket{handler="/",le="+Inf"} 1423
prometheus_http_request_duration_seconds_sum{handler="/"} 2000
prometheus_http_request_duration_seconds_count{handler="/"} 1423
# Hrandom comment starting with prefix of HELP
#
wind_speed{A="2",c="3"} 12345
# comment with escaped \\n newline
# comment with escaped \\ escape character
# HELP nohelp1
# HELP nohelp2 
go_gc_duration_seconds{ quantile="1.0", a="b" } 8.3835e-05
go_gc_duration_seconds { quantile="1.0", a="b" } 8.3835e-05
go_gc_duration_seconds { quantile= "1.0", a= "b", } 8.3835e-05
go_gc_duration_seconds { quantile = "1.0", a = "b" } 8.3835e-05
go_gc_duration_seconds { quantile = "2.0" a = "b" } 8.3835e-05
go_gc_duration_seconds_count 99
some:aggregate:rate5m{a_b="c"}	1
# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 33  	123123
# TYPE some_counter_total counter
# HELP some_counter_total Help after type.
some_counter_total 12
# HELP nohelp3
_metric_starting_with_underscore 1
testmetric{_label_starting_with_underscore="foo"} 1
testmetric{label="\\"bar\\""} 1
testmetric{le="10"} 1
# HELP type_and_unit_test1 Type specified in metadata overrides.
# TYPE type_and_unit_test1 gauge
type_and_unit_test1{__type__="counter"} 123
# HELP type_and_unit_test2 Type specified in label.
type_and_unit_test2{__type__="counter"} 123`;
    input += "\n# HELP metric foo\x00bar";
    input += '\nnull_byte_metric{a="abc\x00"} 1';
    const gc = "go_gc_duration_seconds";
    const h = "prometheus_http_request_duration_seconds";
    const exp: Parsed[] = [
      { help: gc, text: "A summary of the GC invocation durations." },
      { type: "summary", metric: gc },
      s(`${gc}{quantile="0"}`, 4.9351e-05, ["__name__", gc, "quantile", "0.0"]),
      s(`${gc}{quantile="0.25",}`, 7.424100000000001e-05, ["__name__", gc, "quantile", "0.25"]),
      s(`${gc}{quantile="0.5",a="b"}`, 8.3835e-05, ["__name__", gc, "a", "b", "quantile", "0.5"]),
      s(`${gc}{quantile="0.8", a="b"}`, 8.3835e-05, ["__name__", gc, "a", "b", "quantile", "0.8"]),
      s(`${gc}{ quantile="0.9", a="b"}`, 8.3835e-05, ["__name__", gc, "a", "b", "quantile", "0.9"]),
      { help: h, text: "Histogram of latencies for HTTP requests." },
      { type: "histogram", metric: h },
      s(`${h}_bucket{handler="/",le="1"}`, 423, ["__name__", `${h}_bucket`, "handler", "/", "le", "1.0"]),
      s(`${h}_bucket{handler="/",le="2"}`, 1423, ["__name__", `${h}_bucket`, "handler", "/", "le", "2.0"]),
      s(`${h}_bucket{handler="/",le="+Inf"}`, 1423, ["__name__", `${h}_bucket`, "handler", "/", "le", "+Inf"]),
      s(`${h}_sum{handler="/"}`, 2000, ["__name__", `${h}_sum`, "handler", "/"]),
      s(`${h}_count{handler="/"}`, 1423, ["__name__", `${h}_count`, "handler", "/"]),
      { comment: "# Hrandom comment starting with prefix of HELP" },
      { comment: "#" },
      s(`wind_speed{A="2",c="3"}`, 12345, ["A", "2", "__name__", "wind_speed", "c", "3"]),
      { comment: "# comment with escaped \\n newline" },
      { comment: "# comment with escaped \\ escape character" },
      { help: "nohelp1", text: "" },
      { help: "nohelp2", text: "" },
      s(`${gc}{ quantile="1.0", a="b" }`, 8.3835e-05, ["__name__", gc, "a", "b", "quantile", "1.0"]),
      s(`${gc} { quantile="1.0", a="b" }`, 8.3835e-05, ["__name__", gc, "a", "b", "quantile", "1.0"]),
      s(`${gc} { quantile= "1.0", a= "b", }`, 8.3835e-05, ["__name__", gc, "a", "b", "quantile", "1.0"]),
      s(`${gc} { quantile = "1.0", a = "b" }`, 8.3835e-05, ["__name__", gc, "a", "b", "quantile", "1.0"]),
      s(`${gc} { quantile = "2.0" a = "b" }`, 8.3835e-05, ["__name__", gc, "a", "b", "quantile", "2.0"]),
      s(`${gc}_count`, 99, ["__name__", `${gc}_count`]),
      s(`some:aggregate:rate5m{a_b="c"}`, 1, ["__name__", "some:aggregate:rate5m", "a_b", "c"]),
      { help: "go_goroutines", text: "Number of goroutines that currently exist." },
      { type: "gauge", metric: "go_goroutines" },
      s("go_goroutines", 33, ["__name__", "go_goroutines"], { t: 123123 }),
      { type: "counter", metric: "some_counter_total" },
      { help: "some_counter_total", text: "Help after type." },
      s("some_counter_total", 12, ["__name__", "some_counter_total"]),
      { help: "nohelp3", text: "" },
      s("_metric_starting_with_underscore", 1, ["__name__", "_metric_starting_with_underscore"]),
      s(`testmetric{_label_starting_with_underscore="foo"}`, 1, ["__name__", "testmetric", "_label_starting_with_underscore", "foo"]),
      s(`testmetric{label="\\"bar\\""}`, 1, ["__name__", "testmetric", "label", `"bar"`]),
      s(`testmetric{le="10"}`, 1, ["__name__", "testmetric", "le", "10"]),
      { help: "type_and_unit_test1", text: "Type specified in metadata overrides." },
      { type: "gauge", metric: "type_and_unit_test1" },
      s(`type_and_unit_test1{__type__="counter"}`, 123, ["__name__", "type_and_unit_test1", "__type__", "counter"]),
      { help: "type_and_unit_test2", text: "Type specified in label." },
      s(`type_and_unit_test2{__type__="counter"}`, 123, ["__name__", "type_and_unit_test2", "__type__", "counter"]),
      { help: "metric", text: "foo\x00bar" },
      s(`null_byte_metric{a="abc\x00"}`, 1, ["__name__", "null_byte_metric", "a", "abc\x00"]),
    ];
    assert.deepEqual(collect(parse(input)), exp);
  });

  it("TestUTF8PromParse", () => {
    const input = `# HELP "go.gc_duration_seconds" A summary of the GC invocation durations.
# 	TYPE "go.gc_duration_seconds" summary
{"go.gc_duration_seconds",quantile="0"} 4.9351e-05
{"go.gc_duration_seconds",quantile="0.25",} 7.424100000000001e-05
{"go.gc_duration_seconds",quantile="0.5",a="b"} 8.3835e-05
{"go.gc_duration_seconds",quantile="0.8", a="b"} 8.3835e-05
{"go.gc_duration_seconds", quantile="0.9", a="b"} 8.3835e-05
{"go.gc_duration_seconds", quantile="1.0", a="b" } 8.3835e-05
{ "go.gc_duration_seconds", quantile="1.0", a="b" } 8.3835e-05
{ "go.gc_duration_seconds", quantile= "1.0", a= "b", } 8.3835e-05
{ "go.gc_duration_seconds", quantile = "1.0", a = "b" } 8.3835e-05
{"go.gc_duration_seconds_count"} 99
{"Heizölrückstoßabdämpfung 10€ metric with \\"interesting\\" {character\\nchoices}","strange©™\\n'quoted' \\"name\\""="6"} 10.0`;
    const n = "go.gc_duration_seconds";
    const ab = (q: string) => ["__name__", n, "a", "b", "quantile", q];
    const exp: Parsed[] = [
      { help: n, text: "A summary of the GC invocation durations." },
      { type: "summary", metric: n },
      s(`{"${n}",quantile="0"}`, 4.9351e-05, ["__name__", n, "quantile", "0.0"]),
      s(`{"${n}",quantile="0.25",}`, 7.424100000000001e-05, ["__name__", n, "quantile", "0.25"]),
      s(`{"${n}",quantile="0.5",a="b"}`, 8.3835e-05, ab("0.5")),
      s(`{"${n}",quantile="0.8", a="b"}`, 8.3835e-05, ab("0.8")),
      s(`{"${n}", quantile="0.9", a="b"}`, 8.3835e-05, ab("0.9")),
      s(`{"${n}", quantile="1.0", a="b" }`, 8.3835e-05, ab("1.0")),
      s(`{ "${n}", quantile="1.0", a="b" }`, 8.3835e-05, ab("1.0")),
      s(`{ "${n}", quantile= "1.0", a= "b", }`, 8.3835e-05, ab("1.0")),
      s(`{ "${n}", quantile = "1.0", a = "b" }`, 8.3835e-05, ab("1.0")),
      s(`{"${n}_count"}`, 99, ["__name__", `${n}_count`]),
      s(`{"Heizölrückstoßabdämpfung 10€ metric with \\"interesting\\" {character\\nchoices}","strange©™\\n'quoted' \\"name\\""="6"}`, 10,
        ["__name__", `Heizölrückstoßabdämpfung 10€ metric with "interesting" {character\nchoices}`, "strange©™\n'quoted' \"name\"", "6"]),
    ];
    assert.deepEqual(collect(parse(input)), exp);
  });

  it("TestPromParseErrors", () => {
    const cases: [string, string][] = [
      ["a", 'expected value after metric, got "\\n" ("INVALID") while parsing: "a\\n"'],
      ["a{b='c'} 1\n", `expected label value, got "'" ("INVALID") while parsing: "a{b='"`],
      ["a{b=\n", 'expected label value, got "\\n" ("INVALID") while parsing: "a{b=\\n"'],
      ['a{\xff="foo"} 1\n', 'expected label name, got "\\xff" ("INVALID") while parsing: "a{\\xff"'],
      ['a{b="\xff"} 1\n', 'invalid UTF-8 label value: "\\"\\xff\\""'],
      ['{"a", "b = "c"}', 'expected equal, got "c\\"" ("LNAME") while parsing: "{\\"a\\", \\"b = \\"c\\""'],
      ['{"a",b\\nc="d"} 1', 'expected equal, got "\\\\" ("INVALID") while parsing: "{\\"a\\",b\\\\"'],
      ["a true\n", 'strconv.ParseFloat: parsing "true": invalid syntax while parsing: "a true"'],
      ['something_weird{problem="', 'expected label value, got "\\"\\n" ("INVALID") while parsing: "something_weird{problem=\\"\\n"'],
      ['empty_label_name{=""} 0', 'expected label name, got "=\\"" ("EQUAL") while parsing: "empty_label_name{=\\""'],
      ["{A}0", 'expected equal, got "}0" ("BCLOSE") while parsing: "{A}0"'],
      ["foo 1_2\n", 'unsupported character in float while parsing: "foo 1_2"'],
      ["foo 0x1p-3\n", 'unsupported character in float while parsing: "foo 0x1p-3"'],
      ["foo 0x1P-3\n", 'unsupported character in float while parsing: "foo 0x1P-3"'],
      ["foo 0 1_2\n", 'expected next entry after timestamp, got "_" ("INVALID") while parsing: "foo 0 1_"'],
      ['{a="ok"} 1', 'metric name not set while parsing: "{a=\\"ok\\"} 1"'],
      ["# TYPE #\n#EOF\n", 'expected metric name after TYPE, got "#" ("INVALID") while parsing: "# TYPE #"'],
      ["# HELP #\n#EOF\n", 'expected metric name after HELP, got "#" ("INVALID") while parsing: "# HELP #"'],
    ];
    for (const [input, err] of cases) assert.equal(errorOf(new PromTextParser(latin1(input))), err, JSON.stringify(input));
  });

  it("TestPromParseBareIdentifierInBraces does not crash", () => {
    assert.equal(errorOf(parse("{A} 0\n")), 'expected equal, got "} " ("BCLOSE") while parsing: "{A} "');
  });

  it("TestPromNullByteHandling", () => {
    const cases: [string, string][] = [
      ['null_byte_metric{a="abc\x00"} 1', "EOF"],
      ['a{b="\x00ss"} 1\n', "EOF"],
      ['a{b="\x00"} 1\n', "EOF"],
      ['a{b=\x00"ssss"} 1\n', 'expected label value, got "\\x00" ("INVALID") while parsing: "a{b=\\x00"'],
      ['a{b="\x00', 'expected label value, got "\\"\\x00\\n" ("INVALID") while parsing: "a{b=\\"\\x00\\n"'],
      ['a{b\x00="hiih"}\t1', 'expected equal, got "\\x00" ("INVALID") while parsing: "a{b\\x00"'],
      ['a\x00{b="ddd"} 1', 'expected value after metric, got "\\x00" ("INVALID") while parsing: "a\\x00"'],
      ["a 0 1\x00", 'expected next entry after timestamp, got "\\x00" ("INVALID") while parsing: "a 0 1\\x00"'],
    ];
    for (const [input, err] of cases) assert.equal(errorOf(parse(input)), err, JSON.stringify(input));
  });
});

describe("Prometheus text format: our additions", () => {
  it("names the line of an error", () => {
    try {
      collect(parse("a 1\nb 2\n# TYPE c counter\nc{x=1} 3\n"));
      assert.fail("no error");
    } catch (e) {
      assert.ok(e instanceof ParseError);
      assert.equal(e.line, 4);
      assert.match(e.message, /^line 4: expected label value/);
    }
  });

  it("parses values as Go does: NaN/Inf spellings, exponents, out of range", () => {
    const got = collect(parse("a NaN\nb +Inf\nc -Inf\nd inf\ne -infinity\nf nan\ng 1e3\nh -0.5e-3\n")) as { v: number; t?: number }[];
    assert.deepEqual(got.map((e) => e.v), [NaN, Infinity, -Infinity, Infinity, -Infinity, NaN, 1000, -0.0005]);
    assert.equal(errorOf(parse("a 1e400\n")), 'strconv.ParseFloat: parsing "1e400": value out of range while parsing: "a 1e400"');
    assert.equal(errorOf(parse("a +nan\n")), 'strconv.ParseFloat: parsing "+nan": invalid syntax while parsing: "a +nan"');
    assert.equal(errorOf(parse("a 1 99999999999999999999\n")), 'strconv.ParseInt: parsing "99999999999999999999": value out of range while parsing: "a 1 99999999999999999999"');
    assert.match(errorOf(parse("h 1 -5\n")), /^expected timestamp or new record, got "-"/);
  });

  it("reads a plain label set in one pass exactly as token by token", () => {
    // Each pair: a line the one-pass reader takes, and the same series written so that it cannot.
    const pairs: [string, string][] = [
      ['m{a="1",b_2="x y",c=""} 1 5\n', 'm{ a="1",b_2="x y",c=""} 1 5\n'],
      ['m{a="1",} 2\n', 'm{a="1" ,} 2\n'],
      ["m{} 3\n", "m{ } 3\n"],
      ['{"m",le="0.5"} 4\n', '{ "m",le="0.5"} 4\n'],
      ['m{path="/a/b?c=d&e",x="\'q\'"} 5\n', 'm{path="/a/b?c=d&e",x="\'q\'" } 5\n'],
    ];
    for (const [fast, slow] of pairs) {
      const a = collect(parse(fast)) as { m: string; lset: string[]; v: number; t?: number }[];
      const b = collect(parse(slow)) as { m: string; lset: string[]; v: number; t?: number }[];
      assert.deepEqual(a.map(({ lset, v, t }) => ({ lset, v, t })), b.map(({ lset, v, t }) => ({ lset, v, t })), fast);
      assert.equal(a[0]!.m, fast.slice(0, fast.lastIndexOf("}") + 1));
    }
    // Errors after or in a label set are the token path's, as Prometheus words them.
    assert.equal(errorOf(parse('m{a="1"}x\n')), 'strconv.ParseFloat: parsing "x": invalid syntax while parsing: "m{a=\\"1\\"}x"');
    assert.equal(errorOf(parse('m{a="1",b}\n')), 'expected equal, got "}\\n" ("BCLOSE") while parsing: "m{a=\\"1\\",b}\\n"');
    assert.equal(errorOf(parse('m{a="1"} 1 x\n')), 'expected timestamp or new record, got "x" ("INVALID") while parsing: "m{a=\\"1\\"} 1 x"');
  });

  it("reuses its buffer across bodies", () => {
    const p = new PromTextParser();
    for (const body of ["a 1\n", "bb{x=\"y\"} 2 3\n", "c 4"]) {
      const got = collect(p.reset(enc.encode(body)));
      assert.equal(got.length, 1);
    }
  });
});

function latin1(s: string): Uint8Array {
  // Test inputs with \xNN escapes mean raw bytes, as in Go string literals.
  const hasHigh = [...s].some((c) => c.charCodeAt(0) >= 0x80 && c.charCodeAt(0) <= 0xff);
  if (!hasHigh) return enc.encode(s);
  return Uint8Array.from([...s].map((c) => c.charCodeAt(0)));
}
