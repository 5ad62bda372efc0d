// node_exporter's first collectors here, read from procfs and sysfs through the Platform: cpu, diskstats,
// filesystem, loadavg, meminfo, netdev, netstat, stat, time, uname, vmstat. Metric names, help texts,
// types and labels are node_exporter's (checked against Debian's prometheus-node-exporter in the tests).

import type { Platform } from "../../../../platform/mod.ts";
import { type Collector, read, tryRead } from "./common.ts";

const USER_HZ = 100;

const cpu: Collector = async (platform, o, out) => {
  const text = await read(platform, `${o.procfs}/stat`);
  for (const line of text.split("\n")) {
    const m = /^cpu([0-9]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    const modes: [string, number | undefined][] = [
      ["user", f[0]], ["nice", f[1]], ["system", f[2]], ["idle", f[3]], ["iowait", f[4]], ["irq", f[5]], ["softirq", f[6]], ["steal", f[7]],
    ];
    for (const [mode, v] of modes) {
      if (v === undefined) continue;
      out.add("node_cpu_seconds_total", "Seconds the CPUs spent in each mode.", "counter", v / USER_HZ, { cpu: m[1]!, mode });
    }
    if (o.cpuGuest) {
      // The kernel counts guest time in user/nice too; node_exporter reports it separately.
      out.add("node_cpu_guest_seconds_total", "Seconds the CPUs spent in guests (VMs) for each mode.", "counter", (f[8] ?? 0) / USER_HZ, { cpu: m[1]!, mode: "user" });
      out.add("node_cpu_guest_seconds_total", "Seconds the CPUs spent in guests (VMs) for each mode.", "counter", (f[9] ?? 0) / USER_HZ, { cpu: m[1]!, mode: "nice" });
    }
  }
};

const stat: Collector = async (platform, o, out) => {
  const text = await read(platform, `${o.procfs}/stat`);
  for (const line of text.split("\n")) {
    const [key, first] = line.split(/\s+/, 2);
    const v = Number(first);
    switch (key) {
      case "intr":
        out.add("node_intr_total", "Total number of interrupts serviced.", "counter", v);
        break;
      case "ctxt":
        out.add("node_context_switches_total", "Total number of context switches.", "counter", v);
        break;
      case "processes":
        out.add("node_forks_total", "Total number of forks.", "counter", v);
        break;
      case "btime":
        out.add("node_boot_time_seconds", "Node boot time, in unixtime.", "gauge", v);
        break;
      case "procs_running":
        out.add("node_procs_running", "Number of processes in runnable state.", "gauge", v);
        break;
      case "procs_blocked":
        out.add("node_procs_blocked", "Number of processes blocked waiting for I/O to complete.", "gauge", v);
        break;
    }
  }
};

const loadavg: Collector = async (platform, o, out) => {
  const parts = (await read(platform, `${o.procfs}/loadavg`)).trim().split(/\s+/);
  out.add("node_load1", "1m load average.", "gauge", Number(parts[0]));
  out.add("node_load5", "5m load average.", "gauge", Number(parts[1]));
  out.add("node_load15", "15m load average.", "gauge", Number(parts[2]));
};

const meminfo: Collector = async (platform, o, out) => {
  for (const line of (await read(platform, `${o.procfs}/meminfo`)).split("\n")) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 2 || parts[0] === "") continue;
    // Active(anon) -> Active_anon; a kB unit makes it bytes.
    let key = parts[0]!.slice(0, -1).replace(/\((.*)\)/, "_$1");
    let v = Number(parts[1]);
    if (parts.length === 3) {
      v *= 1024;
      key += "_bytes";
    }
    out.add(`node_memory_${key}`, `Memory information field ${key}.`, key.endsWith("_total") ? "counter" : "gauge", v);
  }
};

const NETDEV_RECEIVE = ["bytes", "packets", "errs", "drop", "fifo", "frame", "compressed", "multicast"];
const NETDEV_TRANSMIT = ["bytes", "packets", "errs", "drop", "fifo", "colls", "carrier", "compressed"];

