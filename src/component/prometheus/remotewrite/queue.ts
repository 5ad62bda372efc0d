// One remote-write endpoint: Prometheus's QueueManager fed by a WAL watcher.
//
// Reading: the endpoint follows the WAL live (the storage hands it every batch of records once they are
// written); when it falls behind (its queue is full because the receiver is slow or down, or it starts
// from a saved position after a restart), it reads segment files from its position until it has caught
// up, then follows live again. Unlike Prometheus, the position up to which every sample was sent (or
// given up on) is saved, so data that was not sent before a restart (or a kill) is sent after it.
//
// Sending: samples go to shards by series (so a series' samples stay in order); a shard sends a batch
// when it holds max_samples_per_send samples or batch_send_deadline passed; failures are retried with
// exponential backoff from min_backoff to max_backoff (5xx, network errors, and 429 when
// retry_on_http_429, honouring Retry-After), other 4xx drop the batch. The number of shards is
// recomputed every 10s from the rates in and out, as Prometheus does.

import type { HttpResponse } from "../../../platform/mod.ts";
import type { Logger } from "../../../runtime/logging/logger.ts";
import { deadline } from "../../../runtime/signal.ts";
import type { CounterChild, GaugeChild, HistogramChild } from "../../../runtime/metrics/registry.ts";
import type { NativeHistogram } from "../../../wire/histogram.ts";
import { LabelsBuilder } from "../../../wire/labels/builder.ts";
import { ProtoWriter, varintSize } from "../../../wire/protobuf/writer.ts";
import { WriteRequestEncoder } from "../../../wire/remotewrite/encode.ts";
import { BlockBuffer } from "../../../wire/snappy/snappy.ts";
import { REMOTE_WRITE_HEADERS, requestBody } from "../../../wire/remotewrite/request.ts";
import type { HttpClient } from "../httpclient.ts";
import type { LabelStore } from "../labelstore.ts";
import { RelabelCache } from "../relabel/component.ts";
import { processBuilder, RelabelBuilder, type RelabelRule } from "../relabel/rules.ts";
import {
  decodeExemplars,
  decodeHistograms,
  decodeSamples,
  type ExemplarEntry,
  type HistogramEntry,
  RECORD_CUSTOM_FLOAT_HISTOGRAMS,
  RECORD_CUSTOM_HISTOGRAMS,
  RECORD_EXEMPLARS,
  RECORD_FLOAT_HISTOGRAMS,
  RECORD_HISTOGRAMS,
  RECORD_SAMPLES,
  recordType,
  SampleColumns,
} from "./records.ts";
import type { WalStorage } from "./storage.ts";
import { comparePositions, type Position } from "./wlog.ts";

export interface QueueConfig {
  capacity: number;
  maxShards: number;
  minShards: number;
  maxSamplesPerSend: number;
  batchSendDeadlineMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  retryOnHttp429: boolean;
  sampleAgeLimitMs: number;
}

export interface EndpointConfig {
  /** remote_name label: the endpoint's name or a hash of its settings. */
  name: string;
  url: string;
  remoteTimeoutMs: number;
  headers: Record<string, string>;
  sendExemplars: boolean;
  sendNativeHistograms: boolean;
  queue: QueueConfig;
  externalLabels: Record<string, string>;
  rules: RelabelRule[];
  userAgent: string;
}

/** Per-endpoint metric children (labels remote_name, url). */
export interface EndpointMetrics {
  samples: CounterChild;
  samplesFailed: CounterChild;
  samplesRetried: CounterChild;
  samplesDropped: CounterChild;
  histograms: CounterChild;
  exemplars: CounterChild;
  bytes: CounterChild;
  pending: GaugeChild;
  shards: GaugeChild;
  shardsDesired: GaugeChild;
  shardsMax: GaugeChild;
  shardsMin: GaugeChild;
  highestSent: GaugeChild;
  sentBatchDuration: HistogramChild;
  enqueueRetries: CounterChild;
}

export interface EndpointDeps {
  storage: WalStorage;
  store: LabelStore;
  client: HttpClient;
  logger: Logger;
  metrics: EndpointMetrics;
}

