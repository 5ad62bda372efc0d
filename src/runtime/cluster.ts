// What components see of the cluster (Alloy's cluster.Cluster, the data of the "cluster" service):
// who owns a key on the consistent-hash ring, the peers that share the work, and whether the
// cluster admits traffic yet (--cluster.wait-for-size). It lives in the runtime layer so that
// components can use it without knowing the service that implements it.
//
//   const cluster = clusterOf(context);
//   const [owner] = cluster?.lookup(nonMetaLabelsHash(target), 1, "readwrite") ?? [];
//   if (!owner || owner.self) scrapeHere(target);
import type { ComponentContext } from "./component.ts";

/** The graph service that owns the cluster node. */
export const CLUSTER_SERVICE = "cluster";

/** A member of the cluster (ckit's peer.Peer). */
export interface ClusterPeer {
  readonly name: string;
  /** "host:port" the peer gossips at: its HTTP listen address. */
  readonly addr: string;
  /** True for this agent. */
  readonly self: boolean;
  /** ckit's peer.State: 0 viewer, 1 participant, 2 terminating. */
  readonly state: number;
}

/**
 * How the owner of a key will be used (shard.Op): "read" may land on participants and
 * terminating nodes, "readwrite" only on participants.
 */
export type ShardOp = "read" | "readwrite";

export interface Cluster {
  /**
   * The replicationFactor owners of key, first owner first. Throws `not enough nodes: need at
   * least N, have M` when fewer peers may take the operation. Check ready() before taking work.
   */
  lookup(key: bigint, replicationFactor: number, op: ShardOp): ClusterPeer[];
  /** Peers that share the work (participants and terminating nodes), sorted by name. */
  peers(): ClusterPeer[];
  /**
   * Whether components may take work: always without --cluster.wait-for-size; otherwise once the
   * cluster has that many peers, or once --cluster.wait-timeout has passed.
   */
  ready(): boolean;
}

/**
 * The cluster service's data for a component, or undefined when the agent runs without a cluster
 * service (a bare runtime embedded with services of its own): components then act as a
 * one-node cluster, as Alloy's do with a nil Cluster.
 */
export function clusterOf(context: Pick<ComponentContext<unknown>, "getServiceData">): Cluster | undefined {
  let data: unknown;
  try {
    data = context.getServiceData(CLUSTER_SERVICE);
  } catch {
    return undefined;
  }
  return isCluster(data) ? data : undefined;
}

function isCluster(data: unknown): data is Cluster {
  if (typeof data !== "object" || data === null) return false;
  const c = data as Partial<Cluster>;
  return typeof c.lookup === "function" && typeof c.peers === "function" && typeof c.ready === "function";
}
