// The WAL storage of prometheus.remote_write (Alloy's static/metrics/wal, a fork of Prometheus's agent
// DB): every appended batch becomes series records (for series new to the WAL), samples, exemplars and
// histogram records in <dataPath>/wal; the WAL keeps its own series refs, which survive restarts
// (replay rebuilds the series and continues numbering after the highest ref).
//
// Truncation follows Alloy: series whose last sample is older than the given time are dropped; the
// older segments (about two thirds, never one an endpoint still has to read) are replaced by a
// checkpoint holding the series records that are still needed, and deleted.
//
// Endpoints are told about every logged batch once its bytes are written (live tailing); an endpoint
// that fell behind reads segment files instead (readSegmentFile).

import type { Platform } from "../../../platform/mod.ts";
import type { Logger } from "../../../runtime/logging/logger.ts";
import type { LabelStore } from "../labelstore.ts";
import type { MetricsBatch } from "../receiver.ts";
import {
  decodeHistograms,
  decodeSamples,
  decodeSeries,
  encodeExemplars,
  encodeHistograms,
  encodeSamples,
  encodeSeries,
  type ExemplarEntry,
  type HistogramEntry,
  isCustomBuckets,
  RECORD_CUSTOM_FLOAT_HISTOGRAMS,
  RECORD_CUSTOM_HISTOGRAMS,
  RECORD_FLOAT_HISTOGRAMS,
  RECORD_HISTOGRAMS,
  RECORD_SAMPLES,
  RECORD_SERIES,
  RecordWriter,
  recordType,
  SampleColumns,
  type SeriesEntry,
} from "./records.ts";
import { DEFAULT_SEGMENT_SIZE, listSegments, type Position, readSegment, segmentName, SegmentWriter } from "./wlog.ts";

/** Samples per samples record (records must fit in a segment). */
const MAX_SAMPLES_PER_RECORD = 50_000;

export type RecordsListener = (records: readonly Uint8Array[], start: Position, end: Position) => void;

export interface WalStorageOptions {
  platform: Platform;
  logger: Logger;
  store: LabelStore;
  /** The WAL directory (<dataPath>/wal). */
  dir: string;
  segmentSize?: number;
}

export class WalStorage {
  readonly dir: string;
  private readonly platform: Platform;
  private readonly logger: Logger;
  private readonly store: LabelStore;
  private writer: SegmentWriter;
  private readonly w = new RecordWriter(64 * 1024);
  private listeners = new Set<RecordsListener>();
  // WAL ref -> global ref (-1: none), global ref -> WAL ref (-1: none), WAL ref -> last sample time.
  private walToGlobal = new Int32Array(1024).fill(-1);
  private globalToWal = new Int32Array(1024).fill(-1);
  private lastTs = new Float64Array(1024);
  private nextRef = 1;
  /** Series dropped by truncation, kept (with their labels retained) until their segments are gone. */
  private deleted = new Map<number, { global: number; segment: number }>();
  /** Samples, series and bytes appended (for metrics). */
  stats = { samples: 0, series: 0, exemplars: 0, histograms: 0 };
  /** Newest sample timestamp written to each segment (for max_keepalive). */
  private segmentMaxTs = new Map<number, number>();
  private replaying = -1;
  private closed = false;
  private appendChain: Promise<void> = Promise.resolve();
  /** append()'s WAL ref per sample of the batch. */
  private walRefs = new Int32Array(1024);

  constructor(options: WalStorageOptions) {
    this.platform = options.platform;
    this.logger = options.logger;
    this.store = options.store;
    this.dir = options.dir;
    this.writer = new SegmentWriter(this.platform, this.dir, options.segmentSize ?? DEFAULT_SEGMENT_SIZE);
  }

  /** Number of series the WAL tracks. */
  get seriesCount(): number {
    return this.stats.series;
  }

  /** The position after everything written. */
  get position(): Position {
    return this.writer.position;
  }

  get currentSegment(): number {
    return this.writer.segment;
  }

  /** The global ref of a WAL ref, or -1. */
  globalRef(walRef: number): number {
    return walRef < this.walToGlobal.length ? this.walToGlobal[walRef]! : -1;
  }

