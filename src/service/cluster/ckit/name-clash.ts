// Node-name uniqueness at join time. Alloy documents that "the cluster rejects nodes with
// conflicting names and they won't join the cluster"; Go memberlist merely drops the newcomer's
// alive message, leaving it running unseen with no error. Here both sides of a join push/pull
// check the other side's table before anything is merged (memberlist's MergeDelegate): when a name
// is held by a live member at one address on one side and claimed by a live member at another
// address on the other, the merge is refused, so the joiner stays alone and can report why, and the
// holder and the rest of the cluster never learn of the newcomer. Dead and left holders do not
// count: memberlist hands such a name over (a left one at once, a dead one once it is reaped).
import { StateAlive, StateSuspect, type NodeInfo } from "../memberlist/config.ts";
import { joinHostPort } from "../memberlist/util.ts";

export interface NameClash {
  name: string;
  /** "ip:port" of the live member with that name in our table. */
  localAddr: string;
  /** "ip:port" of the live member with that name in the other side's table. */
  remoteAddr: string;
}

const live = (n: NodeInfo) => n.state === StateAlive || n.state === StateSuspect;
const address = (n: NodeInfo) => joinHostPort(n.addr, n.port);

/** The first name both tables hold live at different addresses, if any. */
export function findNameClash(local: readonly NodeInfo[], remote: readonly NodeInfo[]): NameClash | undefined {
  const ours = new Map<string, NodeInfo>();
  for (const n of local) if (live(n)) ours.set(n.name, n);
  for (const r of remote) {
    if (!live(r)) continue;
    const l = ours.get(r.name);
    if (!l) continue;
    if (l.addr !== r.addr || l.port !== r.port) return { name: r.name, localAddr: address(l), remoteAddr: address(r) };
  }
  return undefined;
}

/**
 * Thrown by CkitNode.start when the cluster already has a live member with a name it would bring
 * in — normally its own name. Nothing of that cluster was merged: a node that was alone stays
 * alone, able to bootstrap a cluster of its own.
 */
export class NodeNameConflictError extends Error {
  constructor(
    readonly nodeName: string,
    /** "ip:port" of the live member that holds the name. */
    readonly holderAddr: string,
    /** "ip:port" of the node that claimed it as well. */
    readonly claimantAddr: string,
  ) {
    super(
      `failed to join memberlist: node name ${JSON.stringify(nodeName)} is already taken by the live member at ${holderAddr}; ` +
        `every node in a cluster needs a unique name`,
    );
    this.name = "NodeNameConflictError";
  }
}
