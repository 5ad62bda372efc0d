// `alloy fmt` as a real process under the runtime running the test.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ChildRun, repoRoot, runRuntime, runtimeCommand } from "../helpers/runtime.ts";
import { makeTempDir } from "../helpers/tmp.ts";

const entry = join(repoRoot, "src/cli/entry.ts");
const UNFORMATTED = 'logging {\nlevel="debug"\n  format = "json"\n}\n';
const FORMATTED = 'logging {\n\tlevel  = "debug"\n\tformat = "json"\n}\n';

function fmtWithStdin(input: string, ...args: string[]) {
  const [command, ...rest] = runtimeCommand(entry, ["fmt", ...args]);
  const child = spawn(command!, rest, { cwd: repoRoot, stdio: ["pipe", "pipe", "pipe"] });
  child.stdin.end(input);
  return new ChildRun(child).completion();
}

describe("alloy fmt", () => {
  const dir = makeTempDir();
  after(() => dir.cleanup());
  const file = (name: string, content: string) => {
    const path = join(dir.path, name);
    writeFileSync(path, content);
    return path;
  };

  it("prints the formatted file", async () => {
    const result = await runRuntime(entry, ["fmt", file("a.alloy", UNFORMATTED)]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, FORMATTED);
  });

  it("formats standard input, with - or no path", async () => {
    for (const args of [["-"], []]) {
      const result = await fmtWithStdin(UNFORMATTED, ...args);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, FORMATTED);
    }
  });

  it("checks with -t", async () => {
    const bad = await runRuntime(entry, ["fmt", "-t", file("b.alloy", UNFORMATTED)]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Error: file .*b\.alloy is not formatted correctly/);
    assert.equal(bad.stdout, "");
    const good = await runRuntime(entry, ["fmt", "--test", file("c.alloy", FORMATTED)]);
    assert.equal(good.code, 0, good.stderr);
  });

  it("writes back with -w only when something changes", async () => {
    const path = file("d.alloy", UNFORMATTED);
    const result = await runRuntime(entry, ["fmt", "-w", path]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "");
    assert.equal(readFileSync(path, "utf8"), FORMATTED);
    const mtime = statSync(path).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal((await runRuntime(entry, ["fmt", "--write", path])).code, 0);
    assert.equal(statSync(path).mtimeMs, mtime, "a formatted file is not rewritten");
  });

  it("prints every parse error with its position and fails", async () => {
    const path = file("e.alloy", "a = )\nb = ]\n");
    const result = await runRuntime(entry, ["fmt", path]);
    assert.equal(result.code, 1);
    assert.ok(result.stderr.includes(`${path}:1:5: expected expression, got )\n${path}:2:5: expected expression, got ]\n`), result.stderr);
    assert.match(result.stderr, /Error: encountered errors during formatting/);
  });

  it("refuses -w with -t, -w with standard input, and directories", async () => {
    const both = await runRuntime(entry, ["fmt", "-w", "-t", file("f.alloy", FORMATTED)]);
    assert.match(both.stderr, /cannot use -w\/--write and -t\/--test at the same time/);
    const stdin = await fmtWithStdin(FORMATTED, "-w");
    assert.equal(stdin.code, 1);
    assert.match(stdin.stderr, /cannot use -w with standard input/);
    const folder = join(dir.path, "folder");
    mkdirSync(folder);
    const directory = await runRuntime(entry, ["fmt", folder]);
    assert.equal(directory.code, 1);
    assert.match(directory.stderr, /cannot format a directory/);
  });
});
