// Splits a component's targets between the agents of a cluster (Alloy's
// discovery.DistributedTargets): each target is keyed by the hash of its labels and belongs to
// the participant that owns that key on the ring, so every agent given the same targets agrees on
// who scrapes which, without talking about it.
//
//   const next = new DistributedTargets(args.clustering.enabled, clusterOf(context), args.targets);
//   run(next.localTargets);
//   for (const t of next.movedToRemoteInstance(previous)) handOver(t);
//
// Rules, as Alloy's: clustering off (or no cluster) keeps every target; a cluster that is not ready
// (--cluster.wait-for-size) keeps none; a failed or empty lookup keeps the target (fail open, so a
// target is never dropped by every agent at once); targets with the same key count once.
import type { Cluster } from "../../runtime/cluster.ts";
import { nonMetaLabelsHash, specificLabelsHash } from "../../wire/labels/target-hash.ts";
import type { Target } from "./relabel.ts";

export class DistributedTargets {
  /** The targets this agent owns, in the order given. */
  readonly localTargets: readonly Target[];
  /** The key of each local target (same index). */
  readonly #localKeys: readonly bigint[];
  readonly #remoteKeys: ReadonlySet<bigint>;

  /**
   * @param keyLabels when given (and not empty), only these labels make a target's key
   *   (Alloy's NewDistributedTargetsWithCustomLabels); otherwise every label but `__meta_*`.
   */
  constructor(clusteringEnabled: boolean, cluster: Cluster | undefined, targets: readonly Target[], keyLabels?: readonly string[]) {
    const local: Target[] = [];
    const localKeys: bigint[] = [];
    const remoteKeys = new Set<bigint>();
    const seen = new Set<bigint>();
    const active = clusteringEnabled ? cluster : undefined;
    // Read once: readiness may change while a large target list is split.
    const ready = active ? active.ready() : true;
    for (const target of targets) {
      const key = keyLabels && keyLabels.length > 0 ? specificLabelsHash(target, keyLabels) : nonMetaLabelsHash(target);
      if (seen.has(key)) continue;
      seen.add(key);
      if (ready && (!active || ownedHere(active, key))) {
        local.push(target);
        localKeys.push(key);
      } else {
        remoteKeys.add(key);
      }
    }
    this.localTargets = local;
    this.#localKeys = localKeys;
    this.#remoteKeys = remoteKeys;
  }

  /** Distinct targets, local and remote. */
  get targetCount(): number {
    return this.#localKeys.length + this.#remoteKeys.size;
  }

  /**
   * The targets that were local in prev and now belong to another agent: their series are the new
   * owner's to continue (and to mark stale), not ours.
   */
  movedToRemoteInstance(prev: DistributedTargets | undefined): Target[] {
    if (!prev) return [];
    const moved: Target[] = [];
    prev.#localKeys.forEach((key, i) => {
      if (this.#remoteKeys.has(key)) moved.push(prev.localTargets[i]!);
    });
    return moved;
  }
}

/** The first owner of key is this agent; a failed or empty lookup counts as ours. */
function ownedHere(cluster: Cluster, key: bigint): boolean {
  try {
    const owners = cluster.lookup(key, 1, "readwrite");
    return owners.length === 0 || owners[0]!.self;
  } catch {
    return true;
  }
}
