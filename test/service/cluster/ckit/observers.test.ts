// The observer queue: gossip never waits for observers, observers see only the newest list and
// only when it differs from the last one they were given.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ObserverQueue } from "../../../../src/service/cluster/ckit/observers.ts";
import { StateParticipant, StateViewer, type Peer } from "../../../../src/service/cluster/ckit/peer.ts";
import { silentLogger } from "../../../../src/service/cluster/memberlist/config.ts";

const p = (name: string, state = StateViewer): Peer => ({ name, addr: `127.0.0.1:${name.length}`, self: false, state });
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function queue() {
  const stats = { observers: 0, rounds: 0, updating: 0 };
  const q = new ObserverQueue(silentLogger, {
    observers: (n) => (stats.observers = n),
    updating: (active) => (stats.updating = active ? 1 : 0),
    duration: () => stats.rounds++,
  });
  return { q, stats };
}

describe("ObserverQueue", () => {
  it("holds lists until started, then delivers only the newest", async () => {
    const { q, stats } = queue();
    const seen: string[][] = [];
    q.add((peers) => void seen.push(peers.map((x) => x.name)));
    assert.equal(stats.observers, 1);
    q.enqueue([p("a")]);
    q.enqueue([p("a"), p("b")]);
    await settle();
    assert.deepEqual(seen, [], "nothing before start");
    q.start();
    await settle();
    assert.deepEqual(seen, [["a", "b"]]);
    assert.equal(stats.rounds, 1);
    assert.equal(stats.updating, 0);
  });

  it("skips a list equal to the last one delivered, and sees a state change as a change", async () => {
    const { q } = queue();
    const seen: string[] = [];
    q.add((peers) => void seen.push(peers.map((x) => `${x.name}:${x.state}`).join(",")));
    q.start();
    q.enqueue([p("a")]);
    await settle();
    q.enqueue([p("a")]);
    await settle();
    q.enqueue([p("a", StateParticipant)]);
    await settle();
    q.enqueue([p("a", StateParticipant)]);
    await settle();
    assert.deepEqual(seen, ["a:0", "a:1"]);
  });

  it("lets a slow observer skip intermediate lists, and never makes the producer wait", async () => {
    const { q } = queue();
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    q.add(async (peers) => {
      seen.push(peers.map((x) => x.name).join(","));
      if (seen.length === 1) await gate;
    });
    q.start();
    q.enqueue([p("a")]);
    await settle();
    // The first round is stuck in the observer; these return at once and replace each other.
    for (const names of [["a", "b"], ["a", "b", "c"], ["a", "b", "c", "d"]]) q.enqueue(names.map((n) => p(n)));
    assert.deepEqual(seen, ["a"]);
    release();
    await settle();
    await settle();
    assert.deepEqual(seen, ["a", "a,b,c,d"]);
  });

  it("unregisters by the returned function or by an observer returning false; a failing observer does not stop others", async () => {
    const { q, stats } = queue();
    const calls = { once: 0, removed: 0, after: 0 };
    q.add(() => {
      calls.once++;
      return false;
    });
    const remove = q.add(() => void calls.removed++);
    q.add(() => {
      throw new Error("boom");
    });
    q.add(() => void calls.after++);
    assert.equal(stats.observers, 4);
    q.start();
    q.enqueue([p("a")]);
    await settle();
    assert.equal(stats.observers, 3, "the one that returned false is gone");
    remove();
    remove();
    assert.equal(stats.observers, 2);
    q.enqueue([p("b")]);
    await settle();
    assert.deepEqual(calls, { once: 1, removed: 1, after: 2 });
    q.close();
    q.enqueue([p("c")]);
    await settle();
    assert.equal(calls.after, 2, "nothing after close");
  });
});
