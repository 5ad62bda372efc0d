// node_exporter's zfs collector: the ZFS kstats under /proc/spl/kstat/zfs (arcstats, dbufstats, zil …)
// as node_zfs_<subsystem>_<name>, and per pool its io counters, datasets' objset counters and state.

import type { Platform } from "../../../../platform/mod.ts";
import { type Collector, type Families, listDir, NoDataError, read } from "./common.ts";

// metric subsystem -> kstat file.
const KSTATS: [subsystem: string, file: string][] = [
  ["zfs_abd", "abdstats"],
  ["zfs_arc", "arcstats"],
  ["zfs_dbuf", "dbufstats"],
  ["zfs_dmu_tx", "dmu_tx"],
  ["zfs_dnode", "dnodestats"],
  ["zfs_fm", "fm"],
  ["zfs_vdev_cache", "vdev_cache_stats"],
  ["zfs_vdev_mirror", "vdev_mirror_stats"],
  ["zfs_xuio", "xuio_stats"],
  ["zfs_zfetch", "zfetchstats"],
  ["zfs_zil", "zil"],
];
const POOL_STATES = ["online", "degraded", "faulted", "offline", "removed", "unavail", "suspended"];
const KSTAT_INT64 = "3";
const KSTAT_UINT64 = "4";

/** The last dotted part of a kstat key, "-" as "_". */
const metricName = (key: string) => key.slice(key.lastIndexOf(".") + 1).replace(/-/g, "_");

async function readOrUndefined(platform: Platform, path: string): Promise<string | undefined> {
  try {
    return await read(platform, path);
  } catch {
    return undefined;
  }
}

/** "name type data" rows after their header line (each row's words, and the raw line as its last element). */
function kstatRows(text: string, what: string): string[][] {
  const rows: string[][] = [];
  let started = false;
  for (const line of text.split("\n")) {
    const parts = line.trim().split(/\s+/);
    if (!started) {
      started = parts.length === 3 && parts[0] === "name" && parts[1] === "type" && parts[2] === "data";
      continue;
    }
    if (parts.length >= 3) rows.push([...parts, line]);
  }
  if (!started) throw new Error(`did not parse a single "${what}" metric`);
  return rows;
}

function kstatValue(raw: string, key: string, signed: boolean): number {
  if (!(signed ? /^-?\d+$/ : /^\d+$/).test(raw)) throw new Error(`could not parse expected ${signed ? "signed" : "unsigned"} integer value for "${key}"`);
  return Number(raw);
}

async function poolStats(platform: Platform, base: string, out: Families): Promise<void> {
  for (const pool of (await listDir(platform, base)) ?? []) {
    const dir = `${base}/${pool}`;
    const info = await platform.fs.stat(dir).catch(() => null);
    if (!info?.isDirectory) continue;
    const io = await readOrUndefined(platform, `${dir}/io`);
    if (io !== undefined) {
      let fields: string[] | undefined;
      for (const line of io.split("\n")) {
        const parts = line.trim().split(/\s+/);
        if (!fields) {
          if (parts.length >= 12 && parts[0] === "nread") fields = parts;
          continue;
        }
        if (parts.length < fields.length) continue;
        fields.forEach((field, i) => {
          const key = `kstat.zfs.misc.io.${field}`;
          out.add(`node_zfs_zpool_${metricName(key)}`, key, "untyped", kstatValue(parts[i]!, key, false), { zpool: pool });
        });
      }
    }
    for (const name of ((await listDir(platform, dir)) ?? []).filter((n) => n.startsWith("objset-"))) {
      const text = (await readOrUndefined(platform, `${dir}/${name}`)) ?? "";
      let dataset = "";
      for (const row of kstatRows(text, `${pool} ${name}`)) {
        if (row[0] === "dataset_name") {
          // The name is the rest of the line: it may hold spaces.
          const line = row.at(-1)!;
          dataset = line.slice(line.indexOf(row[2]!, line.indexOf(row[1]!, line.indexOf(row[0]!) + row[0]!.length) + 1));
          continue;
        }
        if (row[1] !== KSTAT_UINT64) continue;
        const key = `kstat.zfs.misc.objset.${row[0]}`;
        out.add(`node_zfs_zpool_dataset_${metricName(key)}`, key, "untyped", kstatValue(row[2]!, key, false), { dataset, zpool: pool });
      }
    }
    const state = await readOrUndefined(platform, `${dir}/state`);
    if (state === undefined) continue;
    const actual = state.split("\n")[0]!.toLowerCase();
    for (const s of POOL_STATES) out.add("node_zfs_zpool_state", "kstat.zfs.misc.state", "gauge", actual === s ? 1 : 0, { state: s, zpool: pool });
  }
}

export const zfs: Collector = async (platform, o, out, log) => {
  const base = `${o.procfs}/spl/kstat/zfs`;
  if ((await platform.fs.stat(base).catch(() => null)) === null) {
    log.debug("ZFS / ZFS statistics are not available");
    throw new NoDataError();
  }
  for (const [subsystem, file] of KSTATS) {
    const text = await readOrUndefined(platform, `${base}/${file}`);
    if (text === undefined) continue; // this kstat is not there on this ZFS version
    for (const row of kstatRows(text, file)) {
      if (row[1] !== KSTAT_UINT64 && row[1] !== KSTAT_INT64) continue;
      const key = `kstat.zfs.misc.${file}.${row[0]}`;
      out.add(`node_${subsystem}_${metricName(key)}`, key, "untyped", kstatValue(row[2]!, key, row[1] === KSTAT_INT64));
    }
  }
  await poolStats(platform, base, out);
};
