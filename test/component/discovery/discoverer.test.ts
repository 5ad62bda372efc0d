// The runner every discovery component shares: groups merged into targets (a target's own labels
// win), a group with no targets removes its source, new arguments start a new discoverer that forgets
// the old groups, exports at once and then at most once per interval, and an export of the (empty)
// targets when a new discoverer stays silent for the interval.
import { after, afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { defineDiscovery, discoveryUpdates, mergeGroups, type SendGroups } from "../../../src/component/discovery/discoverer.ts";
import { createRuntime, Registry, type Runtime } from "../../../src/runtime/index.ts";
import { LogController } from "../../../src/runtime/logging/logger.ts";
import { untilAborted } from "../../../src/runtime/signal.ts";
import { attr, struct, t } from "../../../src/syntax/schema/index.ts";
import { makeTempDir } from "../../helpers/tmp.ts";
import { delay, eventually, targetsOf } from "./helpers.ts";

const dir = makeTempDir("alloy-ts-discoverer-");
after(() => dir.cleanup());
const defaultInterval = discoveryUpdates.minIntervalMs;
afterEach(() => (discoveryUpdates.minIntervalMs = defaultInterval));

/** The send function of each running test discoverer, by its `key` argument. */
const senders = new Map<string, SendGroups>();

const testingDiscovery = defineDiscovery({
  name: "testing.discovery",
  args: struct({ key: attr(t.string()) }),
  setup: () => ({
    create: (args) => ({
      async run(signal, send) {
        senders.set(args.key, send);
        await untilAborted(signal);
        senders.delete(args.key);
      },
    }),
  }),
});

function runtimeWith(key: string): { runtime: Runtime; load(key: string): Promise<void> } {
  const runtime = createRuntime({
    registry: new Registry([testingDiscovery]),
    logs: new LogController({ write: () => {} }),
    storagePath: `${dir.path}/${key}`,
  });
  return {
    runtime,
    async load(k: string) {
      const loaded = await runtime.load({ "c.alloy": `testing.discovery "t" {\n  key = "${k}"\n}\n` });
      assert.ok(loaded.ok, loaded.error);
    },
  };
}

const addresses = (runtime: Runtime) => targetsOf(runtime, "testing.discovery.t").map((t) => t.__address__);

describe("discovery runner", () => {
  it("merges group labels into targets, the target's own labels winning, names sorted", () => {
    assert.deepEqual(
      mergeGroups([
        { source: "s1", targets: [{ __address__: "a:1", z: "own" }, { __address__: "b:2" }], labels: { z: "group", a: "g" } },
        { source: "s2", targets: [{ __address__: "c:3" }], labels: {} },
      ]).map((t) => JSON.stringify(t)),
      [
        JSON.stringify({ __address__: "a:1", a: "g", z: "own" }),
        JSON.stringify({ __address__: "b:2", a: "g", z: "group" }),
        JSON.stringify({ __address__: "c:3" }),
      ],
    );
  });

  it("keeps the latest group per source and removes a source with an empty group", async () => {
    discoveryUpdates.minIntervalMs = 20;
    const { runtime, load } = runtimeWith("groups");
    try {
      await load("groups");
      runtime.start();
      await eventually(() => assert.ok(senders.has("groups")));
      const send = senders.get("groups")!;
      send([{ source: "x", targets: [{ __address__: "a:1" }], labels: {} }, { source: "y", targets: [{ __address__: "b:2" }], labels: {} }]);
      await eventually(() => assert.deepEqual(addresses(runtime), ["a:1", "b:2"]));
      send([{ source: "x", targets: [{ __address__: "a:9" }], labels: {} }]);
      await eventually(() => assert.deepEqual(addresses(runtime), ["a:9", "b:2"]));
      send([{ source: "y", targets: [], labels: {} }]);
      await eventually(() => assert.deepEqual(addresses(runtime), ["a:9"]));
    } finally {
      await runtime.stop();
    }
  });

  it("exports the first groups at once and holds later changes until the interval is up", async () => {
    discoveryUpdates.minIntervalMs = 60_000;
    const { runtime, load } = runtimeWith("throttle");
    try {
      await load("throttle");
      runtime.start();
      await eventually(() => assert.ok(senders.has("throttle")));
      const send = senders.get("throttle")!;
      send([{ source: "x", targets: [{ __address__: "a:1" }], labels: {} }]);
      // Well before the 60s interval: the first export does not wait for it.
      await eventually(() => assert.deepEqual(addresses(runtime), ["a:1"]), 5_000);
      send([{ source: "x", targets: [{ __address__: "a:2" }], labels: {} }]);
      await delay(300);
      assert.deepEqual(addresses(runtime), ["a:1"], "a change right after an export waits for the interval");
    } finally {
      await runtime.stop();
    }
  });

  it("starts a new discoverer for new arguments, forgetting the old groups", async () => {
    discoveryUpdates.minIntervalMs = 20;
    const { runtime, load } = runtimeWith("first");
    try {
      await load("first");
      runtime.start();
      await eventually(() => assert.ok(senders.has("first")));
      senders.get("first")!([{ source: "x", targets: [{ __address__: "a:1" }], labels: {} }]);
      await eventually(() => assert.deepEqual(addresses(runtime), ["a:1"]));

      await load("second");
      await eventually(() => assert.ok(senders.has("second") && !senders.has("first")));
      // The new discoverer has said nothing: once the interval is up its (empty) targets are exported.
      await eventually(() => assert.deepEqual(addresses(runtime), []));
      senders.get("second")!([{ source: "z", targets: [{ __address__: "c:3" }], labels: {} }]);
      await eventually(() => assert.deepEqual(addresses(runtime), ["c:3"]));
    } finally {
      await runtime.stop();
    }
  });
});
