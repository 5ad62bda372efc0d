// `alloy convert` as a real process under the runtime running the test: Alloy's flags, standard
// input, --output, --report, the error rules (errors stop unless bypassed, criticals always stop)
// and the formats that are not converted yet.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ChildRun, repoRoot, runRuntime, runtimeCommand } from "../helpers/runtime.ts";
import { makeTempDir } from "../helpers/tmp.ts";
import { conformanceURL } from "../syntax/conformance.ts";

const entry = join(repoRoot, "src/cli/entry.ts");
const testdata = fileURLToPath(conformanceURL("internal/converter/internal/prometheusconvert/testdata/"));
const vector = (name: string) => readFileSync(join(testdata, name), "utf8");

function convertWithStdin(input: string, ...args: string[]) {
  const [command, ...rest] = runtimeCommand(entry, ["convert", ...args]);
  const child = spawn(command!, rest, { cwd: repoRoot, stdio: ["pipe", "pipe", "pipe"] });
  child.stdin.end(input);
  return new ChildRun(child).completion();
}

const UNSUPPORTED_ERRORS = vector("unsupported.diags");
const UNSUPPORTED_INFOS = [
  '(Info) Converted scrape_configs job_name "prometheus1" into...',
  "\tA prometheus.scrape.prometheus1 component",
  '(Info) Converted scrape_configs job_name "prometheus2" into...',
  "\tA prometheus.scrape.prometheus2 component",
  '(Info) Converted 2 remote_write[s] "remote1,remote2" into...',
  "\tA prometheus.remote_write.default component",
].join("\n");

const SCRAPE_INFOS = [
  '(Info) Converted scrape_configs job_name "prometheus-1" into...',
  "\tA prometheus.scrape.prometheus_1 component",
  '(Info) Converted scrape_configs job_name "prometheus2" into...',
  "\tA prometheus.scrape.prometheus2 component",
  '(Info) Converted 6 remote_write[s] "remote1,remote2,remote3_sigv4_defaults,remote4_sigv4_explicit,remote5_azuread_defaults,remote6_azuread_explicit" into...',
  "\tA prometheus.remote_write.default component",
].join("\n");

