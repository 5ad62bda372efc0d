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
