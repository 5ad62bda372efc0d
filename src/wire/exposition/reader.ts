// From a parsed scrape body to a columnar batch of samples keyed by series id.
//
// Why hand-written: this is where "no object per sample" is won. Each sample's raw series text is looked
// up in a RawSeriesCache (bytes compared in place); only a series never seen before has its labels
// decoded, checked for duplicate names, and handed to the resolver (relabelling, interning), whose
// answer is cached. A repeated scrape therefore costs: lex the line, hash and compare its series bytes,
// parse the float, and three typed-array stores.

import type { LabelsBuilder } from "../labels/builder.ts";
import { NativeHistogram } from "../histogram.ts";
import { LabelsBuilder as Builder } from "../labels/builder.ts";
import type { RawSeriesCache } from "../labels/rawcache.ts";
import type { EntryKind, ExpositionParser, MetricType } from "./common.ts";

// Entry numbers as local constants (see common.ts's Entry): imported object properties are slow under tsx.
const E_EOF: EntryKind = 0;
const E_HISTOGRAM: EntryKind = 6;
const E_HELP: EntryKind = 2;
const E_SERIES: EntryKind = 1;
const E_TYPE: EntryKind = 3;
const E_UNIT: EntryKind = 4;

/** A series' labels are unusable (Prometheus's storage error for them). */
export class InvalidSeriesError extends Error {
  override name = "InvalidSeriesError";
}

/**
 * One exemplar attached to sample `sample` of a batch, or, when `sample` is -1, to series `id`
 * (remote write carries exemplars in series of their own, with no sample of theirs in the batch).
 */
export interface BatchExemplar {
  sample: number;
  /** The series ref of an exemplar not attached to a sample (sample -1). */
  id?: number;
  labels: string[];
  value: number;
  /** Milliseconds, or NaN when the exemplar has no timestamp. */
  timestamp: number;
}

/** A native histogram sample of a batch. */
export interface BatchHistogram {
  id: number;
  /** Milliseconds, or NaN when none was given. */
  timestamp: number;
  startTimestamp: number;
  histogram: NativeHistogram;
}

/**
 * Samples in columns: series id, value, timestamp (NaN: none given), start timestamp (0: unknown).
 * Native histograms go to `histograms`, whose records are pooled across reset().
 */
export class SampleBatch {
  ids: Int32Array;
  values: Float64Array;
  timestamps: Float64Array;
  startTimestamps: Float64Array;
  length = 0;
  exemplars: BatchExemplar[] = [];
  histograms: BatchHistogram[] = [];
  private histogramCount = 0;

  constructor(capacity = 1024) {
    this.ids = new Int32Array(capacity);
    this.values = new Float64Array(capacity);
    this.timestamps = new Float64Array(capacity);
    this.startTimestamps = new Float64Array(capacity);
  }

  reset(): this {
    this.length = 0;
    this.exemplars.length = 0;
    this.histogramCount = 0;
    this.histograms.length = 0;
    return this;
  }

  /** A pooled histogram record appended to `histograms`. */
  addHistogram(id: number, timestamp: number, startTimestamp: number): BatchHistogram {
    const pool = this.pool;
    let rec = pool[this.histogramCount];
    if (rec === undefined) pool.push((rec = { id, timestamp, startTimestamp, histogram: new NativeHistogram() }));
    rec.id = id;
    rec.timestamp = timestamp;
    rec.startTimestamp = startTimestamp;
    this.histogramCount++;
    this.histograms.push(rec);
    return rec;
  }

  private readonly pool: BatchHistogram[] = [];

  push(id: number, value: number, timestamp: number, startTimestamp = 0): number {
    const i = this.length;
    if (i === this.ids.length) this.grow();
    this.ids[i] = id;
    this.values[i] = value;
    this.timestamps[i] = timestamp;
    this.startTimestamps[i] = startTimestamp;
    this.length = i + 1;
    return i;
  }

