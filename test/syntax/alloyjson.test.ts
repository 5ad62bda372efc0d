// Conformance: alloyjson (Alloy's syntax/encoding/alloyjson tests), with the
// Go-only inputs described in each row's `needs` rebuilt as schemas and
// capsules.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { marshalBody, marshalBodyJSON, marshalValue, marshalValueJSON } from "../../src/syntax/alloyjson/index.ts";
import { attr, block, blocks, label, squash, struct, t, type Type } from "../../src/syntax/schema/index.ts";
import {
  CapsuleValue,
  type ConversionTarget,
  FunctionValue,
  NoConversion,
  ObjectValue,
  SecretValue,
  type Value,
} from "../../src/syntax/value/index.ts";
import { readJSON } from "./conformance.ts";
import { type Typed, valueOf } from "./value-typed.ts";

interface Row {
  go_test: string;
  name: string;
  function: "MarshalValue" | "MarshalBody";
  value?: Typed;
  expect_json: unknown;
  needs?: string;
}

// A capsule that presents itself as an object (Go's ConvertInto(*map[string]Value)).
class MappableCapsule extends CapsuleValue {
  constructor(private readonly fields: Record<string, string>) {
    super("alloyjson_test.mappableCapsule", fields);
  }
  override convertInto(target: ConversionTarget): Value | NoConversion {
    if (target !== "object") return NoConversion;
    return ObjectValue.fromRecord(this.fields);
  }
}

// A capsule with a String() method.
class StringerCapsule extends CapsuleValue {
  constructor(private readonly text: string) {
    super("alloyjson_test.capsuleWithStringer", text);
  }
  override stringer(): string {
    return this.text;
  }
}

function valueFor(row: Row): Value {
  switch (row.name) {
    case "function":
      return new FunctionValue("func(int) int", (args) => args[0] ?? null);
    case "mappable capsule":
      return new MappableCapsule(row.value!.value as Record<string, string>);
    case "capsule with stringer":
    case "capsule with stringer and empty string":
      return new StringerCapsule(row.value!.value as string);
    case "nil array":
      return [];
    case "nil object":
      return ObjectValue.empty;
  }
  return valueOf(row.value!);
}

// testBlock from alloyjson_test.go; nested blocks use the same fields.
const testBlockShape = {
  number: attr(t.int(), { optional: true }),
  string: attr(t.string(), { optional: true }),
  boolean: attr(t.bool(), { optional: true }),
  array: attr(t.array(t.any()), { optional: true }),
  object: attr(t.map(t.any()), { optional: true }),
};
const innerBlock = struct(testBlockShape);
const labeledBlock = struct({ inner: squash(innerBlock), label: label() });
const testBlock = struct({
  ...testBlockShape,
  labeled_block: blocks(labeledBlock, { optional: true }),
  inner_block: blocks(innerBlock, { optional: true }),
});
const defaultsBlock = struct(
  { name: attr(t.string(), { optional: true }), age: attr(t.int(), { optional: true }) },
  { defaults: () => ({ name: "John Doe", age: 35 }) },
);

function bodyFor(row: Row): { type: Type<any>; host: unknown } {
  switch (row.go_test) {
    case "TestBlock": {
      const inner = (patch: object) => ({ ...innerBlock.zero(), ...patch });
      return {
        type: testBlock,
        host: {
          ...testBlock.zero(),
          number: 5,
          array: [1, 2, 3],
          labeled_block: [
            { inner: inner({ boolean: true }), label: "label_a" },
            { inner: inner({ string: "foo" }), label: "label_b" },
          ],
          inner_block: [inner({ string: "hello" }), inner({ string: "world" })],
        },
      };
    }
    case "TestBlock_Empty_Required_Block_Slice":
      return { type: struct({ blocks: blocks(testBlock, { name: "some_block" }) }), host: { blocks: [] } };
    case "TestNilBody":
      return { type: struct({}), host: null };
    case "TestEmptyBody":
      return { type: struct({}), host: {} };
    case "TestHideDefaults": {
      const host = row.name === "no defaults" ? { name: "Jane", age: 41 } : row.name === "some defaults" ? { name: "John Doe", age: 41 } : { name: "John Doe", age: 35 };
      return { type: defaultsBlock, host };
    }
    case "TestMapBlocks":
      return { type: struct({ value: block(t.map(t.any()), { optional: true, name: "block" }) }), host: { value: { field: "value" } } };
    case "TestRawMap":
      return { type: t.map(t.any()), host: { field: "value" } };
    case "TestRawMap_Capsule":
      return { type: t.map(t.any()), host: { capsule: new SecretValue("foo") } };
  }
  throw new Error(`no body for ${row.go_test}`);
}

describe("conformance alloyjson_test.json", () => {
  const rows = readJSON<Row[]>("syntax/tables/alloyjson_test.json");
  rows.forEach((row, i) => {
    it(`${i} ${row.go_test}/${row.name}`, () => {
      if (row.function === "MarshalValue") {
        const v = valueFor(row);
        assert.deepEqual(JSON.parse(JSON.stringify(marshalValue(v))), row.expect_json);
        assert.deepEqual(JSON.parse(marshalValueJSON(v)), row.expect_json);
      } else {
        const { type, host } = bodyFor(row);
        assert.deepEqual(JSON.parse(JSON.stringify(marshalBody(type, host))), row.expect_json);
        assert.deepEqual(JSON.parse(marshalBodyJSON(type, host)), row.expect_json);
      }
    });
  });
});

describe("alloyjson text", () => {
  it("writes Go's field order and escaping", () => {
    assert.equal(marshalValueJSON("<a&b>"), '{"type":"string","value":"\\u003ca\\u0026b\\u003e"}');
    assert.equal(
      marshalValueJSON(ObjectValue.fromRecord({ b: 1n === 1n, a: null })),
      '{"type":"object","value":[{"key":"a","value":{"type":"null","value":null}},{"key":"b","value":{"type":"bool","value":true}}]}',
    );
  });

  it("keeps struct field order for ordered objects", () => {
    const s = struct({ zeta: attr(t.string()), alpha: attr(t.int()) });
    const v = s.encode({ zeta: "z", alpha: 2 });
    assert.deepEqual(
      (marshalValue(v).value as Array<{ key: string }>).map((f) => f.key),
      ["zeta", "alpha"],
    );
  });

  it("prints labels and omits defaults in nested blocks", () => {
    const inner = struct({ label: label(), x: attr(t.int(), { default: 1 }), y: attr(t.string()) });
    const outer = struct({ b: blocks(inner, { name: "thing" }) });
    assert.equal(
      marshalBodyJSON(outer, { b: [{ label: "one", x: 1, y: "a" }, { label: "two", x: 3, y: "b" }] }),
      '[{"name":"thing","type":"block","label":"one","body":[{"name":"y","type":"attr","value":{"type":"string","value":"a"}}]},' +
        '{"name":"thing","type":"block","label":"two","body":[{"name":"x","type":"attr","value":{"type":"number","value":3}},' +
        '{"name":"y","type":"attr","value":{"type":"string","value":"b"}}]}]',
    );
  });
});
