// prometheus.remote_write: a WAL under <dataPath>/wal that every received batch is written to, and one
// queue per `endpoint` that sends the WAL's samples with remote write 1.0 (protobuf + snappy).
// The WAL is truncated every truncate_frequency (series inactive for longer than the keepalive are
// dropped, old segments replaced by a checkpoint). Each endpoint's read position is saved in
// <dataPath>/remote_write_positions.json, so unsent samples survive restarts and kills.
import { defineComponent, type Health } from "../../../runtime/component.ts";
import { permits, type Stability } from "../../../runtime/featuregate.ts";
import { health } from "../../../runtime/health.ts";
import { Counter, Gauge, Histogram } from "../../../runtime/metrics/registry.ts";
import { attr, block, blocks, Hour, Millisecond, Minute, Second, squash, struct, t } from "../../../syntax/schema/index.ts";
import { xxhash64Hex } from "../../../wire/labels/xxhash64.ts";
import { HttpClient, type HttpClientConfig, httpClientFields, memoryAddress, validateHttpClient } from "../httpclient.ts";
import { labelStore } from "../labelstore.ts";
import { appendableType, type MetricsReceiver } from "../receiver.ts";
import { type RelabelRule, RuleBlock } from "../relabel/rules.ts";
import { Endpoint, type EndpointConfig, type EndpointMetrics, type ResumePoint } from "./queue.ts";
import { WalStorage } from "./storage.ts";
import { comparePositions, type Position } from "./wlog.ts";

const QueueConfigBlock = struct(
  {
    capacity: attr(t.int(), { optional: true }),
    max_shards: attr(t.int(), { optional: true }),
    min_shards: attr(t.int(), { optional: true }),
    max_samples_per_send: attr(t.int(), { optional: true }),
    batch_send_deadline: attr(t.duration(), { optional: true }),
    min_backoff: attr(t.duration(), { optional: true }),
    max_backoff: attr(t.duration(), { optional: true }),
    retry_on_http_429: attr(t.bool(), { optional: true }),
    sample_age_limit: attr(t.duration(), { optional: true }),
  },
  { defaults: () => defaultQueue() },
);

function defaultQueue() {
  return {
    capacity: 10000,
    max_shards: 50,
    min_shards: 1,
    max_samples_per_send: 2000,
    batch_send_deadline: 5 * Second,
    min_backoff: 30 * Millisecond,
    max_backoff: 5 * Second,
    retry_on_http_429: true,
    sample_age_limit: 0,
  };
}

const MetadataConfigBlock = struct(
  {
    send: attr(t.bool(), { optional: true }),
    send_interval: attr(t.duration(), { optional: true }),
    max_samples_per_send: attr(t.int(), { optional: true }),
  },
  { defaults: () => defaultMetadata() },
);

function defaultMetadata() {
  return { send: true, send_interval: Minute, max_samples_per_send: 2000 };
}

function defaultWal() {
  return { truncate_frequency: 2 * Hour, min_keepalive_time: 5 * Minute, max_keepalive_time: 8 * Hour };
}

const V1 = "prometheus.WriteRequest";
const V2 = "io.prometheus.write.v2.Request";

const EndpointBlock = struct(
  {
    name: attr(t.string(), { optional: true }),
    url: attr(t.string()),
    remote_timeout: attr(t.duration(), { default: 30 * Second }),
    headers: attr(t.map(t.string()), { optional: true }),
    send_exemplars: attr(t.bool(), { default: true }),
    send_native_histograms: attr(t.bool(), { optional: true }),
    protobuf_message: attr(t.string(), { default: V1 }),
    http: squash(struct(httpClientFields(false))),
    queue_config: block(QueueConfigBlock, { optional: true, default: defaultQueue }),
    metadata_config: block(MetadataConfigBlock, { optional: true, default: defaultMetadata }),
    write_relabel_config: blocks(RuleBlock, { optional: true }),
    sigv4: block(struct({}, { name: "sigv4" }), { optional: true }),
    azuread: block(struct({}, { name: "azuread" }), { optional: true }),
    google_iam: block(struct({}, { name: "google_iam" }), { optional: true }),
    round_robin_dns: attr(t.bool(), { optional: true }),
  },
  {
    validate: (e) => {
      const err = validateHttpClient(e.http as HttpClientConfig);
      if (err) return err;
      if (e.protobuf_message !== V1 && e.protobuf_message !== V2) {
        return `invalid protobuf_message ${JSON.stringify(e.protobuf_message)} for endpoint ${JSON.stringify(e.name)}: unknown remote write protobuf message ${e.protobuf_message}, supported: ${V1}, ${V2}`;
      }
      if (e.sigv4 || e.azuread || e.google_iam) return "sigv4, azuread and google_iam authentication are not supported by alloy-ts yet";
      try {
        const u = new URL(e.url);
        if (u.protocol !== "http:" && u.protocol !== "https:") return `cannot parse remote_write url ${JSON.stringify(e.url)}: unsupported scheme`;
      } catch {
        return `cannot parse remote_write url ${JSON.stringify(e.url)}`;
      }
      return undefined;
    },
  },
);

