import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ProtoWriter } from "../../src/wire/protobuf/writer.ts";

describe("ProtoWriter.varint", () => {
  /** Reference: the 64-bit two's complement of n, 7 bits at a time. */
  function reference(n: number): number[] {
    let x = BigInt.asUintN(64, BigInt(n));
    const out: number[] = [];
    while (x >= 0x80n) {
      out.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    out.push(Number(x));
    return out;
  }

  it("writes small, large and negative integers as Go's protobuf does", () => {
    const values = [0, 1, 127, 128, 300, 2 ** 28 - 1, 2 ** 28, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 5, 1_700_000_000_123,
      2 ** 53 - 1, 2 ** 63, 2 ** 64 - 2048, -1, -2, -(2 ** 31), -(2 ** 32) - 7, -1_700_000_000_123, -(2 ** 53 - 1), -(2 ** 63)];
    for (const n of values) {
      const w = new ProtoWriter(1);
      w.varint(n);
      assert.deepEqual([...w.bytes()], reference(n), String(n));
    }
  });

  it("writes the integer part of a fraction", () => {
    for (const [n, whole] of [[-0.46, 0], [0.5, 0], [-5.5, -5], [1_795_633_940_707.4626, 1_795_633_940_707], [-(2 ** 40) - 0.25, -(2 ** 40)]]) {
      const w = new ProtoWriter(1);
      w.varint(n!);
      assert.deepEqual([...w.bytes()], reference(whole!), String(n));
    }
  });
});
