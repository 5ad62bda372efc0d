// go-discover's k8s provider against a loopback HTTPS server that answers like the Kubernetes API
// (bearer token or client certificate checked, PodList JSON per namespace and selectors, Status
// errors). No real cluster can run on this machine; the fake follows the API's wire format.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { platform } from "../../../src/platform/mod.ts";
import type { HttpServer, TlsServerConfig } from "../../../src/platform/types.ts";
import { defaultProviders, k8sProviderOn } from "../../../src/service/cluster/discovery.ts";
import { goDiscoverDiscovery } from "../../../src/service/cluster/go-discover.ts";
import { PORT_ANNOTATION } from "../../../src/service/cluster/discover-k8s.ts";
import { skipWithout, startTinyproxy } from "../../helpers/proxies.ts";
import { makeTestCertificates, type TestCertificates } from "../../helpers/tls.ts";
import { makeTempDir } from "../../helpers/tmp.ts";
import { captureLogs } from "./log-capture.ts";

const TOKEN = "service-account-token";

interface PodSpec {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  phase: string;
  ready?: boolean;
  podIP?: string;
  hostIP?: string;
  annotation?: string;
  ports?: { name: string; containerPort: number; hostPort?: number }[];
}

const PODS: PodSpec[] = [
  {
    name: "alloy-0",
    namespace: "alloy",
    labels: { app: "alloy" },
    phase: "Running",
    ready: true,
    podIP: "10.0.0.1",
    hostIP: "192.168.0.1",
    annotation: "http-metrics",
    ports: [{ name: "http-metrics", containerPort: 4000 }],
  },
  { name: "alloy-1", namespace: "alloy", labels: { app: "alloy" }, phase: "Running", podIP: "10.0.0.2", hostIP: "192.168.0.2" },
  { name: "alloy-2", namespace: "alloy", labels: { app: "alloy" }, phase: "Pending", hostIP: "192.168.0.3" },
  { name: "alloy-3", namespace: "alloy", labels: { app: "alloy" }, phase: "Running", ready: false, podIP: "10.0.0.4", hostIP: "192.168.0.4" },
  { name: "alloy-4", namespace: "alloy", labels: { app: "alloy" }, phase: "Running", ready: true, podIP: "10.0.0.5", annotation: "nosuchport" },
  {
    name: "alloy-5",
    namespace: "alloy",
    labels: { app: "alloy" },
    phase: "Running",
    ready: true,
    podIP: "10.0.0.6",
    hostIP: "192.168.0.6",
    annotation: "gossip",
    ports: [{ name: "gossip", containerPort: 80, hostPort: 7946 }],
  },
  { name: "alloy-6", namespace: "alloy", labels: { app: "alloy" }, phase: "Running", ready: true, podIP: "10.0.0.7", annotation: "0x1F90" },
  { name: "web-0", namespace: "alloy", labels: { app: "web" }, phase: "Running", podIP: "10.0.1.1" },
  { name: "alloy-0", namespace: "default", labels: { app: "alloy" }, phase: "Running", podIP: "10.0.2.1" },
];

function podJson(pod: PodSpec) {
  return {
    metadata: {
      name: pod.name,
      namespace: pod.namespace,
      labels: pod.labels,
      ...(pod.annotation ? { annotations: { [PORT_ANNOTATION]: pod.annotation } } : {}),
    },
    spec: { containers: [{ name: "alloy", image: "grafana/alloy", ...(pod.ports ? { ports: pod.ports } : {}) }] },
    status: {
      phase: pod.phase,
      ...(pod.ready === undefined ? {} : { conditions: [{ type: "Ready", status: pod.ready ? "True" : "False" }] }),
      ...(pod.podIP ? { podIP: pod.podIP, podIPs: [{ ip: pod.podIP }] } : {}),
      ...(pod.hostIP ? { hostIP: pod.hostIP } : {}),
    },
  };
}

/** Equality-based selectors ("a=b,c!=d"), which is what the API does with them. */
function matches(selector: string, values: Record<string, string>): boolean {
  if (selector === "") return true;
  return selector.split(",").every((term) => {
    const negated = term.includes("!=");
    const [key, value] = term.split(negated ? "!=" : /==?/) as [string, string];
    return negated ? values[key] !== value : values[key] === value;
  });
}

function status(code: number, reason: string, message: string): Response {
  const body = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
  return Response.json(body, { status: code });
}

