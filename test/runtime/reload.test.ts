// Reload semantics, propagation of exports, health and shutdown, observed through probe
// components: structural errors keep the running graph, evaluation errors keep the last good
// state, components are added, updated and removed, only dependants re-evaluate.
import { after, afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Runtime } from "../../src/runtime/index.ts";
import { testRegistry } from "./testcomponents/index.ts";
import { makeTempDir } from "../helpers/tmp.ts";
import { delay, eventually, exportString, newTestRuntime } from "./helpers.ts";
import { PROBES, probe, probes, sources } from "./probes.ts";

const tmp = makeTempDir();
after(() => tmp.cleanup());

let running: Runtime[] = [];
afterEach(async () => {
  await Promise.all(running.map((r) => r.stop()));
  running = [];
  probes.clear();
  sources.clear();
});

function start(options: { shutdownDeadlineMs?: number } = {}) {
  const test = newTestRuntime({ storagePath: join(tmp.path, "data"), registry: testRegistry(...PROBES), ...options });
  running.push(test.runtime);
  return test;
}

function evaluations(runtime: Runtime): number {
  const family = runtime.metrics().families.find((f) => f.name === "alloy_component_evaluation_seconds");
  return family?.samples.find((s) => s.labels.controller_id === "")?.histogram?.count ?? 0;
}

const PROBE_A = `test.probe "a" {\n  input = "one"\n}\n`;
const PROBE_B = `test.probe "b" {\n  input = test.probe.a.output + "!"\n}\n`;

