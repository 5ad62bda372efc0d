// node_exporter's ipvs collector: the IP Virtual Server totals of /proc/net/ip_vs_stats and, from
// /proc/net/ip_vs, each backend's connections and weight summed by the labels chosen in the ipvs
// block's backend_labels (all six by default).

import { type Collector, isNotFound, NoDataError, read } from "./common.ts";

export const IPVS_BACKEND_LABELS = ["local_address", "local_port", "remote_address", "remote_port", "proto", "local_mark"];

/** The backend labels in node_exporter's order; an unknown name is an error naming it. */
export function ipvsLabels(chosen: readonly string[]): string[] {
  if (chosen.length === 0) return IPVS_BACKEND_LABELS;
  const unknown = [...new Set(chosen.filter((l) => l !== "" && !IPVS_BACKEND_LABELS.includes(l)))].sort();
  if (unknown.length > 0) throw new Error(`unknown IPVS backend labels: ${JSON.stringify(unknown.join(", "))}`);
  return IPVS_BACKEND_LABELS.filter((l) => chosen.includes(l));
}

/** An address of /proc/net/ip_vs: 8 hex digits (IPv4) or a bracketed IPv6 address, then :port in hex. */
function parseAddress(text: string): { address: string; port: number } {
  let address: string;
  if (text.length === 13) {
    const hex = text.slice(0, 8);
    if (!/^[0-9a-fA-F]{8}$/.test(hex)) throw new Error(`unexpected IP:Port ${text}`);
    address = [0, 2, 4, 6].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(".");
  } else if (text.length === 46) {
    address = canonicalIPv6(text.slice(1, 40));
  } else {
    throw new Error(`unexpected IP:Port ${text}`);
  }
  const port = text.slice(-4);
  if (!/^[0-9a-fA-F]{4}$/.test(port)) throw new Error(`unexpected port string format ${port}`);
  return { address, port: parseInt(port, 16) };
}

/** A full IPv6 address (8 groups) in Go's shortest form: no leading zeros, the longest zero run as "::". */
function canonicalIPv6(full: string): string {
  const groups = full.split(":").map((g) => parseInt(g, 16));
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g) || g > 0xffff)) throw new Error(`invalid IPv6 addr ${full}`);
  // IPv4-mapped addresses print as IPv4.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`;
  let best = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i >= 2 && j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  return best < 0 ? hex.join(":") : `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLength).join(":")}`;
}

export const ipvs: Collector = async (platform, o, out, log) => {
  const labelNames = ipvsLabels(o.ipvsBackendLabels);
  let statsText: string;
  try {
    statsText = await read(platform, `${o.procfs}/net/ip_vs_stats`);
  } catch (e) {
    if (isNotFound(e)) {
      log.debug("ipvs collector metrics are not available for this system");
      throw new NoDataError();
    }
    throw new Error(`could not get IPVS stats: ${(e as Error).message}`);
  }
  const lines = statsText.split("\n");
  const fields = (lines[2] ?? "").trim().split(/\s+/);
  if (lines.length < 4 || fields.length !== 5 || fields.some((f) => !/^[0-9a-fA-F]+$/.test(f))) throw new Error("could not get IPVS stats: ip_vs_stats corrupt");
  const totals: [string, string][] = [
    ["connections_total", "The total number of connections made."],
    ["incoming_packets_total", "The total number of incoming packets."],
    ["outgoing_packets_total", "The total number of outgoing packets."],
    ["incoming_bytes_total", "The total amount of incoming data."],
    ["outgoing_bytes_total", "The total amount of outgoing data."],
  ];
  totals.forEach(([name, help], i) => out.add(`node_ipvs_${name}`, help, "counter", parseInt(fields[i]!, 16)));

  let backendsText: string;
  try {
    backendsText = await read(platform, `${o.procfs}/net/ip_vs`);
  } catch (e) {
    throw new Error(`could not get backend status: ${(e as Error).message}`);
  }
  const sums = new Map<string, { labels: Record<string, string>; active: number; inactive: number; weight: number }>();
  let service = { proto: "", mark: "", address: "", port: 0 };
  for (const line of backendsText.split("\n")) {
    const f = line.trim().split(/\s+/).filter(Boolean);
    if (f.length === 0 || f[0] === "IP" || f[0] === "Prot" || f[1] === "RemoteAddress:Port") continue;
    if ((f[0] === "TCP" || f[0] === "UDP") && f.length >= 2) {
      const { address, port } = parseAddress(f[1]!);
      service = { proto: f[0], mark: "", address, port };
    } else if (f[0] === "FWM" && f.length >= 2) {
      service = { proto: "FWM", mark: f[1]!, address: "", port: 0 };
    } else if (f[0] === "->" && f.length >= 6) {
      const remote = parseAddress(f[1]!);
      const values: Record<string, string> = {
        local_address: service.address,
        local_port: String(service.port),
        remote_address: remote.address,
        remote_port: String(remote.port),
        proto: service.proto,
        local_mark: service.mark,
      };
      const labels = Object.fromEntries(labelNames.map((l) => [l, values[l]!]));
      const key = labelNames.map((l) => values[l]).join("-");
      const sum = sums.get(key) ?? { labels, active: 0, inactive: 0, weight: 0 };
      sum.weight += Number(f[3]);
      sum.active += Number(f[4]);
      sum.inactive += Number(f[5]);
      sums.set(key, sum);
    }
  }
  for (const { labels, active, inactive, weight } of sums.values()) {
    out.add("node_ipvs_backend_connections_active", "The current active connections by local and remote address.", "gauge", active, labels);
    out.add("node_ipvs_backend_connections_inactive", "The current inactive connections by local and remote address.", "gauge", inactive, labels);
    out.add("node_ipvs_backend_weight", "The current backend weight by local and remote address.", "gauge", weight, labels);
  }
};
