// --cluster.discover-peers: hashicorp/go-discover's Addrs as Alloy calls it (discovery/go_discovery.go).
// The string is parsed on every call, the provider named by its `provider` key lists the
// addresses, and an address without a port gets the default port (the HTTP listen port). Alloy
// registers go-discover's default providers plus k8s; alloy-ts implements k8s, and names the
// others as unsupported rather than unknown.
import { quote } from "../../syntax/quote.ts";
import { parseDiscoverConfig } from "./go-discover-config.ts";
import type { DiscoverFn } from "./join-addresses.ts";
import type { Logger } from "./memberlist/config.ts";
import { appendDefaultPort } from "./net-address.ts";

export interface DiscoverProvider {
  /** The peers' addresses, "ip" or "ip:port", for the parsed key/value pairs (provider included). */
  addrs(args: ReadonlyMap<string, string>, logger: Logger): Promise<string[]>;
}

/** go-discover v1.3.0's default providers, plus k8s which Alloy adds. */
const GO_DISCOVER_PROVIDERS = [
  "aliyun",
  "aws",
  "azure",
  "digitalocean",
  "gce",
  "k8s",
  "linode",
  "mdns",
  "os",
  "packet",
  "scaleway",
  "softlayer",
  "srv",
  "tencentcloud",
  "triton",
  "vsphere",
];

export interface GoDiscoverOptions {
  /** The --cluster.discover-peers string. */
  config: string;
  defaultPort: number;
  /** The implemented providers by name. */
  providers: ReadonlyMap<string, DiscoverProvider>;
  logger: Logger;
}

/** go-discover's Discover.Addrs: parse, pick the provider, ask it. Errors start with "discover: ". */
export async function discoverAddrs(
  config: string,
  providers: ReadonlyMap<string, DiscoverProvider>,
  logger: Logger,
): Promise<string[]> {
  let args: Map<string, string> | undefined;
  try {
    args = parseDiscoverConfig(config);
  } catch (error) {
    throw new Error(`discover: ${(error as Error).message}`);
  }
  const name = args?.get("provider") ?? "";
  if (name === "") throw new Error("discover: no provider");
  const provider = providers.get(name);
  if (!provider) {
    const supported = [...providers.keys()].sort().join(", ");
    if (GO_DISCOVER_PROVIDERS.includes(name)) {
      throw new Error(`discover: provider ${name} is not supported by alloy-ts (supported providers: ${supported})`);
    }
    throw new Error(`discover: unknown provider ${name} (supported providers: ${supported})`);
  }
  logger.debug(`[DEBUG] discover: Using provider ${quote(name)}`);
  return provider.addrs(args!, logger);
}

/** The discover function Alloy builds from --cluster.discover-peers. */
export function goDiscoverDiscovery(options: GoDiscoverOptions): DiscoverFn {
  return async () => {
    let addrs: string[];
    try {
      addrs = await discoverAddrs(options.config, options.providers, options.logger);
    } catch (error) {
      throw new Error(`discovering peers: ${(error as Error).message}`);
    }
    return addrs.map((addr) => appendDefaultPort(addr, options.defaultPort));
  };
}
