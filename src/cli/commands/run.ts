// `alloy run [flags] PATH`: the flags exactly as Alloy's run command defines them (names, types,
// defaults, help text), so that `--help` documents them and a mistyped flag fails as it does in
// Alloy; run-agent.ts does the running.
import { CONFIG_FORMATS } from "../config-formats.ts";
import { STABILITY_LEVELS, parseStability } from "../../runtime/featuregate.ts";
import type { CommandSpec } from "../command.ts";
import { runAgent } from "../run-agent.ts";
import { runOptions, runtimeFlagLines } from "../run-flags.ts";
import type { FlagSet } from "../flags.ts";

const stabilityValue = (text: string) => (parseStability(text) ? undefined : `invalid stability level "${text}"`);

export const RUN_FLAGS: FlagSet = {
  "server.http.listen-addr": { type: "string", default: "127.0.0.1:12345", description: "Address to listen for HTTP traffic on" },
  "server.http.memory-addr": { type: "string", default: "alloy.internal:12345", description: "Address to listen for in-memory HTTP traffic on. Change if it collides with a real address" },
  "server.http.ui-path-prefix": { type: "string", default: "/", description: "Prefix to serve the HTTP UI at" },
  "server.http.enable-pprof": { type: "boolean", default: "true", description: "Enable /debug/pprof profiling endpoints." },
  "server.http.disable-support-bundle": { type: "boolean", description: "Disable /-/support support bundle retrieval." },
  "server.http.enable-graphql": { type: "boolean", description: "Enable the GraphQL API" },
  "server.http.enable-graphql-playground": { type: "boolean", description: "Enable the GraphQL playground UI (/graphql/playground)" },
  "cluster.enabled": { type: "boolean", description: "Start in clustered mode" },
  "cluster.node-name": { type: "string", description: "The name to use for this node" },
  "cluster.advertise-address": { type: "string", description: "Address to advertise to the cluster" },
  "cluster.join-addresses": { type: "string", description: "Comma-separated list of addresses to join the cluster at" },
  "cluster.discover-peers": { type: "string", description: "List of key-value tuples for discovering peers" },
  "cluster.advertise-interfaces": { type: "stringSlice", default: "eth0,en0", description: "List of interfaces used to infer an address to advertise" },
  "cluster.rejoin-interval": { type: "duration", default: "60s", description: "How often to rejoin the list of peers" },
  "cluster.max-join-peers": { type: "int", default: "5", description: "Number of peers to join from the discovered set" },
  "cluster.name": { type: "string", description: "The name of the cluster to join" },
  "cluster.enable-tls": { type: "boolean", description: "Specifies whether TLS should be used for communication between peers" },
  "cluster.tls-ca-path": { type: "string", description: "Path to the CA certificate file" },
  "cluster.tls-cert-path": { type: "string", description: "Path to the certificate file" },
  "cluster.tls-key-path": { type: "string", description: "Path to the key file" },
  "cluster.tls-server-name": { type: "string", description: "Server name to use for TLS communication" },
  "cluster.wait-for-size": { type: "int", description: "Wait for the cluster to reach the specified number of instances before allowing components that use clustering to begin processing. Zero means disabled" },
  "cluster.wait-timeout": { type: "duration", description: "Maximum duration to wait for minimum cluster size before proceeding with available nodes. Zero means wait forever, no timeout" },
  "config.format": { type: "string", default: "alloy", description: `The format of the source file. Supported formats: ${CONFIG_FORMATS.map((f) => `'${f}'`).join(", ")}.` },
  "config.bypass-conversion-errors": { type: "boolean", description: "Enable bypassing errors when converting" },
  "config.extra-args": { type: "string", description: "Extra arguments from the original format used by the converter. Multiple arguments can be passed by separating them with a space." },
  "disable-reporting": { type: "boolean", description: "Disable reporting of enabled components to Grafana." },
  "storage.path": { type: "string", default: "data-alloy/", description: "Base directory where components can store data" },
  "stability.level": { type: "string", default: "generally-available", validate: stabilityValue, description: `Minimum stability level of features to enable. Supported values: ${STABILITY_LEVELS.join(", ")}` },
  "feature.community-components.enabled": { type: "boolean", description: "Enable community components." },
  "feature.component-shutdown-deadline": { type: "duration", default: "10m", description: "Maximum duration to wait for a component to shut down before giving up and logging an error" },
  "feature.prometheus.direct-fanout.enabled": { type: "boolean", description: "Enable experimental direct fanout for metric forwarding without a global label store" },
  "cluster.use-discovery-v1": { type: "boolean", deprecated: "This flag is deprecated and has no effect.", description: "Deprecated: no effect" },
  "feature.prometheus.metric-validation-scheme": { type: "boolean", deprecated: "This flag is deprecated and has no effect.", description: "Deprecated: no effect" },
};

/** Alloy registers --windows.priority only on Windows; elsewhere it is an unknown flag. */
export function runFlagsFor(os: string): FlagSet {
  if (os !== "windows") return RUN_FLAGS;
  return {
    ...RUN_FLAGS,
    "windows.priority": { type: "string", default: "normal", description: "Process priority to use when running on windows. This flag is currently in public preview. Supported values: above_normal, below_normal, high, idle, normal, realtime" },
  };
}

export function runCommand(os: string): CommandSpec {
  const flags = runFlagsFor(os);
  return {
    name: "run",
    description: "Run Grafana Alloy with Default Engine",
    flags,
    positional: { name: "path", description: "Configuration file, or directory of *.alloy files" },
    async run(parsed, context) {
      const options = runOptions(parsed);
      await runAgent(context, options, runtimeFlagLines(flags, parsed.values));
    },
  };
}
