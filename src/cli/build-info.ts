// What `alloy --version` reports. A binary built by scripts/build.ts carries its revision and build
// date as compile-time constants; a source checkout reads them from .git when asked.
import type { Platform } from "../platform/mod.ts";
import { join } from "pathe";

/** The product version; a test keeps it equal to package.json's. */
export const VERSION = "0.1.0";

// Replaced by `bun build --define` in scripts/build.ts; absent when running from source.
declare const ALLOY_BUILD_REVISION: string | undefined;
declare const ALLOY_BUILD_BRANCH: string | undefined;
declare const ALLOY_BUILD_DATE: string | undefined;

export interface BuildInfo {
  version: string;
  revision: string;
  branch: string;
  buildDate: string;
  runtime: string;
  runtimeVersion: string;
  platform: string;
}

function compiledConstant(read: () => string | undefined): string | undefined {
  try {
    return read();
  } catch {
    return undefined; // ReferenceError: not defined when running from source.
  }
}

export async function buildInfo(platform: Platform): Promise<BuildInfo> {
  let revision = compiledConstant(() => ALLOY_BUILD_REVISION);
  let branch = compiledConstant(() => ALLOY_BUILD_BRANCH);
  const buildDate = compiledConstant(() => ALLOY_BUILD_DATE) ?? "unknown";
  if (revision === undefined) ({ revision, branch } = await gitCheckoutState(platform));
  return {
    version: VERSION,
    revision,
    branch: branch ?? "unknown",
    buildDate,
    runtime: platform.runtime.name,
    runtimeVersion: platform.runtime.version,
    platform: `${platform.runtime.os}/${platform.runtime.arch}`,
  };
}

/** Alloy's layout of the version banner (prometheus/common/version), with the runtime for Go's line. */
export function formatBuildInfo(info: BuildInfo): string {
  return [
    `alloy, version v${info.version} (branch: ${info.branch}, revision: ${info.revision})`,
    `  build date:       ${info.buildDate}`,
    `  runtime:          ${info.runtime} ${info.runtimeVersion}`,
    `  platform:         ${info.platform}`,
  ].join("\n");
}

/** Revision and branch of the checkout this source file lives in, read from .git without git. */
async function gitCheckoutState(platform: Platform): Promise<{ revision: string; branch?: string }> {
  const sourceUrl = new URL("../../", import.meta.url);
  if (sourceUrl.protocol !== "file:") return { revision: "unknown" };
  const gitDir = join(decodeURIComponent(sourceUrl.pathname), ".git");
  try {
    const head = (await platform.fs.readTextFile(join(gitDir, "HEAD"))).trim();
    if (!head.startsWith("ref: ")) return { revision: head.slice(0, 12), branch: "HEAD" };
    const ref = head.slice(5);
    const branch = ref.replace(/^refs\/heads\//, "");
    const loose = await platform.fs.readTextFile(join(gitDir, ref)).catch(() => undefined);
    if (loose) return { revision: loose.trim().slice(0, 12), branch };
    const packed = await platform.fs.readTextFile(join(gitDir, "packed-refs")).catch(() => "");
    const line = packed.split("\n").find((l) => l.endsWith(` ${ref}`));
    return { revision: line ? line.slice(0, 12) : "unknown", branch };
  } catch {
    return { revision: "unknown" };
  }
}
