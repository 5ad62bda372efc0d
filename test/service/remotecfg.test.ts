// The remotecfg service: its collector.v1 codec against protobufjs, the block's checks, and an agent
// (the same Agent `alloy run` and mod.ts use) talking to a Connect server on 127.0.0.1 — it
// registers, fetches and runs a configuration whose components are listed under remotecfg/, picks up
// a change, keeps the last good configuration when the server sends a broken one or goes away, and
// starts from its cache when the server is down. Polls are triggered with pollNow() so the test does
// not wait for poll_frequency (the CLI test waits for real polls).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { builtinRegistry } from "../../src/component/registry.ts";
import { platform as currentPlatform } from "../../src/platform/mod.ts";
import { LogController } from "../../src/runtime/logging/logger.ts";
import { Agent } from "../../src/service/agent.ts";
import { argumentsHash, fnv32Hex, RemotecfgBlock } from "../../src/service/remotecfg/arguments.ts";
import { ConnectCollectorClient, ConnectError } from "../../src/service/remotecfg/client.ts";
import {
  decodeGetConfigResponse,
  encodeGetConfigRequest,
  encodeRegisterCollectorRequest,
  encodeUnregisterCollectorRequest,
  RemoteConfigStatuses,
} from "../../src/service/remotecfg/proto.ts";
import { VALIDATE_SERVICES } from "../../src/cli/commands/validate.ts";
import { parseFile } from "../../src/syntax/parser.ts";
import { decodeBody } from "../../src/syntax/vm/index.ts";
import { makeTempDir } from "../helpers/tmp.ts";
import { makeTestCertificates } from "../helpers/tls.ts";
import { CollectorServer, eventually, msg } from "./remotecfg-server.ts";

const utf8 = new TextEncoder();

