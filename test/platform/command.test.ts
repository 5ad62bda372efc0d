// The runCommand contract, checked under whichever runtime runs this file against that runtime's
// adapter: real programs (sh, git) started from the test.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { platform } from "../../src/platform/mod.ts";
import { makeTempDir } from "../helpers/tmp.ts";

const p = platform();

describe("platform: runCommand", () => {
  const dir = makeTempDir();
  after(() => dir.cleanup());

  it("collects standard output and error and the exit status", async () => {
    const result = await p.runCommand("sh", ["-c", "printf 'out\\n'; printf 'err' >&2; exit 3"]);
    assert.deepEqual(result, { code: 3, stdout: "out\n", stderr: "err" });
  });

  it("passes arguments verbatim, without a shell", async () => {
    const result = await p.runCommand("printf", ["%s|", "a b", "$HOME", "'q'"]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, "a b|$HOME|'q'|");
  });

  it("runs in the given directory with added environment variables", async () => {
    writeFileSync(join(dir.path, "marker.txt"), "here");
    const result = await p.runCommand("sh", ["-c", "cat marker.txt; printf \" $ALLOY_TS_TEST_VAR\""], {
      cwd: dir.path,
      extraEnv: { ALLOY_TS_TEST_VAR: "set" },
    });
    assert.equal(result.stdout, "here set");
  });

  it("replaces the environment when env is given", async () => {
    const result = await p.runCommand("/bin/sh", ["-c", "printf \"[$HOME][$ONLY]\""], { env: { ONLY: "1" } });
    assert.equal(result.stdout, "[][1]");
  });

  it("feeds standard input", async () => {
    const result = await p.runCommand("cat", [], { stdin: "piped input" });
    assert.equal(result.stdout, "piped input");
  });

  it("decodes UTF-8 output split across chunks", async () => {
    const result = await p.runCommand("sh", ["-c", "printf 'h\\303\\251'; sleep 0.05; printf '\\303\\251'"]);
    assert.equal(result.stdout, "héé");
  });

  it("rejects when the program does not exist", async () => {
    await assert.rejects(p.runCommand("alloy-ts-no-such-program", []));
  });

  it("kills the program and rejects on timeout", async () => {
    const start = Date.now();
    await assert.rejects(p.runCommand("sleep", ["10"], { timeoutMs: 100 }), /timed out/);
    assert.ok(Date.now() - start < 5000);
  });

  it("kills the program and rejects when aborted", async () => {
    const controller = new AbortController();
    const run = p.runCommand("sleep", ["10"], { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("stop now")), 50);
    await assert.rejects(run, /stop now/);
    await assert.rejects(p.runCommand("true", [], { signal: controller.signal }), /stop now/);
  });

  it("runs git, which import.git relies on", async () => {
    const result = await p.runCommand("git", ["--version"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^git version \d+/);
  });
});
