// Alloy's runtime test vectors (internal/runtime/testdata in ../shared/conformance), run the way
// Alloy's import_test.go, foreach_test.go and foreach_stringer_test.go run them: load main.alloy,
// wait for the summation (or receiver) to reach a value, then change a module file or reload the
// configuration and wait again.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { dirname, join } from "node:path";
import { formatMetricsText } from "../../src/runtime/metrics/text.ts";
import type { Runtime } from "../../src/runtime/index.ts";
import { repoRoot } from "../helpers/runtime.ts";
import { eventually, exportNumber, inTempDir, newTestRuntime } from "./helpers.ts";
import { type Archive, parseTxtar } from "./txtar.ts";

const TESTDATA = join(repoRoot, "..", "shared", "conformance", "internal", "runtime", "testdata");

/** Vectors that cannot pass, with the reason in test/conformance/known-differences-runtime.md. */
const KNOWN_DIFFERENCES = new Set<string>([]);

function vectors(folder: string): [string, Archive][] {
  const dir = join(TESTDATA, folder);
  return readdirSync(dir)
    .filter((f) => !f.startsWith("."))
    .sort()
    .map((f) => [f, parseTxtar(readFileSync(join(dir, f), "utf8"))]);
}

function title(file: string, archive: Archive): string {
  const comment = archive.comment.trim().split("\n")[0] ?? "";
  return comment ? `${file}: ${comment}` : file;
}

