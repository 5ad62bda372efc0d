// Conformance: Alloy's vm, stdlib, binary-operator, error and secret tables
// (../shared/conformance/syntax/tables/*.json). Each row evaluates an
// expression (or decodes a file) with the given scope and environment,
// decodes the result into the row's Go target type and compares it.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseExpression, parseFile } from "../../src/syntax/parser.ts";
import { attr, struct, t, type Type } from "../../src/syntax/schema/index.ts";
import { createStdlib } from "../../src/syntax/stdlib/index.ts";
import {
  formatValue,
  OptionalSecretValue,
  SecretValue,
  type Value,
} from "../../src/syntax/value/index.ts";
import { decodeBody, decodeExpression, evaluateExpression, Scope } from "../../src/syntax/vm/index.ts";
import { readJSON } from "./conformance.ts";
import { canonicalTyped, hostOf, type Typed, typedOf, valueOf } from "./value-typed.ts";

interface Row {
  go_test: string;
  name: string;
  kind: string;
  input?: string;
  filename?: string;
  scope?: Record<string, Typed>;
  env?: Record<string, string>;
  target?: string;
  expect?: Typed;
  expect_error?: string;
  error_match?: "exact" | "contains";
  phase?: string;
  compare?: string;
  needs?: string;
  value?: Typed;
  expect_text?: string;
}

const numberTargets = new Set([
  "int",
  "int8",
  "int16",
  "int32",
  "int64",
  "uint",
  "uint8",
  "uint16",
  "uint32",
  "uint64",
  "float32",
  "float64",
]);

// Struct targets described by the rows' `needs`.
const personStruct = struct({
  name: attr(t.string()),
  age: attr(t.int()),
  country: attr(t.string(), { optional: true }),
});
const nestedTarget = struct({
  key: attr(struct({ object: attr(struct({ field1: attr(t.array(t.int())) })) })),
});
const stringKeyTarget = struct({ key: attr(t.string()) });

function targetType(row: Row): Type<any> {
  const target = row.target!;
  if (numberTargets.has(target)) return (t as unknown as Record<string, () => Type<number>>)[target]!();
  switch (target) {
    case "string":
      return t.string();
    case "bool":
      return t.bool();
    case "any":
      return t.any();
    case "value.Value":
      return t.value();
    case "[]int":
      return t.array(t.int());
    case "[]bool":
      return t.array(t.bool());
    case "[]string":
      return t.array(t.string());
    case "[]any":
      return t.array(t.any());
    case "[]map[string]any":
      return t.array(t.map(t.any()));
    case "map[string]int":
      return t.map(t.int());
    case "map[string]any":
      return t.map(t.any());
    case "alloytypes.Secret":
      return t.secret();
    case "alloytypes.OptionalSecret":
      return t.optionalSecret();
    case "struct":
      if (row.kind === "file") return row.needs!.includes("Key string") ? stringKeyTarget : nestedTarget;
      return personStruct;
  }
  throw new Error(`unsupported target ${target}`);
}

function scopeFor(row: Row): Scope {
  const env = row.env ?? {};
  const stdlib = createStdlib({ env: (name) => env[name] });
  const vars = new Map<string, Value>();
  for (const [k, v] of Object.entries(row.scope ?? {})) vars.set(k, valueOf(v));
  if (row.go_test === "TestVM_Evaluate_IdentifierExpr" && row.name === "Valid lookup") {
    vars.set("foobar", valueOf({ type: "int", value: 15 }));
  }
  if (row.go_test === "TestVM_Evaluate_AccessExpr" && row.name === "Lookup optional field") {
    // A struct value whose optional field was never set.
    const person = struct({ name: attr(t.string(), { optional: true }) });
    vars.set("person", person.encode(person.zero()));
  }
  return new Scope(vars, undefined, stdlib);
}

// Targets whose result holds Go `any` values: compare kinds (int vs float) on the value itself.
function usesAny(target: string): boolean {
  return target.includes("any") || target === "value.Value";
}

function checkResult(row: Row, actual: unknown, value: Value): void {
  const expect = row.expect!;
  const target = row.target!;
  if (target === "alloytypes.Secret") {
    assert.ok(actual instanceof SecretValue, "expected a secret");
    assert.equal(actual.value, expect.value);
    return;
  }
  if (target === "alloytypes.OptionalSecret") {
    assert.ok(actual instanceof OptionalSecretValue, "expected an optional secret");
    const e = expect.value as { value: string; is_secret: boolean };
    assert.deepEqual({ value: actual.value, is_secret: actual.isSecret }, e);
    return;
  }
  if (usesAny(target)) {
    const sort = row.compare === "elements_match_any_order";
    assert.deepEqual(canonicalTyped(typedOf(value), sort), canonicalTyped(expect, sort));
    if (target !== "value.Value" && !sort) assert.deepEqual(actual, hostOf(expect));
    return;
  }
  let want = hostOf(expect);
  if (target === "float32") want = Math.fround(want as number);
  if (row.compare === "elements_match_any_order") {
    const key = (x: unknown): string => JSON.stringify(x);
    assert.deepEqual([...(actual as unknown[])].map(key).sort(), [...(want as unknown[])].map(key).sort());
    return;
  }
  assert.deepEqual(actual, want);
}

function checkError(row: Row, err: unknown): void {
  assert.ok(err instanceof Error, `expected an Error, got ${String(err)}`);
  if (row.error_match === "exact") assert.equal(err.message, row.expect_error);
  else assert.ok(err.message.includes(row.expect_error!), `${JSON.stringify(err.message)} should contain ${JSON.stringify(row.expect_error)}`);
}

function runRow(row: Row): void {
  if (row.kind === "encode_expr") {
    assert.equal(formatValue(valueOf(row.value!)), row.expect_text);
    return;
  }
  if (row.phase === "parse") {
    assert.throws(() => parseExpression(row.input!), (e: unknown) => (checkError(row, e), true));
    return;
  }
  const scope = scopeFor(row);
  const type = targetType(row);
  if (row.kind === "file") {
    const file = parseFile(row.filename ?? "", row.input!);
    let result: unknown;
    try {
      result = decodeBody(file, type, scope);
    } catch (e) {
      if (row.expect_error === undefined) throw e;
      checkError(row, e);
      return;
    }
    assert.equal(row.expect_error, undefined, `expected error ${row.expect_error}, got ${JSON.stringify(result)}`);
    return;
  }

  const expr = parseExpression(row.input!);
  let actual: unknown;
  let value: Value = null;
  try {
    value = evaluateExpression(expr, scope);
    actual = decodeExpression(expr, type, scope);
  } catch (e) {
    if (row.expect_error === undefined) throw e;
    checkError(row, e);
    return;
  }
  assert.equal(row.expect_error, undefined, `expected error ${JSON.stringify(row.expect_error)}`);
  checkResult(row, actual, value);
}

const tables = [
  "vm_test.json",
  "vm_stdlib_test.json",
  "op_binary_test.json",
  "vm_errors_test.json",
  "secret_test.json",
  "optional_secret_test.json",
];

for (const table of tables) {
  const rows = readJSON<Row[]>(`syntax/tables/${table}`);
  describe(`conformance ${table}`, () => {
    rows.forEach((row, i) => {
      it(`${i} ${row.go_test}/${row.name}`, () => runRow(row));
    });
  });
}
