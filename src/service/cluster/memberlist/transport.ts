// How memberlist's bytes travel (memberlist:transport.go): packets (best effort, UDP-like) and
// streams (reliable, TCP-like). The engine knows nothing else about the network.
import type { StreamConn } from "./stream.ts";

export interface Packet {
  buf: Uint8Array;
  /** The sender's "ip:port" as the transport saw it (not necessarily where it listens). */
  from: string;
  /** Clock milliseconds at which the packet arrived. */
  timestamp: number;
}

export interface TransportHandlers {
  onPacket(packet: Packet): void;
  onStream(conn: StreamConn): void;
}

export interface Transport {
  /** Hands incoming packets and streams to the engine; called once, before anything is sent. */
  attach(handlers: TransportHandlers): void;
  /**
   * The IP (as bytes: 4 for IPv4, 16 for IPv6) and port to advertise, given what the configuration
   * asks for; throws when none can be worked out.
   */
  finalAdvertiseAddr(ip: string, port: number): { ip: Uint8Array; port: number };
  /** Sends one packet to "ip:port". Rejects when the send fails locally. */
  writeTo(buf: Uint8Array, addr: string): Promise<void>;
  /** Opens a stream to "ip:port" within timeoutMs. */
  dial(addr: string, timeoutMs: number): Promise<StreamConn>;
  /** Stops listening and sending. */
  shutdown(): Promise<void>;
}
