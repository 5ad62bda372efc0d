// discovery.file: targets from JSON or YAML files of target groups (Prometheus's file_sd). The
// `files` patterns are expanded with Go's filepath.Glob; every file is read at start, whenever
// something changes in a directory of the patterns (watched), and every refresh_interval in case a
// watch missed it. Each group gets `__meta_filepath`. A file that cannot be read or parsed is logged
// and keeps the targets it gave last time; a file that went away takes its targets with it.
import { goQuote } from "../../converter/goyaml/decode.ts";
import type { FileSystem, Watcher } from "../../platform/mod.ts";
import type { Logger } from "../../runtime/logging/logger.ts";
import { collector, Counter, type CounterChild } from "../../runtime/metrics/registry.ts";
import { splitPath } from "../../runtime/paths.ts";
import { untilAborted } from "../../runtime/signal.ts";
import { attr, Millisecond, Minute, struct, t } from "../../syntax/schema/index.ts";
import { goReadError } from "../local/file.ts";
import { defineDiscovery, type Discoverer, type TargetGroup } from "./discoverer.ts";
import { glob } from "./glob.ts";
import { parseTargetGroupsJson, parseTargetGroupsYaml } from "./targetgroups.ts";

const FILEPATH_LABEL = "__meta_filepath";

/**
 * Waits this long after a change in a watched directory before reading, so that one write (often
 * several events) is read once, complete.
 */
const WAIT_READ_MS = 30;

/** The endings Prometheus accepts (patFileSDName); another would crash Alloy when a file matched. */
const FILE_SD_NAME = /\.(json|yml|yaml|JSON|YML|YAML)$/;

const Arguments = struct(
  {
    files: attr(t.array(t.string())),
    refresh_interval: attr(t.duration(), { default: 5 * Minute }),
  },
  {
    validate: (a) => {
      for (const name of a.files) {
        if (!FILE_SD_NAME.test(name)) return `path name ${goQuote(name)} is not valid for file discovery`;
      }
      // Go's ticker would panic on a zero interval.
      return a.refresh_interval <= 0 ? "refresh_interval must be greater than 0" : undefined;
    },
  },
);

type Args = ReturnType<typeof Arguments.decode>;

interface FileMetrics {
  readErrors: CounterChild;
  watcherErrors: CounterChild;
  /** Modification time (Unix seconds) of every file read, by path. */
  timestamps: Map<string, number>;
}

export const discoveryFile = defineDiscovery({
  name: "discovery.file",
  args: Arguments,
  setup(context) {
    const readErrors = new Counter({ name: "prometheus_sd_file_read_errors_total", help: "The number of File-SD read errors." });
    const watcherErrors = new Counter({
      name: "prometheus_sd_file_watcher_errors_total",
      help: "The number of File-SD errors caused by filesystem watch failures.",
    });
    const timestamps = new Map<string, number>();
    const mtimes = collector(() => [{
      name: "prometheus_sd_file_mtime_seconds",
      help: "Timestamp (mtime) of files read by FileSD. Timestamp is set at read time.",
      type: "gauge",
      samples: [...timestamps].map(([filename, value]) => ({ labels: { filename }, value })),
    }]);
    for (const c of [readErrors, watcherErrors, mtimes]) context.registerer.register(c);
    const metrics: FileMetrics = { readErrors: readErrors.with(), watcherErrors: watcherErrors.with(), timestamps };
    return { create: (args) => fileDiscoverer(args, context.platform.fs, context.logger, metrics) };
  },
});

/** The `i`-th group of a file (Prometheus's fileSource). */
const fileSource = (filename: string, i: number) => `${filename}:${i}`;