describe("remotecfg: collector.v1 codec", () => {
  it("encodes requests protobufjs decodes, field for field", () => {
    const request = msg("GetConfigRequest").toObject(
      msg("GetConfigRequest").decode(
        encodeGetConfigRequest({
          id: "agent-1",
          localAttributes: { "collector.os": "linux", team: "ü" },
          hash: "abc",
          remoteConfigStatus: { status: RemoteConfigStatuses.FAILED, errorMessage: "1:1: broken" },
          effectiveConfig: { configMap: new Map([["", { body: utf8.encode("x {}"), contentType: "text/plain" }]]) },
        }),
      ),
      { enums: Number },
    );
    assert.equal(request.id, "agent-1");
    assert.equal(request.hash, "abc");
    assert.deepEqual(request.local_attributes, { "collector.os": "linux", team: "ü" });
    assert.equal(request.attributes, undefined, "the deprecated attributes are not sent");
    assert.deepEqual(request.remote_config_status, { status: 3, error_message: "1:1: broken" });
    const file = request.effective_config.config_map.config_map[""];
    assert.equal(new TextDecoder().decode(file.body), "x {}");
    assert.equal(file.content_type, "text/plain");

    // An unchanged status is still a present (empty) message when sent.
    const unset = msg("GetConfigRequest").decode(
      encodeGetConfigRequest({ id: "a", localAttributes: {}, hash: "", remoteConfigStatus: { status: RemoteConfigStatuses.UNSET, errorMessage: "" } }),
    ) as unknown as { remote_config_status: unknown };
    assert.ok(unset.remote_config_status, "status present");
    const bare = msg("GetConfigRequest").decode(encodeGetConfigRequest({ id: "a", localAttributes: {}, hash: "" })) as unknown as Record<string, unknown>;
    assert.equal(bare.remote_config_status, null);
    assert.equal(bare.effective_config, null);

    const register = msg("RegisterCollectorRequest").toObject(
      msg("RegisterCollectorRequest").decode(encodeRegisterCollectorRequest({ id: "x", name: "my agent", localAttributes: { a: "", b: "2" } })),
    );
    assert.deepEqual(register, { id: "x", name: "my agent", local_attributes: { a: "", b: "2" } });
    assert.deepEqual(msg("UnregisterCollectorRequest").toObject(msg("UnregisterCollectorRequest").decode(encodeUnregisterCollectorRequest({ id: "x" }))), { id: "x" });
  });

  it("decodes responses protobufjs encodes, skipping unknown fields", () => {
    const m = msg("GetConfigResponse");
    const bytes = m.encode(m.fromObject({ content: 'local.file "a" { filename = "é" }', hash: "h1", not_modified: true })).finish();
    assert.deepEqual(decodeGetConfigResponse(bytes), { content: 'local.file "a" { filename = "é" }', hash: "h1", notModified: true });
    assert.deepEqual(decodeGetConfigResponse(new Uint8Array()), { content: "", hash: "", notModified: false });
    // Field 9 (varint), field 10 (fixed64), field 11 (bytes), field 12 (fixed32) before the content.
    const unknown = [0x48, 0x96, 0x01, 0x51, 1, 2, 3, 4, 5, 6, 7, 8, 0x5a, 2, 0x61, 0x62, 0x65, 1, 2, 3, 4];
    assert.deepEqual(decodeGetConfigResponse(new Uint8Array([...unknown, ...bytes])), { content: 'local.file "a" { filename = "é" }', hash: "h1", notModified: true });
    assert.throws(() => decodeGetConfigResponse(new Uint8Array([0x0a, 5, 0x61])), /unexpected EOF/);
    assert.throws(() => decodeGetConfigResponse(new Uint8Array([0x0a, 1, 0xff])), /invalid UTF-8/);
  });

  it("hashes with Go's FNV-1 (32 bits), as Alloy's getHash", () => {
    assert.equal(fnv32Hex(new Uint8Array()), "811c9dc5");
    assert.equal(fnv32Hex(utf8.encode("a")), "050c5d7e");
    assert.equal(fnv32Hex(utf8.encode("foobar")), "31f0b262");
  });

  it("reports Connect errors in connect-go's words", async () => {
    const reply = (status: number, body: string, type: string) => async () => new Response(body, { status, headers: { "content-type": type } });
    const call = (f: () => Promise<Response>) => new ConnectCollectorClient("http://x/", f, "ua").registerCollector({ id: "a", name: "", localAttributes: {} });
    await assert.rejects(call(reply(503, '{"code":"unavailable","message":"try later"}', "application/json")), { name: "ConnectError", message: "unavailable: try later" });
    await assert.rejects(call(reply(404, "404 page not found\n", "text/plain")), { message: "unimplemented: HTTP status 404 Not Found" });
    await assert.rejects(call(reply(415, "", "text/plain")), { message: "unknown: HTTP status 415 Unsupported Media Type" });
    await assert.rejects(call(reply(200, "<html>", "text/html")), { message: 'internal: invalid content-type: "text/html"; expecting "application/proto"' });
    const refused = new ConnectCollectorClient("http://127.0.0.1:1/api/", (url, init) => fetch(url, init), "ua");
    const error = await refused.getConfig({ id: "a", localAttributes: {}, hash: "" }).catch((e: unknown) => e);
    assert.ok(error instanceof ConnectError);
    assert.equal(error.code, "unavailable");
    assert.match(error.message, /^unavailable: Post "http:\/\/127\.0\.0\.1:1\/api\/collector\.v1\.CollectorService\/GetConfig": /);
  });
});

function decodeBlock(body: string) {
  return decodeBody(parseFile("config.alloy", body), RemotecfgBlock);
}