describe("runtime: reload", () => {
  it("keeps the running graph untouched after a structural error", async () => {
    const { runtime } = start();
    assert.equal((await runtime.load({ "main.alloy": PROBE_A + PROBE_B })).ok, true);
    runtime.start();
    await eventually(() => probe("test.probe.b").runs === 1);
    const instance = probe("test.probe.a").instance;

    const broken = await runtime.load({ "main.alloy": `${PROBE_A}test.probe "b" {\n  input = test.probe.nope.output\n}\ndoesnotexist "x" {}\n` });
    assert.equal(broken.ok, false);
    assert.equal(broken.diagnostics.length, 2);
    assert.deepEqual(runtime.components()!.map((c) => c.localId), ["test.probe.a", "test.probe.b"]);
    assert.equal(runtime.component("test.probe.b")!.health.state, "healthy");
    assert.deepEqual(probe("test.probe.b").updates, []);
    assert.equal(probe("test.probe.a").instance, instance);
    assert.equal(probe("test.probe.a").stops, 0);

    // The old graph still works: exports still reach the dependant.
    const changed = await runtime.load({ "main.alloy": PROBE_A.replace("one", "two") + PROBE_B });
    assert.equal(changed.ok, true);
    await eventually(() => exportString(runtime.component("test.probe.b")!.exports, "output") === "two!");
  });

  it("installs a graph with evaluation errors; failing components keep their last good state", async () => {
    const { runtime } = start();
    await runtime.load({ "main.alloy": PROBE_A + PROBE_B });
    runtime.start();
    await eventually(() => probe("test.probe.b").runs === 1);

    const result = await runtime.load({
      "main.alloy": `test.probe "a" {\n  input = ["not", "a", "string"]\n}\n${PROBE_B}test.probe "c" {\n  input = "new"\n}\n`,
    });
    assert.equal(result.ok, false);
    assert.equal(result.error, 'main.alloy:2:11: ["not", "a", "string"] should be string, got array');
    const a = runtime.component("test.probe.a")!;
    assert.equal(a.health.state, "unhealthy");
    assert.equal(
      a.health.message,
      'component evaluation failed: decoding configuration: main.alloy:2:11: ["not", "a", "string"] should be string, got array',
    );
    assert.deepEqual(a.arguments, { input: "one", fail: false, exit_after: 0 });
    assert.equal(exportString(a.exports, "output"), "one");
    // The rest of the new graph runs: the new component starts.
    await eventually(() => probe("test.probe.c").runs === 1);
    assert.equal(runtime.component("test.probe.b")!.health.state, "healthy");

    // Fixing the block brings the component back.
    await runtime.load({ "main.alloy": PROBE_A.replace("one", "fixed") + PROBE_B });
    // Both healthy: the newest report (the evaluation) is shown.
    assert.deepEqual(
      [runtime.component("test.probe.a")!.health.state, runtime.component("test.probe.a")!.health.message],
      ["healthy", "component evaluated"],
    );
    await eventually(() => exportString(runtime.component("test.probe.b")!.exports, "output") === "fixed!");
  });

  it("adds, updates and removes components, reusing the running ones", async () => {
    const { runtime } = start();
    await runtime.load({ "main.alloy": PROBE_A + `test.probe "gone" {\n  input = "x"\n}\n` });
    runtime.start();
    await runtime.settled();
    await eventually(() => probe("test.probe.gone").runs === 1);
    const instance = probe("test.probe.a").instance;

    await runtime.load({ "main.alloy": PROBE_A.replace("one", "two") + `test.probe "new" {\n  input = "y"\n}\n` });
    assert.equal(probe("test.probe.gone").stops, 1);
    assert.equal(probe("test.probe.new").runs, 1);
    assert.equal(probe("test.probe.a").instance, instance);
    assert.equal(probe("test.probe.a").builds, 1);
    assert.deepEqual(probe("test.probe.a").updates, ["two"]);
    assert.deepEqual(runtime.components()!.map((c) => c.localId).sort(), ["test.probe.a", "test.probe.new"]);

    // The same configuration again updates nothing.
    await runtime.load({ "main.alloy": PROBE_A.replace("one", "two") + `test.probe "new" {\n  input = "y"\n}\n` });
    assert.deepEqual(probe("test.probe.a").updates, ["two"]);
    assert.deepEqual(probe("test.probe.new").updates, []);
  });

  it("runs nothing after a first load with errors", async () => {
    const { runtime } = start();
    const result = await runtime.load({ "main.alloy": `${PROBE_A}test.probe "bad" {\n  input = 1 + "x"\n}\n` });
    assert.equal(result.ok, false);
    runtime.start();
    await delay(50);
    assert.equal(probe("test.probe.a").runs, 0);
    assert.equal(runtime.ready, false);
    // A successful load afterwards runs the graph.
    assert.equal((await runtime.load({ "main.alloy": PROBE_A })).ok, true);
    await eventually(() => probe("test.probe.a").runs === 1);
  });

  it("restarts components that exited, at the next load", async () => {
    const { runtime, lines } = start();
    await runtime.load({ "main.alloy": `test.probe "quits" {\n  exit_after = "20ms"\n}\n` });
    runtime.start();
    await eventually(() => runtime.component("test.probe.quits")!.health.state === "exited");
    assert.equal(runtime.component("test.probe.quits")!.health.message, "component shut down with error: probe gave up");
    assert.ok(lines.some((l) => l.includes('msg="node exited with error"') && l.includes("node=test.probe.quits")));
    await runtime.load({ "main.alloy": `test.probe "quits" {\n  exit_after = "0s"\n}\n` });
    await eventually(() => probe("test.probe.quits").runs === 2);
    assert.equal(runtime.component("test.probe.quits")!.health.message, "started component");
  });

  it("reports a component that cannot be built, and keeps the others running", async () => {
    const { runtime } = start();
    await runtime.load({ "main.alloy": PROBE_A });
    runtime.start();
    const result = await runtime.load({ "main.alloy": `${PROBE_A}test.probe "broken" {\n  fail = true\n}\n` });
    assert.equal(result.error, "main.alloy:4:1: Failed to build component: building component: probe refused to build");
    assert.equal(result.diagnostics[0]!.endPos.line, 6);
    const broken = runtime.component("test.probe.broken")!;
    assert.equal(broken.health.state, "unhealthy");
    assert.equal(broken.health.message, "component evaluation failed: building component: probe refused to build");
    assert.equal(runtime.component("test.probe.a")!.health.state, "healthy");
  });

  it("logs each reload with its outcome", async () => {
    const dir = makeTempDir();
    try {
      const file = join(dir.path, "main.alloy");
      const { writeFileSync } = await import("node:fs");
      writeFileSync(file, PROBE_A);
      const { runtime, lines } = start();
      assert.equal((await runtime.loadPath(file)).ok, true);
      writeFileSync(file, "nope {");
      assert.equal((await runtime.reload()).ok, false);
      assert.ok(lines.some((l) => l.includes('msg="failed to reload config"')));
      writeFileSync(file, PROBE_A.replace("one", "two"));
      assert.equal((await runtime.reload()).ok, true);
      assert.ok(lines.some((l) => l.includes('msg="config reloaded"')));
      assert.equal(exportString(runtime.component("test.probe.a")!.exports, "output"), "two");
    } finally {
      dir.cleanup();
    }
  });
});

