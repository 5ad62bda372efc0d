// Which peers a node joins: Alloy's NewPeerDiscoveryFn (discovery/peer_discovery.go) picks the
// source — --cluster.join-addresses, --cluster.discover-peers, or none for a seed node — and the
// cluster service's getRandomPeers (cluster.go) caps what it found at --cluster.max-join-peers.
import type { Dns, Platform } from "../../platform/types.ts";
import { quote } from "../../syntax/quote.ts";
import { type K8sProviderOptions, k8sProvider } from "./discover-k8s.ts";
import { type DiscoverProvider, goDiscoverDiscovery } from "./go-discover.ts";
import { type DiscoverFn, joinAddressDiscovery } from "./join-addresses.ts";
import type { Logger } from "./memberlist/config.ts";
import { shuffle } from "./memberlist/util.ts";

export type { DiscoverFn } from "./join-addresses.ts";

export interface PeerDiscoveryOptions {
  /** The entries of --cluster.join-addresses (splitJoinAddresses). */
  joinPeers: readonly string[];
  /** --cluster.discover-peers. */
  discoverPeers: string;
  /** The port of a peer address without one: the HTTP listen port. */
  defaultPort: number;
  logger: Logger;
  /** Resolves join addresses. */
  dns: Dns;
  /** The --cluster.discover-peers providers alloy-ts implements, by name (defaultProviders). */
  providers: ReadonlyMap<string, DiscoverProvider>;
  /** Orders SRV records of equal priority; Math.random unless a test fixes it. */
  random?: () => number;
}

/**
 * go-discover's k8s provider on the given platform: the API server is called through the platform's
 * HTTP client (custom CA and client certificates, HTTPS_PROXY/NO_PROXY or a kubeconfig proxy-url,
 * as client-go's transport). Tests may redirect the environment and the service account folder.
 */
export function k8sProviderOn(platform: Platform, overrides: Partial<K8sProviderOptions> = {}): DiscoverProvider {
  return k8sProvider({
    fs: platform.fs,
    getEnv: (name) => platform.getEnv(name),
    connect: ({ tls, proxyUrl }) => platform.createFetchClient({ tls, proxy: proxyUrl ? { url: proxyUrl } : { fromEnvironment: true } }),
    ...overrides,
  });
}

/** The go-discover providers alloy-ts implements, on the given platform. */
export function defaultProviders(platform: Platform): Map<string, DiscoverProvider> {
  return new Map([["k8s", k8sProviderOn(platform)]]);
}

/**
 * The discover function for the flags, or undefined when neither is set (a seed node that others
 * join). Both set is the error Alloy gives.
 */
export function newPeerDiscovery(options: PeerDiscoveryOptions): DiscoverFn | undefined {
  const { joinPeers, discoverPeers, logger } = options;
  if (joinPeers.length > 0 && discoverPeers !== "") {
    // Go's %q of a []string: each element quoted, space-separated, in brackets.
    const peers = `[${joinPeers.map((peer) => quote(peer)).join(" ")}]`;
    throw new Error(`at most one of join peers and discover peers may be set, got join peers ${peers} and discover peers ${quote(discoverPeers)}`);
  }
  if (joinPeers.length > 0) {
    logger.info("using provided peers for discovery", { join_peers: joinPeers.join(", ") });
    return joinAddressDiscovery({ ...options, joinPeers });
  }
  if (discoverPeers !== "") {
    // The string itself is not logged: it may hold credentials.
    logger.info("using go-discovery to discover peers");
    return goDiscoverDiscovery({ config: discoverPeers, defaultPort: options.defaultPort, providers: options.providers, logger });
  }
  logger.info("no peer discovery configured: both join and discover peers are empty");
  return undefined;
}

export interface RandomPeersOptions {
  /** --cluster.enabled: a node that does not cluster joins nobody. */
  enableClustering: boolean;
  discover: DiscoverFn | undefined;
  /** --cluster.max-join-peers; 0 joins every peer found. */
  maxJoinPeers: number;
  logger: Logger;
  random?: () => number;
}

/**
 * cluster.go getRandomPeers: the peers to join now, discovered afresh. With at least max-join-peers
 * found, a random max-join-peers of them, so that nodes spread their joins over the cluster.
 */
export async function getRandomPeers(options: RandomPeersOptions): Promise<string[]> {
  if (!options.enableClustering || !options.discover) return [];
  const peers = await options.discover();
  options.logger.debug("discovered peers", { peers_count: peers.length, peers: peers.join(",") });
  const max = options.maxJoinPeers;
  if (max === 0 || peers.length < max) return peers;
  const shuffled = [...peers];
  shuffle(shuffled, options.random ?? Math.random);
  return shuffled.slice(0, max);
}
