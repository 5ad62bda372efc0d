// `alloy run`'s lifecycle, in Alloy's order: log the start, build the agent, load the configuration
// (diagnostics printed with their source and exit 1 when the first load fails), start components
// and services, then reload on SIGHUP and shut down gracefully on SIGINT/SIGTERM — a second signal
// exits at once, as Alloy's does.
import { builtinRegistry } from "../component/registry.ts";
import type { SignalName } from "../platform/mod.ts";
import { Agent, LoadError } from "../service/agent.ts";
import { formatDiagnostics } from "../syntax/diag.ts";
import { buildInfo, type BuildInfo } from "./build-info.ts";
import { convertingPlatform, runConversionFlags } from "./commands/convert.ts";
import { CommandError, type CliContext } from "./context.ts";
import type { RunOptions } from "./run-flags.ts";

const SIGNAL_NUMBER: Record<SignalName, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

export async function runAgent(context: CliContext, options: RunOptions, flagLines: string[]): Promise<void> {
  const { platform, logs } = context;
  const logger = logs.logger();
  if (options.configFormat !== "alloy") {
    // `--config.format`: the file at the path is converted each time it is read (first load and
    // reloads) and the Alloy result is what runs and what the UI shows; a directory is not converted.
    const conversion = runConversionFlags(flagLines);
    const converting = convertingPlatform(platform, options.path, options.configFormat, conversion);
    return runAgent({ ...context, platform: converting }, { ...options, configFormat: "alloy" }, flagLines);
  }
  const info = await buildInfo(platform);
  logger.info("Alloy is starting", { version: `v${info.version}` });

  let agent: Agent;
  try {
    agent = buildAgent(context, options, flagLines, info);
  } catch (error) {
    throw new CommandError((error as Error).message);
  }
  try {
    // The cluster's TLS files and node: Alloy fails on them before the first load.
    await agent.prepare();
  } catch (error) {
    await agent.stop();
    throw new CommandError((error as Error).message);
  }
  await platform.fs.mkdirp(options.storagePath);

  // Signals are watched from the start: a SIGTERM during the initial load still stops cleanly.
  let stopRequested: (signal: SignalName) => void = () => {};
  const stopped = new Promise<SignalName>((resolve) => (stopRequested = resolve));
  let stopping = false;
  const onStop = (signal: SignalName) => () => {
    if (stopping) {
      // Alloy stops listening after the first signal, so a second one ends the agent at once.
      platform.exit(128 + SIGNAL_NUMBER[signal]);
    }
    stopping = true;
    stopRequested(signal);
  };
  const unsubscribe = [
    platform.onSignal("SIGINT", onStop("SIGINT")),
    platform.onSignal("SIGTERM", onStop("SIGTERM")),
  ];

  try {
    let result;
    try {
      result = await agent.load(options.path);
    } catch (error) {
      if (error instanceof LoadError) throw new CommandError(error.message);
      throw error;
    }
    if (!result.ok) {
      platform.stderr.write(formatDiagnostics(result.diagnostics, result.files, { contextLinesBefore: 1, contextLinesAfter: 1 }));
      platform.stdout.write("\n");
      throw new CommandError("could not perform the initial load successfully");
    }
    try {
      await agent.start();
    } catch (error) {
      throw new CommandError((error as Error).message);
    }
    logger.info("{^_^} Alloy is running");

    let reloading = Promise.resolve();
    unsubscribe.push(
      platform.onSignal("SIGHUP", () => {
        // Reloads run one after another: a burst of SIGHUPs never loads two configurations at once.
        reloading = reloading.then(() => agent.reload().then(() => {}));
      }),
    );
    const signal = await stopped;
    logger.info("shutting down", { signal });
    await reloading;
  } finally {
    await agent.stop();
    for (const off of unsubscribe) off();
  }
  logger.info("Alloy has stopped");
}

function buildAgent(context: CliContext, options: RunOptions, flagLines: string[], info: BuildInfo): Agent {
  const { platform, logs } = context;
  return new Agent({
    platform,
    logs,
    registry: builtinRegistry(),
    build: { version: info.version, revision: info.revision, branch: info.branch, runtime: info.runtime, runtimeVersion: info.runtimeVersion, os: platform.runtime.os, arch: platform.runtime.arch },
    listenAddr: options.listenAddr,
    memoryAddr: options.memoryAddr,
    enablePprof: options.enablePprof,
    ...(options.disableSupportBundle ? {} : { supportBundleFlags: flagLines }),
    storagePath: options.storagePath,
    minStability: options.minStability,
    enableCommunityComponents: options.enableCommunityComponents,
    shutdownDeadlineMs: options.shutdownDeadlineMs,
    cluster: options.cluster,
    uiPathPrefix: options.uiPathPrefix,
  });
}
