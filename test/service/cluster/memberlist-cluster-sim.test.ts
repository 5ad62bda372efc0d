// Whole clusters of the gossip engine on an in-memory network and simulated time, with memberlist's
// default LAN timings (probe 1s, probe timeout 500ms, gossip 200ms to 3 nodes, push/pull 30s):
// the convergence and detection bounds of spec/memberlist.md §7.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ckitOverrides, StateAlive, StateDead, StateLeft, StateSuspect, type MemberlistOptions } from "../../../src/service/cluster/memberlist/config.ts";
import { Memberlist } from "../../../src/service/cluster/memberlist/memberlist.ts";
import { FakeClock, MemNetwork } from "./sim.ts";

const G = 200;
const P = 1000;

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const addr = (i: number) => `10.0.${i >> 8}.${i & 0xff}:7946`;

interface Cluster {
  clock: FakeClock;
  net: MemNetwork;
  nodes: Memberlist[];
  /** Transitions each node saw: "observer: name state". */
  transitions: string[];
  add(i: number, options?: Partial<MemberlistOptions>): Promise<Memberlist>;
  /** Advances in steps until check holds; returns the simulated time it took. */
  until(what: string, check: () => boolean, limitMs: number, stepMs?: number): Promise<number>;
  shutdown(): Promise<void>;
}

async function makeCluster(seed = 1, base: Partial<MemberlistOptions> = {}): Promise<Cluster> {
  const clock = new FakeClock();
  const net = new MemNetwork(clock);
  net.random = prng(seed * 7919);
  const nodes: Memberlist[] = [];
  const transitions: string[] = [];
  const c: Cluster = {
    clock,
    net,
    nodes,
    transitions,
    async add(i, options = {}) {
      const name = `n${i}`;
      const [ip, port] = addr(i).split(":") as [string, string];
      const ml = await Memberlist.create({
        name,
        transport: net.transport(addr(i)),
        advertiseAddr: ip,
        advertisePort: Number(port),
        clock,
        random: prng(seed * 1000 + i),
        events: {
          notifyJoin: (n) => transitions.push(`${name}: ${n.name} alive`),
          notifyLeave: (n) => transitions.push(`${name}: ${n.name} ${n.state === StateLeft ? "left" : "dead"}`),
        },
        ...base,
        ...options,
      });
      nodes.push(ml);
      return ml;
    },
    async until(what, check, limitMs, stepMs = 50) {
      const start = clock.now();
      while (!check()) {
        if (clock.now() - start > limitMs) throw new Error(`${what}: not within ${limitMs}ms of simulated time`);
        await clock.advance(stepMs);
      }
      return clock.now() - start;
    },
    async shutdown() {
      for (const n of nodes) await n.shutdown();
    },
  };
  return c;
}

const gossipBound = (n: number, fanout = 3) => (2 * Math.ceil(Math.log(n) / Math.log(fanout + 1)) + 4) * G;
const lists = (observer: Memberlist, name: string, state = StateAlive) =>
  observer.allNodes().some((m) => m.name === name && m.state === state);

