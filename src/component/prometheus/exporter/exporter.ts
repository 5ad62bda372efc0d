// What every prometheus.exporter.* component shares (Alloy's exporter.New): the exported target that
// points at the component's own HTTP handler on the in-memory address —
//   __address__ = <memory address>, __scheme__ = http,
//   __metrics_path__ = /api/v0/component/<id>/metrics, job = integrations/<name>,
//   __meta_component_name, __meta_component_id, instance = <instance key>
// — so that prometheus.scrape reaches it without a socket.
import type { ComponentContext } from "../../../runtime/component.ts";
import { attr, struct } from "../../../syntax/schema/index.ts";
import { targetsType } from "../../discovery/relabel.ts";

export const ExporterExports = struct({ targets: attr(targetsType()) });

interface HttpServiceData {
  memoryAddr: string;
}

/** The exporter's target (Alloy's base target with the instance label). */
export function exporterTarget<E>(context: ComponentContext<E>, name: string, instance: string): Record<string, string> {
  let http: HttpServiceData;
  try {
    http = context.getServiceData("http") as HttpServiceData;
  } catch (e) {
    throw new Error(`failed to get HTTP information: ${(e as Error).message}`);
  }
  const id = context.id;
  const componentName = id === "prometheus.exporter.unix" ? id : id.slice(0, id.lastIndexOf("."));
  return {
    __address__: http.memoryAddr,
    __meta_component_id: id,
    __meta_component_name: componentName,
    __metrics_path__: `/api/v0/component/${context.globalId}/metrics`,
    __scheme__: "http",
    instance: instance || "unknown",
    job: `integrations/${name}`,
  };
}

/** $HOSTNAME, else the host name (Alloy's HostNameInstanceKey). */
export function hostnameInstanceKey<E>(context: ComponentContext<E>): string {
  return context.platform.getEnv("HOSTNAME") || context.platform.hostname() || "unknown";
}

/** Whether a request to the component's handler asks for its metrics. */
export function isMetricsRequest(request: Request): boolean {
  return new URL(request.url).pathname.replace(/\/+$/, "").endsWith("/metrics");
}
