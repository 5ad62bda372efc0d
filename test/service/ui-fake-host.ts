// A UiHost with a small, realistic pipeline for the UI tests: discovery → relabel → scrape →
// remote_write (unhealthy, with a secret), a log pipeline, an exporter in unknown health, a
// declare'd custom component running a module, three cluster peers (one a viewer), and a
// live-debugging service whose data the test pushes by hand.
import type { HealthState } from "../../src/runtime/component.ts";
import type { JsonStatement, JsonValueNode } from "../../src/syntax/alloyjson/index.ts";
import type { LiveDebuggingData, UiComponentDetail, UiHost, UiPeer } from "../../src/service/ui/host.ts";

const str = (value: string): JsonValueNode => ({ type: "string", value });
const num = (value: number): JsonValueNode => ({ type: "number", value });
const bool = (value: boolean): JsonValueNode => ({ type: "bool", value });
const secret: JsonValueNode = { type: "capsule", value: "(secret)" };
const obj = (fields: Record<string, JsonValueNode>): JsonValueNode => ({
  type: "object",
  value: Object.entries(fields).map(([key, value]) => ({ key, value })),
});
const arr = (...items: JsonValueNode[]): JsonValueNode => ({ type: "array", value: items });
const attr = (name: string, value: JsonValueNode): JsonStatement => ({ name, type: "attr", value });
const block = (name: string, body: JsonStatement[], label?: string): JsonStatement => ({ name, type: "block", ...(label ? { label } : {}), body });

const target = (pod: string, ip: string) =>
  obj({ __address__: str(`${ip}:8080`), __meta_kubernetes_namespace: str("shop"), __meta_kubernetes_pod_name: str(pod), job: str("kubernetes-pods") });

export const UPDATED = new Date("2026-05-06T07:08:09.120Z");

export interface FakeUiHost {
  host: UiHost;
  components: Map<string, UiComponentDetail>;
  peers: UiPeer[];
  /** Subscriptions currently open, by component id. */
  subscribers: Map<string, Set<(data: LiveDebuggingData) => void>>;
  /** Publishes data as the component with that id would. */
  emit(componentID: string, data: Partial<LiveDebuggingData> & { text?: string }): void;
  setHealth(id: string, state: HealthState, message?: string): void;
  liveDebuggingEnabled: boolean;
}

