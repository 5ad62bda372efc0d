// Where an import block gets its module from. A source evaluates its block's arguments, delivers
// the module's files (name -> content) through onContentChange, and keeps watching for changes
// while it runs (Alloy's importsource).
import type { BlockStmt } from "../../syntax/ast.ts";
import type { Scope } from "../../syntax/vm/index.ts";
import type { Platform } from "../../platform/mod.ts";
import type { Health } from "../component.ts";
import type { Logger } from "../logging/logger.ts";

export type ContentHandler = (files: ReadonlyMap<string, string>) => Promise<void>;

export interface ImportSource {
  /** Evaluates the block; the first evaluation (and any with new arguments) fetches the content. */
  evaluate(scope: Scope): Promise<void>;
  /** Watches for new content until the signal aborts. */
  run(signal: AbortSignal): Promise<void>;
  health(): Health;
  /** Replaces the block used by the next evaluation. */
  updateBlock(block: BlockStmt): void;
  /** The module_path given to modules from this source. */
  modulePath(): string;
}

export interface ImportSourceOptions {
  block: BlockStmt;
  /** The import node's global id. */
  globalId: string;
  /** `<storage.path>/<globalId>`. */
  dataPath: string;
  platform: Platform;
  fetch: typeof fetch;
  logger: Logger;
  onContentChange: ContentHandler;
}

export { sleep, untilAborted as aborted } from "../signal.ts";
