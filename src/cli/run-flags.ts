// What `alloy run`'s flags mean once parsed: typed options, Alloy's checks in Alloy's order, and
// the `name=value` lines the support bundle records. The --cluster.* flags are checked by the
// cluster service as it is built (after "Alloy is starting", as in Alloy).
import { formatDuration, Millisecond } from "../syntax/schema/duration.ts";
import type { Stability } from "../runtime/featuregate.ts";
import type { ClusterFlags } from "../service/cluster/builder.ts";
import { splitJoinAddresses } from "../service/cluster/join-addresses.ts";
import { CommandError } from "./context.ts";
import type { FlagSet, FlagValue, ParsedFlags } from "./flags.ts";

export interface RunOptions {
  path: string;
  listenAddr: string;
  memoryAddr: string;
  uiPathPrefix: string;
  enablePprof: boolean;
  disableSupportBundle: boolean;
  storagePath: string;
  minStability: Stability;
  enableCommunityComponents: boolean;
  /** 0 waits without limit. */
  shutdownDeadlineMs: number;
  configFormat: string;
  disableReporting: boolean;
  cluster: ClusterFlags;
}

const EXPERIMENTAL_ONLY = ["feature.prometheus.direct-fanout.enabled", "server.http.enable-graphql", "server.http.enable-graphql-playground"];

export function runOptions(parsed: ParsedFlags): RunOptions {
  if (parsed.positionals.length !== 1) throw new CommandError(`accepts 1 arg(s), received ${parsed.positionals.length}`);
  const v = parsed.values;
  const path = parsed.positionals[0]!;
  const minStability = v["stability.level"] as Stability;
  // Alloy's runCommand checks the path before run() checks the experimental flags.
  if (path === "") throw new CommandError("path argument not provided");
  if (minStability !== "experimental") {
    for (const flag of EXPERIMENTAL_ONLY) {
      if (v[flag] === true) {
        throw new CommandError(`'--${flag}' can only be used at experimental stability level. Use --stability.level=experimental to enable.`);
      }
    }
  }
  return {
    path,
    listenAddr: v["server.http.listen-addr"] as string,
    memoryAddr: v["server.http.memory-addr"] as string,
    uiPathPrefix: v["server.http.ui-path-prefix"] as string,
    enablePprof: v["server.http.enable-pprof"] as boolean,
    disableSupportBundle: v["server.http.disable-support-bundle"] as boolean,
    storagePath: v["storage.path"] as string,
    minStability,
    enableCommunityComponents: v["feature.community-components.enabled"] as boolean,
    shutdownDeadlineMs: Math.round((v["feature.component-shutdown-deadline"] as number) / Millisecond),
    configFormat: v["config.format"] as string,
    disableReporting: v["disable-reporting"] as boolean,
    cluster: clusterFlags(v),
  };
}

function clusterFlags(v: Record<string, FlagValue>): ClusterFlags {
  return {
    enabled: v["cluster.enabled"] as boolean,
    nodeName: v["cluster.node-name"] as string,
    advertiseAddress: v["cluster.advertise-address"] as string,
    advertiseInterfaces: v["cluster.advertise-interfaces"] as string[],
    joinAddresses: splitJoinAddresses(v["cluster.join-addresses"] as string),
    discoverPeers: v["cluster.discover-peers"] as string,
    rejoinIntervalMs: (v["cluster.rejoin-interval"] as number) / Millisecond,
    maxJoinPeers: v["cluster.max-join-peers"] as number,
    name: v["cluster.name"] as string,
    enableTls: v["cluster.enable-tls"] as boolean,
    tlsCaPath: v["cluster.tls-ca-path"] as string,
    tlsCertPath: v["cluster.tls-cert-path"] as string,
    tlsKeyPath: v["cluster.tls-key-path"] as string,
    tlsServerName: v["cluster.tls-server-name"] as string,
    waitForSize: v["cluster.wait-for-size"] as number,
    waitTimeout: v["cluster.wait-timeout"] as number,
  };
}

/** Every flag as `name=value`, sorted, values printed as pflag prints them (durations as 1m0s). */
export function runtimeFlagLines(flags: FlagSet, values: Record<string, FlagValue>): string[] {
  return Object.keys(flags)
    .sort()
    .map((name) => {
      const value = values[name];
      const text =
        flags[name]!.type === "duration"
          ? formatDuration(value as number)
          : Array.isArray(value)
            ? `[${value.join(",")}]`
            : String(value);
      return `${name}=${text}`;
    });
}
