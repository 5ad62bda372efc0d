// Scrape targets as Prometheus builds them (scrape/target.go): discovered labels plus the job's
// defaults (job, __scrape_interval__, __scrape_timeout__, __metrics_path__, __scheme__, __param_*),
// validated, __meta_* removed, instance defaulted to the address; the URL; and the target's hash, from
// which the scrape offset within the interval is computed (so that scrapes of many targets spread over
// the interval, the same way on every restart).

import { LabelsBuilder } from "../../../wire/labels/builder.ts";
import { compareStrings } from "../../../wire/labels/compare.ts";

export interface ScrapeSettings {
  jobName: string;
  intervalMs: number;
  timeoutMs: number;
  metricsPath: string;
  scheme: string;
  params: Record<string, string[]>;
  scrapeNativeHistograms: boolean;
  scrapeClassicHistograms: boolean;
  convertClassicHistogramsToNHCB: boolean;
}

export class Target {
  /** Labels (sorted), including the reserved __ ones. */
  readonly labels: readonly [string, string][];
  readonly url: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** FNV-1a 64 of the labels' hash and the URL (Prometheus's Target.hash). */
  readonly hash: bigint;
  /** A key identifying the target among the targets of a scrape job. */
  readonly key: string;

  constructor(labels: [string, string][], settings: ScrapeSettings) {
    labels.sort((a, b) => compareStrings(a[0], b[0]));
    this.labels = labels;
    this.url = targetURL(labels, settings.params);
    this.intervalMs = parseModelDuration(this.get("__scrape_interval__"));
    this.timeoutMs = parseModelDuration(this.get("__scrape_timeout__"));
    const lb = new LabelsBuilder();
    for (const [n, v] of labels) lb.add(n, v);
    const labelsHash = lb.stableHashBigInt();
    this.hash = fnv64a(`${labelsHash.toString().padStart(16, "0")}${this.url}`);
    this.key = `${labelsHash.toString(16)}/${this.url}`;
  }

  get(name: string): string {
    for (const [n, v] of this.labels) if (n === name) return v;
    return "";
  }

  /** Labels without the reserved `__` prefix: what is added to every scraped series. */
  publicLabels(): [string, string][] {
    return this.labels.filter(([n]) => !n.startsWith("__"));
  }

  /**
   * Milliseconds to wait before the first scrape (Prometheus's Target.offset): the target's slot in the
   * interval, pinned to absolute time, shifted by the per-agent seed.
   */
  offsetMs(offsetSeed: bigint, nowMs = Date.now()): number {
    const interval = BigInt(Math.round(this.intervalMs * 1e6));
    if (interval <= 0n) return 0;
    const now = BigInt(Math.round(nowMs)) * 1_000_000n;
    const base = interval - (now % interval);
    const offset = BigInt.asUintN(64, this.hash ^ offsetSeed) % interval;
    let next = base + offset;
    if (next > interval) next -= interval;
    return Number(next) / 1e6;
  }
}

/** Prometheus's per-agent offset seed: FNV-1a 64 of the host name and the external labels ("{}"). */
export function offsetSeed(hostname: string): bigint {
  return fnv64a(`${hostname}{}`);
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const utf8 = new TextEncoder();

export function fnv64a(s: string): bigint {
  let h = FNV_OFFSET;
  for (const b of utf8.encode(s)) {
    h ^= BigInt(b);
    h = BigInt.asUintN(64, h * FNV_PRIME);
  }
  return h;
}

/** The scrape URL: scheme://address/path?params, with __param_<name> labels overriding params. */
export function targetURL(labels: readonly [string, string][], configParams: Record<string, string[]>): string {
  const params = new Map<string, string[]>();
  for (const [k, v] of Object.entries(configParams)) params.set(k, [...v]);
  let address = "", scheme = "", path = "";
  for (const [n, v] of labels) {
    if (n === "__address__") address = v;
    else if (n === "__scheme__") scheme = v;
    else if (n === "__metrics_path__") path = v;
    else if (n.startsWith("__param_")) {
      const k = n.slice("__param_".length);
      const existing = params.get(k);
      if (existing && existing.length > 0) existing[0] = v;
      else params.set(k, [v]);
    }
  }
  // Go's url.Values.Encode: keys sorted, values in order, QueryEscape (space as +).
  const query = [...params.keys()]
    .sort()
    .flatMap((k) => params.get(k)!.map((v) => `${queryEscape(k)}=${queryEscape(v)}`))
    .join("&");
  const p = path === "" || path.startsWith("/") ? path : `/${path}`;
  return `${scheme}://${address}${escapePath(p)}${query ? `?${query}` : ""}`;
}

function queryEscape(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, "+").replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function escapePath(p: string): string {
  return p.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/]/g, (c) => [...utf8.encode(c)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join(""));
}

