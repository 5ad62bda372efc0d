// Decoding block bodies into schemas: the behaviours and exact messages of
// Alloy's syntax/vm/vm_block_test.go, plus hooks, defaults and repetition.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { BlockStmt } from "../../src/syntax/ast.ts";
import { parseFile } from "../../src/syntax/parser.ts";
import { printNode } from "../../src/syntax/printer.ts";
import { FileBuilder } from "../../src/syntax/builder.ts";
import {
  appendFrom,
  attr,
  block,
  blocks,
  enumBlocks,
  label,
  Second,
  squash,
  struct,
  t,
  type Type,
} from "../../src/syntax/schema/index.ts";
import { createStdlib } from "../../src/syntax/stdlib/index.ts";
import { formatValue, OptionalSecretValue, SecretValue } from "../../src/syntax/value/index.ts";
import { decodeBody, Scope } from "../../src/syntax/vm/index.ts";

function parseBlock(input: string): BlockStmt {
  const file = parseFile("", input);
  assert.equal(file.body.length, 1);
  const stmt = file.body[0]!;
  assert.equal(stmt.type, "BlockStmt");
  return stmt as BlockStmt;
}

function decodeBlock<T>(input: string, type: Type<T>): T {
  return decodeBody(parseBlock(input), type);
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail("expected an error");
}

describe("decoding files", () => {
  it("decodes attributes and optional blocks", () => {
    const inner = struct({ string: attr(t.string()), number: attr(t.int(), { optional: true }) });
    const file = struct({
      setting_a: attr(t.int()),
      setting_b: attr(t.int(), { optional: true }),
      some_block: block(inner, { optional: true }),
    });
    const input = `
	setting_a = 15 

	some_block {
		string = "Hello, world!"
	}
	`;
    const actual = decodeBody(parseFile("TestVM_File", input), file);
    assert.deepEqual(actual, { setting_a: 15, setting_b: 0, some_block: { string: "Hello, world!", number: 0 } });
  });
});

describe("block attributes", () => {
  const numberString = struct({ number: attr(t.int()), string: attr(t.string()) });

  it("decodes attributes", () => {
    const v = decodeBlock(`some_block {
			number = 15 
			string = "Hello, world!"
		}`, numberString);
    assert.deepEqual(v, { number: 15, string: "Hello, world!" });
  });

  it("fails if an attribute is used as a block", () => {
    const msg = errorOf(() => decodeBlock(`some_block {
			number {} 
		}`, struct({ number: attr(t.int()) })));
    assert.equal(msg, `2:4: "number" must be an attribute, but is used as a block`);
  });

  it("fails if required attributes are missing", () => {
    const msg = errorOf(() => decodeBlock(`some_block {
			number = 15 
		}`, numberString));
    assert.equal(msg, `missing required attribute "string"`);
  });

  it("succeeds if optional attributes are missing", () => {
    const s = struct({ number: attr(t.int()), string: attr(t.string(), { optional: true }) });
    assert.deepEqual(decodeBlock(`some_block {
			number = 15 
		}`, s), { number: 15, string: "" });
  });

  it("fails on unknown attributes", () => {
    const msg = errorOf(() => decodeBlock(`some_block {
			number  = 15 
			invalid = "This attribute does not exist!"
		}`, struct({ number: attr(t.int()) })));
    assert.equal(msg, `3:4: unrecognized attribute name "invalid"`);
  });

  it("fails on repeated attributes", () => {
    const msg = errorOf(() => decodeBlock(`some_block {
			number = 1
			number = 2
		}`, struct({ number: attr(t.int()) })));
    assert.equal(msg, `3:4: attribute "number" may only be provided once`);
  });

  it("decodes into any with Alloy's number kinds", () => {
    const s = struct({ anything: attr(t.value()) });
    const cases: Array<[string, string]> = [
      ["15", "int"],
      ["-15", "int"],
      ["9223372036854775807", "int"],
      ["-9223372036854775808", "int"],
      ["9223372036854775808", "uint"],
      ["18446744073709551615", "uint"],
      ["-92233720368547758089", "float"],
      ["184467440737095516159", "float"],
      ["16.0", "float"],
    ];
    for (const [text, kind] of cases) {
      const v = decodeBlock(`some_block {
					anything  = ${text} 
				}`, s);
      assert.equal((v.anything as { kind: string }).kind, kind, text);
    }
    const anyStruct = struct({ anything: attr(t.any()) });
    assert.equal(decodeBlock(`b { anything = 18446744073709551615 }`, anyStruct).anything, 18446744073709551615n);
    assert.equal(decodeBlock(`b { anything = -15 }`, anyStruct).anything, -15);
  });

  it("supports squashed attributes", () => {
    const inner = struct({
      inner_field_1: attr(t.string(), { optional: true }),
      inner_field_2: attr(t.string(), { optional: true }),
    });
    const outer = struct({
      outer_field_1: attr(t.string(), { optional: true }),
      inner: squash(inner),
      outer_field_2: attr(t.string(), { optional: true }),
    });
    const v = decodeBlock(`some_block {
				outer_field_1 = "value1"
				outer_field_2 = "value2"
				inner_field_1 = "value3"
				inner_field_2 = "value4"
			}`, outer);
    assert.deepEqual(v, {
      outer_field_1: "value1",
      inner: { inner_field_1: "value3", inner_field_2: "value4" },
      outer_field_2: "value2",
    });
  });
});

