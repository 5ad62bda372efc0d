// Alloy's test-only components (internal/runtime/internal/testcomponents), which the runtime's
// conformance vectors use: counters and pulses that drive values through a graph, and receivers
// that sum or log what they get. They live with the tests, never in the product registry.
import { attr, struct, t, type Type } from "../../../src/syntax/schema/index.ts";
import { CapsuleValue, type ConversionTarget, NoConversion, ObjectValue, type Value } from "../../../src/syntax/value/index.ts";
import { quote } from "../../../src/syntax/quote.ts";
import { formatFloat } from "../../../src/syntax/stdlib/gofloat.ts";
import { type ComponentContext, type ComponentDefinition, defineComponent } from "../../../src/runtime/component.ts";
import { Counter } from "../../../src/runtime/metrics/registry.ts";
import { Registry } from "../../../src/runtime/registry.ts";
import { goSharpV } from "../../../src/runtime/nodes/foreach-id.ts";
import { sleep, untilAborted, waitForWake } from "../../../src/runtime/signal.ts";

export { sleep, untilAborted };

const NS = 1e6;

// --- receivers ---------------------------------------------------------------------

export interface IntReceiver {
  receiveInt(n: number): void;
}

export interface StringReceiver {
  receive(s: string): void;
}

const intReceiver = () => t.capsule<IntReceiver>("testcomponents.IntReceiver");
const stringReceiver = () => t.capsule<StringReceiver>("testcomponents.StringReceiver");

// --- count -------------------------------------------------------------------------

const CountArgs = struct({ frequency: attr(t.duration()), max: attr(t.int()) });
const CountExports = struct({ count: attr(t.int(), { optional: true }) });

export const count = defineComponent({
  name: "testcomponents.count",
  stability: "public-preview",
  args: CountArgs,
  exports: CountExports,
  build(ctx, initial) {
    let args = initial;
    let current = 0;
    const update = (next: typeof initial) => {
      if (next.frequency === 0) throw new Error("frequency must not be 0");
      args = next;
    };
    update(initial);
    return {
      async run(signal) {
        while (!signal.aborted) {
          await sleep(args.frequency / NS, signal);
          if (signal.aborted) break;
          if (args.max === 0 || current < args.max) {
            current++;
            ctx.onStateChange({ count: current });
          }
        }
      },
      update,
    };
  },
});

// --- passthrough -------------------------------------------------------------------

const PassthroughArgs = struct({ input: attr(t.string()), lag: attr(t.duration(), { optional: true }) });
const PassthroughExports = struct({ output: attr(t.string(), { optional: true }) });

export const passthrough = defineComponent({
  name: "testcomponents.passthrough",
  stability: "public-preview",
  args: PassthroughArgs,
  exports: PassthroughExports,
  async build(ctx, initial) {
    const update = async (args: typeof initial) => {
      if (args.lag !== 0) await sleep(args.lag / NS);
      ctx.onStateChange({ output: args.input });
    };
    await update(initial);
    return {
      run: untilAborted,
      update,
      debugInfo: () => ({ component_version: "v0.1-beta.0" }),
    };
  },
});

// --- summation ---------------------------------------------------------------------

const SummationArgs = struct({ input: attr(t.int()) });
const SummationExports = struct({ sum: attr(t.int()), last_added: attr(t.int()) });

export const summation = defineComponent({
  name: "testcomponents.summation",
  stability: "public-preview",
  args: SummationArgs,
  exports: SummationExports,
  build(ctx, initial) {
    let sum = 0;
    const update = (args: typeof initial) => {
      sum += args.input;
      ctx.onStateChange({ sum, last_added: args.input });
    };
    update(initial);
    return { run: untilAborted, update };
  },
});

// --- summation_receiver: sums what pulses send; the sum is debug info, not an export ----------

export const summationReceiver = defineComponent({
  name: "testcomponents.summation_receiver",
  stability: "public-preview",
  args: struct({}),
  exports: struct({ receiver: attr(intReceiver()) }),
  build(ctx) {
    let sum = 0;
    const receiver: IntReceiver = { receiveInt: (n) => void (sum += n) };
    ctx.onStateChange({ receiver });
    return { run: untilAborted, update() {}, debugInfo: () => sum };
  },
});

// --- pulse: sends 1 to its receivers, max times ------------------------------------------------

const PulseArgs = struct({
  frequency: attr(t.duration()),
  max: attr(t.int()),
  forward_to: attr(t.array(intReceiver()), { optional: true }),
});

export const pulse = defineComponent({
  name: "testcomponents.pulse",
  stability: "public-preview",
  args: PulseArgs,
  build(ctx, initial) {
    const pulses = new Counter({ name: "pulse_count" });
    ctx.registerer.register(pulses);
    let args = initial;
    let sent = 0;
    const update = (next: typeof initial) => {
      if (next.frequency === 0) throw new Error("frequency must not be 0");
      args = next;
    };
    update(initial);
    return {
      async run(signal) {
        while (!signal.aborted) {
          await sleep(args.frequency / NS, signal);
          if (signal.aborted) break;
          if (args.max === 0 || sent < args.max) {
            for (const r of args.forward_to) r?.receiveInt(1);
            pulses.inc();
            sent++;
          }
        }
      },
      update,
    };
  },
});

// --- string_receiver and stringer ----------------------------------------------------------

