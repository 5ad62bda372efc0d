// The exposition text of the collectors' families. Counters, gauges and untyped values go through the
// runtime's writer; summaries and the textfile collector's histograms (which may carry their own +Inf
// bucket) are written here the way Go's expfmt writes them: the quantile or le label last, then _sum
// and _count.

import type { MetricFamily } from "../../../../runtime/metrics/registry.ts";
import { formatMetricsText, formatSampleValue } from "../../../../runtime/metrics/text.ts";
import type { NodeFamily, NodeSample } from "./common.ts";

export function formatFamilies(families: readonly NodeFamily[]): string {
  let out = "";
  for (const family of families) {
    if (family.samples.length === 0) continue;
    if (family.type !== "summary" && family.type !== "histogram") {
      out += formatMetricsText([family as MetricFamily]);
      continue;
    }
    out += `# HELP ${family.name}${family.help === "" ? "" : " " + family.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}\n`;
    out += `# TYPE ${family.name} ${family.type}\n`;
    for (const sample of family.samples) out += complexSample(family.name, sample);
  }
  return out;
}

function complexSample(name: string, sample: NodeSample): string {
  let out = "";
  let sum = 0;
  let count = 0;
  if (sample.summary) {
    for (const [q, v] of sample.summary.quantiles) out += `${name}${labelText(sample.labels, ["quantile", formatSampleValue(q)])} ${formatSampleValue(v)}\n`;
    ({ sum, count } = sample.summary);
  } else if (sample.histogram) {
    let infSeen = false;
    for (const b of sample.histogram.buckets) {
      infSeen ||= b.le === Infinity;
      out += `${name}_bucket${labelText(sample.labels, ["le", formatSampleValue(b.le)])} ${formatSampleValue(b.count)}\n`;
    }
    ({ sum, count } = sample.histogram);
    if (!infSeen) out += `${name}_bucket${labelText(sample.labels, ["le", "+Inf"])} ${formatSampleValue(count)}\n`;
  }
  out += `${name}_sum${labelText(sample.labels)} ${formatSampleValue(sum)}\n`;
  out += `${name}_count${labelText(sample.labels)} ${formatSampleValue(count)}\n`;
  return out;
}

function labelText(labels: Readonly<Record<string, string>>, extra?: [string, string]): string {
  const entries = Object.keys(labels)
    .sort()
    .map((k) => [k, labels[k]!] as [string, string]);
  if (extra) entries.push(extra);
  if (entries.length === 0) return "";
  const escape = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
  return `{${entries.map(([k, v]) => `${k}="${escape(v)}"`).join(",")}}`;
}
