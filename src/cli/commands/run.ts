// `alloy run [flags] PATH`: the flags exactly as Alloy's run command defines them (names, types,
// defaults), so that `--help` documents them and a mistyped flag fails as it does in Alloy.
import { defineCommand, type ArgsDef } from "citty";
import { CommandError, notImplementedYet, type CliContext } from "../context.ts";

export const STABILITY_LEVELS = ["experimental", "public-preview", "generally-available"] as const;
export const CONFIG_FORMATS = ["alloy", "otelcol", "prometheus", "promtail", "static"] as const;

export const runArgs = {
  path: { type: "positional", required: false, description: "Configuration file, or directory of *.alloy files" },
  "server.http.listen-addr": { type: "string", default: "127.0.0.1:12345", description: "Address to listen for HTTP traffic on" },
  "server.http.memory-addr": { type: "string", default: "alloy.internal:12345", description: "Address to listen for in-memory HTTP traffic on" },
  "server.http.ui-path-prefix": { type: "string", default: "/", description: "Prefix to serve the HTTP UI at" },
  "server.http.enable-pprof": { type: "boolean", default: true, description: "Enable /debug/pprof profiling endpoints" },
  "server.http.disable-support-bundle": { type: "boolean", default: false, description: "Disable /-/support support bundle retrieval" },
  "cluster.enabled": { type: "boolean", default: false, description: "Start in clustered mode" },
  "cluster.node-name": { type: "string", default: "", description: "The name of the node (defaults to the hostname)" },
  "cluster.advertise-address": { type: "string", default: "", description: "Address to advertise to the cluster" },
  "cluster.join-addresses": { type: "string", default: "", description: "Comma-separated list of addresses to join the cluster at" },
  "cluster.discover-peers": { type: "string", default: "", description: "List of key-value tuples for discovering peers" },
  "cluster.advertise-interfaces": { type: "string", default: "eth0,en0", description: "List of interfaces used to infer an address to advertise" },
  "cluster.rejoin-interval": { type: "string", default: "60s", description: "How often to rejoin the list of peers (0s disables)" },
  "cluster.max-join-peers": { type: "string", default: "5", description: "Number of peers to join from the discovered set (0 means all)" },
  "cluster.name": { type: "string", default: "", description: "The name of the cluster to join" },
  "cluster.enable-tls": { type: "boolean", default: false, description: "Specifies whether TLS should be used for communication between peers" },
  "cluster.tls-ca-path": { type: "string", default: "", description: "Path to the CA certificate file" },
  "cluster.tls-cert-path": { type: "string", default: "", description: "Path to the certificate file" },
  "cluster.tls-key-path": { type: "string", default: "", description: "Path to the key file" },
  "cluster.tls-server-name": { type: "string", default: "", description: "Server name to use for TLS communication" },
  "cluster.wait-for-size": { type: "string", default: "0", description: "Wait for the cluster to reach this many peers before admitting traffic" },
  "cluster.wait-timeout": { type: "string", default: "0s", description: "How long to wait for the cluster size (0 waits forever)" },
  "config.format": { type: "string", default: "alloy", description: `The format of the source file: ${CONFIG_FORMATS.join(", ")}` },
  "config.bypass-conversion-errors": { type: "boolean", default: false, description: "Enable bypassing errors when converting" },
  "config.extra-args": { type: "string", default: "", description: "Extra arguments from the original format used by the converter" },
  "disable-reporting": { type: "boolean", default: false, description: "Disable reporting of enabled components to Grafana" },
  "storage.path": { type: "string", default: "data-alloy/", description: "Base directory where components can store data" },
  "stability.level": { type: "string", default: "generally-available", description: `Minimum stability level of features to enable: ${STABILITY_LEVELS.join(", ")}` },
  "feature.community-components.enabled": { type: "boolean", default: false, description: "Enable community components" },
  "feature.component-shutdown-deadline": { type: "string", default: "10m", description: "Maximum time a component may take to shut down (0 means no limit)" },
  "server.http.enable-graphql": { type: "boolean", default: false, description: "Enable the GraphQL API (experimental)" },
  "server.http.enable-graphql-playground": { type: "boolean", default: false, description: "Enable the GraphQL playground (experimental)" },
  "feature.prometheus.direct-fanout.enabled": { type: "boolean", default: false, description: "Send Prometheus samples straight to their receivers (experimental)" },
  "cluster.use-discovery-v1": { type: "boolean", default: false, description: "Deprecated: this flag has no effect" },
  "feature.prometheus.metric-validation-scheme": { type: "boolean", default: false, description: "Deprecated: this flag has no effect" },
} satisfies ArgsDef;

/** Alloy registers --windows.priority only on Windows; elsewhere it is an unknown flag. */
export function runArgsFor(os: string): ArgsDef {
  if (os !== "windows") return runArgs;
  return { ...runArgs, "windows.priority": { type: "string", default: "normal", description: "Process priority to use when running Alloy" } };
}

export function runCommand(context: CliContext) {
  return defineCommand({
    meta: { name: "run", description: "Run Grafana Alloy" },
    args: runArgsFor(context.platform.runtime.os) as typeof runArgs,
    run({ args }) {
      if (!args.path) throw new CommandError("path argument not provided");
      const level = args["stability.level"];
      if (!(STABILITY_LEVELS as readonly string[]).includes(level)) {
        throw new CommandError(`invalid argument "${level}" for "--stability.level" flag: invalid stability level "${level}"`);
      }
      notImplementedYet("run");
    },
  });
}
