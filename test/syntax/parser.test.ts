import { describe, it } from "node:test";
import assert from "node:assert/strict";

import {
  parseExpression,
  parseExpressionWithDiagnostics,
  parseFile,
  parseFileWithDiagnostics,
} from "../../src/syntax/parser.ts";
import type { BinaryExpr, BlockStmt, Expr, ObjectExpr } from "../../src/syntax/ast.ts";
import { endPos, startPos } from "../../src/syntax/ast.ts";
import { Diagnostics } from "../../src/syntax/diag.ts";
import { ScanMode, Scanner } from "../../src/syntax/scanner.ts";
import { isLiteral, positionString, SourceFile, Token, tokenString } from "../../src/syntax/token.ts";
import { listFiles, readBytes, readJSON, readText } from "./conformance.ts";
import { decodeFuzzCorpus } from "./goquote.ts";

const testdata = "syntax/parser/testdata/";

interface ParserRow {
  name: string;
  kind: "expression" | "file";
  input: string;
  expect: string;
}

describe("parser: parser_test.json", () => {
  for (const row of readJSON<ParserRow[]>("syntax/tables/parser_test.json")) {
    it(row.name, () => {
      assert.equal(row.expect, "parses_without_diagnostics");
      const r = row.kind === "file"
        ? parseFileWithDiagnostics("", row.input)
        : parseExpressionWithDiagnostics(row.input);
      assert.deepEqual(r.diagnostics.map((d) => d.message), []);
    });
  }
});

// The ERROR-marker harness: a comment `/* ERROR "rx" */` expects an error at
// the start of the previous token, `/* ERROR HERE "rx" */` just after it.
const errRx = /^\/\* *ERROR *(HERE)? *"([^"]*)" *\*\/$/;

function expectedErrors(src: Uint8Array): Map<number, string> {
  const errors = new Map<number, string>();
  const s = new Scanner(new SourceFile(""), src, null, ScanMode.IncludeComments);
  let prev = 0;
  let here = 0;
  for (;;) {
    const tok = s.scan();
    if (tok === Token.EOF) return errors;
    if (tok === Token.COMMENT) {
      const m = errRx.exec(s.lit);
      if (m) errors.set(m[1] === "HERE" ? here : prev, m[2]!);
      continue;
    }
    // Terminators carry "\n" as literal and never count as the previous token.
    if (tok === Token.TERMINATOR && s.lit === "\n") continue;
    prev = s.offset;
    // Literal length in bytes for literals, the printed token otherwise.
    const len = isLiteral(tok) ? s.end - s.offset : new TextEncoder().encode(tokenString(tok)).length;
    here = prev + len;
  }
}

describe("parser: error files", () => {
  for (const name of listFiles(testdata).filter((n) => n.endsWith(".alloy"))) {
    it(name, () => {
      const src = readBytes(testdata + name);
      const { diagnostics } = parseFileWithDiagnostics(name, src);
      const expected = expectedErrors(src);
      assert.ok(expected.size > 0, "test file has ERROR markers");
      for (const d of diagnostics) {
        const rx = expected.get(d.startPos.offset);
        assert.ok(rx !== undefined, `unexpected error: ${positionString(d.startPos)}: ${d.message}`);
        assert.match(d.message, new RegExp(rx), `${positionString(d.startPos)}: ${d.message}`);
        expected.delete(d.startPos.offset);
      }
      assert.deepEqual([...expected.entries()], [], "errors not reported");
    });
  }
});

describe("parser: valid files", () => {
  for (const name of listFiles(testdata + "valid/")) {
    it(name, () => {
      const r = parseFileWithDiagnostics(name, readBytes(testdata + "valid/" + name));
      assert.deepEqual(r.diagnostics, []);
    });
  }
});

describe("parser: fuzz corpus", () => {
  for (const name of listFiles(testdata + "fuzz/FuzzParser/")) {
    it(name, () => {
      const src = decodeFuzzCorpus(readText(testdata + "fuzz/FuzzParser/" + name));
      // Must terminate without throwing anything but Diagnostics.
      try {
        parseFile("fuzz", src);
      } catch (e) {
        assert.ok(e instanceof Diagnostics, String(e));
      }
    });
  }
});

function messages(src: string): string[] {
  return parseFileWithDiagnostics("t", src).diagnostics.map((d) => `${positionString(d.startPos)}: ${d.message}`);
}

