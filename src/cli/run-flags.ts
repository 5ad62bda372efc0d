// What `alloy run`'s flags mean once parsed: typed options, Alloy's checks in Alloy's order, and
// the `name=value` lines the support bundle records.
import { formatDuration, Millisecond } from "../syntax/schema/duration.ts";
import type { Stability } from "../runtime/featuregate.ts";
import { quote } from "../syntax/quote.ts";
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
  clusterName: string;
  clusterEnabled: boolean;
  clusterNodeName: string;
  clusterAdvertiseAddress: string;
}

const EXPERIMENTAL_ONLY = ["feature.prometheus.direct-fanout.enabled", "server.http.enable-graphql", "server.http.enable-graphql-playground"];

export function runOptions(parsed: ParsedFlags): RunOptions {
  if (parsed.positionals.length !== 1) throw new CommandError(`accepts 1 arg(s), received ${parsed.positionals.length}`);
  const v = parsed.values;
  const path = parsed.positionals[0]!;
  const minStability = v["stability.level"] as Stability;
  // Alloy's checkExperimentalFlags runs first, then the path check.
  if (minStability !== "experimental") {
    for (const flag of EXPERIMENTAL_ONLY) {
      if (v[flag] === true) {
        throw new CommandError(`'--${flag}' can only be used at experimental stability level. Use --stability.level=experimental to enable.`);
      }
    }
  }
  if (path === "") throw new CommandError("path argument not provided");
  const join = v["cluster.join-addresses"] as string;
  const discover = v["cluster.discover-peers"] as string;
  if (join !== "" && discover !== "") {
    // Go's %q of a []string: each element quoted, space-separated, in brackets.
    const peers = `[${join.split(",").map((peer) => quote(peer)).join(" ")}]`;
    throw new CommandError(`at most one of join peers and discover peers may be set, got join peers ${peers} and discover peers ${quote(discover)}`);
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
    clusterName: v["cluster.name"] as string,
    clusterEnabled: v["cluster.enabled"] as boolean,
    clusterNodeName: v["cluster.node-name"] as string,
    clusterAdvertiseAddress: v["cluster.advertise-address"] as string,
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
