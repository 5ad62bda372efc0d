// Benchmark: the controller loading a generated 1,000-component configuration and reloading it with
// 10% of the components changed. Run: node --import tsx scripts/bench/controller-load.ts (also
// works with `bun` and `deno run -A`). Prints load and reload times (median of several runs, and
// the fastest), the time for the changes to travel through the graph, and the resident memory.
//
// The components are cheap on purpose (they copy an input to an output): what is measured is the
// controller — parsing, graph building, reference resolution, evaluation and scheduling.
import { platform } from "../../src/platform/mod.ts";
import { attr, struct, t } from "../../src/syntax/schema/index.ts";
import { createRuntime, defineComponent, LogController, Registry, type Runtime } from "../../src/runtime/index.ts";

const COMPONENTS = 1000;
const CHAIN = 10; // every 10th component starts a chain of references
const RUNS = 7;

const pass = defineComponent({
  name: "bench.pass",
  stability: "generally-available",
  args: struct({ input: attr(t.string()), weight: attr(t.int(), { optional: true }) }),
  exports: struct({ output: attr(t.string()) }),
  build(ctx, args) {
    ctx.onStateChange({ output: args.input });
    return {
      run: (signal) => new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true })),
      update: (next) => ctx.onStateChange({ output: next.input }),
    };
  },
});

/** `variant` changes the literal input of the chain heads whose index is a multiple of 10: 10%. */
function generate(variant: number): string {
  const out: string[] = [];
  for (let i = 0; i < COMPONENTS; i++) {
    if (i % CHAIN === 0) {
      out.push(`bench.pass "c${i}" {`, `  input  = "seed-${i}-v${variant}"`, `  weight = ${i} * 2 + 1`, `}`, ``);
    } else {
      out.push(`bench.pass "c${i}" {`, `  input  = bench.pass.c${i - 1}.output + "."`, `  weight = ${i % 7}`, `}`, ``);
    }
  }
  return out.join("\n");
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function newRuntime(): Runtime {
  return createRuntime({
    registry: new Registry([pass]),
    logs: new LogController({ write() {} }, { level: "info", format: "logfmt" }),
    storagePath: "data-bench/",
  });
}

async function check(runtime: Runtime, variant: number): Promise<void> {
  const last = runtime.component(`bench.pass.c${COMPONENTS - 1}`);
  const output = (last?.exports as { get(k: string): unknown } | undefined)?.get("output");
  if (output !== `seed-${COMPONENTS - CHAIN}-v${variant}${".".repeat(CHAIN - 1)}`) {
    throw new Error(`unexpected output ${String(output)} for variant ${variant}`);
  }
}

const configs = [generate(0), generate(1)];
const files = (variant: number) => new Map([["bench.alloy", configs[variant % 2]!]]);

// Cold loads: a fresh runtime each time.
const loads: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const runtime = newRuntime();
  const start = performance.now();
  const result = await runtime.load(files(0));
  loads.push(performance.now() - start);
  if (!result.ok) throw new Error(result.error);
  await check(runtime, 0);
}

// Heap held by one loaded runtime (after a collection, when the runtime exposes gc: node --expose-gc).
const collect = () => (globalThis as { gc?: () => void }).gc?.();
collect();
const heapBefore = platform().processStats().heapUsedBytes;

// Reloads of a running runtime, alternating between two variants that differ in 10% of the
// components; the load returns once the new graph is evaluated and scheduled, and the changes
// then reach the chains' dependants through the update queue.
const runtime = newRuntime();
await runtime.load(files(0));
runtime.start();
await runtime.settled();
collect();
const heapOfRuntime = platform().processStats().heapUsedBytes - heapBefore;
const reloads: number[] = [];
const propagations: number[] = [];
for (let run = 1; run <= RUNS * 2; run++) {
  const start = performance.now();
  const result = await runtime.load(files(run));
  const loaded = performance.now();
  if (!result.ok) throw new Error(result.error);
  await runtime.settled();
  reloads.push(loaded - start);
  propagations.push(performance.now() - start);
  await check(runtime, run % 2);
}
const rss = platform().processStats().residentMemoryBytes;
await runtime.stop();

const bytes = new TextEncoder().encode(configs[0]!).length;
console.log(`config: ${COMPONENTS} components (${COMPONENTS / CHAIN} chains of ${CHAIN}), ${bytes} bytes; runtime ${platform().runtime.name} ${platform().runtime.version}`);
console.log(`load      ${median(loads).toFixed(1).padStart(7)} ms  (fastest ${Math.min(...loads).toFixed(1)} ms, median of ${RUNS} cold loads)`);
console.log(`reload    ${median(reloads).toFixed(1).padStart(7)} ms  (fastest ${Math.min(...reloads).toFixed(1)} ms, 10% changed, median of ${reloads.length})`);
console.log(`+settled  ${median(propagations).toFixed(1).padStart(7)} ms  (reload until the changes reached every dependant)`);
console.log(`rss       ${(rss / (1024 * 1024)).toFixed(1).padStart(7)} MiB  (whole process after all runs; heap of one loaded runtime ${(heapOfRuntime / (1024 * 1024)).toFixed(1)} MiB)`);