const netdev: Collector = async (platform, o, out) => {
  const lines = (await read(platform, `${o.procfs}/net/dev`)).split("\n").slice(2);
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const device = line.slice(0, colon).trim();
    if (o.netdevExclude?.test(device)) continue;
    if (o.netdevInclude && !o.netdevInclude.test(device)) continue;
    // node_exporter reads these over netlink, which leaves the loopback device out (IFF_LOOPBACK).
    const flags = await tryRead(platform, `${o.sysfs}/class/net/${device}/flags`);
    if (flags !== undefined && (Number(flags) & 0x8) !== 0) continue;
    const v = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    const stats: [string, number][] = [];
    NETDEV_RECEIVE.forEach((k, i) => stats.push([`receive_${k}`, v[i]!]));
    NETDEV_TRANSMIT.forEach((k, i) => stats.push([`transmit_${k}`, v[8 + i]!]));
    // rx_nohandler is not in /proc/net/dev; node_exporter reads it over netlink, sysfs has it too.
    const nohandler = await tryRead(platform, `${o.sysfs}/class/net/${device}/statistics/rx_nohandler`);
    if (nohandler !== undefined) stats.push(["receive_nohandler", Number(nohandler)]);
    for (const [k, value] of stats) {
      out.add(`node_network_${k}_total`, `Network device statistic ${k}.`, "counter", value, { device });
    }
  }
};

const netstat: Collector = async (platform, o, out) => {
  const stats = new Map<string, string>(); // "Protocol_Name" -> value
  for (const file of ["net/netstat", "net/snmp"]) {
    const text = await tryRead(platform, `${o.procfs}/${file}`);
    if (text === undefined) continue;
    const lines = text.split("\n");
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const names = lines[i]!.trim().split(/\s+/);
      const values = lines[i + 1]!.trim().split(/\s+/);
      const protocol = names[0]!.slice(0, -1);
      for (let k = 1; k < names.length; k++) stats.set(`${protocol}_${names[k]}`, values[k]!);
    }
  }
  const snmp6 = await tryRead(platform, `${o.procfs}/net/snmp6`);
  if (snmp6 !== undefined) {
    for (const line of snmp6.split("\n")) {
      const [key, value] = line.trim().split(/\s+/);
      const six = key?.indexOf("6") ?? -1;
      if (key === undefined || value === undefined || six < 0) continue;
      stats.set(`${key.slice(0, six + 1)}_${key.slice(six + 1)}`, value);
    }
  }
  for (const [key, value] of stats) {
    if (!o.netstatFields.test(key)) continue;
    out.add(`node_netstat_${key}`, `Statistic ${key.replace("_", "")}.`, "untyped", Number(value));
  }
};

const vmstat: Collector = async (platform, o, out) => {
  for (const line of (await read(platform, `${o.procfs}/vmstat`)).split("\n")) {
    const [key, value] = line.split(" ");
    if (key === undefined || value === undefined || !o.vmstatFields.test(key)) continue;
    out.add(`node_vmstat_${key}`, `/proc/vmstat information field ${key}.`, "untyped", Number(value));
  }
};

const uname: Collector = async (platform, o, out) => {
  const k = (name: string) => tryRead(platform, `${o.procfs}/sys/kernel/${name}`);
  const arch: Record<string, string> = { amd64: "x86_64", arm64: "aarch64", "386": "i686", arm: "armv7l" };
  out.add("node_uname_info", "Labeled system information as provided by the uname system call.", "gauge", 1, {
    domainname: (await k("domainname")) ?? "(none)",
    machine: (await k("arch")) ?? arch[platform.runtime.arch] ?? platform.runtime.arch,
    nodename: (await k("hostname")) ?? platform.hostname(),
    release: (await k("osrelease")) ?? "",
    sysname: (await k("ostype")) ?? "Linux",
    version: (await k("version")) ?? "",
  });
};

