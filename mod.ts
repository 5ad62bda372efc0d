// alloy-ts's embedding API: what a Bun or Deno script (or a Node program) imports to use the agent
// from code. It grows with the product and re-exports nothing internal.
import { buildInfo as readBuildInfo, VERSION, type BuildInfo } from "./src/cli/build-info.ts";
import { main } from "./src/cli/main.ts";
import { platform } from "./src/platform/mod.ts";

export { VERSION };
export type { BuildInfo };
export { LogController, Logger, type LogFormat, type LogLevel, type LogSink } from "./src/runtime/logging/logger.ts";

/** Version, revision, runtime and platform of this build. */
export function buildInfo(): Promise<BuildInfo> {
  return readBuildInfo(platform());
}

/** Runs the `alloy` command line with the given arguments and resolves with its exit code. */
export function runCli(args: string[]): Promise<number> {
  return main(platform(), args);
}
