// One target's scrape loop, as Prometheus's scrapeLoop: first scrape after the target's offset, then
// every interval (scrape timestamps aligned to the ticker within 1% of the interval, at most 2ms);
// each scrape fetches with the negotiated Accept header, reads the body (bounded, gzip), parses it into
// one batch of global series refs, adds staleness markers for series that disappeared and the synthetic
// up/scrape_* series, and forwards the batch. A loop whose target went away writes staleness markers for
// all its series two intervals later (end-of-run staleness), unless the component is shutting down.
//
// Hot path: a repeated series costs a lookup of its raw text in the RawSeriesCache (no label decoding),
// so only new series are decoded, given target labels, validated and interned in the LabelStore.

import { type HttpResponse, ResponseTooLargeError } from "../../../platform/mod.ts";
import type { Logger } from "../../../runtime/logging/logger.ts";
import { deadline } from "../../../runtime/signal.ts";
import { formatDuration } from "../../../syntax/schema/index.ts";
import { Entry, type EntryKind, type ExpositionParser, type MetricType } from "../../../wire/exposition/common.ts";
import { OpenMetricsParser } from "../../../wire/exposition/openmetrics.ts";
import { PromTextParser } from "../../../wire/exposition/promtext.ts";
import { ProtobufExpositionParser } from "../../../wire/exposition/protobuf.ts";
import { ScrapeReader, type SeriesResolver } from "../../../wire/exposition/reader.ts";
import type { NativeHistogram } from "../../../wire/histogram.ts";
import type { LabelsBuilder } from "../../../wire/labels/builder.ts";
import { RawSeriesCache } from "../../../wire/labels/rawcache.ts";
import type { LabelStore } from "../labelstore.ts";
import { type MetricMetadata, MetricsBatch, type MetricsReceiver } from "../receiver.ts";
import type { HttpClient } from "../httpclient.ts";
import type { Target } from "./target.ts";

/** Settings shared by the loops of one component. */
export interface LoopOptions {
  honorLabels: boolean;
  honorTimestamps: boolean;
  trackTimestampsStaleness: boolean;
  sampleLimit: number;
  labelLimit: number;
  labelNameLengthLimit: number;
  labelValueLengthLimit: number;
  bodySizeLimit: number;
  acceptHeader: string;
  enableCompression: boolean;
  /** Parser for a missing or unknown Content-Type: "text", "openmetrics", "protobuf", or "" (fail). */
  fallback: ParserKind | "";
  scrapeNativeHistograms: boolean;
  scrapeClassicHistograms: boolean;
  extraMetrics: boolean;
  utf8Names: boolean;
  honorMetadata: boolean;
  userAgent: string;
}

export type ParserKind = "text" | "openmetrics" | "protobuf";

export interface LoopDeps {
  store: LabelStore;
  client: HttpClient;
  receiver: MetricsReceiver;
  logger: Logger;
  offsetSeed: bigint;
  /** Called after every forwarded batch with its sample count and the time it took. */
  onForward(samples: number, seconds: number): void;
}

export class ScrapeError extends Error {
  override name = "ScrapeError";
}

const LEGACY_METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LEGACY_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Maps the parsed labels of a new series to its global ref: target labels, checks, interning. */
class Resolver implements SeriesResolver {
  readonly metadataByFamily = new Map<string, MetricMetadata & { changed: boolean }>();

  constructor(
    private readonly target: Target,
    private readonly options: LoopOptions,
    private readonly store: LabelStore,
  ) {}

