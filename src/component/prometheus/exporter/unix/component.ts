// prometheus.exporter.unix: node_exporter's host metrics as a scrape target on the in-memory address
// (Alloy's exporter around node_exporter). The arguments are Alloy's. Every collector node_exporter
// (1.10, as Alloy vendors it) enables by default on Linux is here (collectors.ts lists them, one module
// per collector or family of collectors), except timex (adjtimex(2) is a system call no runtime
// exposes); asking for it, or for a non-default collector, by enable_collectors or set_collectors is
// an error naming it, and a default left out is listed once in the log. Each
// scrape runs the collectors concurrently, each into its own families, then gathers them as
// client_golang does (see merge.ts), with node_scrape_collector_success/duration_seconds per collector.
import { defineComponent, type Health } from "../../../../runtime/component.ts";
import { health } from "../../../../runtime/health.ts";
import { attr, block, Millisecond, Second, struct, t } from "../../../../syntax/schema/index.ts";
import { compileGoRegexp, type GoRegexp } from "../../relabel/re2.ts";
import { warnIfUsedInCluster } from "../cluster-warning.ts";
import { ExporterExports, exporterTarget, hostnameInstanceKey, isMetricsRequest } from "../exporter.ts";
import { COLLECTORS, NODE_EXPORTER_DEFAULTS } from "./collectors.ts";
import { type CollectorOptions, Families, NoDataError } from "./common.ts";
import { formatFamilies } from "./format.ts";
import { ipvsLabels } from "./ipvs.ts";
import { mergeFamilies } from "./merge.ts";

const s = () => attr(t.string(), { optional: true });
const b = () => attr(t.bool(), { optional: true });
const list = () => attr(t.array(t.string()), { optional: true });

const DISK_EXCLUDE = "^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$";
const MOUNT_POINTS_EXCLUDE = "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+)($|/)";
const FS_TYPES_EXCLUDE =
  "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$";
const NETSTAT_FIELDS =
  "^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$";
const VMSTAT_FIELDS = "^(oom_kill|pgpg|pswp|pg.*fault).*";

/** A Go regexp attribute (unanchored, as node_exporter's flags). */
const regexpText = () =>
  t.text<string>({
    name: "regexp",
    parse: (x) => {
      if (x !== "") compileGoRegexp(x);
      return x;
    },
    format: (x) => x,
    zero: () => "",
  });

