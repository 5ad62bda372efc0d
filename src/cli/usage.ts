// Help text in the layout of Alloy's cobra commands, from the same flag definitions the parser uses.
import { formatDuration, parseDuration } from "../syntax/schema/duration.ts";
import type { CommandSpec } from "./command.ts";
import type { FlagDef } from "./flags.ts";

const TYPE_WORD: Record<FlagDef["type"], string> = {
  string: "string",
  boolean: "",
  duration: "duration",
  int: "int",
  stringSlice: "strings",
};

/** pflag's `(default …)` suffix; zero values are not shown. */
function defaultText(def: FlagDef): string {
  const value = def.default;
  if (value === undefined || value === "" || value === "false") return "";
  switch (def.type) {
    case "string":
      return ` (default "${value}")`;
    case "duration":
      return parseDuration(value) === 0 ? "" : ` (default ${formatDuration(parseDuration(value))})`;
    case "int":
      return value === "0" ? "" : ` (default ${value})`;
    case "stringSlice":
      return ` (default [${value}])`;
    case "boolean":
      return ` (default ${value})`;
  }
}

function columns(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}   ${right}`.trimEnd()).join("\n");
}

export function commandUsage(spec: CommandSpec): string {
  const rows: [string, string][] = Object.entries(spec.flags)
    .filter(([, def]) => !def.deprecated)
    .map(([name, def]) => {
      const type = TYPE_WORD[def.type];
      const left = `${def.short ? `-${def.short}, ` : "    "}--${name}${type ? ` ${type}` : ""}`;
      return [left, def.description + defaultText(def)];
    });
  rows.push(["-h, --help", `help for ${spec.name}`]);
  const positional = spec.positional ? ` ${spec.positional.name}` : "";
  return [spec.description, "", "Usage:", `  alloy ${spec.name} [flags]${positional}`, "", "Flags:", columns(rows), ""].join("\n");
}

export function rootUsage(description: string, specs: CommandSpec[]): string {
  return [
    description,
    "",
    "Usage:",
    "  alloy [command]",
    "",
    "Available Commands:",
    columns(specs.map((spec) => [spec.name, spec.description])),
    "",
    "Flags:",
    columns([
      ["-h, --help", "help for alloy"],
      ["-v, --version", "version for alloy"],
    ]),
    "",
    'Use "alloy [command] --help" for more information about a command.',
    "",
  ].join("\n");
}
