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

export async function nodeReadStdin(): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
