// ckit on our memberlist engine: the node layer Alloy's clustering is built on (state gossip with
// a Lamport clock, the peer list and observers) and its consistent-hash ring.
//
//   const transport = new Http2Transport({ createClient: platform.createHttp2Client });
//   const node = await CkitNode.create({ name, advertiseAddr: "10.0.0.1:12345", clusterName, transport });
//   // mount node.handler(request, connection) for paths under ckitBaseRoute on the HTTP server
//   await node.start(joinAddresses);
//   await node.changeState(StateParticipant);
//   const [owner] = node.lookup(nonMetaLabelsHash(target), 1, "readwrite");
export {
  CkitNode,
  NodeStoppedError,
  type CkitNodeOptions,
  type MemberlistOverrides,
} from "./node.ts";
export { NodeNameConflictError, findNameClash, type NameClash } from "./name-clash.ts";
export {
  StateViewer,
  StateParticipant,
  StateTerminating,
  allStates,
  stateName,
  parseState,
  peerJSON,
  peersEqual,
  isValidTransition,
  StateTransitionError,
  type Peer,
  type PeerState,
} from "./peer.ts";
export type { Observer } from "./observers.ts";
export { RingSharder, defaultNumTokens, type LookupOp } from "./sharder.ts";
export { HashRing } from "./ring.ts";
export { stringKey, KeyBuilder, nonMetaLabelsHash, specificLabelsHash, hashLabelsWithPredicate } from "./keys.ts";
export { LamportClock } from "./lamport.ts";
export {
  encodeStateMessage,
  parseMessage,
  decodeState,
  encodeLocalState,
  decodeLocalState,
  describeState,
  TypeState,
  type StateMessage,
  type LocalState,
} from "./messages.ts";
export { CkitMetrics, gossipEvent } from "./metrics.ts";
export { ckitBaseRoute } from "../memberlist/http2-transport.ts";
