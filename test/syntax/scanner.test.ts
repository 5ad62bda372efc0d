import { describe, it } from "node:test";
import assert from "node:assert/strict";

import { ScanMode, Scanner } from "../../src/syntax/scanner.ts";
import { isValidIdentifier, sanitizeIdentifier } from "../../src/syntax/identifier.ts";
import { type Pos, SourceFile, Token, tokenString } from "../../src/syntax/token.ts";
import { bytesToHex, hexToBytes, readJSON } from "./conformance.ts";

interface ExpectToken {
  token: string;
  token_string: string;
  literal: string;
  offset?: number;
  line?: number;
  column?: number;
}

interface ScannerRow {
  name: string;
  mode: string[];
  filename?: string;
  input: string | null;
  input_hex?: string;
  expect_tokens?: ExpectToken[];
  expect_first_token?: ExpectToken;
  expect_error_count?: number;
  expect_token?: string;
  expect_token_string?: string;
  expect_literal?: string | null;
  expect_literal_hex?: string;
  literal_checked?: boolean;
  expect_error?: string;
  expect_error_offset?: number;
}

// Go constant name of each token kind, e.g. Token.ADD -> "ADD".
const tokenConstName = new Map<number, string>(Object.entries(Token).map(([k, v]) => [v, k]));

function modeOf(names: string[]): number {
  let m = 0;
  for (const n of names) {
    if (n === "IncludeComments") m |= ScanMode.IncludeComments;
    else if (n === "dontInsertTerms") m |= ScanMode.DontInsertTerms;
    else throw new Error(`unknown mode ${n}`);
  }
  return m;
}

const rows = readJSON<ScannerRow[]>("syntax/tables/scanner_test.json");

describe("scanner: scanner_test.json", () => {
  for (const row of rows) {
    it(row.name, () => {
      const input = row.input_hex !== undefined ? hexToBytes(row.input_hex) : new TextEncoder().encode(row.input!);
      const file = new SourceFile(row.filename ?? "");
      const errors: { pos: Pos; msg: string }[] = [];
      const s = new Scanner(file, input, (pos, msg) => errors.push({ pos, msg }), modeOf(row.mode));

      if (row.expect_tokens) {
        for (const exp of row.expect_tokens) {
          const tok = s.scan();
          assert.equal(tokenConstName.get(tok), exp.token);
          assert.equal(tokenString(tok), exp.token_string);
          assert.equal(s.lit, exp.literal);
          const p = file.positionFor(s.offset);
          assert.deepEqual(
            { offset: p.offset, line: p.line, column: p.column },
            { offset: exp.offset, line: exp.line, column: exp.column },
            `position of ${exp.token} ${JSON.stringify(exp.literal)}`,
          );
        }
        assert.equal(errors.length, row.expect_error_count ?? 0);
        return;
      }

      if (row.expect_first_token) {
        const exp = row.expect_first_token;
        const tok = s.scan();
        assert.equal(tokenConstName.get(tok), exp.token);
        assert.equal(tokenString(tok), exp.token_string);
        assert.equal(s.lit, exp.literal);
        assert.equal(errors.length, 0);
        return;
      }

      // Error rows: only the first token is checked.
      const tok = s.scan();
      assert.equal(tokenConstName.get(tok), row.expect_token);
      assert.equal(tokenString(tok), row.expect_token_string);
      if (row.literal_checked) {
        // Compare raw bytes: one literal holds invalid UTF-8.
        const litBytes = s.lit === "" ? new Uint8Array(0) : input.subarray(s.offset, s.end);
        assert.equal(bytesToHex(litBytes), row.expect_literal_hex);
        if (row.expect_literal !== null && row.expect_literal !== undefined) assert.equal(s.lit, row.expect_literal);
      }
      assert.equal(errors.length, row.expect_error_count);
      assert.equal(s.errorCount, row.expect_error_count);
      const last = errors[errors.length - 1];
      assert.equal(last?.msg ?? "", row.expect_error);
      assert.equal(last?.pos.offset ?? 0, row.expect_error_offset);
    });
  }
});

interface IdentRow {
  name: string;
  function: "IsValidIdentifier" | "SanitizeIdentifier";
  input: string;
  expect?: { type: string; value: unknown };
  expect_error?: string;
}

describe("scanner: identifier_test.json", () => {
  for (const row of readJSON<IdentRow[]>("syntax/tables/identifier_test.json")) {
    it(`${row.function}/${row.name}`, () => {
      if (row.function === "IsValidIdentifier") {
        assert.equal(isValidIdentifier(row.input), row.expect!.value);
      } else if (row.expect_error !== undefined) {
        assert.throws(() => sanitizeIdentifier(row.input), { message: row.expect_error });
      } else {
        const out = sanitizeIdentifier(row.input);
        assert.equal(out, row.expect!.value);
        assert.ok(isValidIdentifier(out));
      }
    });
  }
});

