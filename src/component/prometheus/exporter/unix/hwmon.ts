// node_exporter's hwmon collector: every chip under /sys/class/hwmon (and its device directory) with
// its sensors' readings in base units — volts, celsius, amps, watts, joules, rpm — named by the chip's
// device path (resolved through the `device` symlink, e.g. platform_coretemp_0) and the sensor.

import type { Platform } from "../../../../platform/mod.ts";
import { tryParseGoFloatString } from "../../../../wire/exposition/float.ts";
import { type Collector, type Families, listDir, NoDataError } from "./common.ts";

const SENSOR_TYPES = new Set(["vrm", "beep_enable", "update_interval", "in", "cpu", "fan", "pwm", "temp", "curr", "power", "energy", "humidity", "intrusion", "freq"]);
const SENSOR_FILE = /^([^0-9]+)([0-9]*)?(_(.+))?$/;

/** Lower case, anything but [a-z0-9:_] as "_", no leading or trailing "_". */
function cleanName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9:_]/g, "_").replace(/^_+|_+$/g, "");
}

/** A sensor file name as type, number and property ("temp1_crit_alarm": temp, 1, crit_alarm). */
function explode(file: string): { type: string; num: number; property: string } | undefined {
  const m = SENSOR_FILE.exec(file);
  if (!m) return undefined;
  return { type: m[1]!, num: m[2] ? Number(m[2]) : 0, property: m[4] ?? "" };
}

const lastSegment = (path: string) => path.slice(path.lastIndexOf("/") + 1);

/** The chip label: the device's bus and name, else the chip's name file, else its directory. */
async function chipName(platform: Platform, dir: string): Promise<string> {
  const device = await platform.fs.realPath(`${dir}/device`).catch(() => undefined);
  if (device !== undefined) {
    const name = cleanName(lastSegment(device));
    const type = cleanName(lastSegment(device.slice(0, device.lastIndexOf("/"))));
    if (type !== "" && name !== "") return `${type}_${name}`;
    if (name !== "") return name;
  }
  const raw = await platform.fs.readTextFile(`${dir}/name`).catch(() => "");
  if (raw !== "" && cleanName(raw) !== "") return cleanName(raw);
  const real = await platform.fs.realPath(dir);
  const name = cleanName(lastSegment(real));
  if (name !== "") return name;
  throw new Error(`Could not derive a monitoring name for ${dir}`);
}

/** sensor ("temp1") -> property ("input", "" for a bare file) -> raw value. */
async function collectSensors(platform: Platform, dir: string, data: Map<string, Map<string, string>>): Promise<void> {
  for (const entry of await platform.fs.readDir(dir)) {
    const parts = explode(entry.name);
    if (!parts || !SENSOR_TYPES.has(parts.type)) continue;
    let value: string;
    try {
      value = (await platform.fs.readTextFile(`${dir}/${entry.name}`)).replace(/^\n+|\n+$/g, "");
    } catch {
      continue; // broken drivers answer EAGAIN or EIO; node_exporter skips those files
    }
    const sensor = `${parts.type}${parts.num}`;
    let props = data.get(sensor);
    if (!props) data.set(sensor, (props = new Map()));
    props.set(parts.property, value);
  }
}