  private grow(): void {
    const n = this.ids.length * 2;
    const g = <T extends Int32Array | Float64Array>(a: T, b: T): T => (b.set(a), b);
    this.ids = g(this.ids, new Int32Array(n));
    this.values = g(this.values, new Float64Array(n));
    this.timestamps = g(this.timestamps, new Float64Array(n));
    this.startTimestamps = g(this.startTimestamps, new Float64Array(n));
  }
}

/** Decides what a new series becomes. */
export interface SeriesResolver {
  /**
   * Called once per raw series text not yet in the cache, with its sorted labels. Returns the id to store
   * for it (>= 0), or a negative number to drop its samples (for example: relabelled away).
   */
  resolve(labels: LabelsBuilder, type: MetricType): number;
  /** Optional: HELP, TYPE and UNIT lines as they pass. */
  metadata?(kind: "help" | "type" | "unit", metric: string, text: string): void;
}

export interface ReadOptions {
  /** Collect exemplars into batch.exemplars (default true). */
  exemplars?: boolean;
  /** Ask the parser for start timestamps (OpenMetrics `_created`, protobuf created_timestamp). */
  startTimestamps?: boolean;
}

export interface ReadResult {
  /** Samples in the body, including dropped ones. */
  samples: number;
  /** Samples whose series the resolver dropped. */
  dropped: number;
  /** Series seen for the first time (resolver calls). */
  newSeries: number;
}

export class ScrapeReader {
  private readonly lb = new Builder();
  private readonly ex = new Builder();

  constructor(readonly cache: RawSeriesCache, readonly resolver: SeriesResolver) {}

  /**
   * Reads every entry of `parser` into `batch` (appending). Throws the parser's ParseError, or
   * InvalidSeriesError for a label set with a repeated name.
   */
  read(parser: ExpositionParser, batch: SampleBatch, options: ReadOptions = {}): ReadResult {
    const wantExemplars = options.exemplars ?? true;
    const wantST = options.startTimestamps ?? false;
    const cache = this.cache;
    const resolver = this.resolver;
    const result: ReadResult = { samples: 0, dropped: 0, newSeries: 0 };
    for (;;) {
      const e = parser.next();
      if (e === E_SERIES || e === E_HISTOGRAM) {
        result.samples++;
        const buf = parser.buf;
        let entry = cache.lookup(buf, parser.seriesStart, parser.seriesEnd);
        let id: number;
        if (entry < 0) {
          const lb = parser.labels(this.lb);
          const dup = lb.duplicateName();
          if (dup !== undefined) throw new InvalidSeriesError(`label name "${dup}" is not unique: invalid sample`);
          id = resolver.resolve(lb, parser.metricType);
          entry = cache.insert(buf, parser.seriesStart, parser.seriesEnd, id);
          result.newSeries++;
        } else {
          id = cache.value(entry);
        }
        if (id < 0) {
          result.dropped++;
          continue;
        }
        const ts = parser.hasTimestamp ? parser.timestamp : NaN;
        if (e === E_HISTOGRAM) {
          const rec = batch.addHistogram(id, ts, wantST ? parser.startTimestamp() : 0);
          parser.histogram!(rec.histogram);
          continue;
        }
        const i = batch.push(id, parser.value, ts, wantST ? parser.startTimestamp() : 0);
        if (wantExemplars) {
          while (parser.exemplar(this.ex)) {
            batch.exemplars.push({
              sample: i,
              labels: this.ex.toArray(),
              value: parser.exemplarValue,
              timestamp: parser.exemplarHasTimestamp ? parser.exemplarTimestamp : NaN,
            });
          }
        }
      } else if (e === E_EOF) {
        return result;
      } else if (resolver.metadata !== undefined) {
        if (e === E_HELP) resolver.metadata("help", parser.metadataName(), parser.helpText());
        else if (e === E_TYPE) resolver.metadata("type", parser.metadataName(), parser.metricType);
        else if (e === E_UNIT) resolver.metadata("unit", parser.metadataName(), parser.unitText());
      }
    }
  }
}