const SHARD_UPDATE_MS = 10_000;
const SHARD_TOLERANCE = 0.3;
const EWMA_WEIGHT = 0.2;
/** Samples kept in memory for an endpoint that is behind on live batches, beyond which it reads files. */
const LIVE_BACKLOG_SAMPLES = 200_000;
/** How long stop() keeps trying to send what is queued (the rest is sent after a restart). */
const FLUSH_DEADLINE_MS = 5_000;

class NonRecoverableError extends Error {}

/** Enough bytes of an error response for the 512 characters of it that are logged. */
const ERROR_BODY_BYTES = 4 * 512;
const errorText = new TextDecoder();

/** Records of one written batch, read live or from a file, with the position after them. */
interface RecordGroup {
  records: readonly Uint8Array[];
  end: Position;
}

interface Chunk {
  end: Position;
  pending: number;
  sealed: boolean;
  /** Float samples of the chunk sent to each shard (chunks never span a resharding). */
  perShard: Int32Array;
}

/**
 * Where an endpoint resumes: the position after the last chunk whose samples were all sent, and per
 * shard (of `shards`) how many samples read after it were sent too. Shards send their samples in the
 * order they were read, so on resume the first skip[s] samples of shard s are skipped: nothing sent
 * before a restart is sent twice (Prometheus rejects a whole request with an out-of-order sample).
 */
export interface ResumePoint extends Position {
  shards?: number;
  skip?: number[];
}

interface QueuedHistogram {
  ref: number;
  ts: number;
  histogram: NativeHistogram;
  chunk: number;
}

interface QueuedExemplar {
  ref: number;
  ts: number;
  value: number;
  labels: readonly string[];
  chunk: number;
}

class Shard {
  index = 0;
  readonly refs: Int32Array;
  readonly ts: Float64Array;
  readonly values: Float64Array;
  readonly stale: Uint8Array;
  readonly chunks: Int32Array;
  head = 0;
  size = 0;
  histograms: QueuedHistogram[] = [];
  exemplars: QueuedExemplar[] = [];
  /** When the current batch started filling (deadline counts from here). */
  batchStart = 0;
  private wake: (() => void) | undefined;
  done: Promise<void> = Promise.resolve();

  constructor(readonly capacity: number) {
    this.refs = new Int32Array(capacity);
    this.ts = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.stale = new Uint8Array(capacity);
    this.chunks = new Int32Array(capacity);
  }

  get empty(): boolean {
    return this.size === 0 && this.histograms.length === 0 && this.exemplars.length === 0;
  }

  get full(): boolean {
    return this.size >= this.capacity;
  }

  /**
   * Queues sample k of the decoded columns under the endpoint's ref. The columns and index are passed
   * rather than the time and value: doubles passed to a call V8 does not inline are boxed, and the
   * async ingest() is too big for it to inline this (16 bytes per sample, most of what a Node agent
   * still allocated on the pipeline).
   */
  push(ref: number, cols: SampleColumns, k: number, chunk: number): void {
    if (this.empty) this.becameNonEmpty();
    const i = (this.head + this.size) % this.capacity;
    this.refs[i] = ref;
    this.ts[i] = cols.ts[k]!;
    this.values[i] = cols.values[k]!;
    this.stale[i] = cols.stale[k]!;
    this.chunks[i] = chunk;
    this.size++;
  }

  /** The deadline of a batch counts from its first item; the shard's loop starts waiting for it. */
  becameNonEmpty(): void {
    this.batchStart = Date.now();
    this.notify();
  }

  notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Waits for a notify() or the timeout. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = ms === Infinity ? undefined : setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, Math.max(0, ms));
      this.wake = () => {
        if (t !== undefined) clearTimeout(t);
        resolve();
      };
    });
  }
}

/** A batch taken from a shard. */
class SendBatch {
  refs: Int32Array;
  ts: Float64Array;
  values: Float64Array;
  stale: Uint8Array;
  chunks: Int32Array;
  length = 0;
  histograms: QueuedHistogram[] = [];
  exemplars: QueuedExemplar[] = [];
  /** The compressed request body; a shard sends one batch at a time. */
  readonly body = new BlockBuffer();

  constructor(n: number) {
    this.refs = new Int32Array(n);
    this.ts = new Float64Array(n);
    this.values = new Float64Array(n);
    this.stale = new Uint8Array(n);
    this.chunks = new Int32Array(n);
  }
}

