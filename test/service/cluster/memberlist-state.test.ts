// memberlist's state machine and broadcast queue, driven through the wire on simulated time: a
// single engine on an in-memory transport receives encoded alive/suspect/dead packets and
// push/pulls, and the test reads its table, its events and what it sends.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { NodeInfo } from "../../../src/service/cluster/memberlist/config.ts";
import { Memberlist } from "../../../src/service/cluster/memberlist/memberlist.ts";
import { TransmitLimitedQueue, type Broadcast } from "../../../src/service/cluster/memberlist/queue.ts";
import {
  AckCodec,
  AliveCodec,
  checkCrc,
  compressPayload,
  concat,
  DeadCodec,
  decodeCompoundMessage,
  decompressPayload,
  encodeMessage,
  MessageType,
  PingCodec,
  PushNodeStateCodec,
  PushPullHeaderCodec,
  SuspectCodec,
  type Alive,
} from "../../../src/service/cluster/memberlist/wire.ts";
import { FakeClock, MemNetwork, settle, type MemTransport } from "./sim.ts";

const VSN = Uint8Array.of(1, 5, 2, 0, 0, 0);
const utf8 = new TextEncoder();

// -----------------------------------------------------------------------------------------------
// The broadcast queue

function named(name: string, msg: string, done?: () => void): Broadcast {
  return { name, message: utf8.encode(msg), finished: () => done?.() };
}

describe("TransmitLimitedQueue", () => {
  it("orders by fewer transmits, then longer message, then newer; a name replaces its predecessor", () => {
    const q = new TransmitLimitedQueue(() => 1, 1);
    q.queueBroadcast(named("test", ""));
    q.queueBroadcast(named("foo", ""));
    q.queueBroadcast(named("bar", ""));
    assert.deepEqual(q.snapshot().map((e) => e.name), ["bar", "foo", "test"]);
    q.queueBroadcast(named("test", ""));
    assert.deepEqual(q.snapshot().map((e) => e.name), ["test", "bar", "foo"]);
    const r = new TransmitLimitedQueue(() => 10, 3);
    r.queueBroadcast(named("A", "A timestamp update"));
    r.queueBroadcast(named("A", "A left"));
    r.queueBroadcast(named("B", "B timestamp update"));
    r.queueBroadcast(named("C", "C left"));
    assert.equal(r.length, 3);
    assert.deepEqual(r.getBroadcasts(0, 1024).map((m) => new TextDecoder().decode(m)), ["B timestamp update", "C left", "A left"]);
  });

  it("fills the byte budget counting the overhead of each message", () => {
    const q = new TransmitLimitedQueue(() => 10, 3);
    for (const [n, m] of [["test", "1"], ["foo", "2"], ["bar", "3"], ["baz", "4"]]) q.queueBroadcast(named(n!, `${m}. this is a test.`));
    assert.equal(q.getBroadcasts(2, 80).length, 4);
    assert.equal(q.getBroadcasts(3, 80).length, 3);
  });

  it("finishes a message after the retransmit limit, least-sent first", () => {
    const q = new TransmitLimitedQueue(() => 10, 1); // limit 1 · ceil(log10 11) = 2
    const finished: string[] = [];
    for (const n of ["test", "foo", "bar", "baz"]) q.queueBroadcast(named(n, `${n}. this is a test.`, () => finished.push(n)));
    assert.equal(q.getBroadcasts(3, 80).length, 3);
    assert.equal(q.getBroadcasts(3, 80).length, 3);
    assert.equal(q.getBroadcasts(3, 80).length, 2);
    assert.equal(q.getBroadcasts(3, 80).length, 0);
    assert.deepEqual(finished.sort(), ["bar", "baz", "foo", "test"]);
  });

  it("sends once and drops with a limit of 0 (no nodes), finishes replaced and pruned entries", () => {
    const done: string[] = [];
    const q = new TransmitLimitedQueue(() => 0, 4);
    q.queueBroadcast(named("a", "x", () => done.push("a")));
    assert.equal(q.getBroadcasts(0, 100).length, 1);
    assert.equal(q.length, 0);
    assert.deepEqual(done, ["a"]);
    q.queueBroadcast(named("b", "1", () => done.push("b1")));
    q.queueBroadcast(named("b", "2", () => done.push("b2")));
    assert.deepEqual(done, ["a", "b1"]);
    const p = new TransmitLimitedQueue(() => 10, 1);
    for (const n of ["test", "foo", "bar", "baz"]) p.queueBroadcast(named(n, `${n}.`.padEnd(18, "x"), () => done.push(n)));
    p.prune(2);
    assert.deepEqual(p.snapshot().map((e) => e.name), ["baz", "bar"]);
    assert.deepEqual(done.slice(-2), ["test", "foo"]);
  });
});