  resolve(lb: LabelsBuilder, _type: MetricType): number {
    const target = this.target.publicLabels();
    if (this.options.honorLabels) {
      for (const [n, v] of target) if (lb.get(n) === undefined) lb.add(n, v);
    } else {
      let conflicts: [string, string][] | undefined;
      for (const [n, v] of target) {
        const existing = lb.get(n);
        if (existing !== undefined && existing !== "") (conflicts ??= []).push([n, existing]);
        lb.set(n, v);
      }
      if (conflicts) {
        conflicts.sort((a, b) => a[0].length - b[0].length);
        for (const [n, v] of conflicts) {
          let name = n;
          for (;;) {
            name = `exported_${name}`;
            const cur = lb.get(name);
            if (cur === undefined || cur === "") {
              lb.set(name, v);
              break;
            }
          }
        }
      }
    }
    lb.sort();
    const name = lb.get("__name__");
    if (name === undefined || name === "") throw new ScrapeError("missing metric name (__name__ label)");
    if (!this.options.utf8Names) {
      let ok = LEGACY_METRIC.test(name);
      for (let i = 0; ok && i < lb.length; i++) ok = LEGACY_LABEL.test(lb.names[i]!) || lb.names[i] === "__name__";
      if (!ok) throw new ScrapeError(`invalid metric name or label names: ${formatLabels(lb)}`);
    }
    const o = this.options;
    if (o.labelLimit > 0 && lb.length > o.labelLimit) {
      throw new ScrapeError(`label_limit exceeded (metric: ${name.slice(0, 50)}, number of labels: ${lb.length}, limit: ${o.labelLimit})`);
    }
    if (o.labelNameLengthLimit > 0 || o.labelValueLengthLimit > 0) {
      for (let i = 0; i < lb.length; i++) {
        const ln = lb.names[i]!, lv = lb.values[i]!;
        const nl = utf8Length(ln), vl = utf8Length(lv);
        if (o.labelNameLengthLimit > 0 && nl > o.labelNameLengthLimit) {
          throw new ScrapeError(`label_name_length_limit exceeded (metric: ${name.slice(0, 50)}, label name: ${ln.slice(0, 50)}, length: ${nl}, limit: ${o.labelNameLengthLimit})`);
        }
        if (o.labelValueLengthLimit > 0 && vl > o.labelValueLengthLimit) {
          throw new ScrapeError(
            `label_value_length_limit exceeded (metric: ${name.slice(0, 50)}, label name: ${ln.slice(0, 50)}, value: ${JSON.stringify(lv.slice(0, 50))}, length: ${vl}, limit: ${o.labelValueLengthLimit})`,
          );
        }
      }
    }
    const ref = this.store.intern(lb);
    this.store.retain(ref);
    return ref;
  }

  metadata(kind: "help" | "type" | "unit", metric: string, text: string): void {
    let m = this.metadataByFamily.get(metric);
    if (m === undefined) {
      m = { family: metric, type: "unknown", help: "", unit: "", changed: true };
      this.metadataByFamily.set(metric, m);
    }
    if (kind === "help" && m.help !== text) (m.help = text), (m.changed = true);
    else if (kind === "type" && m.type !== text) (m.type = text as MetricType), (m.changed = true);
    else if (kind === "unit" && m.unit !== text) (m.unit = text), (m.changed = true);
  }
}

function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) n += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : c < 0x800 ? 1 : 0;
  }
  return n;
}

function formatLabels(lb: LabelsBuilder): string {
  const parts: string[] = [];
  for (let i = 0; i < lb.length; i++) parts.push(`${lb.names[i]}=${JSON.stringify(lb.values[i])}`);
  return `{${parts.join(", ")}}`;
}

