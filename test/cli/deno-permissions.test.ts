// Deno with least privilege: the `alloy` task of deno.json lists what the agent may touch, and the
// CLI works under exactly those flags (no -A, no prompt).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, spawnCommand } from "../helpers/runtime.ts";

const task: string = JSON.parse(readFileSync(join(repoRoot, "deno.json"), "utf8")).tasks.alloy;
const words = task.split(/\s+/);

describe("deno task alloy", () => {
  it("names explicit permission lists and never grants everything", () => {
    assert.equal(words[0], "deno");
    assert.equal(words[1], "run");
    for (const kind of ["net", "read", "write", "env", "sys"]) {
      const flag = words.find((w) => w.startsWith(`--allow-${kind}`));
      assert.ok(flag, `--allow-${kind} is given`);
      assert.match(flag, new RegExp(`^--allow-${kind}=.+`), `--allow-${kind} has a list`);
    }
    assert.ok(!words.some((w) => w === "-A" || w === "--allow-all" || w.startsWith("--allow-run") || w.startsWith("--allow-ffi")));
  });

  it("runs the CLI under exactly those flags", async () => {
    const deno = join(repoRoot, "node_modules/.bin/deno");
    const run = (...args: string[]) => spawnCommand(deno, [words[1]!, "--no-prompt", ...words.slice(2), ...args], { cwd: repoRoot }).completion();
    const version = await run("--version");
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /runtime:\s+deno /);
    const help = await run("run", "--help");
    assert.equal(help.code, 0, help.stderr);
    const pending = await run("run", "config.alloy");
    assert.equal(pending.code, 1);
    assert.doesNotMatch(pending.stderr, /NotCapable|PermissionDenied|Requires .* access/);
    assert.match(pending.stderr, /not implemented yet/);
  });
});
