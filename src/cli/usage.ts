// Help text in the layout of Alloy's cobra commands, built from the same citty argument definitions
// the parser uses, so the two never disagree.
import type { ArgsDef, CommandDef } from "citty";

interface Described {
  name?: string;
  description?: string;
}

function metaOf(command: CommandDef): Described {
  return (command.meta ?? {}) as Described;
}

function flagLine(name: string, def: ArgsDef[string]): [string, string] {
  const aliases = "alias" in def && def.alias ? (Array.isArray(def.alias) ? def.alias : [def.alias]) : [];
  const short = aliases.find((a) => a.length === 1);
  const type = def.type === "boolean" ? "" : " string";
  const left = `${short ? `-${short}, ` : "    "}--${name}${type}`;
  let description = def.description ?? "";
  const fallback = "default" in def ? def.default : undefined;
  if (def.type === "boolean" && fallback === true) description += " (default true)";
  if (def.type !== "boolean" && fallback !== undefined && fallback !== "") description += ` (default "${fallback}")`;
  return [left, description];
}

function columns(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}   ${right}`.trimEnd()).join("\n");
}

export function renderUsage(command: CommandDef, parent?: CommandDef): string {
  const meta = metaOf(command);
  const args = (command.args ?? {}) as ArgsDef;
  const path = [parent ? metaOf(parent).name : undefined, meta.name].filter(Boolean).join(" ");
  const lines: string[] = [];
  if (meta.description) lines.push(meta.description, "");
  const subCommands = (command.subCommands ?? {}) as Record<string, CommandDef>;
  const positionals = Object.entries(args).filter(([, def]) => def.type === "positional");
  const flags = Object.entries(args).filter(([, def]) => def.type !== "positional");
  lines.push("Usage:");
  if (Object.keys(subCommands).length > 0) lines.push(`  ${path} [command]`);
  else lines.push(`  ${path} [flags]${positionals.map(([name]) => ` ${name.toUpperCase()}`).join("")}`);
  if (Object.keys(subCommands).length > 0) {
    lines.push("", "Available Commands:");
    lines.push(columns(Object.entries(subCommands).map(([name, sub]) => [name, metaOf(sub).description ?? ""])));
  }
  lines.push("", "Flags:");
  const rows = flags.map(([name, def]) => flagLine(name, def));
  rows.push(["-h, --help", `help for ${meta.name ?? path}`]);
  if (!parent) rows.push(["-v, --version", `version for ${meta.name ?? path}`]);
  lines.push(columns(rows));
  if (Object.keys(subCommands).length > 0) lines.push("", `Use "${path} [command] --help" for more information about a command.`);
  return lines.join("\n") + "\n";
}
