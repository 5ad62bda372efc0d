// node_exporter's nfs and nfsd collectors: the NFS client's (/proc/net/rpc/nfs) and the kernel NFS
// server's (/proc/net/rpc/nfsd) RPC statistics, with the procedure names of prometheus/procfs (in the
// kernel's order on each procN line).

import { type Collector, isNotFound, NoDataError, read } from "./common.ts";

const V2 = ["Null", "GetAttr", "SetAttr", "Root", "Lookup", "ReadLink", "Read", "WrCache", "Write", "Create", "Remove", "Rename", "Link", "SymLink", "MkDir", "RmDir", "ReadDir", "FsStat"];
const V3 = [
  "Null", "GetAttr", "SetAttr", "Lookup", "Access", "ReadLink", "Read", "Write", "Create", "MkDir", "SymLink", "MkNod", "Remove", "RmDir", "Rename",
  "Link", "ReadDir", "ReadDirPlus", "FsStat", "FsInfo", "PathConf", "Commit",
];
const CLIENT_V4 = [
  "Null", "Read", "Write", "Commit", "Open", "OpenConfirm", "OpenNoattr", "OpenDowngrade", "Close", "Setattr", "FsInfo", "Renew", "SetClientID",
  "SetClientIDConfirm", "Lock", "Lockt", "Locku", "Access", "Getattr", "Lookup", "LookupRoot", "Remove", "Rename", "Link", "Symlink", "Create",
  "Pathconf", "StatFs", "ReadLink", "ReadDir", "ServerCaps", "DelegReturn", "GetACL", "SetACL", "FsLocations", "ReleaseLockowner", "Secinfo",
  "FsidPresent", "ExchangeID", "CreateSession", "DestroySession", "Sequence", "GetLeaseTime", "ReclaimComplete", "GetDeviceInfo", "LayoutGet",
  "LayoutCommit", "LayoutReturn", "SecinfoNoName", "TestStateID", "FreeStateID", "GetDeviceList", "BindConnToSession", "DestroyClientID", "Seek",
  "Allocate", "DeAllocate", "LayoutStats", "Clone",
];
const V4_OPS = [
  "Op0Unused", "Op1Unused", "Op2Future", "Access", "Close", "Commit", "Create", "DelegPurge", "DelegReturn", "GetAttr", "GetFH", "Link", "Lock",
  "Lockt", "Locku", "Lookup", "LookupRoot", "Nverify", "Open", "OpenAttr", "OpenConfirm", "OpenDgrd", "PutFH", "PutPubFH", "PutRootFH", "Read",
  "ReadDir", "ReadLink", "Remove", "Rename", "Renew", "RestoreFH", "SaveFH", "SecInfo", "SetAttr", "SetClientID", "SetClientIDConfirm", "Verify",
  "Write", "RelLockOwner",
];
// The server reports every procedure but these (Null of v2/v3 and v4's unused op numbers, PutPubFH, PutRootFH).
const NFSD_SKIPPED = new Set(["Null", "Op0Unused", "Op1Unused", "Op2Future", "PutPubFH", "PutRootFH"]);

/** The lines of an RPC statistics file as name -> numbers. */
function parseRpcFile(text: string, what: string): Map<string, number[]> {
  const lines = new Map<string, number[]>();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const parts = line.trim().split(/\s+/);
    if (parts.length < 2) throw new Error(`invalid ${what} metric line ${JSON.stringify(line)}`);
    // The thread line carries a histogram of unparsed extras after its two counts.
    const raw = parts[0] === "th" ? parts.slice(1, 3) : parts.slice(1);
    if (raw.some((v) => !/^\d+$/.test(v))) throw new Error(`error parsing ${what} metric line ${JSON.stringify(line)}`);
    lines.set(parts[0]!, raw.map(Number));
  }
  return lines;
}

/** A procN line: a count, then that many values; names past the count (newer kernels) read as 0. */
function procedures(v: number[] | undefined, names: string[], minimum: number, what: string, exact = false): Map<string, number> {
  const out = new Map(names.map((n) => [n, 0]));
  if (!v) return out;
  const count = v[0]!;
  if (v.length - 1 !== count || count < minimum || (exact && count !== minimum)) throw new Error(`invalid ${what} line ${JSON.stringify(v.join(" "))}`);
  names.forEach((n, i) => out.set(n, v[i + 1] ?? 0));
  return out;
}

function fixed(v: number[] | undefined, length: number, what: string): number[] {
  if (!v) return Array<number>(length).fill(0);
  if (v.length !== length) throw new Error(`invalid ${what} line ${JSON.stringify(v.join(" "))}`);
  return v;
}

async function readRpc(platform: Parameters<Collector>[0], path: string, what: string, log: Parameters<Collector>[3]): Promise<Map<string, number[]>> {
  let text: string;
  try {
    text = await read(platform, path);
  } catch (e) {
    if (isNotFound(e)) {
      log.debug(`Not collecting ${what} metrics`, { err: `open ${path}: no such file or directory` });
      throw new NoDataError();
    }
    throw new Error(`failed to retrieve ${what.toLowerCase()} stats: ${(e as Error).message}`);
  }
  try {
    return parseRpcFile(text, what);
  } catch (e) {
    throw new Error(`failed to retrieve ${what.toLowerCase()} stats: ${(e as Error).message}`);
  }
}

