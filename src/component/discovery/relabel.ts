// discovery.relabel: rewrites a list of targets with relabelling rules (Prometheus's
// relabel_configs), exporting the targets that were kept as `output` and the rules as `rules`.
import { defineComponent } from "../../runtime/component.ts";
import { attr, blocks, struct, t } from "../../syntax/schema/index.ts";
import { processBuilder, RelabelBuilder, type RelabelRule, RuleBlock, rulesType } from "../prometheus/relabel/rules.ts";

export type Target = Record<string, string>;

export const targetsType = () => t.array(t.map(t.string()));

const Arguments = struct({
  targets: attr(targetsType()),
  rule: blocks(RuleBlock, { optional: true }),
});

const Exports = struct({
  output: attr(targetsType()),
  rules: attr(rulesType()),
});

/** Relabels targets; those a rule drops are left out. Label names come out sorted. */
export function relabelTargets(targets: readonly Target[], rules: readonly RelabelRule[]): Target[] {
  const out: Target[] = [];
  const lb = new RelabelBuilder();
  for (const target of targets) {
    const flat: string[] = [];
    for (const name of Object.keys(target)) {
      // A label set to "" is the same as a missing label.
      if (target[name] !== "") flat.push(name, target[name]!);
    }
    lb.resetFlat(flat);
    if (!processBuilder(lb, rules)) continue;
    const result = lb.toObject();
    const sorted: Target = {};
    for (const name of Object.keys(result).sort()) sorted[name] = result[name]!;
    out.push(sorted);
  }
  return out;
}

export const discoveryRelabel = defineComponent({
  name: "discovery.relabel",
  stability: "generally-available",
  args: Arguments,
  exports: Exports,
  build(context, initial) {
    const apply = (args: typeof initial) => {
      const rules = args.rule as RelabelRule[];
      context.onStateChange({ output: relabelTargets(args.targets, rules), rules });
    };
    apply(initial);
    return {
      async run(signal) {
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
      },
      update(args) {
        apply(args);
      },
    };
  },
});
