// The process-wide label store (Alloy's labelstore service): every series any metrics component
// handles is interned here once and named by a global numeric ref, so that batches passed between
// components carry refs, never per-sample label objects.
//
// Alloy's service maps label hashes to global ids and lets each remote_write keep its own local ids;
// here the global table holds the labels themselves (a SeriesTable: symbol-interned arena, StableHash
// index), so any component can read a ref's labels without a lookup of its own, and the remote-write
// encoder caches label bytes per global ref.
//
// Lifetime: a component that keeps a ref beyond one append() call (a scrape cache entry, a relabel
// cache entry, a WAL series) retains it and releases it when it forgets it. A ref whose count is zero
// through two collections in a row is deleted (refs are never reused, so a late reader of a deleted
// ref sees `has(ref) === false`, never another series). Collections run from a timer every
// GC_INTERVAL_MS, and after at least GC_MIN_CANDIDATES refs fell to zero, so churn does not pile up.
//
// Metrics (Alloy's labelstore service, registered in the agent's registry by the agent):
//   alloy_labelstore_global_ids_count             series interned now
//   alloy_labelstore_remote_store_ids_count       series each remote_write keeps (its WAL's series)
//   alloy_labelstore_last_stale_check_timestamp   when unreferenced series were last collected

import { collector, type Collector } from "../../runtime/metrics/registry.ts";
import { LabelsBuilder } from "../../wire/labels/builder.ts";
import { SeriesTable } from "../../wire/labels/series.ts";

const GC_INTERVAL_MS = 60_000;

export class LabelStore {
  readonly series = new SeriesTable();
  private counts = new Uint32Array(1024);
  /** Refs that reached zero (or were created unretained): checked by the next collection. */
  private candidates: number[] = [];
  /** Candidates found at zero by the last collection: deleted by this one if still at zero. */
  private doomed: number[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private users = 0;
  private readonly lb = new LabelsBuilder();
  /** Called with the refs deleted by a collection (caches keyed by ref drop their entries). */
  private readonly deleteListeners = new Set<(refs: readonly number[]) => void>();
  /** Series counts of the remote_write components, by component id. */
  private readonly remotes = new Map<string, () => number>();
  /** Unix seconds of the last collection; 0 before the first. */
  private lastCollection = 0;

  /** The store's metrics with Alloy's names, read at every scrape. */
  readonly metrics: Collector = collector(() => [
    { name: "alloy_labelstore_global_ids_count", help: "Total number of global ids.", type: "gauge", samples: [{ labels: {}, value: this.size }] },
    {
      name: "alloy_labelstore_remote_store_ids_count",
      help: "Total number of ids per remote write",
      type: "gauge",
      samples: [...this.remotes].map(([remote_name, count]) => ({ labels: { remote_name }, value: count() })),
    },
    {
      name: "alloy_labelstore_last_stale_check_timestamp",
      help: "Last time stale check was ran expressed in unix timestamp.",
      type: "gauge",
      samples: [{ labels: {}, value: this.lastCollection }],
    },
  ]);

  /**
   * A remote_write tells how many series it keeps (Alloy counts each remote_write's links from
   * global to its own ids); returns what ends the report.
   */
  trackRemote(componentId: string, count: () => number): () => void {
    this.remotes.set(componentId, count);
    return () => {
      if (this.remotes.get(componentId) === count) this.remotes.delete(componentId);
    };
  }

  /** Number of live series. */
  get size(): number {
    return this.series.size;
  }

  /** The ref of the sorted label set in `lb`, adding it if new. Not retained. */
  intern(lb: LabelsBuilder): number {
    const before = this.series.refLimit;
    const ref = this.series.intern(lb);
    if (ref >= before) this.created(ref);
    return ref;
  }

  /** intern() of a flat sorted [name, value, ...] array. */
  internArray(flat: readonly string[]): number {
    return this.intern(this.lb.fromArray(flat));
  }

  /** The ref of the sorted label set in `lb`, or -1. */
  lookup(lb: LabelsBuilder): number {
    return this.series.lookup(lb);
  }

  has(ref: number): boolean {
    return this.series.has(ref);
  }

  retain(ref: number): void {
    this.counts[ref]!++;
  }

  release(ref: number): void {
    const c = this.counts[ref]!;
    if (c === 0) return;
    this.counts[ref] = c - 1;
    if (c === 1) this.candidates.push(ref);
  }

  refCount(ref: number): number {
    return ref < this.counts.length ? this.counts[ref]! : 0;
  }

  /** A flat [name, value, ...] copy of a series' labels. */
  labels(ref: number): string[] {
    return this.series.labels(ref);
  }

  /** Prometheus's text form of a label set: {a="b", c="d"}. */
  format(ref: number): string {
    const flat = this.series.labels(ref);
    const parts: string[] = [];
    for (let i = 0; i < flat.length; i += 2) parts.push(`${flat[i]}=${JSON.stringify(flat[i + 1])}`);
    return `{${parts.join(", ")}}`;
  }

  onDelete(listener: (refs: readonly number[]) => void): () => void {
    this.deleteListeners.add(listener);
    return () => this.deleteListeners.delete(listener);
  }

  private created(ref: number): void {
    if (ref >= this.counts.length) {
      let n = this.counts.length;
      while (n <= ref) n *= 2;
      const bigger = new Uint32Array(n);
      bigger.set(this.counts);
      this.counts = bigger;
    }
    this.candidates.push(ref);
  }

  /**
   * Deletes the refs that stayed unreferenced since the previous collection; returns how many.
   * Exposed for tests and for components that want memory back at once.
   */
  collect(): number {
    this.lastCollection = Math.floor(Date.now() / 1000);
    const deleted: number[] = [];
    for (const ref of this.doomed) {
      if (this.counts[ref] === 0 && this.series.delete(ref)) deleted.push(ref);
    }
    const next: number[] = [];
    for (const ref of this.candidates) if (this.counts[ref] === 0) next.push(ref);
    this.doomed = next;
    this.candidates = [];
    if (deleted.length > 0) {
      // Reclaim arena space once a quarter of it is garbage.
      if (deleted.length * 4 > this.series.size) this.series.compact();
      for (const listener of this.deleteListeners) listener(deleted);
    }
    return deleted.length;
  }

  /** Components using the store call this while running, so the collection timer runs only then. */
  acquire(): () => void {
    if (this.users++ === 0) {
      this.timer = setInterval(() => this.collect(), GC_INTERVAL_MS);
      // Never keep a process alive just for the collection (Deno and Node both offer unref).
      (this.timer as { unref?: () => void }).unref?.();
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.users === 0 && this.timer !== undefined) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }
}

let store: LabelStore | undefined;

/** The process-wide label store. */
export function labelStore(): LabelStore {
  return (store ??= new LabelStore());
}
