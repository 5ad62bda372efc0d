// prometheus.exporter.unix on hardware this machine does not have, and on textfile directories: a
// made-up /sys tree (hwmon chips behind device symlinks, thermal zones, batteries, cpufreq, EDAC, DMI,
// RAPL, a network interface) and *.prom files, read by alloy-ts (sysfs_path, textfile { directory })
// and by the real node_exporter (--path.sysfs, --collector.textfile.directory), whose outputs must
// agree. The textfile collector's own rules (bad files, help clashes, mtimes) are checked on alloy-ts.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { makeTempDir } from "../../helpers/tmp.ts";
import { type Peers, startPeers } from "./exporter-unix-peers.ts";
// Collectors that read only the fixture tree (node_exporter 1.5.0, Debian's, knows these).
const SYSFS_COLLECTORS = ["bcache", "bonding", "btrfs", "cpufreq", "dmi", "edac", "fibrechannel", "hwmon", "infiniband", "ipvs", "mdadm", "netclass", "nfs", "nfsd", "nvme", "powersupplyclass", "rapl", "tapestats", "thermal_zone", "xfs", "zfs"];
const COMPARED = [...SYSFS_COLLECTORS, "textfile"];

/** Writes files (path -> content) and symlinks (path -> "->target") under root. */
function tree(root: string, entries: Record<string, string>): void {
  for (const [path, content] of Object.entries(entries)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    if (content.startsWith("->")) symlinkSync(content.slice(2), full);
    else if (content === "/") mkdirSync(full, { recursive: true });
    else writeFileSync(full, content);
  }
}

