// ckit's gossip payloads byte for byte. Expected bytes were printed by testdata/golden.go (Go,
// go-msgpack's MsgpackHandle) and agree with go-msgpack's rules worked by hand:
//
//   12 01            magic 0x1201, big-endian
//   01               type State
//   83               fixmap, 3 fields, keys in byte order: NewState < NodeName < Time
//   a8 "NewState" 01 fixraw key, positive fixint
//   a8 "NodeName" a2 "n1"
//   a4 "Time" 03     uint64 3 as positive fixint (cd xxxx for 300, cf + 8 bytes above 2^32)
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  decodeLocalState,
  decodeState,
  encodeLocalState,
  encodeStateMessage,
  parseMessage,
  type StateMessage,
} from "../../../../src/service/cluster/ckit/messages.ts";
import { StateParticipant, StateTerminating, StateViewer } from "../../../../src/service/cluster/ckit/peer.ts";
import { MsgpackWriter } from "../../../../src/service/cluster/memberlist/msgpack.ts";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const unhex = (s: string) => Uint8Array.from(s.replace(/\s+/g, "").match(/../g) ?? [], (h) => parseInt(h, 16));

const goldenStates: [StateMessage, string][] = [
  [{ nodeName: "n1", newState: StateParticipant, time: 3n }, "12010183a84e6577537461746501a84e6f64654e616d65a26e31a454696d6503"],
  [
    { nodeName: "alloy-0", newState: StateTerminating, time: 300n },
    "12010183a84e6577537461746502a84e6f64654e616d65a7616c6c6f792d30a454696d65cd012c",
  ],
  [{ nodeName: "a", newState: StateViewer, time: 1n << 40n }, "12010183a84e6577537461746500a84e6f64654e616d65a161a454696d65cf0000010000000000"],
];

describe("ckit state messages", () => {
  it("encode exactly as Go ckit does", () => {
    for (const [msg, bytes] of goldenStates) assert.equal(hex(encodeStateMessage(msg)), bytes, msg.nodeName);
  });

  it("parse and decode back, 64-bit times included", () => {
    for (const [msg, bytes] of goldenStates) {
      const { type, body } = parseMessage(unhex(bytes));
      assert.equal(type, 1);
      assert.deepEqual(decodeState(body), msg);
    }
    const big: StateMessage = { nodeName: "x", newState: StateParticipant, time: (1n << 64n) - 1n };
    assert.deepEqual(decodeState(parseMessage(encodeStateMessage(big)).body), big);
  });

  it("decode leniently as go-msgpack does: str or bin names, any integer width, any key order, unknown keys", () => {
    const w = new MsgpackWriter();
    w.mapHeader(4);
    w.str("Time");
    w.u8(0xce);
    w.u32(70000);
    w.str("Extra");
    w.bool(true);
    w.str("NodeName");
    w.u8(0xc4); // bin8
    w.u8(2);
    w.bytes(new TextEncoder().encode("n2"));
    w.str("NewState");
    w.u8(0xd1); // int16
    w.u16(2);
    assert.deepEqual(decodeState(w.finish()), { nodeName: "n2", newState: StateTerminating, time: 70000n });
    // Missing fields are zero values.
    assert.deepEqual(decodeState(Uint8Array.of(0x80)), { nodeName: "", newState: StateViewer, time: 0n });
  });

  it("refuse what ckit's Parse refuses", () => {
    assert.throws(() => parseMessage(Uint8Array.of(0x12, 0x01)), /payload too small for message/);
    assert.throws(() => parseMessage(Uint8Array.of(0x12, 0x02, 0x01)), /invalid magic header 1202/);
    assert.throws(() => parseMessage(Uint8Array.of(0x12, 0x01, 0x00)), /invalid message type 0/);
    assert.throws(() => parseMessage(Uint8Array.of(0x12, 0x01, 0x07, 0x80)), /invalid message type 7/);
    assert.throws(() => decodeState(Uint8Array.of(0x93, 1, 2, 3)), /expected a map/);
    assert.throws(() => decodeState(unhex("81 a4 54696d65 ff")), /Time: expected an unsigned integer/);
  });
});

describe("ckit push/pull local state", () => {
  it("encodes {CurrentTime, NodeStates} exactly as Go ckit does", () => {
    const ls = {
      currentTime: 7n,
      nodeStates: [
        { nodeName: "a", newState: StateParticipant, time: 3n },
        { nodeName: "b", newState: StateViewer, time: 0n },
      ],
    };
    const golden =
      "82ab43757272656e7454696d6507aa4e6f64655374617465739283a84e6577537461746501a84e6f64654e616d65a161a454696d650383a84e6577537461746500a84e6f64654e616d65a162a454696d6500";
    assert.equal(hex(encodeLocalState(ls)), golden);
    assert.deepEqual(decodeLocalState(unhex(golden)), ls);
    assert.equal(hex(encodeLocalState({ currentTime: 0n, nodeStates: [] })), "82ab43757272656e7454696d6500aa4e6f646553746174657390");
  });

  it("reads a nil NodeStates (Go's nil slice) as empty", () => {
    assert.deepEqual(decodeLocalState(unhex("82ab43757272656e7454696d6500aa4e6f6465537461746573c0")), { currentTime: 0n, nodeStates: [] });
  });

  it("carries many states (array16 above 15)", () => {
    const nodeStates = Array.from({ length: 40 }, (_, i) => ({ nodeName: `node-${i}`, newState: i % 3, time: BigInt(i * 1000) }));
    const bytes = encodeLocalState({ currentTime: 123456789n, nodeStates });
    // 82, "CurrentTime" (12 bytes), ce + u32, "NodeStates" (11 bytes), then the array header dc 0028.
    assert.equal(hex(bytes.subarray(0, 1 + 12 + 5 + 11 + 3)), "82ab43757272656e7454696d65ce075bcd15aa4e6f6465537461746573dc0028");
    assert.deepEqual(decodeLocalState(bytes), { currentTime: 123456789n, nodeStates });
  });
});
