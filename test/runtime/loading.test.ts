// Loading errors with Alloy's messages and positions: sources (encoding, top-level statements,
// several files), duplicates, unknown components, references, cycles, feature gates.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type LoadResult, readSourcePath } from "../../src/runtime/index.ts";
import { ensureUtf8, parseSources, sourceHash } from "../../src/runtime/source.ts";
import { platform } from "../../src/platform/mod.ts";
import { diagnosticString, formatDiagnostics } from "../../src/syntax/diag.ts";
import { makeTempDir } from "../helpers/tmp.ts";
import { newTestRuntime } from "./helpers.ts";

const tmp = makeTempDir();
after(() => tmp.cleanup());

async function load(files: Record<string, string>, options: Parameters<typeof newTestRuntime>[0] | object = {}): Promise<LoadResult> {
  const { runtime } = newTestRuntime({ storagePath: join(tmp.path, "data"), ...options });
  return runtime.load(files);
}

function messages(result: LoadResult): string[] {
  return result.diagnostics.map(diagnosticString);
}

const TICK = `testcomponents.tick "t" {\n  frequency = "1s"\n}\n`;

describe("runtime: sources", () => {
  it("accepts UTF-8 with or without a byte order mark and names other encodings", () => {
    const text = new TextEncoder().encode("a {}");
    assert.equal(ensureUtf8(text), text);
    assert.doesNotThrow(() => ensureUtf8(new Uint8Array([0xef, 0xbb, 0xbf, ...text])));
    assert.throws(() => ensureUtf8(new Uint8Array([0xff, 0xfe, 0x61, 0x00])), {
      message: "configuration is encoded with UTF16LittleEndian but must be utf8",
    });
    assert.throws(() => ensureUtf8(new Uint8Array([0xfe, 0xff, 0x00, 0x61])), {
      message: "configuration is encoded with UTF16BigEndian but must be utf8",
    });
    assert.throws(() => ensureUtf8(new Uint8Array([0xff, 0xfe, 0x00, 0x00])), {
      message: "configuration is encoded with UTF32LittleEndian but must be utf8",
    });
    assert.throws(() => ensureUtf8(new Uint8Array([0x00, 0x00, 0xfe, 0xff])), {
      message: "configuration is encoded with UTF32BigEndian but must be utf8",
    });
    assert.throws(() => ensureUtf8(new Uint8Array([0x61, 0xc3, 0x28])), { message: "unknown encoding for config" });
  });

  it("splits top-level statements into components, config blocks and declares", () => {
    const source = parseSources(
      new Map([
        [
          "main.alloy",
          `logging {}\ntracing {}\nimport.file "m" { filename = "x" }\nimport.string "s" { content = "" }\nimport.http "h" { url = "x" }\nimport.git "g" {\n repository = "x"\n path = "y"\n}\nforeach "f" {\n collection = []\n var = "x"\n template {}\n}\nargument "a" {}\nexport "e" { value = 1 }\ndeclare "d" {}\nhttp {}\nprometheus.scrape "x" {}\n`,
        ],
      ]),
    );
    assert.deepEqual(
      source.configs.map((b) => b.name.join(".")),
      ["logging", "tracing", "import.file", "import.string", "import.http", "import.git", "foreach", "argument", "export"],
    );
    assert.deepEqual(source.declares.map((b) => b.label), ["d"]);
    assert.deepEqual(source.components.map((b) => b.name.join(".")), ["http", "prometheus.scrape"]);
  });

  it("reports a top-level attribute", async () => {
    const result = await load({ "main.alloy": `x = 1\n` });
    assert.deepEqual(messages(result), ["main.alloy:1:1: unrecognized attribute x"]);
  });

  it("merges the syntax errors of every file, in file name order", async () => {
    const result = await load({ "b.alloy": `a b c {\n`, "a.alloy": `x "y" {\n  frequency = \n}\n` });
    assert.deepEqual(messages(result), ["a.alloy:3:1: expected expression, got }", "b.alloy:1:3: expected block label, got IDENT"]);
    assert.equal(result.error, "a.alloy:3:1: expected expression, got } (and 1 more diagnostics)");
  });

  it("reports an encoding error with Alloy's text", async () => {
    const { runtime } = newTestRuntime({ storagePath: join(tmp.path, "data") });
    const result = await runtime.load(new Map([["main.alloy", new Uint8Array([0xff, 0xfe, 0x61, 0x00])]]));
    assert.equal(result.ok, false);
    assert.equal(result.error, "configuration is encoded with UTF16LittleEndian but must be utf8");
  });

  it("reads a directory's top-level *.alloy files only, keyed by path, and hashes them in name order", async () => {
    const dir = join(tmp.path, "config");
    mkdirSync(join(dir, "nested"), { recursive: true });
    writeFileSync(join(dir, "b.alloy"), `testcomponents.tick "b" {\n  frequency = "1s"\n}\n`);
    writeFileSync(join(dir, "a.alloy"), `testcomponents.tick "a" {\n  frequency = "1s"\n}\n`);
    writeFileSync(join(dir, "notes.txt"), "not config");
    writeFileSync(join(dir, "nested", "c.alloy"), "broken {");
    const files = await readSourcePath(platform(), dir);
    assert.deepEqual([...files.keys()], [join(dir, "a.alloy"), join(dir, "b.alloy")]);

    const { runtime } = newTestRuntime({ storagePath: join(tmp.path, "data") });
    const result = await runtime.loadPath(dir);
    assert.equal(result.ok, true);
    const expected = createHash("sha256")
      .update(files.get(join(dir, "a.alloy"))!)
      .update(files.get(join(dir, "b.alloy"))!)
      .digest("hex");
    assert.equal(result.hash, expected);
    assert.equal(await sourceHash(files), expected);
    assert.deepEqual(runtime.components()!.map((c) => c.localId).sort(), ["testcomponents.tick.a", "testcomponents.tick.b"]);
  });

  it("reports a path that does not exist", async () => {
    const { runtime } = newTestRuntime({ storagePath: join(tmp.path, "data") });
    const result = await runtime.loadPath(join(tmp.path, "missing.alloy"));
    assert.equal(result.ok, false);
    assert.equal(result.error, `stat ${join(tmp.path, "missing.alloy")}: no such file or directory`);
  });

  it("gives module_path as the directory of the loaded file", async () => {
    const dir = join(tmp.path, "mp");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "main.alloy");
    writeFileSync(file, `testcomponents.passthrough "p" {\n  input = module_path\n}\n`);
    const { runtime } = newTestRuntime({ storagePath: join(tmp.path, "data") });
    assert.equal((await runtime.loadPath(file)).ok, true);
    const exports = runtime.component("testcomponents.passthrough.p")!.exports;
    assert.equal((exports as { get(k: string): unknown }).get("output"), dir);
  });
});

