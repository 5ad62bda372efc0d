// `alloy validate` end to end: the real CLI as a child process under the runtime running the test.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, runRuntime } from "../helpers/runtime.ts";
import { makeTempDir } from "../helpers/tmp.ts";

const entry = join(repoRoot, "src/cli/entry.ts");

describe("alloy validate", () => {
  const dir = makeTempDir();
  after(() => dir.cleanup());
  const file = (name: string, content: string) => {
    writeFileSync(join(dir.path, name), content);
    return name;
  };
  const validate = (...args: string[]) => runRuntime(entry, ["validate", ...args], { cwd: dir.path });

  it("prints nothing and exits 0 for a valid configuration", async () => {
    const path = file("valid.alloy", `local.file "a" {\n  filename = "/etc/hostname"\n}\n\nlocal.file "b" {\n  filename  = local.file.a.content\n  is_secret = true\n}\n`);
    const result = await validate(path);
    assert.equal(result.stderr, "");
    assert.equal(result.stdout, "");
    assert.equal(result.code, 0);
  });

  it("prints every diagnostic with its source, and exits 1", async () => {
    const path = file(
      "errors.alloy",
      [
        `local.file "a" {`,
        `  filename = local.file.b.content`,
        `  unknown  = true`,
        `}`,
        ``,
        `local.file "b" {`,
        `  filename = local.file.a.content`,
        `}`,
        ``,
        `not.a.component "c" {}`,
        ``,
        `local.file "d" {`,
        `  filename = missing.component.value`,
        `}`,
        ``,
      ].join("\n"),
    );
    const result = await validate(path);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "\n");
    assert.equal(
      result.stderr,
      `Error: errors.alloy:3:3: unrecognized attribute name "unknown"

2 |   filename = local.file.b.content
3 |   unknown  = true
  |   ^^^^^^^^^^^^^^^
4 | }

Error: errors.alloy:10:1: cannot find the definition of component name "not.a.component"

 9 | 
10 | not.a.component "c" {}
   | ^^^^^^^^^^^^^^^
11 | 

Error: errors.alloy:13:14: component "missing.component.value" does not exist or is out of scope

12 | local.file "d" {
13 |   filename = missing.component.value
   |              ^^^^^^^^^^^^^^^^^^^^^^^
14 | }

Error: errors.alloy:1:1: cycle detected: local.file.a, local.file.b

1 | local.file "a" {
  | ^^^^^^^^^^^^^^^^
2 |   filename = local.file.b.content

Error: errors.alloy:6:1: cycle detected: local.file.a, local.file.b

5 | 
6 | local.file "b" {
  | ^^^^^^^^^^^^^^^^
7 |   filename = local.file.a.content
Error: validation failed
`,
    );
  });

  it("validates the top-level *.alloy files of a directory as one configuration", async () => {
    const conf = join(dir.path, "conf.d");
    mkdirSync(join(conf, "nested"), { recursive: true });
    writeFileSync(join(conf, "a.alloy"), `local.file "shared" {\n  filename = "/etc/hostname"\n}\n`);
    writeFileSync(join(conf, "b.alloy"), `local.file "other" {\n  filename = local.file.shared.content\n}\n`);
    writeFileSync(join(conf, "notes.txt"), `this is not { alloy`);
    writeFileSync(join(conf, "nested", "c.alloy"), `this is not { alloy`);
    const ok = await validate("conf.d");
    assert.equal(ok.stderr, "");
    assert.equal(ok.code, 0);

    // The same id in two files: the error names both places.
    writeFileSync(join(conf, "c.alloy"), `local.file "shared" {\n  filename = "/etc/hosts"\n}\n`);
    const duplicate = await validate("conf.d");
    assert.equal(duplicate.code, 1);
    assert.match(duplicate.stderr, /^Error: conf\.d\/c\.alloy:1:1: block local\.file\.shared already declared at conf\.d\/a\.alloy:1:1$/m);
    assert.match(duplicate.stderr, /^Error: validation failed$/m);
  });

  it("gates features with --stability.level", async () => {
    const path = file("foreach.alloy", `foreach "each" {\n  collection = [1, 2]\n  var        = "item"\n\n  template {}\n}\n`);
    const ga = await validate(path);
    assert.equal(ga.code, 1);
    assert.match(ga.stderr, /foreach block "foreach" is at stability level "experimental", which is below the minimum allowed stability level "generally-available"/);
    const experimental = await validate("--stability.level=experimental", path);
    assert.equal(experimental.stderr, "");
    assert.equal(experimental.code, 0);
    const bad = await validate("--stability.level", "beta", path);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^Error: invalid argument "beta" for "--stability.level" flag: invalid stability level "beta"$/m);
  });

  it("fails like Alloy on a missing path, extra arguments, other formats and top-level attributes", async () => {
    const missing = await validate("missing.alloy");
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, "Error: stat missing.alloy: no such file or directory\n");

    const count = await validate();
    assert.equal(count.code, 1);
    assert.equal(count.stderr, "Error: accepts 1 arg(s), received 0\n");

    const format = await validate("--config.format=prometheus", file("prom.yaml", "scrape_configs: []\n"));
    assert.equal(format.code, 1);
    assert.match(format.stderr, /^Error: converting from the prometheus format is not implemented yet$/m);

    const attribute = await validate(file("attribute.alloy", `level = "debug"\n`));
    assert.equal(attribute.code, 1);
    assert.equal(attribute.stderr, "validation failed: attribute.alloy:1:1: unrecognized attribute levelError: validation failed\n");
  });
});
