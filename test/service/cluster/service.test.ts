// The cluster service (Alloy's cluster.go) in-process: each service on a real loopback HTTP server
// (h2c, or TLS) that mounts its transport route, as the agent does. Clustering off is a cluster of
// one; with clustering the services join, fall back to a cluster of their own, rejoin, gate
// readiness on --cluster.wait-for-size, and notify components at most once a second.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { platform } from "../../../src/platform/mod.ts";
import type { HttpServer, TlsServerConfig } from "../../../src/platform/mod.ts";
import type { Component } from "../../../src/runtime/component.ts";
import { MetricsRegistry } from "../../../src/runtime/metrics/registry.ts";
import { createRuntime, type Runtime } from "../../../src/runtime/runtime.ts";
import { Registry } from "../../../src/runtime/registry.ts";
import type { Service, ServiceHost } from "../../../src/runtime/service.ts";
import { buildClusterConfig, type ClusterFlags, DEFAULT_CLUSTER_FLAGS } from "../../../src/service/cluster/builder.ts";
import { stringKey } from "../../../src/service/cluster/ckit/keys.ts";
import { ckitBaseRoute } from "../../../src/service/cluster/memberlist/http2-transport.ts";
import { ClusterService, joinWithTruncation } from "../../../src/service/cluster/service.ts";
import { Second } from "../../../src/syntax/schema/duration.ts";
import { makeTestCertificates } from "../../helpers/tls.ts";
import { makeTempDir } from "../../helpers/tmp.ts";
import { eventually } from "./helpers.ts";
import { captureLogs } from "./log-capture.ts";

const p = platform();

/** A component that counts the cluster notifications it gets. */
function counter(): Component<unknown> & { count: number } {
  return {
    count: 0,
    run: () => Promise.resolve(),
    update: () => {},
    notifyClusterChange() {
      this.count++;
    },
  };
}

/** The agent's side of a run: its components, and the remotecfg controller's. */
function fakeHost(components: Component<unknown>[], remote: Component<unknown>[] = []): ServiceHost {
  const remoteHost = { builtComponents: () => remote } as unknown as ServiceHost;
  return {
    getService: (name) => (name === "remotecfg" ? ({ data: () => ({ host: remoteHost }) } as unknown as Service) : undefined),
    newController: () => {
      throw new Error("not in this test");
    },
    builtComponents: () => components,
  };
}

interface TestAgent {
  name: string;
  service: ClusterService;
  server: HttpServer;
  addr: string;
  metrics: MetricsRegistry;
  lines: string[];
  exits: number[];
  /** Runs the service and makes the node a participant, as the agent does after its first load. */
  start(host?: ServiceHost): Promise<void>;
  stop(): Promise<void>;
}

const running: TestAgent[] = [];

/** An agent on a loopback port (options.port, or a free one), with h2c or TLS. */
async function agent(name: string, flags: Partial<ClusterFlags> = {}, options: { tls?: TlsServerConfig; port?: number } = {}): Promise<TestAgent> {
  let service: ClusterService | undefined;
  const server = await p.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    ...(options.tls ? { tls: options.tls } : {}),
    fetch: (request, connection) => {
      if (!service || !new URL(request.url).pathname.startsWith(ckitBaseRoute)) return new Response("404 page not found\n", { status: 404 });
      return service.route.handler(request, connection);
    },
  });
  const { logger, lines } = captureLogs();
  const metrics = new MetricsRegistry();
  const exits: number[] = [];
  service = new ClusterService({
    platform: p,
    logger,
    metrics,
    listenAddr: `127.0.0.1:${server.port}`,
    flags: { ...DEFAULT_CLUSTER_FLAGS, nodeName: name, advertiseAddress: "127.0.0.1", ...flags },
    exit: (code) => exits.push(code),
  });
  const created = service;
  let run: { abort: AbortController; done: Promise<void> } | undefined;
  const test: TestAgent = {
    name,
    service: created,
    server,
    addr: `127.0.0.1:${server.port}`,
    metrics,
    lines,
    exits,
    async start(host = fakeHost([])) {
      await created.prepare();
      const abort = new AbortController();
      run = { abort, done: created.run(host, abort.signal) };
      await created.changeState("participant");
    },
    async stop() {
      run?.abort.abort();
      await run?.done;
      run = undefined;
      await created.shutdown();
      await server.close(100);
    },
  };
  running.push(test);
  return test;
}

