import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";

import { format, printNode } from "../../src/syntax/printer.ts";
import { parseExpression, parseFile } from "../../src/syntax/parser.ts";
import { Diagnostics } from "../../src/syntax/diag.ts";
import { tabwrite } from "../../src/syntax/tabwriter.ts";
import type { Expr, Stmt } from "../../src/syntax/ast.ts";
import { NoPos, Token } from "../../src/syntax/token.ts";
import { conformanceURL, listFiles, readBytes, readText } from "./conformance.ts";

const testdata = "syntax/printer/testdata/";

function trimRight(s: string): string {
  return s.replace(/\s+$/, "");
}

describe("printer: testdata", () => {
  for (const input of listFiles(testdata).filter((n) => n.endsWith(".in"))) {
    const name = input.slice(0, -3);
    it(name, () => {
      const src = readBytes(testdata + input);
      const filename = `TestPrinter/${name}.rvr`;
      if (existsSync(conformanceURL(testdata + name + ".error"))) {
        const want = readText(testdata + name + ".error").replaceAll("\r\n", "\n");
        assert.throws(() => parseFile(filename, src), (e: unknown) => {
          assert.ok(e instanceof Diagnostics);
          assert.ok(e.message.includes(want), `${e.message} does not contain ${want}`);
          return true;
        });
        return;
      }
      const got = printNode(parseFile(filename, src));
      assert.equal(got, trimRight(readText(testdata + name + ".expect")));
      // Formatting is idempotent.
      assert.equal(printNode(parseFile(filename, got)), got);
    });
  }
});

// The converters' expected outputs were printed by Alloy's formatter, so each
// must come back unchanged: 150+ real configurations as extra vectors.
function alloyFilesUnder(dir: URL): URL[] {
  const out: URL[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...alloyFilesUnder(new URL(e.name + "/", dir)));
    else if (e.name.endsWith(".alloy")) out.push(new URL(e.name, dir));
  }
  return out;
}

describe("printer: Alloy-formatted converter outputs are fixed points", () => {
  const root = conformanceURL("internal/converter/internal/");
  const files = alloyFilesUnder(root);
  it("finds the corpus", () => assert.ok(files.length > 100, `${files.length} files`));
  for (const url of files) {
    it(url.pathname.slice(root.pathname.length), () => {
      const src = readFileSync(url, "utf8");
      assert.equal(printNode(parseFile(url.pathname, src)), trimRight(src));
      assert.equal(format(src), trimRight(src) + "\n");
    });
  }
});

