// What a ckit node knows about each member (ckit:peer): its name, address, whether it is this
// node, and its state in the cluster's life cycle.
import { compareStrings } from "../../../wire/labels/compare.ts";

/** A node's role (peer.State). Numbers as on the wire; a peer may send one we don't know. */
export type PeerState = number;

/** Sees the cluster but owns nothing (the state every node starts in). */
export const StateViewer = 0;
/** Owns keys for reads and writes. */
export const StateParticipant = 1;
/** Shutting down: still owns keys for reads, no longer for writes. */
export const StateTerminating = 2;

export const allStates = [StateViewer, StateParticipant, StateTerminating] as const;

/** peer.State.String(). */
export function stateName(state: PeerState): string {
  switch (state) {
    case StateViewer:
      return "viewer";
    case StateParticipant:
      return "participant";
    case StateTerminating:
      return "terminating";
    default:
      return `<unknown state ${state}>`;
  }
}

/** Parses a state name ("viewer", "participant", "terminating"). */
export function parseState(name: string): PeerState {
  const i = allStates.findIndex((s) => stateName(s) === name);
  if (i < 0) throw new Error(`unknown state ${JSON.stringify(name)}`);
  return allStates[i]!;
}

export interface Peer {
  readonly name: string;
  /** "ip:port" where the peer gossips (its HTTP listen address). */
  readonly addr: string;
  /** True for this node. */
  readonly self: boolean;
  readonly state: PeerState;
}

/** The JSON the UI's peer list reads (peer.Peer's MarshalJSON). */
export function peerJSON(p: Peer): { name: string; addr: string; isSelf: boolean; state: string } {
  return { name: p.name, addr: p.addr, isSelf: p.self, state: stateName(p.state) };
}

/** Same peers, in the same order, with the same fields. */
export function peersEqual(a: readonly Peer[], b: readonly Peer[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.name !== y.name || x.addr !== y.addr || x.self !== y.self || x.state !== y.state) return false;
  }
  return true;
}

/** Orders peers by name as Go's sort does: UTF-8 byte order, which JavaScript's `<` differs from. */
export function byName(a: Peer, b: Peer): number {
  return compareStrings(a.name, b.name);
}

/** The only moves ChangeState allows (ckit:node.go validStateTransitions). */
export function isValidTransition(from: PeerState, to: PeerState): boolean {
  return (from === StateViewer && to === StateParticipant) || (from === StateParticipant && to === StateTerminating);
}

/** ChangeState was asked for a move it does not allow (ckit's StateTransitionError). */
export class StateTransitionError extends Error {
  constructor(
    readonly from: PeerState,
    readonly to: PeerState,
  ) {
    super(`invalid transition from ${stateName(from)} to ${stateName(to)}`);
    this.name = "StateTransitionError";
  }
}
