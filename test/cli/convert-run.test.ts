// `alloy run --config.format=prometheus`: the file is converted when it is read and the result
// runs. As a process: the errors Alloy gives (conversion diagnostics, bypass, extra arguments, a
// converted configuration naming components alloy-ts does not have yet) and a directory that is
// not converted. In process: a prometheus.yml whose components all exist loads, scrapes a real
// HTTP target, delivers to a remote write endpoint, shows its converted source and reconverts on
// reload.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, runRuntime, spawnRuntime } from "../helpers/runtime.ts";
import { makeTempDir } from "../helpers/tmp.ts";
import { convertingPlatform } from "../../src/cli/commands/convert.ts";
import { convert } from "../../src/converter/mod.ts";
import { BUILTIN_COMPONENTS, builtinRegistry } from "../../src/component/registry.ts";
import { appendableType, type MetricsBatch } from "../../src/component/prometheus/receiver.ts";
import { RemoteWriteArguments } from "../../src/converter/schemas/prometheus.ts";
import { platform as currentPlatform } from "../../src/platform/mod.ts";
import { defineComponent } from "../../src/runtime/component.ts";
import { LogController } from "../../src/runtime/logging/logger.ts";
import { Agent } from "../../src/service/agent.ts";
import { attr, struct } from "../../src/syntax/schema/index.ts";

const entry = join(repoRoot, "src/cli/entry.ts");

const PROMETHEUS_YML = `global:
  scrape_interval: 15s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ["localhost:9100"]
remote_write:
  - url: http://localhost:9090/api/v1/write
`;

// A Prometheus service discovery whose discovery.* component alloy-ts does not run yet.
const HAVE = new Set(BUILTIN_COMPONENTS.map((c) => c.name));
const MISSING = [
  { name: "nerve", yaml: "nerve_sd_configs:\n      - servers: [zk:2181]\n        paths: [/nerve]" },
  { name: "serverset", yaml: "serverset_sd_configs:\n      - servers: [zk:2181]\n        paths: [/serverset]" },
  { name: "triton", yaml: "triton_sd_configs:\n      - account: a\n        dns_suffix: d\n        endpoint: e" },
].find((sd) => !HAVE.has(`discovery.${sd.name}`));

const missingYml = (extra = "") => `${extra}scrape_configs:
  - job_name: node
    ${MISSING?.yaml}
remote_write:
  - url: http://127.0.0.1:1/api/v1/write
`;

describe("alloy run --config.format=prometheus", () => {
  const dir = makeTempDir();
  after(() => dir.cleanup());
  const file = (name: string, content: string) => {
    const path = join(dir.path, name);
    writeFileSync(path, content);
    return path;
  };
  const run = (...args: string[]) => runRuntime(entry, ["run", "--server.http.listen-addr=127.0.0.1:0", `--storage.path=${join(dir.path, "data")}`, ...args], { cwd: dir.path });

  it("loads the converted file, and reports a component alloy-ts does not have yet as Alloy reports it", { skip: MISSING === undefined }, async () => {
    const path = file("prometheus.yml", missingYml());
    const result = await run("--config.format=prometheus", path);
    assert.equal(result.code, 1);
    // Alloy prints the diagnostics against the converted source.
    const lines = convert(missingYml(), "prometheus").output!.split("\n").map((l) => l.replace(/\t/g, "    "));
    const name = `discovery.${MISSING!.name}`;
    const ref = lines.findIndex((l) => l.includes(`${name}.node.targets`));
    const col = lines[ref]!.indexOf(name) + 1;
    const expected = [
      `Error: ${path}:1:1: cannot find the definition of component name "${name}"`,
      "",
      `1 | ${lines[0]}`,
      `  | ${"^".repeat(name.length)}`,
      `2 | ${lines[1]}`,
      "",
      `Error: ${path}:${ref + 1}:${col - (lines[ref]!.length - lines[ref]!.trimStart().length) + 1}: component "${name}.node.targets" does not exist or is out of scope`,
    ].join("\n");
    assert.ok(result.stderr.includes(expected), `${expected}\n---\n${result.stderr}`);
    assert.match(result.stderr, /^Error: could not perform the initial load successfully$/m);
  });

  it("stops on conversion errors unless they are bypassed, and always on criticals", async () => {
    const path = file("eval.yml", MISSING ? missingYml("global:\n  evaluation_interval: 30s\n") : `global:\n  evaluation_interval: 30s\n${PROMETHEUS_YML.slice("global:\n".length)}`);
    const result = await run("--config.format=prometheus", path);
    assert.equal(result.code, 1);
    const text = MISSING ? missingYml("global:\n  evaluation_interval: 30s\n") : `global:\n  evaluation_interval: 30s\n${PROMETHEUS_YML.slice("global:\n".length)}`;
    assert.ok(result.stderr.includes(`\nError: reading config path "${path}": ${convert(text, "prometheus").diagnostics.toString()}\n`), result.stderr);
    assert.match(result.stderr, /^Error: reading config path ".*": \(Error\) The converter does not support converting the provided global evaluation_interval config\.$/m);
    if (MISSING) {
      const bypassed = await run("--config.format=prometheus", "--config.bypass-conversion-errors", path);
      assert.equal(bypassed.code, 1);
      assert.match(bypassed.stderr, new RegExp(`cannot find the definition of component name "discovery\\.${MISSING.name}"`), "bypassed: the converted file is loaded");
    }
    const broken = await run("--config.format=prometheus", "--config.bypass-conversion-errors", file("broken.yml", "scrape_configs:\n  - job_name: [\n"));
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /^Error: reading config path ".*broken\.yml": \(Critical\) failed to parse Prometheus config: yaml: /m);
  });

  it("refuses extra arguments for the prometheus format, and reports unknown formats", async () => {
    const path = file("extra.yml", PROMETHEUS_YML);
    const extra = await run("--config.format=prometheus", "--config.extra-args=-enable-features=integrations-next", path);
    assert.equal(extra.code, 1);
    assert.match(extra.stderr, /^Error: reading config path ".*extra\.yml": \(Critical\) extra arguments are not supported for the prometheus converter: \[-enable-features integrations-next\]$/m);
    const unknown = await run("--config.format=yaml", path);
    assert.match(unknown.stderr, /^Error: reading config path ".*extra\.yml": \(Critical\) unrecognized kind "yaml" given to the config converter$/m);
    const promtail = await run("--config.format=promtail", path);
    assert.match(promtail.stderr, /^Error: reading config path ".*extra\.yml": \(Critical\) converting from the promtail format .* is not supported yet by alloy-ts/m);
  });

  it("never converts a directory: its *.alloy files are loaded", async () => {
    const conf = join(dir.path, "conf.d");
    mkdirSync(conf);
    writeFileSync(join(conf, "prometheus.yml"), PROMETHEUS_YML);
    writeFileSync(join(conf, "a.alloy"), `local.file "a" {\n  filename = "${join(conf, "prometheus.yml")}"\n}\n`);
    const child = spawnRuntime(entry, ["run", "--server.http.listen-addr=127.0.0.1:0", `--storage.path=${join(dir.path, "data")}`, "--config.format=prometheus", conf], { cwd: dir.path });
    try {
      await child.waitFor(/Alloy is running/);
    } finally {
      child.kill("SIGTERM");
      await child.completion();
    }
  });
});