describe("child blocks", () => {
  const child = struct({ attr: attr(t.bool()) });

  it("decodes child blocks with dotted names", () => {
    const s = struct({ value: attr(t.int()), child: block(child, { name: "child.block" }) });
    const v = decodeBlock(`some_block {
			value = 15 

			child.block { attr = true }
		}`, s);
    assert.deepEqual(v, { value: 15, child: { attr: true } });
  });

  it("decodes repeated blocks in order", () => {
    const s = struct({ value: attr(t.int()), children: blocks(child, { name: "child.block" }) });
    const v = decodeBlock(`some_block {
			value = 10 

			child.block { attr = true }
			child.block { attr = false }
			child.block { attr = true }
		}`, s);
    assert.deepEqual(v.children, [{ attr: true }, { attr: false }, { attr: true }]);
  });

  it("decodes a fixed number of blocks", () => {
    const s = struct({ value: attr(t.int()), children: blocks(child, { name: "child.block", exactly: 3 }) });
    const src = (n: number) =>
      `some_block {\n\tvalue = 15\n` + Array.from({ length: n }, (_, i) => `\tchild.block { attr = ${i % 2 === 0} }\n`).join("") + `}`;
    assert.deepEqual(decodeBlock(src(3), s).children, [{ attr: true }, { attr: false }, { attr: true }]);
    assert.equal(
      errorOf(() => decodeBlock(src(2), s)),
      `3:2: block "child.block" must be specified exactly 3 times, but was specified 2 times`,
    );
  });

  it("fails if a block is used as an attribute", () => {
    const msg = errorOf(() => decodeBlock(`some_block {
			child = 15
		}`, struct({ child: block(child) })));
    assert.equal(msg, `2:4: "child" must be a block, but is used as an attribute`);
  });

  it("fails if required blocks are missing", () => {
    const s = struct({ value: attr(t.int()), child: block(child, { name: "child.block" }) });
    const msg = errorOf(() => decodeBlock(`some_block {
			value = 15
		}`, s));
    assert.equal(msg, `missing required block "child.block"`);
  });

  it("succeeds if optional blocks are missing", () => {
    const s = struct({ value: attr(t.int()), child: block(child, { name: "child.block", optional: true }) });
    assert.deepEqual(decodeBlock(`some_block {
			value = 15 
		}`, s), { value: 15, child: null });
  });

  it("fails on unknown blocks", () => {
    const msg = errorOf(() => decodeBlock(`some_block {
			value = 15

			child.block { attr = true }
		}`, struct({ value: attr(t.int()) })));
    assert.equal(msg, `4:4: unrecognized block name "child.block"`);
  });

  it("fails if a single block is repeated", () => {
    const msg = errorOf(() => decodeBlock(`some_block {
			child { attr = true }
			child { attr = false }
		}`, struct({ child: block(child) })));
    assert.equal(msg, `2:4: block "child" may only be specified once`);
  });

  it("supports squashed blocks", () => {
    const inner = struct({ inner_block_1: block(child), inner_block_2: block(child) });
    const outer = struct({ outer_block_1: block(child), inner: squash(inner), outer_block_2: block(child) });
    const v = decodeBlock(`some_block {
				outer_block_1 { attr = true }
				outer_block_2 { attr = false }
				inner_block_1 { attr = true } 
				inner_block_2 { attr = false } 
			}`, outer);
    assert.deepEqual(v, {
      outer_block_1: { attr: true },
      inner: { inner_block_1: { attr: true }, inner_block_2: { attr: false } },
      outer_block_2: { attr: false },
    });
  });
});

