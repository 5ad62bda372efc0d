// The collectors prometheus.exporter.unix runs, by node_exporter's names, and node_exporter's default
// set on Linux (the one Alloy enables when set_collectors is empty).

import { bcache } from "./bcache.ts";
import { btrfs } from "./btrfs.ts";
import type { Collector } from "./common.ts";
import { CORE_COLLECTORS } from "./core.ts";
import { cpufreq, dmi, edac, powersupplyclass, rapl, thermal_zone, watchdog } from "./hardware.ts";
import { hwmon } from "./hwmon.ts";
import { infiniband } from "./infiniband.ts";
import { entropy, filefd, pressure, schedstat, selinux } from "./kernel.ts";
import { ipvs } from "./ipvs.ts";
import { mdadm } from "./mdadm.ts";
import { arp, bonding, conntrack, sockstat, softnet, udp_queues } from "./net.ts";
import { netclass } from "./netclass.ts";
import { nfs, nfsd } from "./nfs.ts";
import { os } from "./os-release.ts";
import { fibrechannel, nvme, tapestats } from "./storage-devices.ts";
import { textfile } from "./textfile.ts";
import { xfs } from "./xfs.ts";
import { zfs } from "./zfs.ts";

export const COLLECTORS: Record<string, Collector> = {
  ...CORE_COLLECTORS,
  arp,
  bcache,
  bonding,
  btrfs,
  conntrack,
  cpufreq,
  dmi,
  edac,
  entropy,
  fibrechannel,
  filefd,
  hwmon,
  infiniband,
  ipvs,
  mdadm,
  netclass,
  nfs,
  nfsd,
  nvme,
  os,
  powersupplyclass,
  pressure,
  rapl,
  schedstat,
  selinux,
  sockstat,
  softnet,
  tapestats,
  textfile,
  thermal_zone,
  udp_queues,
  watchdog,
  xfs,
  zfs,
};

/** node_exporter's collectors enabled by default (Linux, node_exporter 1.10 as vendored by Alloy). */
export const NODE_EXPORTER_DEFAULTS = [
  "arp", "bcache", "bonding", "btrfs", "conntrack", "cpu", "cpufreq", "diskstats", "dmi", "edac", "entropy", "fibrechannel", "filefd",
  "filesystem", "hwmon", "infiniband", "ipvs", "loadavg", "mdadm", "meminfo", "netclass", "netdev", "netstat", "nfs", "nfsd", "nvme",
  "os", "powersupplyclass", "pressure", "rapl", "schedstat", "selinux", "sockstat", "softnet", "stat", "tapestats", "textfile",
  "thermal_zone", "time", "timex", "udp_queues", "uname", "vmstat", "watchdog", "xfs", "zfs",
];
