// Commands registered with their flags whose behaviour arrives in its own issue: until then they
// fail with "not implemented yet" rather than pretend.
import type { CommandSpec } from "../command.ts";
import { CONFIG_FORMATS } from "../config-formats.ts";
import { notImplementedYet } from "../context.ts";

export const convertCommand: CommandSpec = {
  name: "convert",
  description: "Convert a supported config file to the Alloy format",
  positional: { name: "file", description: "File to convert, or - for standard input" },
  flags: {
    output: { type: "string", short: "o", description: "The filepath and filename where the output is written." },
    report: { type: "string", short: "r", description: "The filepath and filename where the report is written." },
    "source-format": { type: "string", short: "f", description: `The format of the source file. Supported formats: ${CONFIG_FORMATS.filter((f) => f !== "alloy").map((f) => `'${f}'`).join(", ")}.` },
    "bypass-errors": { type: "boolean", short: "b", description: "Enable bypassing errors when converting" },
    "extra-args": { type: "string", short: "e", description: "Extra arguments from the original format used by the converter. Multiple arguments can be passed by separating them with a space." },
  },
  run: () => notImplementedYet("convert"),
};