/** The names of the peers that share the work, as /api/v0/web/peers lists them. */
const shardNames = (a: TestAgent) => a.service.peers().map((peer) => `${peer.name}=${peer.state}`);
const logged = (a: TestAgent, text: string) => a.lines.some((line) => line.includes(text));

after(async () => {
  // One after another: nodes leaving all at once each wait out the leave timeout.
  for (const a of running.splice(0)) await a.stop().catch(() => {});
});

describe("cluster service without clustering", () => {
  it("is a cluster of one: a viewer alone, then a participant, ready, with its transport disabled", async () => {
    const a = await agent("solo");
    const data = a.service.data();
    assert.equal(data.ready(), true);
    assert.deepEqual(data.peers(), []);
    assert.throws(() => data.lookup(stringKey("k"), 1, "readwrite"), /not enough nodes: need at least 1, have 0/);

    await a.start();
    assert.deepEqual(a.service.peers(), [{ name: "solo", addr: a.addr, isSelf: true, state: "participant" }]);
    assert.deepEqual(data.lookup(stringKey("k"), 1, "readwrite").map((peer) => [peer.name, peer.self]), [["solo", true]]);
    // Nobody may join: the transport answers as Alloy's does.
    const response = await fetch(`http://${a.addr}${ckitBaseRoute}message`, { method: "POST" });
    assert.equal(response.status, 404);
    assert.equal(await response.text(), "clustering is disabled\n");
    // ckit's and the readiness metrics exist only with clustering.
    assert.deepEqual(a.metrics.gather().filter((f) => f.name.startsWith("cluster_")), []);
    assert.ok(logged(a, 'msg="starting cluster node" peers_count=0 peers= advertise_addr=' + a.addr), a.lines.join(""));

    await a.stop();
    assert.ok(logged(a, 'msg="changing node state" from=participant to=terminating'), a.lines.join(""));
  });

  it("cannot be configured", async () => {
    const a = await agent("configured");
    assert.throws(() => a.service.update(), /cluster service does not support configuration/);
    const http: Service<unknown> = {
      definition: { name: "http", stability: "generally-available" },
      run: () => Promise.resolve(),
      update: () => {},
      data: () => ({}),
    };
    const runtime: Runtime = createRuntime({ registry: new Registry([]), services: [a.service as Service<unknown>, http] });
    const result = await runtime.load({ "main.alloy": "cluster {}\n" });
    assert.equal(result.ok, false);
    assert.match(result.error ?? "", /service "cluster" does not support being configured/);
  });
});

