// The remote-write endpoint of prometheus.receive_http: client_golang's remote write handler around
// Prometheus's writeHandler, as Alloy mounts it at POST /api/v1/metrics/write.
//
//   1. Content-Encoding other than snappy (or none)   -> 415
//   2. body unreadable, or not snappy                 -> 400
//   3. Content-Type not application/x-protobuf[;proto=<message>], or a message not accepted -> 415
//   4. protobuf that does not decode                  -> 400
//   5. v1 (prometheus.WriteRequest): series with invalid labels are skipped and counted; a sample or
//      histogram more than 10 minutes in the future fails the whole request (400) and nothing is
//      forwarded; exemplars that cannot be taken are dropped. Metadata is not forwarded.
//   6. v2 (io.prometheus.write.v2.Request): bad series are reported (400) while the good ones are
//      forwarded (partial write), with X-Prometheus-Remote-Write-*-Written counts; metadata is
//      forwarded with append_metadata, and becomes __type__/__unit__ labels with
//      enable_type_and_unit_labels.
//   7. the batch goes to forward_to in one append: a failure there is 500 (the sender retries);
//      success is 204.
// Series are interned in the process-wide label store, so downstream components get global refs.
import type { Logger } from "../../../runtime/logging/logger.ts";
import type { Counter } from "../../../runtime/metrics/registry.ts";
import type { LabelsBuilder } from "../../../wire/labels/builder.ts";
import {
  EXPONENTIAL_SCHEMA_MAX,
  HistogramError,
  isExponentialSchemaReserved,
  reduceResolution,
} from "../../../wire/histogram-resolution.ts";
import { NativeHistogram } from "../../../wire/histogram.ts";
import { visitWriteRequest } from "../../../wire/remotewrite/decode.ts";
import { visitWriteRequestV2 } from "../../../wire/remotewrite/decode-v2.ts";
import { decompress } from "../../../wire/snappy/snappy.ts";
import { goHttpError, type RequestMeter } from "../../common/net/server.ts";
import type { LabelStore } from "../labelstore.ts";
import { MetricsBatch, type MetricsReceiver } from "../receiver.ts";

export const WRITE_V1 = "prometheus.WriteRequest";
export const WRITE_V2 = "io.prometheus.write.v2.Request";
export type WriteMessage = typeof WRITE_V1 | typeof WRITE_V2;

const APP_PROTOBUF = "application/x-protobuf";
/** Samples further ahead than this are refused (Prometheus's maxAheadTime). */
const MAX_AHEAD_MS = 10 * 60 * 1000;
/** Largest request body, compressed or not, taken into memory. Prometheus has none; a bound keeps a hostile sender from exhausting the heap. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;
const OUT_OF_BOUNDS = "out of bounds: timestamp is too far in the future";

export interface WriteHandlerSettings {
  accepted: readonly WriteMessage[];
  appendMetadata: boolean;
  enableTypeAndUnitLabels: boolean;
}

export interface WriteHandlerOptions {
  store: LabelStore;
  receiver: MetricsReceiver;
  logger: Logger;
  /** prometheus_api_remote_write_invalid_labels_samples_total */
  invalidLabels: Counter;
  /** prometheus_api_remote_write_without_metadata_appended_samples_total */
  withoutMetadata: Counter;
  /** Called after each forwarded batch with its float sample count and how long the append took. */
  onForward(samples: number, seconds: number): void;
}

class BadRequest extends Error {}

/** The Prometheus text form of a label set: {__name__="a", b="c"}. */
function formatLabels(lb: LabelsBuilder): string {
  const parts: string[] = [];
  for (let i = 0; i < lb.length; i++) parts.push(`${lb.names[i]}=${JSON.stringify(lb.values[i])}`);
  return `{${parts.join(", ")}}`;
}

/** labels.Has(__name__) && labels.IsValid(UTF8Validation); `validUtf8` says whether the bytes were UTF-8. */
function validLabels(lb: LabelsBuilder, validUtf8: boolean): boolean {
  if (!validUtf8) return false;
  let hasName = false;
  for (let i = 0; i < lb.length; i++) {
    const name = lb.names[i]!;
    if (name === "") return false;
    if (name === "__name__") {
      if (lb.values[i] === "") return false;
      hasName = true;
    }
  }
  return hasName;
}

