// prometheus.receive_http: a Prometheus remote-write endpoint on a server of its own (the `http`
// block), forwarding what it receives to forward_to (Alloy's receive_http component).
//
// The server is restarted only when the server blocks change at reload: the old one stops (requests in
// flight get graceful_shutdown_timeout) before the new one listens, so the same port can be kept.
// Its request metrics are those of the server, renewed with it; the handler's and fan-out's last for
// the component's life.
import { defineComponent, type Health } from "../../../runtime/component.ts";
import { experimentalArgumentError, permits, type Stability } from "../../../runtime/featuregate.ts";
import { health } from "../../../runtime/health.ts";
import { Counter, Histogram } from "../../../runtime/metrics/registry.ts";
import { attr, squash, struct, t } from "../../../syntax/schema/index.ts";
import { ServerConfigBlock, type ServerConfig } from "../../common/net/config.ts";
import { TargetServer } from "../../common/net/server.ts";
import { labelStore } from "../labelstore.ts";
import { appendableType, Fanout } from "../receiver.ts";
import { RemoteWriteHandler, WRITE_V1, WRITE_V2, type WriteHandlerSettings, type WriteMessage } from "./handler.ts";

const WRITE_PATH = "/api/v1/metrics/write";
const METRICS_NAMESPACE = "prometheus_receive_http";

const Arguments = struct({
  server: squash(ServerConfigBlock),
  forward_to: attr(t.array(appendableType())),
  append_metadata: attr(t.bool(), { optional: true }),
  enable_type_and_unit_labels: attr(t.bool(), { optional: true }),
  accepted_remote_write_protobuf_messages: attr(t.array(t.string()), { default: () => [WRITE_V1] }),
});

type Args = ReturnType<typeof Arguments.decode>;

/**
 * Alloy's checks of the handler's arguments, with its messages: the experimental ones below
 * --stability.level=experimental, and the accepted protobuf messages.
 */
function handlerSettings(a: Args, minStability: Stability): WriteHandlerSettings {
  const experimental = permits(minStability, "experimental");
  if (a.append_metadata && !experimental) throw experimentalArgumentError("append_metadata");
  if (a.enable_type_and_unit_labels && !experimental) throw experimentalArgumentError("enable_type_and_unit_labels");
  if (a.accepted_remote_write_protobuf_messages.length === 0) throw new Error("accepted_remote_write_protobuf_messages must not be empty");
  const accepted: WriteMessage[] = [];
  for (const message of a.accepted_remote_write_protobuf_messages) {
    if (message === WRITE_V1) accepted.push(WRITE_V1);
    else if (message === WRITE_V2) {
      if (!experimental) {
        throw new Error(`using "${WRITE_V2}" in supported_protocol_versions is an experimental feature, and must be enabled by setting the stability.level flag to experimental`);
      }
      accepted.push(WRITE_V2);
    } else {
      throw new Error(`unsupported protocol version "${message}": valid values are "${WRITE_V1}" and "${WRITE_V2}"`);
    }
  }
  return { accepted, appendMetadata: a.append_metadata, enableTypeAndUnitLabels: a.enable_type_and_unit_labels };
}

export const prometheusReceiveHttp = defineComponent({
  name: "prometheus.receive_http",
  stability: "generally-available",
  args: Arguments,
  async build(context, initial) {
    const settings = handlerSettings(initial, context.minStability);
    const { logger, registerer, platform } = context;
    const store = labelStore();
    const fanout = new Fanout(initial.forward_to);

    const latency = new Histogram({
      name: "prometheus_fanout_latency",
      help: "Write latency for sending to direct and indirect components",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    });
    const forwarded = new Counter({ name: "prometheus_forwarded_samples_total", help: "Total number of samples sent to downstream components." });
    const invalidLabels = new Counter({
      name: "prometheus_api_remote_write_invalid_labels_samples_total",
      help: "The total number of received remote write samples and histogram samples which were rejected due to invalid labels.",
    });
    const withoutMetadata = new Counter({
      name: "prometheus_api_remote_write_without_metadata_appended_samples_total",
      help: "The total number of received remote write samples (and histogram samples) which were ingested without corresponding metadata.",
    });
    for (const metric of [latency, forwarded, invalidLabels, withoutMetadata]) registerer.register(metric);

    const handler = new RemoteWriteHandler(
      {
        store,
        receiver: fanout,
        logger,
        invalidLabels,
        withoutMetadata,
        onForward: (samples, seconds) => {
          if (fanout.size > 0) forwarded.inc(samples);
          latency.observe(seconds);
        },
      },
      settings,
    );

    let server: TargetServer | undefined;
    let serverArgs: ServerConfig | undefined;
    let current: Health = health("healthy", "");
    // Server changes (update, shutdown) run one at a time, as Alloy's update mutex has them.
    let serverOps: Promise<unknown> = Promise.resolve();
    const serialized = <T>(op: () => Promise<T>): Promise<T> => {
      const next = serverOps.then(op, op);
      serverOps = next.catch(() => {});
      return next;
    };

    /** Restarts the server when its blocks changed (or it is not running after a failed start). */
    const applyServer = (next: ServerConfig) =>
      serialized(async () => {
        if (server && serverArgs && ServerConfigBlock.equal(serverArgs, next)) return;
        const old = server;
        server = undefined;
        await old?.close();
        logger.info("starting server");
        try {
          server = await TargetServer.start(next, registerer, {
            platform,
            logger,
            namespace: METRICS_NAMESPACE,
            routes: [{ method: "POST", path: WRITE_PATH, handle: (request, meter) => handler.handle(request, meter) }],
          });
        } catch (error) {
          current = health("unhealthy", `failed to start server: ${(error as Error).message}`);
          throw error;
        }
        serverArgs = next;
        current = health("healthy", "");
      });

    const releaseStore = store.acquire();
    try {
      await applyServer(initial.server);
    } catch (error) {
      releaseStore();
      throw error;
    }

    return {
      async run(signal) {
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
        logger.info("terminating due to context done");
        await serialized(async () => {
          await server?.close();
          server = undefined;
        });
        fanout.update([]);
        releaseStore();
        current = health("exited", "");
      },
      async update(next) {
        // Alloy fixes these when the component is built; alloy-ts applies them at reload too, behind
        // the same checks, so a reload cannot enable an experimental feature the level forbids.
        handler.settings = handlerSettings(next, context.minStability);
        fanout.update(next.forward_to);
        await applyServer(next.server);
      },
      health: () => current,
    };
  },
});
