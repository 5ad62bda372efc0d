// The go-yaml v2 semantics the converters rely on, checked against messages produced by
// gopkg.in/yaml.v2 v2.4.0 (UnmarshalStrict) for the same inputs: libyaml's syntax errors and
// line numbers, type errors, unknown and repeated fields, YAML 1.1 scalars and merge keys.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { bool, int, map, slice, str, struct, unmarshalStrict, type YType } from "../../src/converter/goyaml/decode.ts";
import { type MappingNode, parseYaml, resolveScalar, type ScalarNode } from "../../src/converter/goyaml/parse.ts";

// [input, go-yaml's error ("<nil>": none)]
const SYNTAX: Array<[string, string]> = [
  ["x: 1\na: b: c\n", "yaml: line 2: mapping values are not allowed in this context"],
  ["a: &x 1\nb: *y\n", "yaml: unknown anchor 'y' referenced"],
  ["a:\n  b: 1\n c: 2\n", "yaml: line 2: did not find expected key"],
  ["a: 'abc\n", "yaml: line 2: found unexpected end of stream"],
  ["a: @b\n", "yaml: found character that cannot start any token"],
  ["a: b\n---\nc: [\n", "<nil>"],
  ['list:\n  - name: x\n    targets: ["a"]extra\n', "yaml: line 2: did not find expected key"],
  ["a: |\n  x\n b: 1\n", "yaml: line 2: did not find expected key"],
  ["- a\n- b\nc: d\n", "yaml: line 2: did not find expected '-' indicator"],
  ["a: [b, c]]\n", "yaml: did not find expected key"],
  ["a: b\n  - c\n", "<nil>"],
  ["x: 1\na:\n\t- b\n", "yaml: line 3: found character that cannot start any token"],
  ["a: %x\n", "yaml: found character that cannot start any token"],
  ["x: 1\na: [a, b\n", "yaml: line 2: did not find expected ',' or ']'"],
  ['x: 1\na: "abc\n', "yaml: line 3: found unexpected end of stream"],
  ["a:\n  - b\n - c\n", "yaml: line 2: did not find expected key"],
  ["x:\n- a\nb: c\n- d\n", "yaml: line 3: did not find expected key"],
  ["a: {b: c\n", "yaml: line 1: did not find expected ',' or '}'"],
  ["a: 1\n  b: 2\n", "yaml: line 2: mapping values are not allowed in this context"],
  ["a: 1\nb\n", "yaml: line 3: could not find expected ':'"],
];

interface Inner {
  name: string;
  n: number;
  b: boolean;
  l: string[] | null;
  m: Record<string, string> | null;
}

// The Go probe's types: struct { A interface{}; Inner main.Inner; List []main.Inner }.
const anyValue: YType<unknown> = { goName: "interface {}", decode: () => null, zero: () => null };
const inner = struct<Inner>("main.Inner", { name: str, n: int, b: bool, l: slice(str), m: map(str) });
const top = struct<{ a: unknown; inner: Inner; list: Inner[] | null }>(
  'struct { A interface {} "yaml:\\"a\\""; Inner main.Inner "yaml:\\"inner\\""; List []main.Inner "yaml:\\"list\\"" }',
  { a: anyValue, inner, list: slice(inner) },
);

function decodeError(text: string): string {
  try {
    unmarshalStrict(text, top, top.zero());
    return "<nil>";
  } catch (error) {
    return (error as Error).message;
  }
}

describe("go-yaml semantics", () => {
  it("reports syntax errors with libyaml's messages and lines", () => {
    for (const [input, expected] of SYNTAX) assert.equal(decodeError(input), expected, JSON.stringify(input));
  });

  it("collects type errors, unknown and repeated fields and keys", () => {
    assert.equal(
      decodeError("inner:\n  n: abc\n  b: maybe\n  l: notalist\n  m: [1]\n  zz: 1\n  name: x\n  name: y\nlist:\n  - n: 1.7\n  - {n: 99999999999999999999}\n  - m: {a: 1, a: 2}\n"),
      [
        "yaml: unmarshal errors:",
        "  line 2: cannot unmarshal !!str `abc` into int",
        "  line 3: cannot unmarshal !!str `maybe` into bool",
        "  line 4: cannot unmarshal !!str `notalist` into []string",
        "  line 5: cannot unmarshal !!seq into map[string]string",
        "  line 6: field zz not found in type main.Inner",
        "  line 8: field name already set in type main.Inner",
        "  line 11: cannot unmarshal !!float `9999999...` into int",
        '  line 12: key "a" already set in map',
      ].join("\n"),
    );
    assert.equal(decodeError("inner: hello world this is long\n"), "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!str `hello w...` into main.Inner");
    assert.equal(decodeError("list: {a: 1}\n"), "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!map into []main.Inner");
    assert.equal(
      decodeError("base: &b\n  name: x\ninner:\n  <<: *b\n  n: 2\n"),
      'yaml: unmarshal errors:\n  line 1: field base not found in type struct { A interface {} "yaml:\\"a\\""; Inner main.Inner "yaml:\\"inner\\""; List []main.Inner "yaml:\\"list\\"" }',
    );
  });

  it("reads YAML 1.1 scalars as go-yaml does", () => {
    const v = unmarshalStrict("inner:\n  n: 0x1F\n  b: yes\nlist:\n  - n: 0777\n  - n: 1_000\n  - b: on\n  - n: 1.7\n", top, top.zero());
    assert.equal(v.inner.n, 31);
    assert.equal(v.inner.b, true);
    assert.deepEqual(v.list!.map((i) => [i.n, i.b]), [[511, false], [1000, false], [0, true], [1, false]]);
    const scalar = (text: string) => resolveScalar((parseYaml(`x: ${text}`) as MappingNode).pairs[0]![1] as ScalarNode);
    assert.deepEqual(scalar("no"), { kind: "bool", value: false });
    assert.deepEqual(scalar("~"), { kind: "null" });
    assert.deepEqual(scalar('"yes"'), { kind: "str", value: "yes" });
    assert.deepEqual(scalar("2001-12-14"), { kind: "timestamp", value: "2001-12-14" });
    assert.deepEqual(scalar(".inf"), { kind: "float", value: Infinity });
  });

  it("merges `<<` keys, later keys winning", () => {
    const v = unmarshalStrict("a: &base\n  name: x\n  n: 1\ninner:\n  <<: *base\n  n: 2\n", top, top.zero());
    assert.equal(v.inner.name, "x");
    assert.equal(v.inner.n, 2);
  });
});
