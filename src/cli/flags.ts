// Command-line flags as Alloy's CLI (cobra + pflag) takes them: `--name=value` or `--name value`,
// booleans as `--name` or `--name=false`, and an error for any flag the command does not define.
import type { ArgsDef } from "citty";

export class FlagError extends Error {}

/** Names of the flags in args that the command does not define (Alloy: `unknown flag: --x`). */
export function checkFlags(rawArgs: string[], args: ArgsDef): void {
  const defined = new Map<string, string>();
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "positional") continue;
    defined.set(name, def.type ?? "string");
    const aliases = "alias" in def && def.alias ? (Array.isArray(def.alias) ? def.alias : [def.alias]) : [];
    for (const alias of aliases) defined.set(alias, def.type ?? "string");
  }
  defined.set("help", "boolean").set("h", "boolean");
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i]!;
    if (arg === "--") break;
    if (!arg.startsWith("-") || arg === "-") continue;
    const name = arg.replace(/^--?/, "").split("=")[0]!;
    const type = defined.get(name);
    if (!type) throw new FlagError(`unknown flag: ${arg.startsWith("--") ? "--" : "-"}${name}`);
    if (type !== "boolean" && !arg.includes("=")) {
      if (i + 1 >= rawArgs.length) throw new FlagError(`flag needs an argument: --${name}`);
      i++;
    }
  }
}
