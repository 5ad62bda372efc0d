// `alloy run` with a remotecfg block, end to end: the real CLI as a child process under the runtime
// running the test, a Connect server on 127.0.0.1, and real polls (poll_frequency = "10s", Alloy's
// minimum). The agent registers, runs the served configuration (listed by the UI API under
// remotecfg/), follows a change on the next poll, keeps it when the server sends a broken one, and,
// restarted while the server is down, starts from its cache.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, spawnRuntime, type ChildRun } from "../helpers/runtime.ts";
import { makeTempDir } from "../helpers/tmp.ts";
import { CollectorServer, eventually } from "./remotecfg-server.ts";
import { RemoteConfigStatuses } from "../../src/service/remotecfg/proto.ts";

const entry = join(repoRoot, "src/cli/entry.ts");
const POLL_WAIT_MS = 25_000;

interface Listed {
  localID: string;
  moduleID: string;
  health: { state: string };
}

describe("alloy run: remotecfg against a Connect server", () => {
  const dir = makeTempDir();
  const server = new CollectorServer();
  const configPath = join(dir.path, "config.alloy");
  const fileA = join(dir.path, "a.txt");
  const fileB = join(dir.path, "b.txt");
  const configA = `local.file "a" {\n  filename = ${JSON.stringify(fileA)}\n}\n`;
  const configB = `local.file "b" {\n  filename = ${JSON.stringify(fileB)}\n}\n`;
  let child: ChildRun | undefined;
  let base = "";

  const start = async () => {
    child = spawnRuntime(entry, ["run", "--server.http.listen-addr=127.0.0.1:0", `--storage.path=${join(dir.path, "data")}`, configPath], { cwd: dir.path });
    const output = await child.waitFor(/msg="now listening for http traffic".*addr=127\.0\.0\.1:\d+/);
    base = `http://127.0.0.1:${/addr=127\.0\.0\.1:(\d+)/.exec(output)![1]!}`;
  };
  const stop = async () => {
    child?.kill("SIGTERM");
    const done = await child?.completion();
    child = undefined;
    return done;
  };
  const components = async (): Promise<Listed[]> => {
    const response = await fetch(`${base}/api/v0/web/remotecfg/components`);
    const text = await response.text();
    assert.equal(response.status, 200, text);
    return JSON.parse(text) as Listed[];
  };
  const running = (id: string, timeoutMs = POLL_WAIT_MS) =>
    eventually(async () => {
      const list = await components();
      assert.deepEqual(list.map((c) => [c.localID, c.moduleID, c.health.state]), [[id, "remotecfg", "healthy"]]);
    }, timeoutMs, 200);

  before(async () => {
    writeFileSync(fileA, "a");
    writeFileSync(fileB, "b");
    server.content = configA;
    await server.start();
    writeFileSync(
      configPath,
      `remotecfg {\n  url            = "${server.url}"\n  id             = "cli-agent"\n  attributes     = {"env" = "e2e"}\n  poll_frequency = "10s"\n}\n`,
    );
    await start();
  });

  after(async () => {
    await stop();
    await server.stop();
    dir.cleanup();
  });

  it("registers and runs the served configuration", async () => {
    await running("local.file.a", 15_000);
    const registration = server.registers[0]!;
    assert.equal(registration.id, "cli-agent");
    assert.equal(registration.local_attributes.env, "e2e");
    assert.match(registration.local_attributes["collector.version"]!, /^v\d/);
    const detail = await fetch(`${base}/api/v0/web/remotecfg/components/local.file.a`);
    assert.equal(detail.status, 200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /^remotecfg_last_load_successful 1$/m);
    assert.match(metrics, /^local_file_timestamp_last_accessed_unix_seconds\{component_id="local\.file\.a",component_path="\/remotecfg"\} /m);
  });

  it("follows a changed configuration on the next poll", async () => {
    server.content = configB;
    await running("local.file.b");
  });

  it("keeps the last good configuration when the server sends a broken one", async () => {
    server.content = "local.file {";
    await eventually(() => assert.equal(server.statuses().at(-1)?.status, RemoteConfigStatuses.FAILED), POLL_WAIT_MS, 200);
    await running("local.file.b", 2000);
  });

  it("starts from the cache when the server is down at start-up", async () => {
    const first = await stop();
    assert.equal(first?.code, 0, first?.stderr);
    assert.deepEqual(server.unregisters, ["cli-agent"], "unregistered at shutdown");
    await server.stop();
    assert.equal(readdirSync(join(dir.path, "data", "remotecfg")).length, 1, "one cache file");

    await start();
    await running("local.file.b", 15_000);
    assert.match(child!.output, /msg="failed to register collector with remote server"/);
    assert.match(child!.output, /msg="successfully loaded configuration from cache"/);
  });
});
