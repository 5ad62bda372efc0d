// node_exporter's collectors of network stack state under /proc/net: sockstat (sockstat, sockstat6),
// conntrack (sys/net/netfilter and stat/nf_conntrack), softnet (softnet_stat), udp_queues (udp, udp6)
// and arp (arp, as Alloy runs it: from /proc rather than netlink). Names, help texts and the "no data"
// cases are node_exporter 1.10's.

import type { Platform } from "../../../../platform/mod.ts";
import { type Collector, isNotFound, NoDataError, read } from "./common.ts";

/** The file's text, or undefined when it does not exist (other errors propagate). */
async function readIfExists(platform: Platform, path: string): Promise<string | undefined> {
  try {
    return await read(platform, path);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

let pageSize: Promise<number> | undefined;

/** The kernel's page size, as Go's os.Getpagesize() (sockstat's mem counts pages). */
function kernelPageSize(platform: Platform): Promise<number> {
  pageSize ??= platform.fs
    .readTextFile("/proc/self/smaps")
    .then((text) => {
      const m = /^KernelPageSize:\s+(\d+) kB$/m.exec(text);
      return m ? Number(m[1]) * 1024 : 4096;
    })
    .catch(() => 4096);
  return pageSize;
}

interface Sockstat {
  used?: number;
  protocols: { protocol: string; values: Map<string, number> }[];
}

function parseSockstat(text: string, path: string): Sockstat {
  const stat: Sockstat = { protocols: [] };
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const fields = line.split(" ");
    if (fields.length < 3 || fields.length % 2 === 0) throw new Error(`sockstats from "${path}": malformed sockstat line: ${JSON.stringify(line)}`);
    const values = new Map<string, number>();
    for (let i = 1; i < fields.length; i += 2) {
      const v = Number(fields[i + 1]);
      if (!/^-?\d+$/.test(fields[i + 1]!)) throw new Error(`sockstats from "${path}": invalid value ${JSON.stringify(fields[i + 1])}`);
      values.set(fields[i]!, v);
    }
    const protocol = fields[0]!.replace(/:$/, "");
    if (protocol === "sockets") stat.used = values.get("used") ?? 0;
    else stat.protocols.push({ protocol, values });
  }
  return stat;
}

const SOCKSTAT_STATES = ["inuse", "orphan", "tw", "alloc", "mem", "memory"];

export const sockstat: Collector = async (platform, o, out, log) => {
  const page = await kernelPageSize(platform);
  for (const [file, ipv6] of [["sockstat", false], ["sockstat6", true]] as const) {
    const path = `${o.procfs}/net/${file}`;
    const text = await readIfExists(platform, path);
    if (text === undefined) {
      log.debug(`IPv${ipv6 ? 6 : 4} sockstat statistics not found, skipping`);
      continue;
    }
    let stat: Sockstat;
    try {
      stat = parseSockstat(text, path);
    } catch (e) {
      throw new Error(`failed to get IPv${ipv6 ? 6 : 4} sockstat data: ${(e as Error).message}`);
    }
    if (!ipv6 && stat.used !== undefined) out.add("node_sockstat_sockets_used", "Number of IPv4 sockets in use.", "gauge", stat.used);
    for (const { protocol, values } of stat.protocols) {
      const add = (state: string, v: number) => out.add(`node_sockstat_${protocol}_${state}`, `Number of ${protocol} sockets in state ${state}.`, "gauge", v);
      // inuse is always reported (0 when the line lacks it); the others only when present.
      for (const state of SOCKSTAT_STATES) {
        const v = values.get(state);
        if (state === "inuse" || v !== undefined) add(state, v ?? 0);
      }
      const mem = values.get("mem");
      if (mem !== undefined) add("mem_bytes", mem * page);
    }
  }
};

const CONNTRACK_STATS: [column: number, name: string, help: string][] = [
  [2, "found", "Number of searched entries which were successful."],
  [4, "invalid", "Number of packets seen which can not be tracked."],
  [5, "ignore", "Number of packets seen which are already connected to a conntrack entry."],
  [8, "insert", "Number of entries inserted into the list."],
  [9, "insert_failed", "Number of entries for which list insertion was attempted but failed."],
  [10, "drop", "Number of packets dropped due to conntrack failure."],
  [11, "early_drop", "Number of dropped conntrack entries to make room for new ones, if maximum table size was reached."],
  [16, "search_restart", "Number of conntrack table lookups which had to be restarted due to hashtable resizes."],
];

export const conntrack: Collector = async (platform, o, out, log) => {
  const noModule = (): never => {
    log.debug("conntrack probably not loaded");
    throw new NoDataError();
  };
  const count = async (name: string) => {
    const text = await readIfExists(platform, `${o.procfs}/sys/net/netfilter/${name}`);
    if (text === undefined) noModule();
    if (!/^\d+$/.test(text!.trim())) throw new Error(`failed to retrieve conntrack stats: invalid number in ${name}`);
    return Number(text!.trim());
  };
  out.add("node_nf_conntrack_entries", "Number of currently allocated flow entries for connection tracking.", "gauge", await count("nf_conntrack_count"));
  out.add("node_nf_conntrack_entries_limit", "Maximum size of connection tracking table.", "gauge", await count("nf_conntrack_max"));
  const text = await readIfExists(platform, `${o.procfs}/net/stat/nf_conntrack`);
  if (text === undefined) noModule();
  // One line per CPU after the header, hexadecimal columns in the kernel's fixed order.
  const totals = new Map<number, number>();
  for (const line of text!.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/).filter(Boolean);
    if (fields.length === 0) continue;
    if (fields.length < 16 || fields.length > 17 || fields.some((f) => !/^[0-9a-fA-F]+$/.test(f))) {
      throw new Error(`failed to retrieve conntrack stats: invalid conntrackstat entry ${JSON.stringify(line)}`);
    }
    for (const [column] of CONNTRACK_STATS) totals.set(column, (totals.get(column) ?? 0) + (column < fields.length ? parseInt(fields[column]!, 16) : 0));
  }
  for (const [column, name, help] of CONNTRACK_STATS) out.add(`node_nf_conntrack_stat_${name}`, help, "gauge", totals.get(column) ?? 0);
};

