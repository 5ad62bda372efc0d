// discovery.dns: targets from DNS records (Prometheus's dns_sd): SRV records give host and port, A,
// AAAA, MX and NS records give hosts that get the configured port. Every name is looked up at start
// and every refresh_interval. A name that does not exist (or has no such records) has no targets; a
// look-up that fails (timeout, server error) is logged and the name keeps its last targets.
import type { Dns } from "../../platform/mod.ts";
import { Counter } from "../../runtime/metrics/registry.ts";
import { attr, Millisecond, Second, struct, t } from "../../syntax/schema/index.ts";
import type { Target } from "./relabel.ts";
import { defineDiscovery, refreshDiscoverer, RefreshMetrics, type TargetGroup } from "./discoverer.ts";

const RECORD_TYPES = ["SRV", "A", "AAAA", "MX", "NS"] as const;
type RecordType = (typeof RECORD_TYPES)[number];

const Arguments = struct(
  {
    names: attr(t.array(t.string())),
    refresh_interval: attr(t.duration(), { default: 30 * Second }),
    type: attr(t.string(), { default: "SRV" }),
    port: attr(t.int(), { optional: true }),
  },
  {
    validate: (a) => {
      const type = a.type.toUpperCase();
      if (!(RECORD_TYPES as readonly string[]).includes(type)) return `invalid DNS-SD records type ${a.type}`;
      if (type !== "SRV" && a.port === 0) return "a port is required in DNS-SD configs for all record types except SRV";
      // Go's ticker would panic on a zero interval.
      return a.refresh_interval <= 0 ? "refresh_interval must be greater than 0" : undefined;
    },
  },
);

/** One record as a target's host, port and the meta labels it fills. */
interface Found {
  host: string;
  port: number;
  meta?: Partial<Record<"srv_target" | "srv_port" | "mx_target" | "ns_target", string>>;
}

/**
 * The record's name as the DNS message has it, rooted (Prometheus labels the raw name; the platform
 * gives it without the final dot).
 */
const rooted = (name: string) => `${name}.`;

async function lookup(dns: Dns, type: RecordType, name: string, port: number): Promise<Found[]> {
  switch (type) {
    case "SRV":
      return (await dns.resolveSrv(name)).map((r) => ({
        host: r.target,
        port: r.port,
        meta: { srv_target: rooted(r.target), srv_port: String(r.port) },
      }));
    case "MX":
      return (await dns.resolveMx(name)).map((r) => ({ host: r.exchange, port, meta: { mx_target: rooted(r.exchange) } }));
    case "NS":
      return (await dns.resolveNs(name)).map((ns) => ({ host: ns, port, meta: { ns_target: rooted(ns) } }));
    case "A":
      return (await dns.resolveA(name)).map((ip) => ({ host: ip, port }));
    case "AAAA":
      return (await dns.resolveAAAA(name)).map((ip) => ({ host: ip, port }));
  }
}

/** Go's net.JoinHostPort. */
const joinHostPort = (host: string, port: number) => (host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`);

/** Not an error for discovery: the name has no records of the type (NXDOMAIN or none). */
const isNoRecords = (error: unknown) => ["ENOTFOUND", "ENODATA"].includes((error as { code?: string }).code ?? "");

export const discoveryDns = defineDiscovery({
  name: "discovery.dns",
  args: Arguments,
  setup(context) {
    const refreshMetrics = new RefreshMetrics(context.registerer).instantiate("dns");
    const lookups = new Counter({ name: "prometheus_sd_dns_lookups_total", help: "The number of DNS-SD lookups." });
    const failures = new Counter({ name: "prometheus_sd_dns_lookup_failures_total", help: "The number of DNS-SD lookup failures." });
    context.registerer.register(lookups);
    context.registerer.register(failures);
    const logger = context.logger;

    return {
      create(args) {
        const type = args.type.toUpperCase() as RecordType;
        const names = [...args.names];

        /** The group of one name; undefined when the look-up failed (its last group stays). */
        const refreshOne = async (name: string): Promise<TargetGroup | undefined> => {
          let found: Found[];
          try {
            found = await lookup(context.platform.dns, type, name, args.port);
          } catch (error) {
            if (!isNoRecords(error)) {
              lookups.inc();
              failures.inc();
              logger.error("Error refreshing DNS targets", { err: `could not resolve ${JSON.stringify(name)}: ${(error as Error).message}` });
              return undefined;
            }
            found = [];
          }
          lookups.inc();
          const targets: Target[] = found.map((f) => ({
            __address__: joinHostPort(f.host, f.port),
            __meta_dns_name: name,
            __meta_dns_srv_record_target: f.meta?.srv_target ?? "",
            __meta_dns_srv_record_port: f.meta?.srv_port ?? "",
            __meta_dns_mx_record_target: f.meta?.mx_target ?? "",
            __meta_dns_ns_record_target: f.meta?.ns_target ?? "",
          }));
          return { source: name, targets, labels: {} };
        };

        return refreshDiscoverer({
          logger,
          intervalMs: args.refresh_interval / Millisecond,
          metrics: refreshMetrics,
          // Names are looked up together; the groups come in the order of the names.
          refresh: async () => (await Promise.all(names.map(refreshOne))).filter((g): g is TargetGroup => g !== undefined),
        });
      },
    };
  },
});