  onRecords(listener: RecordsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Replays the WAL (last checkpoint, then segments) and starts a new segment. */
  async open(): Promise<void> {
    const fs = this.platform.fs;
    await fs.mkdirp(this.dir);
    const checkpoint = await this.lastCheckpoint();
    const segments = await listSegments(this.platform, this.dir);
    let series = 0, samples = 0;
    const replaySeries = (entries: SeriesEntry[]) => {
      for (const e of entries) {
        const g = this.store.internArray(e.labels);
        this.store.retain(g);
        this.ensureWal(e.ref);
        this.ensureGlobal(g);
        const prev = this.walToGlobal[e.ref]!;
        if (prev >= 0) this.store.release(prev);
        else this.stats.series++;
        this.walToGlobal[e.ref] = g;
        const oldWal = this.globalToWal[g]!;
        if (oldWal >= 0 && oldWal !== e.ref) {
          // A series recreated under a new ref: the old ref keeps working for its samples.
          this.lastTs[e.ref] = Math.max(this.lastTs[e.ref]!, this.lastTs[oldWal]!);
        }
        this.globalToWal[g] = e.ref;
        if (e.ref >= this.nextRef) this.nextRef = e.ref + 1;
        series++;
      }
    };
    const cols = new SampleColumns();
    const hs: HistogramEntry[] = [];
    const replayRecord = (rec: Uint8Array) => {
      const type = recordType(rec);
      if (type === RECORD_SERIES) {
        const entries: SeriesEntry[] = [];
        decodeSeries(rec, entries);
        replaySeries(entries);
      } else if (type === RECORD_SAMPLES) {
        decodeSamples(rec, cols.reset());
        let newest = -Infinity;
        for (let i = 0; i < cols.length; i++) {
          const ref = cols.refs[i]!;
          const t = cols.ts[i]!;
          if (t > newest) newest = t;
          if (ref < this.lastTs.length && t > this.lastTs[ref]!) this.lastTs[ref] = t;
        }
        if (this.replaying >= 0) this.noteSegmentTs(this.replaying, newest);
        samples += cols.length;
      } else if (type === RECORD_HISTOGRAMS || type === RECORD_FLOAT_HISTOGRAMS || type === RECORD_CUSTOM_HISTOGRAMS || type === RECORD_CUSTOM_FLOAT_HISTOGRAMS) {
        hs.length = 0;
        decodeHistograms(rec, hs);
        for (const h of hs) if (h.ref < this.lastTs.length && h.ts > this.lastTs[h.ref]!) this.lastTs[h.ref] = h.ts;
      }
    };
    if (checkpoint) {
      const cpDir = `${this.dir}/${checkpoint.name}`;
      for (const seg of await listSegments(this.platform, cpDir)) {
        const bytes = await fs.readFile(`${cpDir}/${segmentName(seg)}`);
        const res = readSegment(bytes, seg, 0, false);
        for (const r of res.records) replayRecord(r.data);
        if (res.corrupt) this.logger.warn("WAL checkpoint is corrupt, using what could be read", { err: res.corrupt.message });
      }
    }
    for (const seg of segments) {
      if (checkpoint && seg <= checkpoint.index) continue;
      const bytes = await fs.readFile(`${this.dir}/${segmentName(seg)}`);
      const res = readSegment(bytes, seg, 0, true);
      this.replaying = seg;
      for (const r of res.records) replayRecord(r.data);
      this.replaying = -1;
      if (res.corrupt) this.logger.warn("WAL segment is corrupt, replaying what could be read", { segment: seg, err: res.corrupt.message });
    }
    const last = segments.length > 0 ? segments[segments.length - 1]! : checkpoint ? checkpoint.index : -1;
    await this.writer.openSegment(last + 1);
    if (series > 0 || samples > 0) this.logger.info("replayed WAL", { series, samples, segments: segments.length });
  }

  private async lastCheckpoint(): Promise<{ name: string; index: number } | undefined> {
    let best: { name: string; index: number } | undefined;
    for (const e of await this.platform.fs.readDir(this.dir)) {
      const m = /^checkpoint\.([0-9]+)$/.exec(e.name);
      if (m && e.isDirectory) {
        const index = Number(m[1]);
        if (!best || index > best.index) best = { name: e.name, index };
      }
    }
    return best;
  }

  private noteSegmentTs(segment: number, ts: number): void {
    if (ts > (this.segmentMaxTs.get(segment) ?? -Infinity)) this.segmentMaxTs.set(segment, ts);
  }

  private ensureWal(ref: number): void {
    if (ref < this.walToGlobal.length) return;
    let n = this.walToGlobal.length;
    while (n <= ref) n *= 2;
    const a = new Int32Array(n).fill(-1);
    a.set(this.walToGlobal);
    this.walToGlobal = a;
    const t = new Float64Array(n);
    t.set(this.lastTs);
    this.lastTs = t;
  }

  private ensureGlobal(ref: number): void {
    if (ref < this.globalToWal.length) return;
    let n = this.globalToWal.length;
    while (n <= ref) n *= 2;
    const a = new Int32Array(n).fill(-1);
    a.set(this.globalToWal);
    this.globalToWal = a;
  }

  /** The WAL ref of a global ref, creating the series (and its series record entry) when new. */
  private walRefOf(g: number, newSeries: number[]): number {
    this.ensureGlobal(g);
    let w = this.globalToWal[g]!;
    if (w < 0) {
      w = this.nextRef++;
      this.ensureWal(w);
      this.walToGlobal[w] = g;
      this.globalToWal[g] = w;
      this.lastTs[w] = -Infinity;
      this.store.retain(g);
      this.stats.series++;
      newSeries.push(w, g);
    }
    return w;
  }

  /** Appends a batch: records are logged in order, listeners are told once they are written. */
  append(batch: MetricsBatch): Promise<void> {
    if (this.closed) return Promise.reject(new Error("WAL is closed"));
    const newSeries: number[] = [];
    const n = batch.length;
    // Reused: an ArrayBuffer per batch counted against Node's old-generation limit until the next full GC.
    if (this.walRefs.length < n) this.walRefs = new Int32Array(Math.max(n, this.walRefs.length * 2));
    const walRefs = this.walRefs.subarray(0, n);
    const ids = batch.ids, ts = batch.timestamps;
    for (let i = 0; i < n; i++) {
      const g = ids[i]!;
      if (!this.store.has(g)) {
        walRefs[i] = -1;
        continue;
      }
      const w = this.walRefOf(g, newSeries);
      walRefs[i] = w;
      if (ts[i]! > this.lastTs[w]!) this.lastTs[w] = ts[i]!;
    }
    const exemplars: ExemplarEntry[] = [];
    for (const e of batch.exemplars) {
      // An exemplar of a series with no sample in the batch (sample -1) names the series itself.
      const g = e.sample < 0 ? (e.id ?? -1) : -1;
      const w = e.sample >= 0 ? walRefs[e.sample]! : g >= 0 && this.store.has(g) ? this.walRefOf(g, newSeries) : -1;
      if (w >= 0) exemplars.push({ ref: w, ts: e.timestamp, value: e.value, labels: e.labels });
    }
    const hist: HistogramEntry[][] = [[], [], [], []];
    for (const h of batch.histograms) {
      if (!this.store.has(h.id)) continue;
      const w = this.walRefOf(h.id, newSeries);
      if (h.timestamp > this.lastTs[w]!) this.lastTs[w] = h.timestamp;
      hist[(h.histogram.isFloat ? 1 : 0) + (isCustomBuckets(h.histogram) ? 2 : 0)]!.push({ ref: w, ts: h.timestamp, histogram: h.histogram });
    }

    const records: Uint8Array[] = [];
    const w = this.w;
    if (newSeries.length > 0) {
      const table = this.store.series;
      const view = { count: 0, nameId: (i: number) => table.nameId(cur, i), valueId: (i: number) => table.valueId(cur, i) };
      let cur = 0;
      records.push(encodeSeries(w, newSeries, (g) => ((cur = g), (view.count = table.count(g)), view), table.symbols));
    }
    // Samples of series that are gone from the store are skipped (walRefs[i] < 0).
    let compact = walRefs;
    let vals = batch.values;
    let times = ts;
    let staleOf = (i: number) => batch.isStale(i);
    let count = n;
    if (walRefs.includes(-1)) {
      const keep: number[] = [];
      for (let i = 0; i < n; i++) if (walRefs[i]! >= 0) keep.push(i);
      compact = Int32Array.from(keep, (i) => walRefs[i]!);
      vals = Float64Array.from(keep, (i) => batch.values[i]!);
      times = Float64Array.from(keep, (i) => ts[i]!);
      staleOf = (j: number) => batch.isStale(keep[j]!);
      count = keep.length;
    }
    for (let from = 0; from < count; from += MAX_SAMPLES_PER_RECORD) {
      records.push(encodeSamples(w, compact, times, vals, staleOf, from, Math.min(count, from + MAX_SAMPLES_PER_RECORD)));
    }
    hist.forEach((hs, k) => {
      if (hs.length > 0) records.push(encodeHistograms(w, hs, (k & 1) === 1, (k & 2) === 2));
    });
    if (exemplars.length > 0) records.push(encodeExemplars(w, exemplars));
    this.stats.samples += count;
    this.stats.exemplars += exemplars.length;
    this.stats.histograms += batch.histograms.length;
    if (records.length === 0) return Promise.resolve();

    const start = this.writer.position;
    const { end, written } = this.writer.log(records);
    let newest = -Infinity;
    for (let i = 0; i < count; i++) if (times[i]! > newest) newest = times[i]!;
    this.noteSegmentTs(end.segment, newest);
    // After a segment cut inside log(), the batch starts at the beginning of the new segment.
    const from = start.segment === end.segment ? start : { segment: end.segment, offset: 0 };
    const done = written.then(() => {
      for (const l of this.listeners) {
        try {
          l(records, from, end);
        } catch (e) {
          this.logger.error("WAL listener failed", { err: (e as Error).message });
        }
      }
    });
    this.appendChain = done.catch(() => {});
    return done;
  }

  /**
   * Reads one segment file from `offset`: the records and the offset after the last complete one.
   * `closed` tells whether the writer is done with the segment (a torn tail then ends it).
   */
  async readSegmentFile(segment: number, offset: number): Promise<{ records: { data: Uint8Array; end: number }[]; missing: boolean }> {
    const path = `${this.dir}/${segmentName(segment)}`;
    let bytes: Uint8Array;
    try {
      bytes = await this.platform.fs.readFile(path);
    } catch {
      return { records: [], missing: true };
    }
    const res = readSegment(bytes, segment, offset, true);
    if (res.corrupt) this.logger.warn("WAL segment is corrupt, skipping the rest of it", { segment, err: res.corrupt.message });
    return { records: res.records, missing: false };
  }

  /** Resolves when every record logged so far is written to its file. */
  flushed(): Promise<void> {
    return this.writer.written();
  }

  /** The first segment still on disk (or the current one). */
  async firstSegment(): Promise<number> {
    const segments = await listSegments(this.platform, this.dir);
    return segments.length > 0 ? segments[0]! : this.writer.segment;
  }

  /**
   * Alloy's Truncate(mint): drops series whose last sample is older than mint, and replaces the oldest
   * two thirds of the segments (never past `keepFrom`, the oldest position an endpoint still reads) by a
   * checkpoint of the series still needed. Segments whose newest sample is older than `dropBefore`
   * (max_keepalive) go even when an endpoint has not read them. Returns the number of segments deleted.
   */
  async truncate(mint: number, keepFrom: Position | undefined, dropBefore = -Infinity): Promise<number> {
    await this.appendChain;
    const current = this.writer.segment;
    // Series garbage collection.
    let gced = 0;
    for (let ref = 1; ref < this.nextRef; ref++) {
      const g = this.walToGlobal[ref]!;
      if (g < 0 || this.lastTs[ref]! >= mint) continue;
      this.walToGlobal[ref] = -1;
      if (this.globalToWal[g] === ref) this.globalToWal[g] = -1;
      this.deleted.set(ref, { global: g, segment: current });
      this.stats.series--;
      gced++;
    }
    // Cut a segment so that the current data is in a closed one.
    if (this.writer.position.offset > 0) this.writer.cutSegment();
    await this.writer.written();
    const segments = (await listSegments(this.platform, this.dir)).filter((s) => s < this.writer.segment);
    if (segments.length < 2) {
      this.forgetDeleted(-1);
      return 0;
    }
    const first = segments[0]!;
    let last = segments[segments.length - 1]!;
    last = first + Math.floor(((last - first) * 2) / 3);
    if (keepFrom && last >= keepFrom.segment) last = keepFrom.segment - 1;
    // Data older than max_keepalive is not kept for endpoints that cannot send it.
    const closed = segments[segments.length - 1]!;
    while (last < closed && (this.segmentMaxTs.get(last + 1) ?? Infinity) < dropBefore) last++;
    if (last < first) return 0;
    await this.writeCheckpoint(last);
    for (const s of segments) if (s <= last) await this.platform.fs.remove(`${this.dir}/${segmentName(s)}`);
    this.forgetDeleted(last);
    for (const seg of [...this.segmentMaxTs.keys()]) if (seg <= last) this.segmentMaxTs.delete(seg);
    // Older checkpoints.
    for (const e of await this.platform.fs.readDir(this.dir)) {
      const m = /^checkpoint\.([0-9]+)(\.tmp)?$/.exec(e.name);
      if (m && (Number(m[1]) < last || m[2])) await this.platform.fs.remove(`${this.dir}/${e.name}`);
    }
    this.logger.debug("WAL truncated", { mint, segments_deleted: last - first + 1, series_gced: gced });
    return segments.filter((s) => s <= last).length;
  }

  /** Forgets deleted series whose last segment is at or before `upTo` (releasing their labels). */
  private forgetDeleted(upTo: number): void {
    for (const [ref, d] of this.deleted) {
      if (d.segment <= upTo) {
        this.store.release(d.global);
        this.deleted.delete(ref);
      }
    }
  }

  /** checkpoint.<last>/00000000: series records of live series and of deleted ones still referenced. */
  private async writeCheckpoint(last: number): Promise<void> {
    const name = `checkpoint.${segmentName(last)}`;
    const tmp = `${this.dir}/${name}.tmp`;
    await this.platform.fs.remove(tmp);
    await this.platform.fs.mkdirp(tmp);
    const cw = new SegmentWriter(this.platform, tmp, Number.MAX_SAFE_INTEGER - (Number.MAX_SAFE_INTEGER % 32768));
    await cw.openSegment(0);
    const table = this.store.series;
    let cur = 0;
    const view = { count: 0, nameId: (i: number) => table.nameId(cur, i), valueId: (i: number) => table.valueId(cur, i) };
    const labelsOf = (g: number) => ((cur = g), (view.count = table.count(g)), view);
    const entries: number[] = [];
    const flush = () => {
      if (entries.length === 0) return;
      cw.log([encodeSeries(this.w, entries, labelsOf, table.symbols)]);
      entries.length = 0;
    };
    for (let ref = 1; ref < this.nextRef; ref++) {
      const g = this.walToGlobal[ref]!;
      if (g >= 0 && table.has(g)) entries.push(ref, g);
      if (entries.length >= 20_000) flush();
    }
    for (const [ref, d] of this.deleted) {
      if (d.segment > last && table.has(d.global)) entries.push(ref, d.global);
      if (entries.length >= 20_000) flush();
    }
    flush();
    await cw.close();
    const final = `${this.dir}/${name}`;
    await this.platform.fs.remove(final);
    await this.platform.fs.rename(tmp, final);
  }

  /** Waits for pending writes, fsyncs and closes the current segment. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.appendChain;
    await this.writer.close();
    for (let ref = 1; ref < this.nextRef; ref++) {
      const g = this.walToGlobal[ref]!;
      if (g >= 0) this.store.release(g);
    }
    this.forgetDeleted(Number.MAX_SAFE_INTEGER);
  }
}
