// /metrics: the self-metrics registry in the Prometheus text format, or OpenMetrics 1.0 when the
// scraper asks for it (content negotiation on Accept), as promhttp does.
//
// The OpenMetrics text is rendered here from the registry's JSON view: prom-client switches a whole
// registry's format, and doing so renames the shared counter objects, which would break concurrent
// text scrapes.
import type { MetricObjectWithValues, MetricValue, Registry } from "prom-client";

export const OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

export function wantsOpenMetrics(accept: string | null): boolean {
  return (accept ?? "").split(",").some((part) => part.trim().toLowerCase().startsWith("application/openmetrics-text"));
}

export async function renderMetrics(registry: Registry, accept: string | null): Promise<Response> {
  if (!wantsOpenMetrics(accept)) {
    return new Response(await registry.metrics(), { headers: { "content-type": registry.contentType } });
  }
  const families = await registry.getMetricsAsJSON();
  return new Response(renderOpenMetrics(families), { headers: { "content-type": OPENMETRICS_CONTENT_TYPE } });
}

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const escapeHelp = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function sample(name: string, labels: Record<string, string | number>, value: number): string {
  const pairs = Object.entries(labels).map(([key, v]) => `${key}="${escapeLabel(typeof v === "number" ? formatNumber(v) : String(v))}"`);
  return `${name}${pairs.length ? `{${pairs.join(",")}}` : ""} ${formatNumber(value)}\n`;
}

export function renderOpenMetrics(families: MetricObjectWithValues<MetricValue<string>>[]): string {
  let out = "";
  for (const family of families) {
    const type = String(family.type);
    // OpenMetrics names a counter family without its _total suffix and its sample with it.
    const familyName = type === "counter" ? family.name.replace(/_total$/, "") : family.name;
    out += `# TYPE ${familyName} ${type}\n# HELP ${familyName} ${escapeHelp(family.help)}\n`;
    for (const value of family.values) {
      const v = value as MetricValue<string> & { metricName?: string };
      const name = v.metricName ?? (type === "counter" ? `${familyName}_total` : family.name);
      out += sample(name, v.labels as Record<string, string | number>, v.value);
    }
  }
  return out + "# EOF\n";
}
