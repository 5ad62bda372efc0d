// The `alloy` command line: picks the subcommand, handles --help and --version, parses flags with
// pflag's rules, and turns failures into Alloy's `Error: …` line and exit code 1.
import { defineCommand, runCommand } from "citty";
import type { Platform } from "../platform/mod.ts";
import { LogController } from "../runtime/logging/logger.ts";
import { buildInfo, formatBuildInfo, VERSION } from "./build-info.ts";
import { toCitty, type CommandSpec } from "./command.ts";
import { fmtCommand } from "./commands/fmt.ts";
import { convertCommand } from "./commands/convert.ts";
import { validateCommand } from "./commands/validate.ts";
import { runCommand as alloyRun } from "./commands/run.ts";
import { CommandError, type CliContext } from "./context.ts";
import { FlagError, parseFlags } from "./flags.ts";
import { commandUsage, rootUsage } from "./usage.ts";

const DESCRIPTION = "Grafana Alloy (alloy-ts): a telemetry collector, in TypeScript";

/** Runs the CLI with the given arguments and returns the exit code. */
export async function main(platform: Platform, argv: string[]): Promise<number> {
  const logs = new LogController({ write: (line) => platform.stderr.write(line) });
  const context: CliContext = { platform, logs };
  const specs: CommandSpec[] = [alloyRun(platform.runtime.os), fmtCommand, validateCommand, convertCommand];
  const subCommands = Object.fromEntries(specs.map((spec) => [spec.name, toCitty(spec, context)]));
  // The citty tree; dispatch goes straight to the subcommand because citty hands `data` (the flags
  // parsed with pflag's rules) only to the command it is called with.
  defineCommand({ meta: { name: "alloy", version: VERSION, description: DESCRIPTION }, subCommands });
  const out = (text: string) => platform.stdout.write(text);
  const fail = (message: string) => {
    platform.stderr.write(`Error: ${message}\n`);
    return 1;
  };

  const [name, ...rest] = argv;
  if (name === "--version" || name === "-v") {
    out(formatBuildInfo(await buildInfo(platform)) + "\n");
    return 0;
  }
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    out(rootUsage(DESCRIPTION, specs));
    return 0;
  }
  const spec = specs.find((s) => s.name === name);
  if (!spec) return fail(`unknown command "${name}" for "alloy"\nRun 'alloy --help' for usage.`);
  if (rest.includes("--help") || rest.includes("-h")) {
    out(commandUsage(spec));
    return 0;
  }
  try {
    const parsed = parseFlags(rest, spec.flags);
    for (const warning of parsed.warnings) platform.stderr.write(`${warning}\n`);
    await runCommand(subCommands[name]!, { rawArgs: rest, data: parsed });
    return 0;
  } catch (error) {
    if (error instanceof FlagError) return fail(`${error.message}\nRun 'alloy ${name} --help' for usage.`);
    if (error instanceof CommandError) return fail(error.message);
    return fail(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
}