function fileDiscoverer(args: Args, fs: FileSystem, logger: Logger, metrics: FileMetrics): Discoverer {
  const patterns = [...args.files];
  const intervalMs = args.refresh_interval / Millisecond;
  return {
    async run(signal, send) {
      metrics.timestamps.clear();
      const watchers = new Map<string, Watcher>();
      /** The files of the last refresh and how many groups each gave. */
      let lastRefresh = new Map<string, number>();
      let changeTimer: ReturnType<typeof setTimeout> | undefined;

      const onChange = () => {
        if (changeTimer || signal.aborted) return;
        changeTimer = setTimeout(() => {
          changeTimer = undefined;
          void trigger();
        }, WAIT_READ_MS);
      };

      // The directory part of every pattern, as Prometheus watches them ("./" for a bare name).
      const watchDirectories = () => {
        for (const pattern of patterns) {
          const dir = splitPath(pattern)[0] || "./";
          if (watchers.has(dir)) continue;
          try {
            watchers.set(dir, fs.watch(dir, onChange));
          } catch (error) {
            metrics.watcherErrors.inc();
            logger.error("Error adding file watch", { path: dir, err: (error as Error).message });
          }
        }
      };

      const refresh = async () => {
        const counts = new Map<string, number>();
        for (const path of await listFiles(fs, patterns, logger)) {
          let groups: TargetGroup[];
          try {
            groups = await readGroups(fs, path, metrics.timestamps);
          } catch (error) {
            metrics.readErrors.inc();
            logger.error("Error reading file", { path, err: goReadError(path, error) });
            counts.set(path, lastRefresh.get(path) ?? 0); // keeps the file's last groups
            continue;
          }
          if (signal.aborted) return;
          send(groups);
          counts.set(path, groups.length);
        }
        // Empty groups remove what disappeared: whole files, or groups at the end of a file.
        for (const [path, before] of lastRefresh) {
          const now = counts.get(path);
          if (now !== undefined && now >= before) continue;
          logger.debug("file_sd refresh found file that should be removed", { file: path });
          metrics.timestamps.delete(path);
          const removed: TargetGroup[] = [];
          for (let i = now ?? 0; i < before; i++) removed.push({ source: fileSource(path, i), targets: [], labels: {} });
          send(removed);
        }
        lastRefresh = counts;
        watchDirectories();
      };

      // One refresh at a time; a change during a refresh asks for another one after it.
      let refreshing = false;
      let again = false;
      const trigger = async () => {
        if (refreshing) {
          again = true;
          return;
        }
        refreshing = true;
        try {
          do {
            again = false;
            await refresh();
          } while (again && !signal.aborted);
        } finally {
          refreshing = false;
        }
      };

      await trigger();
      // The periodic refresh also renews the watches: a directory replaced since keeps no watch.
      const ticker = setInterval(() => {
        for (const w of watchers.values()) w.close();
        watchers.clear();
        void trigger();
      }, intervalMs);
      await untilAborted(signal);
      clearInterval(ticker);
      clearTimeout(changeTimer);
      for (const w of watchers.values()) w.close();
      metrics.timestamps.clear();
    },
  };
}

/** The files the patterns match now; a malformed pattern is logged and skipped. */
async function listFiles(fs: FileSystem, patterns: readonly string[], logger: Logger): Promise<string[]> {
  const paths: string[] = [];
  for (const pattern of patterns) {
    try {
      paths.push(...(await glob(fs, pattern)));
    } catch (error) {
      logger.error("Error expanding glob", { glob: pattern, err: (error as Error).message });
    }
  }
  return paths;
}

/** The target groups of one file, by its extension (Prometheus's readFile). */
async function readGroups(fs: FileSystem, path: string, timestamps: Map<string, number>): Promise<TargetGroup[]> {
  const text = await fs.readTextFile(path);
  const info = await fs.stat(path);
  const dot = path.lastIndexOf(".");
  const ext = dot > path.lastIndexOf("/") ? path.slice(dot).toLowerCase() : "";
  let contents;
  if (ext === ".json") contents = parseTargetGroupsJson(text);
  else if (ext === ".yml" || ext === ".yaml") contents = parseTargetGroupsYaml(text);
  else throw new Error(`unhandled file extension ${goQuote(ext)}`);
  if (info) timestamps.set(path, Math.floor(info.mtimeMs / 1000));
  return contents.map((c, i) => ({ source: fileSource(path, i), targets: c.targets, labels: { ...c.labels, [FILEPATH_LABEL]: path } }));
}
