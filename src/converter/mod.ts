// Configuration conversion (Alloy's internal/converter): a Prometheus, Promtail, OpenTelemetry
// Collector or Grafana Agent static configuration in, an Alloy configuration and diagnostics out.
// Prometheus is converted; the other formats answer with a critical "not supported yet".
import { Diagnostics, Severity } from "./diag.ts";
import { convertPrometheus } from "./prometheus/convert.ts";

export { blocksOutput, type Diagnostic, diagnosticString, Diagnostics, Severity, severityName, textReport } from "./diag.ts";

/** The formats `alloy convert --source-format` accepts, in Alloy's order. */
export const SUPPORTED_FORMATS = ["otelcol", "prometheus", "promtail", "static"] as const;
export type SourceFormat = (typeof SUPPORTED_FORMATS)[number];

export interface ConvertOptions {
  /** Environment lookups some settings use (external label expansion, AWS region). */
  getEnv?: (name: string) => string | undefined;
}

export interface ConvertResult {
  /** The Alloy configuration (formatted, ending with a newline); null when none was produced. */
  output: string | null;
  diagnostics: Diagnostics;
}

const NOT_YET: Record<string, string> = {
  otelcol: "OpenTelemetry Collector",
  promtail: "Promtail",
  static: "Grafana Agent static",
};

/** Converts input of the given format (Go's converter.Convert). */
export function convert(input: string | Uint8Array, format: string, extraArgs: readonly string[] = [], options: ConvertOptions = {}): ConvertResult {
  const text = typeof input === "string" ? input : new TextDecoder().decode(input);
  switch (format) {
    case "prometheus":
      return convertPrometheus(text, extraArgs, options);
    case "otelcol":
    case "promtail":
    case "static": {
      const diagnostics = new Diagnostics();
      diagnostics.add(
        Severity.Critical,
        `converting from the ${format} format (${NOT_YET[format]} configuration) is not supported yet by alloy-ts; only the prometheus format can be converted`,
      );
      return { output: null, diagnostics };
    }
    default: {
      const diagnostics = new Diagnostics();
      diagnostics.add(Severity.Critical, `unrecognized kind ${JSON.stringify(format)} given to the config converter`);
      return { output: null, diagnostics };
    }
  }
}

/**
 * Splits `--extra-args` as Alloy does: on whitespace; `-k=v` and `--k=v` become the two entries
 * `-k`, `v`; `k=v` without a dash is an error.
 */
export function parseExtraArgs(extraArgs: string): string[] {
  const result: string[] = [];
  if (extraArgs === "") return result;
  for (const arg of extraArgs.split(/\s+/).filter((a) => a !== "")) {
    const eq = arg.indexOf("=");
    const key = eq < 0 ? arg : arg.slice(0, eq);
    const value = eq < 0 ? "" : arg.slice(eq + 1);
    result.push(key);
    if (eq >= 0 && value !== "") {
      if (!arg.startsWith("-")) throw new Error(`invalid flag found: ${arg}`);
      result.push(value);
    }
  }
  return result;
}