describe("a converted prometheus.yml whose components exist", () => {
  const dir = makeTempDir();
  let server: Server | undefined;
  after(() => {
    server?.close();
    dir.cleanup();
  });

  it("loads, scrapes the target, delivers to the remote write endpoint, and shows the converted source", async () => {
    let writes = 0;
    server = createServer((req, res) => {
      if (req.method === "POST") {
        req.resume();
        req.on("end", () => {
          writes++;
          res.writeHead(204).end();
        });
        return;
      }
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end("# TYPE demo_total counter\ndemo_total 42\n");
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;

    // Until alloy-ts has prometheus.remote_write, a stand-in with Alloy's arguments counts what arrives.
    const received: number[] = [];
    const standIn = defineComponent({
      name: "prometheus.remote_write",
      stability: "generally-available",
      args: RemoteWriteArguments,
      exports: struct({ receiver: attr(appendableType()) }),
      build(context) {
        context.onStateChange({ receiver: { append: (batch: MetricsBatch) => void received.push(batch.sampleCount) } });
        return { run: (signal) => new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true })), update: () => {} };
      },
    });
    const realRemoteWrite = BUILTIN_COMPONENTS.some((c) => c.name === "prometheus.remote_write");
    const delivered = () => (realRemoteWrite ? writes : received.reduce((a, b) => a + b, 0));

    const path = join(dir.path, "prometheus.yml");
    const remoteWrite = `remote_write:\n  - url: http://127.0.0.1:${port}/api/v1/write\n    queue_config:\n      batch_send_deadline: 1s\n`;
    writeFileSync(path, `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: demo\n    static_configs:\n      - targets: ["127.0.0.1:${port}"]\n${remoteWrite}`);
    const base = currentPlatform();
    const platform = convertingPlatform(base, path, "prometheus", { bypassErrors: false, extraArgs: "" });
    const logs = new LogController({ write: () => {} });
    const agent = new Agent({
      platform,
      logs,
      registry: builtinRegistry(realRemoteWrite ? [] : [standIn]),
      build: { version: "0.0.0", revision: "", branch: "", runtime: base.runtime.name, runtimeVersion: base.runtime.version, os: base.runtime.os, arch: base.runtime.arch },
      listenAddr: "127.0.0.1:0",
      memoryAddr: "alloy.internal:12345",
      enablePprof: false,
      storagePath: join(dir.path, "data"),
      minStability: "generally-available",
      enableCommunityComponents: false,
      shutdownDeadlineMs: 10_000,
      uiPathPrefix: "/",
    } as ConstructorParameters<typeof Agent>[0]);
    try {
      const result = await agent.load(path);
      assert.equal(result.ok, true, result.error);
      const source = agent.redactedSources().get(path)!;
      assert.match(source, /^prometheus\.scrape "demo" \{/m);
      assert.match(source, new RegExp(`__address__ = "127\\.0\\.0\\.1:${port}"`));
      assert.match(source, /^prometheus\.remote_write "default" \{/m);
      await agent.start();
      const deadline = Date.now() + 30_000;
      while (delivered() === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(delivered() > 0, "samples reached the remote write endpoint");

      // A reload converts the file again.
      writeFileSync(path, `scrape_configs:\n  - job_name: other\n    static_configs:\n      - targets: ["127.0.0.1:${port}"]\n${remoteWrite}`);
      const reloaded = await agent.reload();
      assert.equal(reloaded.ok, true, reloaded.error);
      assert.match(agent.redactedSources().get(path)!, /^prometheus\.scrape "other" \{/m);
    } finally {
      await agent.stop();
    }
  });
});