/** The API server's pod list endpoint. */
class FakeKubeApi {
  server!: HttpServer;
  readonly requests: { url: URL; authorization: string | null; accept: string | null }[] = [];

  async start(tls: TlsServerConfig, requireToken: boolean): Promise<this> {
    this.server = await platform().serve({
      hostname: "127.0.0.1",
      port: 0,
      tls,
      fetch: (request) => {
        const url = new URL(request.url);
        this.requests.push({ url, authorization: request.headers.get("authorization"), accept: request.headers.get("accept") });
        if (requireToken && request.headers.get("authorization") !== `Bearer ${TOKEN}`) return status(401, "Unauthorized", "Unauthorized");
        const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(url.pathname);
        if (request.method !== "GET" || !m) return status(404, "NotFound", "the server could not find the requested resource");
        const namespace = decodeURIComponent(m[1]!);
        if (namespace === "locked") {
          return status(403, "Forbidden", `pods is forbidden: User "system:serviceaccount:alloy:alloy" cannot list resource "pods" in API group "" in the namespace "locked"`);
        }
        const labelSelector = url.searchParams.get("labelSelector") ?? "";
        const fieldSelector = url.searchParams.get("fieldSelector") ?? "";
        const items = PODS.filter(
          (p) => p.namespace === namespace && matches(labelSelector, p.labels) && matches(fieldSelector, { "status.phase": p.phase, "metadata.name": p.name }),
        ).map(podJson);
        return Response.json({ kind: "PodList", apiVersion: "v1", metadata: { resourceVersion: "1" }, items });
      },
    });
    return this;
  }

  get port() {
    return this.server.port;
  }
}

