// In-process ckit nodes for the tests: each one an HTTP server on 127.0.0.1 (h2c and HTTP/1.1 on
// one port, as on an agent) with ckit's HTTP/2 transport mounted, and memberlist's fast test timings.
import { platform } from "../../../../src/platform/mod.ts";
import type { HttpServer } from "../../../../src/platform/mod.ts";
import { CkitNode, type CkitNodeOptions } from "../../../../src/service/cluster/ckit/node.ts";
import type { Peer } from "../../../../src/service/cluster/ckit/peer.ts";
import { ckitBaseRoute, Http2Transport } from "../../../../src/service/cluster/memberlist/http2-transport.ts";
import { MetricsRegistry } from "../../../../src/runtime/metrics/registry.ts";

export { eventually, sleep } from "../helpers.ts";

const p = platform();

/** Probe every 200ms (timeout 100ms), gossip every 50ms, push/pull every 1s. */
export const fastTimings = {
  probeIntervalMs: 200,
  probeTimeoutMs: 100,
  gossipIntervalMs: 50,
  pushPullIntervalMs: 1000,
};

export interface TestNode {
  node: CkitNode;
  server: HttpServer;
  /** "127.0.0.1:port" */
  addr: string;
  registry: MetricsRegistry;
  close(): Promise<void>;
}

export async function startNode(
  name: string,
  options: { clusterName?: string; memberlist?: CkitNodeOptions["memberlist"] } = {},
): Promise<TestNode> {
  let node: CkitNode | undefined;
  const server = await p.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request, connection) => {
      if (!new URL(request.url).pathname.startsWith(ckitBaseRoute)) return new Response("not found", { status: 404 });
      return node ? node.handler(request, connection) : new Response(null, { status: 503 });
    },
  });
  const addr = `127.0.0.1:${server.port}`;
  const registry = new MetricsRegistry();
  try {
    node = await CkitNode.create({
      name,
      advertiseAddr: addr,
      clusterName: options.clusterName ?? "",
      transport: new Http2Transport({ createClient: p.createHttp2Client }),
      registerer: registry,
      memberlist: { ...fastTimings, ...options.memberlist },
    });
  } catch (error) {
    await server.close(100);
    throw error;
  }
  const created = node;
  let closed = false;
  return {
    node: created,
    server,
    addr,
    registry,
    async close() {
      if (closed) return;
      closed = true;
      await created.stop();
      await server.close(100);
    },
  };
}

/**
 * Closes every node, one after another: nodes leaving all at once each see the others gone before
 * their own leave was gossiped, and wait out the whole leave timeout (as Go memberlist would).
 */
export async function closeAll(nodes: (TestNode | undefined)[]) {
  for (const n of nodes) await n?.close().catch(() => {});
}

/** "name=state@addr" for each peer, as a compact view to compare. */
export function view(peers: readonly Peer[]): string[] {
  return peers.map((x) => `${x.name}=${x.state}@${x.addr}${x.self ? "*" : ""}`);
}

/** The peers every node should list: names and addresses, ignoring self flags. */
export function names(peers: readonly Peer[]): string[] {
  return peers.map((x) => x.name);
}
