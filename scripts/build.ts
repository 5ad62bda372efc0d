// Standalone executables, one per OS, from one command:
//
//   node --import tsx scripts/build.ts [--host] [--out=dist]
//
// Each is `bun build --compile` of src/cli/entry.ts with the revision and build date compiled in.
// Everything the program needs is bundled into it (a compiled Bun binary cannot load files found at
// run time). Writes dist/alloy-<os>-<arch>[.exe] and dist/SHA256SUMS.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { arch, platform } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));

export const TARGETS = [
  { os: "linux", arch: "x64" },
  { os: "linux", arch: "arm64" },
  { os: "darwin", arch: "x64" },
  { os: "darwin", arch: "arm64" },
  { os: "windows", arch: "x64" },
] as const;

function git(...args: string[]): string {
  try {
    return execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

export function outputName(target: { os: string; arch: string }): string {
  return `alloy-${target.os}-${target.arch}${target.os === "windows" ? ".exe" : ""}`;
}

function main() {
  const argv = process.argv.slice(2);
  const outDir = resolve(root, argv.find((a) => a.startsWith("--out="))?.slice(6) ?? "dist");
  const hostOs = platform() === "win32" ? "windows" : platform();
  const targets = argv.includes("--host") ? TARGETS.filter((t) => t.os === hostOs && t.arch === arch()) : TARGETS;
  if (targets.length === 0) throw new Error(`no build target for this host (${hostOs}/${arch()})`);
  mkdirSync(outDir, { recursive: true });

  const defines = {
    ALLOY_BUILD_REVISION: git("rev-parse", "--short=12", "HEAD"),
    ALLOY_BUILD_BRANCH: git("rev-parse", "--abbrev-ref", "HEAD"),
    ALLOY_BUILD_DATE: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  };
  const sums: string[] = [];
  for (const target of targets) {
    const name = outputName(target);
    const outfile = join(outDir, name);
    const args = [
      "build", "--compile", "--minify", "--bytecode", "--format=esm",
      `--target=bun-${target.os}-${target.arch}`,
      ...Object.entries(defines).map(([key, value]) => `--define=${key}=${JSON.stringify(value)}`),
      join(root, "src/cli/entry.ts"),
      "--outfile", outfile,
    ];
    console.log(`building ${name}`);
    const result = spawnSync(join(root, "node_modules/.bin/bun"), args, { cwd: root, stdio: "inherit" });
    if (result.status !== 0) throw new Error(`bun build failed for ${name}`);
    const digest = createHash("sha256").update(readFileSync(outfile)).digest("hex");
    sums.push(`${digest}  ${name}`);
  }
  writeFileSync(join(outDir, "SHA256SUMS"), sums.join("\n") + "\n");
  console.log(`wrote ${targets.length} executables and SHA256SUMS to ${outDir}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
