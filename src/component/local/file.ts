// local.file: exposes the content of a file to the rest of the configuration, re-read when it
// changes (watch or poll), as Alloy's local.file. A read failure on (re)configuration fails the
// component's evaluation; later read failures mark it unhealthy and keep the last content.
import { defineComponent, type Health } from "../../runtime/component.ts";
import { DetectorType, detectFileChanges } from "../../runtime/filedetector.ts";
import { health } from "../../runtime/health.ts";
import { Gauge } from "../../runtime/metrics/registry.ts";
import { attr, Millisecond, Minute, struct, t } from "../../syntax/schema/index.ts";
import { OptionalSecretValue } from "../../syntax/value/index.ts";

/** Waits this long after a change before reading, so a file being written is not read half-way. */
const WAIT_READ_MS = 30;

const Arguments = struct(
  {
    filename: attr(t.string()),
    detector: attr(DetectorType, { optional: true }),
    poll_frequency: attr(t.duration(), { optional: true }),
    is_secret: attr(t.bool(), { optional: true }),
  },
  {
    defaults: () => ({ detector: "fsnotify" as const, poll_frequency: Minute, is_secret: false }),
    validate: (args) => (args.poll_frequency <= 0 ? "poll_frequency must be greater than 0" : undefined),
  },
);

const Exports = struct({
  content: attr(t.optionalSecret()),
});

export const localFile = defineComponent({
  name: "local.file",
  stability: "generally-available",
  args: Arguments,
  exports: Exports,
  async build(context, initial) {
    let args = initial;
    let current: Health = health("unknown", "");
    let detector: { close(): void } | undefined;
    let pending: ReturnType<typeof setTimeout> | undefined;
    const lastAccessed = new Gauge({
      name: "local_file_timestamp_last_accessed_unix_seconds",
      help: "The last successful access in unix seconds",
    });
    context.registerer.register(lastAccessed);

    const read = async () => {
      try {
        const content = await context.platform.fs.readTextFile(args.filename);
        lastAccessed.set(Date.now() / 1000);
        context.onStateChange({ content: new OptionalSecretValue(content, args.is_secret) });
        current = health("healthy", "read file");
      } catch (error) {
        const message = goReadError(args.filename, error);
        current = health("unhealthy", `failed to read file: ${message}`);
        context.logger.error("failed to read file", { path: args.filename, err: message });
        throw new Error(`failed to read file: ${message}`);
      }
    };
    const scheduleRead = () => {
      if (pending) return;
      pending = setTimeout(() => {
        pending = undefined;
        read().catch(() => {}); // recorded in health and the log
      }, WAIT_READ_MS);
    };
    const configure = async () => {
      await read();
      detector?.close();
      detector = detectFileChanges({
        platform: context.platform,
        logger: context.logger,
        filename: args.filename,
        detector: args.detector,
        pollFrequencyMs: args.poll_frequency / Millisecond,
        onChange: scheduleRead,
      });
    };
    await configure();

    return {
      async run(signal) {
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
        detector?.close();
        if (pending) clearTimeout(pending);
      },
      async update(next) {
        const previous = args;
        args = next;
        try {
          await configure();
        } catch (error) {
          // Keep following the last good file; the failed arguments are reported by the evaluation.
          args = previous;
          await configure().catch(() => {});
          throw error;
        }
      },
      health: () => current,
    };
  },
});

/** The text Go's os.ReadFile error would give. */
export function goReadError(path: string, error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === "ENOENT") return `open ${path}: no such file or directory`;
  if (code === "EACCES") return `open ${path}: permission denied`;
  if (code === "EISDIR") return `read ${path}: is a directory`;
  return (error as Error).message;
}