const WalBlock = struct(
  {
    truncate_frequency: attr(t.duration(), { optional: true }),
    min_keepalive_time: attr(t.duration(), { optional: true }),
    max_keepalive_time: attr(t.duration(), { optional: true }),
  },
  {
    defaults: () => defaultWal(),
    validate: (w) => {
      if (w.truncate_frequency === 0) return "truncate_frequency must not be 0";
      if (w.max_keepalive_time <= w.min_keepalive_time) return "min_keepalive_time must be smaller than max_keepalive_time";
      return undefined;
    },
  },
);

const Arguments = struct({
  external_labels: attr(t.map(t.string()), { optional: true }),
  endpoint: blocks(EndpointBlock, { optional: true }),
  wal: block(WalBlock, { optional: true, default: defaultWal }),
});

const Exports = struct({
  receiver: attr(appendableType()),
});

type Args = ReturnType<typeof Arguments.decode>;
type EndpointArgs = ReturnType<typeof EndpointBlock.decode>;

const POSITIONS_FILE = "remote_write_positions.json";

/** Alloy's stability gate on remote write v2 (at build and update), then our refusal: no v2 sender yet. */
function checkProtobufMessages(a: Args, minStability: Stability): void {
  for (const e of a.endpoint) {
    if (e.protobuf_message !== V2) continue;
    if (!permits(minStability, "experimental")) {
      throw new Error(`using remote write v2 (protobuf_message=${V2}) with endpoint ${e.name} requires setting the stability.level flag to experimental`);
    }
    throw new Error(`remote write v2 (protobuf_message = ${V2}) is not supported by alloy-ts yet`);
  }
}

/** The remote_name of an endpoint: its name, or a hash of its settings (as Prometheus names queues). */
function endpointName(e: EndpointArgs): string {
  if (e.name !== "") return e.name;
  return xxhash64Hex(JSON.stringify({ url: e.url, q: e.queue_config, r: e.write_relabel_config.map((r) => ({ ...r, regex: r.regex.source })) })).slice(0, 6);
}