function buildSysfs(sys: string): void {
  tree(sys, {
    // A CPU sensor chip whose device link names it (platform_coretemp_0), and a chip without one.
    "devices/platform/coretemp.0/uevent": "DRIVER=coretemp\n",
    "devices/platform/coretemp.0/hwmon/hwmon0/name": "coretemp\n",
    "devices/platform/coretemp.0/hwmon/hwmon0/temp1_input": "45000\n",
    "devices/platform/coretemp.0/hwmon/hwmon0/temp1_label": "Core 0\n",
    "devices/platform/coretemp.0/hwmon/hwmon0/temp1_crit": "100000\n",
    "devices/platform/coretemp.0/hwmon/hwmon0/temp1_crit_alarm": "0\n",
    "devices/platform/coretemp.0/hwmon/hwmon0/fan1_input": "1200\n",
    "devices/platform/coretemp.0/hwmon/hwmon0/in0_input": "1150\n",
    "devices/platform/coretemp.0/hwmon/hwmon0/curr1_input": "500\n",
    "devices/platform/coretemp.0/hwmon/hwmon0/power1_average": "15000000\n",
    "devices/platform/coretemp.0/hwmon/hwmon0/device": "->../../../coretemp.0",
    "class/hwmon/hwmon0": "->../../devices/platform/coretemp.0/hwmon/hwmon0",
    "devices/virtual/thermal/thermal_zone0/hwmon1/name": "acpitz\n",
    "devices/virtual/thermal/thermal_zone0/hwmon1/temp1_input": "27800\n",
    "class/hwmon/hwmon1": "->../../devices/virtual/thermal/thermal_zone0/hwmon1",
    "class/thermal/thermal_zone0/type": "x86_pkg_temp\n",
    "class/thermal/thermal_zone0/policy": "step_wise\n",
    "class/thermal/thermal_zone0/temp": "45000\n",
    "class/thermal/cooling_device0/type": "Processor\n",
    "class/thermal/cooling_device0/max_state": "3\n",
    "class/thermal/cooling_device0/cur_state": "1\n",
    "class/power_supply/BAT0/type": "Battery\n",
    "class/power_supply/BAT0/status": "Discharging\n",
    "class/power_supply/BAT0/capacity": "85\n",
    "class/power_supply/BAT0/energy_now": "40000000\n",
    "class/power_supply/BAT0/voltage_now": "12000000\n",
    "class/power_supply/BAT0/manufacturer": "ACME\n",
    "class/power_supply/BAT0/model_name": "B1\n",
    "class/power_supply/BAT0/technology": "Li-ion\n",
    "class/power_supply/BAT0/present": "1\n",
    "class/power_supply/BAT0/cycle_count": "12\n",
    "class/power_supply/AC/type": "Mains\n",
    "class/power_supply/AC/online": "1\n",
    "devices/system/cpu/offline": "\n",
    "devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq": "3000000\n",
    "devices/system/cpu/cpu0/cpufreq/cpuinfo_min_freq": "800000\n",
    "devices/system/cpu/cpu0/cpufreq/cpuinfo_transition_latency": "0\n",
    "devices/system/cpu/cpu0/cpufreq/scaling_cur_freq": "1800000\n",
    "devices/system/cpu/cpu0/cpufreq/scaling_max_freq": "3000000\n",
    "devices/system/cpu/cpu0/cpufreq/scaling_min_freq": "800000\n",
    "devices/system/cpu/cpu0/cpufreq/scaling_governor": "powersave\n",
    "devices/system/cpu/cpu0/cpufreq/scaling_available_governors": "performance powersave\n",
    "devices/system/cpu/cpu0/cpufreq/scaling_driver": "intel_pstate\n",
    "devices/system/cpu/cpu0/cpufreq/related_cpus": "0\n",
    "devices/system/cpu/cpu0/cpufreq/scaling_setspeed": "<unsupported>\n",
    "devices/system/cpu/cpu1/online": "1\n",
    "devices/system/edac/mc/mc0/ce_count": "3\n",
    "devices/system/edac/mc/mc0/ce_noinfo_count": "1\n",
    "devices/system/edac/mc/mc0/ue_count": "0\n",
    "devices/system/edac/mc/mc0/ue_noinfo_count": "0\n",
    "devices/system/edac/mc/mc0/csrow0/ce_count": "2\n",
    "devices/system/edac/mc/mc0/csrow0/ue_count": "0\n",
    "class/dmi/id/bios_vendor": "ACME\n",
    "class/dmi/id/bios_version": "1.0.7\n",
    "class/dmi/id/product_name": "Box 9000\n",
    "class/dmi/id/sys_vendor": "ACME Corp\n",
    "class/dmi/id/modalias": "dmi:bvnACME:\n",
    "class/powercap/intel-rapl:0/name": "package-0\n",
    "class/powercap/intel-rapl:0/energy_uj": "123456789\n",
    "class/powercap/intel-rapl:0/max_energy_range_uj": "262143328850\n",
    "class/powercap/intel-rapl:0:0/name": "core\n",
    "class/powercap/intel-rapl:0:0/energy_uj": "5000000\n",
    "class/powercap/intel-rapl:0:0/max_energy_range_uj": "262143328850\n",
    "class/net/bonding_masters": "bond0\n",
    "class/net/bond0/operstate": "up\n",
    "class/net/bond0/bonding/slaves": "eth1 eth2\n",
    "class/net/bond0/lower_eth1/bonding_slave/mii_status": "up\n",
    "class/net/bond0/slave_eth2/bonding_slave/mii_status": "down\n",
    "block/md1/md/level": "raid1\n",
    "block/md1/md/array_state": "clean\n",
    "block/md1/md/metadata_version": "1.2\n",
    "block/md1/md/raid_disks": "2\n",
    "block/md1/md/uuid": "0f6d-aa\n",
    "block/md1/md/degraded": "0\n",
    "block/md1/md/sync_action": "idle\n",
    "block/md1/md/sync_completed": "none\n",
    "block/md1/md/dev-sda1/state": "in_sync\n",
    "block/md2/md/level": "raid5\n",
    "block/md2/md/array_state": "clean\n",
    "block/md2/md/metadata_version": "1.2\n",
    "block/md2/md/raid_disks": "3\n",
    "block/md2/md/uuid": "0f6d-bb\n",
    "block/md2/md/chunk_size": "524288\n",
    "block/md2/md/degraded": "1\n",
    "block/md2/md/sync_action": "recover\n",
    "block/md2/md/sync_completed": "332072960 / 3906764800\n",
    "devices/virtual/net/veth7/operstate": "up\n",
    "devices/virtual/net/veth7/address": "aa:bb:cc:dd:ee:ff\n",
    "devices/virtual/net/veth7/broadcast": "ff:ff:ff:ff:ff:ff\n",
    "devices/virtual/net/veth7/duplex": "full\n",
    "devices/virtual/net/veth7/ifalias": "uplink\n",
    "devices/virtual/net/veth7/carrier": "1\n",
    "devices/virtual/net/veth7/carrier_changes": "4\n",
    "devices/virtual/net/veth7/flags": "0x1003\n",
    "devices/virtual/net/veth7/ifindex": "7\n",
    "devices/virtual/net/veth7/iflink": "6\n",
    "devices/virtual/net/veth7/mtu": "9000\n",
    "devices/virtual/net/veth7/speed": "10000\n",
    "devices/virtual/net/veth7/tx_queue_len": "1000\n",
    "devices/virtual/net/veth7/type": "1\n",
    "class/net/veth7": "->../../devices/virtual/net/veth7",
    "class/nvme/nvme0/firmware_rev": "1B2QEXM7\n",
    "class/nvme/nvme0/model": "Samsung SSD 970 PRO 512GB\n",
    "class/nvme/nvme0/serial": "S680HF8N190894I\n",
    "class/nvme/nvme0/state": "live\n",
    "class/nvme/nvme0/cntlid": "1795\n",
    "class/scsi_tape/st0/stats/in_flight": "1\n",
    "class/scsi_tape/st0/stats/io_ns": "9247011087720\n",
    "class/scsi_tape/st0/stats/other_cnt": "1409\n",
    "class/scsi_tape/st0/stats/read_byte_cnt": "979383912\n",
    "class/scsi_tape/st0/stats/read_cnt": "3741\n",
    "class/scsi_tape/st0/stats/read_ns": "33788355744\n",
    "class/scsi_tape/st0/stats/resid_cnt": "19\n",
    "class/scsi_tape/st0/stats/write_byte_cnt": "1496246784000\n",
    "class/scsi_tape/st0/stats/write_cnt": "53772916\n",
    "class/scsi_tape/st0/stats/write_ns": "5233597394395\n",
    "class/scsi_tape/st0m/stats/in_flight": "0\n",
    "fs/xfs/sda1/stats/stats": [
      "extent_alloc 1 872 0 0",
      "abt 0 0 0 0",
      "blk_map 61 29 1 1 1 91 0",
      "bmbt 0 0 0 0",
      "dir 3 2 1 52",
      "trans 4 40 0",
      "ig 5 1 0 4 0 0 0",
      "log 8 21 0 0 0",
      "rw 28 2",
      "vnodes 4 0 0 0 23 23 23 0",
      "xpc 399724544 92823103 86219234",
      "",
    ].join("\n"),
    "fs/xfs/stats/stats": "extent_alloc 9 9 9 9\n",
    "class/fc_host/host0/speed": "16 Gbit\n",
    "class/fc_host/host0/port_state": "Online\n",
    "class/fc_host/host0/port_type": "Point-To-Point (direct nport connection)\n",
    "class/fc_host/host0/port_id": "0x000002\n",
    "class/fc_host/host0/port_name": "0x1000e0071bce95f2\n",
    "class/fc_host/host0/node_name": "0x2000e0071bce95f2\n",
    "class/fc_host/host0/fabric_name": "0x0\n",
    "class/fc_host/host0/symbolic_name": "Emulex SN1100E2P FV12.4.270.3 DV12.4.0.0. HN:gotest. OS:Linux\n",
    "class/fc_host/host0/supported_classes": "Class 3\n",
    "class/fc_host/host0/supported_speeds": "4 Gbit, 8 Gbit, 16 Gbit\n",
    "class/fc_host/host0/dev_loss_tmo": "30\n",
    "class/fc_host/host0/statistics/dumped_frames": "0xffffffffffffffff\n",
    "class/fc_host/host0/statistics/error_frames": "0x0\n",
    "class/fc_host/host0/statistics/fcp_packet_aborts": "0x13\n",
    "class/fc_host/host0/statistics/invalid_crc_count": "0x2\n",
    "class/fc_host/host0/statistics/invalid_tx_word_count": "0x8\n",
    "class/fc_host/host0/statistics/link_failure_count": "0x9\n",
    "class/fc_host/host0/statistics/loss_of_signal_count": "0x11\n",
    "class/fc_host/host0/statistics/loss_of_sync_count": "0x10\n",
    "class/fc_host/host0/statistics/nos_count": "0x12\n",
    "class/fc_host/host0/statistics/rx_frames": "0x3\n",
    "class/fc_host/host0/statistics/rx_words": "0x4\n",
    "class/fc_host/host0/statistics/seconds_since_last_reset": "0x7\n",
    "class/fc_host/host0/statistics/tx_frames": "0x5\n",
    "class/fc_host/host0/statistics/tx_words": "0x6\n",
    "class/fc_host/host0/statistics/reset_statistics": "",
    "class/infiniband/mlx4_0/fw_ver": "2.31.5050\n",
    "class/infiniband/mlx4_0/board_id": "SM_1141000001000\n",
    "class/infiniband/mlx4_0/hca_type": "MT4099\n",
    "class/infiniband/mlx4_0/ports/1/state": "4: ACTIVE\n",
    "class/infiniband/mlx4_0/ports/1/phys_state": "5: LinkUp\n",
    "class/infiniband/mlx4_0/ports/1/rate": "40 Gb/sec (4X QDR)\n",
    "class/infiniband/mlx4_0/ports/1/counters/link_downed": "0\n",
    "class/infiniband/mlx4_0/ports/1/counters/link_error_recovery": "3\n",
    "class/infiniband/mlx4_0/ports/1/counters/port_rcv_data": "2221223609\n",
    "class/infiniband/mlx4_0/ports/1/counters/port_xmit_data": "26509113295\n",
    "class/infiniband/mlx4_0/ports/1/counters/port_rcv_packets": "N/A (no PMA)\n",
    "class/infiniband/mlx4_0/ports/1/counters/symbol_error": "0\n",
    "class/infiniband/mlx4_0/ports/1/counters/VL15_dropped": "2\n",
    "class/infiniband/mlx4_0/ports/1/counters_ext/port_rcv_data_64": "2221223609\n",
    "class/infiniband/mlx4_0/ports/1/counters_ext/port_xmit_packets_64": "85734114\n",
    "class/infiniband/mlx4_0/ports/2/state": "1: DOWN\n",
    "class/infiniband/mlx4_0/ports/2/phys_state": "3: Disabled\n",
    "class/infiniband/mlx4_0/ports/2/rate": "10 Gb/sec (4X)\n",
    "class/infiniband/mlx4_0/ports/2/counters/link_downed": "1\n",
    "fs/btrfs/features/raid1c34": "0\n",
    "fs/btrfs/0abb23a9-9aab-4d2e-9ea6-4ce9d7a9d5b3/label": "fixture\n",
    "fs/btrfs/0abb23a9-9aab-4d2e-9ea6-4ce9d7a9d5b3/features/extended_iref": "0\n",
    "fs/btrfs/0abb23a9-9aab-4d2e-9ea6-4ce9d7a9d5b3/devices/loop25/size": "20971520\n",
    "fs/btrfs/0abb23a9-9aab-4d2e-9ea6-4ce9d7a9d5b3/devices/loop26/size": "20971520\n",
    "fs/btrfs/0abb23a9-9aab-4d2e-9ea6-4ce9d7a9d5b3/allocation/global_rsv_size": "16777216\n",
    "fs/btrfs/0abb23a9-9aab-4d2e-9ea6-4ce9d7a9d5b3/allocation/data/bytes_reserved": "0\n",
    "fs/btrfs/0abb23a9-9aab-4d2e-9ea6-4ce9d7a9d5b3/allocation/data/raid5/total_bytes": "2147483648\n",
    "fs/btrfs/0abb23a9-9aab-4d2e-9ea6-4ce9d7a9d5b3/allocation/data/raid5/used_bytes": "808189952\n",
    "fs/btrfs/0abb23a9-9aab-4d2e-9ea6-4ce9d7a9d5b3/allocation/metadata/bytes_reserved": "4096\n",
    "fs/btrfs/0abb23a9-9aab-4d2e-9ea6-4ce9d7a9d5b3/allocation/metadata/raid1/total_bytes": "1073741824\n",
    "fs/btrfs/0abb23a9-9aab-4d2e-9ea6-4ce9d7a9d5b3/allocation/metadata/raid1/used_bytes": "933888\n",
    "fs/btrfs/0abb23a9-9aab-4d2e-9ea6-4ce9d7a9d5b3/allocation/system/bytes_reserved": "0\n",
    "fs/btrfs/0abb23a9-9aab-4d2e-9ea6-4ce9d7a9d5b3/allocation/system/raid1/total_bytes": "8388608\n",
    "fs/btrfs/0abb23a9-9aab-4d2e-9ea6-4ce9d7a9d5b3/allocation/system/raid1/used_bytes": "16384\n",
    "fs/btrfs/0abb23a9-9aab-4d2e-9ea6-4ce9d7a9d5b3/commit_stats": "commits 258051\nlast_commit_ms 1000\nmax_commit_ms 51462\ntotal_commit_ms 47836090\n",
    "fs/bcache/deaddd54-c735-46d5-868e-f331c5fd7c74/average_key_size": "0\n",
    "fs/bcache/deaddd54-c735-46d5-868e-f331c5fd7c74/btree_cache_size": "0\n",
    "fs/bcache/deaddd54-c735-46d5-868e-f331c5fd7c74/cache_available_percent": "100\n",
    "fs/bcache/deaddd54-c735-46d5-868e-f331c5fd7c74/congested": "0\n",
    "fs/bcache/deaddd54-c735-46d5-868e-f331c5fd7c74/root_usage_percent": "0\n",
    "fs/bcache/deaddd54-c735-46d5-868e-f331c5fd7c74/tree_depth": "0\n",
    "fs/bcache/deaddd54-c735-46d5-868e-f331c5fd7c74/internal/active_journal_entries": "1\n",
    "fs/bcache/deaddd54-c735-46d5-868e-f331c5fd7c74/internal/btree_nodes": "2\n",
    "fs/bcache/deaddd54-c735-46d5-868e-f331c5fd7c74/internal/btree_read_average_duration_us": "1305\n",
    "fs/bcache/deaddd54-c735-46d5-868e-f331c5fd7c74/internal/cache_read_races": "0\n",
    "fs/bcache/deaddd54-c735-46d5-868e-f331c5fd7c74/bdev0/dirty_data": "1.2M\n",
    "fs/bcache/deaddd54-c735-46d5-868e-f331c5fd7c74/bdev0/stats_total/bypassed": "0\n",
    "fs/bcache/deaddd54-c735-46d5-868e-f331c5fd7c74/bdev0/stats_total/cache_hits": "546\n",
    "fs/bcache/deaddd54-c735-46d5-868e-f331c5fd7c74/bdev0/stats_total/cache_misses": "3\n",
    "fs/bcache/deaddd54-c735-46d5-868e-f331c5fd7c74/bdev0/stats_total/cache_bypass_hits": "0\n",
    "fs/bcache/deaddd54-c735-46d5-868e-f331c5fd7c74/bdev0/stats_total/cache_bypass_misses": "0\n",
    "fs/bcache/deaddd54-c735-46d5-868e-f331c5fd7c74/bdev0/stats_total/cache_miss_collisions": "0\n",
    "fs/bcache/deaddd54-c735-46d5-868e-f331c5fd7c74/bdev0/stats_total/cache_readaheads": "13\n",
    "fs/bcache/deaddd54-c735-46d5-868e-f331c5fd7c74/bdev0/stats_five_minute/cache_hits": "1\n",
    "fs/bcache/deaddd54-c735-46d5-868e-f331c5fd7c74/cache0/io_errors": "0\n",
    "fs/bcache/deaddd54-c735-46d5-868e-f331c5fd7c74/cache0/metadata_written": "512\n",
    "fs/bcache/deaddd54-c735-46d5-868e-f331c5fd7c74/cache0/written": "1.5k\n",
    "fs/bcache/deaddd54-c735-46d5-868e-f331c5fd7c74/bdev0/writeback_rate_debug": "rate:\t\t1.1M/sec\ndirty:\t\t20.4G\ntarget:\t\t20.4G\nproportional:\t-427.5k\nintegral:\t790.0k\nchange:\t\t321.5k/sec\nnext io:\t17ms\n",
    "fs/bcache/deaddd54-c735-46d5-868e-f331c5fd7c74/cache0/priority_stats": "Unused:\t\t99%\nMetadata:\t0%\nAverage:\t10473\nSectors per Q:\t64\nQuantiles:\t[0 0 0 0]\n",
    "class/watchdog/watchdog0/bootstatus": "0\n",
    "class/watchdog/watchdog0/identity": "iTCO_wdt\n",
    "class/watchdog/watchdog0/state": "inactive\n",
    "class/watchdog/watchdog0/timeout": "30\n",
    "class/watchdog/watchdog0/nowayout": "0\n",
  });
}

