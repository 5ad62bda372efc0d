// Durations: Go's time.ParseDuration and Duration.String, with cases from
// Go's own tests.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  formatDuration,
  Hour,
  Microsecond,
  Millisecond,
  Minute,
  Nanosecond,
  parseDuration,
  parseDurationBig,
  Second,
} from "../../src/syntax/schema/index.ts";

describe("parseDuration", () => {
  const valid: Array<[string, bigint]> = [
    ["0", 0n],
    ["5s", 5n * 1_000_000_000n],
    ["30s", 30n * 1_000_000_000n],
    ["1478s", 1478n * 1_000_000_000n],
    ["-5s", -5n * 1_000_000_000n],
    ["+5s", 5n * 1_000_000_000n],
    ["-0", 0n],
    ["+0", 0n],
    ["5.0s", 5_000_000_000n],
    ["5.6s", 5_600_000_000n],
    ["5.s", 5_000_000_000n],
    [".5s", 500_000_000n],
    ["1.0s", 1_000_000_000n],
    ["1.00s", 1_000_000_000n],
    ["1.004s", 1_004_000_000n],
    ["1.0040s", 1_004_000_000n],
    ["100.00100s", 100_001_000_000n],
    ["10ns", 10n],
    ["11us", 11_000n],
    ["12µs", 12_000n],
    ["12μs", 12_000n],
    ["13ms", 13_000_000n],
    ["14s", 14_000_000_000n],
    ["15m", 15n * 60_000_000_000n],
    ["16h", 16n * 3_600_000_000_000n],
    ["3h30m", 3n * 3_600_000_000_000n + 30n * 60_000_000_000n],
    ["10.5s4m", 4n * 60_000_000_000n + 10_500_000_000n],
    ["-2m3.4s", -(2n * 60_000_000_000n + 3_400_000_000n)],
    ["1h2m3s4ms5us6ns", 3_600_000_000_000n + 120_000_000_000n + 3_000_000_000n + 4_000_000n + 5_000n + 6n],
    ["39h9m14.425s", 39n * 3_600_000_000_000n + 9n * 60_000_000_000n + 14_425_000_000n],
    ["52763797000ns", 52_763_797_000n],
    ["0.3333333333333333333h", 20n * 60_000_000_000n],
    ["9007199254740993ns", 9007199254740993n],
    ["9223372036854775807ns", 9223372036854775807n],
    ["9223372036854775.807us", 9223372036854775807n],
    ["9223372036s854ms775us807ns", 9223372036854775807n],
    ["-9223372036854775808ns", -9223372036854775808n],
    ["-9223372036854775.808us", -9223372036854775808n],
    ["-9223372036s854ms775us808ns", -9223372036854775808n],
    ["-2562047h47m16.854775808s", -9223372036854775808n],
    ["0.100000000000000000000h", 6n * 60_000_000_000n],
    ["0.830103483285477580700h", 49n * 60_000_000_000n + 48n * 1_000_000_000n + 372_539_827n],
  ];
  for (const [text, want] of valid) {
    it(`parses ${JSON.stringify(text)}`, () => assert.equal(parseDurationBig(text), want));
  }

  const invalid: Array<[string, string]> = [
    ["", `time: invalid duration ""`],
    ["3", `time: missing unit in duration "3"`],
    ["-", `time: invalid duration "-"`],
    ["s", `time: invalid duration "s"`],
    [".", `time: invalid duration "."`],
    ["-.", `time: invalid duration "-."`],
    [".s", `time: invalid duration ".s"`],
    ["+.s", `time: invalid duration "+.s"`],
    ["1d", `time: unknown unit "d" in duration "1d"`],
    ["1 h", `time: unknown unit " h" in duration "1 h"`],
    ["9223372036854775808ns", `time: invalid duration "9223372036854775808ns"`],
    ["9223372036854775.808us", `time: invalid duration "9223372036854775.808us"`],
    ["9223372036s854ms775us808ns", `time: invalid duration "9223372036s854ms775us808ns"`],
    ["-9223372036854775809ns", `time: invalid duration "-9223372036854775809ns"`],
    ["1é", `time: unknown unit "\\xc3\\xa9" in duration "1\\xc3\\xa9"`],
  ];
  for (const [text, message] of invalid) {
    it(`rejects ${JSON.stringify(text)}`, () => assert.throws(() => parseDurationBig(text), { message }));
  }

  it("returns nanoseconds as a number", () => {
    assert.equal(parseDuration("1m30s"), 90 * Second);
    assert.equal(parseDuration("1.5h"), 90 * Minute);
    assert.equal(parseDuration("250ms"), 250 * Millisecond);
  });
});

describe("formatDuration", () => {
  const cases: Array<[string, bigint | number]> = [
    ["0s", 0],
    ["1ns", Nanosecond],
    ["1.1µs", 1100],
    ["2.2ms", 2_200_000],
    ["3.3s", 3_300_000_000],
    ["4m5s", 4 * Minute + 5 * Second],
    ["4m5.001s", 4 * Minute + 5001 * Millisecond],
    ["5h6m7.001s", 5 * Hour + 6 * Minute + 7001 * Millisecond],
    ["8m0.000000001s", 8 * Minute + 1],
    ["1h0m0s", Hour],
    ["1m30s", 90 * Second],
    ["-2m0s", -2 * Minute],
    ["500µs", 500 * Microsecond],
    ["2562047h47m16.854775807s", 9223372036854775807n],
    ["-2562047h47m16.854775808s", -9223372036854775808n],
  ];
  for (const [want, d] of cases) {
    it(`formats ${want}`, () => assert.equal(formatDuration(d), want));
  }

  it("round-trips through parsing", () => {
    for (const text of ["15s", "1m30s", "1h0m0s", "1.5µs", "250ms", "-3h2m1s"]) {
      assert.equal(formatDuration(parseDurationBig(text)), text);
    }
  });
});