// -----------------------------------------------------------------------------------------------
// The state machine

interface Harness {
  clock: FakeClock;
  net: MemNetwork;
  ml: Memberlist;
  events: string[];
  conflicts: string[];
  send(type: number, msg: Uint8Array): Promise<void>;
  alive(name: string, inc: number, extra?: Partial<Alive>): Promise<void>;
  suspect(name: string, inc: number, from?: string): Promise<void>;
  dead(name: string, inc: number, from?: string): Promise<void>;
  node(name: string): NodeInfo | undefined;
  /** Every leaf message the engine sent, decoded. */
  sentMessages(): { type: number; to: string; value: Record<string, unknown> }[];
}

const addrOf = (name: string) => Uint8Array.of(10, 0, 0, Number(/\d+$/.exec(name)?.[0] ?? 99));

async function harness(options: Partial<Parameters<typeof Memberlist.create>[0]> = {}): Promise<Harness> {
  const clock = new FakeClock();
  const net = new MemNetwork(clock);
  const transport: MemTransport = net.transport("10.0.0.1:7946");
  const events: string[] = [];
  const conflicts: string[] = [];
  const ml = await Memberlist.create({
    name: "n1",
    transport,
    advertiseAddr: "10.0.0.1",
    advertisePort: 7946,
    clock,
    // Timers off: each test drives what it needs.
    probeIntervalMs: 0,
    gossipIntervalMs: 0,
    pushPullIntervalMs: 0,
    events: {
      notifyJoin: (n) => events.push(`join ${n.name}`),
      notifyLeave: (n) => events.push(`leave ${n.name}`),
      notifyUpdate: (n) => events.push(`update ${n.name}`),
    },
    conflict: { notifyConflict: (existing, other) => conflicts.push(`${existing.name} ${existing.port} ${other.port}`) },
    ...options,
  });
  const send = async (type: number, msg: Uint8Array) => {
    void type;
    transport.receive({ buf: msg, from: "10.0.0.200:7946", timestamp: clock.now() });
    await settle();
  };
  const decodeLeaves = (buf: Uint8Array, out: { type: number; value: Record<string, unknown> }[]) => {
    const inner = checkCrc(buf)!;
    const type = inner[0]!;
    if (type === MessageType.compress) return decodeLeaves(decompressPayload(inner.subarray(1)), out);
    if (type === MessageType.compound) {
      for (const part of decodeCompoundMessage(inner.subarray(1)).parts) decodeLeaves(part, out);
      return;
    }
    const codec = type === MessageType.alive ? AliveCodec : type === MessageType.suspect || type === MessageType.dead ? SuspectCodec : undefined;
    out.push({ type, value: codec ? (codec.decode(inner.subarray(1)) as unknown as Record<string, unknown>) : {} });
  };
  return {
    clock,
    net,
    ml,
    events,
    conflicts,
    send,
    alive: (name, inc, extra = {}) =>
      send(
        MessageType.alive,
        encodeMessage(MessageType.alive, AliveCodec, { Incarnation: inc, Node: name, Addr: addrOf(name), Port: 7946, Meta: null, Vsn: VSN, ...extra }),
      ),
    suspect: (name, inc, from = "n9") =>
      send(MessageType.suspect, encodeMessage(MessageType.suspect, SuspectCodec, { Incarnation: inc, Node: name, From: from })),
    dead: (name, inc, from = "n9") =>
      send(MessageType.dead, encodeMessage(MessageType.dead, DeadCodec, { Incarnation: inc, Node: name, From: from })),
    node: (name) => ml.allNodes().find((n) => n.name === name),
    sentMessages() {
      const out: { type: number; to: string; value: Record<string, unknown> }[] = [];
      for (const p of net.sent) {
        const leaves: { type: number; value: Record<string, unknown> }[] = [];
        decodeLeaves(p.buf, leaves);
        for (const l of leaves) out.push({ ...l, to: p.to });
      }
      return out;
    },
  };
}

