// What every command gets: the platform it runs on and the process-wide log controller.
import type { Platform } from "../platform/mod.ts";
import type { LogController } from "../runtime/logging/logger.ts";

export interface CliContext {
  platform: Platform;
  logs: LogController;
}

/** A failure the CLI reports as `Error: <message>` with exit code 1, as Alloy's cobra commands do. */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
