// The HTTP server of `alloy run` end to end (issue 5): the real CLI as a child process under the
// runtime running the test, every route's status and body shape, reloads through /-/reload and
// SIGHUP (TLS on and off again), and a secret that never leaves the agent — not in any API
// response, not in any file of the support bundle. A second agent, embedded through mod.ts with
// components of the test's own (test/fixtures/http-e2e-agent.ts), covers what the CLI's built-in
// components cannot: a component's HTTP handler, the in-memory address reached from inside, and
// live debugging of a component that supports it.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, unzipSync } from "fflate";
import { makeTestCertificates } from "../helpers/tls.ts";
import { repoRoot, spawnRuntime, type ChildRun } from "../helpers/runtime.ts";
import { makeTempDir } from "../helpers/tmp.ts";

const entry = join(repoRoot, "src/cli/entry.ts");
const embedded = join(repoRoot, "test/fixtures/http-e2e-agent.ts");
const TEXT = "text/plain; charset=utf-8";
const decoder = new TextDecoder();

interface Reply {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
  text: string;
}

/** Every body the agent answered is checked against the secret as it arrives. */
class SecretWatch {
  checked = 0;
  constructor(readonly secret: string) {}
  check(label: string, text: string): void {
    this.checked++;
    assert.ok(!text.includes(this.secret), `the secret leaked in ${label}`);
  }
}

async function request(watch: SecretWatch, url: string, init?: RequestInit): Promise<Reply> {
  const response = await fetch(url, init);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const text = decoder.decode(bytes);
  watch.check(`${init?.method ?? "GET"} ${url}`, text);
  return { status: response.status, headers: response.headers, bytes, text };
}

/** curl, for TLS with a CA of the test's own; resolves with its exit code, status and body. */
function curl(args: string[]): Promise<{ code: number; status: number; body: string }> {
  return new Promise((resolve) => {
    execFile("curl", ["-s", "-S", "--max-time", "10", "-w", "\n%{http_code}", ...args], (error, stdout) => {
      const text = String(stdout);
      const cut = text.lastIndexOf("\n");
      const code = error ? Number((error as { code?: number }).code ?? 1) : 0;
      resolve({ code, status: Number(text.slice(cut + 1)) || 0, body: text.slice(0, cut) });
    });
  });
}

const count = (text: string, pattern: RegExp) => [...text.matchAll(new RegExp(pattern.source, "g"))].length;

