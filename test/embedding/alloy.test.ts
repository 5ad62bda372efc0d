// mod.ts's Alloy class from user scripts under Bun, Deno and Node: a component of the script's own
// next to built-in ones, reload with new text, a failed reload, in-process HTTP, stop.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, spawnCommand } from "../helpers/runtime.ts";
import { makeTempDir } from "../helpers/tmp.ts";

const script = join(repoRoot, "test/fixtures/embed-alloy.ts");

describe("embedding: the Alloy class", () => {
  const dir = makeTempDir();
  after(() => dir.cleanup());
  const greeting = join(dir.path, "greeting.txt");
  writeFileSync(greeting, "hello");

  for (const [runtime, command, args] of [
    ["bun", join(repoRoot, "node_modules/.bin/bun"), [script, greeting]],
    ["deno", join(repoRoot, "node_modules/.bin/deno"), ["run", "-A", script, greeting]],
    ["node", "node", ["--import", "tsx", script, greeting]],
  ] as const) {
    it(`runs a configuration with the script's own component under ${runtime}`, async () => {
      const result = await spawnCommand(command, [...args]).completion();
      assert.equal(result.code, 0, result.stderr);
      const report = JSON.parse(result.stdout.trim().split("\n").pop()!);
      assert.deepEqual(report.first, { output: "HELLO" });
      assert.equal(report.health, "healthy");
      assert.deepEqual(report.reload, { ok: true });
      assert.deepEqual(report.second, { output: "CHANGED" });
      assert.deepEqual(report.components, ["example.upper.shout"]);
      assert.equal(report.badReload, false);
      assert.equal(report.metrics, true);
      assert.equal(report.evaluate, "alloy-42");
      assert.equal(report.format, "a = 1\n");
    });
  }
});