describe("remotecfg: the block", () => {
  it("has Alloy's defaults and checks", () => {
    const args = decodeBlock("");
    assert.equal(args.url, "");
    assert.equal(args.poll_frequency, 60e9);
    assert.deepEqual(args.attributes, {});
    assert.equal(args.http_client.follow_redirects, true);
    assert.equal(args.http_client.enable_http2, true);
    assert.throws(() => decodeBlock('poll_frequency = "5s"'), /poll_frequency must be at least "10s", got "5s"/);
    assert.throws(() => decodeBlock('attributes = {"collector.os" = "plan9"}'), /"collector" is a reserved namespace for remotecfg attribute keys/);
    assert.throws(
      () => decodeBlock('bearer_token = "t"\nbasic_auth {\n username = "u"\n password = "p"\n}'),
      /at most one of basic_auth, authorization, oauth2, bearer_token & bearer_token_file must be configured/,
    );
    // What alloy-ts cannot do still decodes (and validates); the service refuses it when applied.
    assert.equal(decodeBlock('proxy_url = "http://proxy:3128"').http_client.proxy_url, "http://proxy:3128");
  });

  it("is the schema alloy validate uses", () => {
    assert.equal(VALIDATE_SERVICES.find((s) => s.name === "remotecfg")?.args, RemotecfgBlock);
  });

  it("hashes the block into a cache name that changes with it", () => {
    const a = argumentsHash(decodeBlock('url = "http://a"\nid = "x"'));
    assert.match(a, /^[0-9a-f]{8}$/);
    assert.equal(argumentsHash(decodeBlock('url = "http://a"\nid = "x"')), a);
    assert.notEqual(argumentsHash(decodeBlock('url = "http://a"\nid = "y"')), a);
  });
});

interface TestAgent {
  agent: Agent;
  logs: string[];
  get(path: string): Promise<{ status: number; text: string }>;
  components(): Promise<{ localID: string; moduleID: string; health: { state: string } }[]>;
  metric(name: string): Promise<string>;
}

function startAgent(dir: string, config: string): TestAgent {
  const platform = currentPlatform();
  const logs: string[] = [];
  const agent = new Agent({
    platform,
    logs: new LogController({ write: (line) => logs.push(line) }),
    registry: builtinRegistry(),
    build: { version: "1.2.3", revision: "", branch: "", runtime: platform.runtime.name, runtimeVersion: platform.runtime.version, os: platform.runtime.os, arch: platform.runtime.arch },
    listenAddr: "127.0.0.1:0",
    memoryAddr: "alloy.internal:12345",
    enablePprof: false,
    storagePath: join(dir, "data"),
    minStability: "generally-available",
    enableCommunityComponents: false,
    shutdownDeadlineMs: 10_000,
    uiPathPrefix: "/",
  });
  writeFileSync(join(dir, "config.alloy"), config);
  const get = async (path: string) => {
    // The agent's app itself: it answers before the HTTP service has started.
    const response = await agent.app().fetch(new Request(`http://alloy.internal:12345${path}`));
    return { status: response.status, text: await response.text() };
  };
  return {
    agent,
    logs,
    get,
    async components() {
      const { status, text } = await get("/api/v0/web/remotecfg/components");
      assert.equal(status, 200, text);
      return JSON.parse(text);
    },
    async metric(name: string) {
      const { text } = await get("/metrics");
      return text.split("\n").filter((l) => l.startsWith(name)).join("\n");
    },
  };
}

const ids = (list: { localID: string }[]) => list.map((c) => c.localID).sort();

