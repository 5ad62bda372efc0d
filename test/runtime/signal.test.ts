import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { deadline } from "../../src/runtime/signal.ts";

const aborted = (signal: AbortSignal) => new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));

describe("deadline", () => {
  it("aborts with a TimeoutError once the time is up", async () => {
    const d = deadline(20);
    assert.equal(d.signal.aborted, false);
    await aborted(d.signal);
    assert.equal(d.timedOut(), true);
    assert.equal((d.signal.reason as DOMException).name, "TimeoutError");
    d.dispose();
  });

  it("aborts with the parent, with its reason, and does not count that as a timeout", async () => {
    const parent = new AbortController();
    const d = deadline(60_000, parent.signal);
    parent.abort(new Error("stopping"));
    assert.equal(d.signal.aborted, true);
    assert.equal((d.signal.reason as Error).message, "stopping");
    assert.equal(d.timedOut(), false);
    d.dispose();

    const before = deadline(60_000, parent.signal);
    assert.equal(before.signal.aborted, true, "a parent aborted already");
    before.dispose();
  });

  it("does nothing more once disposed", async () => {
    const parent = new AbortController();
    const d = deadline(10, parent.signal);
    d.dispose();
    parent.abort();
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(d.signal.aborted, false);
    assert.equal(d.timedOut(), false);
  });
});
