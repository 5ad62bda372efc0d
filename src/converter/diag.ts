// The converter's diagnostics, as Alloy's internal/converter/diag defines them: four severities
// (Info < Warning < Error < Critical), a summary with an optional detail, the `(Severity) summary`
// rendering, and the text report `alloy convert --report` writes.

export enum Severity {
  Info = 1,
  Warn = 2,
  Error = 3,
  Critical = 4,
}

export function severityName(s: Severity): string {
  switch (s) {
    case Severity.Critical:
      return "Critical";
    case Severity.Error:
      return "Error";
    case Severity.Warn:
      return "Warning";
    case Severity.Info:
      return "Info";
    default:
      return "Unknown";
  }
}

export interface Diagnostic {
  readonly severity: Severity;
  readonly summary: string;
  readonly detail?: string;
}

/** `(Severity) summary`, then the detail on the next line when there is one. */
export function diagnosticString(d: Diagnostic): string {
  const head = `(${severityName(d.severity)}) ${d.summary}`;
  return d.detail ? `${head}\n${d.detail}` : head;
}

/** A growing list of diagnostics (Go's diag.Diagnostics). */
export class Diagnostics {
  readonly items: Diagnostic[] = [];

  constructor(items: Iterable<Diagnostic> = []) {
    for (const d of items) this.items.push(d);
  }

  add(severity: Severity, summary: string, detail?: string): void {
    this.items.push(detail ? { severity, summary, detail } : { severity, summary });
  }

  addAll(other: Diagnostics | readonly Diagnostic[]): void {
    for (const d of other instanceof Diagnostics ? other.items : other) this.items.push(d);
  }

  get length(): number {
    return this.items.length;
  }

  has(severity: Severity): boolean {
    return this.items.some((d) => d.severity === severity);
  }

  /** A copy without the diagnostics of the given severities. */
  without(...severities: Severity[]): Diagnostics {
    return new Diagnostics(this.items.filter((d) => !severities.includes(d.severity)));
  }

  /** Every diagnostic rendered, joined by newlines (Go's Diagnostics.Error()). */
  toString(): string {
    return this.items.map(diagnosticString).join("\n");
  }

  [Symbol.iterator](): Iterator<Diagnostic> {
    return this.items[Symbol.iterator]();
  }
}

const CRITICAL_FOOTER =
  "\n\nA configuration file was not generated due to critical issues. Refer to the critical messages for more information.";
const ERROR_FOOTER =
  "\n\nA configuration file was not generated due to errors. Refer to the error messages for more information.\n\nYou can bypass the errors by using the --bypass-errors flag. Bypassing errors isn't recommended for production environments.";
const SUCCESS_FOOTER = "\n\nA configuration file was generated successfully.";

/**
 * The text report of `alloy convert --report`: with a critical diagnostic only the criticals and
 * the critical footer; with errors (not bypassed) the errors and the error footer; otherwise every
 * diagnostic and the success footer.
 */
export function textReport(diags: Diagnostics, bypassErrors: boolean): string {
  if (diags.has(Severity.Critical)) {
    return diags.without(Severity.Info, Severity.Warn, Severity.Error).toString() + CRITICAL_FOOTER;
  }
  if (diags.has(Severity.Error) && !bypassErrors) {
    return diags.without(Severity.Info, Severity.Warn).toString() + ERROR_FOOTER;
  }
  return diags.toString() + SUCCESS_FOOTER;
}

/** Whether a conversion with these diagnostics must not produce output (Alloy's CLI rule). */
export function blocksOutput(diags: Diagnostics, bypassErrors: boolean): boolean {
  return diags.has(Severity.Critical) || (!bypassErrors && diags.has(Severity.Error));
}
