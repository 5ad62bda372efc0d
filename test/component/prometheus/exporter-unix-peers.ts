// The two programs the prometheus.exporter.unix tests compare: Debian's node_exporter on a free
// loopback port, and `alloy run` (under the runtime running the test) with a given configuration.
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../../helpers/proxies.ts";
import { type ChildRun, repoRoot, spawnCommand, spawnRuntime } from "../../helpers/runtime.ts";

const NODE_EXPORTER = "/usr/bin/prometheus-node-exporter";

export interface Peers {
  /** node_exporter's /metrics URL. */
  nodeExporterUrl: string;
  /** The component handler's URL up to the component name: `${alloyBase}.<label>/metrics`. */
  alloyBase: string;
  stop(): Promise<void>;
}

/**
 * Starts node_exporter with these flags (a port taken meanwhile by another program makes it exit, so
 * it is tried again on another one) and alloy-ts on this configuration.
 */
export async function startPeers(dir: string, nodeExporterArgs: string[], config: string): Promise<Peers> {
  assert.ok(existsSync(NODE_EXPORTER), "Debian's prometheus-node-exporter is needed (.ci/run installs it)");
  const running: ChildRun[] = [];
  const stop = async () => {
    for (const run of running) run.kill("SIGTERM");
    await Promise.all(running.map((run) => run.completion(30_000).catch(() => {})));
  };
  try {
    let nodeExporterUrl = "";
    for (let attempt = 1; nodeExporterUrl === ""; attempt++) {
      const port = await freePort();
      const run = spawnCommand(NODE_EXPORTER, [`--web.listen-address=127.0.0.1:${port}`, ...nodeExporterArgs]);
      running.push(run);
      try {
        await run.waitFor(/Listening on/, 30_000);
        nodeExporterUrl = `http://127.0.0.1:${port}/metrics`;
      } catch (e) {
        if (attempt === 3 || !/address already in use/.test(run.output)) throw e;
      }
    }
    const file = join(dir, "unix.alloy");
    writeFileSync(file, config);
    const alloy = spawnRuntime(join(repoRoot, "src/cli/entry.ts"), ["run", "--server.http.listen-addr=127.0.0.1:0", `--storage.path=${join(dir, "data")}`, file]);
    running.push(alloy);
    const out = await alloy.waitFor(/now listening for http traffic.*addr=127\.0\.0\.1:\d+/, 60_000);
    const alloyBase = `http://127.0.0.1:${/addr=127\.0\.0\.1:(\d+)/.exec(out)![1]}/api/v0/component/prometheus.exporter.unix`;
    return { nodeExporterUrl, alloyBase, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
