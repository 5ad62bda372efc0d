// The cluster service's change notifier: triggers collapse while one is pending, readiness is
// updated before the rate limit, and notifications stop with the signal.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ChangeNotifier } from "../../../src/service/cluster/notifier.ts";
import { eventually, sleep } from "./helpers.ts";

describe("cluster change notifier", () => {
  it("turns a burst of triggers into one notification now and one after the interval", async () => {
    const calls: string[] = [];
    const notifier = new ChangeNotifier({ beforeWait: () => calls.push("ready"), notify: () => calls.push("notify") }, 200);
    const abort = new AbortController();
    const running = notifier.run(abort.signal);
    notifier.trigger();
    await eventually("the first notification", () => calls.includes("notify"), 2000, 5);
    for (let i = 0; i < 100; i++) notifier.trigger();
    // The burst is pending behind the limiter: readiness is updated at once, the notification waits.
    await eventually("readiness updated for the burst", () => calls.length === 3, 2000, 5);
    assert.deepEqual(calls, ["ready", "notify", "ready"]);
    await eventually("the burst's notification", () => calls.length === 4, 2000, 5);
    await sleep(300);
    assert.deepEqual(calls, ["ready", "notify", "ready", "notify"]);
    abort.abort();
    await running;
  });

  it("drops a notification still waiting for the limiter when stopped", async () => {
    let notified = 0;
    const notifier = new ChangeNotifier({ beforeWait: () => {}, notify: () => notified++ }, 60_000);
    const abort = new AbortController();
    const running = notifier.run(abort.signal);
    notifier.trigger();
    await eventually("the first notification", () => notified === 1, 2000, 5);
    notifier.trigger();
    await sleep(20);
    abort.abort();
    await running;
    assert.equal(notified, 1);
  });
});
