// The `alloy` command line, started as a real process under the runtime running the test.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { VERSION } from "../../src/cli/build-info.ts";
import { currentRuntime, repoRoot, runRuntime } from "../helpers/runtime.ts";

const entry = join(repoRoot, "src/cli/entry.ts");
const alloy = (...args: string[]) => runRuntime(entry, args);

// Every flag of Alloy's `run` (windows.priority exists only on Windows, as in Alloy).
const RUN_FLAGS = [
  "server.http.listen-addr", "server.http.memory-addr", "server.http.ui-path-prefix", "server.http.enable-pprof",
  "server.http.disable-support-bundle", "cluster.enabled", "cluster.node-name", "cluster.advertise-address",
  "cluster.join-addresses", "cluster.discover-peers", "cluster.advertise-interfaces", "cluster.rejoin-interval",
  "cluster.max-join-peers", "cluster.name", "cluster.enable-tls", "cluster.tls-ca-path", "cluster.tls-cert-path",
  "cluster.tls-key-path", "cluster.tls-server-name", "cluster.wait-for-size", "cluster.wait-timeout", "config.format",
  "config.bypass-conversion-errors", "config.extra-args", "disable-reporting", "storage.path", "stability.level",
  "feature.community-components.enabled", "feature.component-shutdown-deadline",
];

describe("cli", () => {
  it("keeps the version equal to package.json's", () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
    assert.equal(VERSION, pkg.version);
  });

  it("prints version, git revision, runtime and its version", async () => {
    const result = await alloy("--version");
    assert.equal(result.code, 0, result.stderr);
    const revision = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: repoRoot, encoding: "utf8" }).trim();
    assert.match(result.stdout, new RegExp(`^alloy, version v${VERSION.replace(/\./g, "\\.")} \\(branch: [^,]+, revision: ${revision}\\)`));
    const runtimeLine = /runtime:\s+(\S+) (\S+)/.exec(result.stdout);
    assert.ok(runtimeLine, result.stdout);
    assert.equal(runtimeLine[1], currentRuntime());
    assert.match(runtimeLine[2]!, /^\d+\.\d+\.\d+/);
    assert.match(result.stdout, /platform:\s+linux\/(amd64|arm64)/);
  });

  it("lists the commands in --help", async () => {
    const result = await alloy("--help");
    assert.equal(result.code, 0, result.stderr);
    for (const command of ["run", "fmt", "validate", "convert"]) assert.match(result.stdout, new RegExp(`^  ${command}\\s`, "m"));
  });

  it("documents every flag of run with Alloy's defaults", async () => {
    const result = await alloy("run", "--help");
    assert.equal(result.code, 0, result.stderr);
    for (const flag of RUN_FLAGS) assert.ok(result.stdout.includes(`--${flag}`), `--${flag} in run --help`);
    assert.match(result.stdout, /--server\.http\.listen-addr string\s+.*\(default "127\.0\.0\.1:12345"\)/);
    assert.match(result.stdout, /--cluster\.rejoin-interval duration\s+.*\(default 1m0s\)/);
    assert.match(result.stdout, /--cluster\.advertise-interfaces strings\s+.*\(default \[eth0,en0\]\)/);
    assert.match(result.stdout, /--storage\.path string\s+.*\(default "data-alloy\/"\)/);
    assert.ok(!result.stdout.includes("windows.priority"), "windows.priority is Windows-only");
    // pflag hides deprecated flags from the help; they are still accepted (see below).
    assert.ok(!result.stdout.includes("metric-validation-scheme"));
  });

  it("wants exactly one path, as Alloy does", async () => {
    const none = await alloy("run");
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^Error: accepts 1 arg\(s\), received 0$/m);
    const two = await alloy("run", "a.alloy", "b.alloy");
    assert.match(two.stderr, /^Error: accepts 1 arg\(s\), received 2$/m);
    const empty = await alloy("run", "");
    assert.match(empty.stderr, /^Error: path argument not provided$/m);
  });

  it("parses flag values with pflag's rules and messages", async () => {
    const bool = await alloy("run", "--cluster.enabled=maybe", "config.alloy");
    assert.equal(bool.code, 1);
    assert.match(bool.stderr, /invalid argument "maybe" for "--cluster\.enabled" flag: strconv\.ParseBool: parsing "maybe": invalid syntax/);
    const duration = await alloy("run", "--feature.component-shutdown-deadline", "10", "config.alloy");
    assert.match(duration.stderr, /invalid argument "10" for "--feature\.component-shutdown-deadline" flag: time: missing unit in duration "10"/);
    const deprecated = await alloy("run", "--feature.prometheus.metric-validation-scheme", "config.alloy");
    assert.match(deprecated.stderr, /Flag --feature\.prometheus\.metric-validation-scheme has been deprecated, This flag is deprecated and has no effect\./);
    assert.match(deprecated.stderr, /reading config path "config\.alloy"/, "the deprecated flag is accepted");
  });

  it("rejects unknown flags, unknown commands and bad stability levels", async () => {
    const flag = await alloy("run", "--server.http.listen-adr=1", "config.alloy");
    assert.equal(flag.code, 1);
    assert.match(flag.stderr, /unknown flag: --server\.http\.listen-adr/);
    const windowsOnly = await alloy("run", "--windows.priority=high", "config.alloy");
    assert.match(windowsOnly.stderr, /unknown flag: --windows\.priority/);
    const command = await alloy("serve");
    assert.equal(command.code, 1);
    assert.match(command.stderr, /unknown command "serve" for "alloy"/);
    const level = await alloy("run", "--stability.level=beta", "config.alloy");
    assert.equal(level.code, 1);
    assert.match(level.stderr, /invalid argument "beta" for "--stability\.level" flag: invalid stability level "beta"/);
  });
});