describe("runtime: structural errors", () => {
  it("reports a component declared twice across files at both places", async () => {
    const result = await load({ "a.alloy": TICK, "b.alloy": `\n${TICK}` });
    assert.deepEqual(messages(result), ["b.alloy:2:1: block testcomponents.tick.t already declared at a.alloy:1:1"]);
    const d = result.diagnostics[0]!;
    assert.equal(d.endPos.column, "testcomponents.tick.t".length);
  });

  it("reports config blocks and declares declared twice", async () => {
    const result = await load({ "main.alloy": `logging {}\nlogging {}\ndeclare "a" {}\ndeclare "a" {}\n` });
    assert.deepEqual(messages(result), [
      "main.alloy:4:1: block declare.a already declared at main.alloy:3:1",
      "main.alloy:2:1: block logging already declared at main.alloy:1:1",
    ]);
  });

  it("reports unknown components, missing labels and a declare labelled declare", async () => {
    const result = await load({
      "main.alloy": `doesnotexist "x" {}\ntestcomponents.tick "" {\n  frequency = "1s"\n}\ndeclare "declare" {}\n`,
    });
    assert.deepEqual(messages(result), [
      "main.alloy:5:1: 'declare' is not a valid label for a declare block",
      'main.alloy:1:1: cannot find the definition of component name "doesnotexist"',
      'main.alloy:2:1: component "testcomponents.tick" must have a label',
    ]);
    assert.equal(result.diagnostics[1]!.endPos.column, "doesnotexist".length);
  });

  it("reports references to nothing with the whole reference", async () => {
    const result = await load({
      "main.alloy": `${TICK}testcomponents.passthrough "p" {\n  input = testcomponents.tick.nope.tick_time\n}\n`,
    });
    assert.deepEqual(messages(result), [
      'main.alloy:5:11: component "testcomponents.tick.nope.tick_time" does not exist or is out of scope',
    ]);
    assert.equal(result.diagnostics[0]!.endPos.column, 11 + "testcomponents.tick.nope.tick_time".length - 1);
  });

  it("resolves references by the shortest prefix naming a node and accepts standard library names", async () => {
    const result = await load({
      "main.alloy": `${TICK}testcomponents.passthrough "p" {\n  input = string.join([testcomponents.tick.t.tick_time, sys.env("HOME")], "")\n}\n`,
    });
    assert.equal(result.error, undefined);
  });

  it("reports cycles and self references without positions", async () => {
    const result = await load({
      "main.alloy": [
        `testcomponents.passthrough "a" { input = testcomponents.passthrough.b.output }`,
        `testcomponents.passthrough "b" { input = testcomponents.passthrough.c.output }`,
        `testcomponents.passthrough "c" { input = testcomponents.passthrough.a.output }`,
        `testcomponents.passthrough "d" { input = testcomponents.passthrough.d.output }`,
        "",
      ].join("\n"),
    });
    const [cycle, self] = result.diagnostics.map((d) => d.message);
    assert.match(cycle!, /^cycle: /);
    assert.deepEqual(
      cycle!.slice("cycle: ".length).split(", ").sort(),
      ["testcomponents.passthrough.a", "testcomponents.passthrough.b", "testcomponents.passthrough.c"],
    );
    assert.equal(self, "self reference: testcomponents.passthrough.d");
    assert.equal(result.diagnostics[0]!.startPos.line, 0);
  });

  it("reports declares that use each other as a cycle", async () => {
    const result = await load({ "main.alloy": `declare "a" {\n  b "x" {}\n}\ndeclare "b" {\n  a "x" {}\n}\n` });
    assert.equal(result.diagnostics.length, 1);
    assert.match(result.diagnostics[0]!.message, /^cycle: declare\.(a|b), declare\.(a|b)$/);
  });

  it("keeps argument and export blocks to modules, logging and tracing to the root", async () => {
    const result = await load({ "main.alloy": `argument "x" {}\nexport "y" {\n  value = 1\n}\n` });
    assert.deepEqual(messages(result), [
      "main.alloy:1:1: argument blocks only allowed inside a module",
      "main.alloy:2:1: export blocks only allowed inside a module",
    ]);
    const inModule = await load({ "main.alloy": `declare "d" {\n  logging {}\n  tracing {}\n}\nd "x" {}\n` });
    assert.deepEqual(inModule.diagnostics.map((d) => d.message), [
      "logging block not allowed inside a module",
      "tracing block not allowed inside a module",
    ]);
  });
});

