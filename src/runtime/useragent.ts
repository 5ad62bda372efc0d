// Alloy's User-Agent for outbound requests (internal/useragent): `Alloy/<version> (<os>; <deploy mode>)`,
// e.g. `Alloy/v1.10.0 (linux; docker)`. Scrapes, remote writes and remotecfg all send it, so it is
// built once here from the build version the runtime is given and handed to components in their
// context (ComponentContext.userAgent).
import type { Platform } from "../platform/mod.ts";
import { normalizeVersion } from "../syntax/stdlib/index.ts";

const PRODUCT = "Alloy";
const DEPLOY_MODE_ENV = "ALLOY_DEPLOY_MODE";
const DEPLOY_MODES = new Set(["operator", "helm", "docker", "deb", "rpm", "brew"]);

/** Alloy's best guess at how it was deployed: ALLOY_DEPLOY_MODE when known, brew by path on macOS, else binary. */
export function deployMode(platform: Platform): string {
  let mode: string | undefined;
  try {
    mode = platform.getEnv(DEPLOY_MODE_ENV);
  } catch {
    // A runtime that may not read the variable (Deno without --allow-env for it): as if unset.
  }
  if (mode && DEPLOY_MODES.has(mode)) return mode;
  try {
    if (platform.runtime.os === "darwin" && platform.execPath().includes("brew")) return "brew";
  } catch {
    // No executable path: not a Homebrew install as far as we can tell.
  }
  return "binary";
}

/** `Alloy/<v-normalised version> (<os>; <deploy mode>)`; the version is "v0.0.0" when unset, as in Alloy. */
export function userAgent(platform: Platform, version: string | undefined): string {
  return `${PRODUCT}/${normalizeVersion(version)} (${platform.runtime.os}; ${deployMode(platform)})`;
}
