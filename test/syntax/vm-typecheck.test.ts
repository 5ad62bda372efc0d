// Static type checking of blocks against schemas (Alloy's syntax/typecheck),
// including the validator's invalid_types vector with stand-in schemas for
// the components it uses.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { BlockStmt } from "../../src/syntax/ast.ts";
import { formatDiagnostics } from "../../src/syntax/diag.ts";
import { parseFile } from "../../src/syntax/parser.ts";
import { attr, block, blocks, enumBlocks, label, struct, t } from "../../src/syntax/schema/index.ts";
import { typecheckBlock } from "../../src/syntax/vm/index.ts";
import { NumberValue } from "../../src/syntax/value/index.ts";
import { readText } from "./conformance.ts";

// loki.source.file: targets are capsules that convert only from objects.
const target = t.capsule<Record<string, string>>("discovery.Target", {
  convertFrom: (v) => {
    if (v instanceof NumberValue) throw new Error("target::ConvertFrom: conversion from 'int64' is not supported");
    return undefined;
  },
});
const lokiSourceFile = struct({
  targets: attr(t.array(target)),
  forward_to: attr(t.array(t.capsule("loki.LogsReceiver"))),
  encoding: attr(t.string(), { optional: true }),
});

const action = t.text({
  name: "action",
  parse: (s: string) => {
    if (!["insert", "update", "upsert", "delete"].includes(s)) throw new Error(`unknown action ${s}`);
    return s;
  },
  format: (s: string) => s,
  zero: () => "",
});
const otelcolAuthHeaders = struct({
  header: blocks(struct({ key: attr(t.string()), value: attr(t.string(), { optional: true }), action: attr(action, { optional: true }) }), {
    optional: true,
  }),
});

function parseBlocks(src: string): BlockStmt[] {
  return parseFile("main.alloy", src).body.filter((s): s is BlockStmt => s.type === "BlockStmt");
}

function txtarFile(txtar: string, name: string): string {
  const marker = `-- ${name} --\n`;
  const start = txtar.indexOf(marker) + marker.length;
  const end = txtar.indexOf("\n-- ", start);
  return txtar.slice(start, end < 0 ? undefined : end + 1);
}

describe("typecheck", () => {
  it("reproduces the validator's invalid_types diagnostics", () => {
    const txtar = readText("internal/validator/testdata/default/invalid_types.txtar");
    const src = txtarFile(txtar, "main.alloy");
    const [loki, headers] = parseBlocks(src) as [BlockStmt, BlockStmt];
    const diags = [...typecheckBlock(loki, lokiSourceFile), ...typecheckBlock(headers, otelcolAuthHeaders)];
    const want = readText("internal/validator/testdata/default/invalid_types.diags");
    assert.equal(formatDiagnostics(diags, { "main.alloy": src }).trimEnd(), want.trimEnd());
  });

  it("reports unknown, repeated and missing settings", () => {
    const s = struct({
      url: attr(t.string()),
      opts: attr(struct({ a: attr(t.int()), b: attr(t.bool(), { optional: true }) }), { optional: true }),
      tls: block(struct({ insecure: attr(t.bool(), { optional: true }) }), { optional: true }),
      rule: blocks(struct({ regex: attr(t.string()) }), { optional: true }),
      step: enumBlocks({ json: struct({ expr: attr(t.string()) }) }, { optional: true, name: "stage" }),
      name: label(),
    });
    const [b] = parseBlocks(`c "x" {
	test = 1
	opts = {a = "x", c = 1}
	opts = {}
	tls = 1
	tls {}
	tls {}
	rule { regex = 1 + 1 }
	stage.json { expr = true }
	url = -"a"
}`) as [BlockStmt];
    assert.deepEqual(
      typecheckBlock(b, s).map((d) => `${d.startPos.line}:${d.startPos.column}: ${d.message}`),
      [
        `2:2: unrecognized attribute name "test"`,
        `3:14: expected number, got string`,
        `3:19: unrecognized attribute name "c"`,
        `4:2: attribute "opts" may only be provided once`,
        `5:2: "tls" must be a block, but is used as an attribute`,
        `6:2: block "tls" may only be specified once`,
        `7:2: block "tls" may only be specified once`,
        `9:22: expected string, got bool`,
        `10:9: expected number, got string`,
      ],
    );
  });

  it("checks literals inside arrays, maps and operators", () => {
    const s = struct({
      list: attr(t.array(t.int()), { optional: true }),
      labels: attr(t.map(t.string()), { optional: true }),
      anything: attr(t.any(), { optional: true }),
      sum: attr(t.bool(), { optional: true }),
      bad: attr(t.int(), { optional: true }),
    });
    const [b] = parseBlocks(`c {
	list = [1, "two", true]
	labels = {a = "x", b = [1]}
	anything = {a = [1, true]}
	sum = 1 + 2
	bad = 1 + "x"
}`) as [BlockStmt];
    assert.deepEqual(
      typecheckBlock(b, s).map((d) => `${d.startPos.line}:${d.startPos.column}: ${d.message}`),
      [
        `2:13: expected number, got string`,
        `2:20: expected number, got bool`,
        `3:25: expected string, got array`,
        `5:8: expected bool, got number`,
        `6:8: expected number, got string`,
      ],
    );
  });

  it("accepts maps with labels only when unlabeled", () => {
    const [b] = parseBlocks(`m "x" { a = 1 }`) as [BlockStmt];
    assert.deepEqual(typecheckBlock(b, t.map(t.any())).map((d) => d.message), [`block "m" requires empty label`]);
  });
});
