// `alloy run` end to end: the real CLI as a child process under the runtime running the test, talked
// to over its HTTP port and with signals.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, runRuntime, spawnRuntime, type ChildRun } from "../helpers/runtime.ts";
import { makeTempDir } from "../helpers/tmp.ts";

const entry = join(repoRoot, "src/cli/entry.ts");

/** Starts `alloy run` on a free port; resolves with the child and its base URL once it listens. */
async function startAgent(dir: string, path: string, ...flags: string[]): Promise<{ child: ChildRun; base: string }> {
  const child = spawnRuntime(entry, ["run", "--server.http.listen-addr=127.0.0.1:0", `--storage.path=${join(dir, "data")}`, ...flags, path], { cwd: dir });
  const output = await child.waitFor(/msg="now listening for http traffic".*addr=127\.0\.0\.1:\d+/);
  const port = /addr=127\.0\.0\.1:(\d+)/.exec(output)![1];
  return { child, base: `http://127.0.0.1:${port}` };
}

async function componentsHealth(base: string): Promise<string> {
  return (await fetch(`${base}/-/healthy`)).text();
}

async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The local_file metric series present, by component id: which components are running. */
async function localFiles(base: string): Promise<string[]> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return [...text.matchAll(/^local_file_timestamp_last_accessed_unix_seconds\{component_id="([^"]+)"/gm)].map((m) => m[1]!).sort();
}

