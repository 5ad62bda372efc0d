import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { StringsByBytes } from "../../src/wire/exposition/strings.ts";

const enc = new TextEncoder();
let decodes = 0;
const decode = (b: Uint8Array, s: number, e: number) => (decodes++, new TextDecoder().decode(b.subarray(s, e)).toUpperCase());

describe("StringsByBytes", () => {
  it("decodes each byte string once while it keeps coming, wherever it sits", () => {
    const c = new StringsByBytes();
    decodes = 0;
    for (let body = 0; body < 5; body++) {
      c.nextBody();
      const text = enc.encode(`${" ".repeat(body)}help_a help_b help_a`);
      assert.equal(c.get(text, body, body + 6, decode), "HELP_A");
      assert.equal(c.get(text, body + 7, body + 13, decode), "HELP_B");
      assert.equal(c.get(text, body + 14, body + 20, decode), "HELP_A");
    }
    assert.equal(decodes, 2);
  });

  it("stays bounded when the strings change every body, and still answers right", () => {
    const c = new StringsByBytes();
    for (let body = 0; body < 200; body++) {
      c.nextBody();
      for (let k = 0; k < 50; k++) {
        const text = enc.encode(`family_${k} text ${body}`);
        assert.equal(c.get(text, 0, text.length, decode), `FAMILY_${k} TEXT ${body}`);
        const name = enc.encode(`family_${k}`);
        assert.equal(c.get(name, 0, name.length, decode), `FAMILY_${k}`);
      }
    }
    assert.ok(c.size <= 2 * 100 + 64 + 100, `size ${c.size}`);
  });
});
