import { describe, it } from "node:test";
import assert from "node:assert/strict";

import { formatRuneU, isPrint, quote, quoteBytes } from "../../src/syntax/quote.ts";

// Expected values are what Go's strconv.Quote / fmt "%#U" produce.
describe("quote: Go %q", () => {
  it("leaves printable text alone", () => {
    assert.equal(quote("hello, world"), '"hello, world"');
    assert.equal(quote("é😀"), '"é😀"');
    assert.equal(quote(""), '""');
  });

  it("escapes quotes, backslashes and control characters", () => {
    assert.equal(quote('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(quote("\x07\b\f\n\r\t\v"), '"\\a\\b\\f\\n\\r\\t\\v"');
    assert.equal(quote("\x00\x1f\x7f"), '"\\x00\\x1f\\x7f"');
  });

  it("escapes non-printable Unicode with \\u or \\U", () => {
    assert.equal(quote("\u00a0"), '"\\u00a0"'); // no-break space is not printable in Go
    assert.equal(quote("\u200b"), '"\\u200b"');
    assert.equal(quote("\u{e0001}"), '"\\U000e0001"');
  });

  it("renders invalid UTF-8 bytes as \\x escapes", () => {
    assert.equal(quoteBytes(new Uint8Array([0x61, 0x80, 0x62])), '"a\\x80b"');
    assert.equal(quoteBytes(new Uint8Array([0xe2, 0x82])), '"\\xe2\\x82"');
  });

  it("formats runes like %#U", () => {
    assert.equal(formatRuneU(0x41), "U+0041 'A'");
    assert.equal(formatRuneU(0x07), "U+0007");
    assert.equal(formatRuneU(0x2026), "U+2026 '…'");
    assert.equal(formatRuneU(0x1f600), "U+1F600 '😀'");
    assert.equal(isPrint(0x20), true);
    assert.equal(isPrint(0x3000), false); // ideographic space
  });
});
