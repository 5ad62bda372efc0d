// node_exporter's infiniband collector: each HCA under /sys/class/infiniband (firmware, board, type)
// and each port's state, physical state, rate and the counters of counters/ and counters_ext/ (data
// counters are in 4-byte words in sysfs, bytes here).

import { type Collector, type Families, isNotFound, listDir, NoDataError, read } from "./common.ts";

// sysfs file (counters/ or counters_ext/), metric, help; data counters are multiplied by 4.
const COUNTERS: [dir: "counters" | "counters_ext", file: string, name: string, help: string][] = [
  ["counters_ext", "port_multicast_rcv_packets", "legacy_multicast_packets_received_total", "Number of multicast packets received"],
  ["counters_ext", "port_multicast_xmit_packets", "legacy_multicast_packets_transmitted_total", "Number of multicast packets transmitted"],
  ["counters_ext", "port_rcv_data_64", "legacy_data_received_bytes_total", "Number of data octets received on all links"],
  ["counters_ext", "port_rcv_packets_64", "legacy_packets_received_total", "Number of data packets received on all links"],
  ["counters_ext", "port_unicast_rcv_packets", "legacy_unicast_packets_received_total", "Number of unicast packets received"],
  ["counters_ext", "port_unicast_xmit_packets", "legacy_unicast_packets_transmitted_total", "Number of unicast packets transmitted"],
  ["counters_ext", "port_xmit_data_64", "legacy_data_transmitted_bytes_total", "Number of data octets transmitted on all links"],
  ["counters_ext", "port_xmit_packets_64", "legacy_packets_transmitted_total", "Number of data packets received on all links"],
  [
    "counters",
    "excessive_buffer_overrun_errors",
    "excessive_buffer_overrun_errors_total",
    "Number of times that OverrunErrors consecutive flow control update periods occurred, each having at least one overrun error.",
  ],
  ["counters", "link_downed", "link_downed_total", "Number of times the link failed to recover from an error state and went down"],
  ["counters", "link_error_recovery", "link_error_recovery_total", "Number of times the link successfully recovered from an error state"],
  [
    "counters",
    "local_link_integrity_errors",
    "local_link_integrity_errors_total",
    "Number of times that the count of local physical errors exceeded the threshold specified by LocalPhyErrors.",
  ],
  ["counters", "multicast_rcv_packets", "multicast_packets_received_total", "Number of multicast packets received (including errors)"],
  ["counters", "multicast_xmit_packets", "multicast_packets_transmitted_total", "Number of multicast packets transmitted (including errors)"],
  ["counters", "port_rcv_constraint_errors", "port_constraint_errors_received_total", "Number of packets received on the switch physical port that are discarded"],
  ["counters", "port_xmit_constraint_errors", "port_constraint_errors_transmitted_total", "Number of packets not transmitted from the switch physical port"],
  ["counters", "port_rcv_data", "port_data_received_bytes_total", "Number of data octets received on all links"],
  ["counters", "port_xmit_data", "port_data_transmitted_bytes_total", "Number of data octets transmitted on all links"],
  ["counters", "port_rcv_discards", "port_discards_received_total", "Number of inbound packets discarded by the port because the port is down or congested"],
  ["counters", "port_xmit_discards", "port_discards_transmitted_total", "Number of outbound packets discarded by the port because the port is down or congested"],
  ["counters", "port_rcv_errors", "port_errors_received_total", "Number of packets containing an error that were received on this port"],
  ["counters", "port_rcv_packets", "port_packets_received_total", "Number of packets received on all VLs by this port (including errors)"],
  ["counters", "port_xmit_packets", "port_packets_transmitted_total", "Number of packets transmitted on all VLs from this port (including errors)"],
  ["counters", "port_xmit_wait", "port_transmit_wait_total", "Number of ticks during which the port had data to transmit but no data was sent during the entire tick"],
  ["counters", "unicast_rcv_packets", "unicast_packets_received_total", "Number of unicast packets received (including errors)"],
  ["counters", "unicast_xmit_packets", "unicast_packets_transmitted_total", "Number of unicast packets transmitted (including errors)"],
  ["counters", "port_rcv_remote_physical_errors", "port_receive_remote_physical_errors_total", "Number of packets marked with the EBP (End of Bad Packet) delimiter received on the port."],
  ["counters", "port_rcv_switch_relay_errors", "port_receive_switch_relay_errors_total", "Number of packets that could not be forwarded by the switch."],
  ["counters", "symbol_error", "symbol_error_total", "Number of minor link errors detected on one or more physical lanes."],
  ["counters", "VL15_dropped", "vl15_dropped_total", "Number of incoming VL15 packets dropped due to resource limitations."],
];
const WORD_COUNTERS = new Set(["port_rcv_data", "port_xmit_data", "port_rcv_data_64", "port_xmit_data_64"]);

