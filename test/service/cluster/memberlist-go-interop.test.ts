// The gossip layer against the real thing: alloy-ts nodes (child processes under the runtime running
// this test) and Go memberlist nodes (../shared/tools/memberlist-peer) in one cluster over UDP+TCP
// on 127.0.0.1, with memberlist's fast test timings on both sides: probe 200ms, probe timeout
// 100ms, gossip 50ms, push/pull 2s, suspicion multiplier 4.
//
// With 3 nodes, k = SuspicionMult−2 = 2 > N−2 = 1, so no confirmations are expected and a suspect
// is declared dead after the minimum suspicion timeout: 4 · max(1, log10 3) · 200ms = 800ms.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  eventually,
  joinResult,
  sleep,
  startGoPeer,
  startTsNode,
  stopAll,
  waitForState,
  type GossipProcess,
  type Member,
} from "./helpers.ts";

const SUSPICION_MIN_MS = 800;

/** Two Go peers that know each other. */
async function goPair(label?: string): Promise<[GossipProcess, GossipProcess]> {
  const go1 = await startGoPeer({ name: "go1", meta: "meta-go1", ...(label ? { label } : {}) });
  try {
    const go2 = await startGoPeer({ name: "go2", meta: "meta-go2", join: [go1.gossip], ...(label ? { label } : {}) });
    await waitForState(go1, "go2", ["alive"], 5000);
    return [go1, go2];
  } catch (error) {
    await go1.stop();
    throw error;
  }
}

/** Polls observer until name is dead, recording every state seen on the way. */
async function watchUntil(observer: GossipProcess, name: string, final: Member["state"], timeoutMs: number) {
  const seen: { state: Member["state"]; at: number; incarnation: number }[] = [];
  await eventually(
    `${observer.name} to see ${name} ${final}`,
    async () => {
      const m = await observer.member(name);
      if (m && seen.at(-1)?.state !== m.state) seen.push({ state: m.state, at: Date.now(), incarnation: m.incarnation });
      return m?.state === final;
    },
    timeoutMs,
    20,
  );
  return seen;
}

