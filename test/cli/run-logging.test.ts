// The `logging` block switches level and format at reload, in a running `alloy run`.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, spawnRuntime } from "../helpers/runtime.ts";
import { makeTempDir } from "../helpers/tmp.ts";

describe("alloy run: the logging block", () => {
  const dir = makeTempDir();
  after(() => dir.cleanup());

  it("switches level and format at reload", async () => {
    const path = join(dir.path, "config.alloy");
    writeFileSync(path, 'logging {\n  level  = "warn"\n  format = "logfmt"\n}\n');
    const child = spawnRuntime(
      join(repoRoot, "src/cli/entry.ts"),
      ["run", "--server.http.listen-addr=127.0.0.1:0", `--storage.path=${join(dir.path, "data")}`, path],
      { cwd: dir.path },
    );
    try {
      // At warn, the info line announcing the HTTP server is not written; wait for the server through readiness instead.
      await child.waitFor(/msg="Alloy is starting"/);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.doesNotMatch(child.stderr, /now listening for http traffic/);
      // The reload also adds a component, whose start is logged at debug level.
      writeFileSync(path, `logging {\n  level  = "debug"\n  format = "json"\n}\nlocal.file "f" {\n  filename = "${path}"\n}\n`);
      child.kill("SIGHUP");
      await child.waitFor(/"msg":"config reloaded"/);
      await child.waitFor(/"level":"debug"/);
      const jsonLines = child.stderr.split("\n").filter((line) => line.startsWith("{"));
      assert.ok(jsonLines.length > 0);
      for (const line of jsonLines) {
        const entry = JSON.parse(line);
        assert.ok(entry.ts && entry.level && entry.msg, line);
      }
      assert.ok(jsonLines.some((line) => JSON.parse(line).level === "debug"), "debug lines appear after the reload");
    } finally {
      child.kill("SIGTERM");
      await child.completion();
    }
  });
});
