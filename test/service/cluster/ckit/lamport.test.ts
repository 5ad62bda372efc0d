import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LamportClock } from "../../../../src/service/cluster/ckit/lamport.ts";

describe("LamportClock", () => {
  it("ticks, and observing moves it past what it saw (ckit's internal/lamport)", () => {
    const c = new LamportClock();
    assert.equal(c.now(), 0n);
    assert.equal(c.tick(), 1n);
    assert.equal(c.tick(), 2n);
    c.observe(1n);
    assert.equal(c.now(), 2n, "an older time changes nothing");
    c.observe(2n);
    assert.equal(c.now(), 3n, "an equal time moves one past it");
    c.observe(10n);
    assert.equal(c.now(), 11n);
    assert.equal(c.tick(), 12n);
  });

  it("wraps at 2^64 as Go's uint64 does", () => {
    const c = new LamportClock();
    c.observe((1n << 64n) - 2n);
    assert.equal(c.now(), (1n << 64n) - 1n);
    assert.equal(c.tick(), 0n);
  });
});
