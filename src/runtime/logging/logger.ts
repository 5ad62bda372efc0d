// The agent's logger: leveled, structured lines in Alloy's logfmt or JSON format, through consola,
// written to a sink (stderr in the CLI). The level and format can change at any time (the
// `logging` config block does so at reload) and every child logger follows.
import { createConsola, type ConsolaInstance, type LogObject } from "consola/core";
import { formatJson, formatLogfmt, formatTimestamp, type LogFields } from "./logfmt.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFormat = "logfmt" | "json";

export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];
export const LOG_FORMATS: readonly LogFormat[] = ["logfmt", "json"];

// consola's numeric levels: error 0, warn 1, info 3, debug 4.
const CONSOLA_LEVEL: Record<LogLevel, number> = { error: 0, warn: 1, info: 3, debug: 4 };
const LEVEL_OF_TYPE: Record<string, LogLevel> = { error: "error", warn: "warn", info: "info", debug: "debug" };

export interface LogSink {
  write(line: string): void;
}

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
}

/** Owns the consola instance, the sink and the current options that every Logger shares. */
export class LogController {
  #options: LoggerOptions;
  readonly #consola: ConsolaInstance;
  /** Extra listeners that see every written line (the support bundle captures logs this way). */
  readonly #taps = new Set<(line: string) => void>();

  constructor(
    readonly sink: LogSink,
    options: LoggerOptions = { level: "info", format: "logfmt" },
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#options = { ...options };
    this.#consola = createConsola({
      level: CONSOLA_LEVEL[options.level],
      // consola folds repeated identical lines by default; an agent's log must keep every line.
      throttle: 0,
      reporters: [{ log: (entry) => this.#report(entry) }],
    });
  }

  get options(): LoggerOptions {
    return { ...this.#options };
  }

  setOptions(options: LoggerOptions) {
    this.#options = { ...options };
    this.#consola.level = CONSOLA_LEVEL[options.level];
  }

  /** The root logger; children add their fields with `with`. */
  logger(fields: LogFields = {}): Logger {
    return new Logger(this.#consola, fields);
  }

  #report(entry: LogObject) {
    const [message, fields] = entry.args as [unknown, LogFields | undefined];
    const line: [string, unknown][] = [
      ["ts", formatTimestamp(this.now())],
      ["level", LEVEL_OF_TYPE[entry.type] ?? "info"],
      ["msg", message instanceof Error ? message.message : String(message)],
    ];
    for (const [key, value] of Object.entries(fields ?? {})) line.push([key, value]);
    const text = (this.#options.format === "json" ? formatJson(line) : formatLogfmt(line)) + "\n";
    this.sink.write(text);
    for (const tap of this.#taps) tap(text);
  }

  /** Collects every line written from now until stop() is called. */
  capture(): { stop(): string } {
    const lines: string[] = [];
    const tap = (line: string) => lines.push(line);
    this.#taps.add(tap);
    return {
      stop: () => {
        this.#taps.delete(tap);
        return lines.join("");
      },
    };
  }
}

export class Logger {
  constructor(
    private readonly consola: ConsolaInstance,
    private readonly fields: LogFields,
  ) {}

  /** A logger that adds these fields to every line (component ids, services …). */
  with(fields: LogFields): Logger {
    return new Logger(this.consola, { ...this.fields, ...fields });
  }

  debug(message: string, fields?: LogFields) {
    this.consola.debug(message, { ...this.fields, ...fields });
  }
  info(message: string, fields?: LogFields) {
    this.consola.info(message, { ...this.fields, ...fields });
  }
  warn(message: string, fields?: LogFields) {
    this.consola.warn(message, { ...this.fields, ...fields });
  }
  error(message: string, fields?: LogFields) {
    this.consola.error(message, { ...this.fields, ...fields });
  }
}

export function parseLogLevel(text: string): LogLevel | undefined {
  return (LOG_LEVELS as readonly string[]).includes(text) ? (text as LogLevel) : undefined;
}

export function parseLogFormat(text: string): LogFormat | undefined {
  return (LOG_FORMATS as readonly string[]).includes(text) ? (text as LogFormat) : undefined;
}
