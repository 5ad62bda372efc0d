// Alloy's prometheus converter test data (internal/converter/internal/prometheusconvert/testdata,
// read in place from ../shared/conformance): every <case>.yaml converts to <case>.alloy byte for
// byte, and its non-info diagnostics equal <case>.diags line for line (Alloy's test_common rules).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { convert, diagnosticString, Severity } from "../../src/converter/mod.ts";
import { parseFile } from "../../src/syntax/parser.ts";
import { conformanceURL } from "../syntax/conformance.ts";

const dir = fileURLToPath(conformanceURL("internal/converter/internal/prometheusconvert/testdata/"));
const read = (name: string) => readFileSync(dir + name, "utf8").replace(/\r\n/g, "\n");

// Cases that do not pass, with the reason (test/conformance/known-differences-converter.md).
const KNOWN_DIFFERENCES = new Map<string, string>();

describe("prometheus converter conformance", () => {
  const cases = readdirSync(dir).filter((f) => f.endsWith(".yaml")).map((f) => f.slice(0, -5)).sort();

  it("finds Alloy's 29 cases", () => {
    assert.equal(cases.length, 29);
  });

  for (const name of cases) {
    const test = KNOWN_DIFFERENCES.has(name) ? it.skip : it;
    test(name, () => {
      const hasAlloy = existsSync(dir + name + ".alloy");
      const hasDiags = existsSync(dir + name + ".diags");
      assert.ok(hasAlloy || hasDiags, "a case has an .alloy or a .diags file");
      const result = convert(readFileSync(dir + name + ".yaml"), "prometheus");
      const diags = result.diagnostics.items
        .filter((d) => d.severity !== Severity.Info)
        .map((d) => diagnosticString(d) + "\n")
        .join("");
      assert.deepEqual(diags.split("\n"), (hasDiags ? read(name + ".diags") : "").split("\n"));
      if (hasAlloy) {
        assert.equal(result.output, read(name + ".alloy"));
        // The generated configuration parses.
        parseFile(name + ".alloy", result.output!);
      }
    });
  }
});