export const nfs: Collector = async (platform, o, out, log) => {
  const lines = await readRpc(platform, `${o.procfs}/net/rpc/nfs`, "NFS", log);
  for (const name of lines.keys()) {
    if (!["net", "rpc", "proc2", "proc3", "proc4"].includes(name)) throw new Error(`failed to retrieve nfs stats: unknown NFS metric line "${name}"`);
  }
  const net = fixed(lines.get("net"), 4, "Network");
  const rpc = fixed(lines.get("rpc"), 3, "RPC");
  const requests: [string, Map<string, number>][] = [
    ["2", procedures(lines.get("proc2"), V2, 18, "V2Stats")],
    ["3", procedures(lines.get("proc3"), V3, 22, "V3Stats")],
    ["4", procedures(lines.get("proc4"), CLIENT_V4, 0, "ClientV4Stats")],
  ];
  const packets = "Total NFSd network packets (sent+received) by protocol type.";
  out.add("node_nfs_packets_total", packets, "counter", net[1]!, { protocol: "udp" });
  out.add("node_nfs_packets_total", packets, "counter", net[2]!, { protocol: "tcp" });
  out.add("node_nfs_connections_total", "Total number of NFSd TCP connections.", "counter", net[3]!);
  out.add("node_nfs_rpcs_total", "Total number of RPCs performed.", "counter", rpc[0]!);
  out.add("node_nfs_rpc_retransmissions_total", "Number of RPC transmissions performed.", "counter", rpc[1]!);
  out.add("node_nfs_rpc_authentication_refreshes_total", "Number of RPC authentication refreshes performed.", "counter", rpc[2]!);
  for (const [proto, counts] of requests) {
    for (const [method, v] of counts) out.add("node_nfs_requests_total", "Number of NFS procedures invoked.", "counter", v, { method, proto });
  }
};

export const nfsd: Collector = async (platform, o, out, log) => {
  const lines = await readRpc(platform, `${o.procfs}/net/rpc/nfsd`, "NFSd", log);
  const known = ["rc", "fh", "io", "th", "ra", "net", "rpc", "proc2", "proc3", "proc4", "proc4ops", "wdeleg_getattr"];
  for (const name of lines.keys()) if (!known.includes(name)) throw new Error(`failed to retrieve nfsd stats: unknown NFSd metric line "${name}"`);
  const rc = fixed(lines.get("rc"), 3, "ReplyCache");
  const fh = fixed(lines.get("fh"), 5, "FileHandles");
  const io = fixed(lines.get("io"), 2, "InputOutput");
  const th = fixed(lines.get("th"), 2, "Threads");
  const ra = fixed(lines.get("ra"), 12, "ReadAheadCache");
  const net = fixed(lines.get("net"), 4, "Network");
  const rpc = fixed(lines.get("rpc"), 5, "RPC");
  procedures(lines.get("proc4"), ["Null", "Compound"], 2, "V4Stats", true);
  const c = (name: string, help: string, v: number, labels?: Record<string, string>) => out.add(`node_nfsd_${name}`, help, "counter", v, labels);
  c("reply_cache_hits_total", "Total number of NFSd Reply Cache hits (client lost server response).", rc[0]!);
  c("reply_cache_misses_total", "Total number of NFSd Reply Cache an operation that requires caching (idempotent).", rc[1]!);
  c("reply_cache_nocache_total", "Total number of NFSd Reply Cache non-idempotent operations (rename/delete/…).", rc[2]!);
  c("file_handles_stale_total", "Total number of NFSd stale file handles", fh[0]!);
  c("disk_bytes_read_total", "Total NFSd bytes read.", io[0]!);
  c("disk_bytes_written_total", "Total NFSd bytes written.", io[1]!);
  out.add("node_nfsd_server_threads", "Total number of NFSd kernel threads that are running.", "gauge", th[0]!);
  out.add("node_nfsd_read_ahead_cache_size_blocks", "How large the read ahead cache is in blocks.", "gauge", ra[0]!);
  c("read_ahead_cache_not_found_total", "Total number of NFSd read ahead cache not found.", ra[11]!);
  c("packets_total", "Total NFSd network packets (sent+received) by protocol type.", net[1]!, { proto: "udp" });
  c("packets_total", "Total NFSd network packets (sent+received) by protocol type.", net[2]!, { proto: "tcp" });
  c("connections_total", "Total number of NFSd TCP connections.", net[3]!);
  const errors = "Total number of NFSd RPC errors by error type.";
  c("rpc_errors_total", errors, rpc[2]!, { error: "fmt" });
  c("rpc_errors_total", errors, rpc[3]!, { error: "auth" });
  c("rpc_errors_total", errors, rpc[4]!, { error: "cInt" });
  c("server_rpcs_total", "Total number of NFSd RPCs.", rpc[0]!);
  const requests: [string, Map<string, number>][] = [
    ["2", procedures(lines.get("proc2"), V2, 18, "V2Stats")],
    ["3", procedures(lines.get("proc3"), V3, 22, "V3Stats")],
    ["4", procedures(lines.get("proc4ops"), V4_OPS, 39, "V4Ops")],
  ];
  const help = "Total number NFSd Requests by method and protocol.";
  for (const [proto, counts] of requests) {
    for (const [method, v] of counts) if (!NFSD_SKIPPED.has(method)) c("requests_total", help, v, { method, proto });
  }
  c("requests_total", help, lines.get("wdeleg_getattr")?.[0] ?? 0, { method: "WdelegGetattr", proto: "4" });
};