const Arguments = struct({
  include_exporter_metrics: b(),
  procfs_path: attr(t.string(), { default: "/proc" }),
  sysfs_path: attr(t.string(), { default: "/sys" }),
  rootfs_path: attr(t.string(), { default: "/" }),
  udev_data_path: attr(t.string(), { default: "/run/udev/data" }),
  enable_collectors: list(),
  disable_collectors: list(),
  set_collectors: list(),
  arp: block(struct({ device_exclude: s(), device_include: s(), netlink: b() }), { optional: true }),
  bcache: block(struct({ priority_stats: b() }), { optional: true }),
  cpu: block(struct({ bugs_include: s(), guest: b(), info: b(), flags_include: s() }), { optional: true }),
  disk: block(struct({ device_exclude: attr(regexpText(), { default: DISK_EXCLUDE }), device_include: attr(regexpText(), { optional: true }) }), { optional: true }),
  ethtool: block(struct({ device_exclude: s(), device_include: s(), metrics_include: attr(t.string(), { default: ".*" }) }), { optional: true }),
  filesystem: block(
    struct({
      fs_types_exclude: attr(regexpText(), { default: FS_TYPES_EXCLUDE }),
      mount_points_exclude: attr(regexpText(), { default: MOUNT_POINTS_EXCLUDE }),
      mount_timeout: attr(t.duration(), { default: 5 * Second }),
    }),
    { optional: true },
  ),
  hwmon: block(struct({ chip_exclude: s(), chip_include: s() }), { optional: true }),
  ipvs: block(struct({ backend_labels: list() }), { optional: true }),
  ntp: block(
    struct({
      ip_ttl: attr(t.int(), { default: 1 }),
      local_offset_tolerance: attr(t.duration(), { default: Millisecond }),
      max_distance: attr(t.duration(), { default: 3466080 * 1000 }),
      protocol_version: attr(t.int(), { default: 4 }),
      server: attr(t.string(), { default: "127.0.0.1" }),
      server_is_local: b(),
    }),
    { optional: true },
  ),
  netclass: block(struct({ ignore_invalid_speed_device: b(), ignored_devices: attr(t.string(), { default: "^$" }) }), { optional: true }),
  netdev: block(struct({ address_info: b(), device_exclude: attr(regexpText(), { optional: true }), device_include: attr(regexpText(), { optional: true }) }), { optional: true }),
  netstat: block(struct({ fields: attr(regexpText(), { default: NETSTAT_FIELDS }) }), { optional: true }),
  perf: block(
    struct({
      cpus: s(),
      tracepoint: list(),
      disable_hardware_profilers: b(),
      disable_software_profilers: b(),
      disable_cache_profilers: b(),
      hardware_profilers: list(),
      software_profilers: list(),
      cache_profilers: list(),
    }),
    { optional: true },
  ),
  powersupply: block(struct({ ignored_supplies: attr(t.string(), { default: "^$" }) }), { optional: true }),
  runit: block(struct({ service_dir: attr(t.string(), { default: "/etc/service" }) }), { optional: true }),
  supervisord: block(struct({ url: s() }), { optional: true }),
  sysctl: block(struct({ include: list(), include_info: list() }), { optional: true }),
  systemd: block(
    struct({ enable_restarts: b(), start_time: b(), task_metrics: b(), unit_exclude: s(), unit_include: attr(t.string(), { default: ".+" }) }),
    { optional: true },
  ),
  tapestats: block(struct({ ignored_devices: attr(t.string(), { default: "^$" }) }), { optional: true }),
  textfile: block(struct({ directory: s() }), { optional: true }),
  vmstat: block(struct({ fields: attr(regexpText(), { default: VMSTAT_FIELDS }) }), { optional: true }),
});

type Args = ReturnType<typeof Arguments.decode>;

/** The collectors to run (node_exporter's flag logic), or an error naming one we do not have. */
function selectCollectors(a: Args): { run: string[]; unsupportedDefaults: string[] } {
  let enabled = new Set(a.set_collectors.length > 0 ? a.set_collectors : NODE_EXPORTER_DEFAULTS);
  for (const c of a.enable_collectors) enabled.add(c);
  for (const c of a.disable_collectors) enabled.delete(c);
  const explicit = new Set([...a.set_collectors, ...a.enable_collectors]);
  for (const c of explicit) {
    if (!(c in COLLECTORS) && enabled.has(c)) throw new Error(`collector ${JSON.stringify(c)} is not supported by alloy-ts yet (supported: ${Object.keys(COLLECTORS).join(", ")})`);
  }
  enabled = new Set([...enabled].sort());
  return { run: [...enabled].filter((c) => c in COLLECTORS), unsupportedDefaults: [...enabled].filter((c) => !(c in COLLECTORS)) };
}

