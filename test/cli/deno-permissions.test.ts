// Deno with least privilege: the `alloy` task of deno.json lists what the agent may touch, and the
// CLI works under exactly those flags (no -A, no prompt; the only program it may run is git).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { platform } from "../../src/platform/mod.ts";
import { repoRoot, spawnCommand } from "../helpers/runtime.ts";
import { makeTestCertificates } from "../helpers/tls.ts";

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
    // import.git runs the git program, and nothing else may be run.
    assert.deepEqual(
      words.filter((w) => w.startsWith("--allow-run")),
      ["--allow-run=git"],
    );
    assert.ok(!words.some((w) => w === "-A" || w === "--allow-all" || w.startsWith("--allow-ffi")));
  });

  it("runs the CLI and the agent under exactly those flags", async () => {
    const deno = join(repoRoot, "node_modules/.bin/deno");
    const flags = [words[1]!, "--no-prompt", ...words.slice(2)];
    const run = (...args: string[]) => spawnCommand(deno, [...flags, ...args], { cwd: repoRoot });
    const version = await run("--version").completion();
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /runtime:\s+deno /);

    // The agent: reads its configuration, writes its storage, listens on loopback, answers, stops.
    const agent = run("run", "--server.http.listen-addr=127.0.0.1:0", "test/fixtures/configs/local-file.alloy");
    const output = await agent.waitFor(/msg="now listening for http traffic".*addr=127\.0\.0\.1:\d+/);
    const port = /addr=127\.0\.0\.1:(\d+)/.exec(output)![1];
    assert.equal(await (await fetch(`http://127.0.0.1:${port}/-/healthy`)).text(), "All Alloy components are healthy.\n");
    agent.kill("SIGTERM");
    const result = await agent.completion();
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /NotCapable|PermissionDenied|Requires .* access/);
  });

  it("scrapes over TLS with a private CA under those flags (the HTTP client reads only allowed variables)", async () => {
    const certs = makeTestCertificates();
    const target = await platform().serve({
      hostname: "127.0.0.1",
      port: 0,
      tls: { cert: certs.cert, key: certs.key },
      fetch: () => new Response("tls_check 1\n", { headers: { "content-type": "text/plain; version=0.0.4" } }),
    });
    // Inside the working directory: --allow-read=. and --allow-write=./data-alloy.
    const dir = join(repoRoot, "data-alloy", `deno-permissions-tls-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const config = join(dir, "config.alloy");
    writeFileSync(
      config,
      `prometheus.scrape "t" {\n  targets = [{"__address__" = "127.0.0.1:${target.port}"}]\n  scheme = "https"\n  scrape_interval = "1s"\n` +
        `  scrape_timeout = "1s"\n  tls_config {\n    ca_pem = ${JSON.stringify(certs.ca)}\n  }\n  forward_to = []\n}\n`,
    );
    const deno = join(repoRoot, "node_modules/.bin/deno");
    const agent = spawnCommand(deno, [words[1]!, "--no-prompt", ...words.slice(2), "run", "--server.http.listen-addr=127.0.0.1:0", `--storage.path=${join(dir, "data")}`, config], {
      cwd: repoRoot,
    });
    try {
      const output = await agent.waitFor(/msg="now listening for http traffic".*addr=127\.0\.0\.1:\d+/);
      const port = /addr=127\.0\.0\.1:(\d+)/.exec(output)![1];
      let status = "";
      for (let i = 0; i < 100 && !status.includes('"up"'); i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = await (await fetch(`http://127.0.0.1:${port}/api/v0/web/components/prometheus.scrape.t`)).text();
      }
      assert.match(status, /"health","value":\{"type":"string","value":"up"\}/, status);
    } finally {
      agent.kill("SIGTERM");
      await agent.completion();
      await target.close(0);
      rmSync(dir, { recursive: true, force: true });
    }
    assert.doesNotMatch(agent.output, /NotCapable|PermissionDenied|Requires .* access/);
  });
});
