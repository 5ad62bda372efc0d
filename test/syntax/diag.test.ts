import { describe, it } from "node:test";
import assert from "node:assert/strict";

import {
  allMessages,
  type Diagnostic,
  Diagnostics,
  diagnosticsMessage,
  formatDiagnostics,
  Severity,
} from "../../src/syntax/diag.ts";
import { parseFileWithDiagnostics } from "../../src/syntax/parser.ts";
import { NoPosition, type Position } from "../../src/syntax/token.ts";
import { readText } from "./conformance.ts";

function pos(filename: string, line: number, column: number): Position {
  return { filename, offset: 0, line, column };
}

function synthetic(start: Position, end: Position = NoPosition): Diagnostic {
  return { severity: Severity.Error, startPos: start, endPos: end, message: "synthetic error" };
}

// Cases from Alloy's diag printer tests.
describe("diag: printer", () => {
  const cases: { name: string; input: string; start: [number, number]; end?: [number, number]; expect: string }[] = [
    {
      name: "highlight on same line",
      start: [2, 2],
      end: [2, 5],
      input: 'test.block "label" {\n\tattr       = 1\n\tother_attr = 2\n}',
      expect: "Error: testfile:2:2: synthetic error\n\n" +
        '1 | test.block "label" {\n' +
        "2 |     attr       = 1\n" +
        "  |     ^^^^\n" +
        "3 |     other_attr = 2\n",
    },
    {
      name: "end positions should be optional",
      start: [1, 4],
      input: "foo,bar",
      expect: "Error: testfile:1:4: synthetic error\n\n1 | foo,bar\n  |    ^\n",
    },
    {
      name: "padding should be inserted to fit line numbers of different lengths",
      start: [9, 1],
      end: [9, 6],
      input: Array.from({ length: 11 }, (_, i) => `LINE_${i + 1}`).join("\n"),
      expect: "Error: testfile:9:1: synthetic error\n\n" +
        " 8 | LINE_8\n" +
        " 9 | LINE_9\n" +
        "   | ^^^^^^\n" +
        "10 | LINE_10\n",
    },
    {
      name: "errors which cross multiple lines can be printed from start of line",
      start: [2, 1],
      end: [6, 7],
      input: "FILE_BEGIN\nSTART\nTEXT\n\tTEXT\n\t\tTEXT\n\t\t\tDONE after\nFILE_END",
      expect: "Error: testfile:2:1: synthetic error\n\n" +
        "1 |   FILE_BEGIN\n" +
        "2 |   START\n" +
        "  |  _^^^^^\n" +
        "3 | | TEXT\n" +
        "4 | |     TEXT\n" +
        "5 | |         TEXT\n" +
        "6 | |             DONE after\n" +
        "  | |_____________^^^^\n" +
        "7 |   FILE_END\n",
    },
    {
      name: "errors which cross multiple lines can be printed from middle of line",
      start: [2, 8],
      end: [6, 7],
      input: "FILE_BEGIN\nbefore START\nTEXT\n\tTEXT\n\t\tTEXT\n\t\t\tDONE after\nFILE_END",
      expect: "Error: testfile:2:8: synthetic error\n\n" +
        "1 |   FILE_BEGIN\n" +
        "2 |   before START\n" +
        "  |  ________^^^^^\n" +
        "3 | | TEXT\n" +
        "4 | |     TEXT\n" +
        "5 | |         TEXT\n" +
        "6 | |             DONE after\n" +
        "  | |_____________^^^^\n" +
        "7 |   FILE_END\n",
    },
  ];

  for (const tc of cases) {
    it(tc.name, () => {
      const d = synthetic(
        pos("testfile", ...tc.start),
        tc.end ? pos("testfile", ...tc.end) : NoPosition,
      );
      assert.equal(formatDiagnostics([d], { testfile: tc.input }), tc.expect);
    });
  }

  it("prints multiple diagnostics separated by blank lines", () => {
    const files = new Map([["file_a", "old_field = 15\n3 & 4"], ["file_b", "old_field = 22"]]);
    const diags: Diagnostic[] = [
      {
        severity: Severity.Warn,
        startPos: pos("file_a", 1, 1),
        endPos: pos("file_a", 1, 9),
        message: "old_field is deprecated",
      },
      { severity: Severity.Error, startPos: pos("file_a", 2, 3), endPos: NoPosition, message: "unrecognized operator &" },
      {
        severity: Severity.Warn,
        startPos: pos("file_b", 1, 1),
        endPos: pos("file_b", 1, 9),
        message: "old_field is deprecated",
      },
    ];
    assert.equal(
      formatDiagnostics(diags, files),
      "Warning: file_a:1:1: old_field is deprecated\n\n" +
        "1 | old_field = 15\n" +
        "  | ^^^^^^^^^\n" +
        "2 | 3 & 4\n" +
        "\n" +
        "Error: file_a:2:3: unrecognized operator &\n\n" +
        "1 | old_field = 15\n" +
        "2 | 3 & 4\n" +
        "  |   ^\n" +
        "\n" +
        "Warning: file_b:1:1: old_field is deprecated\n\n" +
        "1 | old_field = 22\n" +
        "  | ^^^^^^^^^\n",
    );
  });

  it("prints only the header when the file is unknown", () => {
    assert.equal(formatDiagnostics([synthetic(pos("nofile", 1, 1))], {}), "Error: nofile:1:1: synthetic error\n");
    assert.equal(formatDiagnostics([synthetic(pos("nofile", 1, 1))]), "Error: nofile:1:1: synthetic error\n");
  });

  it("puts one caret per rune, counting columns in bytes", () => {
    // "é" is two bytes (columns 6-7): the quoted string spans columns 5-8.
    const d = synthetic(pos("f", 1, 5), pos("f", 1, 8));
    assert.equal(formatDiagnostics([d], { f: 'x = "é"' }), 'Error: f:1:5: synthetic error\n\n1 | x = "é"\n  |     ^^^\n');
  });

  it("colours the header when asked", () => {
    const out = formatDiagnostics([synthetic(pos("f", 1, 1))], null, { color: true });
    assert.equal(out, "\x1b[31;1mError: \x1b[0m\x1b[1mf:1:1: synthetic error\n\x1b[0m");
  });
});