function options(a: Args): CollectorOptions {
  const re = (x: string | undefined): GoRegexp | undefined => (x ? compileGoRegexp(x) : undefined);
  return {
    procfs: a.procfs_path.replace(/\/+$/, ""),
    sysfs: a.sysfs_path.replace(/\/+$/, ""),
    rootfs: a.rootfs_path,
    udevData: a.udev_data_path.replace(/\/+$/, ""),
    cpuGuest: a.cpu?.guest ?? false,
    diskExclude: re(a.disk?.device_exclude ?? DISK_EXCLUDE),
    diskInclude: re(a.disk?.device_include),
    fsTypesExclude: compileGoRegexp(a.filesystem?.fs_types_exclude ?? FS_TYPES_EXCLUDE),
    mountPointsExclude: compileGoRegexp(a.filesystem?.mount_points_exclude ?? MOUNT_POINTS_EXCLUDE),
    mountTimeoutMs: (a.filesystem?.mount_timeout ?? 5 * Second) / 1e6,
    netdevExclude: re(a.netdev?.device_exclude),
    netdevInclude: re(a.netdev?.device_include),
    netstatFields: compileGoRegexp(a.netstat?.fields ?? NETSTAT_FIELDS),
    vmstatFields: compileGoRegexp(a.vmstat?.fields ?? VMSTAT_FIELDS),
    textfileDirectories: a.textfile?.directory ? [a.textfile.directory] : [],
    arpDeviceInclude: re(a.arp?.device_include),
    arpDeviceExclude: re(a.arp?.device_exclude),
    hwmonChipInclude: re(a.hwmon?.chip_include),
    hwmonChipExclude: re(a.hwmon?.chip_exclude),
    netclassIgnoredDevices: compileGoRegexp(a.netclass?.ignored_devices ?? "^$"),
    netclassIgnoreInvalidSpeed: a.netclass?.ignore_invalid_speed_device ?? false,
    powersupplyIgnored: compileGoRegexp(a.powersupply?.ignored_supplies ?? "^$"),
    tapestatsIgnored: compileGoRegexp(a.tapestats?.ignored_devices ?? "^$"),
    bcachePriorityStats: a.bcache?.priority_stats ?? false,
    ipvsBackendLabels: ipvsLabels(a.ipvs?.backend_labels ?? []),
  };
}

export const prometheusExporterUnix = defineComponent({
  name: "prometheus.exporter.unix",
  stability: "generally-available",
  args: Arguments,
  exports: ExporterExports,
  build(context, initial) {
    const { platform, logger } = context;
    warnIfUsedInCluster(context);
    let selected = selectCollectors(initial);
    let opts = options(initial);
    let current: Health = health("healthy", "");
    if (selected.unsupportedDefaults.length > 0 && initial.set_collectors.length === 0) {
      logger.info("node_exporter collectors not available in alloy-ts are left out", { collectors: selected.unsupportedDefaults.join(",") });
    }
    context.onStateChange({ targets: [exporterTarget(context, "unix", hostnameInstanceKey(context))] });

    const scrape = async (): Promise<string> => {
      const outputs = new Map<string, Families>();
      const durations = new Families();
      await Promise.all(
        selected.run.map(async (name) => {
          const t0 = performance.now();
          const out = new Families();
          let ok = 1;
          try {
            await COLLECTORS[name]!(platform, opts, out, logger.with({ collector: name }));
          } catch (e) {
            ok = 0;
            // node_exporter's ErrNoData: nothing of that kind on this host, worth a debug line only.
            if (e instanceof NoDataError) logger.debug("collector returned no data", { name, err: e.message });
            else logger.error("collector failed", { name, err: (e as Error).message });
          }
          // A failed collector's partial output still counts, as node_exporter sends metrics as it goes.
          outputs.set(name, out);
          durations.add("node_scrape_collector_duration_seconds", "node_exporter: Duration of a collector scrape.", "gauge", (performance.now() - t0) / 1000, { collector: name });
          durations.add("node_scrape_collector_success", "node_exporter: Whether a collector succeeded.", "gauge", ok, { collector: name });
        }),
      );
      const families = mergeFamilies([...selected.run.map((name) => outputs.get(name)!), durations], (problem) => logger.debug("metric left out of the scrape", { err: problem }));
      return formatFamilies(families);
    };

    return {
      async run(signal) {
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
      },
      update(next) {
        warnIfUsedInCluster(context);
        selected = selectCollectors(next);
        opts = options(next);
        context.onStateChange({ targets: [exporterTarget(context, "unix", hostnameInstanceKey(context))] });
      },
      health: () => current,
      async handler(request) {
        if (!isMetricsRequest(request)) return new Response("404 page not found\n", { status: 404 });
        try {
          const body = await scrape();
          current = health("healthy", "");
          return new Response(body, { headers: { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" } });
        } catch (e) {
          current = health("unhealthy", (e as Error).message);
          return new Response(`${(e as Error).message}\n`, { status: 500 });
        }
      },
    };
  },
});