const SOFTNET: [name: string, help: string, type: "counter" | "gauge"][] = [
  ["processed_total", "Number of processed packets", "counter"],
  ["dropped_total", "Number of dropped packets", "counter"],
  ["times_squeezed_total", "Number of times processing packets ran out of quota", "counter"],
  ["cpu_collision_total", "Number of collision occur while obtaining device lock while transmitting", "counter"],
  ["received_rps_total", "Number of times cpu woken up received_rps", "counter"],
  ["flow_limit_count_total", "Number of times flow limit has been reached", "counter"],
  ["backlog_len", "Softnet backlog status", "gauge"],
];

export const softnet: Collector = async (platform, o, out) => {
  let text: string;
  try {
    text = await read(platform, `${o.procfs}/net/softnet_stat`);
  } catch (e) {
    throw new Error(`could not get softnet statistics: ${(e as Error).message}`);
  }
  let index = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const c = line.trim().split(/\s+/);
    if (c.length < 9) throw new Error(`could not get softnet statistics: detected ${c.length} columns, but expected at least 9`);
    const hex = (i: number) => (i < c.length ? parseInt(c[i]!, 16) : 0);
    if (c.some((f) => !/^[0-9a-fA-F]{1,8}$/.test(f))) throw new Error(`could not get softnet statistics: invalid line ${JSON.stringify(line)}`);
    // Kernels since 5.10 give the CPU's index in column 13; older ones list the CPUs in order.
    const cpu = String(c.length >= 13 ? hex(12) : index);
    const values = [hex(0), hex(1), hex(2), hex(8), hex(9), hex(10), c.length >= 13 ? hex(11) : 0];
    SOFTNET.forEach(([name, help, type], i) => out.add(`node_softnet_${name}`, help, type, values[i]!, { cpu }));
    index++;
  }
};