const time: Collector = async (platform, o, out) => {
  const now = Date.now() / 1000;
  out.add("node_time_seconds", "System time in seconds since epoch (1970).", "gauge", now);
  const offset = -new Date().getTimezoneOffset() * 60;
  out.add("node_time_zone_offset_seconds", "System time zone offset in seconds.", "gauge", offset, { time_zone: zoneAbbreviation() });
  const base = `${o.sysfs}/devices/system/clocksource`;
  let entries: string[] = [];
  try {
    entries = (await platform.fs.readDir(base)).filter((e) => /^clocksource[0-9]+$/.test(e.name)).map((e) => e.name);
  } catch {
    return;
  }
  for (const name of entries) {
    const device = name.slice("clocksource".length);
    const available = (await tryRead(platform, `${base}/${name}/available_clocksource`))?.split(/\s+/).filter(Boolean) ?? [];
    for (const clocksource of available) {
      out.add("node_time_clocksource_available_info", "Available clocksources read from '/sys/devices/system/clocksource'.", "gauge", 1, { clocksource, device });
    }
    const current = await tryRead(platform, `${base}/${name}/current_clocksource`);
    if (current) {
      out.add("node_time_clocksource_current_info", "Current clocksource read from '/sys/devices/system/clocksource'.", "gauge", 1, { clocksource: current, device });
    }
  }
};

/** Go's time zone abbreviation of the local zone (e.g. UTC, CET). */
function zoneAbbreviation(): string {
  const part = new Intl.DateTimeFormat("en-US", { timeZoneName: "short" }).formatToParts(new Date()).find((p) => p.type === "timeZoneName");
  const name = part?.value ?? "UTC";
  return name === "GMT" && new Date().getTimezoneOffset() === 0 ? "UTC" : name;
}

const DISK_SECTOR = 512;

const diskstats: Collector = async (platform, o, out) => {
  const text = await read(platform, `${o.procfs}/diskstats`);
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 14) continue;
    const [major, minor, device] = [f[0]!, f[1]!, f[2]!];
    if (o.diskExclude?.test(device)) continue;
    if (o.diskInclude && !o.diskInclude.test(device)) continue;
    const v = f.slice(3).map(Number);
    const l = { device };
    const c = (name: string, help: string, value: number | undefined) => {
      if (value !== undefined && !Number.isNaN(value)) out.add(name, help, "counter", value, l);
    };
    const udev = await udevProperties(platform, o.udevData, major, minor);
    out.add("node_disk_info", "Info of /sys/block/<block_device>.", "gauge", 1, {
      device,
      major,
      minor,
      model: udev.ID_MODEL ?? "",
      path: udev.ID_PATH ?? "",
      revision: udev.ID_REVISION ?? "",
      serial: udev.ID_SERIAL_SHORT ?? "",
      wwn: udev.ID_WWN ?? "",
    });
    c("node_disk_reads_completed_total", "The total number of reads completed successfully.", v[0]);
    c("node_disk_reads_merged_total", "The total number of reads merged.", v[1]);
    c("node_disk_read_bytes_total", "The total number of bytes read successfully.", v[2]! * DISK_SECTOR);
    c("node_disk_read_time_seconds_total", "The total number of seconds spent by all reads.", v[3]! / 1000);
    c("node_disk_writes_completed_total", "The total number of writes completed successfully.", v[4]);
    c("node_disk_writes_merged_total", "The number of writes merged.", v[5]);
    c("node_disk_written_bytes_total", "The total number of bytes written successfully.", v[6]! * DISK_SECTOR);
    c("node_disk_write_time_seconds_total", "This is the total number of seconds spent by all writes.", v[7]! / 1000);
    out.add("node_disk_io_now", "The number of I/Os currently in progress.", "gauge", v[8]!, l);
    c("node_disk_io_time_seconds_total", "Total seconds spent doing I/Os.", v[9]! / 1000);
    c("node_disk_io_time_weighted_seconds_total", "The weighted # of seconds spent doing I/Os.", v[10]! / 1000);
    if (v.length >= 15) {
      c("node_disk_discards_completed_total", "The total number of discards completed successfully.", v[11]);
      c("node_disk_discards_merged_total", "The total number of discards merged.", v[12]);
      c("node_disk_discarded_sectors_total", "The total number of sectors discarded successfully.", v[13]);
      c("node_disk_discard_time_seconds_total", "This is the total number of seconds spent by all discards.", v[14]! / 1000);
    }
    if (v.length >= 17) {
      c("node_disk_flush_requests_total", "The total number of flush requests completed successfully", v[15]);
      c("node_disk_flush_requests_time_seconds_total", "This is the total number of seconds spent by all flush requests.", v[16]! / 1000);
    }
  }
};