describe("enum blocks", () => {
  const child = struct({ attr: attr(t.int()) });
  const s = struct({
    value: attr(t.int()),
    blocks: enumBlocks({ a: child, b: child, c: child, d: child }, { name: "child", optional: true }),
  });

  it("decodes enum blocks in source order", () => {
    const v = decodeBlock(`some_block {
			value = 15

			child.a { attr = 1 }
			child.b { attr = 2 }
			child.c { attr = 3 }
			child.a { attr = 4 }
		}`, s);
    assert.deepEqual(v.blocks, [{ a: { attr: 1 } }, { b: { attr: 2 } }, { c: { attr: 3 } }, { a: { attr: 4 } }]);
  });

  it("encodes enum elements as objects of all members", () => {
    const v = s.encode({ value: 1, blocks: [{ b: { attr: 2 } }] });
    assert.equal(
      formatValue(v),
      "{\n\tvalue = 1,\n\tchild = [{\n\t\ta = null,\n\t\tb = {\n\t\t\tattr = 2,\n\t\t},\n\t\tc = null,\n\t\td = null,\n\t}],\n}",
    );
  });
});

describe("labels", () => {
  const labeled = struct({ label: label() });

  it("decodes the label", () => {
    assert.deepEqual(decodeBlock(`some_block "label_value_1" {}`, labeled), { label: "label_value_1" });
  });

  it("rejects labels the schema does not accept", () => {
    assert.equal(
      errorOf(() => decodeBlock(`some_block "label_value_2" {}`, struct({}))),
      `1:1: block "some_block" does not support specifying labels`,
    );
  });

  it("requires a non-empty label", () => {
    assert.equal(errorOf(() => decodeBlock(`some_block {}`, labeled)), `1:1: block "some_block" requires non-empty label`);
    assert.equal(errorOf(() => decodeBlock(`some_block "" {}`, labeled)), `1:1: block "some_block" requires non-empty label`);
  });
});

describe("map and any bodies", () => {
  const outer = struct({ settings: block(t.map(t.any()), { name: "some.settings" }) });

  it("decodes attributes into a map", () => {
    const v = decodeBody(parseFile("", `
				some.settings {
					field_a = 12345
					field_b = "helloworld"
				}
			`), outer);
    assert.deepEqual(v.settings, { field_a: 12345, field_b: "helloworld" });
  });

  it("rejects labels", () => {
    const msg = errorOf(() => decodeBody(parseFile("", `
				some.settings "foo" {
					field_a = 12345
				}
			`), outer));
    assert.ok(msg.includes(`block "some.settings" requires empty label`), msg);
  });

  it("rejects nested blocks", () => {
    const msg = errorOf(() => decodeBody(parseFile("", `
				some.settings {
					inner_map {
						field_a = 12345
					}
				}
			`), outer));
    assert.ok(msg.includes("nested blocks not supported here"), msg);
  });

  it("decodes into any", () => {
    const s = struct({ settings: block(t.any(), { name: "some.settings" }) });
    const v = decodeBody(parseFile("", `some.settings {
			field_a = 12345
			field_b = "helloworld"
		}`), s);
    assert.deepEqual(v.settings, { field_a: 12345, field_b: "helloworld" });
  });
});