describe("diag: messages", () => {
  it("formats like Go's Diagnostics.Error", () => {
    const a = synthetic(pos("f", 1, 2));
    const b = { ...synthetic(pos("f", 3, 4)), message: "other" };
    assert.equal(diagnosticsMessage([]), "no errors");
    assert.equal(diagnosticsMessage([a]), "f:1:2: synthetic error");
    assert.equal(new Diagnostics([a, b]).message, "f:1:2: synthetic error (and 1 more diagnostics)");
    assert.equal(allMessages([a, b]), "f:1:2: synthetic error; f:3:4: other");
    assert.equal(diagnosticsMessage([synthetic(NoPosition)]), "-: synthetic error");
    assert.equal(diagnosticsMessage([synthetic({ filename: "", offset: 0, line: 3, column: 0 })]), "3: synthetic error");
  });
});

// The validator vector for syntax errors only depends on the parser and the
// printer: parse each file of the archive and render all diagnostics.
function parseTxtar(text: string): Map<string, string> {
  const files = new Map<string, string>();
  const re = /^-- (.+) --$/gm;
  const marks = [...text.matchAll(re)];
  for (let i = 0; i < marks.length; i++) {
    const m = marks[i]!;
    const start = m.index! + m[0].length + 1;
    const end = i + 1 < marks.length ? marks[i + 1]!.index! : text.length;
    files.set(m[1]!, text.slice(start, end));
  }
  return files;
}

describe("diag: validator syntax_errors vector", () => {
  it("renders parser diagnostics of every file exactly", () => {
    const dir = "internal/validator/testdata/default/";
    const files = parseTxtar(readText(dir + "syntax_errors.txtar"));
    const diags: Diagnostic[] = [];
    for (const [name, src] of files) diags.push(...parseFileWithDiagnostics(name, src).diagnostics);
    assert.equal(formatDiagnostics(diags, files), readText(dir + "syntax_errors.diags"));
  });
});
