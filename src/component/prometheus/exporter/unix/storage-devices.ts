// node_exporter's collectors of storage controllers under /sys/class: nvme (controller info) and
// tapestats (scsi_tape statistics of st* drives).

import { type Collector, isNotFound, listDir, NoDataError, parseGoInt, read } from "./common.ts";

export const nvme: Collector = async (platform, o, out, log) => {
  const base = `${o.sysfs}/class/nvme`;
  const devices = await listDir(platform, base);
  if (devices === undefined) {
    log.debug("nvme statistics not found, skipping");
    throw new NoDataError();
  }
  for (const device of devices) {
    const attr = async (name: string) => {
      try {
        return (await read(platform, `${base}/${device}/${name}`)).trim();
      } catch (e) {
        throw new Error(`error obtaining NVMe class info: failed to read file "${base}/${device}/${name}": ${(e as Error).message}`);
      }
    };
    const [firmware_revision, model, serial, state] = [await attr("firmware_rev"), await attr("model"), await attr("serial"), await attr("state")];
    await attr("cntlid");
    out.add("node_nvme_info", "Non-numeric data from /sys/class/nvme/<device>, value is always 1.", "gauge", 1, { device, firmware_revision, model, serial, state });
  }
};

const TAPE: [file: string, name: string, help: string, scale: number, type: "gauge" | "counter"][] = [
  ["in_flight", "io_now", "The number of I/Os currently outstanding to this device.", 1, "gauge"],
  [
    "io_ns",
    "io_time_seconds_total",
    "The amount of time spent waiting for all I/O to complete (including read and write). This includes tape movement commands such as seeking between file or set marks and implicit tape movement such as when rewind on close tape devices are used.",
    1e-9,
    "counter",
  ],
  [
    "other_cnt",
    "io_others_total",
    "The number of I/Os issued to the tape drive other than read or write commands. The time taken to complete these commands uses the following calculation io_time_seconds_total-read_time_seconds_total-write_time_seconds_total",
    1,
    "counter",
  ],
  ["read_byte_cnt", "read_bytes_total", "The number of bytes read from the tape drive.", 1, "counter"],
  ["read_cnt", "reads_completed_total", "The number of read requests issued to the tape drive.", 1, "counter"],
  ["read_ns", "read_time_seconds_total", "The amount of time spent waiting for read requests to complete.", 1e-9, "counter"],
  [
    "resid_cnt",
    "residual_total",
    "The number of times during a read or write we found the residual amount to be non-zero. This should mean that a program is issuing a read larger thean the block size on tape. For write not all data made it to tape.",
    1,
    "counter",
  ],
  ["write_byte_cnt", "written_bytes_total", "The number of bytes written to the tape drive.", 1, "counter"],
  ["write_cnt", "writes_completed_total", "The number of write requests issued to the tape drive.", 1, "counter"],
  ["write_ns", "write_time_seconds_total", "The amount of time spent waiting for write requests to complete.", 1e-9, "counter"],
];

export const tapestats: Collector = async (platform, o, out, log) => {
  const base = `${o.sysfs}/class/scsi_tape`;
  const entries = await listDir(platform, base);
  if (entries === undefined) {
    log.debug("scsi_tape stats not found, skipping");
    throw new NoDataError();
  }
  for (const device of entries.filter((n) => /^st[0-9]+$/.test(n))) {
    if (o.tapestatsIgnored.test(device)) {
      log.debug("Ignoring device", { device });
      continue;
    }
    const dir = `${base}/${device}/stats`;
    const counters = new Map<string, number>();
    for (const file of (await listDir(platform, dir)) ?? []) {
      let text: string;
      try {
        text = (await read(platform, `${dir}/${file}`)).trim();
      } catch (e) {
        if (isNotFound(e)) continue;
        throw new Error(`error obtaining SCSITape class info: failed to read file "${dir}/${file}": ${(e as Error).message}`);
      }
      const v = parseGoInt(text);
      if (v === undefined || v < 0) throw new Error(`error obtaining SCSITape class info: invalid value ${JSON.stringify(text)} in ${dir}/${file}`);
      counters.set(file, v);
    }
    for (const [file, name, help, scale, type] of TAPE) out.add(`node_tape_${name}`, help, type, (counters.get(file) ?? 0) * scale, { device });
  }
};

