// ckit's self-metrics (ckit:metrics.go, node.go, internal/gossiphttp/metrics.go), with the same
// names, help texts, types and labels, so that Alloy's dashboards read a TS node like a Go one.
// Everything but cluster_node_info and the transport's carries the cluster_name label (the
// memberlist label); ckit's info collector drops its const labels, and the transport has none.
import {
  Counter,
  DEFAULT_BUCKETS,
  Gauge,
  Histogram,
  type Collector,
  type MetricFamily,
} from "../../../runtime/metrics/registry.ts";
import type { Http2TransportMetrics } from "../memberlist/http2-transport.ts";
import { allStates, stateName, type PeerState } from "./peer.ts";

/** Values of cluster_node_gossip_received_events_total's event label. */
export const gossipEvent = {
  stateChange: "state_change_message",
  unknownMessage: "unknown_message",
  getLocalState: "get_local_state",
  mergeRemoteState: "merge_remote_state",
  nodeJoin: "node_join",
  nodeLeave: "node_leave",
  nodeUpdate: "node_update",
  nodeConflict: "node_conflict",
} as const;

/** What the node-level gauges read on every scrape. */
export interface NodeReadings {
  protocolVersion(): number;
  healthScore(): number;
  aliveMembers(): number;
  lamportTime(): bigint;
}

/** The transport's counters and queue lengths, when the transport is ckit's HTTP/2 one. */
export interface TransportReadings {
  readonly metrics: Http2TransportMetrics;
  readonly inQueueLength: number;
  readonly outQueueLength: number;
}

export class CkitMetrics implements Collector {
  readonly gossipEvents: Counter;
  readonly gossipBroadcasts: Counter;
  readonly nodePeers: Gauge;
  readonly nodeUpdating: Gauge;
  readonly nodeUpdateDuration: Histogram;
  readonly nodeObservers: Gauge;
  /** cluster_node_info's state label; "" until the first ChangeState, as in ckit. */
  infoState = "";
  readonly #clusterName: string;
  readonly #node: NodeReadings;
  readonly #transport: TransportReadings | undefined;

  constructor(clusterName: string, node: NodeReadings, transport?: TransportReadings) {
    const constLabels = { cluster_name: clusterName };
    this.#clusterName = clusterName;
    this.#node = node;
    this.#transport = transport;
    this.gossipEvents = new Counter(
      { name: "cluster_node_gossip_received_events_total", help: "Total number of gossip messages handled by the node.", constLabels },
      ["event"],
    );
    this.gossipBroadcasts = new Counter(
      { name: "cluster_node_gossip_broadcasts_total", help: "Total number of gossip messages broadcasted by the node.", constLabels },
      ["event"],
    );
    this.nodePeers = new Gauge({ name: "cluster_node_peers", help: "Current number of healthy peers by state", constLabels }, ["state"]);
    this.nodeUpdating = new Gauge({
      name: "cluster_node_updating",
      help: "1 if the node is currently processing a change to the cluster state.",
      constLabels,
    });
    this.nodeUpdateDuration = new Histogram({
      name: "cluster_node_update_duration_seconds",
      help: "Histogram of the latency it took to process a change to the cluster state.",
      buckets: DEFAULT_BUCKETS,
      constLabels,
    });
    this.nodeObservers = new Gauge({
      name: "cluster_node_update_observers",
      help: "Number of internal observers waiting for changes to cluster state.",
      constLabels,
    });
  }

  /** Sets cluster_node_peers for every state (ckit always writes all three). */
  setPeerCounts(states: Iterable<PeerState>) {
    const counts = new Map<PeerState, number>();
    for (const s of states) counts.set(s, (counts.get(s) ?? 0) + 1);
    for (const s of allStates) this.nodePeers.with(stateName(s)).set(counts.get(s) ?? 0);
  }

  collect(): MetricFamily[] {
    const withName = { cluster_name: this.#clusterName };
    const gauge = (name: string, help: string, value: number, labels: Record<string, string> = {}): MetricFamily => ({
      name,
      help,
      type: "gauge",
      samples: [{ labels, value }],
    });
    const counter = (name: string, help: string, value: number): MetricFamily => ({
      name,
      help,
      type: "counter",
      samples: [{ labels: {}, value }],
    });
    const families: MetricFamily[] = [
      ...this.gossipEvents.collect(),
      ...this.gossipBroadcasts.collect(),
      ...this.nodePeers.collect(),
      ...this.nodeUpdating.collect(),
      ...this.nodeUpdateDuration.collect(),
      ...this.nodeObservers.collect(),
      gauge("cluster_node_info", "Info about the local node. Label values will change as the node changes state.", 1, {
        state: this.infoState,
      }),
      gauge(
        "cluster_node_gossip_proto_version",
        "Gossip protocol version used by nodes to maintain the cluster",
        this.#node.protocolVersion(),
        withName,
      ),
      gauge(
        "cluster_node_gossip_health_score",
        "Health value of a node; lower values means healthier. 0 is the minimum.",
        this.#node.healthScore(),
        withName,
      ),
      gauge(
        "cluster_node_gossip_alive_peers",
        "How many alive gossip peers a node has, including the local node.",
        this.#node.aliveMembers(),
        withName,
      ),
      gauge("cluster_node_lamport_time", "The current lamport time of the node.", Number(this.#node.lamportTime())),
    ];
    const t = this.#transport;
    if (t) {
      const m = t.metrics;
      families.push(
        counter("cluster_transport_rx_packets_total", "Total number of HTTP/2 gossip transport packets read", m.rxPackets),
        counter("cluster_transport_rx_bytes_total", "Total number of HTTP/2 gossip transport bytes read", m.rxBytes),
        counter(
          "cluster_transport_tx_packets_total",
          "Total number of HTTP/2 gossip transport packets written (failed or otherwise)",
          m.txPackets,
        ),
        counter(
          "cluster_transport_tx_bytes_total",
          "Total number of HTTP/2 gossip transport bytes written (failed or otherwise)",
          m.txBytes,
        ),
        // ckit declares these as gauges despite their _total names; kept, so queries match.
        gauge("cluster_transport_tx_packets_failed_total", "Total number of failed HTTP/2 gossip transport packets", m.packetsSendFailed),
        gauge("cluster_transport_streams", "Current number of HTTP/2 transport data streams", m.openStreams),
        gauge(
          "cluster_transport_stream_rx_packets_total",
          "Total number of HTTP/2 gossip transport stream packets read",
          m.streamRxPackets,
        ),
        gauge("cluster_transport_stream_rx_bytes_total", "Total number of HTTP/2 gossip transport stream bytes read", m.streamRxBytes),
        gauge(
          "cluster_transport_stream_tx_packets_total",
          "Total number of HTTP/2 gossip transport stream packets written",
          m.streamTxPackets,
        ),
        gauge(
          "cluster_transport_stream_tx_bytes_total",
          "Total number of HTTP/2 gossip transport stream bytes written",
          m.streamTxBytes,
        ),
        gauge(
          "cluster_transport_stream_tx_packets_failed_total",
          "Total number of failed HTTP/2 gossip transport stream packets",
          m.streamTxFailed,
        ),
        gauge("cluster_transport_rx_packet_queue_length", "Current number of unprocessed incoming packets", t.inQueueLength),
        gauge("cluster_transport_tx_packet_queue_length", "Current number of unprocessed outgoing packets", t.outQueueLength),
      );
    }
    return families;
  }
}