/** Prometheus's model.Duration text: 1m, 15s, 1m30s, 500ms ("0s" for zero). */
export function formatModelDuration(ms: number): string {
  if (ms === 0) return "0s";
  let r = "";
  let rest = Math.round(ms);
  const unit = (name: string, mult: number, exact: boolean) => {
    if (exact && rest % mult !== 0) return;
    const v = Math.floor(rest / mult);
    if (v > 0) {
      r += `${v}${name}`;
      rest -= v * mult;
    }
  };
  unit("y", 1000 * 60 * 60 * 24 * 365, true);
  unit("w", 1000 * 60 * 60 * 24 * 7, true);
  unit("d", 1000 * 60 * 60 * 24, false);
  unit("h", 1000 * 60 * 60, false);
  unit("m", 1000 * 60, false);
  unit("s", 1000, false);
  unit("ms", 1, false);
  return r;
}

const MODEL_DURATION = /^(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?$/;

/** Prometheus's model.ParseDuration, in milliseconds. */
export function parseModelDuration(s: string): number {
  if (s === "0") return 0;
  const m = s === "" ? null : MODEL_DURATION.exec(s);
  if (m === null) throw new Error(`not a valid duration string: ${JSON.stringify(s)}`);
  const mult = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];
  let ms = 0;
  for (let i = 0; i < mult.length; i++) if (m[i + 1] !== undefined) ms += Number(m[i + 1]) * mult[i]!;
  return ms;
}

/**
 * Prometheus's PopulateLabels without relabelling (Alloy relabels in discovery.relabel): returns the
 * target's labels, or an error text for a target that cannot be scraped.
 */
export function populateLabels(discovered: Record<string, string>, s: ScrapeSettings): [string, string][] | string {
  const labels = new Map<string, string>();
  for (const [k, v] of Object.entries(discovered)) if (v !== "") labels.set(k, v);
  const defaults: [string, string][] = [
    ["job", s.jobName],
    ["__scrape_interval__", formatModelDuration(s.intervalMs)],
    ["__scrape_timeout__", formatModelDuration(s.timeoutMs)],
    ["__metrics_path__", s.metricsPath],
    ["__scheme__", s.scheme],
    ["__convert_classic_histograms_to_nhcb__", String(s.convertClassicHistogramsToNHCB)],
    ["__always_scrape_classic_histograms__", String(s.scrapeClassicHistograms)],
    ["__scrape_native_histograms__", String(s.scrapeNativeHistograms)],
  ];
  for (const [k, v] of defaults) if (!labels.get(k) && v !== "") labels.set(k, v);
  for (const k of Object.keys(s.params).sort()) {
    const name = `__param_${k}`;
    const v = s.params[k]!;
    if (v.length > 0 && !labels.get(name) && v[0] !== "") labels.set(name, v[0]!);
  }
  const addr = labels.get("__address__") ?? "";
  if (addr === "") return "no address";
  if (addr.includes("/")) return `${JSON.stringify(addr)} is not a valid hostname`;
  let interval: number, timeout: number;
  try {
    interval = parseModelDuration(labels.get("__scrape_interval__") ?? "");
  } catch (e) {
    return `error parsing scrape interval: ${(e as Error).message}`;
  }
  if (interval === 0) return "scrape interval cannot be 0";
  try {
    timeout = parseModelDuration(labels.get("__scrape_timeout__") ?? "");
  } catch (e) {
    return `error parsing scrape timeout: ${(e as Error).message}`;
  }
  if (timeout === 0) return "scrape timeout cannot be 0";
  if (timeout > interval) {
    return `scrape timeout cannot be greater than scrape interval (${JSON.stringify(labels.get("__scrape_timeout__"))} > ${JSON.stringify(labels.get("__scrape_interval__"))})`;
  }
  for (const k of [...labels.keys()]) if (k.startsWith("__meta_")) labels.delete(k);
  if (!labels.get("instance")) labels.set("instance", addr);
  return [...labels.entries()];
}
