// Benchmark: encoding remote-write 1.0 WriteRequests of 2,000 samples (max_samples_per_send) over 10,000
// series with node_exporter-like labels, ours (hand-written, label bytes cached per series ref) against
// protobufjs (generic, reflection-based) in the same run; then snappy on top, and decoding.
// Run: node --import tsx scripts/bench/wire-remotewrite.ts (also bun / deno run -A).
// Prints MB/s of protobuf output and ns per sample. The protobufjs figures include building the message
// objects from the same columns, which is what a generic encoder has to do.
import { LabelsBuilder } from "../../src/wire/labels/builder.ts";
import { SeriesTable } from "../../src/wire/labels/series.ts";
import { WriteRequestEncoder } from "../../src/wire/remotewrite/encode.ts";
import { visitWriteRequest } from "../../src/wire/remotewrite/decode.ts";
import { compress } from "../../src/wire/snappy/snappy.ts";
import { WriteRequestType } from "../../test/wire/prompb.ts";

const MB = 1024 * 1024;
const SERIES = 10_000;
const BATCH = 2000;
const BATCHES = 50;

const t = new SeriesTable();
const lb = new LabelsBuilder();
const refs: number[] = [];
const modes = ["user", "system", "idle", "iowait", "irq", "softirq", "steal", "nice"];
for (let i = 0; i < SERIES; i++) {
  refs.push(t.intern(lb.reset().add("__name__", `node_cpu_seconds_total_${i % 40}`).add("instance", `host-${i % 500}.example.internal:9100`)
    .add("job", "integrations/node_exporter").add("cpu", String(i % 64)).add("mode", modes[i % 8]!).sort()));
}
const external = { cluster: "prod-eu-west-1", __replica__: "alloy-0" };

// Batches as the queue manager hands them over: columns of ref, timestamp, value.
const batches = Array.from({ length: BATCHES }, (_, b) => {
  const r = new Int32Array(BATCH), ts = new Float64Array(BATCH), vs = new Float64Array(BATCH);
  for (let i = 0; i < BATCH; i++) {
    r[i] = refs[(b * BATCH + i * 7) % SERIES]!;
    ts[i] = 1_700_000_000_000 + b * 15_000 + (i % 15) * 1000;
    vs[i] = Math.round(Math.random() * 1e8) / 100;
  }
  return { length: BATCH, refs: r, timestamps: ts, values: vs };
});

function time(fn: () => number, minMs = 1000): { ms: number; bytes: number } {
  let bytes = fn();
  let runs = 0;
  bytes = 0;
  const start = performance.now();
  let now = start;
  while (now - start < minMs) {
    bytes += fn();
    runs++;
    now = performance.now();
  }
  return { ms: (now - start) / runs, bytes: bytes / runs };
}

function report(name: string, r: { ms: number; bytes: number }, samples: number): void {
  const mbs = r.bytes / MB / (r.ms / 1000);
  const ns = (r.ms * 1e6) / samples;
  console.log(`${name.padEnd(44)} ${mbs.toFixed(1).padStart(8)} MB/s ${ns.toFixed(0).padStart(7)} ns/sample`);
}

const enc = new WriteRequestEncoder(t, { externalLabels: external });
const samplesPerRun = BATCH * BATCHES;
const ours = time(() => {
  let n = 0;
  for (const b of batches) n += enc.encode({ samples: b }).length;
  return n;
});

const peerLabels = (ref: number) => {
  const out: { name: string; value: string }[] = [];
  const ls: [string, string][] = [];
  for (let i = 0; i < t.count(ref); i++) ls.push([t.name(ref, i), t.value(ref, i)]);
  for (const [k, v] of Object.entries(external)) if (!ls.some(([n]) => n === k)) ls.push([k, v]);
  ls.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  for (const [name, value] of ls) out.push({ name, value });
  return out;
};
const labelCache = new Map<number, { name: string; value: string }[]>();
const peer = time(() => {
  let n = 0;
  for (const b of batches) {
    const timeseries = [];
    for (let i = 0; i < b.length; i++) {
      const ref = b.refs[i]!;
      let labels = labelCache.get(ref);
      if (!labels) labelCache.set(ref, (labels = peerLabels(ref)));
      timeseries.push({ labels, samples: [{ value: b.values[i]!, timestamp: b.timestamps[i]! }] });
    }
    n += WriteRequestType.encode(WriteRequestType.create({ timeseries })).finish().length;
  }
  return n;
});
const prebuilt = batches.slice(0, 5).map((b) => WriteRequestType.create({
  timeseries: Array.from({ length: b.length }, (_, i) => ({ labels: peerLabels(b.refs[i]!), samples: [{ value: b.values[i]!, timestamp: b.timestamps[i]! }] })),
}));
const peerPrebuilt = time(() => {
  let n = 0;
  for (const m of prebuilt) n += WriteRequestType.encode(m).finish().length;
  return n;
});
const oursSnappy = time(() => {
  let n = 0;
  for (const b of batches) n += compress(enc.encode({ samples: b })).length;
  return n;
});
const sample = enc.encode({ samples: batches[0]! }).slice();
console.log(`WriteRequest of ${BATCH} samples: ${sample.length} bytes protobuf, ${compress(sample).length} bytes snappy`);
report("encode: ours", ours, samplesPerRun);
report("encode: protobufjs (objects from columns)", peer, samplesPerRun);
report("encode: protobufjs (prebuilt objects)", peerPrebuilt, 5 * BATCH);
console.log(`${"encode+snappy: ours".padEnd(44)} ${((samplesPerRun / oursSnappy.ms) * 1000 / 1e6).toFixed(2).padStart(8)} M samples/s ${((oursSnappy.ms * 1e6) / samplesPerRun).toFixed(0).padStart(5)} ns/sample`);

const encoded = batches.slice(0, 10).map((b) => enc.encode({ samples: b }).slice());
const decOurs = time(() => {
  let n = 0;
  for (const e of encoded) {
    visitWriteRequest(e, { series: () => 0, sample: () => {} });
    n += e.length;
  }
  return n;
});
const decPeer = time(() => {
  let n = 0;
  for (const e of encoded) {
    WriteRequestType.decode(e);
    n += e.length;
  }
  return n;
});
report("decode: ours (visitor, labels decoded)", decOurs, 10 * BATCH);
report("decode: protobufjs", decPeer, 10 * BATCH);