function writeFile(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

const WAIT_MS = 10_000;

function lastAdded(runtime: Runtime): number {
  const info = runtime.component("testcomponents.summation.sum");
  return info ? (exportNumber(info.exports, "last_added") ?? 0) : 0;
}

function receiverSum(runtime: Runtime): number {
  const debug = runtime.component("testcomponents.summation_receiver.sum")?.debugInfo;
  return typeof debug === "number" ? debug : 0;
}

interface Scenario {
  main: string;
  reload?: string | undefined;
  update?: (() => void) | undefined;
  stability?: "public-preview" | "experimental";
}

/** Alloy's testConfig: last_added reaches 10, then -10 after an update and after a reload. */
async function testConfig(dir: string, scenario: Scenario): Promise<void> {
  const { runtime, lines } = newTestRuntime({ storagePath: join(dir, "data"), minStability: scenario.stability ?? "public-preview" });
  try {
    const loaded = await runtime.load({ "main.alloy": scenario.main });
    assert.equal(loaded.error, undefined);
    runtime.start();
    await eventually(() => lastAdded(runtime) >= 10, WAIT_MS, "last_added >= 10");
    if (scenario.update) {
      scenario.update();
      await eventually(() => lastAdded(runtime) <= -10, WAIT_MS, "last_added <= -10 after the update");
    }
    if (scenario.reload) {
      const reloaded = await runtime.load({ "reload_config.alloy": scenario.reload });
      assert.equal(reloaded.error, undefined);
      await eventually(() => lastAdded(runtime) <= -10, WAIT_MS, "last_added <= -10 after the reload");
    }
  } catch (e) {
    if (process.env.ALLOY_TS_TEST_LOG === undefined) (e as Error).message += `\nlog:\n${lines.slice(-40).join("")}`;
    throw e;
  } finally {
    await runtime.stop();
  }
}

function updateFor(archive: Archive, files: Map<string, string>, root = "."): (() => void) | undefined {
  const updates = [...archive.files].filter(([name]) => name.startsWith("update/") || name === "utils/update_module2.alloy");
  if (updates.length === 0 && !files.has("added.alloy") && !files.has("removed.alloy")) return undefined;
  return () => {
    if (files.has("removed.alloy")) rmSync(join(root, "removed.alloy"));
    if (files.has("added.alloy")) writeFile(join(root, "added.alloy"), files.get("added.alloy")!);
    for (const [name, content] of updates) {
      const target = name === "utils/update_module2.alloy" ? "utils/module2.alloy" : name.slice("update/".length);
      writeFile(join(root, target), content);
    }
  };
}

const NOT_WRITTEN = new Set(["main.alloy", "reload_config.alloy", "error", "added.alloy"]);

function moduleFiles(archive: Archive): [string, string][] {
  return [...archive.files].filter(
    ([name]) =>
      !NOT_WRITTEN.has(name) &&
      !name.startsWith("update/") &&
      !name.startsWith("expected_") &&
      name !== "utils/update_module2.alloy",
  );
}

function vectorTest(folder: string, run: (dir: string, archive: Archive) => Promise<void>) {
  for (const [file, archive] of vectors(folder)) {
    const name = `${folder}/${file}`;
    it(title(file, archive), { skip: KNOWN_DIFFERENCES.has(name) ? "known difference" : false }, () =>
      inTempDir((dir) => run(dir, archive)),
    );
  }
}

describe("runtime conformance: import_file", () => {
  vectorTest("import_file", async (dir, archive) => {
    for (const [name, content] of moduleFiles(archive)) writeFile(join(dir, name), content);
    await testConfig(dir, {
      main: archive.files.get("main.alloy")!,
      reload: archive.files.get("reload_config.alloy"),
      update: updateFor(archive, archive.files, dir),
    });
  });
});

describe("runtime conformance: import_file_folder", () => {
  vectorTest("import_file_folder", async (dir, archive) => {
    const folder = join(dir, "tmpTest");
    mkdirSync(folder);
    for (const [name, content] of moduleFiles(archive)) writeFile(join(folder, name), content);
    await testConfig(dir, { main: archive.files.get("main.alloy")!, update: updateFor(archive, archive.files, folder) });
  });
});

describe("runtime conformance: import_string", () => {
  vectorTest("import_string", async (dir, archive) => {
    await testConfig(dir, { main: archive.files.get("main.alloy")! });
  });
});

// The vector imports a module from GitHub; the same module is served from 127.0.0.1 instead.
const HTTP_MODULE = `declare "a" {
  argument "input" {}

  testcomponents.passthrough "pt" {
    input = argument.input.value
    lag = "1ms"
  }

  export "output" {
    value = testcomponents.passthrough.pt.output
  }
}
`;

async function serveModule(): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(HTTP_MODULE);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${address.port}/module_passthrough.river` };
}

describe("runtime conformance: import_http", () => {
  vectorTest("import_http", async (dir, archive) => {
    const { server, url } = await serveModule();
    try {
      const main = archive.files.get("main.alloy")!.replace(/url = "https:\/\/[^"]+"/, `url = "${url}"`);
      assert.ok(main.includes(url));
      await testConfig(dir, { main });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("runtime conformance: import_git", () => {
  vectorTest("import_git", async (dir, archive) => {
    // The vectors name ./testdata/repo.git and ./testdata/repo2.git: the tarred repositories.
    for (const repo of ["repo", "repo2"]) {
      const target = join(dir, "testdata", `${repo}.git`);
      mkdirSync(target, { recursive: true });
      execFileSync("tar", ["-xf", join(TESTDATA, `${repo}.git.tar`), "--no-same-owner", "-C", target]);
    }
    assert.ok(existsSync(join(dir, "testdata", "repo.git", ".git")));
    await testConfig(dir, { main: archive.files.get("main.alloy")! });
  });
});

describe("runtime conformance: import_error", () => {
  vectorTest("import_error", async (dir, archive) => {
    const { runtime } = newTestRuntime({ storagePath: join(dir, "data") });
    const result = await runtime.load({ "main.alloy": archive.files.get("main.alloy")! });
    const expected = archive.files.get("error")!.replace(/\n+$/, "");
    assert.equal(result.ok, false);
    assert.ok(result.error?.includes(expected), `error ${JSON.stringify(result.error)} should contain ${JSON.stringify(expected)}`);
    // Nothing runs after a failed first load.
    runtime.start();
    await runtime.stop();
  });
});

// --- foreach ---------------------------------------------------------------------------------

/** The families Alloy's checkMetrics compares, when the expected text mentions them. */
const COMPARED_METRICS = ["alloy_component_controller_running_components", "alloy_component_controller_evaluating", "pulse_count"];

/** HELP, TYPE and sample lines of the given families, sorted, for comparison. */
function metricLines(text: string, names: readonly string[]): string[] {
  const wanted = (line: string) => {
    const name = line.startsWith("# ") ? line.split(" ")[2]! : line.split(/[{ ]/)[0]!;
    return names.includes(name);
  };
  return text
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l !== "" && wanted(l))
    .sort();
}

function checkMetrics(runtime: Runtime, expected: string): void {
  const names = COMPARED_METRICS.filter((n) => expected.includes(n));
  const actual = formatMetricsText(runtime.metrics().families);
  assert.deepEqual(metricLines(actual, names), metricLines(expected, names));
}

function countSeries(runtime: Runtime, names: readonly string[]): number {
  return runtime
    .metrics()
    .families.filter((f) => names.includes(f.name))
    .reduce((n, f) => n + f.samples.length, 0);
}

async function testForeach(dir: string, archive: Archive): Promise<void> {
  for (const [name, content] of moduleFiles(archive)) writeFile(join(dir, name), content);
  const { runtime, lines } = newTestRuntime({ storagePath: join(dir, "data"), minStability: "experimental" });
  const update = updateFor(archive, archive.files, dir);
  try {
    const loaded = await runtime.load({ "main.alloy": archive.files.get("main.alloy")! });
    assert.equal(loaded.error, undefined);
    runtime.start();
    await eventually(() => receiverSum(runtime) >= 10, WAIT_MS, "sum >= 10");

    const durations = archive.files.get("expected_duration_metrics.prom");
    if (durations !== undefined) {
      const names = ["alloy_component_dependencies_wait_seconds", "alloy_component_evaluation_seconds"];
      assert.equal(countSeries(runtime, names), Number(durations.trim()));
    }
    const expected = archive.files.get("expected_metrics.prom");
    if (expected !== undefined) await eventually(() => checkMetrics(runtime, expected), WAIT_MS);

    if (update) {
      update();
      await eventually(() => receiverSum(runtime) >= 30, WAIT_MS, "sum >= 30 after the update");
    }
    const reload = archive.files.get("reload_config.alloy");
    if (reload) {
      const reloaded = await runtime.load({ "reload_config.alloy": reload });
      assert.equal(reloaded.error, undefined);
      await eventually(() => receiverSum(runtime) >= 30, WAIT_MS, "sum >= 30 after the reload");
      const afterReload = archive.files.get("expected_metrics_after_reload.prom");
      if (afterReload !== undefined) await eventually(() => checkMetrics(runtime, afterReload), WAIT_MS);
    }
  } catch (e) {
    if (process.env.ALLOY_TS_TEST_LOG === undefined) (e as Error).message += `\nlog:\n${lines.slice(-40).join("")}`;
    throw e;
  } finally {
    await runtime.stop();
  }
}

describe("runtime conformance: foreach", () => {
  vectorTest("foreach", testForeach);
});

describe("runtime conformance: foreach_metrics", () => {
  vectorTest("foreach_metrics", testForeach);
});

describe("runtime conformance: foreach_stringer", () => {
  vectorTest("foreach_stringer", async (dir, archive) => {
    const { runtime } = newTestRuntime({ storagePath: join(dir, "data"), minStability: "experimental" });
    try {
      const loaded = await runtime.load({ "main.alloy": archive.files.get("main.alloy")! });
      assert.equal(loaded.error, undefined);
      runtime.start();
      for (const [file, id] of [
        ["expected_debug_info.txt", "testcomponents.string_receiver.log"],
        ["expected_debug_info2.txt", "testcomponents.string_receiver.log2"],
      ] as const) {
        const expected = archive.files.get(file);
        if (expected === undefined) continue;
        await eventually(() => assert.equal(runtime.component(id)?.debugInfo, expected), WAIT_MS);
      }
    } finally {
      await runtime.stop();
    }
  });
});