/** client_golang's ParseProtoMsg: the message a Content-Type names, or a 415 message. */
export function parseProtoMessage(contentType: string): { message: WriteMessage } | { error: string } {
  const trimmed = contentType.trim();
  const parts = trimmed.split(";");
  if (parts[0] !== APP_PROTOBUF) return { error: `expected ${APP_PROTOBUF} as the first (media) part, got ${trimmed} content-type` };
  for (const p of parts.slice(1)) {
    const pair = p.split("=");
    if (pair.length !== 2) {
      return { error: `as per https://www.rfc-editor.org/rfc/rfc9110#parameter expected parameters to be key-values, got ${p} in ${trimmed} content-type` };
    }
    if (pair[0] === "proto") {
      const message = pair[1]!;
      if (message !== WRITE_V1 && message !== WRITE_V2) {
        return { error: `got ${trimmed} content type; unknown type for remote write protobuf message ${message}, supported: ${WRITE_V1}, ${WRITE_V2}` };
      }
      return { message };
    }
  }
  return { message: WRITE_V1 };
}

/** Reads a body of at most `limit` bytes, counting what it read. */
async function readBody(request: Request, limit: number, meter: RequestMeter): Promise<Uint8Array> {
  if (request.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    meter.requestBytes = total;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw new BadRequest(`request body too large: more than ${limit} bytes`);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export class RemoteWriteHandler {
  private readonly pool: MetricsBatch[] = [];
  /** Scratch for histograms whose resolution is reduced before they are added. */
  private readonly reduced = new NativeHistogram();

  constructor(
    private readonly options: WriteHandlerOptions,
    public settings: WriteHandlerSettings,
  ) {}

  async handle(request: Request, meter: RequestMeter): Promise<Response> {
    const { logger } = this.options;
    const encoding = request.headers.get("Content-Encoding") ?? "";
    if (encoding !== "" && encoding !== "snappy") {
      const message = `${encoding} encoding (compression) is not accepted by this server; only snappy is acceptable`;
      logger.error("Error decoding remote write request", { err: message });
      return goHttpError(message, 415);
    }
    let body: Uint8Array;
    try {
      const compressed = await readBody(request, MAX_BODY_BYTES, meter);
      body = decompress(compressed, MAX_BODY_BYTES);
    } catch (error) {
      const message = (error as Error).message;
      logger.error(error instanceof BadRequest ? "Error reading request body" : "Error snappy decoding remote write request", { err: message });
      return goHttpError(message, 400);
    }
    const parsed = parseProtoMessage(request.headers.get("Content-Type") || APP_PROTOBUF);
    if ("error" in parsed) {
      logger.error("Error decoding remote write request", { err: parsed.error });
      return goHttpError(parsed.error, 415);
    }
    const { accepted } = this.settings;
    if (!accepted.includes(parsed.message)) {
      const message = `${parsed.message} protobuf message is not accepted by this server; only accepts ${accepted.join(", ")}`;
      logger.error("Unaccepted message type", { msgType: parsed.message, err: message });
      return goHttpError(message, 415);
    }
    const batch = this.pool.pop() ?? new MetricsBatch();
    try {
      return parsed.message === WRITE_V1 ? await this.writeV1(body, batch) : await this.writeV2(body, batch);
    } finally {
      batch.reset();
      this.pool.push(batch);
    }
  }

  /** Appends the batch downstream; its error message when that fails. */
  private async forward(batch: MetricsBatch): Promise<string | undefined> {
    if (batch.sampleCount === 0 && batch.exemplars.length === 0 && batch.metadata.length === 0) return undefined;
    const started = performance.now();
    try {
      await this.options.receiver.append(batch);
    } catch (error) {
      return (error as Error).message;
    }
    this.options.onForward(batch.length, (performance.now() - started) / 1000);
    return undefined;
  }

  private async writeV1(body: Uint8Array, batch: MetricsBatch): Promise<Response> {
    const { store, logger } = this.options;
    const maxTime = Date.now() + MAX_AHEAD_MS;
    let invalid = 0;
    let appended = 0;
    /** The first error, which ends the request with nothing forwarded (Prometheus's Rollback). */
    let failure: string | undefined;
    // Go prints series with their sorted labels; keep the text of the series being read for its errors.
    let current = "";
    try {
      visitWriteRequest(body, {
        series: (lb, validUtf8) => {
          if (failure !== undefined) return -1;
          lb.sort();
          if (!validLabels(lb, validUtf8)) {
            logger.warn("Invalid metric names or labels", { got: formatLabels(lb) });
            invalid++;
            return -1;
          }
          const duplicate = lb.duplicateName();
          if (duplicate !== undefined) {
            logger.warn("Invalid labels for series.", { labels: formatLabels(lb), duplicated_label: duplicate });
            invalid++;
            return -1;
          }
          current = formatLabels(lb);
          return store.intern(lb);
        },
        sample: (id, timestamp, value, stale) => {
          if (id < 0 || failure !== undefined) return;
          if (timestamp > maxTime) {
            logger.error("Out of order sample from remote write", { err: OUT_OF_BOUNDS, series: current, timestamp });
            failure = OUT_OF_BOUNDS;
            return;
          }
          const i = batch.push(id, value, timestamp, 0);
          if (stale) batch.markStale(i);
          appended++;
        },
        exemplar: (id, lb, value, timestamp) => {
          if (id < 0 || failure !== undefined) return;
          // Exemplars are best effort in Prometheus: one that cannot be stored is only logged.
          if (timestamp > maxTime) {
            logger.debug("Error while adding exemplar in AppendExemplar", { series: current, err: OUT_OF_BOUNDS });
            return;
          }
          batch.exemplars.push({ sample: -1, id, labels: lb.sort().toArray(), value, timestamp });
        },
        histogram: (id, timestamp, h) => {
          if (id < 0 || failure !== undefined) return;
          if (timestamp > maxTime) {
            logger.error("Out of order histogram from remote write", { err: OUT_OF_BOUNDS, series: current, timestamp });
            failure = OUT_OF_BOUNDS;
            return;
          }
          const error = this.addHistogram(batch, id, timestamp, h);
          if (error !== undefined) failure = error;
          else appended++;
        },
      });
    } catch (error) {
      const message = (error as Error).message;
      logger.error("Error decoding v1 remote write request", { protobuf_message: WRITE_V1, err: message });
      return goHttpError(message, 400);
    } finally {
      if (invalid > 0) this.options.invalidLabels.inc(invalid);
    }
    if (failure !== undefined) return goHttpError(failure, 400, statsHeaders());
    const error = await this.forward(batch);
    if (error !== undefined) {
      // As Prometheus's v1 path does when its commit fails.
      this.options.withoutMetadata.inc(appended);
      logger.error("Error while storing the remote write request", { err: error });
      return goHttpError(error, 500, statsHeaders());
    }
    return new Response(null, { status: 204, headers: statsHeaders() });
  }

  private async writeV2(body: Uint8Array, batch: MetricsBatch): Promise<Response> {
    const { store, logger } = this.options;
    const { appendMetadata, enableTypeAndUnitLabels } = this.settings;
    const maxTime = Date.now() + MAX_AHEAD_MS;
    const stats = { samples: 0, histograms: 0, exemplars: 0 };
    const badRequests: string[] = [];
    let invalid = 0;
    try {
      visitWriteRequestV2(body, (s) => {
        const refs = `[${s.labelRefs.join(" ")}]`;
        if (s.labelsError !== "") {
          badRequests.push(`parsing labels for series ${refs}: ${s.labelsError}`);
          invalid += s.sampleCount + s.histogramCount;
          return;
        }
        if (s.metadataError !== "") {
          badRequests.push(`parsing metadata for series ${refs}: ${s.metadataError}`);
          return;
        }
        const lb = s.labels;
        if (enableTypeAndUnitLabels && (s.type !== "unknown" || s.unit !== "")) {
          // Labels from the metadata replace any __type__ and __unit__ the series came with.
          lb.del("__type__").del("__unit__");
          if (s.type !== "unknown") lb.add("__type__", s.type);
          if (s.unit !== "") lb.add("__unit__", s.unit);
          lb.sort();
        }
        const series = formatLabels(lb);
        if (!validLabels(lb, s.validUtf8)) {
          badRequests.push(`invalid metric name or labels, got ${series}`);
          invalid += s.sampleCount + s.histogramCount;
          return;
        }
        const duplicate = lb.duplicateName();
        if (duplicate !== undefined) {
          badRequests.push(`invalid labels for series, labels ${series}, duplicated label ${duplicate}`);
          invalid += s.sampleCount + s.histogramCount;
          return;
        }
        if (s.sampleCount === 0 && s.histogramCount === 0) {
          badRequests.push(`TimeSeries must contain at least one sample or histogram for series ${series}`);
          return;
        }
        const id = store.intern(lb);
        for (let i = 0; i < s.sampleCount; i++) {
          const timestamp = s.timestamps[i]!;
          if (timestamp > maxTime) {
            logger.error("Out of order sample from remote write", { err: OUT_OF_BOUNDS, series, timestamp });
            badRequests.push(`${OUT_OF_BOUNDS} for series ${series}`);
            continue;
          }
          const j = batch.push(id, s.values[i]!, timestamp, 0);
          if (s.stale[i]) batch.markStale(j);
          stats.samples++;
        }
        for (let i = 0; i < s.histogramCount; i++) {
          const { timestamp, histogram } = s.histograms[i]!;
          if (timestamp > maxTime) {
            logger.error("Out of order histogram from remote write", { err: OUT_OF_BOUNDS, series, timestamp });
            badRequests.push(`${OUT_OF_BOUNDS} for series ${series}`);
            continue;
          }
          const error = this.addHistogram(batch, id, timestamp, histogram);
          if (error !== undefined) {
            logger.error("Invalid histogram received", { err: error, series, timestamp });
            badRequests.push(`${error} for series ${series}`);
            continue;
          }
          stats.histograms++;
        }
        for (const e of s.exemplars) {
          if (e.error !== "") {
            badRequests.push(`parsing exemplar for series ${series}: ${e.error}`);
            continue;
          }
          if (e.timestamp > maxTime) {
            logger.error("failed to ingest exemplar, emitting error log, but no error for PRW caller", { err: OUT_OF_BOUNDS, series });
            continue;
          }
          batch.exemplars.push({ sample: -1, id, labels: e.labels, value: e.value, timestamp: e.timestamp });
          stats.exemplars++;
        }
        if (appendMetadata) batch.metadata.push({ family: lb.get("__name__")!, type: s.type, help: s.help, unit: s.unit });
      });
    } catch (error) {
      const message = (error as Error).message;
      logger.error("Error decoding v2 remote write request", { protobuf_message: WRITE_V2, err: message });
      return goHttpError(message, 400, statsHeaders());
    } finally {
      if (invalid > 0) this.options.invalidLabels.inc(invalid);
    }
    // Bad series do not stop the good ones (the 2.0 spec's partial write); a failure downstream
    // is retryable, so then nothing counts as written.
    const error = await this.forward(batch);
    if (error !== undefined) {
      logger.error("Error while storing the remote write request", { err: error });
      return goHttpError(error, 500, statsHeaders());
    }
    if (badRequests.length > 0) return goHttpError(badRequests.join("\n"), 400, statsHeaders(stats));
    return new Response(null, { status: 204, headers: statsHeaders(stats) });
  }

  /** Adds a histogram at the resolution Prometheus stores; its validation error message, if any. */
  private addHistogram(batch: MetricsBatch, id: number, timestamp: number, h: NativeHistogram): string | undefined {
    let source = h;
    if (isExponentialSchemaReserved(h.schema) && h.schema > EXPONENTIAL_SCHEMA_MAX) {
      source = this.reduced.copyFrom(h);
      try {
        reduceResolution(source, EXPONENTIAL_SCHEMA_MAX);
      } catch (error) {
        if (error instanceof HistogramError) return error.message;
        throw error;
      }
    }
    batch.addHistogram(id, timestamp, 0).histogram.copyFrom(source);
    return undefined;
  }
}

/** client_golang writes the written counts on every response (zeros for remote write 1.0). */
function statsHeaders(stats = { samples: 0, histograms: 0, exemplars: 0 }): Headers {
  return new Headers({
    "X-Prometheus-Remote-Write-Samples-Written": String(stats.samples),
    "X-Prometheus-Remote-Write-Histograms-Written": String(stats.histograms),
    "X-Prometheus-Remote-Write-Exemplars-Written": String(stats.exemplars),
  });
}
