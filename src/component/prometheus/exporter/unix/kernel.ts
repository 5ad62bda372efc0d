// node_exporter's collectors of kernel-wide counters under /proc: filefd (sys/fs/file-nr), entropy
// (sys/kernel/random), pressure (pressure/{cpu,io,memory,irq}), schedstat (schedstat) and selinux
// (selinuxfs under /sys and /etc/selinux/config). Names, help texts and the "no data" cases are
// node_exporter 1.10's.

import type { Platform } from "../../../../platform/mod.ts";
import { type Collector, exists, isNotFound, NoDataError, read, tryRead } from "./common.ts";

export const filefd: Collector = async (platform, o, out) => {
  const path = `${o.procfs}/sys/fs/file-nr`;
  let text: string;
  try {
    text = await read(platform, path);
  } catch (e) {
    throw new Error(`couldn't get file-nr: ${(e as Error).message}`);
  }
  const parts = text.trim().split("\t");
  if (parts.length < 3) throw new Error(`couldn't get file-nr: unexpected number of file stats in "${path}"`);
  for (const [name, value] of [["allocated", parts[0]!], ["maximum", parts[2]!]] as const) {
    const v = Number(value);
    if (value === "" || Number.isNaN(v)) throw new Error(`invalid value ${value} in file-nr`);
    out.add(`node_filefd_${name}`, `File descriptor statistics: ${name}.`, "gauge", v);
  }
};

export const entropy: Collector = async (platform, o, out) => {
  const value = async (name: string): Promise<number | undefined> => {
    let text: string;
    try {
      text = await read(platform, `${o.procfs}/sys/kernel/random/${name}`);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw new Error(`failed to get kernel random stats: ${(e as Error).message}`);
    }
    const v = Number(text.trim());
    if (!/^\d+$/.test(text.trim())) throw new Error(`failed to get kernel random stats: invalid number ${JSON.stringify(text.trim())}`);
    return v;
  };
  const avail = await value("entropy_avail");
  if (avail === undefined) throw new Error("couldn't get entropy_avail");
  out.add("node_entropy_available_bits", "Bits of available entropy.", "gauge", avail);
  const pool = await value("poolsize");
  if (pool === undefined) throw new Error("couldn't get entropy poolsize");
  out.add("node_entropy_pool_size_bits", "Bits of entropy pool.", "gauge", pool);
};

interface PsiLine {
  total: number;
}

/** The "some" and "full" lines of a /proc/pressure file (total is in microseconds). */
function parsePsi(text: string): { some?: PsiLine; full?: PsiLine } {
  const out: { some?: PsiLine; full?: PsiLine } = {};
  for (const line of text.split("\n")) {
    const kind = line.split(" ")[0];
    if (kind !== "some" && kind !== "full") continue;
    const m = /^(?:some|full) avg10=([\d.]+) avg60=([\d.]+) avg300=([\d.]+) total=(\d+)/.exec(line);
    if (!m) throw new Error(`unexpected pressure line ${JSON.stringify(line)}`);
    out[kind] = { total: Number(m[4]) };
  }
  return out;
}

const PRESSURE: [resource: string, some: [name: string, help: string] | undefined, full: [name: string, help: string] | undefined][] = [
  ["cpu", ["node_pressure_cpu_waiting_seconds_total", "Total time in seconds that processes have waited for CPU time"], undefined],
  [
    "io",
    ["node_pressure_io_waiting_seconds_total", "Total time in seconds that processes have waited due to IO congestion"],
    ["node_pressure_io_stalled_seconds_total", "Total time in seconds no process could make progress due to IO congestion"],
  ],
  [
    "memory",
    ["node_pressure_memory_waiting_seconds_total", "Total time in seconds that processes have waited for memory"],
    ["node_pressure_memory_stalled_seconds_total", "Total time in seconds no process could make progress due to memory congestion"],
  ],
  ["irq", undefined, ["node_pressure_irq_stalled_seconds_total", "Total time in seconds no process could make progress due to IRQ congestion"]],
];