export const prometheusRemoteWrite = defineComponent({
  name: "prometheus.remote_write",
  stability: "generally-available",
  args: Arguments,
  exports: Exports,
  async build(context, initial) {
    checkProtobufMessages(initial, context.minStability);
    const { platform, logger } = context;
    const store = labelStore();
    const releaseStore = store.acquire();
    const dataPath = context.dataPath.replace(/\/+$/, "");
    const storage = new WalStorage({ platform, logger: logger.with({ subcomponent: "wal" }), store, dir: `${dataPath}/wal` });
    await storage.open();
    const untrackRemote = store.trackRemote(context.globalId, () => storage.seriesCount);
    const storageRoot = dataPath.slice(0, Math.max(0, dataPath.length - context.globalId.length)).replace(/\/+$/, "") || ".";
    let seedUid = "";
    try {
      seedUid = (JSON.parse(await platform.fs.readTextFile(`${storageRoot}/alloy_seed.json`)) as { UID?: string }).UID ?? "";
    } catch {
      // No seed (tests, embedding): the id headers are left out.
    }
    let positions: Record<string, ResumePoint> = {};
    try {
      positions = JSON.parse(await platform.fs.readTextFile(`${dataPath}/${POSITIONS_FILE}`)) as Record<string, ResumePoint>;
    } catch {
      // First start.
    }

    const label = ["remote_name", "url"];
    const mk = {
      samples: new Counter({ name: "prometheus_remote_storage_samples_total", help: "Total number of samples sent to remote storage." }, label),
      samplesFailed: new Counter({ name: "prometheus_remote_storage_samples_failed_total", help: "Total number of samples which failed on send to remote storage, non-recoverable errors." }, label),
      samplesRetried: new Counter({ name: "prometheus_remote_storage_samples_retried_total", help: "Total number of samples which failed on send to remote storage but were retried because the send error was recoverable." }, label),
      samplesDropped: new Counter({ name: "prometheus_remote_storage_samples_dropped_total", help: "Total number of samples which were dropped after being read from the WAL before being sent via remote write, either via relabelling, due to being too old or unintentionally because of an unknown reference ID." }, label),
      histograms: new Counter({ name: "prometheus_remote_storage_histograms_total", help: "Total number of histograms sent to remote storage." }, label),
      exemplars: new Counter({ name: "prometheus_remote_storage_exemplars_total", help: "Total number of exemplars sent to remote storage." }, label),
      bytes: new Counter({ name: "prometheus_remote_storage_bytes_total", help: "The total number of bytes of data (not metadata) sent by the queue after compression." }, label),
      pending: new Gauge({ name: "prometheus_remote_storage_samples_pending", help: "The number of samples pending in the queues shards to be sent to the remote storage." }, label),
      shards: new Gauge({ name: "prometheus_remote_storage_shards", help: "The number of shards used for parallel sending to the remote storage." }, label),
      shardsDesired: new Gauge({ name: "prometheus_remote_storage_shards_desired", help: "The number of shards that the queues shard calculation wants to run based on the rate of samples in vs. samples out." }, label),
      shardsMax: new Gauge({ name: "prometheus_remote_storage_shards_max", help: "The maximum number of shards that the queue is allowed to run." }, label),
      shardsMin: new Gauge({ name: "prometheus_remote_storage_shards_min", help: "The minimum number of shards that the queue is allowed to run." }, label),
      highestSent: new Gauge({ name: "prometheus_remote_storage_queue_highest_sent_timestamp_seconds", help: "Timestamp from a WAL sample, the highest timestamp successfully sent by this queue, in seconds since epoch." }, label),
      sentBatchDuration: new Histogram({ name: "prometheus_remote_storage_sent_batch_duration_seconds", help: "Duration of send calls to the remote storage." }, label),
      enqueueRetries: new Counter({ name: "prometheus_remote_storage_enqueue_retries_total", help: "Total number of times enqueue has failed because a shards queue was full." }, label),
    };
    const walSamples = new Counter({ name: "prometheus_remote_write_wal_samples_appended_total", help: "Total number of samples appended to the WAL" });
    const walSeries = new Gauge({ name: "prometheus_remote_write_wal_storage_active_series", help: "Current number of active series being tracked by the WAL storage" });
    const highestIn = new Gauge({ name: "prometheus_remote_storage_highest_timestamp_in_seconds", help: "Highest timestamp that has come into the remote storage via the Appender interface, in seconds since epoch." });
    for (const m of [...Object.values(mk), walSamples, walSeries, highestIn]) context.registerer.register(m);

    const metricsFor = (name: string, url: string): EndpointMetrics =>
      Object.fromEntries(Object.entries(mk).map(([k, m]) => [k, (m as { with(...v: string[]): unknown }).with(name, url)])) as unknown as EndpointMetrics;

    let args: Args = initial;
    let endpoints: { key: string; config: string; endpoint: Endpoint }[] = [];
    let exited = false;
    let current: Health = health("healthy", "");
    let highest = 0;

    const endpointConfig = (e: EndpointArgs, a: Args): EndpointConfig => {
      const headers: Record<string, string> = { ...(e.headers ?? {}) };
      if (seedUid !== "") {
        headers["X-Agent-Id"] = seedUid;
        headers["X-Alloy-Id"] = seedUid;
      }
      const q = e.queue_config!;
      return {
        name: endpointName(e),
        url: e.url,
        remoteTimeoutMs: e.remote_timeout / 1e6,
        headers,
        sendExemplars: e.send_exemplars,
        sendNativeHistograms: e.send_native_histograms,
        queue: {
          capacity: q.capacity,
          maxShards: q.max_shards,
          minShards: q.min_shards,
          maxSamplesPerSend: q.max_samples_per_send,
          batchSendDeadlineMs: q.batch_send_deadline / 1e6,
          minBackoffMs: q.min_backoff / 1e6,
          maxBackoffMs: q.max_backoff / 1e6,
          retryOnHttp429: q.retry_on_http_429,
          sampleAgeLimitMs: q.sample_age_limit / 1e6,
        },
        externalLabels: a.external_labels ?? {},
        rules: e.write_relabel_config as RelabelRule[],
        userAgent: context.userAgent,
      };
    };

    const savePositions = async () => {
      for (const { key, endpoint } of endpoints) positions[key] = endpoint.resumePoint();
      try {
        await platform.fs.writeFileAtomic(`${dataPath}/${POSITIONS_FILE}`, JSON.stringify(positions));
      } catch (e) {
        logger.warn("could not save remote write positions", { err: (e as Error).message });
      }
    };

    /** Starts endpoints for new or changed endpoint blocks; stops those that went away or changed. */
    const configure = async (a: Args) => {
      const next: typeof endpoints = [];
      const wanted = a.endpoint.map((e) => {
        const config = endpointConfig(e, a);
        const key = config.name;
        const fingerprint = JSON.stringify({ ...config, rules: config.rules.map((r) => ({ ...r, regex: r.regex.source })), http: e.http });
        return { e, config, key, fingerprint };
      });
      // The new endpoints' clients come first: settings that cannot work (an unreadable CA file, a
      // key of another certificate) fail the update before anything running is stopped.
      const clients = new Map<string, HttpClient>();
      try {
        for (const w of wanted) {
          if (endpoints.some((o) => o.key === w.key && o.config === w.fingerprint)) continue;
          const client = new HttpClient(w.e.http as HttpClientConfig, context.fetch, platform, { memoryAddr: memoryAddress(context) });
          clients.set(w.key, client);
          await client.prepare();
        }
      } catch (e) {
        await Promise.all([...clients.values()].map((c) => c.close()));
        throw e;
      }
      const stopping: Promise<void>[] = [];
      for (const old of endpoints) {
        if (!wanted.some((w) => w.key === old.key && w.fingerprint === old.config)) {
          stopping.push(old.endpoint.stop().then(() => void (positions[old.key] = old.endpoint.resumePoint())));
        }
      }
      await Promise.all(stopping);
      for (const w of wanted) {
        const existing = endpoints.find((o) => o.key === w.key && o.config === w.fingerprint);
        if (existing) {
          next.push(existing);
          continue;
        }
        const client = clients.get(w.key)!;
        const endpoint = new Endpoint(
          w.config,
          { storage, store, client, logger: logger.with({ subcomponent: "rw", remote_name: w.key, url: w.e.url }), metrics: metricsFor(w.key, w.e.url) },
          positions[w.key],
        );
        endpoint.start();
        next.push({ key: w.key, config: w.fingerprint, endpoint });
      }
      endpoints = next;
      await savePositions();
    };
    await configure(initial);

    const receiver: MetricsReceiver = {
      async append(batch) {
        if (exited) throw new Error(`${context.id} has exited`);
        await storage.append(batch);
        walSamples.inc(batch.sampleCount);
        for (let i = 0; i < batch.length; i++) if (batch.timestamps[i]! > highest) highest = batch.timestamps[i]!;
      },
    };
    context.onStateChange({ receiver });

    const truncate = async (lastTs: { value: number }) => {
      const w = args.wal!;
      // The lowest timestamp every endpoint has sent; series inactive since before it (minus the
      // keepalive) go. Data older than max_keepalive goes regardless.
      let lowestSent = Infinity;
      for (const { endpoint } of endpoints) lowestSent = Math.min(lowestSent, endpoint.highestSent);
      if (!Number.isFinite(lowestSent)) lowestSent = 0;
      let ts = Math.max(0, lowestSent - w.min_keepalive_time / 1e6);
      const maxTs = Date.now() - w.max_keepalive_time / 1e6;
      if (ts < maxTs) ts = maxTs;
      if (ts === lastTs.value) return;
      lastTs.value = ts;
      let keepFrom: Position | undefined;
      for (const { endpoint } of endpoints) {
        if (!keepFrom || comparePositions(endpoint.committed, keepFrom) < 0) keepFrom = endpoint.committed;
      }
      try {
        await storage.truncate(ts, keepFrom, maxTs);
      } catch (e) {
        logger.warn("could not truncate WAL", { err: (e as Error).message });
      }
    };

    return {
      async run(signal) {
        const lastTs = { value: -Infinity };
        let truncating: Promise<void> | undefined;
        let truncateTimer: ReturnType<typeof setTimeout> | undefined;
        const scheduleTruncate = () => {
          truncateTimer = setTimeout(() => {
            truncating = truncate(lastTs).finally(() => {
              truncating = undefined;
              if (!signal.aborted) scheduleTruncate();
            });
          }, args.wal!.truncate_frequency / 1e6);
        };
        scheduleTruncate();
        const positionTimer = setInterval(() => {
          void savePositions();
          walSeries.set(storage.seriesCount);
          highestIn.set(highest / 1000);
          const failing = endpoints.filter((e) => e.endpoint.lastError !== "");
          current = failing.length > 0 ? health("healthy", `last send error: ${failing[0]!.endpoint.lastError}`) : health("healthy", "");
        }, 1000);
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
        exited = true;
        clearTimeout(truncateTimer);
        clearInterval(positionTimer);
        await truncating;
        await Promise.all(endpoints.map((e) => e.endpoint.stop()));
        await savePositions();
        await storage.close();
        untrackRemote();
        releaseStore();
        current = health("exited", "");
      },
      async update(next) {
        checkProtobufMessages(next, context.minStability);
        args = next;
        await configure(next);
      },
      health: () => current,
      debugInfo: () => ({
        samples_appended: storage.stats.samples,
        active_series: storage.seriesCount,
        endpoints: endpoints.map(({ key, endpoint }) => ({
          name: key,
          url: endpoint.config.url,
          samples_sent: endpoint.sent,
          position: `${endpoint.committed.segment}:${endpoint.committed.offset}`,
          last_error: endpoint.lastError,
        })),
      }),
    };
  },
});

