// scripts/build.ts makes a standalone executable that runs without any runtime installed.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { arch } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { repoRoot, spawnCommand } from "../helpers/runtime.ts";
import { makeTempDir } from "../helpers/tmp.ts";

describe("scripts/build.ts", () => {
  const out = makeTempDir("alloy-ts-build-");
  after(() => out.cleanup());

  it("builds the host executable, which prints version, revision and bun", async () => {
    const build = await spawnCommand("node", ["--import", "tsx", "scripts/build.ts", "--host", `--out=${out.path}`]).completion(300_000);
    assert.equal(build.code, 0, build.stderr + build.stdout);
    const name = `alloy-linux-${arch()}`;
    const binary = join(out.path, name);
    assert.ok(existsSync(binary));
    const sums = readFileSync(join(out.path, "SHA256SUMS"), "utf8");
    const digest = createHash("sha256").update(readFileSync(binary)).digest("hex");
    assert.equal(sums, `${digest}  ${name}\n`);

    const result = await spawnCommand(binary, ["--version"], { cwd: out.path }).completion();
    assert.equal(result.code, 0, result.stderr);
    const revision = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: repoRoot, encoding: "utf8" }).trim();
    assert.match(result.stdout, new RegExp(`revision: ${revision}\\)`));
    assert.match(result.stdout, /runtime:\s+bun \d+\.\d+\.\d+/);
    assert.match(result.stdout, /build date:\s+\d{4}-\d\d-\d\dT/);
    const help = await spawnCommand(binary, ["run", "--help"], { cwd: out.path }).completion();
    assert.match(help.stdout, /--server\.http\.listen-addr/);
  });
});
