// The portability rule of DESIGN.md: only src/platform/ may know which runtime it is on.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { repoRoot } from "./helpers/runtime.ts";

// Runtime globals and node: modules, as code uses them (comments are stripped first).
const FORBIDDEN = [
  { name: "node: import", pattern: /(?:from\s*|import\s*\(\s*|require\s*\(\s*)["']node:/ },
  { name: "bare node builtin import", pattern: /from\s*["'](?:fs|path|os|http|http2|net|tls|dns|child_process|process|crypto|stream|url|util|events|buffer)(?:\/[a-z]+)?["']/ },
  { name: "Deno global", pattern: /\bDeno\s*\./ },
  { name: "Bun global", pattern: /\bBun\s*\./ },
  { name: "process global", pattern: /(?<![\w.])process\s*\./ },
  { name: "bun: import", pattern: /["']bun:/ },
];

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|tsx|js|mjs)$/.test(entry)) out.push(path);
  }
  return out;
}

export function violations(files: string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    const lines = stripComments(readFileSync(file, "utf8")).split("\n");
    lines.forEach((line, index) => {
      for (const rule of FORBIDDEN) {
        if (rule.pattern.test(line)) found.push(`${relative(repoRoot, file)}:${index + 1}: ${rule.name}: ${line.trim()}`);
      }
    });
  }
  return found;
}

describe("portability rule", () => {
  it("keeps runtime-specific APIs inside src/platform/", () => {
    const files = [...sourceFiles(join(repoRoot, "src")), join(repoRoot, "mod.ts")].filter(
      (file) => !relative(repoRoot, file).startsWith(join("src", "platform")),
    );
    assert.ok(files.length > 10, "the check sees the sources");
    assert.deepEqual(violations(files), []);
  });

  it("catches each kind of violation", () => {
    const dir = join(repoRoot, "test", "fixtures", "portability");
    const found = violations(sourceFiles(dir));
    for (const rule of FORBIDDEN) assert.ok(found.some((v) => v.includes(rule.name)), `${rule.name} is caught: ${found.join("\n")}`);
    assert.ok(!found.some((v) => v.includes("allowed")), "mentions in comments and strings that are not code pass");
  });
});
