// Shared helpers of the runtime tests: runtimes with the test components and a discarding (or
// capturing) log, a working directory per test, and polling for a condition.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { createRuntime, type Runtime, type RuntimeOptions } from "../../src/runtime/index.ts";
import { LogController } from "../../src/runtime/logging/logger.ts";
import { NumberValue, ObjectValue, type Value } from "../../src/syntax/value/index.ts";
import { testRegistry } from "./testcomponents/index.ts";

export interface TestRuntime {
  runtime: Runtime;
  /** Log lines written so far (logfmt, debug level). */
  lines: string[];
}

export function newTestRuntime(options: Partial<RuntimeOptions> & { storagePath: string }): TestRuntime {
  const lines: string[] = [];
  const logs = new LogController(
    {
      write: (line) => {
        lines.push(line);
        if (process.env.ALLOY_TS_TEST_LOG) process.stderr.write(line);
      },
    },
    { level: "debug", format: "logfmt" },
  );
  const runtime = createRuntime({ registry: testRegistry(), minStability: "public-preview", logs, ...options });
  return { runtime, lines };
}

/** Runs fn with a fresh temporary directory as the working directory (relative paths in vectors). */
export async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "alloy-ts-runtime-"));
  const previous = process.cwd();
  process.chdir(dir);
  try {
    return await fn(dir);
  } finally {
    process.chdir(previous);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Polls until check returns true (or a non-throwing value); fails with the last error after timeoutMs. */
export async function eventually(check: () => boolean | void, timeoutMs = 10_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (check() !== false) return;
      last = undefined;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      if (last) throw last;
      throw new Error(`${what} not met within ${timeoutMs}ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A number field of an exported object, as a JavaScript number. */
export function exportNumber(exports: Value, field: string): number | undefined {
  if (!(exports instanceof ObjectValue)) return undefined;
  const v = exports.get(field);
  if (!(v instanceof NumberValue)) return undefined;
  return v.kind === "float" ? v.float : Number(v.big);
}

export function exportString(exports: Value, field: string): string | undefined {
  if (!(exports instanceof ObjectValue)) return undefined;
  const v = exports.get(field);
  return typeof v === "string" ? v : undefined;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
