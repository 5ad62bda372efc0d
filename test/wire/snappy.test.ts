import { describe, it } from "node:test";
import assert from "node:assert/strict";
import SnappyJS from "snappyjs";
import { BlockBuffer, compress, decodedLength, decompress, SnappyError } from "../../src/wire/snappy/snappy.ts";
import { SNAPPY_WASM_BASE64, SNAPPY_WASM_SIZE } from "../../src/wire/snappy/wasm-bytes.ts";
import { generate } from "../../scripts/gen-snappy-wasm.ts";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

function sample(kind: "random" | "text" | "runs", n: number, seed: number): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(n);
  if (kind === "random") for (let i = 0; i < n; i++) out[i] = r() & 0xff;
  else if (kind === "runs") for (let i = 0; i < n; ) { const b = r() & 0xff; const len = (r() % 300) + 1; for (let j = 0; j < len && i < n; j++) out[i++] = b; }
  else {
    const words = ["http_requests_total", "{job=\"node\"", ",instance=\"10.0.0.1:9100\"}", " 1027 ", "\n", "le=\"0.5\"", "# HELP "];
    let i = 0;
    while (i < n) for (const c of new TextEncoder().encode(words[r() % words.length]!)) if (i < n) out[i++] = c;
  }
  return out;
}

const sizes = [0, 1, 2, 15, 16, 17, 63, 64, 65, 1000, 65535, 65536, 65537, 300_000];

describe("snappy (embedded wasm)", () => {
  it("round-trips empty, small, block-boundary and large inputs of every kind", () => {
    for (const kind of ["random", "text", "runs"] as const) {
      for (const n of sizes) {
        const input = sample(kind, n, n + 7);
        const c = compress(input);
        assert.equal(decodedLength(c), n);
        assert.deepEqual(decompress(c), input, `${kind} ${n}`);
      }
    }
  });

  it("is decoded by snappyjs, and decodes snappyjs's output", () => {
    for (const kind of ["random", "text", "runs"] as const) {
      for (const n of sizes) {
        const input = sample(kind, n, n * 31 + 1);
        const ours = compress(input);
        assert.deepEqual(new Uint8Array(SnappyJS.uncompress(ours)), input, `snappyjs decodes ours: ${kind} ${n}`);
        const theirs = new Uint8Array(SnappyJS.compress(input));
        assert.deepEqual(decompress(theirs), input, `we decode snappyjs: ${kind} ${n}`);
      }
    }
  });

  it("compresses into a reusable buffer, growing it when a block does not fit", () => {
    const into = new BlockBuffer();
    const inputs = [new Uint8Array(0), new TextEncoder().encode("small"), Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7919) & 0xff), new TextEncoder().encode("small again")];
    let previous: Uint8Array | undefined;
    for (const input of inputs) {
      const block = compress(input, into);
      assert.deepEqual(block, compress(input), "the same block as a fresh one");
      assert.deepEqual(decompress(block), input);
      if (previous && block.length <= previous.buffer.byteLength) assert.equal(block.buffer, previous.buffer, "reused");
      previous = block;
    }
  });

  it("compresses repetitive data", () => {
    const input = sample("text", 100_000, 3);
    assert.ok(compress(input).length < input.length / 3);
  });

  it("rejects corrupt blocks with an error, never a crash", () => {
    const good = compress(sample("text", 5000, 9));
    assert.throws(() => decompress(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])), SnappyError);
    assert.throws(() => decompress(good.subarray(0, good.length - 3)), SnappyError);
    const r = rng(42);
    for (let i = 0; i < 300; i++) {
      const bad = good.slice();
      for (let k = 0; k < 4; k++) bad[r() % bad.length] = r() & 0xff;
      try {
        decompress(bad);
      } catch (e) {
        assert.ok(e instanceof SnappyError, String(e));
      }
    }
    // Still usable after errors.
    assert.deepEqual(decompress(compress(new Uint8Array([1, 2, 3]))), new Uint8Array([1, 2, 3]));
  });

  it("enforces a maximum decoded length from the header", () => {
    const c = compress(new Uint8Array(10_000));
    assert.throws(() => decompress(c, 9_999), /exceeds the limit/);
    assert.equal(decompress(c, 10_000).length, 10_000);
    assert.equal(decodedLength(new Uint8Array([0x80])), -1);
  });

  it("embeds exactly the installed snappy-wasm module", () => {
    const root = fileURLToPath(new URL("../../", import.meta.url));
    assert.equal(atob(SNAPPY_WASM_BASE64).length, SNAPPY_WASM_SIZE);
    assert.equal(readFileSync(`${root}src/wire/snappy/wasm-bytes.ts`, "utf8"), generate(), "re-run scripts/gen-snappy-wasm.ts");
  });
});
