// The `logging` block: level and format of the agent's own log, applied to the LogController at
// every evaluation, so a reload switches them. Without a block the defaults apply (Alloy resets a
// removed block's settings). write_to needs components that receive logs, which do not exist yet:
// only an empty list is accepted until they do.
import type { BlockStmt } from "../../syntax/ast.ts";
import { attr, struct, t } from "../../syntax/schema/index.ts";
import type { Value } from "../../syntax/value/index.ts";
import { decodeBody, type Scope } from "../../syntax/vm/index.ts";
import { LOG_FORMATS, LOG_LEVELS, type LogController, type LogFormat, type LogLevel } from "../logging/logger.ts";
import type { BlockNode } from "./types.ts";
import { wrapError } from "./types.ts";

function textEnum<T extends string>(name: string, values: readonly T[], fallback: T, what: string) {
  return t.text<T>({
    name,
    parse: (s) => {
      if (s === "") return fallback;
      if ((values as readonly string[]).includes(s)) return s as T;
      throw new Error(`unrecognized ${what} ${JSON.stringify(s)}`);
    },
    format: (x) => x,
    zero: () => fallback,
  });
}

export const LoggingBlock = struct(
  {
    level: attr(textEnum<LogLevel>("level", LOG_LEVELS, "info", "log level"), { optional: true }),
    format: attr(textEnum<LogFormat>("format", LOG_FORMATS, "logfmt", "log format"), { optional: true }),
    destination: attr(textEnum("destination", ["stderr", "windows_event_log"] as const, "stderr", "log destination"), {
      optional: true,
    }),
    write_to: attr(t.array(t.value()), { optional: true }),
  },
  {
    defaults: () => ({ level: "info" as LogLevel, format: "logfmt" as LogFormat, destination: "stderr" as const, write_to: [] as Value[] }),
  },
);

export class LoggingConfigNode implements BlockNode {
  readonly nodeId = "logging";
  #block: BlockStmt | undefined;

  constructor(
    private readonly logs: LogController,
    block: BlockStmt | undefined,
    private readonly os: string,
  ) {
    this.#block = block;
  }

  get block(): BlockStmt | undefined {
    return this.#block;
  }

  updateBlock(block: BlockStmt): void {
    this.#block = block;
  }

  async evaluate(scope: Scope): Promise<void> {
    let options = LoggingBlock.defaults();
    if (this.#block) {
      try {
        options = decodeBody(this.#block.body, LoggingBlock, scope);
      } catch (e) {
        throw wrapError("decoding configuration", e);
      }
    }
    if (options.destination === "windows_event_log" && this.os !== "windows") {
      throw new Error("could not update logger: failed to open Windows Event Log: not supported on this platform");
    }
    if (options.write_to.length > 0) {
      throw new Error("could not update logger: write_to is not supported yet: no component can receive logs");
    }
    this.logs.setOptions({ level: options.level, format: options.format });
  }
}
