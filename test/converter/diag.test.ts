// The diagnostics model and report of Alloy's internal/converter/diag (report_test.go's cases),
// the convert entry point's format handling, and --extra-args splitting.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { blocksOutput, convert, Diagnostics, parseExtraArgs, Severity, SUPPORTED_FORMATS, textReport } from "../../src/converter/mod.ts";

const CRITICAL_FOOTER = "\n\nA configuration file was not generated due to critical issues. Refer to the critical messages for more information.";
const ERROR_FOOTER =
  "\n\nA configuration file was not generated due to errors. Refer to the error messages for more information.\n\nYou can bypass the errors by using the --bypass-errors flag. Bypassing errors isn't recommended for production environments.";
const SUCCESS_FOOTER = "\n\nA configuration file was generated successfully.";

const critical = { severity: Severity.Critical, summary: "this is a critical diag" };
const error = { severity: Severity.Error, summary: "this is an error diag" };
const warn = { severity: Severity.Warn, summary: "this is a warn diag" };
const info = { severity: Severity.Info, summary: "this is an info diag" };

describe("converter diagnostics", () => {
  it("writes Alloy's text report", () => {
    const cases: Array<[string, Diagnostics, boolean, string]> = [
      ["Empty", new Diagnostics(), false, SUCCESS_FOOTER],
      ["Critical", new Diagnostics([critical, error, warn, info]), false, "(Critical) this is a critical diag" + CRITICAL_FOOTER],
      ["Error", new Diagnostics([error, warn, info]), false, "(Error) this is an error diag" + ERROR_FOOTER],
      ["Bypass Error", new Diagnostics([error, warn, info]), true, "(Error) this is an error diag\n(Warning) this is a warn diag\n(Info) this is an info diag" + SUCCESS_FOOTER],
      ["Warn", new Diagnostics([warn, info]), false, "(Warning) this is a warn diag\n(Info) this is an info diag" + SUCCESS_FOOTER],
      ["Info", new Diagnostics([info]), false, "(Info) this is an info diag" + SUCCESS_FOOTER],
    ];
    for (const [name, diags, bypass, expected] of cases) assert.equal(textReport(diags, bypass), expected, name);
  });

  it("renders a detail on the lines after the summary", () => {
    const d = new Diagnostics([{ severity: Severity.Info, summary: "s", detail: "\tA x component" }, warn]);
    assert.equal(d.toString(), "(Info) s\n\tA x component\n(Warning) this is a warn diag");
  });

  it("blocks output on criticals always and on errors unless bypassed", () => {
    assert.equal(blocksOutput(new Diagnostics([warn, info]), false), false);
    assert.equal(blocksOutput(new Diagnostics([error]), false), true);
    assert.equal(blocksOutput(new Diagnostics([error]), true), false);
    assert.equal(blocksOutput(new Diagnostics([critical]), true), true);
  });

  it("knows Alloy's formats and answers the others", () => {
    assert.deepEqual([...SUPPORTED_FORMATS], ["otelcol", "prometheus", "promtail", "static"]);
    const unknown = convert("", "nginx");
    assert.equal(unknown.output, null);
    assert.equal(unknown.diagnostics.toString(), '(Critical) unrecognized kind "nginx" given to the config converter');
    for (const format of ["otelcol", "promtail", "static"]) {
      const r = convert("server: {}\n", format);
      assert.equal(r.output, null);
      assert.equal(r.diagnostics.items.length, 1);
      assert.equal(r.diagnostics.items[0]!.severity, Severity.Critical);
      assert.match(r.diagnostics.items[0]!.summary, /is not supported yet by alloy-ts/);
    }
  });

  it("splits --extra-args as Alloy does", () => {
    assert.deepEqual(parseExtraArgs(""), []);
    assert.deepEqual(parseExtraArgs("-config.expand-env"), ["-config.expand-env"]);
    assert.deepEqual(parseExtraArgs("-enable-features=integrations-next  -config.expand-env"), ["-enable-features", "integrations-next", "-config.expand-env"]);
    assert.deepEqual(parseExtraArgs("--flag=value -f=v -e="), ["--flag", "value", "-f", "v", "-e"]);
    assert.throws(() => parseExtraArgs("key=value"), { message: "invalid flag found: key=value" });
  });
});