describe("remotecfg: an agent and a Connect server", () => {
  const dir = makeTempDir();
  const server = new CollectorServer();
  let port = 0;
  const fileA = join(dir.path, "a.txt");
  const fileB = join(dir.path, "b.txt");
  const configA = `local.file "a" {\n  filename = ${JSON.stringify(fileA)}\n}\n`;
  const configB = `local.file "b" {\n  filename = ${JSON.stringify(fileB)}\n}\n`;
  const block = () =>
    `remotecfg {\n  url = ${JSON.stringify(`http://127.0.0.1:${port}/`)}\n  id = "agent-7"\n  name = "test agent"\n  attributes = {"team" = "blue"}\n  poll_frequency = "10m"\n}\n`;
  let t: TestAgent;

  before(async () => {
    writeFileSync(fileA, "hello from a");
    writeFileSync(fileB, "hello from b");
    await server.start();
    port = server.server!.port;
  });

  after(async () => {
    await t?.agent.stop();
    await server.stop();
    dir.cleanup();
  });

  it("says the service is starting before it runs", async () => {
    server.content = configA;
    t = startAgent(dir.path, block());
    const result = await t.agent.load(join(dir.path, "config.alloy"));
    assert.equal(result.ok, true, result.error);
    const { status, text } = await t.get("/api/v0/web/remotecfg/components");
    assert.equal(status, 500);
    assert.equal(text, "remote config service startup in progress\n");
  });

  it("registers, fetches the configuration and runs it under remotecfg/", async () => {
    await t.agent.start();
    const list = await eventually(async () => {
      const list = await t.components();
      assert.deepEqual(ids(list), ["local.file.a"]);
      assert.equal(list[0]!.health.state, "healthy");
      return list;
    });
    assert.equal(list[0]!.moduleID, "remotecfg");
    assert.equal(server.registers[0]?.id, "agent-7");
    assert.equal(server.registers[0]?.name, "test agent");
    assert.deepEqual(server.registers[0]?.local_attributes, { "collector.os": currentPlatform().runtime.os, "collector.version": "v1.2.3", team: "blue" });
    assert.match(server.registers[0]!.userAgent, /^Alloy\/v1\.2\.3 \([a-z0-9]+; [a-z]+\)$/);

    const detail = await t.get("/api/v0/web/remotecfg/components/local.file.a");
    assert.equal(detail.status, 200);
    assert.match(detail.text, /"name":"content".*hello from a/);
    // The root module does not have it; the remotecfg id resolves in the component API too.
    assert.equal((await t.get("/api/v0/web/components/local.file.a")).status, 404);
    assert.equal((await t.get("/api/v0/web/remotecfg/components/remotecfg/local.file.a")).status, 200);
    assert.equal((await t.get("/api/v0/component/remotecfg/local.file.a/anything")).status, 404, "found, without an HTTP handler");
    assert.equal((await t.get("/api/v0/component/remotecfg/local.file.zzz/anything")).status, 400);

    // The status and the effective configuration reach the server at once after the load.
    const last = await eventually(() => {
      const last = server.getConfigs.at(-1)!;
      assert.equal(last.remote_config_status?.status, RemoteConfigStatuses.APPLIED);
      return last;
    });
    assert.equal(server.getConfigs[0]!.remote_config_status?.status, RemoteConfigStatuses.UNSET, "the first request reports the initial status");
    assert.equal(new TextDecoder().decode(last.effective_config!.config_map!.config_map![""]!.body), configA);
    assert.equal(last.effective_config!.config_map!.config_map![""]!.content_type, "text/plain");
    assert.notEqual(last.hash, "", "the server's hash is sent back");

    // The cache holds what loaded, named after the block.
    const cache = t.agent.remotecfg.cachePath;
    assert.ok(cache.startsWith(join(dir.path, "data", "remotecfg") + "/"), cache);
    assert.equal(readFileSync(cache, "utf8"), configA);
    assert.equal(t.agent.remotecfg.redactedConfig() + "\n", configA.replace("  ", "\t"), "printed as alloy fmt does");
    assert.match(await t.metric("remotecfg_hash"), new RegExp(`^remotecfg_hash\\{hash="${fnv32Hex(utf8.encode(configA))}"\\} 1$`));
    assert.equal(await t.metric("remotecfg_last_load_successful"), "remotecfg_last_load_successful 1");
    assert.equal(await t.metric("remotecfg_load_attempts_total"), "remotecfg_load_attempts_total 1");
    assert.match(await t.metric("remotecfg_request_duration_seconds_count"), /^remotecfg_request_duration_seconds_count [1-9]/);
    assert.equal(await t.metric("remotecfg_last_received_hash"), "", "registered by Alloy? no: metrics.go never registers it");
  });

  it("answers not_modified polls without reloading", async () => {
    const before = server.getConfigs.length;
    await t.agent.remotecfg.pollNow();
    assert.equal(server.getConfigs.length, before + 1, "no status change, no second request");
    assert.equal(await t.metric("remotecfg_last_load_not_modified"), "remotecfg_last_load_not_modified 1");
    assert.equal(await t.metric("remotecfg_load_attempts_total"), "remotecfg_load_attempts_total 2");
  });

  it("picks up a changed configuration on the next poll", async () => {
    server.content = configB;
    await t.agent.remotecfg.pollNow();
    await eventually(async () => assert.deepEqual(ids(await t.components()), ["local.file.b"]));
    assert.equal(await t.metric("remotecfg_last_load_not_modified"), "remotecfg_last_load_not_modified 0");
    assert.equal(readFileSync(t.agent.remotecfg.cachePath, "utf8"), configB);
    assert.ok(t.logs.some((l) => l.includes('msg="successfully loaded remote configuration"') && l.includes(fnv32Hex(utf8.encode(configB)))));
  });

  it("keeps the last good configuration when the server sends a broken one", async () => {
    server.content = "this is { not alloy";
    await t.agent.remotecfg.pollNow();
    assert.deepEqual(ids(await t.components()), ["local.file.b"]);
    const failed = server.statuses().at(-1)!;
    assert.equal(failed.status, RemoteConfigStatuses.FAILED);
    assert.match(failed.error_message, /^1:\d+: /);
    assert.equal(t.agent.remotecfg.lastLoadedHash, fnv32Hex(utf8.encode(configB)));
    assert.equal(t.agent.remotecfg.lastReceivedHash, fnv32Hex(utf8.encode(server.content)));
    assert.equal(readFileSync(t.agent.remotecfg.cachePath, "utf8"), configB, "the cache keeps the good one");
    // The cached configuration was loaded again to restore component health.
    assert.equal(await t.metric("remotecfg_last_load_successful"), "remotecfg_last_load_successful 1");
    assert.ok(t.logs.some((l) => l.includes('msg="successfully restored cached configuration"')));

    // One that parses but does not evaluate: the cache is loaded again, the components stay healthy.
    server.content = `local.file "c" {\n  filename = 12\n}\n`;
    await t.agent.remotecfg.pollNow();
    await eventually(async () => {
      const list = await t.components();
      assert.deepEqual(ids(list), ["local.file.b"]);
      assert.equal(list[0]!.health.state, "healthy");
    });
    assert.match(server.statuses().at(-1)!.error_message, /^1:1: Failed to build component: .*open 12: no such file or directory/);
    // Sending the broken one again changes nothing.
    const n = t.logs.length;
    await t.agent.remotecfg.pollNow();
    assert.ok(!t.logs.slice(n).some((l) => l.includes("attempting to parse and load")));
  });

  it("keeps running when the server goes away", async () => {
    server.content = configB;
    await t.agent.remotecfg.pollNow();
    assert.equal(server.statuses().at(-1)!.status, RemoteConfigStatuses.APPLIED, "back to the one that runs");
    const failures = Number((await t.metric("remotecfg_load_failures_total")).split(" ")[1]);
    await server.stop();
    await t.agent.remotecfg.pollNow();
    assert.deepEqual(ids(await t.components()), ["local.file.b"]);
    assert.equal(await t.metric("remotecfg_load_failures_total"), `remotecfg_load_failures_total ${failures + 1}`);
    assert.equal(await t.metric("remotecfg_last_load_successful"), "remotecfg_last_load_successful 0");
    assert.ok(t.logs.some((l) => l.includes('msg="failed to fetch remote config, continuing with current config"') && l.includes("unavailable:")));
    await t.agent.stop();
  });

  it("starts from the cache when the server is down, and catches up when it is back", async () => {
    t = startAgent(dir.path, block());
    const result = await t.agent.load(join(dir.path, "config.alloy"));
    assert.equal(result.ok, true, result.error);
    assert.ok(t.logs.some((l) => l.includes('msg="failed to register collector with remote server"')));
    await t.agent.start();
    await eventually(async () => assert.deepEqual(ids(await t.components()), ["local.file.b"]));
    assert.ok(t.logs.some((l) => l.includes('msg="successfully loaded configuration from cache"')));

    await server.start(port);
    server.content = configA;
    const registered = server.registers.length;
    await t.agent.remotecfg.pollNow();
    await eventually(async () => assert.deepEqual(ids(await t.components()), ["local.file.a"]));
    assert.equal(server.registers.length, registered + 1, "registration is retried");
  });

  it("unregisters at shutdown", async () => {
    await t.agent.stop();
    assert.equal(server.unregisters.at(-1), "agent-7");
  });

  it("loads the configuration again when the agent starts again", async () => {
    const registered = server.registers.length;
    await t.agent.start();
    await eventually(async () => {
      assert.deepEqual(ids(await t.components()), ["local.file.a"]);
      // Run fetches, then registers (Alloy's order).
      assert.equal(server.registers.length, registered + 1);
    });
    await t.agent.stop();
    assert.equal((await t.get("/api/v0/web/remotecfg/components")).text, "remote config service startup in progress\n");
  });

  it("refuses client settings alloy-ts cannot honour", async () => {
    const other = startAgent(dir.path, `remotecfg {\n  url = "http://127.0.0.1:${port}"\n  proxy_url = "http://127.0.0.1:3128"\n}\n`);
    const result = await other.agent.load(join(dir.path, "config.alloy"));
    assert.equal(result.ok, false);
    assert.match(result.error!, /remotecfg: proxy_url is not supported by alloy-ts yet/);
    assert.ok(!existsSync(join(dir.path, "data", "remotecfg", "x")));
  });

  it("uses the seed's UID when no id is set", async () => {
    const before = server.registers.length;
    const other = startAgent(dir.path, `remotecfg {\n  url = "http://127.0.0.1:${port}"\n}\n`);
    const result = await other.agent.load(join(dir.path, "config.alloy"));
    assert.equal(result.ok, true, result.error);
    const seed = JSON.parse(readFileSync(join(dir.path, "data", "alloy_seed.json"), "utf8")) as { UID: string };
    assert.equal(server.registers[before]?.id, seed.UID);
  });
});