function buildProcfs(proc: string): void {
  tree(proc, {
    mdstat: `Personalities : [raid1] [raid6] [raid5] [raid4]
md1 : active raid1 sdb1[1] sda1[0]
      1953382464 blocks super 1.2 [2/2] [UU]
      bitmap: 0/15 pages [0KB], 65536KB chunk

md2 : active raid5 sdd1[3](S) sdc1[2] sdb2[1] sda2[0](F)
      3906764800 blocks super 1.2 level 5, 512k chunk, algorithm 2 [3/2] [_UU]
      [=>...................]  recovery =  8.5% (166036480/1953382400) finish=196.1min speed=151832K/sec

md3 : inactive sde1[0](S)
      976630464 blocks super 1.2

unused devices: <none>
`,
    "net/rpc/nfs": [
      "net 18628 0 18628 6",
      "rpc 4329785 0 4338291",
      "proc2 18 2 69 0 0 4410 0 0 0 0 0 0 0 0 0 0 0 99 2",
      "proc3 22 1 4084749 29200 94754 32580 186 47747 7981 8639 0 6356 0 6962 0 7958 0 0 241 4 4 2 39",
      `proc4 61 ${Array.from({ length: 61 }, (_, i) => i * 3).join(" ")}`,
      "",
    ].join("\n"),
    "net/rpc/nfsd": [
      "rc 0 6 18622",
      "fh 0 0 0 0 0",
      "io 157286400 72",
      "th 8 0 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000",
      "ra 32 0 0 0 0 0 0 0 0 0 0 5",
      "net 18628 0 18628 6",
      "rpc 18628 1 2 3 4",
      "proc2 18 2 69 0 0 4410 0 0 0 0 0 0 0 0 0 0 0 99 2",
      "proc3 22 2 112 0 2719 111 0 0 0 0 0 0 0 0 0 0 0 27 216 0 2 1 0",
      "proc4 2 2 10853",
      `proc4ops 72 ${Array.from({ length: 72 }, (_, i) => i).join(" ")}`,
      "",
    ].join("\n"),
    "spl/kstat/zfs/arcstats": [
      "6 1 0x01 91 4368 5266997922 97951858082072",
      "name                            type data",
      "hits                            4    8772612",
      "misses                          4    604635",
      "arc_no_grow                     4    0",
      "memory_available_bytes          3    -922337203",
      "",
    ].join("\n"),
    "spl/kstat/zfs/zil": ["7 1 0x01 13 624 5266997922 97951858082072", "name                            type data", "zil_commit_count                4    10", ""].join("\n"),
    "spl/kstat/zfs/pool1/io": [
      "12 3 0x00 1 80 79205351707403 395818011156865",
      "nread    nwritten reads    writes   wtime    wlentime wupdate  rtime    rlentime rupdate  wcnt     rcnt",
      "1884160  3206144  22       132      7155162  104112268344 104112268344 104112268344 104112268344 104112268344 0 0",
      "",
    ].join("\n"),
    "spl/kstat/zfs/pool1/objset-0x36": [
      "23 1 0x01 7 2160 221578688875 6665999035587",
      "name                            type data",
      "dataset_name                    7    pool1/dataset1",
      "writes                          4    4",
      "nwritten                        4    33",
      "",
    ].join("\n"),
    "spl/kstat/zfs/pool1/state": "ONLINE\n",
    "net/ip_vs_stats": `   Total Incoming Outgoing         Incoming         Outgoing
   Conns  Packets  Packets            Bytes            Bytes
 23765872 16D1E6E8        0      12EA9CE9D3C              0

 Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s
       4    1FB3C        0          1282A8F              0
`,
    "net/ip_vs": `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port Forward Weight ActiveConn InActConn
TCP  C0A80016:0CEA wlc
  -> C0A85216:0CEA      Tunnel  100    248        2
  -> C0A85318:0CEA      Tunnel  100    248        2
TCP  [2620:0000:0000:0000:0000:0000:0000:0001]:0050 sh
  -> [2620:0000:0000:0000:0000:0000:0000:0002]:0050      Route   1      0          0
FWM  10001000 wlc
  -> C0A8321A:0CEA      Route   0      0          1
  -> C0A8321A:0CEA      Route   2      1          1
`,
  });
}

