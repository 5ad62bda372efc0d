// Cases transcribed from Prometheus's model/textparse/openmetricsparse_test.go (TestOpenMetricsParse,
// TestOpenMetricsParse_UTF8, TestOpenMetricsParseErrors, TestOMNullByteHandling, TestSTParseFailures).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { OpenMetricsParser } from "../../src/wire/exposition/openmetrics.ts";
import { collect, errorOf, type Parsed, series as s } from "./exposition-helpers.ts";

const enc = new TextEncoder();
// "\xff" in an input means the raw byte, as in the Go test's string literals.
const bytes = (str: string) => (str.includes("\xff") ? Uint8Array.from([...str].map((c) => c.charCodeAt(0))) : enc.encode(str));
const om = (text: string) => new OpenMetricsParser(bytes(text), { skipCreatedSeries: true });

describe("OpenMetrics (openmetricsparse_test.go)", () => {
  it("TestOpenMetricsParse", () => {
    let input = `# HELP go_gc_duration_seconds A summary of the GC invocation durations.
# TYPE go_gc_duration_seconds summary
# UNIT go_gc_duration_seconds seconds
go_gc_duration_seconds{quantile="0"} 4.9351e-05
go_gc_duration_seconds{quantile="0.25"} 7.424100000000001e-05
go_gc_duration_seconds{quantile="0.5",a="b"} 8.3835e-05
# HELP nohelp1 
# HELP help2 escape \\ \\n \\\\ \\" \\x chars
# UNIT nounit 
go_gc_duration_seconds{quantile="1.0",a="b"} 8.3835e-05
go_gc_duration_seconds_count 99
some:aggregate:rate5m{a_b="c"} 1
# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 33 123.123
# TYPE hh histogram
hh_bucket{le="+Inf"} 1
# TYPE gh gaugehistogram
gh_bucket{le="+Inf"} 1
# TYPE hhh histogram
hhh_bucket{le="+Inf"} 1 # {id="histogram-bucket-test"} 4
hhh_count 1 # {id="histogram-count-test"} 4
# TYPE ggh gaugehistogram
ggh_bucket{le="+Inf"} 1 # {id="gaugehistogram-bucket-test",xx="yy"} 4 123.123
ggh_count 1 # {id="gaugehistogram-count-test",xx="yy"} 4 123.123
# TYPE smr_seconds summary
smr_seconds_count 2.0 # {id="summary-count-test"} 1 123.321
smr_seconds_sum 42.0 # {id="summary-sum-test"} 1 123.321
# TYPE ii info
ii{foo="bar"} 1
# TYPE ss stateset
ss{ss="foo"} 1
ss{ss="bar"} 0
ss{A="a"} 0
# TYPE un unknown
_metric_starting_with_underscore 1
testmetric{_label_starting_with_underscore="foo"} 1
testmetric{label="\\"bar\\""} 1
# HELP foo Counter with and without labels to certify ST is parsed for both cases
# TYPE foo counter
foo_total 17.0 1520879607.789 # {id="counter-test"} 5
foo_created 1520872607.123
foo_total{a="b"} 17.0 1520879607.789 # {id="counter-test"} 5
foo_created{a="b"} 1520872607.123
foo_total{le="c"} 21.0
foo_created{le="c"} 1520872621.123
foo_total{le="1"} 10.0
# HELP bar Summary with ST at the end, making sure we find ST even if it's multiple lines a far
# TYPE bar summary
bar_count 17.0
bar_sum 324789.3
bar{quantile="0.95"} 123.7
bar{quantile="0.99"} 150.0
bar_created 1520872608.124
# HELP baz Histogram with the same objective as above's summary
# TYPE baz histogram
baz_bucket{le="0.0"} 0
baz_bucket{le="+Inf"} 17
baz_count 17
baz_sum 324789.3
baz_created 1520872609.125
# HELP fizz_created Gauge which shouldn't be parsed as ST
# TYPE fizz_created gauge
fizz_created 17.0
# HELP something Histogram with _created between buckets and summary
# TYPE something histogram
something_count 18
something_sum 324789.4
something_created 1520430001
something_bucket{le="0.0"} 1
something_bucket{le="1"} 2
something_bucket{le="+Inf"} 18
# HELP yum Summary with _created between sum and quantiles
# TYPE yum summary
yum_count 20
yum_sum 324789.5
yum_created 1520430003
yum{quantile="0.95"} 123.7
yum{quantile="0.99"} 150.0
# HELP foobar Summary with _created as the first line
# TYPE foobar summary
foobar_count 21
foobar_created 1520430004
foobar_sum 324789.6
foobar{quantile="0.95"} 123.8
foobar{quantile="0.99"} 150.1
# HELP nansum Summary with NaN value
# TYPE nansum summary
nansum_count 0
nansum_sum 0.0
nansum{quantile="0.95"} nan
nansum{quantile="0.99"} NaN`;
    input += "\n# HELP metric foo\x00bar";
    input += '\nnull_byte_metric{a="abc\x00"} 1';
    input += "\n# EOF\n";
    const gc = "go_gc_duration_seconds";
    const n = (name: string, ...rest: string[]) => ["__name__", name, ...rest];
    const exp: Parsed[] = [
      { help: gc, text: "A summary of the GC invocation durations." },
      { type: "summary", metric: gc },
      { unit: "seconds", metric: gc },
      s(`${gc}{quantile="0"}`, 4.9351e-05, n(gc, "quantile", "0.0")),
      s(`${gc}{quantile="0.25"}`, 7.424100000000001e-05, n(gc, "quantile", "0.25")),
      s(`${gc}{quantile="0.5",a="b"}`, 8.3835e-05, n(gc, "a", "b", "quantile", "0.5")),
      { help: "nohelp1", text: "" },
      { help: "help2", text: 'escape \\ \n \\ " \\x chars' },
      { unit: "", metric: "nounit" },
      s(`${gc}{quantile="1.0",a="b"}`, 8.3835e-05, n(gc, "a", "b", "quantile", "1.0")),
      s(`${gc}_count`, 99, n(`${gc}_count`)),
      s(`some:aggregate:rate5m{a_b="c"}`, 1, n("some:aggregate:rate5m", "a_b", "c")),
      { help: "go_goroutines", text: "Number of goroutines that currently exist." },
      { type: "gauge", metric: "go_goroutines" },
      s("go_goroutines", 33, n("go_goroutines"), { t: 123123 }),
      { type: "histogram", metric: "hh" },
      s(`hh_bucket{le="+Inf"}`, 1, n("hh_bucket", "le", "+Inf")),
      { type: "gaugehistogram", metric: "gh" },
      s(`gh_bucket{le="+Inf"}`, 1, n("gh_bucket", "le", "+Inf")),
      { type: "histogram", metric: "hhh" },
      s(`hhh_bucket{le="+Inf"}`, 1, n("hhh_bucket", "le", "+Inf"), { es: [{ labels: ["id", "histogram-bucket-test"], value: 4 }] }),
      s("hhh_count", 1, n("hhh_count"), { es: [{ labels: ["id", "histogram-count-test"], value: 4 }] }),
      { type: "gaugehistogram", metric: "ggh" },
      s(`ggh_bucket{le="+Inf"}`, 1, n("ggh_bucket", "le", "+Inf"), { es: [{ labels: ["id", "gaugehistogram-bucket-test", "xx", "yy"], value: 4, ts: 123123 }] }),
      s("ggh_count", 1, n("ggh_count"), { es: [{ labels: ["id", "gaugehistogram-count-test", "xx", "yy"], value: 4, ts: 123123 }] }),
      { type: "summary", metric: "smr_seconds" },
      s("smr_seconds_count", 2, n("smr_seconds_count"), { es: [{ labels: ["id", "summary-count-test"], value: 1, ts: 123321 }] }),
      s("smr_seconds_sum", 42, n("smr_seconds_sum"), { es: [{ labels: ["id", "summary-sum-test"], value: 1, ts: 123321 }] }),
      { type: "info", metric: "ii" },
      s(`ii{foo="bar"}`, 1, n("ii", "foo", "bar")),
      { type: "stateset", metric: "ss" },
      s(`ss{ss="foo"}`, 1, n("ss", "ss", "foo")),
      s(`ss{ss="bar"}`, 0, n("ss", "ss", "bar")),
      s(`ss{A="a"}`, 0, ["A", "a", "__name__", "ss"]),
      { type: "unknown", metric: "un" },
      s("_metric_starting_with_underscore", 1, n("_metric_starting_with_underscore")),
      s(`testmetric{_label_starting_with_underscore="foo"}`, 1, n("testmetric", "_label_starting_with_underscore", "foo")),
      s(`testmetric{label="\\"bar\\""}`, 1, n("testmetric", "label", '"bar"')),
      { help: "foo", text: "Counter with and without labels to certify ST is parsed for both cases" },
      { type: "counter", metric: "foo" },
      s("foo_total", 17, n("foo_total"), { t: 1520879607789, st: 1520872607123, es: [{ labels: ["id", "counter-test"], value: 5 }] }),
      s(`foo_total{a="b"}`, 17, n("foo_total", "a", "b"), { t: 1520879607789, st: 1520872607123, es: [{ labels: ["id", "counter-test"], value: 5 }] }),
      s(`foo_total{le="c"}`, 21, n("foo_total", "le", "c"), { st: 1520872621123 }),
      s(`foo_total{le="1"}`, 10, n("foo_total", "le", "1")),
      { help: "bar", text: "Summary with ST at the end, making sure we find ST even if it's multiple lines a far" },
      { type: "summary", metric: "bar" },
      s("bar_count", 17, n("bar_count"), { st: 1520872608124 }),
      s("bar_sum", 324789.3, n("bar_sum"), { st: 1520872608124 }),
      s(`bar{quantile="0.95"}`, 123.7, n("bar", "quantile", "0.95"), { st: 1520872608124 }),
      s(`bar{quantile="0.99"}`, 150, n("bar", "quantile", "0.99"), { st: 1520872608124 }),
      { help: "baz", text: "Histogram with the same objective as above's summary" },
      { type: "histogram", metric: "baz" },
      s(`baz_bucket{le="0.0"}`, 0, n("baz_bucket", "le", "0.0"), { st: 1520872609125 }),
      s(`baz_bucket{le="+Inf"}`, 17, n("baz_bucket", "le", "+Inf"), { st: 1520872609125 }),
      s("baz_count", 17, n("baz_count"), { st: 1520872609125 }),
      s("baz_sum", 324789.3, n("baz_sum"), { st: 1520872609125 }),
      { help: "fizz_created", text: "Gauge which shouldn't be parsed as ST" },
      { type: "gauge", metric: "fizz_created" },
      s("fizz_created", 17, n("fizz_created")),
      { help: "something", text: "Histogram with _created between buckets and summary" },
      { type: "histogram", metric: "something" },
      s("something_count", 18, n("something_count"), { st: 1520430001000 }),
      s("something_sum", 324789.4, n("something_sum"), { st: 1520430001000 }),
      s(`something_bucket{le="0.0"}`, 1, n("something_bucket", "le", "0.0"), { st: 1520430001000 }),
      s(`something_bucket{le="1"}`, 2, n("something_bucket", "le", "1.0"), { st: 1520430001000 }),
      s(`something_bucket{le="+Inf"}`, 18, n("something_bucket", "le", "+Inf"), { st: 1520430001000 }),
      { help: "yum", text: "Summary with _created between sum and quantiles" },
      { type: "summary", metric: "yum" },
      s("yum_count", 20, n("yum_count"), { st: 1520430003000 }),
      s("yum_sum", 324789.5, n("yum_sum"), { st: 1520430003000 }),
      s(`yum{quantile="0.95"}`, 123.7, n("yum", "quantile", "0.95"), { st: 1520430003000 }),
      s(`yum{quantile="0.99"}`, 150, n("yum", "quantile", "0.99"), { st: 1520430003000 }),
      { help: "foobar", text: "Summary with _created as the first line" },
      { type: "summary", metric: "foobar" },
      s("foobar_count", 21, n("foobar_count"), { st: 1520430004000 }),
      s("foobar_sum", 324789.6, n("foobar_sum"), { st: 1520430004000 }),
      s(`foobar{quantile="0.95"}`, 123.8, n("foobar", "quantile", "0.95"), { st: 1520430004000 }),
      s(`foobar{quantile="0.99"}`, 150.1, n("foobar", "quantile", "0.99"), { st: 1520430004000 }),
      { help: "nansum", text: "Summary with NaN value" },
      { type: "summary", metric: "nansum" },
      s("nansum_count", 0, n("nansum_count")),
      s("nansum_sum", 0, n("nansum_sum")),
      s(`nansum{quantile="0.95"}`, NaN, n("nansum", "quantile", "0.95")),
      s(`nansum{quantile="0.99"}`, NaN, n("nansum", "quantile", "0.99")),
      { help: "metric", text: "foo\x00bar" },
      s(`null_byte_metric{a="abc\x00"}`, 1, n("null_byte_metric", "a", "abc\x00")),
    ];
    assert.deepEqual(collect(om(input), { st: true }), exp);
  });

  it("TestOpenMetricsParse_UTF8", () => {
    const input = `# HELP "go.gc_duration_seconds" A summary of the GC invocation durations.
# TYPE "go.gc_duration_seconds" summary
# UNIT "go.gc_duration_seconds" seconds
{"go.gc_duration_seconds",quantile="0"} 4.9351e-05
{"go.gc_duration_seconds",quantile="0.25"} 7.424100000000001e-05
{"go.gc_duration_seconds_created"} 1520872607.123
{"go.gc_duration_seconds",quantile="0.5",a="b"} 8.3835e-05
{"http.status",q="0.9",a="b"} 8.3835e-05
{"http.status",q="0.9",a="b"} 8.3835e-05
{q="0.9","http.status",a="b"} 8.3835e-05
{"go.gc_duration_seconds_sum"} 0.004304266
{"Heizölrückstoßabdämpfung 10€ metric with \\"interesting\\" {character\\nchoices}","strange©™\\n'quoted' \\"name\\""="6"} 10.0
quotedexemplar_count 1 # {"id.thing"="histogram-count-test"} 4
quotedexemplar2_count 1 # {"id.thing"="histogram-count-test",other="hello"} 4
# EOF
`;
    const g = "go.gc_duration_seconds";
    const exp: Parsed[] = [
      { help: g, text: "A summary of the GC invocation durations." },
      { type: "summary", metric: g },
      { unit: "seconds", metric: g },
      s(`{"${g}",quantile="0"}`, 4.9351e-05, ["__name__", g, "quantile", "0.0"], { st: 1520872607123 }),
      s(`{"${g}",quantile="0.25"}`, 7.424100000000001e-05, ["__name__", g, "quantile", "0.25"], { st: 1520872607123 }),
      s(`{"${g}",quantile="0.5",a="b"}`, 8.3835e-05, ["__name__", g, "a", "b", "quantile", "0.5"]),
      s(`{"http.status",q="0.9",a="b"}`, 8.3835e-05, ["__name__", "http.status", "a", "b", "q", "0.9"]),
      s(`{"http.status",q="0.9",a="b"}`, 8.3835e-05, ["__name__", "http.status", "a", "b", "q", "0.9"]),
      s(`{q="0.9","http.status",a="b"}`, 8.3835e-05, ["__name__", "http.status", "a", "b", "q", "0.9"]),
      s(`{"${g}_sum"}`, 0.004304266, ["__name__", `${g}_sum`]),
      s(`{"Heizölrückstoßabdämpfung 10€ metric with \\"interesting\\" {character\\nchoices}","strange©™\\n'quoted' \\"name\\""="6"}`, 10,
        ["__name__", `Heizölrückstoßabdämpfung 10€ metric with "interesting" {character\nchoices}`, "strange©™\n'quoted' \"name\"", "6"]),
      s("quotedexemplar_count", 1, ["__name__", "quotedexemplar_count"], { es: [{ labels: ["id.thing", "histogram-count-test"], value: 4 }] }),
      s("quotedexemplar2_count", 1, ["__name__", "quotedexemplar2_count"], { es: [{ labels: ["id.thing", "histogram-count-test", "other", "hello"], value: 4 }] }),
    ];
    assert.deepEqual(collect(om(input), { st: true }), exp);
  });

  it("TestOpenMetricsParseErrors", () => {
    const cases: [string, string][] = [
      ["# EOF", "EOF"],
      ["# EOF\n", "EOF"],
      ["", "data does not end with # EOF"],
      ["\n", 'expected a valid start token, got "\\n" ("INVALID") while parsing: "\\n"'],
      ["metric", 'expected value after metric, got "metric" ("EOF") while parsing: "metric"'],
      ["metric 1", "data does not end with # EOF"],
      ["metric 1\n", "data does not end with # EOF"],
      ['metric_total 1 # {aa="bb"} 4', "data does not end with # EOF"],
      ["a\n#EOF\n", 'expected value after metric, got "\\n" ("INVALID") while parsing: "a\\n"'],
      ["\n\n#EOF\n", 'expected a valid start token, got "\\n" ("INVALID") while parsing: "\\n"'],
      [" a 1\n#EOF\n", 'expected a valid start token, got " " ("INVALID") while parsing: " "'],
      ["9\n#EOF\n", 'expected a valid start token, got "9" ("INVALID") while parsing: "9"'],
      ["# TYPE u untyped\n#EOF\n", 'invalid metric type "untyped"'],
      ["# TYPE c counter \n#EOF\n", 'invalid metric type "counter "'],
      ["#  TYPE c counter\n#EOF\n", 'expected a valid start token, got "#  " ("INVALID") while parsing: "#  "'],
      ["# TYPE \n#EOF\n", 'expected metric name after TYPE, got "\\n" ("INVALID") while parsing: "# TYPE \\n"'],
      ["# TYPE m\n#EOF\n", "expected text in TYPE"],
      ["# UNIT metric suffix\n#EOF\n", 'unit "suffix" not a suffix of metric "metric"'],
      ["# UNIT metricsuffix suffix\n#EOF\n", 'unit "suffix" not a suffix of metric "metricsuffix"'],
      ["# UNIT m suffix\n#EOF\n", 'unit "suffix" not a suffix of metric "m"'],
      ["# UNIT \n#EOF\n", 'expected metric name after UNIT, got "\\n" ("INVALID") while parsing: "# UNIT \\n"'],
      ["# UNIT m\n#EOF\n", "expected text in UNIT"],
      ["# HELP \n#EOF\n", 'expected metric name after HELP, got "\\n" ("INVALID") while parsing: "# HELP \\n"'],
      ["# HELP m\n#EOF\n", "expected text in HELP"],
      ["a\t1\n#EOF\n", 'expected value after metric, got "\\t" ("INVALID") while parsing: "a\\t"'],
      ["a 1\t2\n#EOF\n", 'strconv.ParseFloat: parsing "1\\t2": invalid syntax while parsing: "a 1\\t2"'],
      ["a 1 2 \n#EOF\n", 'expected next entry after timestamp, got " \\n" ("INVALID") while parsing: "a 1 2 \\n"'],
      ["a 1 2 #\n#EOF\n", 'expected next entry after timestamp, got " #\\n" ("TIMESTAMP") while parsing: "a 1 2 #\\n"'],
      ["a 1 1z\n#EOF\n", 'strconv.ParseFloat: parsing "1z": invalid syntax while parsing: "a 1 1z"'],
      [" # EOF\n", 'expected a valid start token, got " " ("INVALID") while parsing: " "'],
      ["# EOF\na 1", "unexpected data after # EOF"],
      ["# EOF\n\n", "unexpected data after # EOF"],
      ["# EOFa 1", "unexpected data after # EOF"],
      ["#\tTYPE c counter\n", 'expected a valid start token, got "#\\t" ("INVALID") while parsing: "#\\t"'],
      ["# TYPE c  counter\n", 'invalid metric type " counter"'],
      ["a 1 1 1\n# EOF\n", 'expected next entry after timestamp, got " 1\\n" ("TIMESTAMP") while parsing: "a 1 1 1\\n"'],
      ["a{b='c'} 1\n# EOF\n", `expected label value, got "'" ("INVALID") while parsing: "a{b='"`],
      ['a{,b="c"} 1\n# EOF\n', 'expected label name, got ",b" ("COMMA") while parsing: "a{,b"'],
      ['a{b="c"d="e"} 1\n# EOF\n', 'expected comma or brace close, got "d=" ("LNAME") while parsing: "a{b=\\"c\\"d="'],
      ['a{b="c",,d="e"} 1\n# EOF\n', 'expected label name, got ",d" ("COMMA") while parsing: "a{b=\\"c\\",,d"'],
      ["a{b=\n# EOF\n", 'expected label value, got "\\n" ("INVALID") while parsing: "a{b=\\n"'],
      ['a{\xff="foo"} 1\n# EOF\n', 'expected label name, got "\\xff" ("INVALID") while parsing: "a{\\xff"'],
      ['a{b="\xff"} 1\n# EOF\n', 'invalid UTF-8 label value: "\\"\\xff\\""'],
      ['{"a","b = "c"}\n# EOF\n', 'expected equal, got "c\\"" ("LNAME") while parsing: "{\\"a\\",\\"b = \\"c\\""'],
      ['{"a",b\\nc="d"} 1\n# EOF\n', 'expected equal, got "\\\\" ("INVALID") while parsing: "{\\"a\\",b\\\\"'],
      ["a true\n", 'strconv.ParseFloat: parsing "true": invalid syntax while parsing: "a true"'],
      ['something_weird{problem="\n# EOF\n', 'expected label value, got "\\"\\n" ("INVALID") while parsing: "something_weird{problem=\\"\\n"'],
      ['empty_label_name{=""} 0\n# EOF\n', 'expected label name, got "=\\"" ("EQUAL") while parsing: "empty_label_name{=\\""'],
      ["{A}0\n# EOF\n", 'expected equal, got "}0" ("BCLOSE") while parsing: "{A}0"'],
      ["foo 1_2\n\n# EOF\n", 'unsupported character in float while parsing: "foo 1_2"'],
      ["foo 0x1p-3\n\n# EOF\n", 'unsupported character in float while parsing: "foo 0x1p-3"'],
      ["foo 0x1P-3\n\n# EOF\n", 'unsupported character in float while parsing: "foo 0x1P-3"'],
      ["foo 0 1_2\n\n# EOF\n", 'unsupported character in float while parsing: "foo 0 1_2"'],
      ["custom_metric_total 1 # {aa=bb}\n# EOF\n", 'expected label value, got "b" ("INVALID") while parsing: "custom_metric_total 1 # {aa=b"'],
      ['custom_metric_total 1 # {aa="bb"}\n# EOF\n', 'expected value after exemplar labels, got "\\n" ("INVALID") while parsing: "custom_metric_total 1 # {aa=\\"bb\\"}\\n"'],
      ['custom_metric_total 1 # {aa="bb"}', 'expected value after exemplar labels, got "}" ("EOF") while parsing: "custom_metric_total 1 # {aa=\\"bb\\"}"'],
      ["custom_metric_total 1 # {bb}", 'expected equal, got "}" ("BCLOSE") while parsing: "custom_metric_total 1 # {bb}"'],
      ['custom_metric_total 1 # {bb, a="dd"}', 'expected equal, got ", " ("COMMA") while parsing: "custom_metric_total 1 # {bb, "'],
      ['custom_metric_total 1 # {aa="bb",,cc="dd"} 1', 'expected label name, got ",c" ("COMMA") while parsing: "custom_metric_total 1 # {aa=\\"bb\\",,c"'],
      ['custom_metric_total 1 # {aa="bb"} 1_2', 'unsupported character in float while parsing: "custom_metric_total 1 # {aa=\\"bb\\"} 1_2"'],
      ['custom_metric_total 1 # {aa="bb"} 0x1p-3', 'unsupported character in float while parsing: "custom_metric_total 1 # {aa=\\"bb\\"} 0x1p-3"'],
      ['custom_metric_total 1 # {aa="bb"} true', 'strconv.ParseFloat: parsing "true": invalid syntax while parsing: "custom_metric_total 1 # {aa=\\"bb\\"} true"'],
      ['custom_metric_total 1 # {aa="bb",cc=}', 'expected label value, got "}" ("INVALID") while parsing: "custom_metric_total 1 # {aa=\\"bb\\",cc=}"'],
      ['custom_metric_total 1 # {aa=\\"\xff\\"} 9.0', 'expected label value, got "\\\\" ("INVALID") while parsing: "custom_metric_total 1 # {aa=\\\\"'],
      ['{b="c",} 1', 'metric name not set while parsing: "{b=\\"c\\",} 1"'],
      ["a 1 NaN", "invalid timestamp NaN"],
      ["a 1 -Inf", "invalid timestamp -Inf"],
      ["a 1 Inf", "invalid timestamp +Inf"],
      ['# TYPE hhh histogram\nhhh_bucket{le="+Inf"} 1 # {aa="bb"} 4 NaN', "invalid exemplar timestamp NaN"],
      ['# TYPE hhh histogram\nhhh_bucket{le="+Inf"} 1 # {aa="bb"} 4 -Inf', "invalid exemplar timestamp -Inf"],
    ];
    for (const [input, err] of cases) assert.equal(errorOf(om(input)), err, JSON.stringify(input));
  });

  it("TestOMNullByteHandling", () => {
    const cases: [string, string][] = [
      ['null_byte_metric{a="abc\x00"} 1\n# EOF\n', "EOF"],
      ['a{b="\x00ss"} 1\n# EOF\n', "EOF"],
      ['a{b="\x00"} 1\n# EOF\n', "EOF"],
      ['a{b="\x00"} 1\n# EOF', "EOF"],
      ['a{b=\x00"ssss"} 1\n# EOF\n', 'expected label value, got "\\x00" ("INVALID") while parsing: "a{b=\\x00"'],
      ['a{b="\x00', 'expected label value, got "\\"\\x00" ("INVALID") while parsing: "a{b=\\"\\x00"'],
      ['a{b\x00="hiih"}\t1', 'expected equal, got "\\x00" ("INVALID") while parsing: "a{b\\x00"'],
      ['a\x00{b="ddd"} 1', 'expected value after metric, got "\\x00" ("INVALID") while parsing: "a\\x00"'],
      ["#", 'expected a valid start token, got "#" ("INVALID") while parsing: "#"'],
      ["# H", 'expected a valid start token, got "# H" ("INVALID") while parsing: "# H"'],
      ['custom_metric_total 1 # {b=\x00"ssss"} 1\n', 'expected label value, got "\\x00" ("INVALID") while parsing: "custom_metric_total 1 # {b=\\x00"'],
      ['custom_metric_total 1 # {b="\x00ss"} 1\n', 'expected label value, got "\\"\\x00" ("INVALID") while parsing: "custom_metric_total 1 # {b=\\"\\x00"'],
    ];
    for (const [input, err] of cases) assert.equal(errorOf(om(input)), err, JSON.stringify(input));
  });

  it("TestSTParseFailures", () => {
    const strip = (es: Parsed[]) => es.map((e) => ("m" in e ? { m: e.m, st: e.st ?? 0 } : e));
    const input1 = `# HELP thing histogram with _created as first line
# TYPE thing histogram
thing_created 1520872607.123
thing_count 17
thing_sum 324789.3
thing_bucket{le="0.0"} 0
thing_bucket{le="+Inf"} 17
# HELP thing_c counter with _created as first line
# TYPE thing_c counter
thing_c_created 1520872607.123
thing_c_total 14123.232
# EOF
`;
    assert.deepEqual(strip(collect(om(input1), { st: true })), [
      { help: "thing", text: "histogram with _created as first line" },
      { type: "histogram", metric: "thing" },
      { m: "thing_count", st: 0 },
      { m: "thing_sum", st: 0 },
      { m: 'thing_bucket{le="0.0"}', st: 0 },
      { m: 'thing_bucket{le="+Inf"}', st: 0 },
      { help: "thing_c", text: "counter with _created as first line" },
      { type: "counter", metric: "thing_c" },
      { m: "thing_c_total", st: 0 },
    ]);
    const input2 = `foo_total 17.0
foo_created 1520872607.123
foo_total{a="b"} 17.0
foo_created{a="b"} 1520872608.123
# EOF
`;
    assert.deepEqual(strip(collect(om(input2), { st: true })), [
      { m: "foo_total", st: 0 },
      { m: "foo_created", st: 0 },
      { m: 'foo_total{a="b"}', st: 0 },
      { m: 'foo_created{a="b"}', st: 0 },
    ]);
  });

  it("reports _created series when not asked to skip them", () => {
    const p = new OpenMetricsParser(enc.encode("# TYPE foo counter\nfoo_total 1\nfoo_created 2\n# EOF\n"));
    const got = collect(p).filter((e) => "m" in e).map((e) => (e as { m: string }).m);
    assert.deepEqual(got, ["foo_total", "foo_created"]);
  });

  it("converts timestamps from seconds to milliseconds, truncating", () => {
    const got = collect(om("a 1 1.0009\nb 2 -1.5\n# EOF\n")) as { t: number }[];
    assert.deepEqual(got.map((e) => e.t), [1000, -1500]);
  });
});