describe("memberlist over UDP/TCP with Go memberlist peers", () => {
  const processes: GossipProcess[] = [];
  after(() => stopAll(processes));

  it("joins two Go peers: every side sees every other alive, with its metadata", async () => {
    const [go1, go2] = await goPair();
    processes.push(go1, go2);
    const ts = await startTsNode({ name: "ts-join", transport: "udp", meta: "meta-ts", join: [go1.gossip] });
    processes.push(ts);
    assert.equal(joinResult(ts)?.contacted, 1);
    // The joiner lists every member as soon as the join returns (push/pull with the seed).
    const view = await ts.members();
    assert.deepEqual(view.map((m) => m.name).sort(), ["go1", "go2", "ts-join"]);
    for (const go of [go1, go2]) {
      const m = await waitForState(go, "ts-join", ["alive"], 3000);
      assert.equal(m.meta, "meta-ts");
      assert.equal(m.incarnation, 1);
      assert.equal(m.port, Number(ts.gossip.split(":")[1]));
      assert.equal(m.addr, "127.0.0.1");
    }
    for (const [go, meta] of [[go1, "meta-go1"], [go2, "meta-go2"]] as const) {
      const m = await waitForState(ts, go.name, ["alive"], 3000);
      assert.equal(m.meta, meta);
    }
    // Probes and gossip keep everyone alive for a while: nobody is declared dead.
    await sleep(1500);
    for (const observer of [go1, go2, ts]) {
      await eventually(
        `${observer.name} to list everyone alive`,
        async () => (await observer.members()).every((m) => m.state === "alive") && (await observer.members()).length === 3,
        3000,
      );
    }
    assert.doesNotMatch(go1.run.stdout + go2.run.stdout + ts.run.stdout, /"event":"leave"/);
    await stopAll([ts, go1, go2]);
  });

  it("a Go peer joins our node (push/pull the other way round), and a second one joins through it", async () => {
    const ts = await startTsNode({ name: "ts-seed", transport: "udp", meta: "meta-seed" });
    processes.push(ts);
    const go1 = await startGoPeer({ name: "go1", meta: "meta-go1", join: [ts.gossip] });
    processes.push(go1);
    assert.equal(joinResult(go1)?.contacted, 1);
    assert.equal(joinResult(go1)?.error, undefined);
    const go2 = await startGoPeer({ name: "go2", meta: "meta-go2", join: [go1.gossip] });
    processes.push(go2);
    for (const go of [go1, go2]) assert.equal((await waitForState(go, "ts-seed", ["alive"], 3000)).meta, "meta-seed");
    assert.equal((await waitForState(ts, "go1", ["alive"], 3000)).meta, "meta-go1");
    assert.equal((await waitForState(ts, "go2", ["alive"], 3000)).meta, "meta-go2");
    await stopAll([ts, go1, go2]);
  });

  it("a name already taken at another address: the Go peers keep the first holder", async () => {
    const [go1, go2] = await goPair();
    processes.push(go1, go2);
    // Our node calls itself go2 but lives elsewhere: its alive messages conflict and are dropped.
    const clash = await startTsNode({ name: "go2", transport: "udp", join: [go1.gossip] });
    processes.push(clash);
    assert.equal(joinResult(clash)?.contacted, 1, "the push/pull itself succeeds");
    await sleep(1000);
    for (const go of [go1, go2]) {
      const entry = (await go.members()).find((m) => m.name === "go2")!;
      assert.equal(entry.port, Number(go2.gossip.split(":")[1]), `${go.name} keeps the original go2`);
      assert.equal(entry.state, "alive");
    }
    await stopAll([clash, go1, go2]);
  });

  it("SIGKILL of our node: the Go peers mark it suspect, then dead after the suspicion timeout", async () => {
    const [go1, go2] = await goPair();
    processes.push(go1, go2);
    const ts = await startTsNode({ name: "ts-kill", transport: "udp", join: [go1.gossip] });
    processes.push(ts);
    await waitForState(go2, "ts-kill", ["alive"], 3000);
    const killedAt = Date.now();
    ts.run.kill("SIGKILL");
    const [seen1, seen2] = await Promise.all([watchUntil(go1, "ts-kill", "dead", 6000), watchUntil(go2, "ts-kill", "dead", 6000)]);
    for (const seen of [seen1, seen2]) {
      const states = seen.map((s) => s.state);
      assert.deepEqual(states, ["alive", "suspect", "dead"], JSON.stringify(seen));
      const suspectAt = seen[1]!.at - killedAt;
      const deadAfter = seen[2]!.at - seen[1]!.at;
      // Suspected within a couple of probe rounds (N·P plus timeouts), dead ≈ the minimum timeout later.
      assert.ok(suspectAt < 4000, `suspected after ${suspectAt}ms`);
      assert.ok(deadAfter >= SUSPICION_MIN_MS - 300 && deadAfter < SUSPICION_MIN_MS + 2500, `dead ${deadAfter}ms after suspect`);
    }
    await stopAll([go1, go2]);
  });

  it("SIGKILL of a Go peer: our node marks it suspect, then dead", async () => {
    const [go1, go2] = await goPair();
    processes.push(go1, go2);
    const ts = await startTsNode({ name: "ts-watch", transport: "udp", join: [go1.gossip] });
    processes.push(ts);
    await waitForState(go2, "ts-watch", ["alive"], 3000);
    await waitForState(ts, "go2", ["alive"], 3000);
    const killedAt = Date.now();
    go2.run.kill("SIGKILL");
    const seen = await watchUntil(ts, "go2", "dead", 6000);
    assert.deepEqual(
      seen.map((s) => s.state),
      ["alive", "suspect", "dead"],
      JSON.stringify(seen),
    );
    const suspectAt = seen[1]!.at - killedAt;
    const deadAfter = seen[2]!.at - seen[1]!.at;
    assert.ok(suspectAt < 4000, `suspected after ${suspectAt}ms`);
    assert.ok(deadAfter >= SUSPICION_MIN_MS - 300 && deadAfter < SUSPICION_MIN_MS + 2500, `dead ${deadAfter}ms after suspect`);
    // The surviving Go peer agrees.
    await waitForState(go1, "go2", ["dead"], 3000);
    await stopAll([ts, go1]);
  });

  it("SIGSTOP past the probe timeout, then SIGCONT: our node refutes with a higher incarnation", async () => {
    // A long suspicion timeout on the Go side (15 · 200ms = 3s) leaves time to see the suspicion.
    const slow = ["-suspicion-mult", "15"];
    const go1 = await startGoPeer({ name: "go1", extra: slow });
    processes.push(go1);
    const go2 = await startGoPeer({ name: "go2", join: [go1.gossip], extra: slow });
    processes.push(go2);
    const ts = await startTsNode({ name: "ts-stop", transport: "udp", join: [go1.gossip] });
    processes.push(ts);
    const before = await waitForState(go1, "ts-stop", ["alive"], 3000);
    await waitForState(go2, "ts-stop", ["alive"], 3000);

    ts.run.kill("SIGSTOP");
    const suspected = await eventually(
      "a Go peer to suspect the stopped node",
      async () => {
        for (const go of [go1, go2]) {
          const m = await go.member("ts-stop");
          if (m?.state === "suspect") return m;
        }
        return undefined;
      },
      2500,
      20,
    );
    assert.ok(suspected.incarnation >= before.incarnation);
    ts.run.kill("SIGCONT");

    for (const go of [go1, go2]) {
      const m = await waitForState(go, "ts-stop", ["alive"], 2500, (x) => x.incarnation > suspected.incarnation);
      assert.ok(m.incarnation > suspected.incarnation, `${go.name}: incarnation ${m.incarnation}`);
    }
    const self = (await ts.members()).find((m) => m.name === "ts-stop")!;
    assert.equal(self.state, "alive");
    assert.ok(self.incarnation > suspected.incarnation);
    // Nobody ever declared it dead, and it stays alive.
    await sleep(1000);
    for (const go of [go1, go2]) assert.equal((await go.member("ts-stop"))?.state, "alive");
    assert.ok(!/"event":"leave","name":"ts-stop"/.test(go1.run.stdout + go2.run.stdout), "no Go peer saw it leave or die");
    await stopAll([ts, go1, go2]);
  });

  it("graceful leave of our node shows as left on the Go peers", async () => {
    const [go1, go2] = await goPair();
    processes.push(go1, go2);
    const ts = await startTsNode({ name: "ts-leave", transport: "udp", join: [go1.gossip] });
    processes.push(ts);
    await waitForState(go2, "ts-leave", ["alive"], 3000);
    ts.run.kill("SIGTERM");
    const done = await ts.run.completion(10_000);
    assert.equal(done.code, 0, `exit ${done.code ?? done.signal}:\n${done.stdout}${done.stderr}`);
    assert.match(done.stdout, /"event":"left"/);
    assert.doesNotMatch(done.stdout, /timeout waiting for leave broadcast/);
    for (const go of [go1, go2]) {
      const m = await waitForState(go, "ts-leave", ["left", "dead"], 3000);
      assert.equal(m.state, "left", `${go.name}: ${JSON.stringify(await go.members())}\n${done.stdout}`);
    }
    // And a Go peer's graceful leave shows as left on ours.
    const ts2 = await startTsNode({ name: "ts-obs", transport: "udp", join: [go1.gossip] });
    processes.push(ts2);
    await waitForState(go2, "ts-obs", ["alive"], 3000);
    await fetch(`${go2.control}/leave`, { method: "POST" });
    const m = await waitForState(ts2, "go2", ["left", "dead"], 3000);
    assert.equal(m.state, "left");
    await stopAll([ts2, go1, go2]);
  });

  it("labels: the same label joins, a different label or none does not", async () => {
    const [go1, go2] = await goPair("alloy");
    processes.push(go1, go2);
    const same = await startTsNode({ name: "ts-same", transport: "udp", label: "alloy", join: [go1.gossip] });
    processes.push(same);
    assert.equal(joinResult(same)?.contacted, 1);
    await waitForState(go1, "ts-same", ["alive"], 3000);
    await waitForState(go2, "ts-same", ["alive"], 3000);
    await waitForState(same, "go2", ["alive"], 3000);

    const other = await startTsNode({ name: "ts-other", transport: "udp", label: "other", join: [go1.gossip] });
    const none = await startTsNode({ name: "ts-none", transport: "udp", join: [go1.gossip] });
    processes.push(other, none);
    for (const refused of [other, none]) {
      const result = joinResult(refused);
      assert.equal(result?.contacted, 0);
      // The peer closes the stream unread: EOF, or a reset when our bytes were still unread.
      assert.match(result?.error ?? "", /EOF|ECONNRESET|reset/);
      assert.deepEqual((await refused.members()).map((m) => m.name), [refused.name]);
    }
    assert.match(go1.run.stdout, /"event":"label_drop","from":"127\.0\.0\.1:\d+","kind":"stream","label":"other"/);
    await sleep(1000);
    for (const go of [go1, go2]) {
      const names = (await go.members()).map((m) => m.name).sort();
      assert.deepEqual(names, ["go1", "go2", "ts-same"]);
    }
    await stopAll([same, other, none, go1, go2]);
  });
});
