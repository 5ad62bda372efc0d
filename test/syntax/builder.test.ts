import { describe, it } from "node:test";
import assert from "node:assert/strict";

import {
  Block,
  type BuilderToken,
  ExprBuilder,
  FileBuilder,
  formatNumber,
  literal,
  OrderedObject,
  tok,
} from "../../src/syntax/builder.ts";
import { parseFile } from "../../src/syntax/parser.ts";
import { printNode } from "../../src/syntax/printer.ts";
import { Token } from "../../src/syntax/token.ts";
import { readJSON } from "./conformance.ts";

interface BuilderRow {
  go_test: string;
  name: string;
  needs: string;
  expect_source: string;
  compare: string;
}

// Rows that need Go reflection over struct tags (Body.AppendFrom); see
// test/conformance/known-differences.md.
const goOnly = new Set([
  "TestBuilder_AppendFrom",
  "TestBuilder_AppendFrom_EnumSlice",
  "TestBuilder_AppendFrom_EnumSlice_Pointer",
  "TestBuilder_SkipOptional",
  "TestBuilder_MapBlocks",
]);

// A Go value rendered by a Tokenizer, e.g. a capsule of type `chan int`.
const capsule = (type: string) => ({ alloyTokenize: (): BuilderToken[] => [literal(`capsule("${type}")`)] });

// JavaScript equivalents of each Go test, keyed by row name.
const builders: Record<string, () => string> = {
  TestBuilder_File: () => {
    const f = new FileBuilder();
    f.body.setAttributeTokens("attr_1", [tok(Token.NUMBER, "15")]);
    f.body.setAttributeTokens("attr_2", [tok(Token.BOOL, "true")]);
    const b1 = new Block(["test", "block"]);
    b1.body.setAttributeTokens("inner_attr", [tok(Token.STRING, '"block 1"')]);
    f.body.appendBlock(b1);
    const b2 = new Block(["test", "block"], "labeled");
    b2.body.setAttributeTokens("inner_attr", [tok(Token.STRING, '`"block 2`')]);
    f.body.appendBlock(b2);
    return f.toString();
  },
  TestBuilder_GoEncode: () => {
    const f = new FileBuilder();
    f.body.appendTokens([tok(Token.COMMENT, "// Hello, world!")]);
    f.body.setAttributeValue("null_value", null);
    f.body.appendTokens([literal("\n")]);
    f.body.setAttributeValue("num", 15);
    f.body.setAttributeValue("string", "Hello, world!");
    f.body.setAttributeValue("bool", true);
    f.body.setAttributeValue("list", [0, 1, 2]);
    f.body.setAttributeValue("func", (a: number, b: number) => a + b);
    f.body.appendTokens([literal("\n")]);
    f.body.setAttributeValue("capsule", capsule("chan int"));
    // A capsule convertible to an object encodes as that (unordered) object.
    f.body.setAttributeValue("mappable_capsule", { name: "Bert", address: "11a Sesame St" });
    f.body.setAttributeValue("mappable_capsule_ptr", { name: "Ernie", address: "11b Sesame St" });
    f.body.appendTokens([literal("\n")]);
    f.body.setAttributeValue("map", { foo: "bar" });
    f.body.setAttributeValue("map_2", { "non ident": "bar" });
    f.body.appendTokens([literal("\n")]);
    f.body.setAttributeValue("mixed_list", [0, true, { key: true }, "Hello!"]);
    return f.toString();
  },
  TestBuilder_GoEncode_SortMapKeys: () => {
    const f = new FileBuilder();
    f.body.setAttributeValue("ordered", new OrderedObject([["some_key", "foo"], ["other_key", "bar"]]));
    f.body.setAttributeValue("unordered", { key_a: 1, key_c: 3, key_b: 2 });
    return f.toString();
  },
  Tokenizer: () => {
    const f = new FileBuilder();
    f.body.setAttributeValue("value", { alloyTokenize: () => [literal("CUSTOM_TOKENS")] });
    return f.toString();
  },
  Duration: () => {
    const f = new FileBuilder();
    f.body.setAttributeValue("value", "15s"); // a Go duration encodes as its String() form
    return f.toString();
  },
  TestBuilder_ValueOverrideHook: () => {
    const hook = () => "some other value";
    const f = new FileBuilder();
    f.body.setValueOverrideHook(hook);
    f.body.setAttributeValue("field", "value");
    for (const name of ["block", "other_block", "other_block"]) {
      const b = new Block([name]);
      b.body.setValueOverrideHook(hook);
      b.body.setAttributeValue("another_field", "value");
      f.body.appendBlock(b);
    }
    return f.toString();
  },
};

describe("builder: builder_test.json", () => {
  for (const row of readJSON<BuilderRow[]>("syntax/tables/builder_test.json")) {
    it(row.name, { skip: goOnly.has(row.name) ? "needs Go struct reflection" : false }, () => {
      const build = builders[row.name];
      assert.ok(build, `no JavaScript equivalent for ${row.name}`);
      assert.equal(row.compare, "equal_after_format");
      assert.equal(build(), printNode(parseFile(row.name, row.expect_source)));
    });
  }
});

describe("builder: values", () => {
  it("formats numbers like Alloy", () => {
    assert.equal(formatNumber(15), "15");
    assert.equal(formatNumber(-3), "-3");
    assert.equal(formatNumber(1.5), "1.5");
    assert.equal(formatNumber(1e21), "1000000000000000000000");
    assert.equal(formatNumber(1.5e-7), "0.00000015");
    assert.equal(formatNumber(0.1), "0.1");
  });

  it("builds expressions", () => {
    const e = new ExprBuilder();
    e.setValue({ "b-key": [1, "x"], a: null });
    assert.equal(e.toString(), '{\n\ta       = null,\n\t"b-key" = [1, "x"],\n}');
  });
});
