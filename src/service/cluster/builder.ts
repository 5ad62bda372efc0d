// From the --cluster.* flags to what the cluster service runs with (Alloy's cluster_builder.go):
// the node name (the hostname unless given), the advertised address, and how peers are found. It
// runs whether clustering is enabled or not, and its errors stop `alloy run` before the first load.
import type { Platform } from "../../platform/types.ts";
import type { Duration } from "../../syntax/schema/duration.ts";
import { advertiseAddress, DEFAULT_ADVERTISE_INTERFACES } from "./advertise.ts";
import { defaultProviders, type DiscoverFn, newPeerDiscovery } from "./discovery.ts";
import type { DiscoverProvider } from "./go-discover.ts";
import type { Logger } from "./memberlist/config.ts";
import { findPort } from "./net-address.ts";

/** The --cluster.* flags, parsed. */
export interface ClusterFlags {
  /** --cluster.enabled; off, the agent is a cluster of one that nobody can join. */
  enabled: boolean;
  /** --cluster.node-name; "" means the hostname. */
  nodeName: string;
  /** --cluster.advertise-address; "" infers one. */
  advertiseAddress: string;
  /** --cluster.advertise-interfaces; ["all"] means every interface. */
  advertiseInterfaces: readonly string[];
  /** --cluster.join-addresses, split on commas (splitJoinAddresses). */
  joinAddresses: readonly string[];
  /** --cluster.discover-peers. */
  discoverPeers: string;
  /** --cluster.rejoin-interval in milliseconds; 0 disables rejoining. */
  rejoinIntervalMs: number;
  /** --cluster.max-join-peers; 0 joins every peer found. */
  maxJoinPeers: number;
  /** --cluster.name: peers with another name are kept out. */
  name: string;
  /** --cluster.enable-tls and its files (client side; the `http` block's tls serves). */
  enableTls: boolean;
  tlsCaPath: string;
  tlsCertPath: string;
  tlsKeyPath: string;
  tlsServerName: string;
  /** --cluster.wait-for-size; 0 admits traffic at once. */
  waitForSize: number;
  /** --cluster.wait-timeout in nanoseconds; 0 waits without limit. */
  waitTimeout: Duration;
}

/** The flags' defaults (cmd_run.go newAlloyRun). */
export const DEFAULT_CLUSTER_FLAGS: Readonly<ClusterFlags> = Object.freeze({
  enabled: false,
  nodeName: "",
  advertiseAddress: "",
  advertiseInterfaces: DEFAULT_ADVERTISE_INTERFACES,
  joinAddresses: [],
  discoverPeers: "",
  rejoinIntervalMs: 60_000,
  maxJoinPeers: 5,
  name: "",
  enableTls: false,
  tlsCaPath: "",
  tlsCertPath: "",
  tlsKeyPath: "",
  tlsServerName: "",
  waitForSize: 0,
  waitTimeout: 0,
});

export interface ClusterConfig {
  nodeName: string;
  /** "host:port"; the port may be 0 when the HTTP server listens on a port of the system's choosing. */
  advertiseAddress: string;
  /** Undefined for a seed node, which waits for others to join it. */
  discover: DiscoverFn | undefined;
}

export interface BuildOptions {
  platform: Platform;
  flags: ClusterFlags;
  /** --server.http.listen-addr: its port is the default port of every peer address. */
  listenAddr: string;
  logger: Logger;
  /** The --cluster.discover-peers providers; those alloy-ts implements on the platform by default. */
  providers?: ReadonlyMap<string, DiscoverProvider>;
}

/** NewClusterService's checks, in Alloy's order. Throws with Alloy's messages. */
export function buildClusterConfig(options: BuildOptions): ClusterConfig {
  const { platform, flags, logger } = options;
  const listenPort = findPort(options.listenAddr, 80);
  let nodeName = flags.nodeName;
  if (nodeName === "") {
    try {
      nodeName = platform.hostname();
    } catch (error) {
      throw new Error(`generating node name: ${(error as Error).message}`);
    }
  }
  const address = advertiseAddress({
    advertiseAddress: flags.advertiseAddress,
    listenPort,
    ...(flags.enabled
      ? { clustering: { interfaces: flags.advertiseInterfaces, networkInterfaces: () => platform.networkInterfaces(), logger } }
      : {}),
  });
  const discover = newPeerDiscovery({
    joinPeers: flags.joinAddresses,
    discoverPeers: flags.discoverPeers,
    defaultPort: listenPort,
    logger,
    dns: platform.dns,
    providers: options.providers ?? defaultProviders(platform),
  });
  return { nodeName, advertiseAddress: address, discover };
}