describe("cluster service with clustering", () => {
  it("joins, lists every participant, registers ckit's metrics, and notifies components at most once a second", async () => {
    const seed = await agent("node-a", { enabled: true });
    const components = [counter(), counter()];
    const remote = [counter()];
    const notCluster: Component<unknown> = { run: () => Promise.resolve(), update: () => {} };
    await seed.start(fakeHost([...components, notCluster], remote));
    const joiner = await agent("node-b", { enabled: true, joinAddresses: [seed.addr] });
    const started = Date.now();
    await joiner.start();

    for (const a of [seed, joiner]) {
      await eventually(`${a.name} sees both participants`, () => shardNames(a).join() === "node-a=participant,node-b=participant", 10_000);
    }
    await eventually("the components hear of node-b", () => components.every((c) => c.count >= 2) && remote[0]!.count >= 2, 10_000);
    const seconds = (Date.now() - started) / 1000;
    for (const c of [...components, ...remote]) assert.ok(c.count <= Math.ceil(seconds) + 2, `${c.count} notifications in ${seconds}s`);
    assert.ok(logged(seed, 'msg="peers changed" peers_count=2 min_cluster_size=0 peers=node-a,node-b'), seed.lines.join(""));

    // Both see the same owner for every key.
    for (let i = 0; i < 50; i++) {
      const key = stringKey(`target-${i}`);
      const [a] = seed.service.data().lookup(key, 1, "readwrite");
      const [b] = joiner.service.data().lookup(key, 1, "readwrite");
      assert.equal(a!.name, b!.name);
      assert.notEqual(a!.self, b!.self);
    }
    // The transport speaks HTTP/2 only: an HTTP/1.1 request is refused as ckit refuses it.
    const http1 = await fetch(`http://${seed.addr}${ckitBaseRoute}message`, { method: "POST", headers: { "content-type": "application/x.ckit" } });
    assert.equal(http1.status, 505);
    const families = new Set(seed.metrics.gather().map((f) => f.name));
    for (const name of ["cluster_node_info", "cluster_node_peers", "cluster_transport_rx_packets_total", "cluster_ready_for_traffic", "cluster_minimum_size"]) {
      assert.ok(families.has(name), `${name} in ${[...families].join(", ")}`);
    }

    await joiner.stop();
    await eventually("node-a sees node-b leave", () => shardNames(seed).join() === "node-a=participant", 10_000);
    await seed.stop();
  });

  it("falls back to a cluster of its own when the peers cannot be joined or found", async () => {
    const closed = await p.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(null, { status: 404 }) });
    const unreachable = `127.0.0.1:${closed.port}`;
    await closed.close(0);
    const a = await agent("lonely", { enabled: true, joinAddresses: [unreachable] });
    await a.start();
    await eventually("lonely bootstraps", () => logged(a, 'msg="failed to connect to peers; bootstrapping a new cluster" err="failed to join memberlist'), 10_000);
    assert.deepEqual(shardNames(a), ["lonely=participant"]);
    assert.deepEqual(a.exits, []);

    // A name that resolves to nothing: discovery fails, the node starts alone all the same.
    const b = await agent("unfound", { enabled: true, joinAddresses: ["-not-a-host-"] });
    await b.start();
    await eventually("unfound starts alone", () => logged(b, 'msg="failed to get peers to join at startup; will create a new cluster" err="static peer discovery: failed to find any valid join addresses'), 10_000);
    await eventually("unfound's cluster of one", () => logged(b, 'msg="starting cluster node" peers_count=0'), 10_000);
    assert.deepEqual(shardNames(b), ["unfound=participant"]);
    await a.stop();
    await b.stop();
  });

  it("keeps a node out of a cluster whose member already has its name, and of a cluster of another name", async () => {
    const holder = await agent("taken", { enabled: true, name: "blue" });
    await holder.start();
    const clash = await agent("taken", { enabled: true, name: "blue", joinAddresses: [holder.addr] });
    await clash.start();
    await eventually("the clash is refused", () =>
      logged(clash, `err="failed to join memberlist: node name \\"taken\\" is already taken by the live member at ${holder.addr}; every node in a cluster needs a unique name"`), 10_000);
    assert.deepEqual(shardNames(clash), ["taken=participant"]);
    const stranger = await agent("stranger", { enabled: true, name: "green", joinAddresses: [holder.addr] });
    await stranger.start();
    await eventually("the stranger bootstraps", () => logged(stranger, 'msg="failed to connect to peers; bootstrapping a new cluster" err="failed to join memberlist'), 10_000);
    assert.ok(logged(stranger, 'hint="the peers closed the connection without answering: they may belong to a cluster with another --cluster.name (this node\'s is \\"green\\")"'), stranger.lines.join(""));
    assert.ok(!logged(clash, "hint="), "a refused name says so itself");
    assert.deepEqual(shardNames(stranger), ["stranger=participant"]);
    assert.deepEqual(shardNames(holder), ["taken=participant"]);
    for (const a of [clash, stranger, holder]) await a.stop();
  });

  it("rejoins its peers every --cluster.rejoin-interval, which heals a split", async () => {
    // b starts before its seed listens: alone at first, in the seed's cluster after a rejoin.
    const seedServerPort = await freeLoopbackPort();
    const b = await agent("split-b", { enabled: true, joinAddresses: [`127.0.0.1:${seedServerPort}`], rejoinIntervalMs: 500 });
    await b.start();
    await eventually("b bootstraps", () => logged(b, "bootstrapping a new cluster"), 10_000);
    assert.deepEqual(shardNames(b), ["split-b=participant"]);
    const seed = await agent("split-a", { enabled: true }, { port: seedServerPort });
    await seed.start();
    await eventually("b rejoins a", () => shardNames(b).join() === "split-a=participant,split-b=participant", 10_000);
    assert.ok(logged(b, 'msg="rejoining peers" peers_count=1'), b.lines.join(""));
    await b.stop();
    await seed.stop();
  });

  it("admits traffic once --cluster.wait-for-size peers are there", async () => {
    const a = await agent("size-a", { enabled: true, waitForSize: 2 });
    await a.start();
    assert.equal(a.service.data().ready(), false);
    const b = await agent("size-b", { enabled: true, waitForSize: 2, joinAddresses: [a.addr] });
    await b.start();
    await eventually("a is ready", () => a.service.data().ready(), 10_000);
    await eventually("b is ready", () => b.service.data().ready(), 10_000);
    assert.ok(logged(a, "minimum cluster size reached, marking cluster as ready to admit traffic"), a.lines.join(""));
    await b.stop();
    await eventually("a is not ready once alone", () => !a.service.data().ready(), 10_000);
    await a.stop();
  });

  it("gossips over TLS with --cluster.enable-tls", async () => {
    const certs = makeTestCertificates();
    const dir = makeTempDir();
    const file = (name: string, text: string) => {
      writeFileSync(join(dir.path, name), text);
      return join(dir.path, name);
    };
    const tlsFlags: Partial<ClusterFlags> = {
      enabled: true,
      enableTls: true,
      tlsCaPath: file("ca.pem", certs.ca),
      tlsCertPath: file("client.pem", certs.clientCert),
      tlsKeyPath: file("client.key", certs.clientKey),
    };
    const serverTls = { cert: certs.cert, key: certs.key };
    const a = await agent("tls-a", tlsFlags, { tls: serverTls });
    await a.start();
    const b = await agent("tls-b", { ...tlsFlags, joinAddresses: [a.addr] }, { tls: serverTls });
    await b.start();
    await eventually("both see each other over TLS", () => shardNames(a).length === 2 && shardNames(b).length === 2, 10_000);
    await b.stop();
    await a.stop();
    dir.cleanup();
  });
});