describe("k8s peer discovery", () => {
  let certs: TestCertificates;
  let api: FakeKubeApi;
  let mtlsApi: FakeKubeApi;
  const dirs: { path: string; cleanup(): void }[] = [];

  before(async () => {
    certs = makeTestCertificates();
    api = await new FakeKubeApi().start({ cert: certs.cert, key: certs.key }, true);
    mtlsApi = await new FakeKubeApi().start({ cert: certs.cert, key: certs.key, clientCa: certs.ca, clientAuth: "RequireAndVerifyClientCert" }, false);
  });
  after(async () => {
    await api.server.close(100);
    await mtlsApi.server.close(100);
    for (const dir of dirs) dir.cleanup();
  });

  /** A home folder (no kubeconfig unless written) and a service account folder with a token and the CA. */
  function machine(options: { token?: string; ca?: boolean; inCluster?: boolean } = {}) {
    const dir = makeTempDir("alloy-ts-k8s-");
    dirs.push(dir);
    const home = join(dir.path, "home");
    const serviceAccount = join(dir.path, "serviceaccount");
    mkdirSync(home);
    mkdirSync(serviceAccount);
    if (options.token !== "") writeFileSync(join(serviceAccount, "token"), `${options.token ?? TOKEN}\n`);
    if (options.ca !== false) writeFileSync(join(serviceAccount, "ca.crt"), certs.ca);
    const env: Record<string, string> = { HOME: home };
    if (options.inCluster !== false) {
      env.KUBERNETES_SERVICE_HOST = "127.0.0.1";
      env.KUBERNETES_SERVICE_PORT = String(api.port);
    }
    const { logger, lines } = captureLogs();
    const provider = k8sProviderOn(platform(), { getEnv: (name) => env[name], serviceAccountDir: serviceAccount });
    const discover = (config: string) => goDiscoverDiscovery({ config, defaultPort: 12345, providers: new Map([["k8s", provider]]), logger })();
    return { dir: dir.path, home, serviceAccount, env, discover, lines };
  }

  it("joins the running, ready pods of the namespace that match the selectors, at their pod IPs", async () => {
    const m = machine();
    const before = api.requests.length;
    const peers = await m.discover('provider=k8s namespace=alloy label_selector="app=alloy"');
    assert.deepEqual(peers, ["10.0.0.1:4000", "10.0.0.2:12345", "10.0.0.6:80", "10.0.0.7:8080"]);
    const request = api.requests[before]!;
    assert.equal(request.url.pathname, "/api/v1/namespaces/alloy/pods");
    assert.equal(request.url.search, "?labelSelector=app%3Dalloy");
    assert.equal(request.authorization, `Bearer ${TOKEN}`);
    assert.equal(request.accept, "application/json");
    // Why pods were left out is told at debug level, as go-discover logs it.
    const log = m.lines.join("");
    assert.match(log, /discover-k8s: ignoring pod \\"alloy-2\\", not running: \\"Pending\\"/);
    assert.match(log, /discover-k8s: ignoring pod \\"alloy-3\\", not ready state/);
    assert.match(log, /discover-k8s: ignoring pod \\"alloy-4\\", error retrieving port: strconv.ParseInt: parsing \\"nosuchport\\": invalid syntax/);
  });

  it("lists the default namespace without selectors when none are given, and passes field selectors", async () => {
    const m = machine();
    assert.deepEqual(await m.discover("provider=k8s"), ["10.0.2.1:12345"]);
    assert.equal(api.requests.at(-1)!.url.search, "");
    assert.deepEqual(await m.discover('provider=k8s namespace=alloy field_selector="metadata.name=web-0"'), ["10.0.1.1:12345"]);
    assert.equal(api.requests.at(-1)!.url.search, "?fieldSelector=metadata.name%3Dweb-0");
  });

  it("uses host IPs and host ports with host_network", async () => {
    const m = machine();
    const peers = await m.discover('provider=k8s namespace=alloy label_selector="app=alloy" host_network=true');
    // alloy-0's named port has no host port, and its name is not a number: left out.
    assert.deepEqual(peers, ["192.168.0.2:12345", "192.168.0.6:7946"]);
    await assert.rejects(m.discover("provider=k8s namespace=alloy host_network=yes"), {
      message: 'discovering peers: discover-k8s: host_network must be boolean value: strconv.ParseBool: parsing "yes": invalid syntax',
    });
  });

  it("reports the API's refusals", async () => {
    await assert.rejects(machine({ token: "wrong" }).discover("provider=k8s namespace=alloy"), {
      message: "discovering peers: discover-k8s: error listing pods: Unauthorized",
    });
    await assert.rejects(machine().discover("provider=k8s namespace=locked"), {
      message:
        'discovering peers: discover-k8s: error listing pods: pods is forbidden: User "system:serviceaccount:alloy:alloy" cannot list resource "pods" in API group "" in the namespace "locked"',
    });
  });

  it("explains why neither a kubeconfig nor the in-cluster configuration could be used", async () => {
    const outside = machine({ inCluster: false });
    await assert.rejects(outside.discover("provider=k8s"), {
      message:
        "discovering peers: 2 errors occurred:\n" +
        `\t* discover-k8s: error loading kubeconfig: stat ${outside.home}/.kube/config: no such file or directory\n` +
        "\t* discover-k8s: error loading in-cluster config: unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined\n\n",
    });
    const noToken = machine({ token: "" });
    await assert.rejects(noToken.discover("provider=k8s"), {
      message:
        "discovering peers: 2 errors occurred:\n" +
        `\t* discover-k8s: error loading kubeconfig: stat ${noToken.home}/.kube/config: no such file or directory\n` +
        `\t* discover-k8s: error loading in-cluster config: open ${noToken.serviceAccount}/token: no such file or directory\n\n`,
    });
  });

  it("falls back to the system's roots without the service account CA, as client-go does", async () => {
    const m = machine({ ca: false });
    const port = api.port;
    await assert.rejects(m.discover("provider=k8s namespace=alloy"), (error: Error) => {
      assert.ok(
        error.message.startsWith(`discovering peers: discover-k8s: error listing pods: Get "https://127.0.0.1:${port}/api/v1/namespaces/alloy/pods": `),
        error.message,
      );
      return true;
    });
    assert.match(m.lines.join(""), new RegExp(`level=error msg="Expected to load root CA config from ${m.serviceAccount}/ca.crt, but got err: open `));
  });

  it("prefers a kubeconfig file, given or at ~/.kube/config, over the in-cluster configuration", async () => {
    const m = machine({ inCluster: false });
    const tokenFile = join(m.dir, "token-file");
    writeFileSync(tokenFile, `${TOKEN}\n`);
    const kubeconfig = [
      "apiVersion: v1",
      "kind: Config",
      "current-context: test",
      "contexts:",
      "- name: test",
      "  context: {cluster: fake, user: robot}",
      "clusters:",
      "- name: fake",
      "  cluster:",
      `    server: https://127.0.0.1:${api.port}`,
      `    certificate-authority-data: ${btoa(certs.ca)}`,
      "users:",
      "- name: robot",
      "  user:",
      "    tokenFile: ../../token-file",
      "",
    ].join("\n");
    mkdirSync(join(m.home, ".kube"));
    writeFileSync(join(m.home, ".kube", "config"), kubeconfig);
    assert.deepEqual(await m.discover('provider=k8s namespace=alloy label_selector="app!=alloy"'), ["10.0.1.1:12345"]);

    const elsewhere = join(m.dir, "other-kubeconfig");
    writeFileSync(elsewhere, kubeconfig.replace("../../token-file", "token-file"));
    assert.deepEqual(await m.discover(`provider=k8s kubeconfig=${elsewhere} namespace=alloy field_selector="metadata.name=alloy-1"`), ["10.0.0.2:12345"]);
  });

  it("authenticates with a kubeconfig client certificate", async () => {
    const m = machine({ inCluster: false });
    writeFileSync(join(m.dir, "client.pem"), certs.clientCert);
    const kubeconfig = (user: string) =>
      [
        "current-context: mtls",
        "contexts: [{name: mtls, context: {cluster: fake, user: cert}}]",
        `clusters: [{name: fake, cluster: {server: "https://127.0.0.1:${mtlsApi.port}", certificate-authority-data: ${btoa(certs.ca)}}}]`,
        `users: [{name: cert, user: ${user}}]`,
      ].join("\n");
    const path = join(m.dir, "kubeconfig");
    writeFileSync(path, kubeconfig(`{client-certificate: client.pem, client-key-data: ${btoa(certs.clientKey)}}`));
    assert.deepEqual(await m.discover(`provider=k8s kubeconfig=${path} namespace=default`), ["10.0.2.1:12345"]);

    writeFileSync(path, kubeconfig("{}"));
    await assert.rejects(m.discover(`provider=k8s kubeconfig=${path} namespace=default`), /^Error: discovering peers: discover-k8s: error listing pods: Get "https:\/\/127\.0\.0\.1:\d+\/api\/v1\/namespaces\/default\/pods": /);
  });

  it("goes through a kubeconfig cluster's proxy-url", { skip: skipWithout("tinyproxy") }, async () => {
    const proxy = await startTinyproxy();
    try {
      const m = machine({ inCluster: false });
      const path = join(m.dir, "kubeconfig");
      writeFileSync(
        path,
        [
          "current-context: proxied",
          "contexts: [{name: proxied, context: {cluster: fake, user: robot}}]",
          `clusters: [{name: fake, cluster: {server: "https://127.0.0.1:${api.port}", proxy-url: "${proxy.url}", certificate-authority-data: ${btoa(certs.ca)}}}]`,
          `users: [{name: robot, user: {token: ${TOKEN}}}]`,
        ].join("\n"),
      );
      assert.deepEqual(await m.discover(`provider=k8s kubeconfig=${path} namespace=default`), ["10.0.2.1:12345"]);
      assert.match(proxy.log(), new RegExp(`CONNECT 127\\.0\\.0\\.1:${api.port}`));
    } finally {
      await proxy.stop();
    }
  });

  it("names the kubeconfig features it cannot use", async () => {
    const m = machine({ inCluster: false });
    const path = join(m.dir, "kubeconfig");
    writeFileSync(
      path,
      [
        "current-context: eks",
        "contexts: [{name: eks, context: {cluster: c, user: u}}]",
        "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]",
        "users: [{name: u, user: {exec: {command: aws, apiVersion: client.authentication.k8s.io/v1beta1}}}]",
      ].join("\n"),
    );
    await assert.rejects(m.discover(`provider=k8s kubeconfig=${path}`), {
      message:
        "discovering peers: 2 errors occurred:\n" +
        '\t* discover-k8s: error loading kubeconfig: user "u": exec credential plugins are not supported by alloy-ts\n' +
        "\t* discover-k8s: error loading in-cluster config: unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined\n\n",
    });
    writeFileSync(path, "current-context: missing\n");
    await assert.rejects(m.discover(`provider=k8s kubeconfig=${path}`), /error loading kubeconfig: invalid configuration: context was not found for specified context: missing\n/);
  });

  it("is the provider the platform's defaults offer", async () => {
    const providers = defaultProviders(platform());
    assert.deepEqual([...providers.keys()], ["k8s"]);
  });
});
