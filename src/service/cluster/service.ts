// The cluster service of `alloy run` (Alloy's internal/service/cluster/cluster.go): the ckit node
// that makes agents a cluster, run as a node of the graph after the HTTP server it gossips over.
//
// It always runs. With --cluster.enabled=false the node is a cluster of one: it joins nobody, its
// transport route answers 404 `clustering is disabled`, it still becomes a participant after the
// first load (so /api/v0/web/peers lists it) and its Cluster is always ready. With clustering, it
// joins the peers found by --cluster.join-addresses or --cluster.discover-peers (falling back to a
// cluster of its own when none can be joined), rejoins them every --cluster.rejoin-interval (which
// heals a split brain), and tells every component that implements notifyClusterChange when the
// peers change, at most once a second.
//
//   agent build ─▶ new ClusterService(flags)  (flag checks, Alloy's messages)
//              ─▶ prepare()                   (TLS files; the node, when the port is known)
//   first load ─▶ run(host, signal)          (join, notify, rejoin … until the signal aborts:
//                                              terminating, leave, stop)
//              ─▶ changeState(participant)    (blocks while the news goes out, when there are peers)
import type { ConnectionInfo, Platform, TlsClientConfig } from "../../platform/types.ts";
import { CLUSTER_SERVICE, type Cluster } from "../../runtime/cluster.ts";
import { deferred } from "../../runtime/deferred.ts";
import type { Registerer } from "../../runtime/metrics/registry.ts";
import type { Service, ServiceDefinition, ServiceHost } from "../../runtime/service.ts";
import { abortable, sleep, untilAborted } from "../../runtime/signal.ts";
import { formatDuration } from "../../syntax/schema/duration.ts";
import type { ServiceRoute } from "../http/host.ts";
import type { UiPeer } from "../ui/host.ts";
import { buildClusterConfig, type ClusterConfig, type ClusterFlags } from "./builder.ts";
import { CkitNode } from "./ckit/node.ts";
import { parseState, peerJSON, StateTerminating, type Peer } from "./ckit/peer.ts";
import { RingSharder } from "./ckit/sharder.ts";
import { getRandomPeers } from "./discovery.ts";
import { lookupIP } from "./dns-lookup.ts";
import type { DiscoverProvider } from "./go-discover.ts";
import type { Logger } from "./memberlist/config.ts";
import { ckitBaseRoute, Http2Transport } from "./memberlist/http2-transport.ts";
import { joinHostPort, splitHostPort } from "./net-address.ts";
import { ChangeNotifier } from "./notifier.ts";
import { ClusterReadiness } from "./readiness.ts";
import { loadClusterTls } from "./tls.ts";

/** Peers named in an info line; the rest is abbreviated (cluster.go maxPeersToLog). */
const MAX_PEERS_TO_LOG = 10;
/** How long stop waits for the terminating state to go out (cluster.go stop). */
const TERMINATING_TIMEOUT_MS = 5000;
const REMOTECFG_SERVICE = "remotecfg";
/** How a join reads when the peer ends the stream before answering (see #start). */
const CLOSED_UNANSWERED = /\bEOF\b|ECONNRESET|stream (was )?reset|reset by peer/;

export interface ClusterServiceOptions {
  platform: Platform;
  /** The service's logger (Alloy adds service=cluster). */
  logger: Logger;
  /** Where the cluster_* metrics go; registered only when clustering is enabled, as in Alloy. */
  metrics: Registerer;
  /** --server.http.listen-addr: the default port of peer addresses and of the advertised address. */
  listenAddr: string;
  flags: ClusterFlags;
  /**
   * The port the HTTP server listens on, once it does. Needed only when the advertised port would
   * be 0 (--server.http.listen-addr with port 0): the node then advertises the port the system
   * picked, so that a cluster of agents on free ports works.
   */
  boundPort?: () => Promise<number>;
  /** The --cluster.discover-peers providers; alloy-ts's own on the platform by default. */
  providers?: ReadonlyMap<string, DiscoverProvider>;
  /** Ends the process when not even a cluster of one can start (Alloy's os.Exit(1)); platform.exit by default. */
  exit?: (code: number) => void;
}