describe("cluster service start-up errors", () => {
  const certs = makeTestCertificates();
  const dir = makeTempDir();
  after(() => dir.cleanup());
  const file = (name: string, text: string) => {
    writeFileSync(join(dir.path, name), text);
    return join(dir.path, name);
  };
  const build = (flags: Partial<ClusterFlags>) =>
    new ClusterService({
      platform: p,
      logger: captureLogs().logger,
      metrics: new MetricsRegistry(),
      listenAddr: "127.0.0.1:12345",
      flags: { ...DEFAULT_CLUSTER_FLAGS, nodeName: "n", ...flags },
    });

  it("reads the TLS files with Alloy's messages", async () => {
    const missing = join(dir.path, "missing.pem");
    const tls = (caPath: string, certPath: string, keyPath: string) => build({ enabled: true, enableTls: true, tlsCaPath: caPath, tlsCertPath: certPath, tlsKeyPath: keyPath }).prepare();
    const ca = file("ca.pem", certs.ca);
    const cert = file("client.pem", certs.clientCert);
    const key = file("client.key", certs.clientKey);
    await assert.rejects(tls(missing, cert, key), { message: `failed to load TLS config from file: failed to read TLS CA file: open ${missing}: no such file or directory` });
    const junk = file("junk.pem", "not a certificate\n");
    await assert.rejects(tls(junk, cert, key), { message: `failed to load TLS config from file: failed to append CA from PEM with path ${junk}` });
    await assert.rejects(tls(ca, missing, key), { message: `failed to load TLS config from file: failed to load X509 key pair: open ${missing}: no such file or directory` });
    const otherKey = file("server.key", certs.key);
    await assert.rejects(tls(ca, cert, otherKey), { message: "failed to load TLS config from file: failed to load X509 key pair: tls: private key does not match public key" });
  });

  it("refuses an advertised host that does not resolve", async () => {
    await assert.rejects(build({ advertiseAddress: "-bad-host-:7946" }).prepare(), /^Error: failed to create cluster node: failed to lookup advertise address "-bad-host-": lookup -bad-host-: no such host$/);
  });

  it("refuses join addresses together with discover-peers", () => {
    assert.throws(
      () => build({ joinAddresses: ["a:1", "b"], discoverPeers: "provider=k8s" }),
      { message: 'at most one of join peers and discover peers may be set, got join peers ["a:1" "b"] and discover peers "provider=k8s"' },
    );
  });
});