class Ewma {
  private rate = 0;
  private count = 0;
  private init = false;
  constructor(private readonly intervalMs: number) {}
  add(n: number): void {
    this.count += n;
  }
  tick(): void {
    const instant = this.count / (this.intervalMs / 1000);
    this.count = 0;
    if (this.init) this.rate += EWMA_WEIGHT * (instant - this.rate);
    else if (instant > 0) {
      this.rate = instant;
      this.init = true;
    }
  }
  get value(): number {
    return this.rate;
  }
}

export class Endpoint {
  private shards: Shard[] = [];
  private numShards: number;
  private readonly encoder: WriteRequestEncoder;
  private readonly cols = new SampleColumns();
  private readonly relabelCache: RelabelCache;
  private readonly rb = new RelabelBuilder();
  private readonly lb = new LabelsBuilder();
  // Reading.
  private fifo: RecordGroup[] = [];
  private fifoSamples = 0;
  private behind = true;
  private readPos: Position;
  private expectedNext: Position;
  private lastDroppedEnd: Position = { segment: -1, offset: 0 };
  private feederWake: (() => void) | undefined;
  private feeder: Promise<void> | undefined;
  // Progress.
  private chunks: Chunk[] = [];
  private chunkBase = 0;
  committed: Position;
  /** Float samples sent per shard since `committed`. */
  private ackedSinceCommitted: number[] = [];
  /** Samples to skip per shard when resuming (see ResumePoint). */
  private resumeSkip: number[] | undefined;
  private resumeShards = 0;
  private reshardTo = 0;
  // State.
  private stopping = false;
  private readonly abort = new AbortController();
  private resharding = false;
  private spaceWaiters: (() => void)[] = [];
  private reshardTimer: ReturnType<typeof setInterval> | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly samplesIn = new Ewma(SHARD_UPDATE_MS);
  private readonly samplesOut = new Ewma(SHARD_UPDATE_MS);
  private readonly samplesOutDuration = new Ewma(SHARD_UPDATE_MS);
  private highestRecv = 0;
  /** Highest sample timestamp sent (ms). */
  highestSent = 0;
  private lastSendOk = Date.now();
  /** Last error of a send, for health. */
  lastError = "";
  sent = 0;

  constructor(
    readonly config: EndpointConfig,
    private readonly deps: EndpointDeps,
    /** Where to start reading: a saved position, or undefined for the current end of the WAL. */
    start: ResumePoint | undefined,
  ) {
    const q = config.queue;
    this.numShards = Math.max(1, q.minShards);
    const withRules = config.rules.length > 0;
    // External labels are added before write relabelling (Prometheus); without rules the encoder adds them.
    this.encoder = new WriteRequestEncoder(deps.store.series, { externalLabels: withRules ? {} : config.externalLabels });
    this.relabelCache = new RelabelCache(deps.store, Number.MAX_SAFE_INTEGER, false);
    const end = deps.storage.position;
    this.readPos = start ? { segment: start.segment, offset: start.offset } : end;
    if (start?.skip && start.shards && start.skip.length === start.shards && start.skip.some((k) => k > 0)) {
      this.resumeSkip = start.skip.slice();
      this.resumeShards = start.shards;
    }
    this.expectedNext = this.readPos;
    this.committed = this.readPos;
    this.behind = start !== undefined && comparePositions(start, end) < 0;
    deps.metrics.shardsMax.set(q.maxShards);
    deps.metrics.shardsMin.set(q.minShards);
  }

  start(): void {
    this.startShards(this.numShards);
    this.unsubscribe = this.deps.storage.onRecords((records, start, end) => this.onRecords(records, start, end));
    this.feeder = this.feed();
    this.reshardTimer = setInterval(() => this.updateShards(), SHARD_UPDATE_MS);
  }

  // ---- reading ------------------------------------------------------------------------------

  private onRecords(records: readonly Uint8Array[], start: Position, end: Position): void {
    if (this.stopping) return;
    if (!this.behind && this.fifoSamples < LIVE_BACKLOG_SAMPLES && comparePositions(start, this.expectedNext) === 0) {
      this.fifo.push({ records, end });
      this.fifoSamples += estimateSamples(records);
      this.expectedNext = end;
    } else {
      this.behind = true;
      if (comparePositions(end, this.lastDroppedEnd) > 0) this.lastDroppedEnd = end;
    }
    this.wakeFeeder();
  }

