// One alloy subcommand: its flags (pflag semantics, see flags.ts), its positional argument and what
// it does. citty holds the command tree and dispatches; the parsed flags travel as its `data`.
import { defineCommand } from "citty";
import type { CliContext } from "./context.ts";
import { cittyArgs, type FlagSet, type ParsedFlags } from "./flags.ts";

export interface CommandSpec {
  name: string;
  description: string;
  flags: FlagSet;
  positional?: { name: string; description: string };
  run(parsed: ParsedFlags, context: CliContext): Promise<void> | void;
}

export function toCitty(spec: CommandSpec, context: CliContext) {
  return defineCommand({
    meta: { name: spec.name, description: spec.description },
    args: cittyArgs(spec.flags, spec.positional),
    run: ({ data }) => spec.run(data as ParsedFlags, context),
  });
}
