// V8 CPU profiles as pprof protobuf (profile.proto), so `go tool pprof` and Grafana's profiling
// tools open what /debug/pprof/profile serves, as they do for Alloy. Written by hand: the message is
// small and a generic protobuf runtime would be a heavy dependency for one encoder.
import type { CpuProfile } from "../../platform/mod.ts";

class ProtoWriter {
  #bytes: number[] = [];

  varint(value: number | bigint) {
    let v = BigInt(value);
    if (v < 0n) v = BigInt.asUintN(64, v);
    while (v >= 0x80n) {
      this.#bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.#bytes.push(Number(v));
  }
  tag(field: number, wireType: 0 | 2) {
    this.varint((field << 3) | wireType);
  }
  uint(field: number, value: number | bigint) {
    if (value === 0 || value === 0n) return;
    this.tag(field, 0);
    this.varint(value);
  }
  bytes(field: number, data: Uint8Array) {
    this.tag(field, 2);
    this.varint(data.length);
    for (const byte of data) this.#bytes.push(byte);
  }
  message(field: number, build: (w: ProtoWriter) => void) {
    const inner = new ProtoWriter();
    build(inner);
    this.bytes(field, inner.finish());
  }
  packed(field: number, values: (number | bigint)[]) {
    if (values.length === 0) return;
    const inner = new ProtoWriter();
    for (const value of values) inner.varint(value);
    this.bytes(field, inner.finish());
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }
}

/** profile.proto bytes (not yet gzipped) for a V8 CPU profile. */
export function cpuProfileToPprof(profile: CpuProfile, samplingIntervalMicros = 1000): Uint8Array {
  const strings = [""];
  const stringIndex = new Map<string, number>([["", 0]]);
  const str = (text: string) => {
    let index = stringIndex.get(text);
    if (index === undefined) {
      index = strings.length;
      strings.push(text);
      stringIndex.set(text, index);
    }
    return index;
  };

  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const rootId = profile.nodes.find((node) => !parent.has(node.id))?.id;

  // One function per distinct (name, file, line); one location per profile node.
  const functions = new Map<string, { id: number; name: number; file: number; line: number }>();
  const functionOf = (node: CpuProfile["nodes"][number]) => {
    const frame = node.callFrame;
    const name = frame.functionName || "(anonymous)";
    const key = `${name}\u0000${frame.url}\u0000${frame.lineNumber}`;
    let fn = functions.get(key);
    if (!fn) {
      fn = { id: functions.size + 1, name: str(name), file: str(frame.url), line: frame.lineNumber + 1 };
      functions.set(key, fn);
    }
    return fn;
  };

  // Aggregate samples by leaf node: count and CPU time.
  const perLeaf = new Map<number, { count: number; nanos: number }>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  samples.forEach((id, i) => {
    // A sample's time is the gap to the next sample (V8 records the gap before each one).
    const micros = deltas[i + 1] ?? samplingIntervalMicros;
    const entry = perLeaf.get(id) ?? { count: 0, nanos: 0 };
    entry.count++;
    entry.nanos += Math.max(0, micros) * 1000;
    perLeaf.set(id, entry);
  });

  const w = new ProtoWriter();
  const samplesType = str("samples");
  const countUnit = str("count");
  const cpuType = str("cpu");
  const nanosUnit = str("nanoseconds");
  w.message(1, (m) => {
    m.uint(1, samplesType);
    m.uint(2, countUnit);
  });
  w.message(1, (m) => {
    m.uint(1, cpuType);
    m.uint(2, nanosUnit);
  });
  const usedLocations = new Set<number>();
  for (const [leaf, value] of perLeaf) {
    const stack: number[] = [];
    for (let id: number | undefined = leaf; id !== undefined && id !== rootId; id = parent.get(id)) {
      stack.push(id);
      usedLocations.add(id);
    }
    if (stack.length === 0) continue; // samples attributed to the root carry no frame
    w.message(2, (m) => {
      m.packed(1, stack);
      m.packed(2, [value.count, value.nanos]);
    });
  }
  for (const id of usedLocations) {
    const fn = functionOf(byId.get(id)!);
    w.message(4, (m) => {
      m.uint(1, id);
      m.message(4, (line) => {
        line.uint(1, fn.id);
        line.uint(2, fn.line);
      });
    });
  }
  for (const fn of functions.values()) {
    w.message(5, (m) => {
      m.uint(1, fn.id);
      m.uint(2, fn.name);
      m.uint(3, fn.name);
      m.uint(4, fn.file);
      m.uint(5, fn.line);
    });
  }
  const encoder = new TextEncoder();
  // Every entry is written, the empty string too: indexes are positions in this list.
  for (const text of strings) w.bytes(6, encoder.encode(text));
  w.uint(9, BigInt(Math.round(profile.startTime)) * 1000n);
  w.uint(10, BigInt(Math.round(profile.endTime - profile.startTime)) * 1000n);
  w.message(11, (m) => {
    m.uint(1, cpuType);
    m.uint(2, nanosUnit);
  });
  w.uint(12, samplingIntervalMicros * 1000);
  return w.finish();
}
