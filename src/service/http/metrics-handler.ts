// /metrics: the agent's metrics registry in the Prometheus text format, or OpenMetrics 1.0 when the
// scraper asks for it (content negotiation on Accept), as promhttp does.
import type { MetricFamily, MetricsRegistry } from "../../runtime/metrics/registry.ts";
import { formatMetricsText, formatSampleValue } from "../../runtime/metrics/text.ts";

export const TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
export const OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

export function wantsOpenMetrics(accept: string | null): boolean {
  return (accept ?? "").split(",").some((part) => part.trim().toLowerCase().startsWith("application/openmetrics-text"));
}

export function renderMetrics(registry: MetricsRegistry, accept: string | null): Response {
  const families = registry.gather();
  if (!wantsOpenMetrics(accept)) return new Response(formatMetricsText(families), { headers: { "content-type": TEXT_CONTENT_TYPE } });
  return new Response(formatOpenMetrics(families), { headers: { "content-type": OPENMETRICS_CONTENT_TYPE } });
}

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');

function labelText(labels: Readonly<Record<string, string>>, extra?: [string, string]): string {
  const entries = Object.keys(labels).sort().map((key) => [key, labels[key]!] as [string, string]);
  if (extra) entries.push(extra);
  return entries.length === 0 ? "" : `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`;
}

/** OpenMetrics 1.0 text: counter families named without _total and sampled with it; `# EOF`. */
export function formatOpenMetrics(families: readonly MetricFamily[]): string {
  let out = "";
  for (const family of families) {
    if (family.samples.length === 0) continue;
    const type = family.type === "untyped" ? "unknown" : family.type;
    const name = family.type === "counter" ? family.name.replace(/_total$/, "") : family.name;
    out += `# TYPE ${name} ${type}\n`;
    if (family.help) out += `# HELP ${name} ${family.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}\n`;
    for (const sample of family.samples) {
      if (sample.histogram) {
        const h = sample.histogram;
        for (const bucket of h.buckets) out += `${name}_bucket${labelText(sample.labels, ["le", formatSampleValue(bucket.le)])} ${bucket.count}\n`;
        out += `${name}_bucket${labelText(sample.labels, ["le", "+Inf"])} ${h.count}\n`;
        out += `${name}_sum${labelText(sample.labels)} ${formatSampleValue(h.sum)}\n`;
        out += `${name}_count${labelText(sample.labels)} ${h.count}\n`;
      } else {
        const sampleName = family.type === "counter" ? `${name}_total` : name;
        out += `${sampleName}${labelText(sample.labels)} ${formatSampleValue(sample.value ?? 0)}\n`;
      }
    }
  }
  return out + "# EOF\n";
}