function emitSensor(out: Families, chip: string, sensor: string, props: Map<string, string>): void {
  const type = explode(sensor)!.type;
  const labels = { chip, sensor };
  const label = props.get("label");
  if (label !== undefined) out.add("node_hwmon_sensor_label", "Label for given chip and sensor", "gauge", 1, { chip, label, sensor });
  const bare = props.get("");
  if (type === "beep_enable") {
    out.add("node_hwmon_beep_enabled", "Hardware beep enabled", "gauge", bare === "1" ? 1 : 0, labels);
    return;
  }
  if (type === "vrm" || type === "update_interval") {
    const v = bare === undefined ? undefined : tryParseGoFloatString(bare);
    if (v === undefined) return;
    if (type === "vrm") out.add("node_hwmon_voltage_regulator_version", "Hardware voltage regulator", "gauge", v, labels);
    else out.add("node_hwmon_update_interval_seconds", "Hardware monitor update interval", "gauge", v * 0.001, labels);
    return;
  }
  const prefix = `node_hwmon_${type}`;
  for (let [element, raw] of props) {
    if (element === "label") continue;
    let name = prefix;
    if (element === "input") {
      if (props.has("")) name += "_input";
    } else if (element !== "") {
      name += `_${cleanName(element)}`;
    }
    const v = tryParseGoFloatString(raw);
    if (v === undefined) continue;
    const gauge = (n: string, help: string, value: number, l: Record<string, string> = labels) => out.add(n, help, "gauge", value, l);
    if (element === "fault" || element === "alarm") gauge(name, `Hardware sensor ${element} status (${type})`, v);
    else if (element === "beep") gauge(`${name}_enabled`, "Hardware monitor sensor has beeping enabled", v);
    else if (type === "in" || type === "cpu") gauge(`${name}_volts`, `Hardware monitor for voltage (${element})`, v * 0.001);
    else if (type === "temp" && element !== "type") gauge(`${name}_celsius`, `Hardware monitor for temperature (${element === "" ? (element = "input") : element})`, v * 0.001);
    else if (type === "curr") gauge(`${name}_amps`, `Hardware monitor for current (${element})`, v * 0.001);
    else if (type === "energy") out.add(`${name}_joule_total`, `Hardware monitor for joules used so far (${element})`, "counter", v / 1e6, labels);
    else if (type === "power" && element === "accuracy") gauge(name, "Hardware monitor power meter accuracy, as a ratio", v / 1e6);
    else if (type === "power" && ["average_interval", "average_interval_min", "average_interval_max"].includes(element)) {
      gauge(`${name}_seconds`, `Hardware monitor power usage update interval (${element})`, v * 0.001);
    } else if (type === "power") gauge(`${name}_watt`, `Hardware monitor for power usage in watts (${element})`, v / 1e6);
    else if (type === "humidity") gauge(name, `Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the humidity as a percentage) (${element})`, v / 1e6);
    else if (type === "fan" && ["input", "min", "max", "target"].includes(element)) gauge(`${name}_rpm`, `Hardware monitor for fan revolutions per minute (${element})`, v);
    else if (type === "freq") {
      // GPU clocks are labelled by their label ("sclk") rather than the sensor number.
      if (element === "input" && label !== undefined) gauge(`${name}_freq_mhz`, "Hardware monitor for GPU frequency in MHz", v / 1e6, { chip, sensor: cleanName(label) });
    } else gauge(name, `Hardware monitor ${type} element ${element}`, v);
  }
}

export const hwmon: Collector = async (platform, o, out, log) => {
  const base = `${o.sysfs}/class/hwmon`;
  const chips = await listDir(platform, base);
  if (chips === undefined) {
    log.debug("hwmon collector metrics are not available for this system");
    throw new NoDataError();
  }
  let lastError: Error | undefined;
  for (const entry of chips) {
    const dir = `${base}/${entry}`;
    const info = await platform.fs.stat(dir).catch(() => null);
    if (!info?.isDirectory) continue;
    try {
      const chip = await chipName(platform, dir);
      if (o.hwmonChipExclude?.test(chip) || (o.hwmonChipInclude && !o.hwmonChipInclude.test(chip))) {
        log.debug("ignoring hwmon chip", { chip });
        continue;
      }
      const data = new Map<string, Map<string, string>>();
      await collectSensors(platform, dir, data);
      if ((await platform.fs.stat(`${dir}/device`).catch(() => null)) !== null) await collectSensors(platform, `${dir}/device`, data);
      const raw = await platform.fs.readTextFile(`${dir}/name`).catch(() => undefined);
      if (raw !== undefined && cleanName(raw) !== "") {
        out.add("node_hwmon_chip_names", "Annotation metric for human-readable chip names", "gauge", 1, { chip, chip_name: cleanName(raw) });
      }
      for (const [sensor, props] of data) emitSensor(out, chip, sensor, props);
    } catch (e) {
      lastError = e as Error;
    }
  }
  if (lastError) throw lastError;
};
