// Commands registered with their flags whose behaviour arrives in its own issue: until then they
// fail with "not implemented yet" rather than pretend.
import { defineCommand, type ArgsDef } from "citty";
import { notImplementedYet, type CliContext } from "../context.ts";

const validateArgs = {
  path: { type: "positional", required: false, description: "Configuration file, or directory of *.alloy files" },
  "stability.level": { type: "string", default: "generally-available", description: "Minimum stability level of features to enable" },
  "feature.community-components.enabled": { type: "boolean", default: false, description: "Enable community components" },
  "config.format": { type: "string", default: "alloy", description: "The format of the source file" },
  "config.bypass-conversion-errors": { type: "boolean", default: false, description: "Enable bypassing errors when converting" },
  "config.extra-args": { type: "string", default: "", description: "Extra arguments from the original format used by the converter" },
} satisfies ArgsDef;

const convertArgs = {
  path: { type: "positional", required: false, description: "File to convert, or - for standard input" },
  output: { type: "string", alias: "o", description: "The filepath and filename where the output is written" },
  report: { type: "string", alias: "r", description: "The filepath and filename where the report is written" },
  "source-format": { type: "string", alias: "f", default: "", description: "The format of the source file: otelcol, prometheus, promtail, static" },
  "bypass-errors": { type: "boolean", alias: "b", default: false, description: "Enable bypassing errors when converting" },
  "extra-args": { type: "string", alias: "e", default: "", description: "Extra arguments from the original format used by the converter" },
} satisfies ArgsDef;

export function validateCommand(_context: CliContext) {
  return defineCommand({
    meta: { name: "validate", description: "Validate a configuration file" },
    args: validateArgs,
    run: () => notImplementedYet("validate"),
  });
}

export function convertCommand(_context: CliContext) {
  return defineCommand({
    meta: { name: "convert", description: "Convert a supported config file to the Alloy format" },
    args: convertArgs,
    run: () => notImplementedYet("convert"),
  });
}