describe("alloy run", () => {
  const dir = makeTempDir();
  after(() => dir.cleanup());
  const file = (name: string, content: string) => {
    const path = join(dir.path, name);
    writeFileSync(path, content);
    return path;
  };

  it("fails at once on a path that does not exist", async () => {
    const result = await runRuntime(entry, ["run", "--storage.path", join(dir.path, "data"), "missing.alloy"], { cwd: dir.path });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^Error: reading config path "missing\.alloy": stat missing\.alloy: no such file or directory$/m);
  });

  it("prints the diagnostics of a bad configuration with its source, and exits 1", async () => {
    const path = file("bad.alloy", 'local.file "a" {\n  filename = "x"\n}\n\nnot.a.component "b" {\n}\n');
    const result = await runRuntime(entry, ["run", "--storage.path", join(dir.path, "data"), path], { cwd: dir.path });
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:5:1: cannot find the definition of component name "not\\.a\\.component"`));
    assert.match(result.stderr, /^5 \| not\.a\.component "b" \{\n  \| \^{15}$/m, "the source line is shown with a caret");
    assert.match(result.stderr, /^Error: could not perform the initial load successfully$/m);
    const syntax = await runRuntime(entry, ["run", "--storage.path", join(dir.path, "data"), file("syntax.alloy", "a = \n")], { cwd: dir.path });
    assert.equal(syntax.code, 1);
    assert.match(syntax.stderr, /syntax\.alloy:2:1: expected expression, got EOF/);
  });

  it("loads a directory of files as one configuration, and reloads on SIGHUP after edits", async () => {
    const configDir = join(dir.path, "conf.d");
    mkdirSync(configDir);
    const data = file("data.txt", "payload");
    writeFileSync(join(configDir, "a.alloy"), `local.file "a" {\n  filename = "${data}"\n}\n`);
    writeFileSync(join(configDir, "b.alloy"), `local.file "b" {\n  filename = "${data}"\n}\n`);
    writeFileSync(join(configDir, "c.alloy"), `local.file "c" {\n  filename = "${data}"\n  is_secret = local.file.a.content != ""\n}\n`);
    writeFileSync(join(configDir, "ignored.txt"), "not a config");
    const { child, base } = await startAgent(dir.path, configDir);
    try {
      assert.equal(await (await fetch(`${base}/-/ready`)).text(), "Alloy is ready.\n");
      assert.deepEqual(await localFiles(base), ["local.file.a", "local.file.b", "local.file.c"]);

      // Remove b, change c, add d; then SIGHUP.
      writeFileSync(join(configDir, "b.alloy"), "");
      writeFileSync(join(configDir, "c.alloy"), `local.file "c" {\n  filename = "${data}"\n  poll_frequency = "30s"\n}\n`);
      writeFileSync(join(configDir, "d.alloy"), `local.file "d" {\n  filename = "${data}"\n}\n`);
      child.kill("SIGHUP");
      await child.waitFor(/msg="config reloaded"/);
      assert.deepEqual(await localFiles(base), ["local.file.a", "local.file.c", "local.file.d"]);
      assert.equal(await componentsHealth(base), "All Alloy components are healthy.\n");
    } finally {
      child.kill("SIGTERM");
      await child.completion();
    }
  });

  it("keeps the last good state when a reload fails, and says why on /-/reload", async () => {
    const data = file("keep.txt", "x");
    const path = file("keep.alloy", `local.file "a" {\n  filename = "${data}"\n}\n`);
    const { child, base } = await startAgent(dir.path, path);
    try {
      // A structural error: the running graph stays as it was.
      writeFileSync(path, `local.file "a" {\n  filename = "${data}"\n}\nlocal.file "a" {\n  filename = "${data}"\n}\n`);
      const structural = await fetch(`${base}/-/reload`, { method: "POST" });
      assert.equal(structural.status, 400);
      assert.match(await structural.text(), /block local\.file\.a already declared at .*keep\.alloy:1:1/);
      assert.deepEqual(await localFiles(base), ["local.file.a"]);

      // An evaluation error: the new graph is installed, the failing component keeps its last
      // good state and turns unhealthy; /-/healthy says so.
      writeFileSync(path, `local.file "a" {\n  filename = "${join(dir.path, "gone.txt")}"\n}\n`);
      const evaluation = await fetch(`${base}/-/reload`);
      assert.equal(evaluation.status, 400);
      assert.match(await evaluation.text(), /no such file or directory/);
      assert.equal(await componentsHealth(base), "unhealthy components: local.file\n");
      assert.deepEqual(await localFiles(base), ["local.file.a"], "the component keeps running");

      // Fixed again.
      writeFileSync(path, `local.file "a" {\n  filename = "${data}"\n}\n`);
      const fixed = await fetch(`${base}/-/reload`, { method: "POST" });
      assert.deepEqual([fixed.status, await fixed.text()], [200, "config reloaded\n"]);
      await eventually(() => componentsHealth(base), (text) => text === "All Alloy components are healthy.\n");
    } finally {
      child.kill("SIGTERM");
      await child.completion();
    }
  });

  it("stops cleanly on SIGTERM within the shutdown deadline, and at once on a second signal", async () => {
    const data = file("term.txt", "x");
    const path = file("term.alloy", `local.file "a" {\n  filename = "${data}"\n}\n`);
    const { child } = await startAgent(dir.path, path, "--feature.component-shutdown-deadline=5s");
    const started = Date.now();
    child.kill("SIGTERM");
    const result = await child.completion(15_000);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(Date.now() - started < 5000);
    assert.match(result.stderr, /msg="Alloy has stopped"/);

    const second = await startAgent(dir.path, path);
    second.child.kill("SIGINT");
    second.child.kill("SIGINT");
    const killed = await second.child.completion(15_000);
    // Either the graceful stop finished first (0), or the second signal ended the process: through our
    // handler (130) or, once the handlers are gone, by the signal's default action.
    assert.ok(killed.code === 0 || killed.code === 130 || killed.signal === "SIGINT", `exit ${killed.code} ${killed.signal}`);
  });

  it("serves the in-memory address to itself and the support bundle", async () => {
    const data = file("bundle.txt", "x");
    const path = file("bundle.alloy", `local.file "a" {\n  filename = "${data}"\n  is_secret = true\n}\n`);
    const { child, base } = await startAgent(dir.path, path);
    try {
      const response = await fetch(`${base}/-/support?duration=1`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), "application/zip");
      const bytes = new Uint8Array(await response.arrayBuffer());
      assert.deepEqual([bytes[0], bytes[1]], [0x50, 0x4b], "zip magic");
    } finally {
      child.kill("SIGTERM");
      await child.completion();
    }
    const disabled = await startAgent(dir.path, path, "--server.http.disable-support-bundle");
    try {
      assert.equal((await fetch(`${disabled.base}/-/support`)).status, 403);
    } finally {
      disabled.child.kill("SIGTERM");
      await disabled.child.completion();
    }
  });
});

describe("alloy run: the UI and its API", () => {
  const dir = makeTempDir();
  after(() => dir.cleanup());

  it("serves the web UI under a prefix, and the components API with secrets as (secret)", async () => {
    const data = join(dir.path, "token.txt");
    writeFileSync(data, "s3cr3t-token");
    const path = join(dir.path, "ui.alloy");
    writeFileSync(path, `local.file "token" {\n  filename = "${data}"\n  is_secret = true\n}\n`);
    const { child, base } = await startAgent(dir.path, path, "--server.http.ui-path-prefix=/alloy");
    try {
      const redirect = await fetch(`${base}/alloy`, { redirect: "manual" });
      assert.equal(redirect.status, 302);
      const index = await fetch(`${base}/alloy/`);
      assert.match(await index.text(), /<base href="\/alloy\/"/);
      const list = await (await fetch(`${base}/alloy/api/v0/web/components`)).json();
      assert.deepEqual(list.map((c: { localID: string }) => c.localID), ["local.file.token"]);
      const detailText = await (await fetch(`${base}/alloy/api/v0/web/components/local.file.token`)).text();
      const detail = JSON.parse(detailText);
      assert.equal(detail.health.state, "healthy");
      assert.deepEqual(detail.exports, [{ name: "content", type: "attr", value: { type: "capsule", value: "(secret)" } }]);
      assert.ok(!detailText.includes("s3cr3t-token"), "the secret never leaves the agent");
      assert.equal((await fetch(`${base}/alloy/api/v0/web/components/nope`)).status, 404);
    } finally {
      child.kill("SIGTERM");
      await child.completion();
    }
  });
});