/** Hides native histogram entries (scrape_native_histograms off: classic series only). */
class ClassicOnly implements ExpositionParser {
  constructor(private readonly p: ExpositionParser) {}
  next(): EntryKind {
    for (;;) {
      const e = this.p.next();
      if (e !== Entry.Histogram) return e;
    }
  }
  get buf() { return this.p.buf; }
  get seriesStart() { return this.p.seriesStart; }
  get seriesEnd() { return this.p.seriesEnd; }
  get value() { return this.p.value; }
  get hasTimestamp() { return this.p.hasTimestamp; }
  get timestamp() { return this.p.timestamp; }
  get metricType() { return this.p.metricType; }
  labels(lb: LabelsBuilder) { return this.p.labels(lb); }
  exemplar(lb: LabelsBuilder) { return this.p.exemplar(lb); }
  get exemplarValue() { return this.p.exemplarValue; }
  get exemplarHasTimestamp() { return this.p.exemplarHasTimestamp; }
  get exemplarTimestamp() { return this.p.exemplarTimestamp; }
  startTimestamp() { return this.p.startTimestamp(); }
  metadataName() { return this.p.metadataName(); }
  helpText() { return this.p.helpText(); }
  unitText() { return this.p.unitText(); }
  commentText() { return this.p.commentText(); }
  histogram(h: NativeHistogram) { return this.p.histogram!(h); }
}

/** The parser for a response Content-Type (Prometheus's textparse.New), or the fallback. */
export function parserKind(contentType: string | null, fallback: ParserKind | ""): ParserKind | undefined {
  const mediaType = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (mediaType === "application/openmetrics-text") return "openmetrics";
  if (mediaType === "application/vnd.google.protobuf") {
    const proto = /proto=([^;]+)/i.exec(contentType ?? "")?.[1]?.trim();
    if (proto === "io.prometheus.client.MetricFamily") return "protobuf";
  }
  if (mediaType === "text/plain") return "text";
  return fallback === "" ? undefined : fallback;
}

const REPORT_METRICS = [
  "up",
  "scrape_duration_seconds",
  "scrape_samples_scraped",
  "scrape_samples_post_metric_relabeling",
  "scrape_series_added",
] as const;
const EXTRA_REPORT_METRICS = ["scrape_timeout_seconds", "scrape_sample_limit", "scrape_body_size_bytes"] as const;

/** Scrapes are not aligned when the ticker ran this late (Prometheus: 1% of the interval, at most 2ms). */
const MAX_ALIGN_TOLERANCE_MS = 2;
/** Samples more than this far in the future are out of bounds (Prometheus's maxAheadTime). */
const MAX_AHEAD_MS = 10 * 60_000;
const EMPTY_SET: ReadonlySet<number> = new Set();

export interface TargetStatus {
  job: string;
  url: string;
  health: "up" | "down" | "unknown";
  labels: Record<string, string>;
  last_error: string;
  /** RFC 3339 time of the last scrape. */
  last_scrape: string;
  /** Go duration text, e.g. "12.5ms". */
  last_scrape_duration: string;
}

export class ScrapeLoop {
  private readonly cache = new RawSeriesCache();
  private resolver: Resolver;
  private reader: ScrapeReader;
  private readonly batch = new MetricsBatch();
  private readonly textParser = new PromTextParser();
  private body = new Uint8Array(64 * 1024);
  private reportRefs: number[] | undefined;
  /** Refs of the last scrape's samples that carried their own timestamps (no staleness tracking). */
  private explicitRefs: ReadonlySet<number> = EMPTY_SET;
  private deadEntries = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private aligned = 0;
  private stopped = false;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private lastScrapeStart = 0;
  health: "up" | "down" | "unknown" = "unknown";
  /** Fails every scrape with this error while set (Prometheus's setForcedError). */
  forcedError: string | undefined;
  lastError = "";
  lastDurationMs = 0;

  constructor(
    readonly target: Target,
    private options: LoopOptions,
    private readonly deps: LoopDeps,
  ) {
    this.resolver = new Resolver(target, options, deps.store);
    this.reader = new ScrapeReader(this.cache, this.resolver);
  }

  start(): void {
    const offset = this.target.offsetMs(this.deps.offsetSeed);
    this.aligned = Date.now() + offset;
    this.timer = setTimeout(() => this.tick(), offset);
  }