describe("cluster configuration from the flags", () => {
  const config = (flags: Partial<ClusterFlags>, listenAddr = "127.0.0.1:12345") =>
    buildClusterConfig({ platform: p, flags: { ...DEFAULT_CLUSTER_FLAGS, ...flags }, listenAddr, logger: captureLogs().logger });

  it("names the node after the host unless told", () => {
    assert.equal(config({}).nodeName, p.hostname());
    assert.equal(config({ nodeName: "given" }).nodeName, "given");
  });

  it("advertises as Alloy's getAdvertiseAddress does", () => {
    assert.equal(config({}, ":9000").advertiseAddress, "127.0.0.1:9000");
    assert.equal(config({}, "127.0.0.1:0").advertiseAddress, "127.0.0.1:0");
    assert.equal(config({}, "bad").advertiseAddress, "127.0.0.1:80");
    assert.equal(config({ advertiseAddress: "10.0.0.7" }, "0.0.0.0:12345").advertiseAddress, "10.0.0.7:12345");
    assert.equal(config({ advertiseAddress: "10.0.0.7:7946" }, "0.0.0.0:12345").advertiseAddress, "10.0.0.7:7946");
    // Clustered, with interfaces that do not exist: a warning and localhost.
    const { logger, lines } = captureLogs();
    const fallback = buildClusterConfig({
      platform: p,
      flags: { ...DEFAULT_CLUSTER_FLAGS, enabled: true, advertiseInterfaces: ["no-such-if0"] },
      listenAddr: "127.0.0.1:12345",
      logger,
    });
    assert.equal(fallback.advertiseAddress, "127.0.0.1:12345");
    assert.ok(lines.some((l) => l.includes("could not find advertise address using network interfaces falling back to localhost")));
  });

  it("has no discovery for a seed node", () => {
    assert.equal(config({}).discover, undefined);
    assert.equal(typeof config({ joinAddresses: ["127.0.0.1:1"] }).discover, "function");
  });

  it("abbreviates long peer lists as Alloy's JoinWithTruncation", () => {
    const peers = Array.from({ length: 12 }, (_, i) => `p${i}`);
    assert.equal(joinWithTruncation(peers, ",", 10, "..."), "p0,p1,p2,p3,p4,p5,p6,p7,p8,...,p11");
    assert.equal(joinWithTruncation(peers.slice(0, 10), ",", 10, "..."), peers.slice(0, 10).join(","));
    assert.equal(joinWithTruncation(peers, ",", 1, "..."), "p0,...");
    assert.equal(joinWithTruncation(peers, ",", 0, "..."), "");
  });

  it("keeps the defaults of Alloy's flags", () => {
    assert.deepEqual(
      { ...DEFAULT_CLUSTER_FLAGS, advertiseInterfaces: [...DEFAULT_CLUSTER_FLAGS.advertiseInterfaces] },
      { ...DEFAULT_CLUSTER_FLAGS, advertiseInterfaces: ["eth0", "en0"], rejoinIntervalMs: 60_000, maxJoinPeers: 5, waitTimeout: 0 * Second },
    );
  });
});

/** A loopback port nothing listens on right now. */
async function freeLoopbackPort(): Promise<number> {
  const probe = await p.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(null) });
  const port = probe.port;
  await probe.close(0);
  return port;
}
