// Helpers of the metrics pipeline tests: a sink component that records what reaches it, local HTTP
// servers (scrape targets, remote-write receivers), runtimes with the prometheus components.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo, createServer as createTcpServer } from "node:net";
import { labelStore } from "../../../src/component/prometheus/labelstore.ts";
import { appendableType, type MetricsBatch, type MetricsReceiver } from "../../../src/component/prometheus/receiver.ts";
import { builtinRegistry } from "../../../src/component/registry.ts";
import { createRuntime, defineComponent, type Runtime } from "../../../src/runtime/index.ts";
import { LogController } from "../../../src/runtime/logging/logger.ts";
import { attr, struct } from "../../../src/syntax/schema/index.ts";

export interface RecordedSample {
  labels: Record<string, string>;
  /** `{a="b", ...}` with __name__ first, as Prometheus prints series. */
  series: string;
  value: number;
  timestamp: number;
  stale: boolean;
}

/** What sinks received, by sink label. */
export const sinks = new Map<string, RecordedSample[]>();

export function seriesText(labels: Record<string, string>): string {
  const name = labels.__name__ ?? "";
  const rest = Object.keys(labels).filter((k) => k !== "__name__").sort().map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${name}{${rest.join(", ")}}`;
}

export function recordBatch(into: RecordedSample[], batch: MetricsBatch): void {
  const store = labelStore();
  for (let i = 0; i < batch.length; i++) {
    const flat = store.labels(batch.ids[i]!);
    const labels: Record<string, string> = {};
    for (let k = 0; k < flat.length; k += 2) labels[flat[k]!] = flat[k + 1]!;
    into.push({ labels, series: seriesText(labels), value: batch.values[i]!, timestamp: batch.timestamps[i]!, stale: batch.isStale(i) });
  }
}

/** testing.metrics_sink "x": exports a receiver that records every sample into sinks.get("x"). */
export const metricsSink = defineComponent({
  name: "testing.metrics_sink",
  stability: "generally-available",
  args: struct({}),
  exports: struct({ receiver: attr(appendableType()) }),
  build(context) {
    const label = context.id.slice("testing.metrics_sink.".length);
    const recorded: RecordedSample[] = [];
    sinks.set(label, recorded);
    const receiver: MetricsReceiver = { append: (batch) => recordBatch(recorded, batch) };
    context.onStateChange({ receiver });
    return {
      async run(signal) {
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
      },
      update() {},
    };
  },
});

export function newRuntime(storagePath: string, lines?: string[]): Runtime {
  return createRuntime({
    registry: builtinRegistry([metricsSink]),
    logs: new LogController({ write: (line) => lines?.push(line) }, { level: "debug", format: "logfmt" }),
    storagePath,
    minStability: "experimental",
  });
}

export interface TestServer {
  url: string;
  host: string;
  requests: { url: string; headers: IncomingMessage["headers"]; body: Buffer }[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 with a free port; the handler gets the request body. */
export async function startServer(handler: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void | Promise<void>): Promise<TestServer> {
  const requests: TestServer["requests"] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      requests.push({ url: req.url ?? "", headers: req.headers, body });
      Promise.resolve(handler(req, body, res)).catch((e) => {
        res.statusCode = 500;
        res.end(String(e));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** Polls until check passes; fails with the last error. */
export async function eventually(check: () => void | boolean | Promise<void | boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if ((await check()) !== false) return;
      last = new Error("condition not met");
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw last;
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP port on 127.0.0.1 that was free a moment ago (for servers that must be told their port). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createTcpServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