describe("parser: AST", () => {
  it("applies Alloy's precedence and associativity", () => {
    const show = (e: Expr): string => {
      switch (e.type) {
        case "BinaryExpr":
          return `(${show(e.left)} ${tokenString(e.kind)} ${show(e.right)})`;
        case "UnaryExpr":
          return `(${tokenString(e.kind)}${show(e.value)})`;
        case "LiteralExpr":
          return e.value;
        case "IdentifierExpr":
          return e.ident.name;
        default:
          return e.type;
      }
    };
    assert.equal(show(parseExpression("1 + 2 * 3 - 4")), "((1 + (2 * 3)) - 4)");
    assert.equal(show(parseExpression("2 ^ 3 ^ 2")), "(2 ^ (3 ^ 2))");
    assert.equal(show(parseExpression("a || b && c == d + e * f ^ g")), "(a || (b && (c == (d + (e * (f ^ g))))))");
    assert.equal(show(parseExpression("-a ^ 2")), "((-a) ^ 2)");
    assert.equal(show(parseExpression("!a == b")), "((!a) == b)");
    assert.equal(show(parseExpression("1 < 2 == true")), "((1 < 2) == true)");
  });

  it("records positions, with inclusive end positions", () => {
    const f = parseFile("f.alloy", 'a.b "lbl" {\n  x = foo.bar[0]("é")\n}\n');
    const block = f.body[0] as BlockStmt;
    assert.deepEqual(block.name, ["a", "b"]);
    assert.equal(block.label, "lbl");
    assert.equal(block.labelPos.toString(), "f.alloy:1:5");
    assert.equal(block.rCurlyPos.toString(), "f.alloy:3:1");
    const attr = block.body[0]!;
    assert.equal(attr.type, "AttributeStmt");
    if (attr.type !== "AttributeStmt") return;
    assert.equal(startPos(attr).toString(), "f.alloy:2:3");
    assert.equal(attr.value.type, "CallExpr");
    assert.equal(startPos(attr.value).toString(), "f.alloy:2:7");
    assert.equal(endPos(attr.value).toString(), "f.alloy:2:22"); // ")" after the 2-byte é
  });

  it("keeps quoted object keys unescaped, and `\"\"` keys as written", () => {
    const o = parseExpression('{ "a\\tb" = 1, "" = 2, c = 3 }') as ObjectExpr;
    assert.deepEqual(o.fields.map((f) => [f.name.name, f.quoted]), [["a\\tb", true], ['""', false], ["c", false]]);
  });

  it("collects comments in groups of adjacent lines", () => {
    const f = parseFile("f", "// a\n// b\n\n/* c\n*/\n// d\nx = 1 // e\n");
    assert.deepEqual(f.comments.map((g) => g.map((c) => c.text)), [["// a", "// b"], ["/* c\n*/", "// d"], ["// e"]]);
  });

  it("throws Diagnostics listing every error", () => {
    try {
      parseFile("t", "a = )\nb = )\n");
      assert.fail("expected an error");
    } catch (e) {
      assert.ok(e instanceof Diagnostics);
      assert.equal(e.diagnostics.length, 2);
      assert.equal(e.message, "t:1:5: expected expression, got ) (and 1 more diagnostics)");
    }
  });

  it("rejects input after a single expression", () => {
    assert.throws(() => parseExpression("1 2"), { message: "1:3: expected TERMINATOR, got NUMBER" });
  });
});

describe("parser: messages", () => {
  it("reports block and attribute name errors", () => {
    assert.deepEqual(messages("a.b = 1"), ['t:1:1: attribute names may only consist of a single identifier with no "."']);
    assert.deepEqual(messages('a "x" = 1'), ["t:1:3: attribute names may not have labels"]);
    assert.deepEqual(messages("a `x` {}"), ['t:1:3: expected block label to be a double quoted string, but got "`x`"']);
    assert.deepEqual(messages('a "x y" {}'), ['t:1:3: expected block label to be a valid identifier, but got "x y"']);
    assert.deepEqual(messages("a b {}"), ["t:1:3: expected block label, got IDENT"]);
    assert.deepEqual(messages("a"), ["t:1:2: expected block label, got TERMINATOR"]);
    assert.deepEqual(messages("a ="), ["t:1:4: expected expression, got EOF"]);
    assert.deepEqual(messages("a )"), ["t:1:3: expected block label, got )"]);
    assert.deepEqual(messages('a "x"'), ["t:1:6: expected block body, got TERMINATOR"]);
    assert.deepEqual(messages("a. = 1"), ["t:1:4: expected identifier, got ="]);
    assert.deepEqual(messages("1 = 1"), ["t:1:1: expected identifier, got NUMBER"]);
  });

  it("reports missing commas in multi-line lists", () => {
    assert.deepEqual(messages("a = [\n1\n]"), ["t:2:2: missing ',' in expression list"]);
    assert.deepEqual(messages("a = {\nb = 1\n}"), ["t:2:6: missing ',' in field list"]);
    assert.deepEqual(messages("a = f(\n1\n)"), ["t:2:2: missing ',' in expression list"]);
  });

  it("keeps one parse error per line but every lexical error", () => {
    assert.deepEqual(messages("a = ) )"), ["t:1:5: expected expression, got )"]);
    assert.deepEqual(messages('a = "\\q" + "\\z"'), ["t:1:7: unknown escape sequence", "t:1:14: unknown escape sequence"]);
  });

  it("reports a block used as an expression", () => {
    const d = parseFileWithDiagnostics("t", 'x = foo.bar "l" {\n a = 1\n}').diagnostics;
    assert.equal(d.length, 1);
    assert.equal(d[0]!.message, "cannot use a block as an expression");
    assert.equal(positionString(d[0]!.startPos), "t:1:5");
    assert.equal(positionString(d[0]!.endPos), "t:3:1");
  });

  it("turns pathological nesting into a diagnostic", () => {
    const deep = "a = " + "[".repeat(5000) + "]".repeat(5000);
    assert.match(messages(deep)[0]!, /nesting exceeds the maximum depth/);
    const chain = "a = " + Array.from({ length: 5000 }, () => "1").join(" + ");
    assert.match(messages(chain)[0]!, /nesting exceeds the maximum depth/);
    const pow = "a = " + Array.from({ length: 5000 }, () => "2").join(" ^ ");
    assert.match(messages(pow)[0]!, /nesting exceeds the maximum depth/);
    const blocks = "a {\n".repeat(3000) + "}\n".repeat(3000);
    assert.match(messages(blocks)[0]!, /nesting exceeds the maximum depth/);
    const ok = "a = " + "(".repeat(200) + "1" + ")".repeat(200);
    assert.deepEqual(messages(ok), []);
  });
});

// Keep the BinaryExpr type import used for documentation of shapes.
export type { BinaryExpr };
