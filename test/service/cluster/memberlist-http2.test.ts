// The same scenarios between alloy-ts nodes over ckit's HTTP/2 transport: gossip on each node's
// one HTTP port (h2c with prior knowledge), nodes in child processes under the runtime running this
// test, memberlist's fast test timings (probe 200ms, probe timeout 100ms, gossip 50ms, push/pull 2s).
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { eventually, joinResult, sleep, startTsNode, stopAll, waitForState, type GossipProcess, type Member } from "./helpers.ts";

const SUSPICION_MIN_MS = 800;

async function trio(label?: string, extra: string[] = []): Promise<GossipProcess[]> {
  const opts = { transport: "http2" as const, ...(label ? { label } : {}), extra };
  const n1 = await startTsNode({ name: "h1", meta: "meta-h1", ...opts });
  const started: GossipProcess[] = [n1];
  try {
    started.push(await startTsNode({ name: "h2", meta: "meta-h2", join: [n1.gossip], ...opts }));
    started.push(await startTsNode({ name: "h3", meta: "meta-h3", join: [n1.gossip], ...opts }));
    for (const observer of started) {
      for (const other of started) await waitForState(observer, other.name, ["alive"], 5000);
    }
    return started;
  } catch (error) {
    await stopAll(started);
    throw error;
  }
}

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

describe("memberlist over ckit's HTTP/2 transport between alloy-ts nodes", () => {
  const processes: GossipProcess[] = [];
  after(() => stopAll(processes));

  it("three nodes join through one: every node sees every other alive, with its metadata", async () => {
    const nodes = await trio();
    processes.push(...nodes);
    for (const n of nodes.slice(1)) assert.equal(joinResult(n)?.contacted, 1);
    await sleep(1000);
    for (const observer of nodes) {
      const view = await eventually(
        `${observer.name} to list everyone alive`,
        async () => {
          const v = (await observer.members()).map((m) => `${m.name}=${m.state}:${m.meta}`).sort();
          return v.every((x) => x.includes("=alive:")) ? v : undefined;
        },
        3000,
      );
      assert.deepEqual(view, ["h1=alive:meta-h1", "h2=alive:meta-h2", "h3=alive:meta-h3"], observer.name);
    }
    assert.ok(nodes.every((n) => !n.run.stdout.includes('"event":"leave"')), "nobody was declared dead");
    // The transport answers only HTTP/2 with ckit's content type.
    const h1 = nodes[0]!;
    const http1 = await fetch(`${h1.control}/api/v1/ckit/transport/message`, { method: "POST", body: "x" });
    assert.equal(http1.status, 505);
    await stopAll(nodes);
  });

  it("SIGKILL of a node: the others mark it suspect, then dead", async () => {
    const nodes = await trio();
    processes.push(...nodes);
    const [h1, h2, h3] = nodes as [GossipProcess, GossipProcess, GossipProcess];
    const killedAt = Date.now();
    h3.run.kill("SIGKILL");
    const seen = await Promise.all([watchUntil(h1, "h3", "dead", 6000), watchUntil(h2, "h3", "dead", 6000)]);
    for (const s of seen) {
      assert.deepEqual(s.map((x) => x.state), ["alive", "suspect", "dead"], JSON.stringify(s));
      const suspectAt = s[1]!.at - killedAt;
      const deadAfter = s[2]!.at - s[1]!.at;
      assert.ok(suspectAt < 4000, `suspected after ${suspectAt}ms`);
      assert.ok(deadAfter >= SUSPICION_MIN_MS - 300 && deadAfter < SUSPICION_MIN_MS + 2500, `dead ${deadAfter}ms after suspect`);
    }
    for (const observer of [h1, h2]) await waitForState(observer, observer === h1 ? "h2" : "h1", ["alive"], 3000);
    await stopAll(nodes);
  });

  it("SIGSTOP past the probe timeout, then SIGCONT: the node refutes with a higher incarnation", async () => {
    const nodes = await trio(undefined, ["--suspicion-mult=15"]);
    processes.push(...nodes);
    const [h1, h2, h3] = nodes as [GossipProcess, GossipProcess, GossipProcess];
    const before = (await h1.member("h3"))!;
    h3.run.kill("SIGSTOP");
    const suspected = await eventually(
      "a node to suspect the stopped one",
      async () => {
        for (const n of [h1, h2]) {
          const m = await n.member("h3");
          if (m?.state === "suspect") return m;
        }
        return undefined;
      },
      3000,
      20,
    );
    assert.ok(suspected.incarnation >= before.incarnation);
    h3.run.kill("SIGCONT");
    for (const n of [h1, h2]) {
      const m = await waitForState(n, "h3", ["alive"], 3000, (x) => x.incarnation > suspected.incarnation);
      assert.ok(m.incarnation > suspected.incarnation);
    }
    const self = (await h3.member("h3"))!;
    assert.equal(self.state, "alive");
    assert.ok(self.incarnation > suspected.incarnation);
    await sleep(1000);
    for (const n of [h1, h2]) assert.equal((await n.member("h3"))?.state, "alive");
    assert.ok(!/"event":"leave","name":"h3"/.test(h1.run.stdout + h2.run.stdout), "no node saw it leave or die");
    await stopAll(nodes);
  });

  it("graceful leave shows as left on the others", async () => {
    const nodes = await trio();
    processes.push(...nodes);
    const [h1, h2, h3] = nodes as [GossipProcess, GossipProcess, GossipProcess];
    h3.run.kill("SIGTERM");
    const done = await h3.run.completion(10_000);
    assert.equal(done.code, 0, `exit ${done.code ?? done.signal}:\n${done.stdout}${done.stderr}`);
    assert.match(done.stdout, /"event":"left"/);
    assert.doesNotMatch(done.stdout, /timeout waiting for leave broadcast/);
    for (const n of [h1, h2]) {
      const m = await waitForState(n, "h3", ["left", "dead"], 3000);
      assert.equal(m.state, "left", `${n.name}: ${JSON.stringify(await n.members())}\n${done.stdout}`);
    }
    await stopAll(nodes);
  });

  it("labels: the same label joins, a different label or none does not", async () => {
    const nodes = await trio("alloy");
    processes.push(...nodes);
    const [h1, h2] = nodes as [GossipProcess, GossipProcess];
    const other = await startTsNode({ name: "h-other", transport: "http2", label: "other", join: [h1.gossip] });
    const none = await startTsNode({ name: "h-none", transport: "http2", join: [h1.gossip] });
    processes.push(other, none);
    for (const refused of [other, none]) {
      const result = joinResult(refused);
      assert.equal(result?.contacted, 0);
      // The peer closes the stream unread: EOF, or a reset when our bytes were still unread.
      assert.match(result?.error ?? "", /EOF|ECONNRESET|reset/);
      assert.deepEqual((await refused.members()).map((m) => m.name), [refused.name]);
    }
    await sleep(1000);
    for (const n of [h1, h2]) {
      assert.deepEqual((await n.members()).map((m) => m.name).sort(), ["h1", "h2", "h3"]);
    }
    await stopAll([...nodes, other, none]);
  });
});