export const stringReceiverComponent = defineComponent({
  name: "testcomponents.string_receiver",
  stability: "public-preview",
  args: struct({}),
  exports: struct({ receiver: attr(stringReceiver()) }),
  build(ctx) {
    let log = "";
    const receiver: StringReceiver = { receive: (s) => void (log += s + "\n") };
    ctx.onStateChange({ receiver });
    return { run: untilAborted, update() {}, debugInfo: () => log };
  },
});

const StringerArgs = struct({
  input_string: attr(t.nullable(t.string()), { optional: true }),
  input_int: attr(t.nullable(t.int()), { optional: true }),
  input_float: attr(t.nullable(t.float64()), { optional: true }),
  input_bool: attr(t.nullable(t.bool()), { optional: true }),
  input_map: attr(t.nullable(t.value()), { optional: true }),
  input_array: attr(t.nullable(t.value()), { optional: true }),
  forward_to: attr(t.array(stringReceiver())),
});

/** Go's %#v of each set input, sent to every receiver (in Alloy's field order). */
function stringerOutputs(args: ReturnType<typeof StringerArgs.zero>): string[] {
  const out: string[] = [];
  if (args.input_string !== null) out.push(quote(args.input_string));
  if (args.input_int !== null) out.push(String(args.input_int));
  if (args.input_float !== null) out.push(formatFloat(args.input_float, "g", -1));
  if (args.input_bool !== null) out.push(String(args.input_bool));
  if (args.input_array !== null) out.push(goSharpV(args.input_array));
  if (args.input_map !== null) out.push(goSharpV(args.input_map));
  return out;
}

// Alloy's stringer only forwards on Update, which Go calls again on every re-evaluation because
// its receivers (structs of funcs) are never deep-equal. This controller updates only on real
// changes, so the stringer forwards its first configuration too.
export const stringer = defineComponent({
  name: "testcomponents.stringer",
  stability: "public-preview",
  args: StringerArgs,
  build(_ctx, initial) {
    const pending: (typeof initial)[] = [initial];
    let wake: (() => void) | undefined;
    return {
      async run(signal) {
        while (!signal.aborted) {
          const next = pending.shift();
          if (!next) {
            await waitForWake(signal, (resolve) => (wake = resolve));
            continue;
          }
          for (const text of stringerOutputs(next)) for (const r of next.forward_to) r?.receive(text);
        }
      },
      update(args) {
        pending.push(args);
        wake?.();
      },
    };
  },
});

// --- tick --------------------------------------------------------------------------------

export const tick = defineComponent({
  name: "testcomponents.tick",
  stability: "public-preview",
  args: struct({ frequency: attr(t.duration()) }),
  exports: struct({ tick_time: attr(t.string(), { optional: true }) }),
  build(ctx, initial) {
    let args = initial;
    const update = (next: typeof initial) => {
      if (next.frequency === 0) throw new Error("frequency must not be 0");
      args = next;
    };
    update(initial);
    return {
      async run(signal) {
        while (!signal.aborted) {
          await sleep(args.frequency / NS, signal);
          if (!signal.aborted) ctx.onStateChange({ tick_time: new Date().toISOString() });
        }
      },
      update,
    };
  },
});

// --- targets: discovery.Target capsules that read as objects --------------------------------

type Labels = Record<string, string>;

class TargetCapsule extends CapsuleValue {
  constructor(labels: Labels) {
    super("discovery.Target", labels);
  }
  override convertInto(target: ConversionTarget): Value | NoConversion {
    if (target !== "object") return NoConversion;
    return new ObjectValue(new Map(Object.entries(this.raw as Labels)), false);
  }
}

const labelsType = t.map(t.string());
const targetType: Type<Labels> = {
  name: "target",
  alloyType: "any",
  decode: (v) => (v instanceof TargetCapsule ? (v.raw as Labels) : labelsType.decode(v)),
  encode: (labels) => new TargetCapsule(labels),
  zero: () => ({}),
  isZero: (x) => Object.keys(x).length === 0,
  equal: (a, b) => labelsType.equal(a, b),
};

export const targets = defineComponent({
  name: "testcomponents.targets",
  stability: "generally-available",
  args: struct({ targets: attr(t.array(targetType)) }),
  exports: struct({ output: attr(t.array(targetType), { optional: true }) }),
  build(ctx, initial) {
    const update = (args: typeof initial) => ctx.onStateChange({ output: args.targets });
    update(initial);
    return { run: untilAborted, update };
  },
});

// --- stability and community gates ---------------------------------------------------------

export const experimental = defineComponent({
  name: "testcomponents.experimental",
  stability: "experimental",
  args: struct({}),
  build: (ctx: ComponentContext<unknown>) => ({
    run: (signal: AbortSignal) => {
      ctx.logger.info("running experimental component");
      return untilAborted(signal);
    },
    update: () => ctx.logger.info("updating experimental component"),
  }),
});

export const community = defineComponent({
  name: "testcomponents.community",
  stability: "generally-available",
  community: true,
  args: struct({}),
  build: () => ({ run: untilAborted, update() {} }),
});

export const ALL: ComponentDefinition<any, any>[] = [
  count,
  passthrough,
  summation,
  summationReceiver,
  pulse,
  stringReceiverComponent,
  stringer,
  tick,
  targets,
  experimental,
  community,
];

/** A registry of every test component, plus any extra definitions. */
export function testRegistry(...extra: ComponentDefinition<any, any>[]): Registry {
  return new Registry([...ALL, ...extra]);
}
