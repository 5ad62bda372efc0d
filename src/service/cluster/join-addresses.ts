// --cluster.join-addresses: each entry, host[:port], becomes the peer addresses to join, resolved
// afresh on every call so that a rejoin follows DNS changes (Alloy's discovery/join_peers.go).
//
// Each entry goes through the resolvers in order, and the first that finds anything wins:
//   1. a DNS-SD prefix: dns+ (A/AAAA), dnssrv+ and dnssrvnoa+ (SRV targets, not resolved further);
//      without a prefix this resolver passes;
//   2. an IP literal;
//   3. A/AAAA records of the name;
//   4. SRV records of the name.
// The entry's port (or the default port, the HTTP listen port) is used: SRV record ports are not.
import type { Dns } from "../../platform/types.ts";
import { quote } from "../../syntax/quote.ts";
import { lookupIP, lookupSRV } from "./dns-lookup.ts";
import type { Logger } from "./memberlist/config.ts";
import { canonicalIP, joinHostPort, splitHostPort } from "./net-address.ts";

/** Finds the addresses of peers to join; rejects when none can be found. */
export type DiscoverFn = () => Promise<string[]>;

export interface JoinAddressOptions {
  /** The entries of --cluster.join-addresses, as splitJoinAddresses gives them. */
  joinPeers: readonly string[];
  /** The port of an entry without one: the HTTP listen port. */
  defaultPort: number;
  /** The resolver: the system's, or one that asks a given server. */
  dns: Dns;
  logger: Logger;
  /** Orders SRV records of equal priority (RFC 2782); Math.random unless a test fixes it. */
  random?: () => number;
}

/** cmd_run.go splitPeers: the flag split on commas, nothing trimmed; "" gives no entries. */
export function splitJoinAddresses(flag: string): string[] {
  return flag === "" ? [] : flag.split(",");
}

/** A resolver finds hosts for a name, or returns none to let the next resolver try. */
type Resolver = (host: string) => Promise<string[]>;

const DNS_SD_PREFIXES = ["dns+", "dnssrv+", "dnssrvnoa+"] as const;

export function joinAddressDiscovery(options: JoinAddressOptions): DiscoverFn {
  const { dns, logger } = options;
  const random = options.random ?? Math.random;

  // A DNS look-up whose failure becomes one of the joined errors: failed to resolve "A/AAAA" records: …
  const dnsResolver =
    (recordType: string, lookup: (name: string) => Promise<string[]>): Resolver =>
    async (name) => {
      try {
        const found = await lookup(name);
        logger.debug("received DNS query response", { addr: name, record_type: recordType, records_count: found.length });
        return found;
      } catch (error) {
        logger.debug("failed to resolve DNS records", { addr: name, record_type: recordType, err: error });
        throw new Error(`failed to resolve ${quote(recordType)} records: ${(error as Error).message}`);
      }
    };
  const srvTargets = async (name: string) => (await lookupSRV(dns, name, random)).map((r) => r.target);
  const aRecords = dnsResolver("A/AAAA", (name) => lookupIP(dns, name));
  const srvRecords = dnsResolver("SRV", srvTargets);
  // Alloy keeps dnssrv+ and dnssrvnoa+ apart in name only: neither resolves the SRV targets further.
  const prefixed: Record<(typeof DNS_SD_PREFIXES)[number], Resolver> = {
    "dns+": aRecords,
    "dnssrv+": srvRecords,
    "dnssrvnoa+": dnsResolver("SRVNOA", srvTargets),
  };

  const resolvers: Resolver[] = [
    async (host) => {
      const prefix = DNS_SD_PREFIXES.find((p) => host.startsWith(p));
      return prefix ? prefixed[prefix](host.slice(prefix.length)) : [];
    },
    async (host) => {
      const ip = canonicalIP(host);
      if (ip === undefined) throw new Error(`could not parse as an IP or IP:port address: ${quote(host)}`);
      logger.debug("found an IP cluster join address", { addr: host });
      return [ip];
    },
    aRecords,
    srvRecords,
  ];

  return async () => {
    const found: string[] = [];
    // Every resolver's error is kept, also for entries that another resolver then found.
    const errors: string[] = [];
    for (const entry of options.joinPeers) {
      let host = entry;
      let port = String(options.defaultPort);
      try {
        ({ host, port } = splitHostPort(entry));
      } catch {
        // No port in the entry: the whole entry is the host.
      }
      let resolved = false;
      for (const resolver of resolvers) {
        let hosts: string[] = [];
        try {
          hosts = await resolver(host);
        } catch (error) {
          errors.push((error as Error).message);
        }
        for (const h of hosts) found.push(joinHostPort(h, port));
        if (hosts.length > 0) {
          resolved = true;
          break;
        }
      }
      if (!resolved) logger.warn("failed to resolve provided join address", { addr: entry });
    }
    if (found.length === 0) {
      // Go's errors.Join of no errors is nil, which %w prints as below.
      const joined = errors.length > 0 ? errors.join("\n") : "%!w(<nil>)";
      throw new Error(`static peer discovery: failed to find any valid join addresses: ${joined}`);
    }
    return [...new Set(found)];
  };
}
