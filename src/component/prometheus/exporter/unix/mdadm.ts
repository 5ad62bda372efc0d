// node_exporter's mdadm collector: the software RAID arrays of /proc/mdstat (state, disks, blocks and
// sync progress) and, from /sys/block/md*/md, their raid disks and degraded disks.

import type { Platform } from "../../../../platform/mod.ts";
import { type Collector, isNotFound, listDir, NoDataError, read } from "./common.ts";

interface MdStat {
  name: string;
  state: string;
  active: number;
  failed: number;
  spare: number;
  total: number;
  blocks: number;
  synced: number;
}

function parseMdstat(text: string): MdStat[] {
  const lines = text.split("\n");
  const out: MdStat[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "" || line[0] === " " || line.startsWith("Personalities") || line.startsWith("unused")) return;
    const fields = line.trim().split(/\s+/);
    if (fields.length < 3) throw new Error(`expected 3+ fields, got ${JSON.stringify(line)}`);
    if (lines.length <= i + 3) throw new Error(`too few lines for md device ${JSON.stringify(fields[0])}`);
    const status = lines[i + 1]!;
    const size = /^\s*(\d+)/.exec(status);
    if (!size) throw new Error(`unexpected status line ${JSON.stringify(status)}`);
    const blocks = Number(size[1]);
    let active = 0;
    let total = 0;
    if (line.includes("raid0") || line.includes("linear")) {
      active = total = line.split("[").length - 1;
    } else if (!line.includes("inactive")) {
      const m = /(\d+) blocks .*\[(\d+)\/(\d+)\] \[([U_]+)\]/.exec(status);
      if (!m) throw new Error(`could not find all substring matches in ${JSON.stringify(status)}`);
      total = Number(m[2]);
      active = Number(m[3]);
    }
    const syncLine = lines[lines[i + 2]!.includes("bitmap") ? i + 3 : i + 2] ?? "";
    let state = fields[2]!;
    let synced = blocks;
    const activity = ["recovery", "reshape", "check", "resync"].find((w) => syncLine.includes(w));
    if (activity) {
      state = { recovery: "recovering", reshape: "reshaping", check: "checking", resync: "resyncing" }[activity]!;
      if (syncLine.includes("PENDING") || syncLine.includes("DELAYED")) synced = 0;
      else {
        const m = /\((\d+)\/(\d+)\)/.exec(syncLine);
        if (!m) throw new Error(`unexpected recovery line ${JSON.stringify(syncLine)}`);
        synced = Number(m[1]);
      }
    }
    const count = (mark: string) => line.split(mark).length - 1;
    out.push({ name: fields[0]!, state, active, failed: count("(F)"), spare: count("(S)"), total, blocks, synced });
  });
  return out;
}

/** raid_disks and, for redundant levels, degraded of /sys/block/mdN/md. */
async function mdraids(platform: Platform, sysfs: string): Promise<{ device: string; disks: number; degraded: number }[]> {
  const devices = ((await listDir(platform, `${sysfs}/block`)) ?? []).filter((d) => d.startsWith("md"));
  const out: { device: string; disks: number; degraded: number }[] = [];
  for (const device of devices) {
    const dir = `${sysfs}/block/${device}/md`;
    if ((await platform.fs.stat(dir)) === null) continue;
    const attr = async (name: string) => (await read(platform, `${dir}/${name}`)).trim();
    const level = await attr("level");
    const disks = Number(await attr("raid_disks"));
    const degraded = ["raid1", "raid4", "raid5", "raid6", "raid10"].includes(level) ? Number(await attr("degraded")) : 0;
    out.push({ device, disks, degraded });
  }
  return out;
}

export const mdadm: Collector = async (platform, o, out, log) => {
  let text: string;
  try {
    text = await read(platform, `${o.procfs}/mdstat`);
  } catch (e) {
    if (isNotFound(e)) {
      log.debug("Not collecting mdstat, file does not exist", { file: o.procfs });
      throw new NoDataError();
    }
    throw e;
  }
  let stats: MdStat[];
  try {
    stats = parseMdstat(text);
  } catch (e) {
    throw new Error(`error parsing mdstatus: ${(e as Error).message}`);
  }
  const STATES: [state: string, label: string][] = [["active", "active"], ["inactive", "inactive"], ["recovering", "recovering"], ["resyncing", "resync"], ["checking", "check"]];
  for (const md of stats) {
    const device = md.name;
    out.add("node_md_disks_required", "Total number of disks of device.", "gauge", md.total, { device });
    out.add("node_md_disks", "Number of active/failed/spare disks of device.", "gauge", md.active, { device, state: "active" });
    out.add("node_md_disks", "Number of active/failed/spare disks of device.", "gauge", md.failed, { device, state: "failed" });
    out.add("node_md_disks", "Number of active/failed/spare disks of device.", "gauge", md.spare, { device, state: "spare" });
    for (const [state, label] of STATES) out.add("node_md_state", "Indicates the state of md-device.", "gauge", md.state === state ? 1 : 0, { device, state: label });
    out.add("node_md_blocks", "Total number of blocks on device.", "gauge", md.blocks, { device });
    out.add("node_md_blocks_synced", "Number of blocks synced on device.", "gauge", md.synced, { device });
  }
  for (const md of await mdraids(platform, o.sysfs)) {
    out.add("node_md_raid_disks", "Number of raid disks on device.", "gauge", md.disks, { device: md.device });
    out.add("node_md_degraded", "Number of degraded disks on device.", "gauge", md.degraded, { device: md.device });
  }
};