/** E:KEY=value lines of the udev database entry of a block device. */
async function udevProperties(platform: Platform, dir: string, major: string, minor: string): Promise<Record<string, string>> {
  const text = await tryRead(platform, `${dir}/b${major}:${minor}`);
  const out: Record<string, string> = {};
  for (const line of text?.split("\n") ?? []) {
    const m = /^E:([^=]+)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

const filesystem: Collector = async (platform, o, out) => {
  // Mounts as the init process sees them (node_exporter reads /proc/1/mounts).
  const mounts = (await tryRead(platform, `${o.procfs}/1/mounts`)) ?? (await read(platform, `${o.procfs}/mounts`));
  const seen = new Set<string>();
  const wanted: { device: string; mountpoint: string; fstype: string; ro: boolean }[] = [];
  for (const line of mounts.split("\n")) {
    const f = line.split(" ");
    if (f.length < 4) continue;
    const device = unescapeMount(f[0]!), mountpoint = unescapeMount(f[1]!), fstype = f[2]!;
    if (o.mountPointsExclude.test(mountpoint) || o.fsTypesExclude.test(fstype)) continue;
    if (seen.has(mountpoint)) continue;
    seen.add(mountpoint);
    wanted.push({ device, mountpoint, fstype, ro: f[3]!.split(",").includes("ro") });
  }
  if (wanted.length === 0) return;
  // statfs(2) is not part of the Platform; df makes the same call for each mount point.
  const res = await platform.runCommand(
    "df",
    ["-B1", "--output=size,used,avail,itotal,iavail,target", ...wanted.map((w) => `${o.rootfs === "/" ? "" : o.rootfs}${w.mountpoint}`)],
    { timeoutMs: o.mountTimeoutMs, extraEnv: { LC_ALL: "C" } },
  );
  const stats = new Map<string, number[]>();
  for (const line of res.stdout.split("\n").slice(1)) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+|-)\s+(\d+|-)\s+(.*)$/.exec(line);
    if (m) stats.set(m[6]!, [1, 2, 3, 4, 5].map((k) => (m[k] === "-" ? 0 : Number(m[k]))));
  }
  for (const w of wanted) {
    const l = { device: w.device, fstype: w.fstype, mountpoint: w.mountpoint };
    const s = stats.get(`${o.rootfs === "/" ? "" : o.rootfs}${w.mountpoint}`);
    out.add("node_filesystem_device_error", "Whether an error occurred while getting statistics for the given device.", "gauge", s ? 0 : 1, l);
    out.add("node_filesystem_readonly", "Filesystem read-only status.", "gauge", w.ro ? 1 : 0, l);
    if (!s) continue;
    const [size, used, avail, files, filesFree] = s as [number, number, number, number, number];
    out.add("node_filesystem_size_bytes", "Filesystem size in bytes.", "gauge", size, l);
    out.add("node_filesystem_free_bytes", "Filesystem free space in bytes.", "gauge", size - used, l);
    out.add("node_filesystem_avail_bytes", "Filesystem space available to non-root users in bytes.", "gauge", avail, l);
    out.add("node_filesystem_files", "Filesystem total file nodes.", "gauge", files, l);
    out.add("node_filesystem_files_free", "Filesystem total free file nodes.", "gauge", filesFree, l);
  }
};

/** /proc/mounts escapes space, tab, newline and backslash as octal. */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export const CORE_COLLECTORS: Record<string, Collector> = {
  cpu,
  diskstats,
  filesystem,
  loadavg,
  meminfo,
  netdev,
  netstat,
  stat,
  time,
  uname,
  vmstat,
};