describe("runtime: feature gates", () => {
  it("rejects components below the stability level with Alloy's message", async () => {
    const result = await load({ "main.alloy": TICK }, { minStability: "generally-available" });
    assert.deepEqual(messages(result), [
      'main.alloy:1:1: component "testcomponents.tick" is at stability level "public-preview", which is below the minimum allowed stability level "generally-available". Use --stability.level command-line flag to enable "public-preview" features',
    ]);
    assert.equal((await load({ "main.alloy": TICK }, { minStability: "public-preview" })).ok, true);
  });

  it("gates community components behind their flag, whatever the stability level", async () => {
    const config = { "main.alloy": `testcomponents.community "c" {}\n` };
    const off = await load(config);
    assert.deepEqual(messages(off), [
      'main.alloy:1:1: the component "testcomponents.community" is a community component. Use the --feature.community-components.enabled command-line flag to enable community components',
    ]);
    assert.equal((await load(config, { enableCommunityComponents: true, minStability: "generally-available" })).ok, true);
  });

  it("gates the foreach block and experimental standard library functions", async () => {
    const foreach = await load(
      { "main.alloy": `foreach "f" {\n  collection = []\n  var = "x"\n  template {}\n}\n` },
      { minStability: "public-preview" },
    );
    assert.deepEqual(messages(foreach), [
      'main.alloy:1:1: config block "foreach" is at stability level "experimental", which is below the minimum allowed stability level "public-preview". Use --stability.level command-line flag to enable "experimental" features',
    ]);
    const groupBy = `testcomponents.passthrough "p" {\n  input = array.group_by([], "a", false)\n}\n`;
    const gated = await load({ "main.alloy": groupBy }, { minStability: "public-preview" });
    assert.deepEqual(messages(gated), [
      'main.alloy:2:11: array.group_by is at stability level "experimental", which is below the minimum allowed stability level "public-preview". Use --stability.level command-line flag to enable "experimental" features',
    ]);
    assert.equal(gated.diagnostics[0]!.endPos.column, 17);
    const allowed = await load({ "main.alloy": groupBy }, { minStability: "experimental" });
    assert.doesNotMatch(allowed.error ?? "", /stability level/);
  });

  it("prints diagnostics with source excerpts from the loaded files", async () => {
    const result = await load({ "main.alloy": `doesnotexist "x" {}\n` });
    assert.equal(
      formatDiagnostics(result.diagnostics, result.files),
      'Error: main.alloy:1:1: cannot find the definition of component name "doesnotexist"\n\n1 | doesnotexist "x" {}\n  | ^^^^^^^^^^^^\n2 | \n',
    );
  });
});
