// Alloy's stability gates on experimental arguments of generally-available prometheus components:
// below --stability.level=experimental they are refused with Alloy's messages; at experimental they
// pass the gate (and either work or meet alloy-ts's own "not supported yet" refusal).
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { builtinRegistry } from "../../../src/component/registry.ts";
import { createRuntime, type Runtime } from "../../../src/runtime/index.ts";
import type { Stability } from "../../../src/runtime/featuregate.ts";
import { LogController } from "../../../src/runtime/logging/logger.ts";
import { makeTempDir } from "../../helpers/tmp.ts";

const dir = makeTempDir("alloy-ts-gates-");
after(() => dir.cleanup());
let n = 0;

function runtimeAt(level: Stability, lines?: string[]): Runtime {
  return createRuntime({
    registry: builtinRegistry(),
    logs: new LogController({ write: (line) => lines?.push(line) }, { level: "warn", format: "logfmt" }),
    storagePath: `${dir.path}/${n++}`,
    minStability: level,
  });
}

/** The error of loading `config` at `level`, or "" when it loads. */
async function loadError(level: Stability, config: string): Promise<string> {
  const runtime = runtimeAt(level);
  try {
    const result = await runtime.load({ "c.alloy": config });
    // Built components release what they hold (timers, files) when they have run and stop.
    if (result.ok) runtime.start();
    return result.ok ? "" : (result.error ?? "failed without a message");
  } finally {
    await runtime.stop();
  }
}

const scrape = (extra: string) => `
prometheus.scrape "s" {
  targets    = []
  forward_to = []
  ${extra}
}`;

const remoteWrite = (message: string) => `
prometheus.remote_write "r" {
  endpoint {
    name             = "primary"
    url              = "http://127.0.0.1:1/api/v1/write"
    protobuf_message = "${message}"
  }
}`;

describe("stability gates of experimental arguments", () => {
  for (const argument of ["honor_metadata", "enable_type_and_unit_labels", "start_timestamp_zero_ingestion"]) {
    it(`prometheus.scrape ${argument} needs --stability.level=experimental`, async () => {
      const gated = await loadError("generally-available", scrape(`${argument} = true`));
      assert.match(gated, new RegExp(`${argument} is an experimental feature, and must be enabled by setting the stability.level flag to experimental`));
      assert.match(await loadError("public-preview", scrape(`${argument} = true`)), /is an experimental feature/);
      const allowed = await loadError("experimental", scrape(`${argument} = true`));
      assert.doesNotMatch(allowed, /experimental feature/);
      // honor_metadata is implemented; the other two pass the gate and meet alloy-ts's own refusal.
      if (argument === "honor_metadata") assert.equal(allowed, "");
      else assert.match(allowed, new RegExp(`${argument} is not supported by alloy-ts yet`));
      assert.equal(await loadError("generally-available", scrape(`${argument} = false`)), "", "false is not gated");
    });
  }

  it("prometheus.scrape keeps honor_metadata as built when a reload changes it, as Alloy does", async () => {
    const lines: string[] = [];
    const runtime = runtimeAt("generally-available", lines);
    try {
      assert.ok((await runtime.load({ "c.alloy": scrape("") })).ok);
      runtime.start();
      const reloaded = await runtime.load({ "c.alloy": scrape("honor_metadata = true") });
      assert.ok(reloaded.ok, reloaded.error);
      assert.ok(lines.some((l) => l.includes("honor_metadata cannot be changed at runtime")), lines.join("\n"));
    } finally {
      await runtime.stop();
    }
  });

  it("prometheus.remote_write protobuf_message v2 needs --stability.level=experimental, at build and at reload", async () => {
    const v2 = "io.prometheus.write.v2.Request";
    assert.match(
      await loadError("generally-available", remoteWrite(v2)),
      /using remote write v2 \(protobuf_message=io\.prometheus\.write\.v2\.Request\) with endpoint primary requires setting the stability\.level flag to experimental/,
    );
    const allowed = await loadError("experimental", remoteWrite(v2));
    assert.doesNotMatch(allowed, /stability\.level/);
    assert.match(allowed, /not supported by alloy-ts yet/);
    assert.equal(await loadError("generally-available", remoteWrite("prometheus.WriteRequest")), "");

    const runtime = runtimeAt("generally-available");
    try {
      assert.ok((await runtime.load({ "c.alloy": remoteWrite("prometheus.WriteRequest") })).ok);
      runtime.start();
      const reloaded = await runtime.load({ "c.alloy": remoteWrite(v2) });
      assert.equal(reloaded.ok, false);
      assert.match(reloaded.error ?? "", /requires setting the stability\.level flag to experimental/);
    } finally {
      await runtime.stop();
    }
  });
});