const GOOD_PROM = `# HELP backup_last_success_timestamp_seconds Last successful backup.
# TYPE backup_last_success_timestamp_seconds gauge
backup_last_success_timestamp_seconds{job="db"} 1.7e9
backup_last_success_timestamp_seconds{job="files",extra="x"} 12
# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.5"} 0.01
rpc_duration_seconds{quantile="0.99"} 0.2
rpc_duration_seconds_sum 17
rpc_duration_seconds_count 100
# TYPE request_size_bytes histogram
request_size_bytes_bucket{le="100"} 3
request_size_bytes_bucket{le="1000"} 5
request_size_bytes_sum 2500
request_size_bytes_count 6
# HELP escaped_help A help with a \\\\ backslash and a \\n newline.
escaped_help{path="C:\\\\dir",quote="say \\"hi\\""} -Inf
plain_untyped 42
`;
// Each of these is refused whole by expfmt's parser (node_textfile_scrape_error 1).
const BAD_PROMS: Record<string, string> = {
  "syntax.prom": "broken{ 1\n",
  "trailing-blank.prom": "trailing_blank 1 \n",
  "no-newline.prom": "no_newline 1",
  "timestamp.prom": "with_timestamp 1 1700000000000\n",
  "second-type.prom": "# TYPE twice gauge\n# TYPE twice counter\ntwice 1\n",
};