// Behaviour not covered by the tables, checked against Alloy's scanner rules.
function scanAll(src: string, mode = 0): { toks: string[]; errors: string[] } {
  const errors: string[] = [];
  const s = new Scanner(new SourceFile("t"), src, (p, m) => errors.push(`${p}: ${m}`), mode);
  const toks: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const t = s.scan();
    toks.push(t === Token.TERMINATOR ? "TERM" : s.lit !== "" ? `${tokenString(t)}(${s.lit})` : tokenString(t));
    if (t === Token.EOF) break;
  }
  return { toks, errors };
}

describe("scanner: behaviour", () => {
  it("inserts terminators after identifiers, literals and closers at newline and EOF", () => {
    assert.deepEqual(scanAll("a = 1\nb = [x]\n}").toks, [
      "IDENT(a)", "=", "NUMBER(1)", "TERM", "IDENT(b)", "=", "[", "IDENT(x)", "]", "TERM", "}", "TERM", "EOF",
    ]);
    assert.deepEqual(scanAll("a +\nb").toks, ["IDENT(a)", "+", "IDENT(b)", "TERM", "EOF"]);
  });

  it("puts the terminator before a comment that runs to the end of the line", () => {
    const r = scanAll("a // c\nb /* x */ c\nd /* x */\n", ScanMode.IncludeComments);
    assert.deepEqual(r.toks, [
      "IDENT(a)", "TERM", "COMMENT(// c)", "IDENT(b)", "COMMENT(/* x */)", "IDENT(c)", "TERM",
      "IDENT(d)", "TERM", "COMMENT(/* x */)", "EOF",
    ]);
  });

  it("treats a multi-line block comment as a line end", () => {
    assert.deepEqual(scanAll("a /* x\n y */ b").toks, ["IDENT(a)", "TERM", "IDENT(b)", "TERM", "EOF"]);
  });

  it("scans numbers like Alloy", () => {
    assert.deepEqual(scanAll("0x1").toks, ["NUMBER(0)", "IDENT(x1)", "TERM", "EOF"]);
    assert.deepEqual(scanAll("1.5e3 .5 3.").toks, ["FLOAT(1.5e3)", "FLOAT(.5)", "FLOAT(3.)", "TERM", "EOF"]);
    assert.deepEqual(scanAll("1e+").errors, ["t:1:1: exponent has no digits"]);
  });

  it("validates string escapes", () => {
    assert.deepEqual(scanAll(String.raw`"\a\b\f\n\r\t\v\\\"\101\x41\u0041\U00000041"`).errors, []);
    assert.deepEqual(scanAll(String.raw`"\q"`).errors, ["t:1:3: unknown escape sequence"]);
    assert.deepEqual(scanAll(String.raw`"\'"`).errors, ["t:1:3: unknown escape sequence"]);
    assert.deepEqual(scanAll(String.raw`"\xZZ"`).errors, ["t:1:3: illegal character U+005A 'Z' in escape sequence"]);
    assert.deepEqual(scanAll(String.raw`"\400"`).errors, ["t:1:3: escape sequence is invalid Unicode code point"]);
    assert.deepEqual(scanAll(String.raw`"\uD800"`).errors, ["t:1:3: escape sequence is invalid Unicode code point"]);
    assert.deepEqual(scanAll(String.raw`"\U00110000"`).errors, [
      "t:1:3: escape sequence is invalid Unicode code point",
    ]);
    assert.deepEqual(scanAll('"\\').errors, ["t:1:3: escape sequence not terminated", "t:1:1: string literal not terminated"]);
    assert.deepEqual(scanAll('"\\x4').errors, ["t:1:3: escape sequence not terminated", "t:1:1: string literal not terminated"]);
  });

  it("scans raw strings across lines without escapes", () => {
    const r = scanAll("`a\\q\nb` x");
    assert.deepEqual(r.toks, ["STRING(`a\\q\nb`)", "IDENT(x)", "TERM", "EOF"]);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(scanAll("`abc").errors, ["t:1:1: string literal not terminated"]);
  });

  it("reports lone | and & but returns the operator", () => {
    const r = scanAll("a | b & c");
    assert.deepEqual(r.toks, ["IDENT(a)", "||", "IDENT(b)", "&&", "IDENT(c)", "TERM", "EOF"]);
    assert.deepEqual(r.errors, ["t:1:4: missing second | in ||", "t:1:8: missing second & in &&"]);
  });

  it("reports unterminated block comments", () => {
    assert.deepEqual(scanAll("/* abc", ScanMode.IncludeComments).errors, ["t:1:1: block comment not terminated"]);
  });

  it("keeps the terminator state across illegal characters", () => {
    assert.deepEqual(scanAll("a @\nb").toks, ["IDENT(a)", "ILLEGAL(@)", "TERM", "IDENT(b)", "TERM", "EOF"]);
  });

  it("skips a leading byte order mark and counts columns in bytes", () => {
    const file = new SourceFile("f");
    const s = new Scanner(file, "\ufeffé = 1", null, 0);
    assert.equal(s.scan(), Token.IDENT);
    assert.equal(s.offset, 3);
    assert.equal(s.scan(), Token.ASSIGN);
    assert.equal(file.positionFor(s.offset).column, 7); // 3-byte BOM + 2-byte é + space
  });
});