describe("printer: behaviour", () => {
  it("format adds the final newline like `alloy fmt`", () => {
    assert.equal(format("a=1"), "a = 1\n");
    assert.equal(format(""), "\n");
  });

  it("throws Diagnostics on parse errors", () => {
    assert.throws(() => format("a = ", "x.alloy"), { name: "Diagnostics", message: "x.alloy:1:5: expected expression, got EOF" });
  });

  it("aligns = in runs of single-line attributes and trailing comments", () => {
    assert.equal(
      format("a = 1 // one\nlong_name = 2 // two\n\nc = 3\n"),
      "a         = 1 // one\nlong_name = 2 // two\n\nc = 3\n",
    );
  });

  it("re-quotes labels, and prints quoted keys as written", () => {
    // Alloy would print the key as "\\u00e9" (re-quoting its raw text),
    // which changes the key; see known-differences.md.
    assert.equal(format('b "x" {\n  o = { "a b" = 1, "\\u00e9" = 2 }\n}'), 'b "x" {\n\to = {"a b" = 1, "\\u00e9" = 2}\n}\n');
  });

  it("keeps code intact where Alloy's placement of comments would break it", () => {
    // Alloy prints `chain.of.idents // c` followed by `{` on the next line.
    assert.equal(format("chain.of.// c\nidents {\n}\n"), "chain.of.idents { // c\n\n}\n");
    assert.equal(format("chain./* a\nb */of.idents { }\n"), "chain.of.idents { /* a\nb */ }\n");
  });

  it("does not let the aligner touch tabs or trailing blanks inside strings", () => {
    assert.equal(format('a = "x\ty"\nbb = 1\n'), 'a  = "x\ty"\nbb = 1\n');
    assert.equal(format("a = `x  \ny`\n"), "a = `x  \ny`\n");
  });

  it("repeats formatting until the output is stable", () => {
    // A single Alloy pass leaves `b` unaligned because its value spanned lines.
    assert.equal(format("bbb =\n2\na = 1\n"), "bbb = 2\na   = 1\n");
    assert.equal(printNode(parseFile("", "bbb =\n2\na = 1\n")), "bbb = 2\na = 1");
  });

  it("keeps a space where tokens would merge", () => {
    assert.equal(printNode(parseExpression("1 .a")).replace(/\s/g, "_"), "1_.a");
  });

  it("prints expressions and statements on their own", () => {
    assert.equal(printNode(parseExpression("[1,2,\n3]")), "[1, 2,\n\t3]");
    assert.equal(printNode(parseExpression("[1,2,\n3,\n]")), "[1, 2,\n\t3,\n]");
    const f = parseFile("", "a { b = 1 }");
    assert.equal(printNode(f.body[0]!), "a {\n\tb = 1\n}");
    assert.equal(printNode(f.body, { indent: 1 }), "\ta {\n\t\tb = 1\n\t}");
  });

  it("prints hand-built ASTs without positions on single lines", () => {
    const lit = (value: string): Expr => ({ type: "LiteralExpr", kind: Token.NUMBER, value, valuePos: NoPos });
    const ident = (name: string) => ({ type: "Ident" as const, name, namePos: NoPos });
    const body: Stmt[] = [
      { type: "AttributeStmt", name: ident("a"), value: { type: "ArrayExpr", elements: [lit("1"), lit("2")], lBrackPos: NoPos, rBrackPos: NoPos } },
      { type: "AttributeStmt", name: ident("long_name"), value: lit("3") },
      {
        type: "BlockStmt", name: ["b", "c"], namePos: NoPos, label: "x", labelPos: NoPos, lCurlyPos: NoPos, rCurlyPos: NoPos,
        body: [{ type: "AttributeStmt", name: ident("d"), value: lit("4") }],
      },
    ];
    assert.equal(printNode(body), 'a         = [1, 2]\nlong_name = 3\n\nb.c "x" {\n\td = 4\n}');
  });

  it("redacts secret literals when asked", () => {
    const f = parseFile("", 'password = "my_password"\nstring = "normal string"');
    assert.equal(printNode(f), 'password = "my_password"\nstring   = "normal string"');
    const stmt = f.body[0]!;
    assert.equal(stmt.type, "AttributeStmt");
    if (stmt.type === "AttributeStmt") stmt.value.secret = true;
    assert.equal(printNode(f, { redactSecrets: true }), 'password = "(secret)"\nstring   = "normal string"');
  });

  it("preserves comments in odd places", () => {
    const src = "a = [ /* x */ 1, 2 ] // t\n/* lead */ b = 2\nc = f(1, // one\n  2)\n";
    const once = format(src);
    assert.equal(format(once), once);
    assert.ok(once.includes("/* x */") && once.includes("// t") && once.includes("/* lead */") && once.includes("// one"));
  });

  it("formats the parser's valid corpus idempotently", () => {
    for (const name of listFiles("syntax/parser/testdata/valid/")) {
      const once = format(readBytes("syntax/parser/testdata/valid/" + name), name);
      assert.equal(format(once, name), once, name);
    }
  });
});

describe("printer: limits", () => {
  it("prints the deepest nesting the parser accepts", () => {
    const d = 990;
    const cases = [
      "a = " + "[".repeat(d) + "1" + "]".repeat(d),
      "a = " + Array.from({ length: d }, () => "1").join(" + "),
      "a = " + Array.from({ length: d }, () => "2").join(" ^ "),
      "a = " + "-".repeat(d) + "1",
      "a = x" + ".b".repeat(d),
      "a {\n".repeat(d) + "}\n".repeat(d),
    ];
    for (const src of cases) {
      const out = format(src);
      assert.equal(format(out), out);
    }
  });

  it("aligns lines with thousands of cells", () => {
    const fields = Array.from({ length: 20000 }, (_, i) => `f${i} = ${i}`).join(", ");
    const out = format(`x = {${fields}}\ny = {${fields}}\n`);
    assert.ok(out.startsWith("x = {f0 = 0, f1 = 1,"));
  });
});

describe("printer: tabwriter", () => {
  const opts = { minWidth: 0, tabWidth: 8, padding: 1, padChar: " ", discardEmptyColumns: true, tabIndent: true };

  it("aligns soft-tab columns and indents with tabs", () => {
    assert.equal(tabwrite("a\v= 1\nlong\v= 2\n", opts), "a    = 1\nlong = 2\n");
    assert.equal(tabwrite("\ta\v= 1\n\tbb\v= 2\n", opts), "\ta  = 1\n\tbb = 2\n");
  });

  it("ends columns at formfeeds", () => {
    assert.equal(tabwrite("a\v= 1\flong\v= 2\n", opts), "a = 1\nlong = 2\n");
  });

  it("does not interpret escaped text and excludes the markers from widths", () => {
    assert.equal(tabwrite("a\v\u0000x\ty\u0000\nbbbb\vz\n", opts), "a    \u0000x\ty\u0000\nbbbb z\n");
  });

  it("counts code points, not UTF-16 units", () => {
    assert.equal(tabwrite("é\v= 1\n😀\v= 2\nab\v= 3\n", opts), "é  = 1\n😀  = 2\nab = 3\n");
  });
});