describe("alloy convert", () => {
  const dir = makeTempDir();
  after(() => dir.cleanup());
  const path = (name: string) => join(dir.path, name);

  it("converts a Prometheus file to standard output", async () => {
    const result = await runRuntime(entry, ["convert", "--source-format=prometheus", join(testdata, "scrape.yaml"), "--bypass-errors"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, vector("scrape.alloy"));
    assert.equal(result.stderr, "");
    const clean = await runRuntime(entry, ["convert", "-f", "prometheus", join(testdata, "azure.yaml")]);
    assert.equal(clean.code, 0, clean.stderr);
    assert.equal(clean.stdout, vector("azure.alloy"));
  });

  it("reads standard input with - or no path", async () => {
    for (const args of [["-"], []]) {
      const result = await convertWithStdin(vector("kubernetes.yaml"), "-f", "prometheus", ...args);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, vector("kubernetes.alloy"));
    }
  });

  it("writes --output instead of standard output", async () => {
    const out = path("out.alloy");
    const result = await runRuntime(entry, ["convert", "-f", "prometheus", "--output", out, join(testdata, "discovery.yaml")]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "");
    assert.equal(readFileSync(out, "utf8"), vector("discovery.alloy"));
  });

  it("stops on errors, printing every diagnostic, and writes nothing", async () => {
    const out = path("not-written.alloy");
    const result = await runRuntime(entry, ["convert", "-f", "prometheus", "-o", out, join(testdata, "unsupported.yaml")]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.equal(result.stderr, `${UNSUPPORTED_ERRORS}${UNSUPPORTED_INFOS}\nError: encountered errors during formatting\n`);
    assert.equal(existsSync(out), false);
  });

  it("bypasses errors with --bypass-errors / -b", async () => {
    for (const flag of ["--bypass-errors", "-b"]) {
      const result = await runRuntime(entry, ["convert", "-f", "prometheus", flag, join(testdata, "unsupported.yaml")]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, vector("unsupported.alloy"));
      assert.equal(result.stderr, "");
    }
  });

  it("always stops on a critical diagnostic, even when bypassing", async () => {
    const result = await runRuntime(entry, ["convert", "-f", "prometheus", "-b", join(testdata, "bad_config.yaml")]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.equal(result.stderr, `${vector("bad_config.diags")}Error: encountered errors during formatting\n`);
    const broken = await runRuntime(entry, ["convert", "-f", "prometheus", join(testdata, "broken_yaml.yaml")]);
    assert.equal(broken.code, 1);
    assert.equal(broken.stderr, `${vector("broken_yaml.diags")}Error: encountered errors during formatting\n`);
  });

  it("writes the --report in Alloy's format, whatever the outcome", async () => {
    const report = path("report.txt");
    const failed = await runRuntime(entry, ["convert", "-f", "prometheus", "-r", report, join(testdata, "unsupported.yaml")]);
    assert.equal(failed.code, 1);
    assert.equal(
      readFileSync(report, "utf8"),
      UNSUPPORTED_ERRORS.trimEnd() +
        "\n\nA configuration file was not generated due to errors. Refer to the error messages for more information.\n\n" +
        "You can bypass the errors by using the --bypass-errors flag. Bypassing errors isn't recommended for production environments.",
    );
    const bypassed = await runRuntime(entry, ["convert", "-f", "prometheus", "-b", "--report", report, join(testdata, "unsupported.yaml")]);
    assert.equal(bypassed.code, 0, bypassed.stderr);
    assert.equal(readFileSync(report, "utf8"), `${UNSUPPORTED_ERRORS}${UNSUPPORTED_INFOS}\n\nA configuration file was generated successfully.`);
    const critical = await runRuntime(entry, ["convert", "-f", "prometheus", "-r", report, join(testdata, "bad_config.yaml")]);
    assert.equal(critical.code, 1);
    assert.equal(
      readFileSync(report, "utf8"),
      vector("bad_config.diags").trimEnd() +
        "\n\nA configuration file was not generated due to critical issues. Refer to the critical messages for more information.",
    );
    const clean = await runRuntime(entry, ["convert", "-f", "prometheus", "-r", report, join(testdata, "dns.yaml")]);
    assert.equal(clean.code, 0, clean.stderr);
    assert.equal(
      readFileSync(report, "utf8"),
      '(Info) Converted scrape_configs job_name "prometheus1" into...\n\tA prometheus.scrape.prometheus1 component\n\tA discovery.dns.prometheus1 component\n' +
        '(Info) Converted scrape_configs job_name "prometheus2" into...\n\tA prometheus.scrape.prometheus2 component\n\tA discovery.dns.prometheus2 component\n' +
        '(Info) Converted 1 remote_write[s] "remote1" into...\n\tA prometheus.remote_write.default component\n\nA configuration file was generated successfully.',
    );
  });

  it("answers the formats it does not convert yet, unknown formats and extra arguments with a critical", async () => {
    for (const format of ["promtail", "otelcol", "static"]) {
      const result = await runRuntime(entry, ["convert", "-f", format, join(testdata, "dns.yaml")]);
      assert.equal(result.code, 1);
      assert.equal(result.stdout, "");
      assert.match(result.stderr, new RegExp(`^\\(Critical\\) converting from the ${format} format .* is not supported yet by alloy-ts`));
      assert.match(result.stderr, /Error: encountered errors during formatting\n$/);
    }
    const unknown = await runRuntime(entry, ["convert", "-f", "yaml", join(testdata, "dns.yaml")]);
    assert.equal(unknown.stderr, '(Critical) unrecognized kind "yaml" given to the config converter\nError: encountered errors during formatting\n');
    const extra = await runRuntime(entry, ["convert", "-f", "prometheus", "--extra-args", "-config.expand-env --x=y", join(testdata, "dns.yaml")]);
    assert.equal(extra.code, 1);
    assert.equal(extra.stderr, "(Critical) extra arguments are not supported for the prometheus converter: [-config.expand-env --x y]\nError: encountered errors during formatting\n");
    const invalid = await runRuntime(entry, ["convert", "-f", "prometheus", "-e", "a=b", join(testdata, "dns.yaml")]);
    assert.equal(invalid.stderr, "Error: invalid flag found: a=b\n");
  });

  it("fails like Alloy on a missing format, a directory, a missing file and extra arguments", async () => {
    const noFormat = await runRuntime(entry, ["convert", join(testdata, "dns.yaml")]);
    assert.equal(noFormat.code, 1);
    assert.equal(noFormat.stderr, "Error: source-format is a required flag\n");
    mkdirSync(path("adir"));
    const directory = await runRuntime(entry, ["convert", "-f", "prometheus", path("adir")]);
    assert.equal(directory.stderr, "Error: cannot convert a directory\n");
    const missing = await runRuntime(entry, ["convert", "-f", "prometheus", path("missing.yml")]);
    assert.equal(missing.stderr, `Error: stat ${path("missing.yml")}: no such file or directory\n`);
    writeFileSync(path("a.yml"), "");
    const two = await runRuntime(entry, ["convert", "-f", "prometheus", path("a.yml"), path("a.yml")]);
    assert.equal(two.stderr, "Error: accepts between 0 and 1 arg(s), received 2\n");
  });

  it("works under the least privileges of deno.json's alloy task", async () => {
    const words: string[] = JSON.parse(readFileSync(join(repoRoot, "deno.json"), "utf8")).tasks.alloy.split(/\s+/);
    const deno = join(repoRoot, "node_modules/.bin/deno");
    const child = spawn(deno, [words[1]!, "--no-prompt", ...words.slice(2), "convert", "-f", "prometheus", "-"], { cwd: repoRoot, stdio: ["pipe", "pipe", "pipe"] });
    child.stdin.end(vector("scrape.yaml"));
    const result = await new ChildRun(child).completion();
    assert.equal(result.code, 1);
    assert.equal(result.stderr, `${vector("scrape.diags")}${SCRAPE_INFOS}\nError: encountered errors during formatting\n`);
  });

  it("converts an empty file to nothing", async () => {
    const result = await convertWithStdin("", "-f", "prometheus");
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "");
  });
});
