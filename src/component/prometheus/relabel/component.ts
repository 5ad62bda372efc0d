// prometheus.relabel: relabels the series of every batch it receives and forwards the result.
//
// Relabelling runs once per input series ref: the cache maps an input ref to the output ref (or to
// "dropped") in a typed array indexed by ref, so a cached sample costs two array reads. The cache is
// bounded like Alloy's: max_cache_size entries (evicted oldest-first), or entries unused for cache_ttl.
// As in Alloy, a staleness marker evicts its series' entry after passing through.
import { defineComponent, type Health } from "../../../runtime/component.ts";
import { health } from "../../../runtime/health.ts";
import { Counter, Gauge } from "../../../runtime/metrics/registry.ts";
import { attr, blocks, Minute, struct, t } from "../../../syntax/schema/index.ts";
import { LabelsBuilder } from "../../../wire/labels/builder.ts";
import { type LabelStore, labelStore } from "../labelstore.ts";
import { appendableType, Fanout, MetricsBatch, type MetricsReceiver } from "../receiver.ts";
import { processBuilder, RelabelBuilder, type RelabelRule, RuleBlock, rulesType } from "./rules.ts";

const Arguments = struct(
  {
    forward_to: attr(t.array(appendableType())),
    rule: blocks(RuleBlock, { optional: true }),
    max_cache_size: attr(t.int(), { optional: true }),
    cache_ttl: attr(t.duration(), { optional: true }),
  },
  {
    defaults: () => ({ max_cache_size: 100_000, cache_ttl: 0 }),
    validate: (a) => {
      if (a.max_cache_size < 0) return `max_cache_size must be >= 0; got ${a.max_cache_size}`;
      if (a.cache_ttl < 0) return `cache_ttl must be >= 0`;
      if (a.max_cache_size > 0 && a.cache_ttl > 0) {
        return "max_cache_size and cache_ttl are mutually exclusive: set max_cache_size = 0 to use cache_ttl, or unset cache_ttl to keep the bounded LRU cache";
      }
      if (a.max_cache_size === 0 && a.cache_ttl === 0) return "one of max_cache_size or cache_ttl must be set";
      if (a.cache_ttl > 0 && a.cache_ttl < Minute) return "cache_ttl must be at least 1m0s when set";
      return undefined;
    },
  },
);

const Exports = struct({
  receiver: attr(appendableType()),
  rules: attr(rulesType()),
});

const UNKNOWN = 0;
const DROPPED = -1;

/** Input ref -> output ref, bounded by size (oldest first) or by time unused. */
export class RelabelCache {
  private map = new Int32Array(1024); // 0 unknown, -1 dropped, else output ref + 1
  private used = new Uint32Array(1024); // epoch of last use (TTL mode)
  private order: number[] = [];
  private head = 0;
  size = 0;
  epoch = 1;
  hits = 0;
  misses = 0;
  deletes = 0;
  ttlEvictions = 0;

  constructor(
    private readonly store: LabelStore,
    private readonly maxSize: number,
    private readonly ttlMode: boolean,
  ) {}

  /** 0 when unknown, -1 when dropped, else the output ref + 1. */
  get(ref: number): number {
    if (ref >= this.map.length) return UNKNOWN;
    const v = this.map[ref]!;
    if (v !== UNKNOWN && this.ttlMode) this.used[ref] = this.epoch;
    return v;
  }

  set(ref: number, out: number): void {
    if (ref >= this.map.length) this.grow(ref);
    if (this.map[ref] !== UNKNOWN) this.delete(ref);
    this.map[ref] = out < 0 ? DROPPED : out + 1;
    if (out >= 0) this.store.retain(out);
    if (this.ttlMode) this.used[ref] = this.epoch;
    this.order.push(ref);
    this.size++;
    if (!this.ttlMode) while (this.size > this.maxSize) this.evictOldest();
  }

  delete(ref: number): void {
    if (ref >= this.map.length) return;
    const v = this.map[ref]!;
    if (v === UNKNOWN) return;
    this.map[ref] = UNKNOWN;
    if (v > 0) this.store.release(v - 1);
    this.size--;
  }

