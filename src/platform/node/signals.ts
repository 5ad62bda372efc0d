// Signals through process.on, which Node, Deno and Bun all implement for SIGHUP, SIGINT and SIGTERM.
import process from "node:process";
import type { SignalName } from "../types.ts";

export function nodeOnSignal(signal: SignalName, handler: () => void): () => void {
  // Windows has no SIGHUP; SIGINT and SIGTERM are emulated there. Nothing to listen for is no error.
  if (process.platform === "win32" && signal === "SIGHUP") return () => {};
  process.on(signal, handler);
  return () => {
    process.off(signal, handler);
  };
}
