// mod.ts is importable from a Bun script and from a Deno script (and from Node).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { repoRoot, spawnCommand } from "../helpers/runtime.ts";

const script = join(repoRoot, "test/fixtures/embed.ts");

function lastJsonLine(stdout: string) {
  const line = stdout.trim().split("\n").pop()!;
  return JSON.parse(line);
}

describe("embedding through mod.ts", () => {
  for (const [runtime, command, args] of [
    ["bun", join(repoRoot, "node_modules/.bin/bun"), [script]],
    ["deno", join(repoRoot, "node_modules/.bin/deno"), ["run", "--allow-read=.", "--allow-env=NO_COLOR,TERM,TEST,CI", script]],
    ["node", "node", ["--import", "tsx", script]],
  ] as const) {
    it(`works from a ${runtime} script`, async () => {
      const result = await spawnCommand(command, [...args]).completion();
      assert.equal(result.code, 0, result.stderr);
      const report = lastJsonLine(result.stdout);
      assert.equal(report.runtime, runtime);
      assert.equal(report.helpExit, 0);
      assert.match(report.version, /^\d+\.\d+\.\d+$/);
      assert.match(report.revision, /^[0-9a-f]{12}$/);
      assert.match(result.stdout, /Available Commands:/);
    });
  }
});