export function fakeUiHost(): FakeUiHost {
  const list: UiComponentDetail[] = [
    {
      name: "discovery.kubernetes",
      localID: "discovery.kubernetes.pods",
      moduleID: "",
      label: "pods",
      referencedBy: ["discovery.relabel.pods"],
      dataFlowEdgesTo: ["discovery.relabel.pods"],
      health: { state: "healthy", message: "started component", updatedTime: UPDATED },
      arguments: [attr("role", str("pod")), block("namespaces", [attr("names", arr(str("shop"), str("payments")))])],
      exports: [attr("targets", arr(target("cart-7d9f", "10.0.3.17"), target("checkout-5c2a", "10.0.3.22")))],
      liveDebuggingEnabled: true,
    },
    {
      name: "discovery.relabel",
      localID: "discovery.relabel.pods",
      moduleID: "",
      label: "pods",
      referencesTo: ["discovery.kubernetes.pods"],
      referencedBy: ["prometheus.scrape.pods"],
      dataFlowEdgesTo: ["prometheus.scrape.pods"],
      health: { state: "healthy", message: "", updatedTime: UPDATED },
      arguments: [
        attr("targets", arr(target("cart-7d9f", "10.0.3.17"))),
        block("rule", [attr("source_labels", arr(str("__meta_kubernetes_namespace"))), attr("target_label", str("namespace"))]),
        block("rule", [attr("action", str("drop")), attr("regex", str("kube-system"))]),
      ],
      exports: [attr("output", arr(target("cart-7d9f", "10.0.3.17"))), attr("rules", { type: "capsule", value: "[]*relabel.Config" })],
      liveDebuggingEnabled: true,
    },
    {
      name: "prometheus.scrape",
      localID: "prometheus.scrape.pods",
      moduleID: "",
      label: "pods",
      referencesTo: ["discovery.relabel.pods", "prometheus.remote_write.default"],
      dataFlowEdgesTo: ["prometheus.remote_write.default"],
      health: { state: "healthy", message: "", updatedTime: UPDATED },
      arguments: [
        attr("targets", arr(target("cart-7d9f", "10.0.3.17"))),
        attr("forward_to", arr({ type: "capsule", value: "prometheus.Appendable" })),
        attr("scrape_interval", str("15s")),
        block("clustering", [attr("enabled", bool(true))]),
      ],
      exports: [],
      debugInfo: [block("target", [attr("url", str("http://10.0.3.17:8080/metrics")), attr("health", str("up")), attr("last_scrape_duration", str("12.3ms"))])],
      liveDebuggingEnabled: true,
    },
    {
      name: "prometheus.remote_write",
      localID: "prometheus.remote_write.default",
      moduleID: "",
      label: "default",
      referencedBy: ["prometheus.scrape.pods"],
      health: { state: "unhealthy", message: "server returned HTTP status 401 Unauthorized: invalid credentials", updatedTime: UPDATED },
      arguments: [
        block("endpoint", [
          attr("url", str("https://prometheus.example.com/api/v1/write")),
          block("basic_auth", [attr("username", str("alloy")), attr("password", secret)]),
          block("queue_config", [attr("capacity", num(10000)), attr("max_shards", num(50))]),
        ]),
      ],
      exports: [attr("receiver", { type: "capsule", value: "prometheus.Appendable" })],
      liveDebuggingEnabled: false,
    },
    {
      name: "loki.source.file",
      localID: "loki.source.file.logs",
      moduleID: "",
      label: "logs",
      referencesTo: ["loki.process.default"],
      dataFlowEdgesTo: ["loki.process.default"],
      health: { state: "healthy", message: "", updatedTime: UPDATED },
      arguments: [attr("targets", arr(obj({ __path__: str("/var/log/*.log") })))],
      liveDebuggingEnabled: false,
    },
    {
      name: "loki.process",
      localID: "loki.process.default",
      moduleID: "",
      label: "default",
      referencesTo: ["loki.write.default"],
      referencedBy: ["loki.source.file.logs"],
      dataFlowEdgesTo: ["loki.write.default"],
      health: { state: "healthy", message: "", updatedTime: UPDATED },
      arguments: [block("stage.json", [attr("expressions", obj({ level: str("lvl") }))])],
      liveDebuggingEnabled: true,
    },
    {
      name: "loki.write",
      localID: "loki.write.default",
      moduleID: "",
      label: "default",
      referencedBy: ["loki.process.default"],
      health: { state: "healthy", message: "", updatedTime: UPDATED },
      arguments: [block("endpoint", [attr("url", str("http://loki:3100/loki/api/v1/push"))])],
      exports: [attr("receiver", { type: "capsule", value: "loki.LogsReceiver" })],
    },
    {
      name: "prometheus.exporter.unix",
      localID: "prometheus.exporter.unix.node",
      moduleID: "",
      label: "node",
      health: { state: "unknown", message: "", updatedTime: undefined },
      arguments: [],
    },
    {
      name: "pipeline",
      localID: "pipeline.default",
      moduleID: "",
      label: "default",
      health: { state: "healthy", message: "", updatedTime: UPDATED },
      arguments: [attr("endpoint", str("http://example"))],
      createdModuleIDs: ["pipeline.default"],
    },
    {
      name: "local.file",
      localID: "local.file.token",
      moduleID: "pipeline.default",
      label: "token",
      referencedBy: ["remote.http.config"],
      health: { state: "healthy", message: "", updatedTime: UPDATED },
      arguments: [attr("filename", str("/etc/alloy/token"))],
      exports: [attr("content", secret)],
    },
    {
      name: "remote.http",
      localID: "remote.http.config",
      moduleID: "pipeline.default",
      label: "config",
      referencesTo: ["local.file.token"],
      health: { state: "exited", message: "component shut down", updatedTime: UPDATED },
      arguments: [attr("url", str("http://example/config"))],
    },
  ];
  const components = new Map(list.map((c) => [c.moduleID ? `${c.moduleID}/${c.localID}` : c.localID, c]));
  const peers: UiPeer[] = [
    { name: "alloy-0", addr: "10.0.0.10:12345", isSelf: true, state: "participant" },
    { name: "alloy-1", addr: "10.0.0.11:12345", isSelf: false, state: "participant" },
    { name: "alloy-2", addr: "10.0.0.12:12345", isSelf: false, state: "terminating" },
    { name: "alloy-3", addr: "10.0.0.13:12345", isSelf: false, state: "viewer" },
  ];
  const subscribers = new Map<string, Set<(data: LiveDebuggingData) => void>>();
  const fake: FakeUiHost = {
    components,
    peers,
    subscribers,
    liveDebuggingEnabled: true,
    host: {
      listComponents(moduleID) {
        const modules = new Set(["", ...list.flatMap((c) => c.createdModuleIDs ?? [])]);
        if (!modules.has(moduleID)) return undefined;
        return list
          .filter((c) => c.moduleID === moduleID)
          .map(({ arguments: _a, exports: _e, debugInfo: _d, ...info }) => info);
      },
      getComponent: (id) => components.get(id),
      peers: () => peers,
      liveDebugging: {
        enabled: () => fake.liveDebuggingEnabled,
        subscribe(ids, callback) {
          for (const id of ids) {
            if (!subscribers.has(id)) subscribers.set(id, new Set());
            subscribers.get(id)!.add(callback);
          }
          return () => {
            for (const id of ids) subscribers.get(id)?.delete(callback);
          };
        },
      },
    },
    emit(componentID, data) {
      const full: LiveDebuggingData = {
        componentID,
        type: data.type ?? "prometheus_metric",
        count: data.count ?? 1,
        ...(data.targetComponentIDs ? { targetComponentIDs: data.targetComponentIDs } : {}),
        dataFunc: data.dataFunc ?? (() => data.text ?? `${componentID} data`),
      };
      for (const callback of subscribers.get(componentID) ?? []) callback(full);
    },
    setHealth(id, state, message = "") {
      components.get(id)!.health = { state, message, updatedTime: new Date() };
    },
  };
  return fake;
}
