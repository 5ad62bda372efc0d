// ckit's gossip payloads (ckit:internal/messages, node.go localState), byte for byte as Go ckit
// writes them with go-msgpack's MsgpackHandle: structs are maps keyed by field name in byte order,
// strings use the legacy raw family, unsigned integers their smallest form.
//
//   user message  = 0x12 0x01 (magic, u16 BE) | type (1 = State) | msgpack State
//   State         = {NewState uint, NodeName string, Time uint64}
//   push/pull     = msgpack localState{CurrentTime uint64, NodeStates []State}
import type { Broadcast } from "../memberlist/queue.ts";
import { MsgpackError, MsgpackReader, MsgpackWriter, type MpValue } from "../memberlist/msgpack.ts";
import type { PeerState } from "./peer.ts";
import { stateName } from "./peer.ts";

const magicHeader = 0x1201;

/** Message types (messages.Type); 0 is invalid. */
export const TypeState = 1;

/** A node's state as of a Lamport time (messages.State). */
export interface StateMessage {
  nodeName: string;
  newState: PeerState;
  time: bigint;
}

/** messages.State.String(): "name @time: state". */
export function describeState(m: StateMessage): string {
  return `${m.nodeName} @${m.time}: ${stateName(m.newState)}`;
}

/** Local state of a push/pull (ckit:node.go localState). */
export interface LocalState {
  currentTime: bigint;
  nodeStates: StateMessage[];
}

function writeState(w: MsgpackWriter, m: StateMessage) {
  w.mapHeader(3);
  w.str("NewState");
  w.uint(m.newState);
  w.str("NodeName");
  w.str(m.nodeName);
  w.str("Time");
  w.uint(m.time);
}

/** A State as a user message: magic, type, msgpack. */
export function encodeStateMessage(m: StateMessage): Uint8Array {
  const w = new MsgpackWriter(64);
  w.u16(magicHeader);
  w.u8(TypeState);
  writeState(w, m);
  return w.finish();
}

/** Checks magic and type (messages.Parse); returns the type and the msgpack body. */
export function parseMessage(raw: Uint8Array): { type: number; body: Uint8Array } {
  if (raw.length < 3) throw new Error("payload too small for message");
  const magic = (raw[0]! << 8) | raw[1]!;
  if (magic !== magicHeader) throw new Error(`invalid magic header ${magic.toString(16)}`);
  const type = raw[2]!;
  if (type !== TypeState) throw new Error(`invalid message type ${type}`);
  return { type, body: raw.subarray(3) };
}

/** Decodes the body of a State message. */
export function decodeState(body: Uint8Array): StateMessage {
  return stateFromValue(new MsgpackReader(body).read());
}

export function encodeLocalState(ls: LocalState): Uint8Array {
  const w = new MsgpackWriter(32 + ls.nodeStates.length * 48);
  w.mapHeader(2);
  w.str("CurrentTime");
  w.uint(ls.currentTime);
  w.str("NodeStates");
  w.arrayHeader(ls.nodeStates.length);
  for (const m of ls.nodeStates) writeState(w, m);
  return w.finish();
}

export function decodeLocalState(buf: Uint8Array): LocalState {
  const v = new MsgpackReader(buf).read();
  const fields = asMap(v, "localState");
  const states = fields.get("NodeStates");
  if (states != null && !Array.isArray(states)) throw new MsgpackError("msgpack: NodeStates: expected an array");
  return {
    currentTime: unsigned(fields.get("CurrentTime"), "CurrentTime"),
    nodeStates: (states ?? []).map(stateFromValue),
  };
}

/** A State as a memberlist broadcast: named by node, so a newer one replaces a queued older one. */
export function stateBroadcast(m: StateMessage, onDone?: () => void): Broadcast {
  return { message: encodeStateMessage(m), name: m.nodeName, finished: () => onDone?.() };
}

function stateFromValue(v: MpValue): StateMessage {
  const fields = asMap(v, "State");
  const name = fields.get("NodeName");
  if (name != null && !(name instanceof Uint8Array)) throw new MsgpackError("msgpack: NodeName: expected a string");
  const state = unsigned(fields.get("NewState"), "NewState");
  if (state > BigInt(Number.MAX_SAFE_INTEGER)) throw new MsgpackError(`msgpack: NewState: ${state} out of range`);
  return {
    nodeName: name ? new TextDecoder().decode(name) : "",
    newState: Number(state),
    time: unsigned(fields.get("Time"), "Time"),
  };
}

function asMap(v: MpValue, what: string): Map<string, MpValue> {
  // A nil struct decodes to its zero value, as in Go.
  if (v === null) return new Map();
  if (!(v instanceof Map)) throw new MsgpackError(`msgpack: expected a map for ${what}`);
  return v;
}

function unsigned(v: MpValue | undefined, field: string): bigint {
  if (v == null) return 0n;
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === "bigint" && v >= 0n) return v;
  throw new MsgpackError(`msgpack: ${field}: expected an unsigned integer`);
}