describe("hooks and defaults", () => {
  it("applies defaults before decoding and validates after", () => {
    const calls: string[] = [];
    const s = struct(
      {
        a: attr(t.string(), { optional: true }),
        b: attr(t.int(), { optional: true }),
        interval: attr(t.duration(), { default: 15 * Second }),
      },
      {
        defaults: () => {
          calls.push("defaults");
          return { a: "default" };
        },
        validate: (h) => {
          calls.push("validate");
          return h.b < 0 ? "b must not be negative" : undefined;
        },
      },
    );
    assert.deepEqual(decodeBlock(`x { b = 2 }`, s), { a: "default", b: 2, interval: 15 * Second });
    assert.deepEqual(calls, ["defaults", "validate"]);
    assert.equal(errorOf(() => decodeBlock(`x { b = -1 }`, s)), "b must not be negative");
    assert.deepEqual(decodeBlock(`x { interval = "1m30s" }`, s).interval, 90 * Second);
  });

  it("keeps a parent's defaults for a block without defaults of its own", () => {
    const inner = struct({ x: attr(t.int(), { optional: true }), y: attr(t.int(), { optional: true }) });
    const outer = struct({ inner: block(inner, { optional: true }) }, { defaults: () => ({ inner: { x: 1, y: 2 } }) });
    assert.deepEqual(decodeBlock(`o { inner { y = 5 } }`, outer), { inner: { x: 1, y: 5 } });
    assert.deepEqual(decodeBlock(`o { }`, outer), { inner: { x: 1, y: 2 } });
  });

  it("reports value errors at the expression", () => {
    const s = struct({ interval: attr(t.duration()), count: attr(t.int(), { optional: true }) });
    assert.equal(errorOf(() => decodeBlock(`x {\n\tinterval = "5"\n}`, s)), `2:13: "5" time: missing unit in duration "5"`);
    assert.equal(errorOf(() => decodeBlock(`x {\n\tinterval = "1s"\n\tcount = "abc"\n}`, s)), `3:10: "abc" should be number, got string`);
    assert.equal(errorOf(() => decodeBlock(`x {\n\tinterval = "1s"\n\tcount = [1][3]\n}`, s)), `3:14: 3 index 3 is out of range of array with length 1`);
  });
});

describe("secrets", () => {
  it("annotates secret attributes for redaction", () => {
    const s = struct({
      optional_password: attr(t.optionalSecret(), { optional: true }),
      password: attr(t.secret()),
    });
    const file = parseFile("TestVM_AnnotatesSecrets", `
	password = "my_password"
	optional_password = sys.env("SECRET")
	`);
    const scope = new Scope(new Map(), undefined, createStdlib({ env: (n) => (n === "SECRET" ? "my_password" : undefined) }));
    const v = decodeBody(file, s, scope);
    assert.ok(v.password instanceof SecretValue);
    assert.equal(v.password.value, "my_password");
    assert.ok(v.optional_password instanceof OptionalSecretValue);
    assert.deepEqual([v.optional_password.value, v.optional_password.isSecret], ["my_password", false]);
    const printed = printNode(file, { redactSecrets: true });
    assert.ok(!printed.includes("my_password"), printed);
    assert.ok(printed.includes("(secret)"), printed);
  });
});

describe("encoding back to Alloy", () => {
  const rule = struct({
    source_labels: attr(t.array(t.string()), { optional: true }),
    regex: attr(t.string(), { default: "(.*)" }),
    action: attr(t.string(), { default: "replace" }),
  });
  const args = struct({
    forward_to: attr(t.array(t.any())),
    scrape_interval: attr(t.duration(), { default: 60 * Second }),
    job_name: attr(t.string(), { optional: true }),
    rule: blocks(rule, { optional: true }),
    tls: block(struct({ insecure: attr(t.bool(), { optional: true }) }), { optional: true }),
  });

  it("round-trips through decoding and omits defaults", () => {
    const src = `forward_to = []
scrape_interval = "30s"
rule {
	source_labels = ["a"]
	regex = "(.*)"
}
rule {
	action = "drop"
}`;
    const host = decodeBody(parseFile("", src), args);
    const file = new FileBuilder();
    appendFrom(file.body, args, host);
    assert.equal(
      file.toString(),
      `forward_to      = []\nscrape_interval = "30s"\n\nrule {\n\tsource_labels = ["a"]\n}\n\nrule {\n\taction = "drop"\n}`,
    );
    assert.deepEqual(decodeBody(parseFile("", file.toString()), args), host);
  });

  it("encodes exports as ordered objects", () => {
    const exports = struct({ zeta: attr(t.string()), alpha: attr(t.duration()) });
    assert.equal(formatValue(exports.encode({ zeta: "z", alpha: 90 * Second })), `{\n\tzeta  = "z",\n\talpha = "1m30s",\n}`);
  });
});
