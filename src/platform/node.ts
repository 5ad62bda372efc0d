// The Node.js adapter: every capability from the node: modules in ./node/.
import process from "node:process";
import { nodeRunCommand } from "./node/command.ts";
import { nodeBindDatagram } from "./node/datagram.ts";
import { nodeDns } from "./node/dns.ts";
import { nodeFileSystem } from "./node/fs.ts";
import { createNodeFetchClient } from "./node/fetch-client.ts";
import { createNodeHttp2Client } from "./node/http2-client.ts";
import { nodeRequest } from "./node/http-request.ts";
import { requestViaFetch } from "./fetch-request.ts";
import { nodeEnvObject, nodeExit, nodeGetEnv, nodeReadStdin, nodeStderr, nodeStdout } from "./node/process.ts";
import { serveDualProtocol, type ServeQuirks } from "./node/serve.ts";
import { nodeProfiler } from "./node/profiling.ts";
import { nodeOnSignal } from "./node/signals.ts";
import { nodeConnectTcp, nodeListenTcp } from "./node/tcp.ts";
import {
  goArch,
  goOs,
  nodeHostname,
  nodeHostUptime,
  nodeMachineNetworkBytes,
  nodeNetworkInterfaces,
  nodeProcessStats,
} from "./node/system.ts";
import type { Platform, RuntimeInfo } from "./types.ts";

/** The capabilities shared by all three runtimes; the Deno and Bun adapters start from these. */
export function nodeBasedPlatform(runtime: RuntimeInfo, quirks: ServeQuirks): Platform {
  return {
    runtime,
    fs: nodeFileSystem,
    dns: nodeDns(),
    dnsResolver: nodeDns,
    stdout: nodeStdout,
    stderr: nodeStderr,
    profiler: nodeProfiler,
    readStdin: nodeReadStdin,
    args: () => process.argv.slice(2),
    execPath: () => process.execPath,
    isCompiled: () => false,
    exit: nodeExit,
    pid: () => process.pid,
    getEnv: nodeGetEnv,
    envObject: nodeEnvObject,
    hostname: nodeHostname,
    hostUptimeSeconds: nodeHostUptime,
    machineNetworkBytes: nodeMachineNetworkBytes,
    networkInterfaces: nodeNetworkInterfaces,
    processStats: nodeProcessStats,
    onSignal: nodeOnSignal,
    runCommand: nodeRunCommand,
    serve: (options) => serveDualProtocol(options, quirks),
    createHttp2Client: createNodeHttp2Client,
    createFetchClient: (options) => createNodeFetchClient(options, nodeGetEnv),
    // Bun's and Deno's own fetch is fast (native); Node overrides this.
    request: (request) => requestViaFetch((input, init) => fetch(input, init), request),
    bindDatagram: nodeBindDatagram,
    listenTcp: nodeListenTcp,
    connectTcp: nodeConnectTcp,
  };
}

export function createNodePlatform(): Platform {
  const base = nodeBasedPlatform(
    { name: "node", version: process.versions.node, os: goOs(), arch: goArch() },
    // Node's HTTP/2 server reads the socket's handle itself; resuming the JS stream would steal data.
    { resumeAfterHttp2Handoff: false },
  );
  // Node's fetch costs several times what undici's dispatcher does per request (./node/http-request.ts).
  return { ...base, request: nodeRequest };
}
