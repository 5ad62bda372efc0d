// The metrics data contract between components: a MetricsReceiver (Alloy's storage.Appendable, the
// capsule that `forward_to` lists and `receiver` exports hold) accepts MetricsBatches.
//
// A batch is columnar (SampleBatch: global series refs, values, timestamps, start timestamps) plus
// exemplars, native histograms, staleness flags and metric metadata. Refs name series in the process-wide
// LabelStore (labelstore.ts); no batch carries label objects per sample.
//
// Rules of the contract:
//  - Every timestamp is set (milliseconds); producers fill in the scrape time themselves.
//  - A staleness marker is a float sample flagged in `stale` (Prometheus's StaleNaN, 0x7ff0000000000002).
//    The flag is the truth: NaN payload bits do not survive every JavaScript engine (JavaScriptCore
//    canonicalises NaNs held in variables), so values[i] of a marker is just NaN.
//  - A receiver must not change a batch, and must not use it after append() returned (or its promise
//    settled): producers reuse their batches. A receiver that keeps a ref past that retains it in the
//    LabelStore.
//  - append() may return a promise: the producer waits for it before reusing the batch (back-pressure).

import { SampleBatch } from "../../wire/exposition/reader.ts";
import type { MetricType } from "../../wire/exposition/common.ts";
import { t, type Type } from "../../syntax/schema/index.ts";

/** Capsule type name of receivers, as Alloy prints it. */
export const APPENDABLE_CAPSULE = "storage.Appendable";

/** Prometheus's value.StaleNaN as two uint32 halves (big-endian words of the float64). */
export const STALE_NAN_HI = 0x7ff00000;
export const STALE_NAN_LO = 0x00000002;

/** Metadata of one metric family (Prometheus's metadata.Metadata plus the family name). */
export interface MetricMetadata {
  family: string;
  type: MetricType;
  help: string;
  unit: string;
}

export class MetricsBatch extends SampleBatch {
  /** stale[i] === 1 marks sample i as a staleness marker; read through isStale(). */
  stale = new Uint8Array(0);
  staleCount = 0;
  /** Metadata of metric families, sent along when it is new or changed. */
  metadata: MetricMetadata[] = [];

  override reset(): this {
    if (this.staleCount > 0) {
      this.stale.fill(0, 0, Math.min(this.length, this.stale.length));
      this.staleCount = 0;
    }
    this.metadata.length = 0;
    return super.reset();
  }

  /** Appends a staleness marker for series `id` at `timestamp` and returns its index. */
  pushStale(id: number, timestamp: number): number {
    const i = this.push(id, NaN, timestamp, 0);
    this.markStale(i);
    return i;
  }

  markStale(i: number): void {
    if (this.stale.length <= i) {
      const bigger = new Uint8Array(Math.max(this.ids.length, i + 1));
      bigger.set(this.stale);
      this.stale = bigger;
    }
    if (this.stale[i] === 0) {
      this.stale[i] = 1;
      this.staleCount++;
    }
  }

  isStale(i: number): boolean {
    return this.staleCount > 0 && i < this.stale.length && this.stale[i] === 1;
  }

  /** Number of samples, float and histogram. */
  get sampleCount(): number {
    return this.length + this.histograms.length;
  }
}

/** Receives batches of metrics (Alloy's storage.Appendable). */
export interface MetricsReceiver {
  append(batch: MetricsBatch): void | Promise<void>;
}

/** Schema type of a `forward_to`-style attribute element and of `receiver` exports. */
export function appendableType(): Type<MetricsReceiver | null> {
  return t.capsule<MetricsReceiver>(APPENDABLE_CAPSULE);
}

/**
 * Sends batches to a list of receivers in order (Alloy's Fanout). The list can be replaced at any
 * time; a batch in flight finishes with the list it started with.
 */
export class Fanout implements MetricsReceiver {
  private children: readonly MetricsReceiver[];

  constructor(children: readonly (MetricsReceiver | null)[] = []) {
    this.children = children.filter((c): c is MetricsReceiver => c !== null);
  }

  update(children: readonly (MetricsReceiver | null)[]): void {
    this.children = children.filter((c): c is MetricsReceiver => c !== null);
  }

  get size(): number {
    return this.children.length;
  }

  async append(batch: MetricsBatch): Promise<void> {
    const children = this.children;
    let firstError: unknown;
    for (const child of children) {
      try {
        await child.append(batch);
      } catch (error) {
        firstError ??= error;
      }
    }
    if (firstError !== undefined) throw firstError;
  }
}
