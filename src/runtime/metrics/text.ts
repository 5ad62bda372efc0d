// The Prometheus text exposition format (version 0.0.4) for gathered families, written as Go's
// expfmt writes it: HELP and TYPE lines, label names sorted, values in Go's shortest float form.
import { formatFloat } from "../../syntax/stdlib/gofloat.ts";
import type { Labels, MetricFamily } from "./registry.ts";

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function escapeLabelValue(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/** A sample value as Prometheus's expfmt writes it: Go's shortest 'g' form, +Inf, -Inf, NaN. */
export function formatSampleValue(v: number): string {
  return formatFloat(v, "g", -1);
}

function labelText(labels: Labels, extra?: [string, string]): string {
  const entries = Object.keys(labels)
    .sort()
    .map((k) => [k, labels[k]!] as [string, string]);
  if (extra) entries.push(extra);
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(",")}}`;
}

export function formatMetricsText(families: readonly MetricFamily[]): string {
  let out = "";
  for (const family of families) {
    if (family.samples.length === 0) continue;
    out += `# HELP ${family.name}${family.help === "" ? "" : " " + escapeHelp(family.help)}\n`;
    out += `# TYPE ${family.name} ${family.type}\n`;
    for (const sample of family.samples) {
      if (sample.histogram) {
        const h = sample.histogram;
        for (const b of h.buckets) {
          out += `${family.name}_bucket${labelText(sample.labels, ["le", formatSampleValue(b.le)])} ${b.count}\n`;
        }
        out += `${family.name}_bucket${labelText(sample.labels, ["le", "+Inf"])} ${h.count}\n`;
        out += `${family.name}_sum${labelText(sample.labels)} ${formatSampleValue(h.sum)}\n`;
        out += `${family.name}_count${labelText(sample.labels)} ${h.count}\n`;
      } else {
        out += `${family.name}${labelText(sample.labels)} ${formatSampleValue(sample.value ?? 0)}\n`;
      }
    }
  }
  return out;
}