async function waitForCount(child: ChildRun, pattern: RegExp, n: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (count(child.output, pattern) < n) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${n}× ${pattern}:\n${child.output}`);
    if (child.child.exitCode !== null) throw new Error(`agent exited:\n${child.output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Reads a streamed body until `enough` says so (or the time is up), then cancels it. */
async function readStream(watch: SecretWatch, url: string, enough: (text: string) => boolean, timeoutMs = 10_000) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const response = await fetch(url, { signal: controller.signal });
  let text = "";
  try {
    const reader = response.body!.getReader();
    while (!enough(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    await reader.cancel();
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  watch.check(url, text);
  return { status: response.status, headers: response.headers, text };
}

/** The shape of one component as /api/v0/web/components lists it (Alloy's Info.MarshalJSON). */
function assertComponentShape(c: Record<string, unknown>): void {
  assert.deepEqual(Object.keys(c), [
    "name", "type", "localID", "moduleID", ...(c.label ? ["label"] : []), "referencesTo", "referencedBy", "dataFlowEdgesTo",
    "health", "original", "arguments", "exports", "debugInfo", ...(c.createdModuleIDs ? ["createdModuleIDs"] : []), "liveDebuggingEnabled",
  ]);
  assert.equal(c.type, "block");
  assert.equal(c.original, "");
  const health = c.health as Record<string, unknown>;
  assert.deepEqual(Object.keys(health), ["state", "message", "updatedTime"]);
  assert.match(String(health.updatedTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  assert.equal(typeof c.liveDebuggingEnabled, "boolean");
}

describe("alloy run: every HTTP route end to end", () => {
  const dir = makeTempDir();
  const secret = `s3cr3t-${crypto.randomUUID()}`;
  const watch = new SecretWatch(secret);
  const file = (name: string, content: string) => {
    const path = join(dir.path, name);
    writeFileSync(path, content);
    return path;
  };
  const data = file("data.txt", "payload");
  const secretFile = file("secret.txt", secret);
  const certs = makeTestCertificates();
  const caFile = file("ca.pem", certs.ca);
  const certFile = file("server.pem", certs.cert);
  const keyFile = file("server.key", certs.key);
  const configPath = join(dir.path, "config.alloy");

  // The secret is a local.file marked is_secret, and it is in use: it is the password of the http
  // block's basic auth, which guards only /-/guarded.
  const config = (options: { liveDebugging?: boolean; dataFile?: string; tls?: boolean; extra?: string } = {}) =>
    [
      options.liveDebugging === undefined ? "" : `livedebugging {\n  enabled = ${options.liveDebugging}\n}\n`,
      `local.file "data" {\n  filename = "${options.dataFile ?? data}"\n}\n`,
      `local.file "secret" {\n  filename = "${secretFile}"\n  is_secret = true\n}\n`,
      "http {\n",
      '  auth {\n    basic {\n      username = "admin"\n      password = local.file.secret.content\n    }\n',
      '    filter {\n      paths = ["/-/guarded"]\n      authenticate_matching_paths = true\n    }\n  }\n',
      options.tls ? `  tls {\n    cert_file = "${certFile}"\n    key_file = "${keyFile}"\n  }\n` : "",
      "}\n",
      options.extra ?? "",
    ].join("");

  let child: ChildRun;
  let base: string;
  let port: string;

  before(async () => {
    writeFileSync(configPath, config());
    child = spawnRuntime(
      entry,
      [
        "run",
        "--server.http.listen-addr=127.0.0.1:0",
        "--server.http.enable-pprof",
        "--cluster.node-name=e2e-node",
        `--storage.path=${join(dir.path, "data")}`,
        configPath,
      ],
      { cwd: dir.path },
    );
    const output = await child.waitFor(/msg="now listening for http traffic".*addr=127\.0\.0\.1:\d+/);
    port = /addr=127\.0\.0\.1:(\d+)/.exec(output)![1]!;
    base = `http://127.0.0.1:${port}`;
    await child.waitFor(/Alloy is running/);
  });

  after(async () => {
    child?.kill("SIGTERM");
    await child?.completion();
    dir.cleanup();
  });

  it("answers /-/ready and /-/healthy", async () => {
    const ready = await request(watch, `${base}/-/ready`);
    assert.deepEqual([ready.status, ready.text, ready.headers.get("content-type")], [200, "Alloy is ready.\n", TEXT]);
    const healthy = await request(watch, `${base}/-/healthy`, { method: "HEAD" });
    assert.equal(healthy.status, 200);
    const body = await request(watch, `${base}/-/healthy`);
    assert.deepEqual([body.status, body.text], [200, "All Alloy components are healthy.\n"]);
  });

  it("serves /metrics as text and as OpenMetrics, with Alloy's metric names", async () => {
    const text = await request(watch, `${base}/metrics`);
    assert.equal(text.status, 200);
    assert.match(text.headers.get("content-type")!, /^text\/plain; version=0\.0\.4/);
    for (const name of [
      "alloy_build_info",
      "alloy_component_controller_evaluating",
      "alloy_component_controller_running_components",
      "alloy_component_evaluation_seconds",
      "alloy_component_dependencies_wait_seconds",
      "alloy_component_evaluation_queue_size",
      "alloy_config_hash",
      "alloy_config_last_load_successful",
      "alloy_config_last_load_success_timestamp_seconds",
      "alloy_config_load_failures_total",
      "alloy_resources_process_start_time_seconds",
      "alloy_resources_process_cpu_seconds_total",
      "alloy_resources_process_resident_memory_bytes",
      "alloy_resources_process_virtual_memory_bytes",
    ]) {
      assert.match(text.text, new RegExp(`^# TYPE ${name} `, "m"), name);
    }
    assert.match(text.text, /^alloy_build_info\{branch="[^"]*",goarch="[^"]+",goos="[^"]+",goversion="[^"]+",revision="[^"]*",tags="[^"]*",version="v[\d.]+[^"]*"\} 1$/m);
    assert.match(text.text, /^alloy_component_controller_running_components\{controller_id="",controller_path="\/",health_type="healthy"\} 2$/m);
    assert.match(text.text, /^alloy_config_last_load_successful 1$/m);
    assert.match(text.text, /^alloy_config_hash\{cluster_name="",sha256="[0-9a-f]{64}"\} 1$/m);
    assert.match(text.text, /^local_file_timestamp_last_accessed_unix_seconds\{component_id="local\.file\.data",component_path="\/"\} /m);

    const open = await request(watch, `${base}/metrics`, { headers: { accept: "application/openmetrics-text;version=1.0.0,text/plain;q=0.5" } });
    assert.equal(open.status, 200);
    assert.match(open.headers.get("content-type")!, /^application\/openmetrics-text; version=1\.0\.0/);
    assert.ok(open.text.endsWith("# EOF\n"));
    assert.match(open.text, /^# TYPE alloy_config_load_failures counter$/m);
    assert.match(open.text, /^alloy_config_load_failures_total 0$/m);
    assert.match(open.text, /^# TYPE alloy_resources_process_start_time_seconds gauge$/m);
  });

  it("serves /debug/pprof: the index, a CPU profile in pprof format, a heap snapshot", async () => {
    const index = await request(watch, `${base}/debug/pprof/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get("content-type")!, /^text\/html/);
    assert.match(index.text, /href="profile\?seconds=30"/);
    const profile = await request(watch, `${base}/debug/pprof/profile?seconds=1`);
    assert.equal(profile.status, 200);
    assert.deepEqual([profile.bytes[0], profile.bytes[1]], [0x1f, 0x8b], "gzipped, as Go serves it");
    const pprof = gunzipSync(profile.bytes);
    assert.ok(pprof.length > 0 && decoder.decode(pprof).includes("samples"), "a pprof Profile with its sample types");
    watch.check("the CPU profile", decoder.decode(pprof));
    const heap = await request(watch, `${base}/debug/pprof/heap`);
    assert.equal(heap.status, 200);
    const snapshot = JSON.parse(heap.text) as { snapshot: { meta: { node_fields: string[] } }; strings: string[] };
    assert.ok(snapshot.snapshot.meta.node_fields.includes("name"));
    assert.ok(snapshot.strings.includes("<redacted>"), "string contents are redacted");
  });

  it("builds the support bundle with Alloy's files, and none holds the secret", async () => {
    const response = await request(watch, `${base}/-/support?duration=1`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/zip");
    assert.equal(response.headers.get("content-disposition"), 'attachment; filename="alloy-support-bundle.zip"');
    const files = unzipSync(response.bytes);
    const names = Object.keys(files).sort();
    for (const name of [
      "alloy-components.json", "alloy-environment.txt", "alloy-logs.txt", "alloy-metadata.yaml", "alloy-metrics-sample-end.txt",
      "alloy-metrics-sample-start.txt", "alloy-peers.json", "alloy-runtime-flags.txt", "pprof/cpu.pprof", "pprof/heap.heapsnapshot",
      "sources/config.alloy",
    ]) {
      assert.ok(names.includes(`alloy-support-bundle/${name}`), `${name} in ${names.join(", ")}`);
    }
    for (const [name, bytes] of Object.entries(files)) watch.check(`the support bundle's ${name}`, decoder.decode(bytes));
    const text = (name: string) => decoder.decode(files[`alloy-support-bundle/${name}`]!);
    const components = JSON.parse(text("alloy-components.json")) as { localID: string }[];
    assert.deepEqual(components.map((c) => c.localID).sort(), ["local.file.data", "local.file.secret"]);
    assert.deepEqual(JSON.parse(text("alloy-peers.json")), [{ name: "e2e-node", addr: `127.0.0.1:${port}`, isSelf: true, state: "participant" }]);
    assert.match(text("sources/config.alloy"), /password = local\.file\.secret\.content/);
    assert.match(text("alloy-runtime-flags.txt"), /^server\.http\.enable-pprof=true$/m);
    assert.match(text("alloy-metrics-sample-start.txt"), /^alloy_build_info\{/m);

    const bad = await request(watch, `${base}/-/support?duration=99`);
    assert.deepEqual([bad.status, bad.text], [400, "duration value exceeds the server's write timeout\n"]);
  });

  it("serves the UI's API: components, one component with its secret as (secret), peers, modules", async () => {
    const list = await request(watch, `${base}/api/v0/web/components`);
    assert.deepEqual([list.status, list.headers.get("content-type")], [200, TEXT]);
    // In the controller's evaluation order, as Alloy lists them; the UI sorts.
    const components = JSON.parse(list.text) as Record<string, unknown>[];
    assert.deepEqual(components.map((c) => c.localID).sort(), ["local.file.data", "local.file.secret"]);
    for (const c of components) assertComponentShape(c);
    assert.ok(components.every((c) => (c.health as { state: string }).state === "healthy"));

    const one = await request(watch, `${base}/api/v0/web/components/local.file.secret`);
    assert.equal(one.status, 200);
    const detail = JSON.parse(one.text);
    assertComponentShape(detail);
    assert.deepEqual(detail.exports, [{ name: "content", type: "attr", value: { type: "capsule", value: "(secret)" } }]);
    assert.deepEqual(
      detail.arguments.find((s: { name: string }) => s.name === "is_secret"),
      { name: "is_secret", type: "attr", value: { type: "bool", value: true } },
    );
    assert.equal(detail.liveDebuggingEnabled, false);
    const gzipped = await fetch(`${base}/api/v0/web/components`, { headers: { "accept-encoding": "gzip" } });
    assert.equal(gzipped.status, 200);
    watch.check("gzipped components", await gzipped.text());

    const missing = await request(watch, `${base}/api/v0/web/components/local.file.nope`);
    assert.deepEqual([missing.status, missing.text], [404, "404 page not found\n"]);
    const module = await request(watch, `${base}/api/v0/web/modules/nope/components`);
    assert.deepEqual([module.status, module.text], [500, "module not found\n"]);
    // The remotecfg service runs without a remotecfg block too, with an empty controller.
    const remote = await request(watch, `${base}/api/v0/web/remotecfg/components`);
    assert.deepEqual([remote.status, remote.text], [200, "[]"]);

    // Alloy runs its cluster service even without clustering: this node alone, a participant, at
    // 127.0.0.1 and the port of --server.http.listen-addr (the one the system picked for port 0).
    const peers = await request(watch, `${base}/api/v0/web/peers`);
    assert.equal(peers.status, 200);
    assert.deepEqual(JSON.parse(peers.text), [{ name: "e2e-node", addr: `127.0.0.1:${port}`, isSelf: true, state: "participant" }]);

    const graph = await readStream(watch, `${base}/api/v0/web/graph?window=1`, (t) => t.includes("|;|"));
    assert.deepEqual([graph.status, graph.text], [200, "[]|;|"]);

    const ui = await request(watch, `${base}/`);
    assert.equal(ui.status, 200);
    assert.match(ui.text, /<base href="\/"/);
    const spa = await request(watch, `${base}/component/local.file.secret`);
    assert.equal(spa.status, 200, "the single-page app's own routes fall back to index.html");
  });

  it("answers /debug/{id}: disabled without the livedebugging block, unsupported for local.file once enabled", async () => {
    const disabled = await request(watch, `${base}/api/v0/web/debug/local.file.data`);
    assert.deepEqual(
      [disabled.status, disabled.text],
      [500, "the live debugging service is disabled. Check the documentation to find out how to enable it\n"],
    );
    writeFileSync(configPath, config({ liveDebugging: true }));
    const reload = await request(watch, `${base}/-/reload`, { method: "POST" });
    assert.deepEqual([reload.status, reload.text], [200, "config reloaded\n"]);
    const unsupported = await request(watch, `${base}/api/v0/web/debug/local.file.data`);
    assert.deepEqual([unsupported.status, unsupported.text], [500, 'the component "local.file" does not support live debugging\n']);
    const missing = await request(watch, `${base}/api/v0/web/debug/local.file.nope`);
    assert.deepEqual([missing.status, missing.text], [500, "component not found\n"]);
    writeFileSync(configPath, config({ liveDebugging: false }));
    assert.equal((await request(watch, `${base}/-/reload`)).status, 200);
    assert.equal((await request(watch, `${base}/api/v0/web/debug/local.file.data`)).status, 500);
  });

  it("routes /api/v0/component/{id}/... by the longest existing id; components without a handler get 404", async () => {
    const noHandler = await request(watch, `${base}/api/v0/component/local.file.data/metrics`);
    assert.deepEqual([noHandler.status, noHandler.text], [404, ""]);
    const unknown = await request(watch, `${base}/api/v0/component/nope.nope/metrics`);
    assert.deepEqual([unknown.status, unknown.text], [400, 'failed to parse URL path "nope.nope/metrics": invalid path\n']);
  });

  it("applies basic auth from the http block to the paths it filters", async () => {
    const denied = await request(watch, `${base}/-/guarded`);
    assert.deepEqual([denied.status, denied.text, denied.headers.get("www-authenticate")], [401, "", 'Basic realm="Restricted"']);
    const wrong = await request(watch, `${base}/-/guarded`, { headers: { authorization: `Basic ${btoa("admin:wrong")}` } });
    assert.equal(wrong.status, 401);
    const allowed = await request(watch, `${base}/-/guarded`, { headers: { authorization: `Basic ${btoa(`admin:${secret}`)}` } });
    assert.equal(allowed.status, 200, "past auth, the UI's single-page app answers");
  });

  it("reloads with GET and POST /-/reload; a failed reload answers 400 and keeps the last good state", async () => {
    for (const method of ["GET", "POST"]) {
      const ok = await request(watch, `${base}/-/reload`, { method });
      assert.deepEqual([ok.status, ok.text, ok.headers.get("content-type")], [200, "config reloaded\n", TEXT]);
    }
    writeFileSync(configPath, `${config()}local.file "broken" {\n`);
    const broken = await request(watch, `${base}/-/reload`, { method: "POST" });
    assert.equal(broken.status, 400);
    assert.match(broken.text, /config\.alloy:\d+:\d+: .+\n$/);
    assert.match((await request(watch, `${base}/metrics`)).text, /^alloy_config_load_failures_total 1$/m);
    assert.equal((await request(watch, `${base}/-/ready`)).status, 200);
    const put = await request(watch, `${base}/-/reload`, { method: "PUT" });
    assert.equal(put.status, 200, "with the UI at /, other methods fall through to the single-page app, as in Alloy");
    assert.notEqual(put.text, "config reloaded\n");
  });

  it("reports an unhealthy component on /-/healthy after a reload that breaks it, and recovers", async () => {
    writeFileSync(configPath, config({ dataFile: join(dir.path, "missing.txt") }));
    const reload = await request(watch, `${base}/-/reload`, { method: "POST" });
    assert.equal(reload.status, 400);
    assert.match(reload.text, /missing\.txt.*no such file or directory/);
    const healthy = await request(watch, `${base}/-/healthy`);
    assert.deepEqual([healthy.status, healthy.text, healthy.headers.get("content-type")], [500, "unhealthy components: local.file\n", TEXT]);
    const detail = JSON.parse((await request(watch, `${base}/api/v0/web/components/local.file.data`)).text);
    assert.equal(detail.health.state, "unhealthy");
    assert.match(detail.health.message, /no such file or directory/);
    assert.match((await request(watch, `${base}/metrics`)).text, /health_type="unhealthy"\} 1$/m);

    writeFileSync(configPath, config());
    assert.equal((await request(watch, `${base}/-/reload`, { method: "POST" })).status, 200);
    await eventually(() => request(watch, `${base}/-/healthy`), (r) => r.status === 200);
  });

  it("turns TLS on and off again across SIGHUP reloads", async () => {
    const ready = [`--cacert`, caFile, `https://127.0.0.1:${port}/-/ready`];
    writeFileSync(configPath, config({ tls: true }));
    child.kill("SIGHUP");
    await waitForCount(child, /msg="applying TLS config to HTTP server"/, 1);
    const secure = await curl(ready);
    assert.deepEqual([secure.code, secure.status, secure.body], [0, 200, "Alloy is ready.\n"]);
    const components = await curl(["--cacert", caFile, `https://127.0.0.1:${port}/api/v0/web/components/local.file.secret`]);
    assert.equal(components.status, 200);
    watch.check("components over TLS", components.body);
    assert.match(components.body, /"\(secret\)"/);
    const plain = await curl([`http://127.0.0.1:${port}/-/ready`]);
    assert.ok(plain.code !== 0 || plain.status !== 200, `plain HTTP is refused: ${JSON.stringify(plain)}`);
    const untrusted = await curl([`https://127.0.0.1:${port}/-/ready`]);
    assert.notEqual(untrusted.code, 0, "without the CA the certificate is not trusted");
    const guarded = await curl(["--cacert", caFile, "-u", `admin:${secret}`, `https://127.0.0.1:${port}/-/guarded`]);
    assert.equal(guarded.status, 200, "basic auth still applies under TLS");

    writeFileSync(configPath, config());
    child.kill("SIGHUP");
    await waitForCount(child, /msg="applying non-TLS config to HTTP server"/, 1);
    const back = await request(watch, `${base}/-/ready`);
    assert.deepEqual([back.status, back.text], [200, "Alloy is ready.\n"]);
    const noTls = await curl(["--cacert", caFile, `https://127.0.0.1:${port}/-/ready`]);
    assert.notEqual(noTls.code, 0, "TLS is off again");
  });

  it("let no response carry the secret", () => {
    assert.ok(watch.checked > 40, `${watch.checked} bodies checked`);
    assert.doesNotMatch(child.output, new RegExp(secret), "nor the agent's logs");
  });
});

describe("an embedded agent: component handlers, the in-memory address, live debugging", () => {
  const dir = makeTempDir();
  const watch = new SecretWatch("never-used-secret");
  const configPath = join(dir.path, "embedded.alloy");
  const config = (enabled: boolean) =>
    `livedebugging {\n  enabled = ${enabled}\n}\n` +
    'test.echo "a" {\n  greeting = "hi"\n}\n' +
    'test.fetch "handler" {\n  url = "http://alloy.internal:12345/api/v0/component/test.echo.a/inside?q=1"\n}\n' +
    'test.fetch "metrics" {\n  url = "http://alloy.internal:12345/metrics"\n}\n';
  let child: ChildRun;
  let base: string;

  before(async () => {
    writeFileSync(configPath, config(true));
    child = spawnRuntime(embedded, [configPath, join(dir.path, "data")], { cwd: dir.path });
    const output = await child.waitFor(/^listening on \d+$/m);
    base = `http://127.0.0.1:${/^listening on (\d+)$/m.exec(output)![1]}`;
  });

  after(async () => {
    child?.kill("SIGTERM");
    await child?.completion();
    dir.cleanup();
  });

  const exports = async (id: string) => {
    const detail = JSON.parse((await request(watch, `${base}/api/v0/web/components/${id}`)).text);
    return Object.fromEntries(detail.exports.map((s: { name: string; value: { value: unknown } }) => [s.name, s.value.value]));
  };

  it("hands requests below /api/v0/component/{id}/ to the component, with its own path", async () => {
    const reply = await request(watch, `${base}/api/v0/component/test.echo.a/metrics?x=1`, { method: "POST" });
    assert.deepEqual([reply.status, reply.text], [200, "hi from test.echo.a: POST /metrics?x=1"]);
    const slash = await request(watch, `${base}/api/v0/component/test.echo.a/a/b/`);
    assert.equal(slash.text, "hi from test.echo.a: GET /a/b/");
    const root = await request(watch, `${base}/api/v0/component/test.echo.a`);
    assert.equal(root.text, "hi from test.echo.a: GET /");
  });

  it("lets a component reach the agent's own HTTP app at alloy.internal:12345 through its fetch", async () => {
    const handler = await eventually(() => exports("test.fetch.handler"), (e) => e.status === 200);
    assert.equal(handler.body, "hi from test.echo.a: GET /inside?q=1");
    const metrics = await eventually(() => exports("test.fetch.metrics"), (e) => e.status === 200);
    assert.match(String(metrics.body), /^alloy_build_info\{/m);
  });

  it("streams live debugging for a component that supports it, and says disabled once the block is off", async () => {
    const list = JSON.parse((await request(watch, `${base}/api/v0/web/components`)).text) as { localID: string; liveDebuggingEnabled: boolean }[];
    assert.deepEqual(
      list.map((c) => [c.localID, c.liveDebuggingEnabled]).sort(),
      [["test.echo.a", true], ["test.fetch.handler", false], ["test.fetch.metrics", false]],
    );
    const stream = await readStream(watch, `${base}/api/v0/web/debug/test.echo.a`, (t) => count(t, /\|;\|/) >= 3);
    assert.equal(stream.status, 200);
    assert.match(stream.text, /^(hi \d+\|;\|){3,}/);
    const unsupported = await request(watch, `${base}/api/v0/web/debug/test.fetch.handler`);
    assert.deepEqual([unsupported.status, unsupported.text], [500, 'the component "test.fetch" does not support live debugging\n']);
    const badProbability = await readStream(watch, `${base}/api/v0/web/debug/test.echo.a?sampleProb=2`, (t) => t.includes("|;|"));
    assert.equal(badProbability.status, 400);
    assert.match(badProbability.text, /^Invalid sample probability\nhi \d+\|;\|/);

    // The graph counts what supporting components publish, as rates per window.
    const graph = await readStream(watch, `${base}/api/v0/web/graph?window=1`, (t) => /"rate":[1-9]/.test(t));
    const rates = JSON.parse(graph.text.split("|;|").find((item) => item.includes('"rate"'))!);
    assert.deepEqual(Object.keys(rates[0]), ["componentID", "targetComponentIDs", "type", "rate"]);
    assert.deepEqual([rates[0].componentID, rates[0].type, rates[0].targetComponentIDs], ["test.echo.a", "loki_log", null]);
    assert.ok(rates[0].rate > 10, `2 items every 50ms make ~40/s: ${rates[0].rate}`);

    writeFileSync(configPath, config(false));
    assert.equal((await request(watch, `${base}/-/reload`, { method: "POST" })).status, 200);
    const disabled = await request(watch, `${base}/api/v0/web/debug/test.echo.a`);
    assert.deepEqual(
      [disabled.status, disabled.text],
      [500, "the live debugging service is disabled. Check the documentation to find out how to enable it\n"],
    );
  });
});