/** "4: ACTIVE" -> 4. */
function stateId(text: string, what: string): number {
  const parts = text.split(":");
  if (parts.length !== 2 || !/^\d+$/.test(parts[0]!.trim())) throw new Error(`could not parse ${what}: ${JSON.stringify(text)}`);
  return Number(parts[0]!.trim());
}

/** "100 Gb/sec (4X EDR)" -> bytes per second (the Gb/s figure read as a 32-bit float). */
function rate(text: string): number {
  const space = text.indexOf(" ");
  const v = space < 0 ? NaN : Number(text.slice(0, space).trim());
  if (Number.isNaN(v)) throw new Error(`could not parse rate ${JSON.stringify(text)}`);
  return Math.trunc(Math.fround(v) * 125000000);
}

async function readCounters(platform: Parameters<Collector>[0], dir: string): Promise<Map<string, number>> {
  const values = new Map<string, number>();
  for (const file of (await listDir(platform, dir)) ?? []) {
    let text: string;
    try {
      text = (await read(platform, `${dir}/${file}`)).trim();
    } catch {
      continue; // counters the HCA does not support fail to read
    }
    if (text.includes("N/A (no PMA)")) continue;
    if (!/^(0[xX][0-9a-fA-F]+|\d+)$/.test(text)) throw new Error(`invalid counter ${JSON.stringify(text)} in ${dir}/${file}`);
    values.set(file, Number(text) * (WORD_COUNTERS.has(file) ? 4 : 1));
  }
  return values;
}

async function port(platform: Parameters<Collector>[0], out: Families, device: string, dir: string, portName: string): Promise<void> {
  if (!/^\d+$/.test(portName)) throw new Error(`failed to convert ${portName} into uint`);
  const path = `${dir}/ports/${portName}`;
  const labels = { device, port: portName };
  const gauge = (name: string, help: string, v: number) => out.add(`node_infiniband_${name}`, help, "gauge", v, labels);
  gauge("state_id", "State of the InfiniBand port (0: no change, 1: down, 2: init, 3: armed, 4: active, 5: act defer)", stateId(await read(platform, `${path}/state`), "state"));
  gauge(
    "physical_state_id",
    "Physical state of the InfiniBand port (0: no change, 1: sleep, 2: polling, 3: disable, 4: shift, 5: link up, 6: link error recover, 7: phytest)",
    stateId(await read(platform, `${path}/phys_state`), "phys_state"),
  );
  gauge("rate_bytes_per_second", "Maximum signal transfer rate", rate(await read(platform, `${path}/rate`)));
  const counters = { counters: await readCounters(platform, `${path}/counters`), counters_ext: await readCounters(platform, `${path}/counters_ext`) };
  for (const [where, file, name, help] of COUNTERS) {
    const v = counters[where].get(file);
    if (v !== undefined) out.add(`node_infiniband_${name}`, help, "counter", v, labels);
  }
}

export const infiniband: Collector = async (platform, o, out, log) => {
  const base = `${o.sysfs}/class/infiniband`;
  const devices = await listDir(platform, base);
  if (devices === undefined) {
    log.debug("infiniband statistics not found, skipping");
    throw new NoDataError();
  }
  for (const device of devices) {
    const dir = `${base}/${device}`;
    const attr = async (name: string) => {
      try {
        return (await read(platform, `${dir}/${name}`)).trim();
      } catch (e) {
        if (isNotFound(e)) return "";
        throw e;
      }
    };
    let firmware: string;
    try {
      firmware = (await read(platform, `${dir}/fw_ver`)).trim();
    } catch (e) {
      throw new Error(`error obtaining InfiniBand class info: failed to read HCA firmware version: ${(e as Error).message}`);
    }
    out.add("node_infiniband_info", "Non-numeric data from /sys/class/infiniband/<device>, value is always 1.", "gauge", 1, {
      board_id: await attr("board_id"),
      device,
      firmware_version: firmware,
      hca_type: await attr("hca_type"),
    });
    const ports = await listDir(platform, `${dir}/ports`);
    if (ports === undefined) throw new Error(`error obtaining InfiniBand class info: failed to list InfiniBand ports at "${dir}/ports"`);
    for (const p of ports) await port(platform, out, device, dir, p);
  }
};