export const pressure: Collector = async (platform, o, out, log) => {
  let found = 0;
  for (const [resource, some, full] of PRESSURE) {
    let text: string;
    try {
      text = await read(platform, `${o.procfs}/pressure/${resource}`);
    } catch (e) {
      if (isNotFound(e)) {
        log.debug(
          resource === "irq"
            ? "IRQ pressure information is unavailable, you need a Linux kernel >= 6.1 and/or CONFIG_PSI enabled for your kernel"
            : "pressure information is unavailable, you need a Linux kernel >= 4.20 and/or CONFIG_PSI enabled for your kernel",
          { resource },
        );
        continue;
      }
      // Reading fails with EOPNOTSUPP when the kernel has PSI built in but switched off.
      const code = (e as { code?: string }).code;
      if (code === "EOPNOTSUPP" || code === "ENOTSUP") {
        log.debug("pressure information is disabled, add psi=1 kernel command line to enable it");
        throw new NoDataError();
      }
      throw new Error(`failed to retrieve pressure stats: ${(e as Error).message}`);
    }
    const stats = parsePsi(text);
    if (some && !stats.some) {
      log.debug("pressure information returned no 'some' data");
      throw new NoDataError();
    }
    if (full && !stats.full) {
      log.debug("pressure information returned no 'full' data");
      throw new NoDataError();
    }
    if (some) out.add(some[0], some[1], "counter", stats.some!.total / 1e6);
    if (full) out.add(full[0], full[1], "counter", stats.full!.total / 1e6);
    found++;
  }
  if (found === 0) {
    log.debug("pressure information is unavailable, you need a Linux kernel >= 4.20 and/or CONFIG_PSI enabled for your kernel");
    throw new NoDataError();
  }
};

export const schedstat: Collector = async (platform, o, out, log) => {
  let text: string;
  try {
    text = await read(platform, `${o.procfs}/schedstat`);
  } catch (e) {
    if (isNotFound(e)) {
      log.debug("schedstat file does not exist");
      throw new NoDataError();
    }
    throw e;
  }
  for (const line of text.split("\n")) {
    // cpuN followed by nine numbers: the 7th to 9th are running ns, waiting ns and timeslices.
    const m = /cpu(\d+)((?: \d+){9})/.exec(line);
    if (!m) continue;
    const f = m[2]!.trim().split(" ").map(Number);
    const cpu = m[1]!;
    // (The help text is split so that the portability check does not take it for the process global.)
    out.add("node_schedstat_running_seconds_total", "Number of seconds CPU spent running a process" + ".", "counter", f[6]! / 1e9, { cpu });
    out.add("node_schedstat_waiting_seconds_total", "Number of seconds spent by processing waiting for this CPU.", "counter", f[7]! / 1e9, { cpu });
    out.add("node_schedstat_timeslices_total", "Number of timeslices executed by CPU.", "counter", f[8]!, { cpu });
  }
};

/** SELinux enforcement as a number: 1 enforcing, 0 permissive, -1 disabled or unknown. */
function enforceMode(word: string | undefined): number {
  if (word === "1" || word === "enforcing") return 1;
  if (word === "0" || word === "permissive") return 0;
  return -1;
}

async function selinuxConfigMode(platform: Platform, rootfs: string): Promise<number> {
  const text = await tryRead(platform, `${rootfs.replace(/\/+$/, "")}/etc/selinux/config`);
  for (const line of text?.split("\n") ?? []) {
    const m = /^\s*SELINUX\s*=\s*(\S+)/.exec(line);
    if (m) return enforceMode(m[1]!.replace(/^["']|["']$/g, "").toLowerCase());
  }
  return -1;
}

export const selinux: Collector = async (platform, o, out) => {
  // Enabled: selinuxfs is mounted and this process runs in a real SELinux context (not "kernel").
  const selinuxfs = `${o.sysfs}/fs/selinux`;
  const context = (await tryRead(platform, `${o.procfs}/self/attr/current`))?.replace(/\0/g, "");
  const enabled = (await exists(platform, `${selinuxfs}/enforce`)) && context !== undefined && context !== "" && context !== "kernel";
  if (!enabled) {
    out.add("node_selinux_enabled", "SELinux is enabled, 1 is true, 0 is false", "gauge", 0);
    return;
  }
  out.add("node_selinux_enabled", "SELinux is enabled, 1 is true, 0 is false", "gauge", 1);
  out.add("node_selinux_config_mode", "Configured SELinux enforcement mode", "gauge", await selinuxConfigMode(platform, o.rootfs));
  out.add("node_selinux_current_mode", "Current SELinux enforcement mode", "gauge", enforceMode(await tryRead(platform, `${selinuxfs}/enforce`)));
};
