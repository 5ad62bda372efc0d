// Picks the adapter for the runtime we are on, once.
import { createBunPlatform } from "./bun.ts";
import { createDenoPlatform } from "./deno.ts";
import { createNodePlatform } from "./node.ts";
import type { Platform, RuntimeName } from "./types.ts";

export type * from "./types.ts";
export { requestViaFetch, ResponseTooLargeError } from "./fetch-request.ts";

export function detectRuntime(): RuntimeName {
  if ("Deno" in globalThis) return "deno";
  if ("Bun" in globalThis) return "bun";
  return "node";
}

let current: Platform | undefined;

/** The platform of the runtime running this process. */
export function platform(): Platform {
  if (!current) {
    const runtime = detectRuntime();
    current = runtime === "deno" ? createDenoPlatform() : runtime === "bun" ? createBunPlatform() : createNodePlatform();
  }
  return current;
}
