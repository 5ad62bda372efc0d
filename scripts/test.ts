// The one test command: strict type check, then the whole suite under Deno, Bun and Node 20, each
// writing JUnit XML that is counted the same way. Fails when any runtime fails or runs no test.
//
//   node --import tsx scripts/test.ts [--runtime=deno,bun,node] [--skip-typecheck] [paths…]
//
// Ends with one `runtime: N passed, N failed` line per runtime and a total line.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const bin = (name: string) => join(root, "node_modules", ".bin", name);

type Runtime = "deno" | "bun" | "node";
const ALL: Runtime[] = ["deno", "bun", "node"];

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

function parseOptions(argv: string[]) {
  let runtimes = ALL;
  let typecheck = true;
  const paths: string[] = [];
  for (const arg of argv) {
    if (arg.startsWith("--runtime=")) runtimes = arg.slice(10).split(",") as Runtime[];
    else if (arg === "--skip-typecheck") typecheck = false;
    else paths.push(arg);
  }
  for (const runtime of runtimes) if (!ALL.includes(runtime)) throw new Error(`unknown runtime ${runtime}`);
  return { runtimes, typecheck, paths: paths.length > 0 ? paths : ["test"] };
}

/** Every *.test.ts under the given files and folders, sorted (Node 20 has no glob of its own). */
function testFiles(paths: string[]): string[] {
  const found: string[] = [];
  const visit = (path: string) => {
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path)) if (entry !== "node_modules") visit(join(path, entry));
    } else if (path.endsWith(".test.ts")) {
      found.push(relative(root, path));
    }
  };
  for (const path of paths) visit(resolve(root, path));
  return found.sort();
}

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
    child.on("close", (code, signal) => resolvePromise(code ?? (signal ? 128 : 1)));
    child.on("error", () => resolvePromise(127));
  });
}

function commandFor(runtime: Runtime, files: string[], junit: string): [string, string[]] {
  switch (runtime) {
    case "deno":
      return [bin("deno"), ["test", "--no-check", "--allow-all", `--junit-path=${junit}`, ...files]];
    case "bun":
      // bun test stops a test after 5s by default; agent end-to-end tests take longer.
      return [bin("bun"), ["test", "--timeout=120000", "--reporter=junit", `--reporter-outfile=${junit}`, ...files.map((f) => `./${f}`)]];
    case "node":
      return [
        process.execPath,
        ["--import", "tsx", "--test", "--test-reporter=spec", "--test-reporter-destination=stdout",
          "--test-reporter=junit", `--test-reporter-destination=${junit}`, ...files],
      ];
  }
}

const decode = (text: string) => text.replace(/&gt;/g, ">").replace(/&lt;/g, "<").replace(/&quot;/g, '"').replace(/&amp;/g, "&");

/**
 * Leaf test cases in a JUnit file. Deno (groupsAsCases) lists a describe block as a test case of its
 * own beside its steps ("suite > test"), so there a case whose name prefixes another's is a group.
 */
export function countJUnit(xml: string, groupsAsCases = false): Counts {
  const cases: { name: string; failed: boolean; skipped: boolean }[] = [];
  // Attributes are matched as name="value" pairs: a test name may hold a raw ">".
  const pattern = /<testcase((?:\s+[\w:.-]+="[^"]*")*)\s*(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const match of xml.matchAll(pattern)) {
    const name = decode(/\bname="([^"]*)"/.exec(match[1]!)?.[1] ?? "");
    const body = match[3] ?? "";
    cases.push({ name, failed: /<(failure|error)\b/.test(body), skipped: /<skipped\b/.test(body) });
  }
  const names = cases.map((c) => c.name);
  const counts: Counts = { passed: 0, failed: 0, skipped: 0 };
  for (const testCase of cases) {
    const isGroup = groupsAsCases && names.some((other) => other.startsWith(`${testCase.name} > `));
    if (isGroup) continue;
    if (testCase.failed) counts.failed++;
    else if (testCase.skipped) counts.skipped++;
    else counts.passed++;
  }
  return counts;
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const files = testFiles(options.paths);
  if (files.length === 0) {
    console.error("no test files found");
    process.exit(1);
  }
  if (options.typecheck) {
    console.log("== type check (tsc --strict)");
    if ((await run(bin("tsc"), ["-p", "."])) !== 0) {
      console.error("type check failed");
      process.exit(1);
    }
  }
  const scratch = mkdtempSync(join(tmpdir(), "alloy-ts-junit-"));
  const results: [Runtime, Counts, number, number][] = [];
  for (const runtime of options.runtimes) {
    console.log(`\n== ${runtime}: ${files.length} test files`);
    const junit = join(scratch, `${runtime}.xml`);
    const [command, args] = commandFor(runtime, files, junit);
    const started = Date.now();
    const code = await run(command, args, { ALLOY_TS_TEST_RUNTIME: runtime });
    const seconds = (Date.now() - started) / 1000;
    let counts: Counts = { passed: 0, failed: 0, skipped: 0 };
    try {
      counts = countJUnit(readFileSync(junit, "utf8"), runtime === "deno");
    } catch {
      // No report: the runner died; the exit code says so below.
    }
    // A runner that failed without reporting a failing test (a crash, a file that did not load)
    // still fails the run.
    if (code !== 0 && counts.failed === 0) counts.failed = 1;
    results.push([runtime, counts, code, seconds]);
  }
  rmSync(scratch, { recursive: true, force: true });

  console.log("\n== summary");
  const total: Counts = { passed: 0, failed: 0, skipped: 0 };
  let ok = true;
  for (const [runtime, counts, code, seconds] of results) {
    const skipped = counts.skipped ? `, ${counts.skipped} skipped` : "";
    console.log(`(${runtime} took ${seconds.toFixed(0)} s)`);
    console.log(`${runtime}: ${counts.passed} passed, ${counts.failed} failed${skipped}`);
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.skipped += counts.skipped;
    if (code !== 0 || counts.failed > 0 || counts.passed === 0) ok = false;
  }
  console.log(`total: ${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ""}`);
  process.exit(ok ? 0 : 1);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
