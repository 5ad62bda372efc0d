// `alloy convert --source-format=<fmt> [-o FILE] [-r FILE] [-b] [-e "ARGS"] [FILE|-]`, with
// Alloy's rules: a critical diagnostic always stops, errors stop unless bypassed, warnings and
// infos never do; when it stops, every diagnostic goes to stderr and nothing is written; the
// report is written in every case. Also the conversion behind `alloy run --config.format`.
import type { FileInfo, Platform } from "../../platform/mod.ts";
import { blocksOutput, convert, diagnosticString, parseExtraArgs, SUPPORTED_FORMATS, textReport } from "../../converter/mod.ts";
import type { CommandSpec } from "../command.ts";
import { CommandError } from "../context.ts";

const FORMATS_TEXT = SUPPORTED_FORMATS.map((f) => JSON.stringify(f)).join(", ");

/** Environment lookups for the converter; a runtime that denies access (Deno) reads as unset. */
function envLookup(platform: Platform): (name: string) => string | undefined {
  return (name) => {
    try {
      return platform.getEnv(name);
    } catch {
      return undefined;
    }
  };
}

function ioMessage(op: string, path: string, error: unknown): string {
  const code = (error as { code?: string }).code;
  const reason =
    code === "ENOENT" ? "no such file or directory"
    : code === "EACCES" ? "permission denied"
    : code === "EISDIR" ? "is a directory"
    : code === "ENOTDIR" ? "not a directory"
    : (error as Error).message;
  return `${op} ${path}: ${reason}`;
}

export const convertCommand: CommandSpec = {
  name: "convert",
  description: "Convert a supported config file to Alloy",
  positional: { name: "file", description: "File to convert; standard input when absent or -" },
  flags: {
    output: { type: "string", short: "o", description: "The filepath and filename where the output is written." },
    report: { type: "string", short: "r", description: "The filepath and filename where the report is written." },
    "source-format": { type: "string", short: "f", description: `The format of the source file. Supported formats: ${FORMATS_TEXT}.` },
    "bypass-errors": { type: "boolean", short: "b", description: "Enable bypassing errors when converting" },
    "extra-args": {
      type: "string",
      short: "e",
      description: "Extra arguments from the original format used by the converter. Multiple arguments can be passed by separating them with a space.",
    },
  },
  async run({ values, positionals }, { platform }) {
    if (positionals.length > 1) throw new CommandError(`accepts between 0 and 1 arg(s), received ${positionals.length}`);
    const sourceFormat = values["source-format"] as string;
    const output = values.output as string;
    const report = values.report as string;
    const bypassErrors = values["bypass-errors"] === true;
    if (sourceFormat === "") throw new CommandError("source-format is a required flag");

    const path = positionals[0] ?? "-";
    let input: Uint8Array;
    if (path === "-") {
      input = await platform.readStdin();
    } else {
      const info = await platform.fs.stat(path);
      if (!info) throw new CommandError(`stat ${path}: no such file or directory`);
      if (info.isDirectory) throw new CommandError("cannot convert a directory");
      try {
        input = await platform.fs.readFile(path);
      } catch (error) {
        throw new CommandError(ioMessage("open", path, error));
      }
    }

    let extraArgs: string[];
    try {
      extraArgs = parseExtraArgs(values["extra-args"] as string);
    } catch (error) {
      throw new CommandError((error as Error).message);
    }
    const result = convert(input, sourceFormat, extraArgs, { getEnv: envLookup(platform) });

    if (report !== "") {
      try {
        await platform.fs.writeFileAtomic(report, textReport(result.diagnostics, bypassErrors));
      } catch (error) {
        throw new CommandError(ioMessage("open", report, error));
      }
    }
    if (blocksOutput(result.diagnostics, bypassErrors)) {
      for (const line of result.diagnostics) platform.stderr.write(`${diagnosticString(line)}\n`);
      throw new CommandError("encountered errors during formatting");
    }
    const text = result.output ?? "";
    if (output === "") {
      platform.stdout.write(text);
      return;
    }
    try {
      await platform.fs.writeFileAtomic(output, text);
    } catch (error) {
      throw new CommandError(ioMessage("open", output, error));
    }
  },
};

// ---------------------------------------------------------------------------------------------
// `alloy run --config.format=<fmt>`

/** The conversion settings of `alloy run`, read back from its `name=value` flag lines. */
export function runConversionFlags(flagLines: readonly string[]): { bypassErrors: boolean; extraArgs: string } {
  const value = (name: string) => flagLines.find((l) => l.startsWith(name + "="))?.slice(name.length + 1) ?? "";
  return { bypassErrors: value("config.bypass-conversion-errors") === "true", extraArgs: value("config.extra-args") };
}

/**
 * A platform whose file system returns the configuration file at path converted from format to
 * Alloy, as Alloy's loadSourceFiles does on every (re)load: only a file is converted (a directory
 * is read as *.alloy files), conversion failures fail the read with the diagnostics as message,
 * and the converted text is what the runtime, the UI and the support bundle see under path.
 */
export function convertingPlatform(platform: Platform, path: string, format: string, settings: { bypassErrors: boolean; extraArgs: string }): Platform {
  let converted: Uint8Array | null = null;
  const stat = async (p: string): Promise<FileInfo | null> => {
    const info = await platform.fs.stat(p);
    if (p !== path || !info || info.isDirectory) return info;
    converted = null;
    let input: Uint8Array;
    try {
      input = await platform.fs.readFile(p);
    } catch {
      return info; // the read that follows reports the error
    }
    const extraArgs = parseExtraArgs(settings.extraArgs);
    const result = convert(input, format, extraArgs, { getEnv: envLookup(platform) });
    if (blocksOutput(result.diagnostics, settings.bypassErrors)) throw new Error(result.diagnostics.toString());
    converted = new TextEncoder().encode(result.output ?? "");
    return info;
  };
  const readFile = async (p: string): Promise<Uint8Array> => {
    if (p === path && converted !== null) return converted;
    return platform.fs.readFile(p);
  };
  const bound = <T extends object>(target: T, overrides: Record<string | symbol, unknown>): T =>
    new Proxy(target, {
      get(t, prop) {
        if (Object.prototype.hasOwnProperty.call(overrides, prop)) return overrides[prop];
        const v = Reflect.get(t, prop, t);
        return typeof v === "function" ? v.bind(t) : v;
      },
    });
  const fs = bound(platform.fs, { stat, readFile });
  return bound(platform, { fs });
}