  private evictOldest(): void {
    while (this.head < this.order.length) {
      const ref = this.order[this.head++]!;
      if (this.map[ref] !== UNKNOWN) {
        this.delete(ref);
        break;
      }
    }
    if (this.head > 4096 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }

  /** TTL mode: evicts entries not used in the last `epochs` epochs, then starts a new epoch. */
  sweep(epochs: number): void {
    const keep: number[] = [];
    for (let k = this.head; k < this.order.length; k++) {
      const ref = this.order[k]!;
      if (this.map[ref] === UNKNOWN) continue;
      if (this.epoch - this.used[ref]! >= epochs) {
        this.delete(ref);
        this.ttlEvictions++;
      } else {
        keep.push(ref);
      }
    }
    this.order = keep;
    this.head = 0;
    this.epoch++;
  }

  clear(): void {
    for (let k = this.head; k < this.order.length; k++) this.delete(this.order[k]!);
    this.order = [];
    this.head = 0;
  }

  private grow(ref: number): void {
    let n = this.map.length;
    while (n <= ref) n *= 2;
    const map = new Int32Array(n);
    map.set(this.map);
    this.map = map;
    const used = new Uint32Array(n);
    used.set(this.used);
    this.used = used;
  }
}

/** Relabels batches through a cache; shared by prometheus.relabel and remote_write's write_relabel_config. */
export class BatchRelabeler {
  private readonly rb = new RelabelBuilder();
  private readonly lb = new LabelsBuilder();
  processed = 0;
  written = 0;

  constructor(
    private readonly store: LabelStore,
    public rules: readonly RelabelRule[],
    public cache: RelabelCache,
  ) {}

  /** The output ref of `ref`, or -1 when its series is dropped. */
  map(ref: number): number {
    const v = this.cache.get(ref);
    if (v !== UNKNOWN) {
      this.cache.hits++;
      return v === DROPPED ? -1 : v - 1;
    }
    this.cache.misses++;
    const out = this.relabel(ref);
    this.cache.set(ref, out);
    return out;
  }

  private relabel(ref: number): number {
    if (!this.store.has(ref)) return -1;
    const rb = this.rb.resetFlat(this.store.labels(ref));
    if (!processBuilder(rb, this.rules)) return -1;
    const lb = rb.result(this.lb);
    if (lb.length === 0) return -1;
    return this.store.intern(lb);
  }

