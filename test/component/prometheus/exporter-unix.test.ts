// prometheus.exporter.unix against the real node_exporter on the same machine: for the collectors
// alloy-ts implements, the same metric families, help texts, types, label names and label values,
// values that agree (exactly for constants, closely for counters) and the same collector successes.
// Hardware this machine lacks is compared on made-up /sys trees in exporter-unix-fixtures.test.ts. alloy-ts runs as `alloy run` (the CLI
// under the runtime running the test); its handler is reached on the component's HTTP path.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeTempDir } from "../../helpers/tmp.ts";
import { type Peers, startPeers } from "./exporter-unix-peers.ts";

// Every collector both know (node_exporter 1.5.0, Debian's, has no watchdog collector yet).
const COLLECTORS = [
  "arp", "bcache", "bonding", "btrfs", "conntrack", "cpu", "cpufreq", "diskstats", "dmi", "edac", "entropy", "fibrechannel", "filefd", "filesystem", "hwmon", "infiniband", "ipvs", "loadavg", "mdadm", "meminfo", "netclass",
  "netdev", "netstat", "nfs", "nfsd", "nvme", "os", "powersupplyclass", "pressure", "rapl", "schedstat", "selinux", "sockstat", "softnet", "stat", "tapestats", "textfile",
  "thermal_zone", "time", "udp_queues", "uname", "vmstat", "xfs", "zfs",
];
// What node_exporter 1.10 (Alloy's) writes and 1.5.0 does not: families, and labels of families.
const NEWER_FAMILIES = new Set(["node_softnet_backlog_len", "node_softnet_cpu_collision_total", "node_softnet_flow_limit_count_total", "node_softnet_received_rps_total"]);
const NEWER_LABELS: Record<string, string[]> = { node_network_info: ["adminstate"] };
// Debian's defaults differ from Alloy's for these; both sides get the same.
const MOUNT_POINTS_EXCLUDE = "^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";

interface Family {
  help: string;
  type: string;
  samples: { labels: Record<string, string>; value: number }[];
}

function parse(text: string): Map<string, Family> {
  const out = new Map<string, Family>();
  const family = (name: string) => {
    let f = out.get(name);
    if (!f) out.set(name, (f = { help: "", type: "", samples: [] }));
    return f;
  };
  for (const line of text.split("\n")) {
    let m = /^# HELP (\S+) (.*)$/.exec(line);
    if (m) {
      family(m[1]!).help = m[2]!;
      continue;
    }
    m = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (m) {
      family(m[1]!).type = m[2]!;
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    family(m[1]!).samples.push({ labels, value: Number(m[3]) });
  }
  return out;
}

const relevant = (name: string) =>
  name.startsWith("node_") && !name.startsWith("node_scrape_collector_") && !name.startsWith("node_exporter_") && !NEWER_FAMILIES.has(name) && !name.startsWith("node_watchdog_");
const labelSet = (name: string, f: Family) =>
  [...new Set(f.samples.map((s) => JSON.stringify(Object.fromEntries(Object.entries(s.labels).filter(([k]) => !NEWER_LABELS[name]?.includes(k)).sort()))))].sort();

describe("prometheus.exporter.unix against node_exporter", { timeout: 120_000 }, () => {
  const dir = makeTempDir("alloy-ts-unix-");
  let peers: Peers | undefined;
  let ours = new Map<string, Family>();
  let theirs = new Map<string, Family>();

  before(async () => {
    peers = await startPeers(
      dir.path,
      ["--collector.disable-defaults", ...COLLECTORS.map((c) => `--collector.${c}`), `--collector.filesystem.mount-points-exclude=${MOUNT_POINTS_EXCLUDE}`],
      `prometheus.exporter.unix "host" {
  set_collectors = ${JSON.stringify([...COLLECTORS, "watchdog"])}
  cpu {
    guest = true
  }
  filesystem {
    mount_points_exclude = ${JSON.stringify(MOUNT_POINTS_EXCLUDE)}
  }
}
`,
    );
    // Scrape both close together.
    const [a, b] = await Promise.all([fetch(`${peers.alloyBase}.host/metrics`).then((r) => r.text()), fetch(peers.nodeExporterUrl).then((r) => r.text())]);
    ours = parse(a);
    theirs = parse(b);
  });

  after(async () => {
    await peers?.stop();
    dir.cleanup();
  });

  it("exposes the same metric families with node_exporter's help texts and types", () => {
    const a = [...ours.keys()].filter(relevant).sort();
    const b = [...theirs.keys()].filter(relevant).sort();
    assert.ok(b.length > 80, `node_exporter exposes the collectors' families (${b.length})`);
    assert.deepEqual(a, b);
    for (const name of b) {
      assert.equal(ours.get(name)!.help, theirs.get(name)!.help, `help of ${name}`);
      assert.equal(ours.get(name)!.type, theirs.get(name)!.type, `type of ${name}`);
    }
  });

  it("uses the same labels and label values", () => {
    for (const name of [...theirs.keys()].filter(relevant)) {
      if (name === "node_time_zone_offset_seconds") continue; // zone names: Go's abbreviation vs Intl's
      assert.deepEqual(labelSet(name, ours.get(name)!), labelSet(name, theirs.get(name)!), `labels of ${name}`);
    }
    assert.deepEqual(Object.keys(ours.get("node_time_zone_offset_seconds")!.samples[0]!.labels), ["time_zone"]);
  });

  it("reports the same values (constants exactly, counters closely)", () => {
    const value = (m: Map<string, Family>, name: string, labels: Record<string, string> = {}) =>
      m.get(name)!.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))!.value;
    for (const name of ["node_memory_MemTotal_bytes", "node_boot_time_seconds", "node_filesystem_size_bytes"]) {
      assert.equal(value(ours, name), value(theirs, name), name);
    }
    const idle = (m: Map<string, Family>) => value(m, "node_cpu_seconds_total", { cpu: "0", mode: "idle" });
    assert.ok(Math.abs(idle(ours) - idle(theirs)) < 5, `idle seconds ${idle(ours)} vs ${idle(theirs)}`);
    assert.ok(Math.abs(value(ours, "node_time_seconds") - value(theirs, "node_time_seconds")) < 5);
    assert.ok(Math.abs(value(ours, "node_load1") - value(theirs, "node_load1")) < 5);
    assert.deepEqual(ours.get("node_uname_info")!.samples[0]!.labels, theirs.get("node_uname_info")!.samples[0]!.labels);
    for (const name of ["node_filefd_maximum", "node_entropy_pool_size_bits", "node_nf_conntrack_entries_limit", "node_os_version", "node_selinux_enabled"]) {
      assert.equal(value(ours, name), value(theirs, name), name);
    }
    assert.deepEqual(ours.get("node_os_info")!.samples[0]!.labels, theirs.get("node_os_info")!.samples[0]!.labels);
    assert.equal(value(ours, "node_network_mtu_bytes", { device: "lo" }), value(theirs, "node_network_mtu_bytes", { device: "lo" }));
  });

  it("reports each collector's success as node_exporter does (no data is 0, as for a missing subsystem)", () => {
    const success = (m: Map<string, Family>) =>
      Object.fromEntries(m.get("node_scrape_collector_success")!.samples.filter((s) => COLLECTORS.includes(s.labels.collector!)).map((s) => [s.labels.collector!, s.value]));
    assert.deepEqual(success(ours), success(theirs));
    assert.equal(Object.keys(success(ours)).length, COLLECTORS.length);
  });
});
