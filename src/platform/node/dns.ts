// DNS look-ups through node:dns, which Node, Deno and Bun all implement.
import { promises as dns } from "node:dns";
import type { Dns, NameServer } from "../types.ts";

type Resolver = Pick<typeof dns, "resolve4" | "resolve6" | "resolveSrv" | "resolveMx" | "resolveNs">;

function dnsOver(resolver: Resolver): Dns {
  return {
    resolveA: (name) => resolver.resolve4(name),
    resolveAAAA: (name) => resolver.resolve6(name),
    async resolveSrv(name) {
      const records = await resolver.resolveSrv(name);
      return records.map((r) => ({ target: r.name, port: r.port, priority: r.priority, weight: r.weight }));
    },
    async resolveMx(name) {
      const records = await resolver.resolveMx(name);
      return records.map((r) => ({ exchange: r.exchange, priority: r.priority }));
    },
    resolveNs: (name) => resolver.resolveNs(name),
  };
}

/** The system's resolver, or one that asks only the given server. */
export function nodeDns(server?: NameServer): Dns {
  if (!server) return dnsOver(dns);
  const resolver = new dns.Resolver();
  const host = server.address.includes(":") ? `[${server.address}]` : server.address;
  resolver.setServers([`${host}:${server.port}`]);
  return dnsOver(resolver);
}
