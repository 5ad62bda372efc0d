// `alloy validate [flags] PATH`: checks a configuration file, or a directory of `*.alloy` files,
// without running it (Alloy's cmd_validate.go). Nothing is printed for a valid configuration;
// otherwise every diagnostic is printed with its source excerpt to stderr, a newline to stdout (as
// Alloy's report does), and the command fails with "validation failed" (exit 1). Warnings fail
// too, as they do in Alloy.
import { builtinRegistry } from "../../component/registry.ts";
import { parseStability, STABILITY_LEVELS, type Stability } from "../../runtime/featuregate.ts";
import { readSourcePath } from "../../runtime/runtime.ts";
import type { ServiceDefinition } from "../../runtime/service.ts";
import { SourceError, StatementError } from "../../runtime/source.ts";
import { validate } from "../../runtime/validator/validate.ts";
import { HttpBlock } from "../../service/http/config.ts";
import { RemotecfgBlock } from "../../service/remotecfg/arguments.ts";
import { formatDiagnostics } from "../../syntax/diag.ts";
import { attr, struct, t } from "../../syntax/schema/index.ts";
import type { CommandSpec } from "../command.ts";
import { CONFIG_FORMATS } from "../config-formats.ts";
import { CommandError } from "../context.ts";

const optional = { optional: true } as const;

/**
 * Alloy's services as `alloy validate` knows them: http, remotecfg, livedebugging and labelstore
 * take a block, cluster, otel and ui cannot be configured.
 */
export const VALIDATE_SERVICES: readonly Pick<ServiceDefinition<any>, "name" | "args">[] = [
  { name: "cluster" },
  { name: "http", args: HttpBlock },
  { name: "labelstore", args: struct({}) },
  { name: "livedebugging", args: struct({ enabled: attr(t.bool(), optional) }) },
  { name: "otel" },
  { name: "remotecfg", args: RemotecfgBlock },
  { name: "ui" },
];

const stabilityValue = (text: string) => (parseStability(text) ? undefined : `invalid stability level "${text}"`);

export const validateCommand: CommandSpec = {
  name: "validate",
  description: "Validate a configuration file",
  positional: { name: "file", description: "Configuration file, or directory of *.alloy files" },
  flags: {
    "config.format": { type: "string", default: "alloy", description: `The format of the source file. Supported formats: ${CONFIG_FORMATS.map((f) => `'${f}'`).join(", ")}.` },
    "config.bypass-conversion-errors": { type: "boolean", description: "Enable bypassing errors when converting" },
    "config.extra-args": { type: "string", description: "Extra arguments from the original format used by the converter. Multiple arguments can be passed by separating them with a space." },
    "stability.level": { type: "string", default: "generally-available", validate: stabilityValue, description: `Minimum stability level of features to enable. Supported values: ${STABILITY_LEVELS.join(", ")}` },
    "feature.community-components.enabled": { type: "boolean", description: "Enable community components." },
  },
  async run({ values, positionals }, { platform }) {
    if (positionals.length !== 1) throw new CommandError(`accepts 1 arg(s), received ${positionals.length}`);
    const path = positionals[0]!;
    const format = values["config.format"] as string;
    if (format !== "alloy") {
      // The converters arrive with their own issue; never validate a configuration we did not convert.
      throw new CommandError(`converting from the ${format} format is not implemented yet`);
    }

    let sources: Map<string, Uint8Array>;
    try {
      sources = await readSourcePath(platform, path);
    } catch (error) {
      if (error instanceof SourceError) throw new CommandError(error.message);
      throw error;
    }

    let diagnostics;
    try {
      diagnostics = validate({
        sources,
        registry: builtinRegistry(),
        services: VALIDATE_SERVICES,
        minStability: values["stability.level"] as Stability,
        enableCommunityComponents: values["feature.community-components.enabled"] === true,
      });
    } catch (error) {
      if (!(error instanceof SourceError || error instanceof StatementError)) throw error;
      // Alloy's report prints errors that are not a list of diagnostics this way, without a newline.
      platform.stderr.write(`validation failed: ${error.message}`);
      throw new CommandError("validation failed");
    }
    if (diagnostics.length === 0) return;
    platform.stderr.write(formatDiagnostics(diagnostics, sources, { contextLinesBefore: 1, contextLinesAfter: 1 }));
    platform.stdout.write("\n");
    throw new CommandError("validation failed");
  },
};
