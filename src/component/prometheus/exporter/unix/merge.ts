// The gather step between the collectors and the exposition: families of the same name from several
// collectors become one, and what Prometheus's client library refuses when it gathers (a family whose
// help text or type disagrees with the first one of its name, a series already seen) is left out and
// reported, while everything else is still served (node_exporter's ContinueOnError). Only the textfile
// collector can bring such clashes: its metrics are whatever the files say.

import type { Families, NodeFamily, NodeSample } from "./common.ts";

export function mergeFamilies(outputs: readonly Families[], report: (problem: string) => void): NodeFamily[] {
  const merged = new Map<string, NodeFamily>();
  const seen = new Map<string, Set<string>>();
  for (const output of outputs) {
    for (const family of output.byName.values()) {
      let target = merged.get(family.name);
      if (!target) {
        target = { ...family, samples: [] };
        merged.set(family.name, target);
        seen.set(family.name, new Set());
      } else if (target.help !== family.help || target.type !== family.type) {
        report(`collected metric ${family.name} has help ${JSON.stringify(family.help)} and type ${family.type} but should have ${JSON.stringify(target.help)} and ${target.type}`);
        continue;
      }
      const keys = seen.get(family.name)!;
      for (const sample of family.samples) {
        const key = JSON.stringify(Object.entries(sample.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
        if (keys.has(key)) {
          report(`collected metric ${family.name} ${key} was collected before with the same name and label values`);
          continue;
        }
        keys.add(key);
        target.samples.push(sample);
      }
    }
  }
  const families = [...merged.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const family of families) family.samples.sort(compareSamples);
  return families;
}

/**
 * The order Prometheus's client library gives the samples of a family: fewer labels first, then the
 * label values (in label-name order) compared bytewise.
 */
export function compareSamples(a: NodeSample, b: NodeSample): number {
  const ka = Object.keys(a.labels).sort();
  const kb = Object.keys(b.labels).sort();
  if (ka.length !== kb.length) return ka.length - kb.length;
  for (let i = 0; i < ka.length; i++) {
    const va = a.labels[ka[i]!]!;
    const vb = b.labels[kb[i]!]!;
    if (va !== vb) return va < vb ? -1 : 1;
  }
  return 0;
}
