// node_exporter's netclass collector (its sysfs flavour, the one Alloy runs): the attributes of each
// interface under /sys/class/net — operstate, carrier and its changes, MTU, speed, flags, ids — and
// an info series with the addresses, duplex, operstate, admin state and alias.

import { type Collector, isNotFound, NoDataError, parseGoInt } from "./common.ts";

const NUMERIC: [attribute: string, metric: string, type: "gauge" | "counter"][] = [
  ["addr_assign_type", "address_assign_type", "gauge"],
  ["carrier", "carrier", "gauge"],
  ["carrier_changes", "carrier_changes_total", "counter"],
  ["carrier_up_count", "carrier_up_changes_total", "counter"],
  ["carrier_down_count", "carrier_down_changes_total", "counter"],
  ["dev_id", "device_id", "gauge"],
  ["dormant", "dormant", "gauge"],
  ["flags", "flags", "gauge"],
  ["ifindex", "iface_id", "gauge"],
  ["iflink", "iface_link", "gauge"],
  ["link_mode", "iface_link_mode", "gauge"],
  ["mtu", "mtu_bytes", "gauge"],
  ["name_assign_type", "name_assign_type", "gauge"],
  ["netdev_group", "net_dev_group", "gauge"],
  ["speed", "speed_bytes", "gauge"],
  ["tx_queue_len", "transmit_queue_length", "gauge"],
  ["type", "protocol_type", "gauge"],
];
const TEXT = new Set(["address", "broadcast", "duplex", "ifalias", "operstate"]);
const WANTED = new Set([...NUMERIC.map(([a]) => a), ...TEXT]);

/** Reading errors that only mean "this interface has no such value now" (a down link has no speed). */
function ignorable(e: unknown): boolean {
  return isNotFound(e) || ["EACCES", "EPERM", "EINVAL", "EOPNOTSUPP", "ENOTSUP"].includes((e as { code?: string }).code ?? "");
}

export const netclass: Collector = async (platform, o, out, log) => {
  const base = `${o.sysfs}/class/net`;
  let devices;
  try {
    devices = (await platform.fs.readDir(base)).filter((e) => !e.isFile).map((e) => e.name);
  } catch (e) {
    if (isNotFound(e) || ["EACCES", "EPERM"].includes((e as { code?: string }).code ?? "")) {
      log.debug("Could not read netclass file", { err: (e as Error).message });
      throw new NoDataError();
    }
    throw new Error(`could not get net class info: ${(e as Error).message}`);
  }
  for (const device of devices) {
    if (o.netclassIgnoredDevices.test(device)) continue;
    const dir = `${base}/${device}`;
    const values = new Map<string, string>();
    for (const entry of await platform.fs.readDir(dir)) {
      if (!entry.isFile || !WANTED.has(entry.name)) continue;
      try {
        values.set(entry.name, (await platform.fs.readTextFile(`${dir}/${entry.name}`)).trim());
      } catch (e) {
        if (ignorable(e)) continue;
        throw new Error(`could not get net class info: failed to read file "${dir}/${entry.name}": ${(e as Error).message}`);
      }
    }
    const labels = { device };
    const operstate = values.get("operstate") ?? "";
    out.add("node_network_up", "Value is 1 if operstate is 'up', 0 otherwise.", "gauge", operstate === "up" ? 1 : 0, labels);
    // A value that does not parse counts as 0, as in procfs.
    const number = (attribute: string) => (values.has(attribute) ? (parseGoInt(values.get(attribute)!) ?? 0) : undefined);
    const flags = number("flags");
    out.add("node_network_info", "Non-numeric data from /sys/class/net/<iface>, value is always 1.", "gauge", 1, {
      address: values.get("address") ?? "",
      adminstate: flags === undefined ? "unknown" : (flags & 1) === 1 ? "up" : "down",
      broadcast: values.get("broadcast") ?? "",
      device,
      duplex: values.get("duplex") ?? "",
      ifalias: values.get("ifalias") ?? "",
      operstate,
    });
    for (const [attribute, metric, type] of NUMERIC) {
      let v = number(attribute);
      if (v === undefined) continue;
      if (attribute === "speed") {
        // Mbit/s to bytes/s; -1 (unknown) stays negative unless ignore_invalid_speed_device.
        if (v < 0 && o.netclassIgnoreInvalidSpeed) continue;
        v = Math.trunc((v * 1000 * 1000) / 8);
      }
      out.add(`node_network_${metric}`, `Network device property: ${metric}`, type, v, labels);
    }
  }
};
