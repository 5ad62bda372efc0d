// Command-line flags with the semantics of pflag, which Alloy's commands use: `--name=value` or
// `--name value`, booleans as `--name` or `--name=<Go bool>`, typed values (durations, ints, string
// lists) checked at parse time, and pflag's error messages for anything else. citty routes to the
// command; this parser decides what the command's flags mean.
import type { ArgsDef } from "citty";
import { parseDuration } from "../syntax/schema/duration.ts";

export type FlagType = "string" | "boolean" | "duration" | "int" | "stringSlice";

export interface FlagDef {
  type: FlagType;
  description: string;
  /** The value when the flag is absent, written as it would be on the command line. */
  default?: string;
  /** One-letter shorthand (`-w`). */
  short?: string;
  /** Accepted but ignored; using it prints pflag's deprecation notice. */
  deprecated?: string;
  /** Checks a parsed value; returns an error text for pflag's `invalid argument` message. */
  validate?: (value: string) => string | undefined;
}

export type FlagSet = Record<string, FlagDef>;

export type FlagValue = string | boolean | number | string[];

export interface ParsedFlags {
  values: Record<string, FlagValue>;
  /** Flags the user gave explicitly. */
  given: Set<string>;
  positionals: string[];
  /** pflag's notices for deprecated flags that were used. */
  warnings: string[];
}

export class FlagError extends Error {}

const GO_TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const GO_FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** A value as the flag's type holds it; throws the text pflag puts after `invalid argument …:`. */
function convert(def: FlagDef, text: string, previous?: FlagValue): FlagValue {
  const problem = def.validate?.(text);
  if (problem) throw new Error(problem);
  switch (def.type) {
    case "string":
      return text;
    case "boolean":
      if (GO_TRUE.has(text)) return true;
      if (GO_FALSE.has(text)) return false;
      throw new Error(`strconv.ParseBool: parsing ${JSON.stringify(text)}: invalid syntax`);
    case "duration":
      return parseDuration(text);
    case "int": {
      if (!/^[+-]?\d+$/.test(text)) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`);
      const value = Number(text);
      if (!Number.isSafeInteger(value)) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(text)}: value out of range`);
      return value;
    }
    case "stringSlice": {
      const items = text === "" ? [] : text.split(",");
      // pflag replaces the default on first use and appends on every later use.
      return Array.isArray(previous) ? [...previous, ...items] : items;
    }
  }
}

function flagLabel(name: string, def: FlagDef) {
  return def.short ? `-${def.short}, --${name}` : `--${name}`;
}

export function parseFlags(rawArgs: string[], flags: FlagSet): ParsedFlags {
  const values: Record<string, FlagValue> = {};
  for (const [name, def] of Object.entries(flags)) {
    values[name] = convert({ ...def, validate: undefined }, def.default ?? (def.type === "boolean" ? "false" : def.type === "int" ? "0" : def.type === "duration" ? "0s" : ""));
  }
  const byShort = new Map(Object.entries(flags).filter(([, d]) => d.short).map(([name, d]) => [d.short!, name]));
  const given = new Set<string>();
  const positionals: string[] = [];
  const warnings: string[] = [];

  const set = (name: string, text: string) => {
    const def = flags[name]!;
    try {
      values[name] = convert(def, text, given.has(name) ? values[name] : undefined);
    } catch (error) {
      throw new FlagError(`invalid argument ${JSON.stringify(text)} for "${flagLabel(name, def)}" flag: ${(error as Error).message}`);
    }
    if (def.deprecated && !given.has(name)) warnings.push(`Flag --${name} has been deprecated, ${def.deprecated}`);
    given.add(name);
  };

  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i]!;
    if (arg === "--") {
      positionals.push(...rawArgs.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const def = flags[name];
      if (!def) throw new FlagError(`unknown flag: --${name}`);
      if (eq !== -1) set(name, arg.slice(eq + 1));
      else if (def.type === "boolean") set(name, "true");
      else if (i + 1 < rawArgs.length) set(name, rawArgs[++i]!);
      else throw new FlagError(`flag needs an argument: --${name}`);
    } else if (arg.startsWith("-") && arg !== "-") {
      const letter = arg[1]!;
      const name = byShort.get(letter);
      if (!name) throw new FlagError(`unknown shorthand flag: '${letter}' in ${arg}`);
      const def = flags[name]!;
      const rest = arg.slice(2);
      if (def.type === "boolean") {
        if (rest.startsWith("=")) set(name, rest.slice(1));
        else if (rest === "") set(name, "true");
        else throw new FlagError(`unknown shorthand flag: '${rest[0]}' in ${arg}`);
      } else if (rest !== "") set(name, rest.startsWith("=") ? rest.slice(1) : rest);
      else if (i + 1 < rawArgs.length) set(name, rawArgs[++i]!);
      else throw new FlagError(`flag needs an argument: '${letter}' in -${letter}`);
    } else {
      positionals.push(arg);
    }
  }
  return { values, given, positionals, warnings };
}

/** The same flags as citty argument definitions, so citty's command tree knows them. */
export function cittyArgs(flags: FlagSet, positional?: { name: string; description: string }): ArgsDef {
  const args: ArgsDef = {};
  if (positional) args[positional.name] = { type: "positional", required: false, description: positional.description };
  for (const [name, def] of Object.entries(flags)) {
    args[name] = def.type === "boolean"
      ? { type: "boolean", description: def.description, ...(def.short ? { alias: def.short } : {}) }
      : { type: "string", description: def.description, ...(def.short ? { alias: def.short } : {}) };
  }
  return args;
}
