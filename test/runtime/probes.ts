// Components the controller tests drive and observe: a source whose exports the test sets, a probe
// that records what the controller does with it, and components that stop slowly or not at all.
import { attr, struct, t } from "../../src/syntax/schema/index.ts";
import { type ComponentContext, defineComponent } from "../../src/runtime/component.ts";
import { sleep, untilAborted } from "./testcomponents/index.ts";

/** Exports set from the test: `test.source "x"` publishes whatever `sources.get("x")` is given. */
export const sources = new Map<string, (exports: { value: string; other: string }) => void>();

export const source = defineComponent({
  name: "test.source",
  stability: "generally-available",
  args: struct({ initial: attr(t.string(), { optional: true }) }),
  exports: struct({ value: attr(t.string()), other: attr(t.string()) }),
  build(ctx, args) {
    const label = ctx.id.split(".").pop()!;
    sources.set(label, (exports) => ctx.onStateChange(exports));
    ctx.onStateChange({ value: args.initial, other: "" });
    return { run: untilAborted, update() {} };
  },
});

export interface ProbeRecord {
  builds: number;
  updates: string[];
  runs: number;
  stops: number;
  /** The instance built last; a reload that keeps the component keeps the instance. */
  instance: object | undefined;
}

/** What happened to each `test.probe` component, by id. */
export const probes = new Map<string, ProbeRecord>();

export function probe(id: string): ProbeRecord {
  let record = probes.get(id);
  if (!record) probes.set(id, (record = { builds: 0, updates: [], runs: 0, stops: 0, instance: undefined }));
  return record;
}

/** Copies its input to its output and records builds, updates, runs and stops. */
export const probeComponent = defineComponent({
  name: "test.probe",
  stability: "generally-available",
  args: struct({
    input: attr(t.string(), { optional: true }),
    fail: attr(t.bool(), { optional: true }),
    exit_after: attr(t.duration(), { optional: true }),
  }),
  exports: struct({ output: attr(t.string()) }),
  build(ctx: ComponentContext<{ output: string }>, args) {
    const record = probe(ctx.id);
    record.builds++;
    if (args.fail) throw new Error("probe refused to build");
    ctx.onStateChange({ output: args.input });
    let exitAfter = args.exit_after;
    const instance = {
      async run(signal: AbortSignal) {
        record.runs++;
        try {
          if (exitAfter > 0) {
            await sleep(exitAfter / 1e6, signal);
            if (!signal.aborted) throw new Error("probe gave up");
            return;
          }
          await untilAborted(signal);
        } finally {
          record.stops++;
        }
      },
      update(next: typeof args) {
        record.updates.push(next.input);
        exitAfter = next.exit_after;
        ctx.onStateChange({ output: next.input });
      },
      debugInfo: () => ({ builds: record.builds }),
    };
    record.instance = instance;
    return instance;
  },
});

/** Ignores the abort signal for `delay` (forever when 0). */
export const stubborn = defineComponent({
  name: "test.stubborn",
  stability: "generally-available",
  args: struct({ delay: attr(t.duration(), { optional: true }) }),
  build(_ctx, args) {
    return {
      async run(signal: AbortSignal) {
        await untilAborted(signal);
        if (args.delay > 0) await sleep(args.delay / 1e6);
        else await new Promise(() => {});
      },
      update() {},
    };
  },
});

export const PROBES = [source, probeComponent, stubborn];