  /** Relabels `input` into `out` (reset first). */
  apply(input: MetricsBatch, out: MetricsBatch): void {
    out.reset();
    const n = input.length;
    this.processed += input.sampleCount;
    // Index map for exemplars: input sample -> output sample.
    const exemplars = input.exemplars;
    let remap: Int32Array | undefined;
    if (exemplars.length > 0) remap = new Int32Array(n).fill(-1);
    const ids = input.ids, values = input.values, ts = input.timestamps, st = input.startTimestamps;
    for (let i = 0; i < n; i++) {
      const ref = ids[i]!;
      const o = this.map(ref);
      if (o >= 0) {
        const j = out.push(o, values[i]!, ts[i]!, st[i]!);
        if (input.isStale(i)) out.markStale(j);
        if (remap !== undefined) remap[i] = j;
      }
      if (input.isStale(i)) {
        this.cache.delete(ref);
        this.cache.deletes++;
      }
    }
    if (remap !== undefined) {
      for (const e of exemplars) {
        if (e.sample < 0) {
          const o = e.id === undefined ? -1 : this.map(e.id);
          if (o >= 0) out.exemplars.push({ sample: -1, id: o, labels: e.labels, value: e.value, timestamp: e.timestamp });
          continue;
        }
        const j = remap[e.sample]!;
        if (j >= 0) out.exemplars.push({ sample: j, labels: e.labels, value: e.value, timestamp: e.timestamp });
      }
    }
    for (const h of input.histograms) {
      const o = this.map(h.id);
      if (o >= 0) out.addHistogram(o, h.timestamp, h.startTimestamp).histogram.copyFrom(h.histogram);
    }
    for (const m of input.metadata) out.metadata.push(m);
    this.written += out.sampleCount;
  }
}

export const prometheusRelabel = defineComponent({
  name: "prometheus.relabel",
  stability: "generally-available",
  args: Arguments,
  exports: Exports,
  build(context, initial) {
    const store = labelStore();
    const releaseStore = store.acquire();
    const fanout = new Fanout(initial.forward_to);
    const newCache = (a: typeof initial) => new RelabelCache(store, a.max_cache_size, a.cache_ttl > 0);
    const relabeler = new BatchRelabeler(store, initial.rule as RelabelRule[], newCache(initial));
    let args = initial;
    let exited = false;
    const pool: MetricsBatch[] = [];
    let current: Health = health("healthy", "");

    const m = {
      processed: new Counter({ name: "alloy_prometheus_relabel_metrics_processed", help: "Total number of metrics processed" }),
      written: new Counter({ name: "alloy_prometheus_relabel_metrics_written", help: "Total number of metrics written" }),
      misses: new Counter({ name: "alloy_prometheus_relabel_cache_misses", help: "Total number of cache misses" }),
      hits: new Counter({ name: "alloy_prometheus_relabel_cache_hits", help: "Total number of cache hits" }),
      deletes: new Counter({ name: "alloy_prometheus_relabel_cache_deletes", help: "Total number of cache deletes" }),
      ttl: new Counter({
        name: "alloy_prometheus_relabel_cache_ttl_evictions",
        help: "Number of relabel cache entries removed by the periodic TTL scan. Always 0 when cache_ttl is unset.",
      }),
      size: new Gauge({ name: "alloy_prometheus_relabel_cache_size", help: "Total size of relabel cache." }),
    };
    for (const metric of Object.values(m)) context.registerer.register(metric);
    // Counters are kept as plain numbers on the hot path and published when scraped.
    let published = { processed: 0, written: 0, hits: 0, misses: 0, deletes: 0, ttl: 0 };
    const publish = () => {
      const c = relabeler.cache;
      const now = { processed: relabeler.processed, written: relabeler.written, hits: c.hits, misses: c.misses, deletes: c.deletes, ttl: c.ttlEvictions };
      m.processed.inc(now.processed - published.processed);
      m.written.inc(now.written - published.written);
      m.hits.inc(Math.max(0, now.hits - published.hits));
      m.misses.inc(Math.max(0, now.misses - published.misses));
      m.deletes.inc(Math.max(0, now.deletes - published.deletes));
      m.ttl.inc(Math.max(0, now.ttl - published.ttl));
      m.size.set(c.size);
      published = now;
    };
    const publishTimer = setInterval(publish, 1000);

    // Entries of input refs the store deleted can never be hit again.
    const unsubscribe = store.onDelete((refs) => {
      for (const ref of refs) relabeler.cache.delete(ref);
    });

    const receiver: MetricsReceiver = {
      async append(batch) {
        if (exited) throw new Error(`${context.id} has exited`);
        const out = pool.pop() ?? new MetricsBatch();
        try {
          relabeler.apply(batch, out);
          if (out.sampleCount > 0 || out.metadata.length > 0) await fanout.append(out);
        } finally {
          out.reset();
          pool.push(out);
        }
      },
    };
    const exportState = () => context.onStateChange({ receiver, rules: args.rule as RelabelRule[] });
    exportState();

    let ttlTimer: ReturnType<typeof setInterval> | undefined;
    const configureTtl = () => {
      if (ttlTimer) clearInterval(ttlTimer);
      ttlTimer = undefined;
      if (args.cache_ttl > 0) {
        // Scan every TTL/4; an entry unused for four scans is at least TTL old.
        const everyMs = args.cache_ttl / 1e6 / 4;
        ttlTimer = setInterval(() => relabeler.cache.sweep(4), everyMs);
      }
    };
    configureTtl();

    return {
      async run(signal) {
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
        exited = true;
        clearInterval(publishTimer);
        if (ttlTimer) clearInterval(ttlTimer);
        publish();
        unsubscribe();
        relabeler.cache.clear();
        releaseStore();
        current = health("exited", "");
      },
      update(next) {
        args = next;
        // New rules or cache settings: start from an empty cache, as Alloy does.
        const old = relabeler.cache;
        relabeler.rules = next.rule as RelabelRule[];
        relabeler.cache = newCache(next);
        relabeler.cache.hits = old.hits;
        relabeler.cache.misses = old.misses;
        relabeler.cache.deletes = old.deletes;
        relabeler.cache.ttlEvictions = old.ttlEvictions;
        old.clear();
        fanout.update(next.forward_to);
        configureTtl();
        exportState();
      },
      health: () => current,
    };
  },
});
