// node_exporter's collectors of hardware facts under /sys: thermal_zone (class/thermal), cpufreq
// (devices/system/cpu/cpuN/cpufreq), powersupplyclass (class/power_supply), watchdog (class/watchdog),
// edac (devices/system/edac/mc), dmi (class/dmi/id) and rapl (class/powercap). Names, help texts and
// the "no data" cases are node_exporter 1.10's (its sysfs parsing is prometheus/procfs's).

import type { Platform } from "../../../../platform/mod.ts";
import { type Collector, isNotFound, listDir, NoDataError, read, tryRead } from "./common.ts";

/** A sysfs attribute, trimmed; undefined when the file does not exist. */
async function attribute(platform: Platform, path: string): Promise<string | undefined> {
  try {
    return (await read(platform, path)).trim();
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

function integer(text: string, path: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw new Error(`failed to parse ${JSON.stringify(text)} from ${path} as an integer`);
  return Number(text);
}

const isPermissionError = (e: unknown) => ["EACCES", "EPERM"].includes((e as { code?: string }).code ?? "");

export const thermal_zone: Collector = async (platform, o, out) => {
  const base = `${o.sysfs}/class/thermal`;
  const names = (await listDir(platform, base)) ?? [];
  for (const dir of names.filter((n) => /^thermal_zone[0-9]/.test(n))) {
    const path = `${base}/${dir}`;
    // A zone whose files cannot be read (no data, busy sensor) is skipped, as procfs does.
    let type: string, temp: number;
    try {
      type = (await read(platform, `${path}/type`)).trim();
      await read(platform, `${path}/policy`);
      temp = integer((await read(platform, `${path}/temp`)).trim(), `${path}/temp`);
    } catch {
      continue;
    }
    out.add("node_thermal_zone_temp", "Zone temperature in Celsius", "gauge", temp / 1000, { type, zone: dir.slice("thermal_zone".length) });
  }
  for (const dir of names.filter((n) => /^cooling_device[0-9]/.test(n))) {
    const path = `${base}/${dir}`;
    const type = (await read(platform, `${path}/type`)).trim();
    const max = integer((await read(platform, `${path}/max_state`)).trim(), `${path}/max_state`);
    const cur = integer((await read(platform, `${path}/cur_state`)).trim(), `${path}/cur_state`);
    const labels = { name: dir.slice("cooling_device".length), type };
    out.add("node_cooling_device_cur_state", "Current throttle state of the cooling device", "gauge", cur, labels);
    out.add("node_cooling_device_max_state", "Maximum throttle state of the cooling device", "gauge", max, labels);
  }
};

/** CPU numbers of a kernel CPU list ("0-3,8"). */
function cpuList(text: string): Set<string> {
  const cpus = new Set<string>();
  for (const part of text.trim().split(",")) {
    if (part === "") continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new Error(`invalid CPU range ${JSON.stringify(part)}`);
    for (let i = Number(m[1]); i <= Number(m[2] ?? m[1]); i++) cpus.add(String(i));
  }
  return cpus;
}

const CPUFREQ: [file: string, name: string, help: string][] = [
  ["cpuinfo_cur_freq", "node_cpu_frequency_hertz", "Current CPU thread frequency in hertz."],
  ["cpuinfo_min_freq", "node_cpu_frequency_min_hertz", "Minimum CPU thread frequency in hertz."],
  ["cpuinfo_max_freq", "node_cpu_frequency_max_hertz", "Maximum CPU thread frequency in hertz."],
  ["scaling_cur_freq", "node_cpu_scaling_frequency_hertz", "Current scaled CPU thread frequency in hertz."],
  ["scaling_min_freq", "node_cpu_scaling_frequency_min_hertz", "Minimum scaled CPU thread frequency in hertz."],
  ["scaling_max_freq", "node_cpu_scaling_frequency_max_hertz", "Maximum scaled CPU thread frequency in hertz."],
];

export const cpufreq: Collector = async (platform, o, out) => {
  const base = `${o.sysfs}/devices/system/cpu`;
  const offline = cpuList(await read(platform, `${base}/offline`));
  const cpus = ((await listDir(platform, base)) ?? []).filter((n) => /^cpu[0-9]/.test(n)).map((n) => n.slice(3));
  for (const cpu of cpus) {
    if (offline.has(cpu)) continue;
    const dir = `${base}/cpu${cpu}/cpufreq`;
    if ((await platform.fs.stat(dir)) === null) continue;
    for (const [file, name, help] of CPUFREQ) {
      let text: string | undefined;
      try {
        text = await attribute(platform, `${dir}/${file}`);
      } catch (e) {
        // cpuinfo_cur_freq is readable by root only.
        if (isPermissionError(e)) continue;
        throw e;
      }
      if (text === undefined) continue;
      if (!/^\d+$/.test(text)) throw new Error(`failed to parse ${JSON.stringify(text)} from ${dir}/${file}`);
      out.add(name, help, "gauge", Number(text) * 1000, { cpu });
    }
    const governor = (await attribute(platform, `${dir}/scaling_governor`)) ?? "";
    if (governor === "") continue;
    const available = (await attribute(platform, `${dir}/scaling_available_governors`)) ?? "";
    for (const g of available.split(" ")) {
      out.add("node_cpu_scaling_governor", "Current enabled CPU frequency governor.", "gauge", g === governor ? 1 : 0, { cpu, governor: g });
    }
  }
};

// power_supply attributes: file, metric suffix, divisor (µA/µV/µW/µWh to base units, tenths of °C).
const POWER_SUPPLY_NUMBERS: [file: string, metric: string, divisor: number][] = [
  ["authentic", "authentic", 1],
  ["calibrate", "calibrate", 1],
  ["capacity", "capacity", 1],
  ["capacity_alert_max", "capacity_alert_max", 1],
  ["capacity_alert_min", "capacity_alert_min", 1],
  ["cycle_count", "cyclecount", 1],
  ["online", "online", 1],
  ["present", "present", 1],
  ["time_to_empty_now", "time_to_empty_seconds", 1],
  ["time_to_full_now", "time_to_full_seconds", 1],
  ["current_boot", "current_boot", 1e6],
  ["current_max", "current_max", 1e6],
  ["current_now", "current_ampere", 1e6],
  ["energy_empty", "energy_empty", 1e6],
  ["energy_empty_design", "energy_empty_design", 1e6],
  ["energy_full", "energy_full", 1e6],
  ["energy_full_design", "energy_full_design", 1e6],
  ["energy_now", "energy_watthour", 1e6],
  ["voltage_boot", "voltage_boot", 1e6],
  ["voltage_max", "voltage_max", 1e6],
  ["voltage_max_design", "voltage_max_design", 1e6],
  ["voltage_min", "voltage_min", 1e6],
  ["voltage_min_design", "voltage_min_design", 1e6],
  ["voltage_now", "voltage_volt", 1e6],
  ["voltage_ocv", "voltage_ocv", 1e6],
  ["charge_control_limit", "charge_control_limit", 1e6],
  ["charge_control_limit_max", "charge_control_limit_max", 1e6],
  ["charge_counter", "charge_counter", 1e6],
  ["charge_empty", "charge_empty", 1e6],
  ["charge_empty_design", "charge_empty_design", 1e6],
  ["charge_full", "charge_full", 1e6],
  ["charge_full_design", "charge_full_design", 1e6],
  ["charge_now", "charge_ampere", 1e6],
  ["charge_term_current", "charge_term_current", 1e6],
  ["constant_charge_current", "constant_charge_current", 1e6],
  ["constant_charge_current_max", "constant_charge_current_max", 1e6],
  ["constant_charge_voltage", "constant_charge_voltage", 1e6],
  ["constant_charge_voltage_max", "constant_charge_voltage_max", 1e6],
  ["precharge_current", "precharge_current", 1e6],
  ["input_current_limit", "input_current_limit", 1e6],
  ["power_now", "power_watt", 1e6],
  ["temp", "temp_celsius", 10],
  ["temp_alert_max", "temp_alert_max_celsius", 10],
  ["temp_alert_min", "temp_alert_min_celsius", 10],
  ["temp_ambient", "temp_ambient_celsius", 10],
  ["temp_ambient_max", "temp_ambient_max_celsius", 10],
  ["temp_ambient_min", "temp_ambient_min_celsius", 10],
  ["temp_max", "temp_max_celsius", 10],
  ["temp_min", "temp_min_celsius", 10],
];
const POWER_SUPPLY_TEXTS = ["capacity_level", "charge_type", "health", "manufacturer", "model_name", "serial_number", "status", "technology", "type", "usb_type", "scope"];

export const powersupplyclass: Collector = async (platform, o, out) => {
  const base = `${o.sysfs}/class/power_supply`;
  const supplies = await listDir(platform, base);
  if (supplies === undefined) throw new NoDataError();
  for (const supply of supplies) {
    if (o.powersupplyIgnored.test(supply)) continue;
    const dir = `${base}/${supply}`;
    const values = new Map<string, string>();
    for (const entry of await platform.fs.readDir(dir)) {
      if (!entry.isFile) continue;
      let text: string;
      try {
        text = (await read(platform, `${dir}/${entry.name}`)).trim();
      } catch (e) {
        // Attributes that the driver cannot report right now (ENODATA, EINVAL, ENODEV…) are left out.
        if (isNotFound(e) || ["ENODATA", "EINVAL", "ENODEV", "EOPNOTSUPP", "ENOTSUP", "EAGAIN"].includes((e as { code?: string }).code ?? "")) continue;
        throw new Error(`could not get power_supply class info: failed to read file "${dir}/${entry.name}": ${(e as Error).message}`);
      }
      values.set(entry.name, text);
    }
    for (const [file, metric, divisor] of POWER_SUPPLY_NUMBERS) {
      const text = values.get(file);
      if (text === undefined) continue;
      const v = integer(text, `${dir}/${file}`);
      out.add(`node_power_supply_${metric}`, `${metric} value of /sys/class/power_supply/<power_supply>.`, "gauge", v / divisor, { power_supply: supply });
    }
    const info: Record<string, string> = { power_supply: supply };
    for (const key of POWER_SUPPLY_TEXTS) {
      const text = values.get(key);
      if (text) info[key] = text;
    }
    out.add("node_power_supply_info", "info of /sys/class/power_supply/<power_supply>.", "gauge", 1, info);
  }
};

const WATCHDOG_NUMBERS: [file: string, name: string][] = [
  ["bootstatus", "bootstatus"],
  ["fw_version", "fw_version"],
  ["nowayout", "nowayout"],
  ["timeleft", "timeleft_seconds"],
  ["timeout", "timeout_seconds"],
  ["pretimeout", "pretimeout_seconds"],
  ["access_cs0", "access_cs0"],
];

export const watchdog: Collector = async (platform, o, out, log) => {
  const base = `${o.sysfs}/class/watchdog`;
  const devices = await listDir(platform, base);
  if (devices === undefined) {
    log.debug("Could not read watchdog stats", { err: `failed to list watchdog devices at "${base}": no such file or directory` });
    throw new NoDataError();
  }
  for (const name of devices) {
    const dir = `${base}/${name}`;
    const get = (file: string) => attribute(platform, `${dir}/${file}`);
    for (const [file, metric] of WATCHDOG_NUMBERS) {
      const text = await get(file);
      if (text === undefined) continue;
      out.add(`node_watchdog_${metric}`, `Value of /sys/class/watchdog/<watchdog>/${file}`, "gauge", integer(text, `${dir}/${file}`), { name });
    }
    out.add("node_watchdog_info", "Info of /sys/class/watchdog/<watchdog>", "gauge", 1, {
      identity: (await get("identity")) ?? "",
      name,
      options: (await get("options")) ?? "",
      pretimeout_governor: (await get("pretimeout_governor")) ?? "",
      state: (await get("state")) ?? "",
      status: (await get("status")) ?? "",
    });
  }
};

export const edac: Collector = async (platform, o, out) => {
  const base = `${o.sysfs}/devices/system/edac/mc`;
  const controllers = ((await listDir(platform, base)) ?? []).filter((n) => /^mc[0-9]+$/.test(n));
  const counter = async (path: string, what: string) => {
    const text = await tryRead(platform, path);
    if (text === undefined || !/^\d+$/.test(text)) throw new Error(`couldn't get ${what}`);
    return Number(text);
  };
  for (const mc of controllers) {
    const controller = mc.slice(2);
    const dir = `${base}/${mc}`;
    const help = {
      ce: "Total correctable memory errors.",
      ue: "Total uncorrectable memory errors.",
      csce: "Total correctable memory errors for this csrow.",
      csue: "Total uncorrectable memory errors for this csrow.",
    };
    out.add("node_edac_correctable_errors_total", help.ce, "counter", await counter(`${dir}/ce_count`, `ce_count for controller ${controller}`), { controller });
    out.add("node_edac_csrow_correctable_errors_total", help.csce, "counter", await counter(`${dir}/ce_noinfo_count`, `ce_noinfo_count for controller ${controller}`), { controller, csrow: "unknown" });
    out.add("node_edac_uncorrectable_errors_total", help.ue, "counter", await counter(`${dir}/ue_count`, `ue_count for controller ${controller}`), { controller });
    out.add("node_edac_csrow_uncorrectable_errors_total", help.csue, "counter", await counter(`${dir}/ue_noinfo_count`, `ue_noinfo_count for controller ${controller}`), { controller, csrow: "unknown" });
    for (const row of ((await listDir(platform, dir)) ?? []).filter((n) => /^csrow[0-9]+$/.test(n))) {
      const csrow = row.slice(5);
      const what = `for controller/csrow ${controller}/${csrow}`;
      out.add("node_edac_csrow_correctable_errors_total", help.csce, "counter", await counter(`${dir}/${row}/ce_count`, `ce_count ${what}`), { controller, csrow });
      out.add("node_edac_csrow_uncorrectable_errors_total", help.csue, "counter", await counter(`${dir}/${row}/ue_count`, `ue_count ${what}`), { controller, csrow });
    }
  }
};

const DMI_LABELS = [
  "bios_date", "bios_release", "bios_vendor", "bios_version", "board_asset_tag", "board_name", "board_serial", "board_vendor", "board_version",
  "chassis_asset_tag", "chassis_serial", "chassis_vendor", "chassis_version", "product_family", "product_name", "product_serial", "product_sku",
  "product_uuid", "product_version", "sys_vendor",
];

export const dmi: Collector = async (platform, o, out, log) => {
  const dir = `${o.sysfs}/class/dmi/id`;
  let entries;
  try {
    entries = await platform.fs.readDir(dir);
  } catch (e) {
    if (!isNotFound(e)) throw new Error(`failed to read Desktop Management Interface (DMI) information: ${(e as Error).message}`);
    log.debug("Platform does not support Desktop Management Interface (DMI) information", { err: `failed to read directory "${dir}": no such file or directory` });
    throw new NoDataError();
  }
  const labels: Record<string, string> = {};
  for (const entry of entries) {
    if (!entry.isFile || !DMI_LABELS.includes(entry.name)) continue;
    let value: string;
    try {
      value = (await read(platform, `${dir}/${entry.name}`)).trim();
    } catch (e) {
      if (isPermissionError(e)) continue; // serial numbers are readable by root only
      throw e;
    }
    // The kernel's sys_vendor is node_exporter's system_vendor.
    labels[entry.name === "sys_vendor" ? "system_vendor" : entry.name] = value;
  }
  if (Object.keys(labels).length === 0) throw new NoDataError();
  out.add(
    "node_dmi_info",
    "A metric with a constant '1' value labeled by bios_date, bios_release, bios_vendor, bios_version, board_asset_tag, board_name, board_serial, board_vendor, board_version, chassis_asset_tag, chassis_serial, chassis_vendor, chassis_version, product_family, product_name, product_serial, product_sku, product_uuid, product_version, system_vendor if provided by DMI.",
    "gauge",
    1,
    labels,
  );
};

export const rapl: Collector = async (platform, o, out, log) => {
  const base = `${o.sysfs}/class/powercap`;
  let dirs: string[] | undefined;
  try {
    dirs = await listDir(platform, base);
  } catch (e) {
    if (!isPermissionError(e)) throw e;
  }
  if (dirs === undefined) {
    log.debug("Platform doesn't have powercap files present");
    throw new NoDataError();
  }
  const uses = new Map<string, number>();
  for (const dir of dirs) {
    const path = `${base}/${dir}`;
    const rawName = await tryRead(platform, `${path}/name`);
    if (rawName === undefined) continue;
    // "package-0" is zone "package" with index 0; other names count their uses.
    const parts = rawName.split("-");
    const [index, name] = parts.length === 2 && /^[+-]?\d+$/.test(parts[1]!) ? [Number(parts[1]), parts[0]!] : [uses.get(rawName) ?? 0, rawName];
    uses.set(name, index + 1);
    let energy: string;
    try {
      energy = (await read(platform, `${path}/energy_uj`)).trim();
    } catch (e) {
      if (isPermissionError(e)) {
        // Since Linux 5.10 energy_uj is readable by root only.
        log.debug("Can't access energy_uj file", { zone: name });
        throw new NoDataError();
      }
      throw e;
    }
    out.add(`node_rapl_${name.replace(/[^a-zA-Z0-9_]/g, "_")}_joules_total`, `Current RAPL ${name} value in joules`, "counter", integer(energy, `${path}/energy_uj`) / 1e6, { index: String(index), path });
  }
};