describe("runtime: propagation", () => {
  const CHAIN = [
    `test.source "s" {\n  initial = "start"\n}\n`,
    `test.probe "b" {\n  input = test.source.s.value\n}\n`,
    `test.probe "c" {\n  input = test.probe.b.output\n}\n`,
    `test.probe "unrelated" {\n  input = "fixed"\n}\n`,
  ].join("");

  it("re-evaluates only the dependants of a component whose exports changed, transitively", async () => {
    const { runtime } = start();
    await runtime.load({ "main.alloy": CHAIN });
    runtime.start();
    await runtime.settled();
    const before = evaluations(runtime);

    sources.get("s")!({ value: "next", other: "" });
    await eventually(() => exportString(runtime.component("test.probe.c")!.exports, "output") === "next");
    await runtime.settled();
    // b (its argument changed) and then c: nothing else.
    assert.equal(evaluations(runtime) - before, 2);
    assert.deepEqual(probe("test.probe.b").updates, ["next"]);
    assert.deepEqual(probe("test.probe.c").updates, ["next"]);
    assert.deepEqual(probe("test.probe.unrelated").updates, []);
  });

  it("ignores exports equal to the previous ones, and updates only components whose arguments changed", async () => {
    const { runtime } = start();
    await runtime.load({ "main.alloy": CHAIN });
    runtime.start();
    await runtime.settled();
    const before = evaluations(runtime);

    sources.get("s")!({ value: "start", other: "" });
    await delay(20);
    await runtime.settled();
    assert.equal(evaluations(runtime), before);

    // A field b does not use: b is evaluated, its arguments are the same, so no update and no c.
    sources.get("s")!({ value: "start", other: "changed" });
    await eventually(() => evaluations(runtime) === before + 1);
    await runtime.settled();
    assert.equal(evaluations(runtime), before + 1);
    assert.deepEqual(probe("test.probe.b").updates, []);
  });

  it("lists references, dependants and metrics of the controller", async () => {
    const { runtime } = start();
    await runtime.load({ "main.alloy": CHAIN });
    runtime.start();
    await runtime.settled();
    const b = runtime.component("test.probe.b")!;
    assert.deepEqual(b.references, ["test.source.s"]);
    assert.deepEqual(b.referencedBy, ["test.probe.c"]);
    assert.equal(b.type, "builtin");
    assert.equal(b.componentName, "test.probe");
    assert.equal(b.label, "b");
    assert.deepEqual(b.debugInfo, { builds: 1 });
    assert.ok(b.definition);
    const names = runtime.metrics().families.map((f) => f.name);
    for (const name of [
      "alloy_component_controller_evaluating",
      "alloy_component_controller_running_components",
      "alloy_component_dependencies_wait_seconds",
      "alloy_component_evaluation_queue_size",
      "alloy_component_evaluation_seconds",
    ]) {
      assert.ok(names.includes(name), name);
    }
    const running = runtime.metrics().families.find((f) => f.name === "alloy_component_controller_running_components")!;
    assert.deepEqual(running.samples, [
      { labels: { controller_path: "/", controller_id: "", health_type: "healthy" }, value: 4 },
    ]);
  });
});

describe("runtime: shutdown", () => {
  it("bounds each component's shutdown by the deadline", async () => {
    const { runtime, lines } = start({ shutdownDeadlineMs: 100 });
    await runtime.load({ "main.alloy": `test.stubborn "s" {}\n${PROBE_A}` });
    runtime.start();
    await eventually(() => probe("test.probe.a").runs === 1);
    const begin = Date.now();
    await runtime.stop();
    const took = Date.now() - begin;
    assert.ok(took >= 90 && took < 2000, `stop took ${took}ms`);
    assert.ok(lines.some((l) => l.includes("task shutdown deadline exceeded") && l.includes("node=test.stubborn.s")));
    assert.equal(probe("test.probe.a").stops, 1);
  });

  it("waits for slow components without a deadline", async () => {
    const { runtime } = start({ shutdownDeadlineMs: 0 });
    await runtime.load({ "main.alloy": `test.stubborn "s" {\n  delay = "150ms"\n}\n` });
    runtime.start();
    await runtime.settled();
    await delay(10);
    const begin = Date.now();
    await runtime.stop();
    assert.ok(Date.now() - begin >= 140);
  });

  it("bounds the shutdown of components removed by a reload", async () => {
    const { runtime } = start({ shutdownDeadlineMs: 80 });
    await runtime.load({ "main.alloy": `test.stubborn "s" {}\n` });
    runtime.start();
    await runtime.settled();
    await delay(10);
    const begin = Date.now();
    await runtime.load({ "main.alloy": PROBE_A });
    const took = Date.now() - begin;
    assert.ok(took >= 70 && took < 2000, `reload took ${took}ms`);
    assert.equal(probe("test.probe.a").runs, 1);
  });

  it("can run again after a stop", async () => {
    const { runtime } = start();
    await runtime.load({ "main.alloy": PROBE_A });
    runtime.start();
    await eventually(() => probe("test.probe.a").runs === 1);
    await runtime.stop();
    assert.equal(runtime.metrics().families.length, 0);
    runtime.start();
    await eventually(() => probe("test.probe.a").runs === 2);
    assert.ok(runtime.metrics().families.some((f) => f.name === "alloy_component_controller_running_components"));
  });

  it("reports a clean shutdown in the health of a component", async () => {
    const { runtime } = start();
    await runtime.load({ "main.alloy": PROBE_A });
    runtime.start();
    await eventually(() => probe("test.probe.a").runs === 1);
    assert.equal(runtime.component("test.probe.a")!.health.message, "started component");
    await runtime.stop();
    assert.equal(runtime.component("test.probe.a")!.health.state, "exited");
    assert.equal(runtime.component("test.probe.a")!.health.message, "component shut down cleanly");
  });
});