/** A peer that answers every ping with an ack, and nothing else. */
function responder(net: MemNetwork, addr: string) {
  const t = net.transport(addr);
  const onPacket = (buf: Uint8Array, from: string) => {
    const inner = checkCrc(buf)!;
    if (inner[0] === MessageType.compound) {
      for (const part of decodeCompoundMessage(inner.subarray(1)).parts) onPacket(part, from);
    } else if (inner[0] === MessageType.compress) {
      onPacket(decompressPayload(inner.subarray(1)), from);
    } else if (inner[0] === MessageType.ping) {
      const ping = PingCodec.decode(inner.subarray(1));
      void t.writeTo(encodeMessage(MessageType.ackResp, AckCodec, { SeqNo: ping.SeqNo, Payload: null }), from);
    }
  };
  t.attach({ onPacket: (p) => onPacket(p.buf, p.from), onStream: (c) => c.close() });
}

const state = (n: NodeInfo | undefined) => (n ? `${["alive", "suspect", "dead", "left"][n.state]}@${n.incarnation}` : "unknown");

describe("memberlist state machine", () => {
  it("bootstraps itself alive at incarnation 1 and reports its own join", async () => {
    const h = await harness({ delegate: { nodeMeta: () => utf8.encode("m") } });
    assert.equal(state(h.node("n1")), "alive@1");
    assert.deepEqual(h.events, ["join n1"]);
    assert.equal(new TextDecoder().decode(h.ml.localNode().meta!), "m");
    await h.ml.shutdown();
  });

  it("alive: a new node joins; the same incarnation is ignored; a higher one with new meta updates", async () => {
    const h = await harness();
    await h.alive("n2", 1);
    assert.equal(state(h.node("n2")), "alive@1");
    await h.alive("n2", 1, { Meta: utf8.encode("changed") });
    assert.equal(h.node("n2")!.meta, null);
    await h.alive("n2", 2, { Meta: utf8.encode("changed") });
    assert.equal(new TextDecoder().decode(h.node("n2")!.meta!), "changed");
    assert.deepEqual(h.events, ["join n1", "join n2", "update n2"]);
    await h.ml.shutdown();
  });

  it("alive with incarnation 0 for an unknown node leaves a dead placeholder", async () => {
    const h = await harness();
    await h.alive("n3", 0);
    assert.equal(state(h.node("n3")), "dead@0");
    assert.equal(h.ml.members().length, 1);
    assert.deepEqual(h.events, ["join n1"]);
    await h.ml.shutdown();
  });

  it("ignores alive messages with wrong protocol versions", async () => {
    const h = await harness();
    await h.alive("n2", 1, { Vsn: Uint8Array.of(0, 5, 2, 0, 0, 0) });
    await h.alive("n3", 1, { Vsn: Uint8Array.of(3, 2, 2, 0, 0, 0) });
    assert.equal(h.node("n2"), undefined);
    assert.equal(h.node("n3"), undefined);
    await h.ml.shutdown();
  });

  it("suspect: older incarnations are ignored; equal or newer ones suspect; alive at the same incarnation does not clear it", async () => {
    const h = await harness();
    await h.alive("n2", 5);
    await h.suspect("n2", 4);
    assert.equal(state(h.node("n2")), "alive@5");
    await h.suspect("n2", 5);
    assert.equal(state(h.node("n2")), "suspect@5");
    await h.alive("n2", 5);
    assert.equal(state(h.node("n2")), "suspect@5");
    await h.alive("n2", 6);
    assert.equal(state(h.node("n2")), "alive@6");
    await h.suspect("n2", 8);
    assert.equal(state(h.node("n2")), "suspect@8");
    await h.ml.shutdown();
  });

  it("dead: at the same incarnation it beats alive; from the node itself it means left; suspect does not revive", async () => {
    const h = await harness();
    await h.alive("n2", 3);
    await h.alive("n3", 3);
    await h.dead("n2", 2);
    assert.equal(state(h.node("n2")), "alive@3");
    await h.dead("n2", 3);
    assert.equal(state(h.node("n2")), "dead@3");
    await h.dead("n3", 3, "n3");
    assert.equal(state(h.node("n3")), "left@3");
    await h.suspect("n2", 4);
    assert.equal(state(h.node("n2")), "dead@3");
    await h.alive("n2", 3);
    assert.equal(state(h.node("n2")), "dead@3");
    await h.alive("n2", 4);
    assert.equal(state(h.node("n2")), "alive@4");
    assert.deepEqual(h.events, ["join n1", "join n2", "join n3", "leave n2", "leave n3", "join n2"]);
    await h.ml.shutdown();
  });

  it("a suspect times out into dead after the minimum timeout when no confirmations are expected", async () => {
    const h = await harness({ probeIntervalMs: 200, suspicionMult: 4 });
    for (const i of [2, 3]) {
      responder(h.net, `10.0.0.${i}:7946`);
      await h.alive(`n${i}`, 1);
    }
    await h.suspect("n2", 1);
    // N = 3: k = SuspicionMult−2 = 2 > N−2, so k = 0 and the timeout is 4 · max(1, log10 3) · 200ms.
    assert.equal(state(h.node("n2")), "suspect@1");
    await h.clock.advance(799);
    assert.equal(state(h.node("n2")), "suspect@1");
    await h.clock.advance(2);
    assert.equal(state(h.node("n2")), "dead@1");
    assert.equal(state(h.node("n3")), "alive@1");
    await h.ml.shutdown();
  });

  it("suspicion with expected confirmations: max timeout alone, shorter with each new confirmer", async () => {
    const h = await harness({ probeIntervalMs: 1000, suspicionMult: 4, suspicionMaxTimeoutMult: 6 });
    // The peers answer our probes, so that only the confirmations below count.
    for (let i = 2; i <= 6; i++) {
      responder(h.net, `10.0.0.${i}:7946`);
      await h.alive(`n${i}`, 1);
    }
    // N = 6 → min = 4 · max(1, log10 6) · 1s = 4s, max = 24s, k = 2.
    await h.suspect("n2", 1, "n3");
    await h.clock.advance(4000);
    assert.equal(state(h.node("n2")), "suspect@1");
    await h.suspect("n2", 1, "n4"); // n=1: 24 − log(2)/log(3)·20 = 11.38s
    await h.suspect("n2", 1, "n4"); // the same confirmer counts once
    await h.clock.advance(7000);
    assert.equal(state(h.node("n2")), "suspect@1");
    await h.suspect("n2", 1, "n5"); // n=2: the minimum, 4s, already passed
    await h.clock.advance(1);
    assert.equal(state(h.node("n2")), "dead@1");
    await h.ml.shutdown();
  });

  it("a lone suspicion with confirmations expected takes the maximum timeout", async () => {
    const h = await harness({ probeIntervalMs: 1000, suspicionMult: 4, suspicionMaxTimeoutMult: 6 });
    for (let i = 2; i <= 6; i++) {
      responder(h.net, `10.0.0.${i}:7946`);
      await h.alive(`n${i}`, 1);
    }
    await h.suspect("n2", 1, "n3");
    await h.clock.advance(23_900);
    assert.equal(state(h.node("n2")), "suspect@1");
    await h.clock.advance(200);
    assert.equal(state(h.node("n2")), "dead@1");
    await h.ml.shutdown();
  });

  it("refutes a suspicion of itself with a higher incarnation, raising its health score", async () => {
    const h = await harness();
    await h.alive("n2", 1);
    assert.equal(h.ml.healthScore(), 0);
    await h.suspect("n1", 1);
    assert.equal(state(h.node("n1")), "alive@2");
    assert.equal(h.ml.healthScore(), 1);
    await h.suspect("n1", 7);
    assert.equal(state(h.node("n1")), "alive@8");
    await h.dead("n1", 8);
    assert.equal(state(h.node("n1")), "alive@9");
    assert.equal(h.ml.healthScore(), 3);
    // A stale alive about us with other metadata is refuted too; an identical one is not.
    await h.alive("n1", 9, { Addr: Uint8Array.of(10, 0, 0, 1), Meta: utf8.encode("old") });
    assert.equal(state(h.node("n1")), "alive@10");
    await h.alive("n1", 10, { Addr: Uint8Array.of(10, 0, 0, 1) });
    assert.equal(state(h.node("n1")), "alive@10");
    assert.deepEqual(h.events, ["join n1", "join n2"]);
    await h.ml.shutdown();
  });

  it("refutation broadcasts an alive message, keyed by IP (queued next to name-keyed ones)", async () => {
    const h = await harness({ gossipIntervalMs: 200 });
    await h.alive("n2", 1);
    await h.clock.advance(1000); // let the queue drain
    h.net.sent.length = 0;
    await h.suspect("n1", 3);
    await h.clock.advance(400);
    const alive = h.sentMessages().filter((m) => m.type === MessageType.alive && m.value.Node === "n1");
    assert.ok(alive.length > 0, "an alive about ourselves went out");
    assert.equal(alive[0]!.value.Incarnation, 4);
    assert.equal(alive[0]!.to, "10.0.0.2:7946");
    await h.ml.shutdown();
  });

  it("address conflicts: rejected while alive or dead, accepted after a leave or the reclaim time", async () => {
    const h = await harness({ deadNodeReclaimTimeMs: 5000 });
    await h.alive("n2", 1);
    await h.alive("n2", 2, { Port: 9000 });
    assert.equal(h.node("n2")!.port, 7946);
    assert.deepEqual(h.conflicts, ["n2 7946 9000"]);
    await h.dead("n2", 2);
    await h.alive("n2", 3, { Port: 9000 });
    assert.equal(h.node("n2")!.port, 7946);
    await h.clock.advance(6000);
    await h.alive("n2", 3, { Port: 9000 });
    assert.equal(h.node("n2")!.port, 9000);
    assert.equal(state(h.node("n2")), "alive@3");
    await h.alive("n3", 1);
    await h.dead("n3", 1, "n3");
    await h.alive("n3", 1, { Port: 9001 }); // a left node's address may change, even at the same incarnation
    assert.equal(h.node("n3")!.port, 9001);
    assert.equal(state(h.node("n3")), "alive@1");
    // Conflicts about ourselves never refute.
    await h.alive("n1", 5, { Port: 1234 });
    assert.equal(state(h.node("n1")), "alive@1");
    await h.ml.shutdown();
  });

  it("leave: marks itself left, ignores alive messages about itself and no longer refutes", async () => {
    const h = await harness({ gossipIntervalMs: 200 });
    await h.alive("n2", 1);
    const leaving = h.ml.leave(5000);
    await h.clock.advance(2000);
    await leaving;
    assert.equal(state(h.node("n1")), "left@1");
    await h.alive("n1", 9);
    assert.equal(state(h.node("n1")), "left@1");
    const dead = h.sentMessages().filter((m) => m.type === MessageType.dead);
    assert.deepEqual(dead[0]!.value, { From: "n1", Incarnation: 1, Node: "n1" });
    assert.ok(h.events.includes("leave n1"));
    await h.ml.shutdown();
  });

  it("leave times out when its broadcast cannot be sent", async () => {
    const h = await harness({ gossipIntervalMs: 0 });
    await h.alive("n2", 1);
    const outcome = h.ml.leave(1000).then(() => "left", (error: Error) => error.message);
    await h.clock.advance(1500);
    assert.equal(await outcome, "timeout waiting for leave broadcast");
    await h.ml.shutdown();
  });

  it("push/pull merge: remote dead becomes a local suspicion, remote left a leave", async () => {
    const h = await harness();
    await h.alive("n2", 1);
    await h.alive("n3", 1);
    const node = (name: string, inc: number, st: number) =>
      PushNodeStateCodec.encode({ Name: name, Addr: addrOf(name), Port: 7946, Meta: null, Incarnation: inc, State: st, Vsn: VSN });
    const msg = concat([
      Uint8Array.of(MessageType.pushPull),
      PushPullHeaderCodec.encode({ Nodes: 3, UserStateLen: 0, Join: false }),
      node("n2", 1, 2),
      node("n3", 1, 3),
      node("n4", 1, 0),
    ]);
    const conn = h.net.dial("10.0.0.9:7946", "10.0.0.1:7946");
    await conn.write(compressPayload(msg));
    let reply: Uint8Array = new Uint8Array(0);
    for (;;) {
      const chunk = await conn.read();
      if (!chunk) break;
      reply = concat([reply, chunk]);
    }
    await settle();
    assert.equal(state(h.node("n2")), "suspect@1");
    assert.equal(state(h.node("n3")), "left@1");
    assert.equal(state(h.node("n4")), "alive@1");
    // The reply is our state, compressed: four nodes before the merge (n1..n3), so three.
    const plain = decompressPayload(reply.subarray(1));
    assert.equal(plain[0], MessageType.pushPull);
    assert.equal(PushPullHeaderCodec.decode(plain.subarray(1)).Nodes, 3);
    await h.ml.shutdown();
  });
});