const FC_INFO = ["speed", "port_state", "port_type", "port_id", "port_name", "fabric_name", "symbolic_name", "supported_classes", "supported_speeds", "dev_loss_tmo"];
// Addresses are written "0x…"; node_exporter drops the prefix.
const FC_HEX_NAMES = new Set(["port_id", "port_name", "fabric_name"]);
const FC_COUNTERS: [file: string, name: string, help: string][] = [
  ["dumped_frames", "dumped_frames_total", "Number of dumped frames"],
  ["error_frames", "error_frames_total", "Number of errors in frames"],
  ["invalid_crc_count", "invalid_crc_total", "Invalid Cyclic Redundancy Check count"],
  ["rx_frames", "rx_frames_total", "Number of frames received"],
  ["rx_words", "rx_words_total", "Number of words received by host port"],
  ["tx_frames", "tx_frames_total", "Number of frames transmitted by host port"],
  ["tx_words", "tx_words_total", "Number of words transmitted by host port"],
  ["seconds_since_last_reset", "seconds_since_last_reset_total", "Number of seconds since last host port reset"],
  ["invalid_tx_word_count", "invalid_tx_words_total", "Number of invalid words transmitted by host port"],
  ["link_failure_count", "link_failure_total", "Number of times the host port link has failed"],
  ["loss_of_sync_count", "loss_of_sync_total", "Number of failures on either bit or transmission word boundaries"],
  ["loss_of_signal_count", "loss_of_signal_total", "Number of times signal has been lost"],
  ["nos_count", "nos_total", "Number Not_Operational Primitive Sequence received by host port"],
  ["fcp_packet_aborts", "fcp_packet_aborts_total", "Number of aborted packets"],
];
const UNIMPLEMENTED = 0xffffffffffffffffn; // what HBA firmware reports for a counter it does not keep

export const fibrechannel: Collector = async (platform, o, out, log) => {
  const base = `${o.sysfs}/class/fc_host`;
  const hosts = await listDir(platform, base);
  if (hosts === undefined) {
    log.debug("fibrechannel statistics not found, skipping");
    throw new NoDataError();
  }
  for (const host of hosts) {
    const dir = `${base}/${host}`;
    const labels: Record<string, string> = { fc_host: host };
    for (const name of FC_INFO) {
      let value: string;
      try {
        value = (await read(platform, `${dir}/${name}`)).trim();
      } catch (e) {
        if (isNotFound(e)) {
          labels[name] = "";
          continue;
        }
        throw new Error(`error obtaining FibreChannel class info: failed to read file "${dir}/${name}": ${(e as Error).message}`);
      }
      labels[name] = FC_HEX_NAMES.has(name) && value.length > 2 ? value.slice(2) : value;
    }
    out.add("node_fibrechannel_info", "Non-numeric data from /sys/class/fc_host/<host>, value is always 1.", "gauge", 1, labels);
    const counters = new Map<string, bigint>();
    for (const file of (await listDir(platform, `${dir}/statistics`)) ?? []) {
      if (file === "reset_statistics") continue;
      let text: string;
      try {
        text = (await read(platform, `${dir}/statistics/${file}`)).trim();
      } catch {
        continue; // counters the driver does not support fail to read
      }
      if (/^(0[xX][0-9a-fA-F]+|\d+)$/.test(text)) counters.set(file, BigInt(text));
    }
    for (const [file, name, help] of FC_COUNTERS) {
      const v = counters.get(file);
      if (v === undefined || v === UNIMPLEMENTED) continue;
      out.add(`node_fibrechannel_${name}`, help, "counter", Number(v), { fc_host: host });
    }
  }
};
