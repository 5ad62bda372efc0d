// Modules and config blocks beyond the conformance vectors: declare arguments and exports, module
// listings, import sources and their errors, foreach, logging and tracing, and the service hook.
import { after, afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import type { Runtime, Service } from "../../src/runtime/index.ts";
import { attr, struct, t } from "../../src/syntax/schema/index.ts";
import { makeTempDir } from "../helpers/tmp.ts";
import { eventually, exportString, newTestRuntime } from "./helpers.ts";
import { PROBES, probe, probes } from "./probes.ts";
import { testRegistry } from "./testcomponents/index.ts";

const tmp = makeTempDir();
after(() => tmp.cleanup());

let running: Runtime[] = [];
afterEach(async () => {
  await Promise.all(running.map((r) => r.stop()));
  running = [];
  probes.clear();
});

function start(options: Partial<Parameters<typeof newTestRuntime>[0]> = {}) {
  const test = newTestRuntime({
    storagePath: join(tmp.path, "data"),
    registry: testRegistry(...PROBES),
    minStability: "experimental",
    ...options,
  });
  running.push(test.runtime);
  return test;
}

const DECLARE = `declare "double" {
  argument "in" {}
  argument "suffix" {
    optional = true
    default  = "!"
  }

  test.probe "inner" {
    input = argument.in.value + argument.suffix.value
  }

  export "out" {
    value = test.probe.inner.output + test.probe.inner.output
  }
}
`;

describe("runtime: declare", () => {
  it("passes arguments (with defaults) and returns exports", async () => {
    const { runtime } = start();
    const result = await runtime.load({ "main.alloy": `${DECLARE}double "d" {\n  in = "x"\n}\ntest.probe "after" {\n  input = double.d.out\n}\n` });
    assert.equal(result.error, undefined);
    runtime.start();
    await eventually(() => exportString(runtime.component("test.probe.after")!.exports, "output") === "x!x!");
    const info = runtime.component("double.d")!;
    assert.equal(info.type, "custom");
    assert.deepEqual(info.moduleIds, ["double.d"]);
    assert.deepEqual(runtime.moduleIds(), ["double.d"]);
    const inner = runtime.components("double.d")!;
    assert.deepEqual(inner.map((c) => [c.moduleId, c.localId]), [["double.d", "test.probe.inner"]]);
    await eventually(() => runtime.component("test.probe.inner", "double.d")!.health.state === "healthy");
    assert.equal(runtime.components("no.such.module"), undefined);
    // Components in modules get `<module>/<id>` as global id: their data folder and metrics say so.
    assert.ok(probe("test.probe.inner"));
  });

  it("updates the module when its arguments change", async () => {
    const { runtime } = start();
    await runtime.load({ "main.alloy": `${DECLARE}double "d" {\n  in = "x"\n}\n` });
    runtime.start();
    await runtime.load({ "main.alloy": `${DECLARE}double "d" {\n  in = "y"\n  suffix = "?"\n}\n` });
    await eventually(() => exportString(runtime.component("double.d")!.exports, "out") === "y?y?");
    assert.deepEqual(probe("test.probe.inner").updates, ["y?"]);
  });

  it("reports missing and unknown arguments", async () => {
    const { runtime } = start();
    const missing = await runtime.load({ "main.alloy": `${DECLARE}double "d" {}\n` });
    assert.match(missing.error!, /^main\.alloy:2:3: Failed to evaluate node for config block: missing required argument "in" to module/);
    const unknown = await runtime.load({ "main.alloy": `${DECLARE}double "d" {\n  in = "x"\n  nope = 1\n}\n` });
    assert.equal(unknown.error, '-: Provided argument "nope" is not defined in the module');
    const block = await runtime.load({ "main.alloy": `${DECLARE}double "d" {\n  inner {}\n}\n` });
    assert.match(block.error!, /nested blocks not supported here/);
    assert.match(runtime.component("double.d")?.health.message ?? "", /^component evaluation failed: decoding configuration: /);
  });

  it("sees declares of the enclosing modules but not components outside", async () => {
    const { runtime } = start();
    const ok = await runtime.load({
      "main.alloy": `declare "outer" {\n  declare "inner" {\n    test.probe "p" {}\n  }\n  inner "i" {}\n}\nouter "o" {}\n`,
    });
    assert.equal(ok.error, undefined);
    const outside = await runtime.load({
      "main.alloy": `test.probe "root" {}\ndeclare "d" {\n  test.probe "p" {\n    input = test.probe.root.output\n  }\n}\nd "x" {}\n`,
    });
    assert.match(outside.error!, /component "test\.probe\.root\.output" does not exist or is out of scope/);
  });
});

describe("runtime: imports", () => {
  it("import.file with the poll detector picks up changes", async () => {
    const file = join(tmp.path, "poll_module.alloy");
    writeFileSync(file, `declare "m" {\n  export "v" {\n    value = "first"\n  }\n}\n`);
    const { runtime } = start();
    const result = await runtime.load({
      "main.alloy": `import.file "mod" {\n  filename = ${JSON.stringify(file)}\n  detector = "poll"\n  poll_frequency = "50ms"\n}\nmod.m "x" {}\n`,
    });
    assert.equal(result.error, undefined);
    runtime.start();
    await eventually(() => exportString(runtime.component("mod.m.x")!.exports, "v") === "first");
    writeFileSync(file, `declare "m" {\n  export "v" {\n    value = "second"\n  }\n}\n`);
    await eventually(() => exportString(runtime.component("mod.m.x")!.exports, "v") === "second");
  });

  it("reports a missing file and an unknown detector", async () => {
    const { runtime } = start();
    const missing = await runtime.load({ "main.alloy": `import.file "mod" {\n  filename = "/nonexistent/x.alloy"\n}\n` });
    assert.equal(
      missing.error,
      "main.alloy:1:1: Failed to evaluate node for config block: failed to read file: stat /nonexistent/x.alloy: no such file or directory",
    );
    const detector = await runtime.load({ "main.alloy": `import.file "mod" {\n  filename = "x"\n  detector = "inotify"\n}\n` });
    assert.match(detector.error!, /unrecognized detector "inotify", expected fsnotify or poll/);
  });

  it("accepts only declare and import blocks in imported content, reporting it in the health", async () => {
    const { runtime } = start();
    const result = await runtime.load({ "main.alloy": `import.string "mod" {\n  content = "test.probe \\"p\\" {}"\n}\n` });
    assert.equal(result.ok, true);
    const health = importHealth(runtime);
    assert.equal(health, 'imported content from "import_string" is invalid: only declare and import blocks are allowed in a module, got test.probe');
  });

  it("import.http reports failed polls and unexpected statuses", async () => {
    const server = createServer((req, res) => {
      if (req.url === "/missing") {
        res.writeHead(404, "Not Found");
        res.end();
        return;
      }
      res.end(`declare "m" {\n  export "v" {\n    value = ${JSON.stringify(req.headers.authorization ?? "none")}\n  }\n}\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const { runtime } = start();
      const missing = await runtime.load({ "main.alloy": `import.http "mod" {\n  url = "${base}/missing"\n}\n` });
      assert.equal(
        missing.error,
        "main.alloy:1:1: Failed to evaluate node for config block: creating http component: unexpected status code 404 Not Found",
      );
      const ok = await runtime.load({
        "main.alloy": `import.http "mod" {\n  url = "${base}/module.alloy"\n  client {\n    basic_auth {\n      username = "u"\n      password = "p"\n    }\n  }\n}\nmod.m "x" {}\n`,
      });
      assert.equal(ok.error, undefined);
      assert.equal(exportString(runtime.component("mod.m.x")!.exports, "v"), `Basic ${btoa("u:p")}`);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

function importHealth(runtime: Runtime): string {
  const imports = runtime.imports();
  assert.equal(imports.length, 1);
  return imports[0]!.health.message;
}

describe("runtime: foreach", () => {
  it("reports a missing template and keeps children keyed by their item", async () => {
    const { runtime } = start();
    const missing = await runtime.load({ "main.alloy": `foreach "f" {\n  collection = [1]\n  var = "x"\n}\n` });
    assert.equal(missing.error, "main.alloy:1:1: Failed to build component: the block template is missing in the foreach block");
    assert.equal(runtime.component("foreach.f")!.health.message, "foreach evaluation failed: the block template is missing in the foreach block");

    const config = (items: string) =>
      `foreach "f" {\n  collection = [${items}]\n  var = "x"\n  template {\n    test.probe "p" {\n      input = x\n    }\n  }\n}\n`;
    assert.equal((await runtime.load({ "main.alloy": config(`"a.b", "c"`) })).error, undefined);
    runtime.start();
    await eventually(() => runtime.moduleIds().length === 2);
    assert.deepEqual(runtime.moduleIds(), ["foreach.f/foreach_a_b_1", "foreach.f/foreach_c_1"]);
    assert.deepEqual(runtime.component("foreach.f")!.moduleIds.sort(), ["foreach.f/foreach_a_b_1", "foreach.f/foreach_c_1"]);
    assert.equal(exportString(runtime.component("test.probe.p", "foreach.f/foreach_a_b_1")!.exports, "output"), "a.b");
    await runtime.load({ "main.alloy": config(`"c", "c"`) });
    await eventually(() => runtime.moduleIds().join() === "foreach.f/foreach_c_1,foreach.f/foreach_c_2");
  });
});

describe("runtime: logging and tracing blocks", () => {
  it("switch the log level and format at reload, and back to the defaults without a block", async () => {
    const { runtime } = start();
    await runtime.load({ "main.alloy": `logging {\n  level = "warn"\n  format = "json"\n}\n` });
    assert.deepEqual(runtime.logs.options, { level: "warn", format: "json" });
    await runtime.load({ "main.alloy": `logging {\n  level = "debug"\n}\n` });
    assert.deepEqual(runtime.logs.options, { level: "debug", format: "logfmt" });
    await runtime.load({ "main.alloy": `test.probe "p" {}\n` });
    assert.deepEqual(runtime.logs.options, { level: "info", format: "logfmt" });
  });

  it("reports bad values and write_to, which no component can receive yet", async () => {
    const { runtime } = start();
    const level = await runtime.load({ "main.alloy": `logging {\n  level = "verbose"\n}\n` });
    assert.match(level.error!, /^main\.alloy:1:1: Failed to evaluate node for config block: decoding configuration: .*unrecognized log level "verbose"/);
    const writeTo = await runtime.load({ "main.alloy": `test.probe "p" {}\nlogging {\n  write_to = [test.probe.p.output]\n}\n` });
    assert.match(writeTo.error!, /write_to is not supported yet/);
  });

  it("keeps the tracing options", async () => {
    const { runtime } = start();
    const result = await runtime.load({
      "main.alloy": `tracing {\n  sampling_fraction = 0.5\n  sampler {\n    jaeger_remote {\n      url = "http://localhost:5778/sampling"\n    }\n  }\n}\n`,
    });
    assert.equal(result.error, undefined);
    assert.equal(runtime.tracingOptions.sampling_fraction, 0.5);
    assert.equal(runtime.tracingOptions.sampler?.jaeger_remote?.max_operations, 256);
    await runtime.load({ "main.alloy": `test.probe "p" {}\n` });
    assert.equal(runtime.tracingOptions.sampling_fraction, 0.1);
  });
});

describe("runtime: services", () => {
  function fakeService(name: string, options: { configurable?: boolean; dependsOn?: string[]; stability?: "experimental" } = {}) {
    const state = { updates: [] as unknown[], running: false, order: [] as string[] };
    const service: Service<{ enabled: boolean }> = {
      definition: {
        name,
        stability: options.stability ?? "generally-available",
        ...(options.configurable === false ? {} : { args: struct({ enabled: attr(t.bool(), { optional: true }) }) }),
        ...(options.dependsOn ? { dependsOn: options.dependsOn } : {}),
      },
      async run(_host, signal) {
        state.running = true;
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
        state.running = false;
      },
      update: (args) => void state.updates.push(args),
      data: () => ({ name }),
    };
    return { service, state };
  }

  it("runs services, configures them from their block and rejects blocks in modules", async () => {
    const live = fakeService("livedebugging");
    const ui = fakeService("ui", { configurable: false, dependsOn: ["livedebugging"] });
    const { runtime } = start({ services: [live.service, ui.service] });
    const result = await runtime.load({ "main.alloy": `livedebugging {\n  enabled = true\n}\n` });
    assert.equal(result.error, undefined);
    assert.deepEqual(live.state.updates, [{ enabled: true }]);
    runtime.start();
    await eventually(() => live.state.running && ui.state.running);
    // Unchanged configuration: no update; no block: the zero configuration.
    await runtime.load({ "main.alloy": `livedebugging {\n  enabled = true\n}\n` });
    await runtime.load({ "main.alloy": `test.probe "p" {}\n` });
    assert.deepEqual(live.state.updates, [{ enabled: true }, { enabled: false }]);

    const notConfigurable = await runtime.load({ "main.alloy": `ui {}\n` });
    assert.equal(notConfigurable.error, 'main.alloy:1:1: Failed to evaluate service: service "ui" does not support being configured');
    const twice = await runtime.load({ "main.alloy": `livedebugging {}\nlivedebugging {}\n` });
    assert.equal(twice.error, 'main.alloy:2:1: duplicate definition of "livedebugging"');
    const inModule = await runtime.load({ "main.alloy": `declare "d" {\n  livedebugging {}\n}\nd "x" {}\n` });
    assert.match(inModule.error!, /service blocks not allowed inside a module: "livedebugging"/);
    await runtime.stop();
    assert.equal(live.state.running, false);
  });

  it("gates service blocks by stability and gives components their data", async () => {
    const cluster = fakeService("cluster", { stability: "experimental" });
    const { runtime } = start({ services: [cluster.service], minStability: "generally-available", registry: testRegistry(...PROBES) });
    const gated = await runtime.load({ "main.alloy": `cluster {}\n` });
    assert.equal(
      gated.error,
      'main.alloy:1:1: block "cluster" is at stability level "experimental", which is below the minimum allowed stability level "generally-available". Use --stability.level command-line flag to enable "experimental" features',
    );
    const missing = fakeService("http", { dependsOn: ["remotecfg"] });
    const broken = start({ services: [missing.service] }).runtime;
    const result = await broken.load({ "main.alloy": `test.probe "p" {}\n` });
    assert.equal(result.error, '-: service "http" has invalid reference to service "remotecfg"');
    assert.deepEqual(runtime.getService("cluster")?.data(), { name: "cluster" });
  });
});

describe("runtime: a mixed graph (Alloy's TestRuntime)", () => {
  it("runs components, imports, foreach and services, and stops what a reload removes", async () => {
    let serviceRuns = 0;
    let serviceRunning = false;
    const service: Service = {
      definition: { name: "fake", stability: "generally-available" },
      async run(_host, signal) {
        serviceRuns++;
        serviceRunning = true;
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
        serviceRunning = false;
      },
      update() {},
      data: () => undefined,
    };
    const { runtime } = start({ services: [service] });
    const config = `import.string "test" {
  content = \`declare "module" {testcomponents.tick "ticker" {frequency = "1s"}}\`
}
testcomponents.tick "ticker" {
  frequency = "1s"
}
testcomponents.passthrough "static" {
  input = "hello, world!"
}
testcomponents.passthrough "ticker" {
  input = testcomponents.tick.ticker.tick_time
}
testcomponents.passthrough "forwarded" {
  input = testcomponents.passthrough.ticker.output
}
test.module "m" {}

foreach "fe" {
  collection = [1, 2]
  var = "id"
  template {
    testcomponents.tick "ticker" {
      frequency = "1s"
    }
  }
}
`;
    assert.equal((await runtime.load({ "main.alloy": config })).error, undefined);
    runtime.start();
    const states = () => [...runtime.components()!.map((c) => c.health.state), ...runtime.imports().map((i) => i.health.state)];
    await eventually(() => serviceRunning && serviceRuns === 1);
    await eventually(() => states().length === 7 && states().every((s) => s === "healthy"), 2000, "7 healthy nodes");

    const forwarded = runtime.component("testcomponents.passthrough.forwarded")!;
    await runtime.load({
      "main.alloy": `testcomponents.tick "ticker" {\n  frequency = "1s"\n}\ntestcomponents.passthrough "static" {\n  input = "hello, world!"\n}\ntestcomponents.passthrough "ticker" {\n  input = testcomponents.tick.ticker.tick_time\n}\n`,
    });
    await eventually(() => states().length === 3 && states().every((s) => s === "healthy"), 2000, "3 healthy nodes");
    assert.equal(serviceRuns, 1);
    assert.ok(serviceRunning);
    assert.equal(runtime.component("testcomponents.passthrough.forwarded"), undefined);
    assert.ok(forwarded.component);
    await runtime.stop();
    assert.equal(serviceRunning, false);
  });
});
