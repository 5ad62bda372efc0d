// The `alloy` command line: picks the subcommand, handles --help and --version, rejects unknown
// flags, and turns failures into Alloy's `Error: …` line and exit code 1.
import { defineCommand, runCommand, type ArgsDef, type CommandDef } from "citty";
import type { Platform } from "../platform/mod.ts";
import { LogController } from "../runtime/logging/logger.ts";
import { buildInfo, formatBuildInfo, VERSION } from "./build-info.ts";
import { fmtCommand } from "./commands/fmt.ts";
import { convertCommand, validateCommand } from "./commands/pending.ts";
import { runCommand as alloyRunCommand } from "./commands/run.ts";
import { CommandError, type CliContext } from "./context.ts";
import { checkFlags, FlagError } from "./flags.ts";
import { renderUsage } from "./usage.ts";

function rootCommand(context: CliContext) {
  return defineCommand({
    meta: { name: "alloy", version: VERSION, description: "Grafana Alloy (alloy-ts): a telemetry collector, in TypeScript" },
    subCommands: {
      run: alloyRunCommand(context),
      fmt: fmtCommand(context),
      validate: validateCommand(context),
      convert: convertCommand(context),
    },
  });
}

/** Runs the CLI with the given arguments and returns the exit code. */
export async function main(platform: Platform, argv: string[]): Promise<number> {
  const logs = new LogController({ write: (line) => platform.stderr.write(line) });
  const context: CliContext = { platform, logs };
  const root = rootCommand(context);
  const out = (text: string) => platform.stdout.write(text.endsWith("\n") ? text : text + "\n");
  const fail = (message: string) => {
    platform.stderr.write(`Error: ${message}\n`);
    return 1;
  };

  if (argv[0] === "--version" || argv[0] === "-v") {
    out(formatBuildInfo(await buildInfo(platform)));
    return 0;
  }
  const [name, ...rest] = argv;
  const subCommands = root.subCommands as Record<string, CommandDef>;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    out(renderUsage(root));
    return 0;
  }
  const command = subCommands[name];
  if (!command) return fail(`unknown command "${name}" for "alloy"\nRun 'alloy --help' for usage.`);
  if (rest.includes("--help") || rest.includes("-h")) {
    out(renderUsage(command, root));
    return 0;
  }
  try {
    checkFlags(rest, (command.args ?? {}) as ArgsDef);
    await runCommand(command, { rawArgs: rest });
    return 0;
  } catch (error) {
    if (error instanceof FlagError) return fail(`${error.message}\nRun 'alloy ${name} --help' for usage.`);
    if (error instanceof CommandError) {
      platform.stderr.write(`Error: ${error.message}\n`);
      return error.exitCode;
    }
    return fail(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
}
