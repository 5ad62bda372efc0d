// Locates the shared Alloy conformance vectors (../shared/conformance from the
// repository root) and reads them; the data is never copied into the repo.
import { readdirSync, readFileSync } from "node:fs";

export const conformanceRoot = new URL("../../../shared/conformance/", import.meta.url);

export function conformanceURL(path: string): URL {
  return new URL(path, conformanceRoot);
}

export function readBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(conformanceURL(path)));
}

export function readText(path: string): string {
  return readFileSync(conformanceURL(path), "utf8");
}

export function readJSON<T>(path: string): T {
  return JSON.parse(readText(path)) as T;
}

export function listFiles(dir: string): string[] {
  return readdirSync(conformanceURL(dir), { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function bytesToHex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}