  /** New loop options (the series cache is kept unless labels would come out differently). */
  setOptions(options: LoopOptions): void {
    const relabels = options.honorLabels !== this.options.honorLabels || options.utf8Names !== this.options.utf8Names;
    this.options = options;
    if (relabels) this.dropCache();
    this.resolver = new Resolver(this.target, options, this.deps.store);
    this.reader = new ScrapeReader(this.cache, this.resolver);
  }

  private tick(): void {
    if (this.stopped) return;
    const interval = this.target.intervalMs;
    const now = Date.now();
    while (now - this.aligned >= interval) this.aligned += interval;
    const tolerance = Math.min(interval / 100, MAX_ALIGN_TOLERANCE_MS);
    // Samples carry whole milliseconds (Prometheus's timestamp.FromTime); the aligned time keeps the
    // offset's fraction for the timers.
    const scrapeTime = Math.floor(now - this.aligned <= tolerance ? this.aligned : now);
    this.running = this.scrapeAndReport(scrapeTime)
      .catch((e) => this.deps.logger.warn("scrape failed", { target: this.target.url, err: (e as Error).message }))
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        this.aligned += interval;
        this.timer = setTimeout(() => this.tick(), Math.max(0, this.aligned - Date.now()));
      });
  }

  /** One scrape at appendTime (ms): fetch, parse, staleness, report, forward. */
  async scrapeAndReport(appendTime: number): Promise<void> {
    const start = Date.now();
    this.lastScrapeStart = start;
    const batch = this.batch.reset();
    let scrapeError: string | undefined;
    let bytes = 0;
    let body: Uint8Array | undefined;
    let contentType: string | null = null;
    try {
      // A forced error (target_limit exceeded) fails the scrape without fetching: stale markers follow.
      if (this.forcedError !== undefined) throw new ScrapeError(this.forcedError);
      ({ body, contentType } = await this.fetchBody());
      bytes = body.length;
    } catch (e) {
      scrapeError = (e as Error).message;
      if (scrapeError === "body size limit exceeded") bytes = -1;
      this.deps.logger.debug("Scrape failed", { target: this.target.url, err: scrapeError });
    }
    if (this.stopped && this.abort.signal.aborted) return;

    const cache = this.cache;
    cache.nextIteration();
    let total = 0, added = 0, seriesAdded = 0;
    let appendError: string | undefined;
    if (body !== undefined && body.length > 0) {
      try {
        ({ total, added, seriesAdded } = this.append(body, contentType, appendTime));
      } catch (e) {
        appendError = e instanceof Error ? e.message : String(e);
        batch.reset(); // rollback
        this.deps.logger.debug("Append failed", { target: this.target.url, err: appendError });
      }
    }
    // Series of the previous scrape that were not seen (all of them when the scrape failed).
    const explicitPrev = this.explicitRefs;
    let disappeared = 0;
    cache.forEachDisappeared((_entry, ref) => {
      disappeared++;
      if (ref >= 0 && !explicitPrev.has(ref)) batch.pushStale(ref, appendTime);
    });
    if (appendError === undefined && scrapeError === undefined) this.collectExplicit();
    this.deadEntries += disappeared;

    const error = scrapeError ?? appendError;
    this.report(batch, start, (Date.now() - start) / 1000, total, added, seriesAdded, bytes, error);
    this.health = error === undefined ? "up" : "down";
    this.lastError = error ?? "";
    this.lastDurationMs = Date.now() - start;

    if (this.options.honorMetadata) {
      for (const m of this.resolver.metadataByFamily.values()) {
        if (!m.changed) continue;
        m.changed = false;
        batch.metadata.push({ family: m.family, type: m.type, help: m.help, unit: m.unit });
      }
    }
    await this.forward(batch);

    // Forget cache entries of series gone for good once they are a quarter of the cache (Prometheus
    // flushes them after every successful scrape; compacting the arena that often would cost more).
    if (error === undefined && this.deadEntries > Math.max(1000, cache.size / 4)) {
      cache.sweep(1, (ref) => ref >= 0 && this.deps.store.release(ref));
      this.deadEntries = 0;
    }
  }

  private async forward(batch: MetricsBatch): Promise<void> {
    const t0 = performance.now();
    try {
      await this.deps.receiver.append(batch);
    } finally {
      this.deps.onForward(batch.sampleCount, (performance.now() - t0) / 1000);
      batch.reset();
    }
  }

  /** Parses a body into the batch; throws to fail the scrape (the batch is then rolled back). */
  private append(body: Uint8Array, contentType: string | null, appendTime: number): { total: number; added: number; seriesAdded: number } {
    const o = this.options;
    const kind = parserKind(contentType, o.fallback);
    if (kind === undefined) {
      throw new ScrapeError(
        `non-compliant scrape target sending blank Content-Type and no fallback_scrape_protocol specified for target`,
      );
    }
    let parser: ExpositionParser;
    if (kind === "text") parser = this.textParser.reset(body);
    else if (kind === "openmetrics") parser = new OpenMetricsParser(body);
    else {
      const p = new ProtobufExpositionParser(body, { keepClassicHistograms: o.scrapeClassicHistograms || !o.scrapeNativeHistograms });
      parser = o.scrapeNativeHistograms ? p : new ClassicOnly(p);
    }
    const batch = this.batch;
    const result = this.reader.read(parser, batch, { exemplars: true });
    const added = result.samples - result.dropped;
    if (o.sampleLimit > 0 && added > o.sampleLimit) throw new ScrapeError("sample limit exceeded");
    this.fillTimestamps(batch, appendTime);
    return { total: result.samples, added, seriesAdded: result.newSeries };
  }

  /** Gives every sample a timestamp: its own (honor_timestamps) or the scrape's; drops far-future ones. */
  private fillTimestamps(batch: MetricsBatch, appendTime: number): void {
    const ts = batch.timestamps;
    const ids = batch.ids;
    const n = batch.length;
    let explicit: Set<number> | undefined;
    if (!this.options.honorTimestamps) {
      ts.fill(appendTime, 0, n);
      for (const h of batch.histograms) h.timestamp = appendTime;
    } else {
      for (let i = 0; i < n; i++) {
        if (ts[i] !== ts[i]) ts[i] = appendTime;
        else (explicit ??= new Set()).add(ids[i]!);
      }
      for (const h of batch.histograms) {
        if (h.timestamp !== h.timestamp) h.timestamp = appendTime;
        else (explicit ??= new Set()).add(h.id);
      }
    }
    // Exemplars without a timestamp take their sample's.
    for (const e of batch.exemplars) if (e.timestamp !== e.timestamp) e.timestamp = ts[e.sample]!;
    this.pendingExplicit = explicit;
    if (explicit) this.dropOutOfBounds(batch);
  }

  /** Series of this scrape whose samples carried their own timestamps. */
  private pendingExplicit: Set<number> | undefined;

  /** Series with explicit timestamps get no staleness markers, unless track_timestamps_staleness. */
  private collectExplicit(): void {
    const next = this.options.trackTimestampsStaleness ? undefined : this.pendingExplicit;
    this.explicitRefs = next ?? EMPTY_SET;
    this.pendingExplicit = undefined;
  }

  /** Drops samples too far in the future (Prometheus's out-of-bounds error, counted, not fatal). */
  private dropOutOfBounds(batch: MetricsBatch): void {
    const max = Date.now() + MAX_AHEAD_MS;
    const ts = batch.timestamps;
    let w = 0;
    const remap = batch.exemplars.length > 0 ? new Int32Array(batch.length).fill(-1) : undefined;
    for (let i = 0; i < batch.length; i++) {
      if (ts[i]! > max) continue;
      if (w !== i) {
        batch.ids[w] = batch.ids[i]!;
        batch.values[w] = batch.values[i]!;
        ts[w] = ts[i]!;
        batch.startTimestamps[w] = batch.startTimestamps[i]!;
      }
      if (remap) remap[i] = w;
      w++;
    }
    if (w !== batch.length) {
      if (remap) {
        batch.exemplars = batch.exemplars.filter((e) => remap[e.sample]! >= 0);
        for (const e of batch.exemplars) e.sample = remap[e.sample]!;
      }
      this.deps.logger.warn("Error on ingesting samples that are too old or are too far into the future", { num_dropped: batch.length - w });
      batch.length = w;
    }
    batch.histograms = batch.histograms.filter((h) => h.timestamp <= max);
  }

  /** The synthetic series: up, scrape_duration_seconds, ... (Prometheus's report). */
  private report(batch: MetricsBatch, startMs: number, durationSec: number, scraped: number, added: number, seriesAdded: number, bytes: number, error: string | undefined): void {
    const refs = this.reportSeries();
    const values = [error === undefined ? 1 : 0, durationSec, scraped, added, seriesAdded];
    if (this.options.extraMetrics) values.push(this.target.timeoutMs / 1000, this.options.sampleLimit, bytes);
    for (let k = 0; k < values.length; k++) batch.push(refs[k]!, values[k]!, startMs, 0);
  }

  private reportSeries(): number[] {
    const names = this.options.extraMetrics ? [...REPORT_METRICS, ...EXTRA_REPORT_METRICS] : REPORT_METRICS;
    if (this.reportRefs && this.reportRefs.length === names.length) return this.reportRefs;
    this.releaseReportRefs();
    const store = this.deps.store;
    const refs: number[] = [];
    for (const name of names) {
      // mutateReportSampleLabels: target labels win; exported_<name> would carry a clash (none here).
      const flat: [string, string][] = [["__name__", name]];
      for (const [n, v] of this.target.publicLabels()) {
        const i = flat.findIndex(([k]) => k === n);
        if (i >= 0) flat[i] = [n, v];
        else flat.push([n, v]);
      }
      flat.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      const ref = store.internArray(flat.flat());
      store.retain(ref);
      refs.push(ref);
    }
    this.reportRefs = refs;
    return refs;
  }

  private releaseReportRefs(): void {
    for (const ref of this.reportRefs ?? []) this.deps.store.release(ref);
    this.reportRefs = undefined;
  }

  private async fetchBody(): Promise<{ body: Uint8Array; contentType: string | null }> {
    const o = this.options;
    const headers = new Headers({
      Accept: o.acceptHeader,
      "Accept-Encoding": o.enableCompression ? "gzip" : "identity",
      "User-Agent": o.userAgent,
      "X-Prometheus-Scrape-Timeout-Seconds": formatSeconds(this.target.timeoutMs / 1000),
    });
    const timeout = deadline(Math.max(1, this.target.timeoutMs), this.abort.signal);
    let response: HttpResponse;
    try {
      response = await this.deps.client.request(this.target.url, {
        method: "GET",
        headers,
        signal: timeout.signal,
        // Only a 200's body is parsed; Prometheus fails a body of body_size_limit bytes or more.
        readBody: (status) => status === 200,
        ...(o.bodySizeLimit > 0 ? { maxBodyBytes: o.bodySizeLimit - 1 } : {}),
        bodyBuffer: this.body,
      });
    } catch (e) {
      if (e instanceof ResponseTooLargeError) throw new ScrapeError("body size limit exceeded");
      throw new ScrapeError(fetchErrorText(e, this.target.url, timeout.timedOut()));
    } finally {
      timeout.dispose();
    }
    if (response.status !== 200) throw new ScrapeError(`server returned HTTP status ${response.status} ${response.statusText || statusText(response.status)}`);
    let body = response.body;
    // The next body is read into one buffer big enough for this one.
    if (body.length > this.body.length) this.body = new Uint8Array(2 ** Math.ceil(Math.log2(body.length)));
    if (response.headers.get("Content-Encoding") === "gzip" && body[0] === 0x1f && body[1] === 0x8b) {
      // Network responses come decoded; a response from the in-memory address may not be.
      try {
        body = await gunzip(body, o.bodySizeLimit);
      } catch (e) {
        if (e instanceof ScrapeError) throw e;
        throw new ScrapeError(fetchErrorText(e, this.target.url, false));
      }
    }
    return { body, contentType: response.headers.get("Content-Type") };
  }

  /** Stops the loop. With endOfRun, staleness markers follow two intervals later (the target went away). */
  stop(endOfRun: boolean): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (!endOfRun || this.lastScrapeStart === 0) {
      this.abort.abort();
      this.release();
      return;
    }
    void this.endOfRunStaleness();
  }

  /** Stops at once without staleness markers (shutdown). */
  shutdown(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.abort.abort();
    this.release();
  }

  private async endOfRunStaleness(): Promise<void> {
    const interval = this.target.intervalMs;
    const signal = this.abort.signal;
    const wait = (ms: number) =>
      new Promise<boolean>((resolve) => {
        if (signal.aborted) return resolve(false);
        const onAbort = () => {
          clearTimeout(t);
          resolve(false);
        };
        const t = setTimeout(() => {
          signal.removeEventListener("abort", onAbort);
          resolve(true);
        }, Math.max(0, ms));
        signal.addEventListener("abort", onAbort, { once: true });
      });
    await this.running;
    // The next scrape would have been at the next tick; markers carry that time. Then wait one more
    // interval (and 10%) so that a recreated target has scraped first.
    let next = this.aligned;
    while (next <= Date.now()) next += interval;
    if (!(await wait(next - Date.now()))) return;
    const staleTime = Date.now();
    if (!(await wait(interval + interval / 10))) return;
    const batch = this.batch.reset();
    this.cache.nextIteration();
    this.cache.forEachDisappeared((_e, ref) => {
      if (ref >= 0 && !this.explicitRefs.has(ref)) batch.pushStale(ref, staleTime);
    });
    for (const ref of this.reportSeries()) batch.pushStale(ref, staleTime);
    try {
      await this.forward(batch);
    } catch (e) {
      this.deps.logger.warn("Stale append failed", { target: this.target.url, err: (e as Error).message });
    }
    this.release();
  }

  private dropCache(): void {
    this.cache.sweep(0, (ref) => ref >= 0 && this.deps.store.release(ref));
    this.deadEntries = 0;
  }

  private release(): void {
    this.dropCache();
    this.releaseReportRefs();
  }

  status(job: string): TargetStatus {
    return {
      job,
      url: this.target.url,
      health: this.health,
      labels: Object.fromEntries(this.target.publicLabels()),
      last_error: this.lastError,
      last_scrape: new Date(this.lastScrapeStart).toISOString(),
      last_scrape_duration: formatDuration(Math.round(this.lastDurationMs * 1e6)),
    };
  }
}

function formatSeconds(s: number): string {
  return String(s);
}

function statusText(code: number): string {
  const texts: Record<number, string> = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error",
    502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
  };
  return texts[code] ?? "";
}

function fetchErrorText(e: unknown, url: string, timedOut: boolean): string {
  if (timedOut) return `Get "${url}": context deadline exceeded`;
  const err = e as Error & { cause?: { code?: string; message?: string } };
  const cause = err.cause?.code ?? err.cause?.message;
  return `Get "${url}": ${cause ? `${err.message} (${cause})` : err.message}`;
}

async function gunzip(body: Uint8Array, limit: number): Promise<Uint8Array> {
  const stream = new Blob([body as BlobPart]).stream().pipeThrough(new DecompressionStream("gzip"));
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (limit > 0 && n >= limit) {
      await reader.cancel().catch(() => {});
      throw new ScrapeError("body size limit exceeded");
    }
    chunks.push(value);
  }
  const out = new Uint8Array(n);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}
