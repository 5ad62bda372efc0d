// The gossip layer: memberlist's SWIM protocol, wire-compatible with Go memberlist (and so with
// Alloy's ckit), over either of two transports.
//
//   const transport = new Http2Transport({ createClient: platform.createHttp2Client });
//   // mount transport.handler(request, connection) for paths under ckitBaseRoute on the HTTP server
//   const ml = await Memberlist.create({ name, transport, advertiseAddr, advertisePort: httpPort,
//     label: clusterName, ...ckitOverrides, delegate, events });
//   await ml.join(["10.0.0.2:12345"]);
//
// or `await NetTransport.create(platform, { bindAddr, bindPort })` for memberlist's own UDP+TCP.
export { Memberlist, type JoinResult } from "./memberlist.ts";
export {
  ckitOverrides,
  defaultLANConfig,
  silentLogger,
  StateAlive,
  StateDead,
  StateLeft,
  StateSuspect,
  stateNames,
  type AliveDelegate,
  type ConflictDelegate,
  type Delegate,
  type EventDelegate,
  type Logger,
  type MemberlistConfig,
  type MemberlistOptions,
  type MergeDelegate,
  type NodeInfo,
  type NodeStateType,
  type PingDelegate,
} from "./config.ts";
export { realClock, type Clock } from "./clock.ts";
export type { Packet, Transport, TransportHandlers } from "./transport.ts";
export type { StreamConn } from "./stream.ts";
export { NetTransport, type NetTransportOptions } from "./net-transport.ts";
export {
  ckitBaseRoute,
  ckitContentType,
  ckitMessagePath,
  ckitStreamPath,
  Http2Transport,
  type Http2TransportOptions,
  type RequestConnection,
} from "./http2-transport.ts";
export { TransmitLimitedQueue, type Broadcast } from "./queue.ts";
export { MsgpackReader, MsgpackWriter, StructCodec, type MpValue } from "./msgpack.ts";
export { retransmitLimit } from "./util.ts";
