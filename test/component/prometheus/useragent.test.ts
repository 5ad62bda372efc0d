// The User-Agent of scrapes and remote writes carries the build version the runtime was given, in
// Alloy's format `Alloy/<version> (<os>; <deploy mode>)`: a loopback target and a loopback
// remote-write receiver record the header they get.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { builtinRegistry } from "../../../src/component/registry.ts";
import { platform as currentPlatform, type Platform } from "../../../src/platform/mod.ts";
import { createRuntime } from "../../../src/runtime/index.ts";
import { LogController } from "../../../src/runtime/logging/logger.ts";
import { deployMode, userAgent } from "../../../src/runtime/useragent.ts";
import { makeTempDir } from "../../helpers/tmp.ts";
import { eventually, startServer } from "./helpers.ts";

const dir = makeTempDir("alloy-ts-useragent-");
after(() => dir.cleanup());

/** The running platform with ALLOY_DEPLOY_MODE (and the executable path) replaced. */
function withEnv(mode: string | undefined, execPath?: string, os?: string): Platform {
  const base = currentPlatform();
  return Object.assign(Object.create(base) as Platform, {
    getEnv: (name: string) => (name === "ALLOY_DEPLOY_MODE" ? mode : base.getEnv(name)),
    execPath: () => execPath ?? base.execPath(),
    runtime: { ...base.runtime, os: os ?? base.runtime.os },
  });
}

describe("User-Agent", () => {
  it("is Alloy/<v-version> (<os>; <deploy mode>) as Alloy's useragent package builds it", () => {
    const os = currentPlatform().runtime.os;
    assert.equal(userAgent(withEnv(undefined), "1.2.3"), `Alloy/v1.2.3 (${os}; binary)`);
    assert.equal(userAgent(withEnv("docker"), "v1.9"), `Alloy/v1.9.0 (${os}; docker)`);
    assert.equal(userAgent(withEnv("helm"), undefined), `Alloy/v0.0.0 (${os}; helm)`, "unset version is v0.0.0");
    assert.equal(userAgent(withEnv("kubernetes"), "devel"), `Alloy/devel (${os}; binary)`, "unknown modes and non-semver versions");
    assert.equal(deployMode(withEnv(undefined, "/opt/homebrew/bin/alloy", "darwin")), "brew");
    assert.equal(deployMode(withEnv(undefined, "/opt/homebrew/bin/alloy", "linux")), "binary");
  });

  it("is sent by prometheus.scrape and prometheus.remote_write with the runtime's version", async () => {
    const target = await startServer((_req, _body, res) => {
      res.setHeader("Content-Type", "text/plain; version=0.0.4");
      res.end("a 1\n");
    });
    const receiver = await startServer((_req, _body, res) => {
      res.statusCode = 204;
      res.end();
    });
    const runtime = createRuntime({
      registry: builtinRegistry(),
      logs: new LogController({ write: () => {} }, { level: "error", format: "logfmt" }),
      storagePath: `${dir.path}/data`,
      version: "4.5.6",
    });
    try {
      const loaded = await runtime.load({
        "c.alloy": `
prometheus.scrape "t" {
  targets         = [{"__address__" = "${target.host}"}]
  forward_to      = [prometheus.remote_write.r.receiver]
  scrape_interval = "200ms"
  scrape_timeout  = "150ms"
}
prometheus.remote_write "r" {
  endpoint {
    url = "${receiver.url}/api/v1/write"
    queue_config { batch_send_deadline = "100ms" }
  }
}
`,
      });
      assert.ok(loaded.ok, loaded.error);
      runtime.start();
      await eventually(() => assert.ok(receiver.requests.length > 0 && target.requests.length > 0));
      const expected = userAgent(currentPlatform(), "4.5.6");
      assert.match(expected, /^Alloy\/v4\.5\.6 \([a-z0-9]+; [a-z]+\)$/);
      assert.equal(target.requests[0]!.headers["user-agent"], expected);
      assert.equal(receiver.requests[0]!.headers["user-agent"], expected);
    } finally {
      await runtime.stop();
      await target.close();
      await receiver.close();
    }
  });
});
