// /debug/pprof on the runtime running the test: a real CPU profile in pprof's format (read back by
// `go tool pprof` when Go is installed, as CI installs it) and a V8 heap snapshot.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { platform } from "../../src/platform/mod.ts";
import { pprofRoutes } from "../../src/service/http/pprof.ts";
import { currentRuntime } from "../helpers/runtime.ts";
import { makeTempDir } from "../helpers/tmp.ts";

function hasGo(): boolean {
  try {
    execFileSync("go", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

// Keeps the CPU busy in a function whose name the profile must show.
function spinForProfile(ms: number) {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) for (let i = 0; i < 1e5; i++) x += Math.sqrt(i);
  return x;
}

describe("/debug/pprof", () => {
  const app = pprofRoutes(platform());

  it("lists the profiles on its index page", async () => {
    const response = await app.request("/debug/pprof/");
    assert.equal(response.status, 200);
    const body = await response.text();
    assert.match(body, /profile\?seconds=30/);
    assert.match(body, new RegExp(`running on ${currentRuntime()}`));
  });

  it("serves a CPU profile in pprof's gzipped protobuf format", async () => {
    const pending = app.request("/debug/pprof/profile?seconds=1");
    await new Promise((resolve) => setTimeout(resolve, 20));
    spinForProfile(600);
    const response = await pending;
    assert.equal(response.status, 200);
    const gz = new Uint8Array(await response.arrayBuffer());
    assert.deepEqual([gz[0], gz[1]], [0x1f, 0x8b], "gzip magic");
    const proto = gunzipSync(gz);
    assert.ok(proto.includes(Buffer.from("nanoseconds")), "sample types are named");
    if (hasGo()) {
      const dir = makeTempDir();
      try {
        const file = join(dir.path, "profile.pb.gz");
        writeFileSync(file, gz);
        const top = execFileSync("go", ["tool", "pprof", "-top", "-nodecount=200", file], { encoding: "utf8", env: { ...process.env, HOME: dir.path } });
        assert.match(top, /Type: cpu/);
        assert.match(top, /spinForProfile/);
      } finally {
        dir.cleanup();
      }
    }
  });

  it("serves V8's JSON profile on request, and refuses a second profile at the same time", async () => {
    const first = app.request("/debug/pprof/profile?seconds=1&format=cpuprofile");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await app.request("/debug/pprof/profile?seconds=1");
    assert.equal(second.status, 409);
    const profile = await (await first).json();
    assert.ok(Array.isArray(profile.nodes) && profile.nodes.length > 0);
    assert.ok(profile.endTime > profile.startTime);
  });

  it("serves a heap snapshot", async () => {
    const response = await app.request("/debug/pprof/heap");
    assert.equal(response.status, 200);
    const text = await response.text();
    const snapshot = JSON.parse(text);
    assert.ok(snapshot.snapshot?.meta?.node_fields, "V8 heap snapshot structure");
    assert.ok(text.length > 100_000);
  });

  it("answers 404 for profiles this runtime has no equivalent of", async () => {
    const response = await app.request("/debug/pprof/mutex");
    assert.equal(response.status, 404);
    assert.match(await response.text(), new RegExp(`not available on ${currentRuntime()}`));
  });
});