/** Sums of the tx_queue and rx_queue columns of /proc/net/udp or udp6. */
function udpQueues(text: string, path: string): { tx: number; rx: number } {
  let tx = 0;
  let rx = 0;
  for (const line of text.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length === 1 && fields[0] === "") continue;
    const m = fields.length >= 13 ? /^([0-9a-fA-F]+):([0-9a-fA-F]+)$/.exec(fields[4]!) : null;
    if (!m) throw new Error(`unexpected line in "${path}": ${JSON.stringify(line)}`);
    tx += parseInt(m[1]!, 16);
    rx += parseInt(m[2]!, 16);
  }
  return { tx, rx };
}

export const udp_queues: Collector = async (platform, o, out, log) => {
  let missing = 0;
  for (const [file, ip] of [["udp", "v4"], ["udp6", "v6"]] as const) {
    const path = `${o.procfs}/net/${file}`;
    const text = await readIfExists(platform, path);
    if (text === undefined) {
      log.debug(`not collecting ip${ip} based metrics`);
      missing++;
      continue;
    }
    let q: { tx: number; rx: number };
    try {
      q = udpQueues(text, path);
    } catch (e) {
      throw new Error(`couldn't get ${file} queued bytes: ${(e as Error).message}`);
    }
    const help = "Number of allocated memory in the kernel for UDP datagrams in bytes.";
    out.add("node_udp_queues", help, "gauge", q.tx, { queue: "tx", ip });
    out.add("node_udp_queues", help, "gauge", q.rx, { queue: "rx", ip });
  }
  if (missing === 2) throw new NoDataError();
};

export const arp: Collector = async (platform, o, out) => {
  const path = `${o.procfs}/net/arp`;
  let text: string;
  try {
    text = await read(platform, path);
  } catch (e) {
    throw new Error(`could not get ARP entries: error reading arp ${path}: ${(e as Error).message}`);
  }
  const entries = new Map<string, number>();
  for (const line of text.split("\n")) {
    const columns = line.trim().split(/\s+/).filter(Boolean);
    // The header has 9 words ("IP address", "HW type", ...); an entry has 6 columns.
    if (columns.length === 0 || columns.length === 9) continue;
    if (columns.length !== 6) throw new Error(`could not get ARP entries: ${columns.length} columns found, but expected 6`);
    entries.set(columns[5]!, (entries.get(columns[5]!) ?? 0) + 1);
  }
  for (const [device, count] of entries) {
    if (o.arpDeviceExclude?.test(device)) continue;
    if (o.arpDeviceInclude && !o.arpDeviceInclude.test(device)) continue;
    out.add("node_arp_entries", "ARP entries by device", "gauge", count, { device });
  }
};

export const bonding: Collector = async (platform, o, out, log) => {
  const root = `${o.sysfs}/class/net`;
  const masters = await readIfExists(platform, `${root}/bonding_masters`);
  if (masters === undefined) {
    log.debug("Not collecting bonding, file does not exist", { file: root });
    throw new NoDataError();
  }
  for (const master of masters.split(/\s+/).filter(Boolean)) {
    const slaves = (await read(platform, `${root}/${master}/bonding/slaves`)).split(/\s+/).filter(Boolean);
    let up = 0;
    for (const slave of slaves) {
      // Newer kernels link the slave as lower_<name>, older ones as slave_<name>.
      const state =
        (await readIfExists(platform, `${root}/${master}/lower_${slave}/bonding_slave/mii_status`)) ??
        (await read(platform, `${root}/${master}/slave_${slave}/bonding_slave/mii_status`));
      if (state.trim() === "up") up++;
    }
    out.add("node_bonding_slaves", "Number of configured slaves per bonding interface.", "gauge", slaves.length, { master });
    out.add("node_bonding_active", "Number of active slaves per bonding interface.", "gauge", up, { master });
  }
};
