// `alloy validate`'s checks (src/runtime/validator/): Alloy's validator vectors
// (internal/validator/testdata in ../shared/conformance, read in place) compared as fully rendered
// text, run the way Alloy's validate_test.go runs them — default/ at the experimental stability
// level, ga/ at generally-available — plus cases the vectors do not cover.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { defineComponent } from "../../src/runtime/component.ts";
import type { Stability } from "../../src/runtime/featuregate.ts";
import { Registry } from "../../src/runtime/registry.ts";
import { SourceError, StatementError } from "../../src/runtime/source.ts";
import { validate } from "../../src/runtime/validator/validate.ts";
import { formatDiagnostics } from "../../src/syntax/diag.ts";
import { struct } from "../../src/syntax/schema/index.ts";
import { VALIDATE_SERVICES } from "../../src/cli/commands/validate.ts";
import { repoRoot } from "../helpers/runtime.ts";
import { parseTxtar } from "./txtar.ts";
import { VALIDATOR_COMPONENTS, validatorRegistry } from "./validator-components.ts";

const TESTDATA = join(repoRoot, "..", "shared", "conformance", "internal", "validator", "testdata");

/** Vectors that cannot pass, with the reason in test/conformance/known-differences-validator.md. */
const KNOWN_DIFFERENCES = new Set<string>([]);

const SERVICES = VALIDATE_SERVICES;

const registry = validatorRegistry();

function run(sources: Map<string, string>, minStability: Stability = "experimental", enableCommunityComponents = false): string {
  const diags = validate({ sources, registry, services: SERVICES, minStability, enableCommunityComponents });
  return diags.length === 0 ? "" : formatDiagnostics(diags, sources, { contextLinesBefore: 1, contextLinesAfter: 1 });
}

function suite(folder: string, minStability: Stability): void {
  const dir = join(TESTDATA, folder);
  const names = readdirSync(dir)
    .filter((f) => f.endsWith(".txtar"))
    .sort();
  it("has vectors", () => assert.ok(names.length > 0, `no vectors in ${dir}`));
  for (const name of names) {
    const base = name.slice(0, -".txtar".length);
    const archive = parseTxtar(readFileSync(join(dir, name), "utf8"));
    const title = `${folder}/${base}: ${archive.comment.trim()}`;
    const known = KNOWN_DIFFERENCES.has(`${folder}/${base}`);
    it(title, { skip: known ? "known difference" : false }, () => {
      const want = readFileSync(join(dir, `${base}.diags`), "utf8").replaceAll("\r\n", "\n");
      assert.equal(run(archive.files, minStability), want);
    });
  }
}

describe("validator vectors", () => {
  describe("default (experimental)", () => suite("default", "experimental"));
  describe("ga (generally-available)", () => suite("ga", "generally-available"));
});

const one = (text: string) => new Map([["main.alloy", text]]);
const messages = (text: string, minStability: Stability = "experimental", community = false) =>
  validate({ sources: one(text), registry, services: SERVICES, minStability, enableCommunityComponents: community }).map(
    (d) => `${d.startPos.line}:${d.startPos.column}: ${d.message}`,
  );

describe("validator", () => {
  it("accepts a valid configuration with no diagnostics", () => {
    assert.deepEqual(messages(`local.file "a" {\n  filename = "x"\n}\nlocal.file "b" {\n  filename = local.file.a.content\n}\n`), []);
  });

  it("throws what Alloy does not report as a list", () => {
    assert.throws(() => validate({ sources: one("a = 1\n"), registry, services: SERVICES, minStability: "experimental" }), StatementError);
    const utf16 = new Map([["main.alloy", new Uint8Array([0xff, 0xfe, 0x61, 0x00])]]);
    assert.throws(() => validate({ sources: utf16, registry, services: SERVICES, minStability: "experimental" }), SourceError);
  });

  it("reports configured services that take no configuration, and services in modules", () => {
    // The declare's own problems come before those of its body.
    assert.deepEqual(messages(`ui {}\ndeclare "m" {\n  http {}\n  x = 1\n}\n`), [
      `4:3: unsupported statement type *ast.AttributeStmt`,
      `3:3: http not allowed in module`,
      `1:1: service "ui" does not support being configured`,
    ]);
  });

  it("gates components by stability and community flag", () => {
    const gated = new Registry([
      ...VALIDATOR_COMPONENTS,
      defineComponent({ name: "test.experimental", stability: "experimental", args: struct({}), build: () => assert.fail() }),
      defineComponent({ name: "test.community", stability: "experimental", community: true, args: struct({}), build: () => assert.fail() }),
    ]);
    const check = (minStability: Stability, community: boolean) =>
      validate({
        sources: one(`test.experimental "a" {}\ntest.community "b" {}\narray.group_by "c" {}\n`),
        registry: gated,
        services: SERVICES,
        minStability,
        enableCommunityComponents: community,
      }).map((d) => d.message);
    assert.deepEqual(check("generally-available", false), [
      `component "test.experimental" is at stability level "experimental", which is below the minimum allowed stability level "generally-available". Use --stability.level command-line flag to enable "experimental" features`,
      `the component "test.community" is a community component. Use the --feature.community-components.enabled command-line flag to enable community components`,
      `cannot find the definition of component name "array.group_by"`,
    ]);
    assert.deepEqual(check("experimental", true), [`cannot find the definition of component name "array.group_by"`]);
    assert.deepEqual(messages(`local.file {\n  filename = "x"\n}\n`), [`1:1: component "local.file" must have a label`]);
  });

  it("reports a cycle through a declare's own components, not through components around a foreach", () => {
    assert.deepEqual(
      messages(`declare "m" {
  local.file "a" {
    filename = local.file.b.content
  }
  local.file "b" {
    filename = local.file.a.content
  }
}
local.file "outer" {
  filename = "x"
}
foreach "f" {
  collection = [1]
  var = "item"
  template {
    local.file "inner" {
      filename = local.file.outer.content
    }
  }
}
`),
      [`2:3: cycle detected: local.file.a, local.file.b`, `5:3: cycle detected: local.file.a, local.file.b`],
    );
  });

  it("lets a later node replace an earlier one of the same id, as Alloy's graph does", () => {
    // `argument.x` is both the argument block's id and the unlabelled component's: Alloy checks
    // the component twice and the argument block never.
    assert.deepEqual(messages(`declare "m" {\n  argument "x" {\n    bad = 1\n  }\n  argument.x {}\n}\n`), [
      `5:3: component "argument.x" must have a label`,
      `5:3: cannot find the definition of component name "argument.x"`,
      `5:3: component "argument.x" must have a label`,
      `5:3: cannot find the definition of component name "argument.x"`,
    ]);
  });

  it("shares one set of variables across modules, as Alloy's validator does", () => {
    // `item` is only the foreach's variable, `argument` only a declare's; Alloy accepts both anywhere.
    assert.deepEqual(
      messages(`declare "m" {
  argument "a" {}
}
foreach "f" {
  collection = [1]
  var = "item"
  template {}
}
local.file "x" {
  filename = item + argument.a.value
}
local.file "y" {
  filename = nothing.here
}
`),
      [`13:14: component "nothing.here" does not exist or is out of scope`],
    );
  });
});