describe("remotecfg: TLS settings", () => {
  const dir = makeTempDir();
  const certs = makeTestCertificates();
  const server = new CollectorServer();
  const file = join(dir.path, "tls.txt");
  let t: TestAgent | undefined;

  before(async () => {
    writeFileSync(file, "over TLS");
    writeFileSync(join(dir.path, "ca.pem"), certs.ca);
    server.content = `local.file "tls" {\n  filename = ${JSON.stringify(file)}\n}\n`;
    await server.start(0, { cert: certs.cert, key: certs.key });
  });

  after(async () => {
    await t?.agent.stop();
    await server.stop();
    dir.cleanup();
  });

  const block = (tls: string, extra = "") =>
    `remotecfg {\n  url = "${server.url}"\n  id = "tls-agent"\n${extra}  tls_config {\n${tls}  }\n}\n`;

  it("verifies the server with the CA of tls_config (HTTP/2 over TLS)", async () => {
    t = startAgent(dir.path, block(`    ca_file = ${JSON.stringify(join(dir.path, "ca.pem"))}\n    server_name = "localhost"\n`));
    const result = await t.agent.load(join(dir.path, "config.alloy"));
    assert.equal(result.ok, true, result.error);
    await t.agent.start();
    await eventually(async () => assert.deepEqual(ids(await t!.components()), ["local.file.tls"]));
    assert.deepEqual([...server.httpVersions], ["2.0"]);
    assert.equal(server.registers.at(-1)?.id, "tls-agent");
    await t.agent.stop();
    assert.equal(server.unregisters.at(-1), "tls-agent");
  });

  it("fails to connect to a server the CA does not vouch for", async () => {
    const before = server.registers.length;
    const other = startAgent(dir.path, block(`    server_name = "not-localhost"\n`));
    const result = await other.agent.load(join(dir.path, "config.alloy"));
    assert.equal(result.ok, true, result.error);
    assert.equal(server.registers.length, before);
    assert.ok(other.logs.some((l) => l.includes('msg="failed to register collector with remote server"') && l.includes("unavailable:")));
  });

  it("refuses what its TLS client cannot do", async () => {
    for (const [tls, extra, problem] of [
      [`    min_version = "TLS12"\n`, "", /remotecfg: tls_config min_version is not supported by alloy-ts yet/],
      [`    insecure_skip_verify = true\n`, "  enable_http2 = false\n", /remotecfg: tls_config with enable_http2 = false is not supported by alloy-ts yet/],
      [`    ca_file = "/nonexistent/ca.pem"\n`, "", /remotecfg: unable to read CA cert \/nonexistent\/ca\.pem/],
    ] as const) {
      const other = startAgent(dir.path, block(tls, extra));
      const result = await other.agent.load(join(dir.path, "config.alloy"));
      assert.equal(result.ok, false);
      assert.match(result.error!, problem);
    }
  });
});
