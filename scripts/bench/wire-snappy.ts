// Benchmark: raw snappy compress/decompress, ours (embedded snappy-wasm) against snappyjs (pure JS),
// on a remote-write WriteRequest payload and on random bytes, in the same run.
// Run: node --import tsx scripts/bench/wire-snappy.ts   (also: bun scripts/bench/wire-snappy.ts,
// deno run -A scripts/bench/wire-snappy.ts). Prints MB/s (1 MB = 2^20 bytes) per direction.
import SnappyJS from "snappyjs";
import { compress, decompress } from "../../src/wire/snappy/snappy.ts";
import { LabelsBuilder } from "../../src/wire/labels/builder.ts";
import { SeriesTable } from "../../src/wire/labels/series.ts";
import { WriteRequestEncoder } from "../../src/wire/remotewrite/encode.ts";

const MB = 1024 * 1024;

function writeRequestPayload(bytes: number): Uint8Array {
  const t = new SeriesTable();
  const lb = new LabelsBuilder();
  const refs: number[] = [];
  for (let i = 0; i < 2000; i++) {
    refs.push(t.intern(lb.reset().add("__name__", `node_metric_${i % 97}_total`).add("instance", `10.0.${i % 13}.${i % 251}:9100`)
      .add("job", "node").add("cpu", String(i % 16)).add("mode", ["user", "system", "idle", "iowait"][i % 4]!).sort()));
  }
  const enc = new WriteRequestEncoder(t, { externalLabels: { cluster: "prod-eu-1" } });
  const out = new Uint8Array(bytes);
  let n = 0;
  let ts = 1_700_000_000_000;
  while (n < bytes) {
    const len = 2000;
    const values = Float64Array.from({ length: len }, (_, i) => Math.round(Math.random() * 1e6) / 100 + i);
    const b = enc.encode({ samples: { length: len, refs, timestamps: new Float64Array(len).fill((ts += 15000)), values } });
    out.set(b.subarray(0, Math.min(b.length, bytes - n)), n);
    n += b.length;
  }
  return out;
}

function random(bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let x = 2463534242;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function time(fn: () => void, minMs = 400): number {
  fn();
  let runs = 0;
  const start = performance.now();
  let now = start;
  while (now - start < minMs) {
    fn();
    runs++;
    now = performance.now();
  }
  return (now - start) / runs;
}

const inputs: [string, Uint8Array][] = [["WriteRequest 1 MiB", writeRequestPayload(MB)], ["random 1 MiB", random(MB)]];
console.log("impl        input               ratio   compress MB/s   decompress MB/s");
for (const [name, data] of inputs) {
  const ours = compress(data);
  const theirs = new Uint8Array(SnappyJS.compress(data));
  const rows: [string, number, number, number][] = [
    ["ours(wasm)", ours.length / data.length, time(() => compress(data)), time(() => decompress(ours))],
    ["snappyjs", theirs.length / data.length, time(() => SnappyJS.compress(data)), time(() => SnappyJS.uncompress(theirs))],
  ];
  for (const [impl, ratio, c, d] of rows) {
    console.log(`${impl.padEnd(11)} ${name.padEnd(19)} ${ratio.toFixed(3).padStart(5)}   ${(1000 / c).toFixed(0).padStart(13)}   ${(1000 / d).toFixed(0).padStart(15)}`);
  }
}