interface Family {
  help: string;
  type: string;
  lines: string[];
}

function parse(text: string): Map<string, Family> {
  const out = new Map<string, Family>();
  let current: Family | undefined;
  for (const line of text.split("\n")) {
    let m = /^# HELP (\S+) (.*)$/.exec(line);
    if (m) {
      out.set(m[1]!, (current = { help: m[2]!, type: "", lines: [] }));
      continue;
    }
    m = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (m) {
      current!.type = m[2]!;
      continue;
    }
    if (line !== "") current!.lines.push(line);
  }
  return out;
}

async function scrape(url: string): Promise<Map<string, Family>> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  return parse(await res.text());
}

const sample = (f: Map<string, Family>, line: string) => f.get(line.replace(/[{ ].*$/, ""))?.lines.find((l) => l.startsWith(line));

describe("prometheus.exporter.unix on fixtures, against node_exporter", { timeout: 120_000 }, () => {
  const dir = makeTempDir("alloy-ts-unix-fixtures-");
  const sys = join(dir.path, "sys");
  const proc = join(dir.path, "proc");
  const prom = join(dir.path, "textfiles");
  const clean = join(dir.path, "clean-textfiles");
  const clash = join(dir.path, "clash-textfiles");
  let peers: Peers | undefined;
  let theirs = new Map<string, Family>();
  let ours = new Map<string, Family>();
  let alloyBase = "";

  before(async () => {
    buildSysfs(sys);
    buildProcfs(proc);
    mkdirSync(prom);
    writeFileSync(join(prom, "good.prom"), GOOD_PROM);
    for (const [name, text] of Object.entries(BAD_PROMS)) writeFileSync(join(prom, name), text);
    writeFileSync(join(prom, "ignored.txt"), "not_a_prom_file 1\n");
    utimesSync(join(prom, "good.prom"), 1_700_000_000, 1_700_000_000);
    mkdirSync(clean);
    writeFileSync(join(clean, "ok.prom"), "ok_metric 1\n");
    utimesSync(join(clean, "ok.prom"), 1_650_000_000.75, 1_650_000_000.75);
    mkdirSync(clash);
    writeFileSync(join(clash, "a.prom"), "# HELP shared_metric First help.\nshared_metric{f=\"a\"} 1\n");
    writeFileSync(join(clash, "b.prom"), "# HELP shared_metric Second help.\nshared_metric{f=\"b\"} 2\n");
    writeFileSync(join(clash, "c.prom"), "# HELP shared_metric First help.\nshared_metric{f=\"c\"} 3\nonly_c 1\n");

    peers = await startPeers(
      dir.path,
      [`--path.sysfs=${sys}`, `--path.procfs=${proc}`, "--collector.bcache.priorityStats", "--collector.disable-defaults", ...COMPARED.map((c) => `--collector.${c}`), `--collector.textfile.directory=${prom}`],
      `prometheus.exporter.unix "fixtures" {
  set_collectors = ${JSON.stringify([...COMPARED, "watchdog"])}
  sysfs_path     = ${JSON.stringify(sys)}
  procfs_path    = ${JSON.stringify(proc)}
  bcache {
    priority_stats = true
  }
  textfile {
    directory = ${JSON.stringify(prom)}
  }
}
prometheus.exporter.unix "clean" {
  set_collectors = ["textfile"]
  textfile {
    directory = ${JSON.stringify(join(dir.path, "clean-*"))}
  }
}
prometheus.exporter.unix "clash" {
  set_collectors = ["textfile"]
  textfile {
    directory = ${JSON.stringify(clash)}
  }
}
prometheus.exporter.unix "missing" {
  set_collectors = ["textfile", "hwmon", "powersupplyclass", "dmi", "rapl", "watchdog"]
  sysfs_path     = ${JSON.stringify(join(dir.path, "no-sys"))}
  textfile {
    directory = ${JSON.stringify(join(dir.path, "no-such-dir"))}
  }
}
prometheus.exporter.unix "filtered" {
  set_collectors = ["hwmon", "netclass", "powersupplyclass"]
  sysfs_path     = ${JSON.stringify(sys)}
  hwmon {
    chip_exclude = "coretemp"
  }
  netclass {
    ignored_devices = "^(veth|bond)"
  }
  powersupply {
    ignored_supplies = "^BAT"
  }
}
`,
    );
    alloyBase = peers.alloyBase;
    [ours, theirs] = await Promise.all([scrape(`${alloyBase}.fixtures/metrics`), scrape(peers.nodeExporterUrl)]);
  });

  after(async () => {
    await peers?.stop();
    dir.cleanup();
  });

  const compared = (name: string) => !name.startsWith("node_scrape_collector_duration") && !name.startsWith("node_exporter_") && !/^(go|process|promhttp)_/.test(name);
  // node_exporter 1.10 (Alloy's) adds what 1.5.0 (Debian's) lacks: the adminstate label of
  // node_network_info, node_cpu_scaling_governor, mdadm's figures from /sys, signed ZFS kstats, btrfs
  // commit statistics and the watchdog collector.
  const NEWER = new Set([
    "node_network_info",
    "node_cpu_scaling_governor",
    "node_md_raid_disks",
    "node_md_degraded",
    "node_zfs_arc_memory_available_bytes",
    "node_btrfs_commits_total",
    "node_btrfs_commit_seconds_total",
    "node_btrfs_last_commit_seconds",
    "node_btrfs_max_commit_seconds",
  ]);
  const newer = (name: string) => name.startsWith("node_watchdog_") || NEWER.has(name);

  it("writes every family, sample and value as node_exporter does", () => {
    const names = [...theirs.keys()].filter(compared).sort();
    assert.ok(names.length > 40, `node_exporter read the fixtures (${names.length} families)`);
    assert.deepEqual([...ours.keys()].filter((n) => compared(n) && !newer(n)).sort(), names.filter((n) => !newer(n)));
    for (const name of names.filter((n) => !newer(n) && n !== "node_textfile_mtime_seconds")) {
      const [a, b] = [ours.get(name)!, theirs.get(name)!];
      if (name === "node_scrape_collector_success") a.lines = a.lines.filter((l) => !l.includes('"watchdog"'));
      // 1.10 knows the "suspended" pool state.
      if (name === "node_zfs_zpool_state") a.lines = a.lines.filter((l) => !l.includes('state="suspended"'));
      if (name === "node_nfs_requests_total") {
        // procfs (since 0.16) fixed the NFSv4 client's GetDeviceInfo/LayoutGet columns, which 1.5.0 swaps.
        const swapped = (l: string) => /method="(GetDeviceInfo|LayoutGet)",proto="4"/.test(l);
        assert.deepEqual(a.lines.filter(swapped), ['node_nfs_requests_total{method="GetDeviceInfo",proto="4"} 132', 'node_nfs_requests_total{method="LayoutGet",proto="4"} 135']);
        [a.lines, b.lines] = [a.lines.filter((l) => !swapped(l)), b.lines.filter((l) => !swapped(l))];
      }
      if (name === "node_nfsd_requests_total") {
        // procfs 0.19 reads NFSv4 server operations by their kernel numbers (1.5.0's older procfs
        // skipped SETCLIENTID*), and node_exporter 1.10 adds WdelegGetattr.
        const v4 = (l: string) => l.includes('proto="4"');
        const ops = a.lines.filter(v4);
        for (const [method, value] of [["Access", 3], ["SetClientID", 35], ["SetClientIDConfirm", 36], ["Verify", 37], ["Write", 38], ["RelLockOwner", 39], ["WdelegGetattr", 0]] as const) {
          assert.ok(ops.includes(`node_nfsd_requests_total{method="${method}",proto="4"} ${value}`), method);
        }
        assert.equal(ops.length, 36);
        [a.lines, b.lines] = [a.lines.filter((l) => !v4(l)), b.lines.filter((l) => !v4(l))];
      }
      assert.deepEqual([a.type, a.lines], [b.type, b.lines], name);
      // 1.10 writes "CPU" where 1.5.0 wrote "cpu" in cpufreq's help texts.
      if (name.startsWith("node_cpu_")) assert.equal(a.help.toLowerCase(), b.help.toLowerCase(), name);
      else assert.equal(a.help, b.help, name);
    }
  });

  it("reads every fixture collector's subsystem (so that the comparison above is not of empty outputs)", () => {
    for (const c of SYSFS_COLLECTORS) assert.ok(sample(ours, `node_scrape_collector_success{collector="${c}"} 1`), c);
    for (const family of ["node_bcache_dirty_data_bytes", "node_bcache_priority_stats_unused_percent", "node_btrfs_allocation_ratio", "node_fibrechannel_info", "node_infiniband_port_data_received_bytes_total", "node_zfs_arc_hits", "node_zfs_zpool_nread", "node_zfs_zpool_dataset_writes", "node_zfs_zpool_state", "node_xfs_read_calls_total", "node_bonding_active", "node_md_blocks_synced", "node_nvme_info", "node_tape_io_now", "node_dmi_info", "node_rapl_package_joules_total"]) {
      assert.ok(ours.get(family)?.lines.length, family);
    }
    // Backends are summed by their labels: the two identical FWM backends become one series.
    assert.deepEqual(ours.get("node_ipvs_backend_weight")!.lines, [
      'node_ipvs_backend_weight{local_address="",local_mark="10001000",local_port="0",proto="FWM",remote_address="192.168.50.26",remote_port="3306"} 2',
      'node_ipvs_backend_weight{local_address="192.168.0.22",local_mark="",local_port="3306",proto="TCP",remote_address="192.168.82.22",remote_port="3306"} 100',
      'node_ipvs_backend_weight{local_address="192.168.0.22",local_mark="",local_port="3306",proto="TCP",remote_address="192.168.83.24",remote_port="3306"} 100',
      'node_ipvs_backend_weight{local_address="2620::1",local_mark="",local_port="80",proto="TCP",remote_address="2620::2",remote_port="80"} 1',
    ]);
  });

  it("reports node_exporter 1.10's additions", () => {
    const info = (f: Map<string, Family>) => f.get("node_network_info")!.lines.map((l) => l.replace(/adminstate="[a-z]+",/, "")).sort();
    assert.deepEqual(info(ours), info(theirs));
    assert.ok(sample(ours, 'node_network_info{address="aa:bb:cc:dd:ee:ff",adminstate="up"'));
    assert.deepEqual(ours.get("node_cpu_scaling_governor")!.lines, [
      'node_cpu_scaling_governor{cpu="0",governor="performance"} 0',
      'node_cpu_scaling_governor{cpu="0",governor="powersave"} 1',
    ]);
    assert.deepEqual(ours.get("node_md_degraded")!.lines, ['node_md_degraded{device="md1"} 0', 'node_md_degraded{device="md2"} 1']);
    assert.deepEqual(ours.get("node_md_raid_disks")!.lines, ['node_md_raid_disks{device="md1"} 2', 'node_md_raid_disks{device="md2"} 3']);
    assert.equal(sample(ours, "node_btrfs_commits_total{"), 'node_btrfs_commits_total{uuid="0abb23a9-9aab-4d2e-9ea6-4ce9d7a9d5b3"} 258051');
    assert.equal(sample(ours, "node_btrfs_max_commit_seconds{"), 'node_btrfs_max_commit_seconds{uuid="0abb23a9-9aab-4d2e-9ea6-4ce9d7a9d5b3"} 51.462');
    assert.equal(sample(ours, "node_zfs_arc_memory_available_bytes "), "node_zfs_arc_memory_available_bytes -9.22337203e+08");
    assert.equal(sample(ours, 'node_watchdog_timeout_seconds{name="watchdog0"}'), 'node_watchdog_timeout_seconds{name="watchdog0"} 30');
    assert.equal(
      sample(ours, "node_watchdog_info{"),
      'node_watchdog_info{identity="iTCO_wdt",name="watchdog0",options="",pretimeout_governor="",state="inactive",status=""} 1',
    );
  });

  it("names hwmon chips by their device link and reads sensors in base units", () => {
    assert.equal(sample(ours, 'node_hwmon_temp_celsius{chip="platform_coretemp_0"'), 'node_hwmon_temp_celsius{chip="platform_coretemp_0",sensor="temp1"} 45');
    assert.equal(sample(ours, 'node_hwmon_chip_names{chip="platform_coretemp_0"'), 'node_hwmon_chip_names{chip="platform_coretemp_0",chip_name="coretemp"} 1');
    // Without a device link the chip is named by its name file.
    assert.equal(sample(ours, 'node_hwmon_temp_celsius{chip="acpitz"'), 'node_hwmon_temp_celsius{chip="acpitz",sensor="temp1"} 27.8');
    assert.equal(sample(ours, "node_hwmon_power_average_watt{"), 'node_hwmon_power_average_watt{chip="platform_coretemp_0",sensor="power1"} 15');
  });

  it("serves the textfile metrics with node_exporter's mtimes and error flag", () => {
    assert.equal(sample(ours, "node_textfile_scrape_error "), "node_textfile_scrape_error 1");
    // Only the good file gets an mtime; the refused ones and other names are left out.
    assert.deepEqual(ours.get("node_textfile_mtime_seconds")!.lines, [`node_textfile_mtime_seconds{file="${join(prom, "good.prom")}"} 1.7e+09`]);
    assert.deepEqual(ours.get("node_textfile_mtime_seconds"), theirs.get("node_textfile_mtime_seconds"));
    assert.equal(ours.get("plain_untyped")!.help, `Metric read from ${join(prom, "good.prom")}`);
    assert.equal(ours.has("not_a_prom_file"), false);
    for (const name of ["broken", "trailing_blank", "no_newline", "with_timestamp", "twice"]) assert.equal(ours.has(name), false, name);
  });

  it("reports 0 for a clean directory found through a glob", async () => {
    const clean = await scrape(`${alloyBase}.clean/metrics`);
    assert.equal(sample(clean, "node_textfile_scrape_error "), "node_textfile_scrape_error 0");
    assert.deepEqual(clean.get("node_textfile_mtime_seconds")!.lines, [`node_textfile_mtime_seconds{file="${join(dir.path, "clean-textfiles", "ok.prom")}"} 1.65e+09`]);
    assert.deepEqual(clean.get("ok_metric")!.lines, ["ok_metric 1"]);
  });

  it("keeps the first help text of a metric and drops the files' families that disagree", async () => {
    const clash = await scrape(`${alloyBase}.clash/metrics`);
    assert.equal(sample(clash, "node_textfile_scrape_error "), "node_textfile_scrape_error 1");
    assert.equal(clash.get("shared_metric")!.help, "First help.");
    // b.prom disagrees and is left out; so is c.prom's, although it agrees with a.prom (node_exporter
    // 1.10's rule: once a clash is seen, later files' families of that name are dropped too).
    assert.deepEqual(clash.get("shared_metric")!.lines, ['shared_metric{f="a"} 1']);
    assert.deepEqual(clash.get("only_c")!.lines, ["only_c 1"]);
    // All three files parsed, so all three have an mtime.
    assert.equal(clash.get("node_textfile_mtime_seconds")!.lines.length, 3);
  });

  it("reports missing subsystems as node_exporter does: no metrics, success 0 where it says no data", async () => {
    const missing = await scrape(`${alloyBase}.missing/metrics`);
    assert.equal(sample(missing, "node_textfile_scrape_error "), "node_textfile_scrape_error 1");
    assert.deepEqual(missing.get("node_scrape_collector_success")!.lines, [
      'node_scrape_collector_success{collector="dmi"} 0',
      'node_scrape_collector_success{collector="hwmon"} 0',
      'node_scrape_collector_success{collector="powersupplyclass"} 0',
      'node_scrape_collector_success{collector="rapl"} 0',
      'node_scrape_collector_success{collector="textfile"} 1',
      'node_scrape_collector_success{collector="watchdog"} 0',
    ]);
  });

  it("applies the hwmon, netclass and powersupply blocks' filters", async () => {
    const filtered = await scrape(`${alloyBase}.filtered/metrics`);
    assert.deepEqual(filtered.get("node_hwmon_chip_names")!.lines, ['node_hwmon_chip_names{chip="acpitz",chip_name="acpitz"} 1']);
    assert.equal(filtered.has("node_network_up"), false);
    assert.deepEqual(filtered.get("node_power_supply_info")!.lines, ['node_power_supply_info{power_supply="AC",type="Mains"} 1']);
  });
});