describe("memberlist clusters on simulated time", () => {
  for (const n of [3, 5, 10, 32]) {
    it(`${n} nodes joined one after another: each joiner lists everyone at once, and is listed by all within the gossip bound`, async () => {
      const c = await makeCluster(n);
      const seed = await c.add(1);
      for (let i = 2; i <= n; i++) {
        const joiner = await c.add(i);
        const result = await joiner.join([addr(1)]);
        assert.deepEqual(result, { joined: 1 });
        assert.equal(joiner.members().length, i, `n${i} lists every member as soon as the join returns`);
        const took = await c.until(`everyone lists n${i}`, () => c.nodes.every((o) => lists(o, `n${i}`)), gossipBound(i) + 5 * G);
        assert.ok(took <= gossipBound(i), `n${i} listed by all after ${took}ms > ${gossipBound(i)}ms`);
      }
      void seed;
      // Then everyone stays alive: no false suspicion on a loss-free network.
      await c.clock.advance(20_000);
      for (const o of c.nodes) assert.equal(o.members().filter((m) => m.state === StateAlive).length, n);
      assert.ok(!c.transitions.some((t) => / (dead|left)$/.test(t)), c.transitions.filter((t) => / (dead|left)$/.test(t)).join(", "));
      await c.shutdown();
    });
  }

  it("a crashed node is suspected within a couple of probe periods and declared dead between S_min and S_max", async () => {
    const n = 5;
    const c = await makeCluster(11);
    for (let i = 1; i <= n; i++) {
      const ml = await c.add(i);
      if (i > 1) await ml.join([addr(1)]);
    }
    await c.until("all joined", () => c.nodes.every((o) => o.members().length === n), 5000);
    const victim = c.nodes[n - 1]!;
    c.net.down.add(addr(n));
    await victim.shutdown();
    const others = c.nodes.slice(0, n - 1);
    const suspectedIn = await c.until("someone suspects n5", () => others.some((o) => lists(o, "n5", StateSuspect)), (n - 1) * P + P + P, 10);
    assert.ok(suspectedIn <= (n - 1) * P + P, `suspected after ${suspectedIn}ms`);
    // N = 5: k = 2 confirmations expected; S_min = 4 · log10(5)→1 · 1s = 4s, S_max = 24s.
    const deadIn = await c.until("someone declares n5 dead", () => others.some((o) => lists(o, "n5", StateDead)), 25_000, 50);
    assert.ok(deadIn >= 4000 - 100 && deadIn <= 24_000 + 100, `dead ${deadIn}ms after suspicion`);
    const allIn = await c.until("all see n5 dead", () => others.every((o) => lists(o, "n5", StateDead)), gossipBound(n) + 2 * G, 10);
    assert.ok(allIn <= gossipBound(n) + 2 * G);
    // Reaped GossipToTheDeadTime (30s) to 30s + N·P after its death.
    const reapIn = await c.until("n5 reaped everywhere", () => others.every((o) => !o.allNodes().some((m) => m.name === "n5")), 30_000 + n * P + 2 * P, 100);
    assert.ok(reapIn >= 30_000 - deadIn - allIn - 200, `reaped after ${reapIn}ms`);
    assert.ok(!c.transitions.some((t) => /n[1-4] (dead|left)$/.test(t)), "no healthy node was declared dead");
    await c.shutdown();
  });

  it("with ckit's settings, a crashed node of three is declared dead 20s after it is suspected", async () => {
    // ckit: probe 5s, probe timeout 2s, no TCP pings, 10 MiB packets. N = 3 → k = 0, S = 4 · 1 · 5s.
    const c = await makeCluster(71, { ...ckitOverrides });
    for (let i = 1; i <= 3; i++) {
      const ml = await c.add(i);
      if (i > 1) await ml.join([addr(1)]);
    }
    await c.until("all joined", () => c.nodes.every((o) => o.members().length === 3), 5000);
    c.net.down.add(addr(3));
    await c.nodes[2]!.shutdown();
    const others = c.nodes.slice(0, 2);
    const suspectedIn = await c.until("someone suspects n3", () => others.some((o) => lists(o, "n3", StateSuspect)), 3 * 5000, 10);
    assert.ok(suspectedIn <= 2 * 5000 + 5000, `suspected after ${suspectedIn}ms`);
    const deadIn = await c.until("someone declares n3 dead", () => others.some((o) => lists(o, "n3", StateDead)), 21_000, 10);
    assert.ok(deadIn >= 19_990 && deadIn <= 20_010, `dead ${deadIn}ms after suspicion`);
    await c.until("both see n3 dead", () => others.every((o) => lists(o, "n3", StateDead)), gossipBound(3) + 2 * G, 10);
    await c.shutdown();
  });

  it("a graceful leave is seen as left by all within the gossip bound, and leave returns early", async () => {
    const n = 6;
    const c = await makeCluster(21);
    for (let i = 1; i <= n; i++) {
      const ml = await c.add(i);
      if (i > 1) await ml.join([addr(1)]);
    }
    await c.until("all joined", () => c.nodes.every((o) => o.members().length === n), 5000);
    const leaver = c.nodes[2]!;
    let left = false;
    const start = c.clock.now();
    const leaving = leaver.leave(5000).then(() => (left = true));
    const others = c.nodes.filter((o) => o !== leaver);
    const took = await c.until("all see n3 left", () => others.every((o) => lists(o, "n3", StateLeft)), gossipBound(n) + 5 * G, 10);
    assert.ok(took <= gossipBound(n), `left seen by all after ${took}ms`);
    await c.until("leave returns", () => left, 5000, 50);
    await leaving;
    assert.ok(c.clock.now() - start < 5000, "leave returned before its timeout");
    await leaver.shutdown();
    await c.clock.advance(10_000);
    for (const o of others) assert.ok(lists(o, "n3", StateLeft), "still left, never dead");
    await c.shutdown();
  });

  it("with 10% packet loss over 3 minutes no healthy node is ever declared dead", async () => {
    const n = 8;
    const c = await makeCluster(31);
    for (let i = 1; i <= n; i++) {
      const ml = await c.add(i);
      if (i > 1) await ml.join([addr(1)]);
    }
    await c.until("all joined", () => c.nodes.every((o) => o.members().length === n), 5000);
    c.net.lossRate = 0.1;
    await c.clock.advance(180_000);
    assert.ok(!c.transitions.some((t) => / (dead|left)$/.test(t)), c.transitions.filter((t) => / (dead|left)$/.test(t)).join(", "));
    for (const o of c.nodes) assert.equal(o.members().length, n);
    await c.shutdown();
  });

  it("user broadcasts ride along with gossip, and user state travels with push/pull", async () => {
    const c = await makeCluster(41);
    const received: string[] = [];
    const merged: string[] = [];
    const pending = [new TextEncoder().encode("hello from n1")];
    await c.add(1, {
      delegate: {
        getBroadcasts: (_overhead, limit) => (pending.length && pending[0]!.length <= limit ? [pending.shift()!] : []),
        localState: (join) => new TextEncoder().encode(`state of n1 (join=${join})`),
      },
    });
    const n2 = await c.add(2, {
      delegate: {
        notifyMsg: (msg) => received.push(new TextDecoder().decode(msg)),
        mergeRemoteState: (buf, join) => merged.push(`${new TextDecoder().decode(buf)} merged join=${join}`),
        localState: () => new TextEncoder().encode("state of n2"),
      },
    });
    await n2.join([addr(1)]);
    assert.deepEqual(merged, ["state of n1 (join=true) merged join=true"]);
    await c.until("the user message arrives", () => received.length > 0, 2000);
    assert.deepEqual(received, ["hello from n1"]);
    await c.shutdown();
  });

  it("the TCP fallback ping keeps a node that hears no packets from being suspected", async () => {
    const n = 4;
    const c = await makeCluster(61);
    for (let i = 1; i <= n; i++) {
      const ml = await c.add(i);
      if (i > 1) await ml.join([addr(1)]);
    }
    await c.until("all joined", () => c.nodes.every((o) => o.members().length === n), 5000);
    c.net.deaf.add(addr(1));
    await c.clock.advance(60_000);
    for (const o of c.nodes) assert.ok(o.allNodes().every((m) => m.state === StateAlive), o.localNode().name);
    await c.shutdown();
  });

  it("Lifeguard: a node that hears no packets raises its health score to the maximum and probes less often", async () => {
    const n = 5;
    // Without TCP pings (as ckit runs), so that packets are the only way to answer a probe.
    const c = await makeCluster(51, { disableTcpPings: true });
    for (let i = 1; i <= n; i++) {
      const ml = await c.add(i);
      if (i > 1) await ml.join([addr(1)]);
    }
    await c.until("all joined", () => c.nodes.every((o) => o.members().length === n), 5000);
    const deaf = c.nodes[0]!;
    assert.equal(deaf.healthScore(), 0);
    c.net.deaf.add(addr(1));
    await c.until("health score at its maximum", () => deaf.healthScore() === 7, 60_000, 100);
    // At score 7 a probe takes 8 probe intervals: count the pings n1 sends over 16s.
    const before = c.net.sent.filter((p) => p.from === addr(1)).length;
    await c.clock.advance(16_000);
    const pings = c.net.sent.slice(before).filter((p) => p.from === addr(1) && p.buf[0] === 0).length;
    assert.ok(pings <= 4, `${pings} direct pings in 16s`);
    for (const o of c.nodes.slice(1)) assert.equal(o.healthScore(), 0, "the healthy nodes stay healthy");
    await c.shutdown();
  });
});
