// node_exporter's btrfs collector, from /sys/fs/btrfs/<uuid>: the filesystem's label, global reserve,
// commit statistics, space per block group type and layout, and its devices' sizes. node_exporter also
// asks each mounted btrfs filesystem for per-device error counters through an ioctl, which a runtime
// without system calls cannot make; it reports the sysfs device sizes then, exactly as node_exporter
// does when that ioctl fails (device_size_bytes labelled by device only, no device_errors_total).

import type { Platform } from "../../../../platform/mod.ts";
import { type Collector, type Families, isNotFound, listDir, read } from "./common.ts";

const SECTOR_SIZE = 512;

/** A sysfs value as procfs reads it: missing is "", a number that does not parse is 0. */
async function text(platform: Platform, path: string): Promise<string> {
  try {
    return (await read(platform, path)).trim();
  } catch (e) {
    if (isNotFound(e)) return "";
    throw e;
  }
}
const number = async (platform: Platform, path: string) => {
  const t = await text(platform, path);
  return /^\d+$/.test(t) ? Number(t) : 0;
};

/** How many bytes of disk one byte of data takes in a layout (raid5/6 depend on the device count). */
function ratio(layout: string, devices: number): number {
  switch (layout) {
    case "single":
    case "raid0":
      return 1;
    case "dup":
    case "raid1":
    case "raid10":
      return 2;
    case "raid1c3":
      return 3;
    case "raid1c4":
      return 4;
    case "raid5":
      return devices / (devices - 1);
    case "raid6":
      return devices / (devices - 2);
    default:
      return 0;
  }
}

async function commitStats(platform: Platform, path: string): Promise<Map<string, number>> {
  const stats = new Map<string, number>();
  let content: string;
  try {
    content = await read(platform, path);
  } catch (e) {
    if (isNotFound(e)) return stats;
    throw e;
  }
  for (const line of content.split("\n")) {
    if (line.trim() === "") continue;
    const parts = line.trim().split(/\s+/);
    if (parts.length !== 2) throw new Error(`invalid commit_stats line ${JSON.stringify(line)}`);
    if (!/^\d+$/.test(parts[1]!)) throw new Error(`error parsing commit_stats line ${JSON.stringify(line)}`);
    stats.set(parts[0]!, Number(parts[1]));
  }
  return stats;
}

async function filesystem(platform: Platform, dir: string, name: string, out: Families): Promise<void> {
  const devices = await listDir(platform, `${dir}/devices`);
  if (devices === undefined) throw new Error(`open ${dir}/devices: no such file or directory`);
  const uuid = (await text(platform, `${dir}/metadata_uuid`)) || name;
  const g = (metric: string, help: string, value: number, labels: Record<string, string> = {}) => out.add(`node_btrfs_${metric}`, help, "gauge", value, { uuid, ...labels });
  g("info", "Filesystem information", 1, { label: await text(platform, `${dir}/label`) });
  g("global_rsv_size_bytes", "Size of global reserve.", await number(platform, `${dir}/allocation/global_rsv_size`));
  const commits = await commitStats(platform, `${dir}/commit_stats`);
  out.add("node_btrfs_commits_total", "The total number of commits that have occurred.", "counter", commits.get("commits") ?? 0, { uuid });
  g("last_commit_seconds", "Duration of the most recent commit, in seconds.", (commits.get("last_commit_ms") ?? 0) / 1000);
  g("max_commit_seconds", "Duration of the slowest commit, in seconds.", (commits.get("max_commit_ms") ?? 0) / 1000);
  out.add("node_btrfs_commit_seconds_total", "Sum of the duration of all commits, in seconds.", "counter", (commits.get("total_commit_ms") ?? 0) / 1000, { uuid });
  for (const type of ["data", "metadata", "system"]) {
    const allocation = `${dir}/allocation/${type}`;
    g("reserved_bytes", "Amount of space reserved for a data type", await number(platform, `${allocation}/bytes_reserved`), { block_group_type: type });
    for (const entry of (await platform.fs.readDir(allocation)).filter((e) => e.isDirectory)) {
      const labels = { block_group_type: type, mode: entry.name };
      g("used_bytes", "Amount of used space by a layout/data type", await number(platform, `${allocation}/${entry.name}/used_bytes`), labels);
      g("size_bytes", "Amount of space allocated for a layout/data type", await number(platform, `${allocation}/${entry.name}/total_bytes`), labels);
      g("allocation_ratio", "Data allocation ratio for a layout/data type", ratio(entry.name, devices.length), labels);
    }
  }
  for (const device of devices) {
    g("device_size_bytes", "Size of a device that is part of the filesystem.", SECTOR_SIZE * (await number(platform, `${dir}/devices/${device}/size`)), { device });
  }
}

export const btrfs: Collector = async (platform, o, out, log) => {
  const base = `${o.sysfs}/fs/btrfs`;
  const filesystems = ((await listDir(platform, base)) ?? []).filter((n) => n.includes("-"));
  if (filesystems.length > 0) log.debug("Error querying btrfs device stats with ioctl", { err: "ioctl is not available to alloy-ts" });
  for (const name of filesystems) {
    try {
      await filesystem(platform, `${base}/${name}`, name, out);
    } catch (e) {
      throw new Error(`failed to retrieve Btrfs stats from procfs: ${(e as Error).message}`);
    }
  }
};