  private wakeFeeder(): void {
    const w = this.feederWake;
    this.feederWake = undefined;
    w?.();
  }

  private async feed(): Promise<void> {
    while (!this.stopping) {
      const group = this.fifo.shift();
      if (group) {
        this.fifoSamples -= estimateSamples(group.records);
        await this.ingest(group.records, group.end);
        continue;
      }
      if (this.behind) {
        try {
          await this.catchUp();
        } catch (e) {
          this.deps.logger.error("reading the WAL failed", { err: (e as Error).message });
          await new Promise((r) => setTimeout(r, 1000));
        }
        continue;
      }
      await new Promise<void>((resolve) => (this.feederWake = resolve));
    }
  }

  /** Reads segment files from readPos until the end of what is written. */
  private async catchUp(): Promise<void> {
    const storage = this.deps.storage;
    for (;;) {
      if (this.stopping) return;
      await storage.flushed();
      const current = storage.currentSegment;
      const pos = this.readPos;
      const file = await storage.readSegmentFile(pos.segment, pos.offset);
      if (file.missing) {
        const first = await storage.firstSegment();
        if (first > pos.segment) {
          this.deps.logger.warn("WAL segments the endpoint had not read were truncated", { from: pos.segment, to: first });
          this.readPos = { segment: first, offset: 0 };
          continue;
        }
        if (pos.segment >= current) {
          // Nothing written to the current segment yet.
          if (this.caughtUp()) return;
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        this.readPos = { segment: pos.segment + 1, offset: 0 };
        continue;
      }
      // Ingest in groups so that progress is tracked at record boundaries.
      const records = file.records;
      for (let k = 0; k < records.length; k += 16) {
        const group = records.slice(k, k + 16);
        await this.ingest(group.map((r) => r.data), { segment: pos.segment, offset: group[group.length - 1]!.end });
        if (this.stopping) return;
      }
      if (pos.segment < current) {
        this.readPos = { segment: pos.segment + 1, offset: 0 };
        continue;
      }
      if (records.length === 0) {
        if (this.caughtUp()) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  /** Back to live reading if nothing was dropped past the read position (synchronous decision). */
  private caughtUp(): boolean {
    if (comparePositions(this.lastDroppedEnd, this.readPos) > 0) return false;
    const end = this.deps.storage.position;
    if (comparePositions(end, this.readPos) > 0 && end.segment === this.readPos.segment) return false;
    this.behind = false;
    this.expectedNext = this.readPos;
    return true;
  }

  /** Puts the samples of records into the shards (waiting for room), as one progress chunk. */
  private async ingest(records: readonly Uint8Array[], end: Position): Promise<void> {
    // Resharding happens between chunks, so that a chunk's samples are spread by one shard count.
    if (this.reshardTo > 0) await this.reshard(this.reshardTo);
    const chunkId = this.chunkBase + this.chunks.length;
    const chunk: Chunk = { end, pending: 0, sealed: false, perShard: new Int32Array(this.numShards) };
    this.chunks.push(chunk);
    const storage = this.deps.storage;
    const cfg = this.config;
    for (const rec of records) {
      const type = recordType(rec);
      if (type === RECORD_SAMPLES) {
        const cols = this.cols.reset();
        decodeSamples(rec, cols);
        this.samplesIn.add(cols.length);
        for (let i = 0; i < cols.length; i++) {
          const walRef = cols.refs[i]!;
          const g = storage.globalRef(walRef);
          const ref = g < 0 ? -1 : this.endpointRef(g);
          if (ref < 0) {
            this.deps.metrics.samplesDropped.inc();
            continue;
          }
          const skip = this.resumeSkip;
          if (skip !== undefined) {
            const k = walRef % this.resumeShards;
            if (skip[k]! > 0) {
              // Sent before the restart.
              skip[k]!--;
              if (skip.every((x) => x === 0)) this.resumeSkip = undefined;
              continue;
            }
          }
          const t = cols.ts[i]!;
          if (t > this.highestRecv) this.highestRecv = t;
          let shard: Shard | undefined = this.resharding ? undefined : this.shards[walRef % this.shards.length]!;
          if (shard === undefined || shard.full) {
            shard = await this.shardFor(walRef);
            if (shard === undefined) return;
          }
          shard.push(ref, cols, i, chunkId);
          chunk.pending++;
          chunk.perShard[walRef % this.numShards]!++;
          if (shard.size >= cfg.queue.maxSamplesPerSend) shard.notify();
        }
      } else if (type === RECORD_HISTOGRAMS || type === RECORD_FLOAT_HISTOGRAMS || type === RECORD_CUSTOM_HISTOGRAMS || type === RECORD_CUSTOM_FLOAT_HISTOGRAMS) {
        if (!cfg.sendNativeHistograms) continue;
        const hs: HistogramEntry[] = [];
        decodeHistograms(rec, hs);
        for (const h of hs) {
          const g = storage.globalRef(h.ref);
          const ref = g < 0 ? -1 : this.endpointRef(g);
          if (ref < 0) continue;
          const shard = await this.shardFor(h.ref);
          if (shard === undefined) return;
          if (shard.empty) shard.becameNonEmpty();
          shard.histograms.push({ ref, ts: h.ts, histogram: h.histogram, chunk: chunkId });
          chunk.pending++;
        }
      } else if (type === RECORD_EXEMPLARS) {
        if (!cfg.sendExemplars) continue;
        const es: ExemplarEntry[] = [];
        decodeExemplars(rec, es);
        for (const e of es) {
          const g = storage.globalRef(e.ref);
          const ref = g < 0 ? -1 : this.endpointRef(g);
          if (ref < 0) continue;
          const shard = await this.shardFor(e.ref);
          if (shard === undefined) return;
          if (shard.empty) shard.becameNonEmpty();
          shard.exemplars.push({ ref, ts: e.ts, value: e.value, labels: e.labels, chunk: chunkId });
          chunk.pending++;
        }
      }
    }
    chunk.sealed = true;
    this.readPos = end;
    this.advance();
    this.deps.metrics.pending.set(this.pendingSamples());
  }

  /** The shard of a series, once it has room (undefined when stopping). */
  private async shardFor(walRef: number): Promise<Shard | undefined> {
    for (;;) {
      if (this.stopping) return undefined;
      if (!this.resharding) {
        const shard = this.shards[walRef % this.shards.length]!;
        if (!shard.full) return shard;
        shard.notify();
      }
      this.deps.metrics.enqueueRetries.inc();
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
  }

  private signalSpace(): void {
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const w of waiters) w();
  }

  /** The ref this endpoint sends for a global ref: write relabelling (with external labels) or the same. */
  private endpointRef(g: number): number {
    if (this.config.rules.length === 0) return g;
    const v = this.relabelCache.get(g);
    if (v !== 0) return v - 1; // -1 when dropped
    let out = -1;
    if (this.deps.store.has(g)) {
      const rb = this.rb.resetFlat(this.deps.store.labels(g));
      for (const [k, val] of Object.entries(this.config.externalLabels)) if (rb.get(k) === "") rb.set(k, val);
      if (processBuilder(rb, this.config.rules)) {
        const lb = rb.result(this.lb);
        if (lb.length > 0) out = this.deps.store.intern(lb);
      }
    }
    this.relabelCache.set(g, out);
    return out;
  }

  // ---- progress -----------------------------------------------------------------------------

  private complete(chunkIds: ArrayLike<number>, n: number, extra: readonly { chunk: number }[]): void {
    for (let i = 0; i < n; i++) {
      const c = this.chunks[chunkIds[i]! - this.chunkBase];
      if (c) c.pending--;
    }
    for (const e of extra) {
      const c = this.chunks[e.chunk - this.chunkBase];
      if (c) c.pending--;
    }
    this.advance();
  }

  private advance(): void {
    let k = 0;
    while (k < this.chunks.length && this.chunks[k]!.sealed && this.chunks[k]!.pending <= 0) k++;
    if (k === 0) return;
    for (let c = 0; c < k; c++) {
      const per = this.chunks[c]!.perShard;
      for (let sh = 0; sh < per.length && sh < this.ackedSinceCommitted.length; sh++) this.ackedSinceCommitted[sh]! -= per[sh]!;
    }
    this.committed = this.chunks[k - 1]!.end;
    this.chunks.splice(0, k);
    this.chunkBase += k;
  }

  /** The resume point to save (see ResumePoint). */
  resumePoint(): ResumePoint {
    const skip = this.ackedSinceCommitted.map((x) => Math.max(0, x));
    return skip.some((x) => x > 0) ? { ...this.committed, shards: this.numShards, skip } : { ...this.committed };
  }

  private pendingSamples(): number {
    let n = 0;
    for (const s of this.shards) n += s.size;
    return n;
  }

  // ---- shards -------------------------------------------------------------------------------

  private startShards(n: number): void {
    this.shards = [];
    const capacity = Math.max(this.config.queue.capacity, this.config.queue.maxSamplesPerSend);
    for (let i = 0; i < n; i++) {
      const shard = new Shard(capacity);
      shard.index = i;
      shard.done = this.runShard(shard);
      this.shards.push(shard);
    }
    this.numShards = n;
    this.ackedSinceCommitted = new Array<number>(n).fill(0);
    this.deps.metrics.shards.set(n);
  }

  private async runShard(shard: Shard): Promise<void> {
    const q = this.config.queue;
    const batch = new SendBatch(q.maxSamplesPerSend);
    for (;;) {
      if (shard.empty) {
        if (this.stopping || this.resharding) return;
        await shard.wait(Infinity);
        continue;
      }
      const flushing = this.stopping || this.resharding;
      const ready = shard.size >= q.maxSamplesPerSend || shard.histograms.length + shard.exemplars.length >= q.maxSamplesPerSend;
      const due = shard.batchStart + q.batchSendDeadlineMs;
      if (!ready && !flushing && Date.now() < due) {
        await shard.wait(due - Date.now());
        continue;
      }
      this.take(shard, batch);
      const taken = batch.length;
      shard.batchStart = Date.now();
      this.signalSpace();
      // Samples given up on because the endpoint stopped are not done: they are read again after a restart.
      if (await this.send(batch)) {
        this.ackedSinceCommitted[shard.index]! += taken;
        this.complete(batch.chunks, batch.length, batch.histograms);
        this.complete(batch.chunks, 0, batch.exemplars);
      }
      this.deps.metrics.pending.set(this.pendingSamples());
    }
  }

  private take(shard: Shard, batch: SendBatch): void {
    const max = batch.refs.length;
    const n = Math.min(shard.size, max);
    const cap = shard.capacity;
    for (let k = 0; k < n; k++) {
      const i = (shard.head + k) % cap;
      batch.refs[k] = shard.refs[i]!;
      batch.ts[k] = shard.ts[i]!;
      batch.values[k] = shard.values[i]!;
      batch.stale[k] = shard.stale[i]!;
      batch.chunks[k] = shard.chunks[i]!;
    }
    shard.head = (shard.head + n) % cap;
    shard.size -= n;
    batch.length = n;
    batch.histograms = shard.histograms.splice(0, max);
    batch.exemplars = shard.exemplars.splice(0, max);
  }

  /**
   * Sends a batch, retrying recoverable failures. True when it is done with (sent, or dropped for good);
   * false when the endpoint stopped first.
   */
  private async send(batch: SendBatch): Promise<boolean> {
    const q = this.config.queue;
    const m = this.deps.metrics;
    let backoff = q.minBackoffMs;
    let body = this.encode(batch);
    let count = batch.length + batch.histograms.length + batch.exemplars.length;
    for (let attempt = 0; ; attempt++) {
      if (q.sampleAgeLimitMs > 0 && attempt > 0) {
        const dropped = this.dropOld(batch, Date.now() - q.sampleAgeLimitMs);
        if (dropped > 0) {
          m.samplesDropped.inc(dropped);
          body = this.encode(batch);
          count = batch.length + batch.histograms.length + batch.exemplars.length;
        }
        if (count === 0) return true;
      }
      const t0 = performance.now();
      try {
        await this.post(body);
        const seconds = (performance.now() - t0) / 1000;
        m.sentBatchDuration.observe(seconds);
        m.samples.inc(batch.length);
        m.histograms.inc(batch.histograms.length);
        m.exemplars.inc(batch.exemplars.length);
        m.bytes.inc(body.length);
        this.samplesOut.add(count);
        this.samplesOutDuration.add(seconds);
        let highest = 0;
        for (let i = 0; i < batch.length; i++) if (batch.ts[i]! > highest) highest = batch.ts[i]!;
        if (highest > this.highestSent) {
          this.highestSent = highest;
          m.highestSent.set(highest / 1000);
        }
        this.lastSendOk = Date.now();
        this.lastError = "";
        this.sent += count;
        return true;
      } catch (e) {
        const err = e as Error & { retryAfterMs?: number };
        this.lastError = err.message;
        if (e instanceof NonRecoverableError) {
          m.samplesFailed.inc(count);
          this.deps.logger.error("non-recoverable error", { url: this.config.url, count, err: err.message });
          return true;
        }
        if (this.abort.signal.aborted) return false;
        m.samplesRetried.inc(count);
        let sleep = backoff;
        if (err.retryAfterMs !== undefined && err.retryAfterMs > 0) {
          sleep = err.retryAfterMs;
          this.deps.logger.info("Retrying after duration specified by Retry-After header", { duration: `${sleep / 1000}s` });
        }
        this.deps.logger.warn("Failed to send batch, retrying", { url: this.config.url, err: err.message });
        await this.sleep(sleep);
        if (this.abort.signal.aborted) return false;
        backoff = Math.min(sleep * 2, q.maxBackoffMs);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.abort.signal;
    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(t);
        resolve();
      };
      const t = setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Drops samples older than minTs (sample_age_limit); they count as done for progress. */
  private dropOld(batch: SendBatch, minTs: number): number {
    let w = 0;
    const done: number[] = [];
    for (let i = 0; i < batch.length; i++) {
      if (batch.ts[i]! < minTs) {
        done.push(batch.chunks[i]!);
        continue;
      }
      batch.refs[w] = batch.refs[i]!;
      batch.ts[w] = batch.ts[i]!;
      batch.values[w] = batch.values[i]!;
      batch.stale[w] = batch.stale[i]!;
      batch.chunks[w] = batch.chunks[i]!;
      w++;
    }
    batch.length = w;
    const oldHistograms = batch.histograms.filter((h) => h.ts < minTs);
    batch.histograms = batch.histograms.filter((h) => h.ts >= minTs);
    this.complete(done, done.length, oldHistograms);
    return done.length + oldHistograms.length;
  }

  /** The snappy-compressed WriteRequest of a batch (exemplars as their own TimeSeries, as Prometheus sends them). */
  private encode(batch: SendBatch): Uint8Array {
    const req = this.encoder.encode({
      samples: { length: batch.length, refs: batch.refs, timestamps: batch.ts, values: batch.values, stale: batch.stale },
      histograms: batch.histograms.map((h) => ({ ref: h.ref, timestamp: h.ts, histogram: h.histogram })),
    });
    if (batch.exemplars.length === 0) return requestBody(req, batch.body);
    const w = new ProtoWriter(req.length + 256 * batch.exemplars.length);
    w.ensure(req.length);
    w.buf.set(req, 0);
    w.pos = req.length;
    const ex = new ProtoWriter(256);
    const enc = new TextEncoder();
    for (const e of batch.exemplars) {
      ex.reset();
      for (let k = 0; k + 1 < e.labels.length; k += 2) {
        const n = enc.encode(e.labels[k]!), v = enc.encode(e.labels[k + 1]!);
        ex.byte(0x0a);
        ex.varint((n.length > 0 ? 1 + varintSize(n.length) + n.length : 0) + (v.length > 0 ? 1 + varintSize(v.length) + v.length : 0));
        if (n.length > 0) (ex.byte(0x0a), ex.lenBytes(n));
        if (v.length > 0) (ex.byte(0x12), ex.lenBytes(v));
      }
      if (e.value !== 0) (ex.byte(0x11), ex.double(e.value));
      if (e.ts !== 0) (ex.byte(0x18), ex.varint(e.ts));
      const labels = this.encoder.labelBytes(e.ref);
      const exBody = ex.bytes();
      const tsLen = labels.length + 1 + varintSize(exBody.length) + exBody.length;
      w.byte(0x0a);
      w.varint(tsLen);
      w.raw(labels);
      w.byte(0x1a);
      w.lenBytes(exBody);
    }
    return requestBody(w.bytes(), batch.body);
  }

  private async post(body: Uint8Array): Promise<void> {
    const cfg = this.config;
    const headers = new Headers(REMOTE_WRITE_HEADERS);
    headers.set("User-Agent", cfg.userAgent);
    for (const [k, v] of Object.entries(cfg.headers)) headers.set(k, v);
    const timeout = deadline(cfg.remoteTimeoutMs, this.abort.signal);
    let response: HttpResponse;
    try {
      response = await this.deps.client.request(cfg.url, {
        method: "POST",
        headers,
        body,
        signal: timeout.signal,
        // Only a failure's body is read, for the first 512 characters of its text.
        readBody: (status) => status < 200 || status >= 300,
        maxBodyBytes: ERROR_BODY_BYTES,
        bodyOverflow: "truncate",
      });
    } catch (e) {
      const msg = timeout.timedOut() ? "context deadline exceeded" : (e as Error).message;
      throw new Error(`Post "${cfg.url}": ${msg}`);
    } finally {
      timeout.dispose();
    }
    if (response.status >= 200 && response.status < 300) return;
    const text = errorText.decode(response.body).slice(0, 512);
    const message = `server returned HTTP status ${response.status} ${response.statusText}: ${text.trim()}`;
    if (response.status >= 500 || (response.status === 429 && cfg.queue.retryOnHttp429)) {
      throw Object.assign(new Error(message), { retryAfterMs: retryAfterMs(response.headers.get("Retry-After")) });
    }
    throw new NonRecoverableError(message);
  }

  // ---- resharding ---------------------------------------------------------------------------

  /** Prometheus's calculateDesiredShards. */
  desiredShards(): number {
    this.samplesIn.tick();
    this.samplesOut.tick();
    this.samplesOutDuration.tick();
    const q = this.config.queue;
    const dataInRate = this.samplesIn.value;
    const dataOutRate = this.samplesOut.value;
    // Seconds spent sending per second (the EWMA of durations added per batch).
    const dataOutDuration = this.samplesOutDuration.value;
    if (dataOutRate <= 0) return this.numShards;
    const delay = Math.max(0, (this.highestRecv - this.highestSent) / 1000);
    const dataPending = delay * dataInRate;
    const timePerSample = dataOutDuration / dataOutRate;
    const integralGain = 0.1 / (SHARD_UPDATE_MS / 1000);
    let desired = timePerSample * (dataInRate + integralGain * dataPending);
    const lower = this.numShards * (1 - SHARD_TOLERANCE);
    const upper = this.numShards * (1 + SHARD_TOLERANCE);
    desired = Math.ceil(desired);
    this.deps.metrics.shardsDesired.set(desired);
    if (desired >= lower && desired <= upper) return this.numShards;
    return Math.min(q.maxShards, Math.max(q.minShards, desired));
  }

  private updateShards(): void {
    const desired = this.desiredShards();
    // Do not reshard while sends fail (Prometheus's shouldReshard).
    if (desired === this.numShards || this.resharding || this.stopping) return;
    if (Date.now() - this.lastSendOk > this.config.queue.batchSendDeadlineMs * 2) return;
    this.reshardTo = desired;
  }

  private async reshard(n: number): Promise<void> {
    this.reshardTo = 0;
    this.resharding = true;
    for (const s of this.shards) s.notify();
    await Promise.all(this.shards.map((s) => s.done));
    this.resharding = false;
    if (this.stopping) return;
    this.deps.logger.info("Remote storage resharding", { from: this.numShards, to: n });
    this.startShards(n);
    this.signalSpace();
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /** Stops reading, sends what is queued for a few seconds, then gives up (it is sent after a restart). */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.unsubscribe?.();
    if (this.reshardTimer) clearInterval(this.reshardTimer);
    this.wakeFeeder();
    this.signalSpace();
    for (const s of this.shards) s.notify();
    const deadline = setTimeout(() => this.abort.abort(), FLUSH_DEADLINE_MS);
    await this.feeder;
    await Promise.all(this.shards.map((s) => s.done));
    clearTimeout(deadline);
    this.abort.abort();
    this.relabelCache.clear();
    // Connections opened for TLS settings or a proxy go with the endpoint.
    await this.deps.client.close();
  }
}

function estimateSamples(records: readonly Uint8Array[]): number {
  let n = 0;
  for (const r of records) n += r.length / 12;
  return n;
}

/** Retry-After as seconds or an HTTP date; 0 when absent or in the past. */
export function retryAfterMs(header: string | null): number {
  if (header === null || header.trim() === "") return 0;
  const s = header.trim();
  if (/^[0-9]+$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  if (Number.isNaN(t)) return 0;
  return Math.max(0, t - Date.now());
}
