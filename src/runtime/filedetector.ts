// Noticing that a file changed, as Alloy's filedetector does for local.file and import.file: either
// a watch (fsnotify) with a poll at poll_frequency as a safety net — which also re-arms a watch lost
// when the file was replaced — or a poll alone.
import type { Platform, Watcher } from "../platform/mod.ts";
import { t } from "../syntax/schema/index.ts";
import type { Logger } from "./logging/logger.ts";

export type Detector = "fsnotify" | "poll";

/** The `detector` attribute: "" and "fsnotify" watch, "poll" polls. */
export const DetectorType = t.text<Detector>({
  name: "detector",
  parse: (s) => {
    if (s === "" || s === "fsnotify") return "fsnotify";
    if (s === "poll") return "poll";
    throw new Error(`unrecognized detector "${s}", expected fsnotify or poll`);
  },
  format: (d) => d,
  zero: () => "fsnotify",
});

export interface FileDetectorOptions {
  platform: Platform;
  logger: Logger;
  filename: string;
  detector: Detector;
  pollFrequencyMs: number;
  /** Called when the file may have changed (several changes can share one call). */
  onChange(): void;
}

export function detectFileChanges(options: FileDetectorOptions): { close(): void } {
  const period = Math.max(1, options.pollFrequencyMs);
  if (options.detector === "poll") {
    const timer = setInterval(options.onChange, period);
    return { close: () => clearInterval(timer) };
  }
  let watcher: Watcher | undefined;
  const watch = () => {
    if (watcher) return;
    try {
      watcher = options.platform.fs.watch(options.filename, () => options.onChange());
    } catch (error) {
      // The file may be missing right now; the poll below tries again.
      options.logger.warn("failed to watch file", { path: options.filename, err: (error as Error).message });
    }
  };
  watch();
  const timer = setInterval(() => {
    watcher?.close();
    watcher = undefined;
    watch();
    options.onChange();
  }, period);
  return {
    close: () => {
      clearInterval(timer);
      watcher?.close();
    },
  };
}
