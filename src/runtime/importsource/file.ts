// import.file: a module from a file, or from the top-level *.alloy files of a directory. Changes
// are noticed by watching the path (with a poll at poll_frequency as a fallback, which also
// re-establishes a watch lost when the file was replaced) or by polling only.
import type { BlockStmt } from "../../syntax/ast.ts";
import { attr, Minute, struct, t } from "../../syntax/schema/index.ts";
import { decodeBody, type Scope } from "../../syntax/vm/index.ts";
import type { Platform } from "../../platform/mod.ts";
import { DetectorType, detectFileChanges } from "../filedetector.ts";
import type { Health } from "../component.ts";
import { health } from "../health.ts";
import type { Logger } from "../logging/logger.ts";
import { wrapError } from "../nodes/types.ts";
import { goFileError } from "../os-error.ts";
import { dirPath, joinPath } from "../paths.ts";
import { waitForWake } from "../signal.ts";
import { type ContentHandler, type ImportSource, type ImportSourceOptions, sleep } from "./types.ts";

export const FileArguments = struct(
  {
    filename: attr(t.string()),
    detector: attr(DetectorType, { optional: true }),
    poll_frequency: attr(t.duration(), { optional: true }),
  },
  { defaults: () => ({ detector: "fsnotify" as const, poll_frequency: Minute }) },
);

type Args = ReturnType<typeof FileArguments.defaults>;

/** Waits this long after a change before reading, so partial writes are not picked up. */
const WAIT_READ_MS = 30;

export class ImportFile implements ImportSource {
  #block: BlockStmt;
  #args: Args | undefined;
  #health: Health = health("unknown", "");
  #modulePath = "";
  #detector: { close(): void } | undefined;
  #reloadRequested = false;
  #wake: (() => void) | undefined;
  readonly #platform: Platform;
  readonly #logger: Logger;
  readonly #onContentChange: ContentHandler;

  constructor(options: ImportSourceOptions) {
    this.#block = options.block;
    this.#platform = options.platform;
    this.#logger = options.logger;
    this.#onContentChange = options.onContentChange;
  }

  updateBlock(block: BlockStmt): void {
    this.#block = block;
  }

  async evaluate(scope: Scope): Promise<void> {
    let args: Args;
    try {
      args = decodeBody(this.#block.body, FileArguments, scope);
    } catch (e) {
      throw wrapError("decoding configuration", e);
    }
    if (this.#args && FileArguments.equal(this.#args, args)) return;
    this.#args = args;
    // Read at once so that a missing file is reported by the evaluation.
    try {
      await this.#readFile();
    } catch (e) {
      throw wrapError("failed to read file", e);
    }
    this.#detector?.close();
    this.#detector = detectFileChanges({
      platform: this.#platform,
      logger: this.#logger,
      filename: args.filename,
      detector: args.detector,
      pollFrequencyMs: args.poll_frequency / 1e6,
      onChange: this.#requestReload,
    });
  }

  #requestReload = (): void => {
    this.#reloadRequested = true;
    this.#wake?.();
  };

  async run(signal: AbortSignal): Promise<void> {
    try {
      while (!signal.aborted) {
        if (!this.#reloadRequested) {
          await waitForWake(signal, (wake) => (this.#wake = wake));
          this.#wake = undefined;
          continue;
        }
        await sleep(WAIT_READ_MS, signal);
        if (signal.aborted) break;
        this.#reloadRequested = false;
        // Errors are logged and reported through health by readFile.
        await this.#readFile().catch(() => {});
      }
    } finally {
      this.#detector?.close();
      this.#detector = undefined;
    }
  }

  async #readFile(): Promise<void> {
    const args = this.#args!;
    let files: { name: string; path: string }[];
    try {
      files = await this.#collectFiles(args.filename);
    } catch (e) {
      this.#health = health("unhealthy", `failed to collect files: ${(e as Error).message}`);
      this.#logger.error("failed to collect files", { err: (e as Error).message });
      throw e;
    }
    const contents = new Map<string, string>();
    for (const file of files) {
      try {
        contents.set(file.name, await this.#platform.fs.readTextFile(file.path));
      } catch (e) {
        const err = goFileError("open", file.path, e);
        this.#health = health("unhealthy", `failed to read file: ${err.message}`);
        this.#logger.error("failed to read file", { file: file.path, err: err.message });
        throw err;
      }
    }
    this.#health = health("healthy", "read file");
    await this.#onContentChange(contents);
  }

  /** The file itself, or a directory's top-level *.alloy files keyed by their names. */
  async #collectFiles(path: string): Promise<{ name: string; path: string }[]> {
    const info = await this.#platform.fs.stat(path);
    if (!info) throw new Error(`stat ${path}: no such file or directory`);
    if (!info.isDirectory) {
      this.#modulePath = dirPath(path);
      return [{ name: path, path }];
    }
    this.#modulePath = path;
    const entries = await this.#platform.fs.readDir(path);
    return entries
      .filter((e) => !e.isDirectory && e.name.endsWith(".alloy"))
      .map((e) => ({ name: e.name, path: joinPath(path, e.name) }));
  }

  health(): Health {
    return this.#health;
  }

  modulePath(): string {
    return this.#modulePath;
  }
}
