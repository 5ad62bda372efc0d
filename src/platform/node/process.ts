// Arguments, environment, standard streams and exit through node:process.
import process from "node:process";
import type { Output } from "../types.ts";

export const nodeStdout: Output = { write: (text) => void process.stdout.write(text) };
export const nodeStderr: Output = { write: (text) => void process.stderr.write(text) };

export function nodeGetEnv(name: string): string | undefined {
  return process.env[name];
}

export function nodeEnvObject(): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) result[name] = value;
  return result;
}

export function nodeExit(code: number): never {
  process.exit(code);
}