export class ClusterService implements Service<undefined> {
  readonly definition: ServiceDefinition<undefined> = {
    name: CLUSTER_SERVICE,
    stability: "generally-available",
    // No args: a `cluster {}` block is refused ("does not support being configured").
    dependsOn: ["http"],
  };
  /** Node name, advertised address and peer discovery, as the flags gave them. */
  readonly config: ClusterConfig;

  readonly #options: ClusterServiceOptions;
  readonly #log: Logger;
  readonly #readiness: ClusterReadiness;
  readonly #notifier: ChangeNotifier;
  /** Answers lookups before the first node exists: nobody owns anything yet. */
  readonly #noPeers = new RingSharder();
  readonly #data: Cluster;
  #tls: Promise<TlsClientConfig | undefined> | undefined;
  /** The node of the current (or last) run; lookups keep using it once stopped. */
  #node: CkitNode | undefined;
  /** The node the next changeState applies to: resolved once the current run has one. */
  #nextNode = deferred<CkitNode>();

  constructor(options: ClusterServiceOptions) {
    this.#options = options;
    this.#log = options.logger;
    this.config = buildClusterConfig({
      platform: options.platform,
      flags: options.flags,
      listenAddr: options.listenAddr,
      logger: options.logger,
      ...(options.providers ? { providers: options.providers } : {}),
    });
    this.#notifier = new ChangeNotifier({
      // Readiness first, so that components notified after the rate limit see it current.
      beforeWait: () => this.#readiness.update(),
      notify: () => this.#notify?.(),
    });
    this.#readiness = new ClusterReadiness({
      enableClustering: options.flags.enabled,
      minimumClusterSize: options.flags.waitForSize,
      minimumSizeWaitTimeout: options.flags.waitTimeout,
      clusterName: options.flags.name,
      peerCount: () => this.#node?.shardPeers().length ?? 0,
      onDeadlinePassed: () => this.#notifier.trigger(),
      logger: options.logger,
      metrics: options.metrics,
    });
    this.#data = {
      lookup: (key, replicationFactor, op) => (this.#node ?? this.#noPeers).lookup(key, replicationFactor, op),
      peers: () => this.#node?.shardPeers() ?? [],
      ready: () => this.#readiness.ready(),
    };
  }

  get #flags(): ClusterFlags {
    return this.#options.flags;
  }

  /** Set while run() is notifying; the notifier calls it. */
  #notify: (() => void) | undefined;

  /**
   * The start-up work that can fail before the first load, with Alloy's messages: reading the TLS
   * files (`failed to load TLS config from file: …`) and creating the node (`failed to create
   * cluster node: …`, e.g. an advertised host that does not resolve). With an advertised port of
   * 0, the node waits for the HTTP server's port and is created by run().
   */
  async prepare(): Promise<void> {
    await this.#clientTls();
    if (this.#node || splitHostPort(this.config.advertiseAddress).port === "0") return;
    this.#setNode(await this.#createNode(this.config.advertiseAddress));
  }

  data(): Cluster {
    return this.#data;
  }

  update(): never {
    throw new Error("cluster service does not support configuration");
  }

  /** ckit's transport under /api/v1/ckit/transport/, for the HTTP server. */
  get route(): ServiceRoute {
    return {
      base: ckitBaseRoute,
      handler: (request, connection) => this.#handle(request, connection),
    };
  }

  /** The peers that share the work, as the UI lists them. */
  peers(): UiPeer[] {
    return (this.#node?.shardPeers() ?? []).map(peerJSON) as UiPeer[];
  }

  /**
   * Moves this node to participant (after the first load) or terminating. When there are other
   * peers it resolves once the change has been gossiped; the signal stops the wait (the change
   * stands). Fails on a transition ckit does not allow.
   */
  async changeState(state: "participant" | "terminating", signal?: AbortSignal): Promise<void> {
    const node = await abortable(this.#nextNode.promise, signal);
    await node.changeState(parseState(state), signal);
  }

  async run(host: ServiceHost, signal: AbortSignal): Promise<void> {
    this.#running = true;
    try {
      await this.#run(host, signal);
    } finally {
      this.#running = false;
    }
  }

  #running = false;

  async #run(host: ServiceHost, signal: AbortSignal): Promise<void> {
    let node: CkitNode;
    try {
      node = await this.#nodeForRun();
    } catch (error) {
      this.#log.error("failed to create cluster node", { err: (error as Error).message });
      this.#exit(1);
      return;
    }
    const stopObserving = node.observe(() => {
      if (signal.aborted) return false;
      this.#notifier.trigger();
      return true;
    });
    const work: Promise<void>[] = [];
    try {
      // Peers answer a join at once, over HTTP: be reachable before asking.
      await this.#options.boundPort?.();
      await this.#start(node);
      this.#notify = () => this.#notifyComponents(node, host, signal);
      work.push(this.#notifier.run(signal));
      if (this.#flags.enabled && this.#flags.rejoinIntervalMs > 0) work.push(this.#rejoinLoop(node, signal));
      await untilAborted(signal);
    } finally {
      stopObserving();
      await Promise.allSettled(work);
      this.#notify = undefined;
      await this.#stop(node);
    }
  }

  /**
   * Releases what exists outside a run: the wait-timeout timer, and a node prepared for a run that
   * never came (the first load failed). The agent calls it once stopped.
   */
  async shutdown(): Promise<void> {
    this.#readiness.shutdown();
    const node = this.#node;
    if (node && !node.stopped && !this.#running) await node.stop();
  }

  // -------------------------------------------------------------------------------------------

  #exit(code: number) {
    (this.#options.exit ?? ((c: number) => this.#options.platform.exit(c)))(code);
  }

  #clientTls(): Promise<TlsClientConfig | undefined> {
    if (!this.#flags.enableTls) return Promise.resolve(undefined);
    this.#tls ??= loadClusterTls(this.#options.platform, {
      caPath: this.#flags.tlsCaPath,
      certPath: this.#flags.tlsCertPath,
      keyPath: this.#flags.tlsKeyPath,
      serverName: this.#flags.tlsServerName,
    });
    return this.#tls;
  }

  async #createNode(advertiseAddr: string): Promise<CkitNode> {
    const { platform } = this.#options;
    const tls = await this.#clientTls();
    const transport = new Http2Transport({
      createClient: (origin, options) => platform.createHttp2Client(origin, options),
      useHttps: this.#flags.enableTls,
      ...(tls ? { clientOptions: { tls } } : {}),
      logger: this.#log,
    });
    try {
      return await CkitNode.create({
        name: this.config.nodeName,
        advertiseAddr,
        clusterName: this.#flags.name,
        transport,
        logger: this.#log,
        ...(this.#flags.enabled ? { registerer: this.#options.metrics } : {}),
        resolveHost: (name) => lookupIP(platform.dns, name),
      });
    } catch (error) {
      await transport.shutdown();
      throw new Error(`failed to create cluster node: ${(error as Error).message}`);
    }
  }

  #setNode(node: CkitNode) {
    this.#node = node;
    this.#nextNode.resolve(node);
  }

  /** The prepared node, or a new one: after a stop (an embedded agent started again), or for port 0. */
  async #nodeForRun(): Promise<CkitNode> {
    await this.#clientTls();
    if (this.#node && !this.#node.stopped) return this.#node;
    let address = this.config.advertiseAddress;
    const { host, port } = splitHostPort(address);
    if (port === "0" && this.#options.boundPort) address = joinHostPort(host, await this.#options.boundPort());
    const node = await this.#createNode(address);
    this.#setNode(node);
    return node;
  }

  /** Joins the discovered peers, or starts a cluster of its own (cluster.go Run). */
  async #start(node: CkitNode): Promise<void> {
    let peers: string[] = [];
    try {
      peers = await this.#randomPeers();
    } catch (error) {
      // Not fatal: the first node of a cluster has nobody to find yet.
      this.#log.warn("failed to get peers to join at startup; will create a new cluster", { err: (error as Error).message });
    }
    this.#log.info("starting cluster node", {
      peers_count: peers.length,
      peers: peers.join(","),
      advertise_addr: node.advertiseAddr,
      minimum_cluster_size: this.#flags.waitForSize,
      minimum_size_wait_timeout: formatDuration(this.#flags.waitTimeout),
    });
    try {
      await node.start(peers);
      return;
    } catch (error) {
      // Unreachable peers, a node name already taken (the error says so), or peers of another
      // --cluster.name: memberlist drops a stream with another label unanswered, as Go's does, so
      // the joiner only sees the connection end; the hint names the likely cause.
      const message = errorMessage(error);
      this.#log.warn("failed to connect to peers; bootstrapping a new cluster", {
        err: message,
        ...(CLOSED_UNANSWERED.test(message)
          ? { hint: `the peers closed the connection without answering: they may belong to a cluster with another --cluster.name (this node's is ${JSON.stringify(this.#flags.name)})` }
          : {}),
      });
    }
    try {
      await node.start([]);
    } catch (error) {
      this.#log.error("failed to bootstrap a fresh cluster with no peers", { err: (error as Error).message });
      this.#exit(1);
    }
  }

  #randomPeers(): Promise<string[]> {
    return getRandomPeers({
      enableClustering: this.#flags.enabled,
      discover: this.config.discover,
      maxJoinPeers: this.#flags.maxJoinPeers,
      logger: this.#log,
    });
  }

  async #rejoinLoop(node: CkitNode, signal: AbortSignal): Promise<void> {
    for (;;) {
      await sleep(this.#flags.rejoinIntervalMs, signal);
      if (signal.aborted) return;
      let peers: string[];
      try {
        peers = await this.#randomPeers();
      } catch (error) {
        this.#log.warn("failed to refresh list of peers", { err: (error as Error).message });
        continue;
      }
      this.#logPeers("rejoining peers", peers);
      try {
        await node.start(peers);
      } catch (error) {
        if (!signal.aborted) this.#log.error("failed to rejoin list of peers", { err: (error as Error).message });
      }
    }
  }

  /** Tells every component of the agent and of the remote configuration that the cluster changed. */
  #notifyComponents(node: CkitNode, host: ServiceHost, signal: AbortSignal) {
    this.#logPeers(
      "peers changed",
      node.peers().map((p: Peer) => p.name),
    );
    const remote = (host.getService(REMOTECFG_SERVICE)?.data() as { host?: ServiceHost } | undefined)?.host;
    const components = [...host.builtComponents(), ...(remote?.builtComponents() ?? [])];
    for (const component of components) {
      if (signal.aborted) return;
      if (!component.notifyClusterChange) continue;
      try {
        component.notifyClusterChange();
      } catch (error) {
        this.#log.error("component failed to handle a cluster change", { err: (error as Error).message });
      }
    }
  }

  #logPeers(message: string, peers: readonly string[]) {
    this.#log.info(message, {
      peers_count: peers.length,
      min_cluster_size: this.#flags.waitForSize,
      peers: joinWithTruncation(peers, ",", MAX_PEERS_TO_LOG, "..."),
    });
  }

  /** Terminating (for up to 5s), then leave and shut down (cluster.go stop). */
  async #stop(node: CkitNode) {
    this.#readiness.shutdown();
    // The next run (an embedded agent started again) gets a node of its own.
    this.#nextNode = deferred<CkitNode>();
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new Error("context deadline exceeded")), TERMINATING_TIMEOUT_MS);
    try {
      await node.changeState(StateTerminating, timeout.signal);
    } catch (error) {
      this.#log.error("failed to change state to Terminating", { err: errorMessage(error) });
    } finally {
      clearTimeout(timer);
    }
    try {
      await node.stop();
    } catch (error) {
      this.#log.error("failed to gracefully stop node", { err: errorMessage(error) });
    }
  }

  #handle(request: Request, connection: ConnectionInfo | undefined): Promise<Response> | Response {
    if (!this.#flags.enabled) {
      return new Response("clustering is disabled\n", {
        status: 404,
        headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" },
      });
    }
    const node = this.#node;
    if (!node || node.stopped) return new Response(null, { status: 503 });
    return node.handler(request, connection);
  }
}

/** Alloy's util.JoinWithTruncation: the first max-1 elements, the abbreviation, then the last one. */
export function joinWithTruncation(elements: readonly string[], sep: string, max: number, abbreviation: string): string {
  if (max <= 0) return "";
  if (elements.length <= max) return elements.join(sep);
  if (max === 1) return elements[0] + sep + abbreviation;
  return [...elements.slice(0, max - 1), abbreviation, elements[elements.length - 1]!].join(sep);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
