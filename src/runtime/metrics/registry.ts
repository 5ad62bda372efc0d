// A small metrics model shaped like Prometheus's client: collectors produce metric families,
// registerers hold collectors, a registry gathers everything. The controller and components
// register their metrics here; the HTTP layer renders a gather() as the exposition format
// (see text.ts). Enough for counters, gauges and histograms with labels; nothing more.

export type Labels = Readonly<Record<string, string>>;

export type MetricType = "counter" | "gauge" | "histogram" | "untyped";

export interface HistogramSnapshot {
  /** Cumulative counts per upper bound, in ascending order; +Inf is implied by `count`. */
  buckets: { le: number; count: number }[];
  sum: number;
  count: number;
}

export interface MetricSample {
  labels: Labels;
  /** The value of a counter, gauge or untyped metric. */
  value?: number;
  histogram?: HistogramSnapshot;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: MetricSample[];
}

export interface Collector {
  collect(): MetricFamily[];
}

export interface Registerer {
  register(collector: Collector): void;
  /** Removes a collector; false when it was not registered. */
  unregister(collector: Collector): boolean;
}

/** Holds collectors and merges their families by name when gathered. */
export class MetricsRegistry implements Registerer {
  readonly #collectors = new Set<Collector>();

  register(collector: Collector): void {
    this.#collectors.add(collector);
  }

  unregister(collector: Collector): boolean {
    return this.#collectors.delete(collector);
  }

  /** Every family, sorted by name, each family's samples sorted by their labels. */
  gather(): MetricFamily[] {
    const byName = new Map<string, MetricFamily>();
    for (const collector of this.#collectors) {
      for (const family of collector.collect()) {
        const existing = byName.get(family.name);
        if (existing) existing.samples.push(...family.samples);
        else byName.set(family.name, { ...family, samples: [...family.samples] });
      }
    }
    const families = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const family of families) family.samples.sort((a, b) => compareLabels(a.labels, b.labels));
    return families;
  }

  /** Collects the registry's own collectors, so that a registry can be registered in another. */
  collect(): MetricFamily[] {
    return this.gather();
  }
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join("\u0001");
}

function compareLabels(a: Labels, b: Labels): number {
  const ka = labelKey(a);
  const kb = labelKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Discards everything: what a foreach without enable_metrics registers into. */
export const noopRegisterer: Registerer = {
  register() {},
  unregister: () => true,
};

/**
 * A registerer that adds constant labels to every sample of the collectors registered through it
 * (Prometheus's WrapRegistererWith), e.g. component_path and component_id.
 */
export function withLabels(inner: Registerer, labels: Labels): Registerer {
  const wrapped = new Map<Collector, Collector>();
  return {
    register(collector) {
      if (wrapped.has(collector)) return;
      const wrapper: Collector = {
        collect: () =>
          collector.collect().map((f) => ({
            ...f,
            samples: f.samples.map((s) => ({ ...s, labels: { ...s.labels, ...labels } })),
          })),
      };
      wrapped.set(collector, wrapper);
      inner.register(wrapper);
    },
    unregister(collector) {
      const wrapper = wrapped.get(collector);
      if (!wrapper) return false;
      wrapped.delete(collector);
      return inner.unregister(wrapper);
    },
  };
}

export interface MetricOptions {
  name: string;
  help?: string;
  constLabels?: Labels;
}

abstract class Metric<Child> implements Collector {
  readonly name: string;
  readonly help: string;
  readonly constLabels: Labels;
  readonly labelNames: readonly string[];
  protected readonly children = new Map<string, { labels: Labels; child: Child }>();

  constructor(options: MetricOptions, labelNames: readonly string[] = []) {
    this.name = options.name;
    this.help = options.help ?? "";
    this.constLabels = options.constLabels ?? {};
    this.labelNames = labelNames;
  }

  protected abstract newChild(): Child;
  protected abstract sample(child: Child, labels: Labels): MetricSample;
  abstract readonly type: MetricType;

  /** The child for label values in labelNames order. */
  with(...values: string[]): Child {
    if (values.length !== this.labelNames.length) {
      throw new Error(`${this.name}: expected ${this.labelNames.length} label values, got ${values.length}`);
    }
    const key = values.join("\u0000");
    let entry = this.children.get(key);
    if (!entry) {
      const labels: Record<string, string> = { ...this.constLabels };
      this.labelNames.forEach((n, i) => (labels[n] = values[i]!));
      entry = { labels, child: this.newChild() };
      this.children.set(key, entry);
    }
    return entry.child;
  }

  /** Drops every labelled child. */
  reset(): void {
    this.children.clear();
  }

  collect(): MetricFamily[] {
    // A metric without label names always has its one child, even before it is touched.
    if (this.labelNames.length === 0) this.with();
    const samples = [...this.children.values()].map((e) => this.sample(e.child, e.labels));
    return [{ name: this.name, help: this.help, type: this.type, samples }];
  }
}

export class CounterChild {
  value = 0;
  inc(by = 1): void {
    if (by < 0) throw new Error("counter cannot decrease in value");
    this.value += by;
  }
}

export class Counter extends Metric<CounterChild> {
  readonly type = "counter";
  protected newChild() {
    return new CounterChild();
  }
  protected sample(child: CounterChild, labels: Labels): MetricSample {
    return { labels, value: child.value };
  }
  inc(by = 1): void {
    this.with().inc(by);
  }
  get value(): number {
    return this.with().value;
  }
}

export class GaugeChild {
  value = 0;
  set(v: number): void {
    this.value = v;
  }
  inc(by = 1): void {
    this.value += by;
  }
  dec(by = 1): void {
    this.value -= by;
  }
}

export class Gauge extends Metric<GaugeChild> {
  readonly type = "gauge";
  protected newChild() {
    return new GaugeChild();
  }
  protected sample(child: GaugeChild, labels: Labels): MetricSample {
    return { labels, value: child.value };
  }
  set(v: number): void {
    this.with().set(v);
  }
  get value(): number {
    return this.with().value;
  }
}

export class HistogramChild {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(readonly bounds: readonly number[]) {
    this.counts = bounds.map(() => 0);
  }
  observe(v: number): void {
    this.sum += v;
    this.count++;
    for (let i = 0; i < this.bounds.length; i++) if (v <= this.bounds[i]!) this.counts[i]!++;
  }
}

export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Histogram extends Metric<HistogramChild> {
  readonly type = "histogram";
  readonly buckets: readonly number[];
  constructor(options: MetricOptions & { buckets?: readonly number[] }, labelNames: readonly string[] = []) {
    super(options, labelNames);
    this.buckets = options.buckets ?? DEFAULT_BUCKETS;
  }
  protected newChild() {
    return new HistogramChild(this.buckets);
  }
  protected sample(child: HistogramChild, labels: Labels): MetricSample {
    return {
      labels,
      histogram: {
        buckets: child.bounds.map((le, i) => ({ le, count: child.counts[i]! })),
        sum: child.sum,
        count: child.count,
      },
    };
  }
  observe(v: number): void {
    this.with().observe(v);
  }
}

/** A collector computed on demand (Prometheus's collector interface). */
export function collector(collect: () => MetricFamily[]): Collector {
  return { collect };
}
