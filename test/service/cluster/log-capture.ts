// A real logger (Alloy's logfmt lines) whose output a test can read back.
import { LogController, type Logger } from "../../../src/runtime/logging/logger.ts";

export function captureLogs(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = new LogController({ write: (line) => lines.push(line) }, { level: "debug", format: "logfmt" }).logger();
  return { logger, lines };
}
