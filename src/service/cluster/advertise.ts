// The address a node tells its peers to reach it at (Alloy's cluster_builder.go getAdvertiseAddress,
// and ckit's advertise.FirstAddress for picking one from the network interfaces).
//
// An explicit --cluster.advertise-address wins (the listen port added when it has none). Otherwise
// a clustered node looks through --cluster.advertise-interfaces (eth0,en0 by default, "all" for
// every interface) and falls back to 127.0.0.1 with a warning when none has a usable address; a
// node that does not cluster is 127.0.0.1. The port is always the HTTP listen port: gossip
// travels over the HTTP server.
import type { NetworkInterface } from "../../platform/types.ts";
import type { Logger } from "./memberlist/config.ts";
import { parseIP } from "./memberlist/util.ts";
import { appendDefaultPort, canonicalIP, joinHostPort } from "./net-address.ts";

/** ckit's DefaultInterfaces: the usual names of the first network interface on Linux and macOS. */
export const DEFAULT_ADVERTISE_INTERFACES: readonly string[] = ["eth0", "en0"];

interface Candidate {
  ip: string;
  v4: boolean;
  linkLocal: boolean;
}

/** An interface address as netip.Addr sees it, or undefined for loopback and unparsable ones. */
function candidate(address: string): Candidate | undefined {
  const ip = canonicalIP(address.replace(/%.*$/, ""));
  if (ip === undefined) return undefined;
  const bytes = parseIP(ip)!;
  if (bytes.length === 4) {
    if (bytes[0] === 127) return undefined;
    return { ip, v4: true, linkLocal: bytes[0] === 169 && bytes[1] === 254 };
  }
  if (bytes.every((b, i) => b === (i === 15 ? 1 : 0))) return undefined;
  return { ip, v4: false, linkLocal: bytes[0] === 0xfe && (bytes[1]! & 0xc0) === 0x80 };
}

/**
 * ckit's filterBestIP: IPv4 over IPv6 unless only the IPv4 address is link-local; within a family
 * the first address, replaced only by a later one that is not link-local when it is.
 */
function bestOf(addresses: readonly (Candidate | undefined)[]): Candidate | undefined {
  let v4: Candidate | undefined;
  let v6: Candidate | undefined;
  for (const addr of addresses) {
    if (!addr) continue;
    const current = addr.v4 ? v4 : v6;
    if (current && !(current.linkLocal && !addr.linkLocal)) continue;
    if (addr.v4) v4 = addr;
    else v6 = addr;
  }
  if (v4 && v6) return v4.linkLocal && !v6.linkLocal ? v6 : v4;
  return v4 ?? v6;
}

/**
 * ckit's advertise.FirstAddress: the best address on the named interfaces (every interface when
 * none are named), never a loopback one. Preference: IPv4, IPv6, link-local IPv4, link-local IPv6;
 * the first interface with a routable IPv4 address ends the search.
 */
export function firstAddress(names: readonly string[] | undefined, interfaces: readonly NetworkInterface[]): string {
  const wanted = names && names.length > 0 ? names : interfaces.map((i) => i.name);
  const errors: string[] = [];
  let best: Candidate | undefined;
  for (const name of wanted) {
    const iface = interfaces.find((i) => i.name === name);
    if (!iface) {
      // Go's net.InterfaceByName error.
      errors.push(`interface ${JSON.stringify(name)}: route ip+net: no such network interface`);
      continue;
    }
    const found = bestOf(iface.addresses.map((a) => candidate(a.address)));
    if (!found) continue;
    if (found.v4 && !found.linkLocal) return found.ip;
    best = bestOf([found, best]);
  }
  if (best) return best.ip;
  // Go's %v of a []string, then hashicorp/go-multierror's list format.
  let message = `no useable address found for interfaces [${wanted.join(" ")}]`;
  if (errors.length === 1) message += `: 1 error occurred:\n\t* ${errors[0]}\n\n`;
  else if (errors.length > 1) message += `: ${errors.length} errors occurred:\n\t${errors.map((e) => `* ${e}`).join("\n\t")}\n\n`;
  throw new Error(message);
}

export interface AdvertiseOptions {
  /** --cluster.advertise-address; "" to infer one. */
  advertiseAddress: string;
  /** The port of --server.http.listen-addr (findPort, 80 when it has none). */
  listenPort: number;
  /** Present when --cluster.enabled: how to infer the address from the network interfaces. */
  clustering?: {
    /** --cluster.advertise-interfaces; the single value "all" means every interface. */
    interfaces: readonly string[];
    /** The machine's interfaces (Platform.networkInterfaces). */
    networkInterfaces: () => NetworkInterface[];
    logger: Logger;
  };
}

/** cluster_builder.go getAdvertiseAddress. */
export function advertiseAddress(options: AdvertiseOptions): string {
  if (options.advertiseAddress !== "") return appendDefaultPort(options.advertiseAddress, options.listenPort);
  const clustering = options.clustering;
  if (!clustering) return joinHostPort("127.0.0.1", options.listenPort);
  const all = clustering.interfaces.length === 1 && clustering.interfaces[0] === "all";
  try {
    // firstAddress only ever returns IPv4 or IPv6 text, so Alloy's "type unknown for address" cannot arise.
    return joinHostPort(firstAddress(all ? undefined : clustering.interfaces, clustering.networkInterfaces()), options.listenPort);
  } catch (error) {
    clustering.logger.warn("could not find advertise address using network interfaces falling back to localhost", {
      interfaces: `[${clustering.interfaces.join(" ")}]`,
      err: error,
    });
    return joinHostPort("127.0.0.1", options.listenPort);
  }
}
