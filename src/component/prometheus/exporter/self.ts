// prometheus.exporter.self: exposes the agent's own metrics (what /metrics serves) as a scrape target
// on the in-memory address, as Alloy's self exporter does with its default registry.
import { defineComponent } from "../../../runtime/component.ts";
import { struct } from "../../../syntax/schema/index.ts";
import { ExporterExports, exporterTarget, hostnameInstanceKey, isMetricsRequest } from "./exporter.ts";

interface HttpServiceData {
  memoryAddr: string;
}

export const prometheusExporterSelf = defineComponent({
  name: "prometheus.exporter.self",
  stability: "generally-available",
  args: struct({}),
  exports: ExporterExports,
  build(context) {
    const target = exporterTarget(context, "self", hostnameInstanceKey(context));
    const memoryAddr = (context.getServiceData("http") as HttpServiceData).memoryAddr;
    context.onStateChange({ targets: [target] });
    return {
      async run(signal) {
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
      },
      update() {},
      async handler(request) {
        if (!isMetricsRequest(request)) return new Response("404 page not found\n", { status: 404 });
        // The agent's registry, content negotiation and compression included, without a socket.
        const headers = new Headers();
        for (const name of ["accept", "accept-encoding"]) {
          const v = request.headers.get(name);
          if (v !== null) headers.set(name, v);
        }
        return context.fetch(`http://${memoryAddr}/metrics`, { headers });
      },
    };
  },
});
