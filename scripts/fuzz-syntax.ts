// Fuzzer for the syntax front end: scanner, parser and formatter.
//
//   node --import tsx scripts/fuzz-syntax.ts --count 1000000 --seconds 600 [--seed 1]
//
// Seeds come from the conformance vectors (fuzz corpus, valid and error
// parser files, printer inputs, converter outputs, scanner/parser tables). Each round feeds a random or mutated input to:
//   - the scanner (both modes): must reach EOF in a bounded number of tokens;
//   - the parser (file and expression): may only report diagnostics;
//   - the formatter, when the input parsed: the printed output must parse
//     again with exactly the same code tokens and comments, and `format`
//     must be idempotent (format(format(x)) == format(x)).
//
// Alloy's printer alone is not idempotent for some inputs (a comment inside
// an expression can move on the next run, an attribute whose value spanned
// lines is aligned only on the next run); `format` repeats it until stable.
// How often a single pass was not stable is reported.
// Any other exception, a slow input (possible hang) or super-linear scaling
// fails the run (exit code 1) after printing the offending input;
// --keep-going surveys failures by kind instead.

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { Diagnostics } from "../src/syntax/diag.ts";
import { parseExpressionWithDiagnostics, parseFileWithDiagnostics } from "../src/syntax/parser.ts";
import { format, printNode } from "../src/syntax/printer.ts";
import { ScanMode, Scanner } from "../src/syntax/scanner.ts";
import { SourceFile, Token } from "../src/syntax/token.ts";
import { decodeFuzzCorpus } from "../test/syntax/goquote.ts";

// --- arguments ---

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`--${name} needs a number`);
  return v;
}

const COUNT = arg("count", 100_000);
const SECONDS = arg("seconds", 60);
const SEED = arg("seed", Date.now() % 1_000_000);
const SLOW_MS = arg("slow-ms", 2000);
// Survey mode: count failures by kind instead of stopping at the first.
const KEEP_GOING = process.argv.includes("--keep-going");
const failureKinds = new Map<string, { count: number; example: string }>();

// --- deterministic random numbers (mulberry32) ---

let rngState = SEED >>> 0;
function rand(): number {
  rngState = (rngState + 0x6d2b79f5) >>> 0;
  let t = rngState;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const randInt = (n: number) => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[randInt(xs.length)]!;

// --- seeds ---

const root = new URL("../../shared/conformance/", import.meta.url);
const enc = new TextEncoder();
const seeds: Uint8Array[] = [];

function readDir(dir: string): string[] {
  try {
    return readdirSync(new URL(dir, root), { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
  } catch {
    return [];
  }
}

for (const n of readDir("syntax/parser/testdata/fuzz/FuzzParser/")) {
  seeds.push(decodeFuzzCorpus(readFileSync(new URL("syntax/parser/testdata/fuzz/FuzzParser/" + n, root), "utf8")));
}
for (const dir of ["syntax/parser/testdata/", "syntax/parser/testdata/valid/", "syntax/printer/testdata/"]) {
  for (const n of readDir(dir)) {
    if (n.endsWith(".alloy") || n.endsWith(".in") || n.endsWith(".expect")) {
      seeds.push(new Uint8Array(readFileSync(new URL(dir + n, root))));
    }
  }
}
// Real configurations printed by Alloy: the converters' expected outputs.
function alloyFilesUnder(dir: URL): URL[] {
  const out: URL[] = [];
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) out.push(...alloyFilesUnder(new URL(e.name + "/", dir)));
      else if (e.name.endsWith(".alloy")) out.push(new URL(e.name, dir));
    }
  } catch {
    // optional corpus
  }
  return out;
}
for (const url of alloyFilesUnder(new URL("internal/converter/internal/", root))) {
  seeds.push(new Uint8Array(readFileSync(url)));
}
for (const table of ["scanner_test.json", "parser_test.json", "vm_test.json", "vm_stdlib_test.json"]) {
  try {
    const rows = JSON.parse(readFileSync(new URL("syntax/tables/" + table, root), "utf8")) as { input?: string | null }[];
    for (const r of rows) if (typeof r.input === "string" && r.input !== "") seeds.push(enc.encode(r.input));
  } catch {
    // optional table
  }
}
seeds.push(enc.encode(`prometheus.scrape "x" {\n\ttargets = [{"__address__" = "a:1"}, {a = 1}]\n\tforward_to = [prometheus.remote_write.default.receiver]\n\tparams = { "a b" = ["c"], d = 1 + 2 * 3 ^ 4 }\n}\n`));
if (seeds.length < 5) throw new Error("conformance seeds not found next to the repository (../shared/conformance)");
// Seeds that parse: layout mutations of these usually still parse, which
// exercises the formatter rather than the error paths.
const validSeeds = seeds.filter((b) => parseFileWithDiagnostics("seed", b).diagnostics.length === 0);

// Fragments inserted by mutations: tokens, keywords, comments, odd bytes.
const fragments: Uint8Array[] = [
  "{", "}", "[", "]", "(", ")", ",", ".", "=", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "^",
  "!", "&&", "||", "|", "&", "\n", "\r\n", " ", "\t", "a", "foo.bar", "true", "false", "null", "0", "1.5e3", ".5",
  "1e", "0x1", '"str"', '"\\n\\x41\\u00e9\\U0001F600\\101"', '"\\q"', '"unterminated', "`raw\nstring`", "`", "'x'",
  "// line comment\n", "/* block */", "/* multi\nline */", "/*", "*/", "label", '"label"', "blk \"l\" {\n", "x = ",
  "\u00e9", "\u{1F600}", "\ufeff", "\u2026", "@", "#", "$",
].map((s) => enc.encode(s));
fragments.push(new Uint8Array([0]), new Uint8Array([0x80]), new Uint8Array([0xff, 0xfe]), new Uint8Array([0xe2, 0x82]));

// --- mutations ---

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function mutate(input: Uint8Array): Uint8Array {
  let b = input;
  const rounds = 1 + randInt(4);
  for (let r = 0; r < rounds; r++) {
    const pos = randInt(b.length + 1);
    switch (randInt(9)) {
      case 0: { // flip a byte
        if (b.length === 0) break;
        const c = b.slice();
        c[randInt(c.length)] = randInt(256);
        b = c;
        break;
      }
      case 1: // insert a fragment
      case 2:
        b = concat([b.subarray(0, pos), pick(fragments), b.subarray(pos)]);
        break;
      case 3: { // delete a range
        const len = randInt(Math.min(16, b.length - pos) + 1);
        b = concat([b.subarray(0, pos), b.subarray(pos + len)]);
        break;
      }
      case 4: { // duplicate a range
        const len = randInt(Math.min(64, b.length - pos) + 1);
        b = concat([b.subarray(0, pos + len), b.subarray(pos, pos + len), b.subarray(pos + len)]);
        break;
      }
      case 5: { // splice with another seed
        const other = pick(seeds);
        const at = randInt(other.length + 1);
        b = concat([b.subarray(0, pos), other.subarray(at, at + randInt(200))]);
        break;
      }
      case 6: { // swap two bytes
        if (b.length < 2) break;
        const c = b.slice();
        const i = randInt(c.length);
        const j = randInt(c.length);
        [c[i], c[j]] = [c[j]!, c[i]!];
        b = c;
        break;
      }
      case 7: { // random printable ASCII run
        const run = new Uint8Array(1 + randInt(8));
        for (let i = 0; i < run.length; i++) run[i] = 32 + randInt(95);
        b = concat([b.subarray(0, pos), run, b.subarray(pos)]);
        break;
      }
      case 8: { // nesting
        const depth = 1 + randInt(rand() < 0.01 ? 3000 : 20);
        const [open, close] = pick([["[", "]"], ["(", ")"], ["{", "}"], ["-", ""], ["!", ""]] as const);
        b = concat([b.subarray(0, pos), enc.encode(open.repeat(depth)), enc.encode(close.repeat(depth)), b.subarray(pos)]);
        break;
      }
    }
  }
  return b.length > 64 * 1024 ? b.subarray(0, 64 * 1024) : b;
}

// Gentle mutations that usually keep the input valid: comments, blank lines
// and spaces inserted at token boundaries. They exercise comment placement
// and layout in the formatter.
const layoutFragments = [
  " ", "  ", "\t", "/* c */", " /* c */ ", "/**/", " /* c */", "\n", "\n\n", "\n\n\n", "/* multi\nline */",
  "// c\n", " // c\n", "\n// c\n", "\n/* c */\n", "\r\n",
].map((f) => enc.encode(f));

function tokenBoundaries(input: Uint8Array): number[] {
  const s = new Scanner(new SourceFile("b"), input, null, ScanMode.IncludeComments | ScanMode.DontInsertTerms);
  const offsets: number[] = [];
  for (let i = 0; i < 100_000; i++) {
    const t = s.scan();
    offsets.push(s.offset, s.end);
    if (t === Token.EOF) break;
  }
  return offsets;
}

function mutateLayout(input: Uint8Array): Uint8Array {
  const bounds = tokenBoundaries(input);
  const picks = new Set<number>();
  const k = 1 + randInt(4);
  for (let i = 0; i < k; i++) picks.add(pick(bounds));
  const sorted = [...picks].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let prev = 0;
  for (const at of sorted) {
    parts.push(input.subarray(prev, at), pick(layoutFragments));
    prev = at;
  }
  parts.push(input.subarray(prev));
  return concat(parts);
}

// Random token soup, biased towards valid structure.
function generate(): Uint8Array {
  const parts: Uint8Array[] = [];
  const n = randInt(60);
  for (let i = 0; i < n; i++) parts.push(pick(fragments));
  return concat(parts);
}

// --- checks ---

class FuzzFailure extends Error {}


function scanAll(input: Uint8Array, mode: number): void {
  const s = new Scanner(new SourceFile("fuzz"), input, () => {}, mode);
  // Every token but inserted terminators consumes at least one byte, and at
  // most one terminator follows each token.
  const limit = 2 * input.length + 4;
  for (let i = 0; i <= limit; i++) if (s.scan() === Token.EOF) return;
  throw new FuzzFailure("scanner did not reach EOF");
}

// Code tokens (no comments, terminators or commas, which the formatter
// may add) of a source, for comparisons. An empty block label `""` means no
// label and is dropped by the formatter, as by Alloy.
function codeTokens(src: string): string[] {
  const sc = new Scanner(new SourceFile("t"), src, null, 0);
  const out: string[] = [];
  for (;;) {
    const t = sc.scan();
    if (t === Token.EOF) return out;
    if (t === Token.LCURLY && out[out.length - 1] === '""' && out.length >= 2 && /^\p{L}|^_/u.test(out[out.length - 2]!)) out.pop();
    if (t !== Token.TERMINATOR && t !== Token.COMMA) out.push(sc.lit === "" ? String(t) : sc.lit);
  }
}

function commentTexts(file: { comments: { text: string }[][] }): string {
  return file.comments.map((g) => g.map((c) => c.text).join("\u0001")).join("\u0001");
}

let unstablePasses = 0;

// Returns true when the input parsed (and was formatted).
function check(input: Uint8Array): boolean {
  scanAll(input, 0);
  scanAll(input, ScanMode.IncludeComments);
  scanAll(input, ScanMode.IncludeComments | ScanMode.DontInsertTerms);

  parseExpressionWithDiagnostics(input);
  const r = parseFileWithDiagnostics("fuzz.alloy", input);
  if (r.diagnostics.length > 0) return false;

  // One printer pass: the code and the comments must survive unchanged.
  const once = printNode(r.node);
  const again = parseFileWithDiagnostics("fuzz.alloy", once);
  if (again.diagnostics.length > 0) {
    throw new FuzzFailure(`formatted output does not parse: ${new Diagnostics(again.diagnostics).message}\n--- output ---\n${once}`);
  }
  if (commentTexts(again.node) !== commentTexts(r.node)) {
    throw new FuzzFailure(`formatting changed the comments\n--- output ---\n${once}`);
  }
  if (codeTokens(once).join(" ") !== codeTokens(new TextDecoder().decode(input)).join(" ")) {
    throw new FuzzFailure(`formatting changed the code\n--- output ---\n${once}`);
  }
  if (printNode(again.node) !== once) unstablePasses++;

  // `format` is idempotent.
  const f1 = format(once);
  const f2 = format(f1);
  if (f2 !== f1) throw new FuzzFailure(`format is not idempotent\n--- once ---\n${f1}\n--- twice ---\n${f2}`);
  return true;
}

function fail(input: Uint8Array, e: unknown): void {
  if (KEEP_GOING && e instanceof FuzzFailure) {
    const kind = e.message.split("\n")[0]!.replace(/fuzz\.alloy:\d+:\d+: /, "");
    const k = failureKinds.get(kind) ?? { count: 0, example: new TextDecoder().decode(input) };
    k.count++;
    if (input.length < k.example.length) k.example = new TextDecoder().decode(input);
    failureKinds.set(kind, k);
    return;
  }
  const file = `/tmp/fuzz-syntax-failure-${SEED}.alloy`;
  writeFileSync(file, input);
  console.error(`FAIL (seed ${SEED}): ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  console.error(`input (${input.length} bytes) written to ${file}: ${JSON.stringify(new TextDecoder().decode(input).slice(0, 400))}`);
  process.exit(1);
}

let lastParsed = false;

function timed(input: Uint8Array, limitMs = SLOW_MS): number {
  const t0 = performance.now();
  try {
    lastParsed = check(input);
  } catch (e) {
    lastParsed = false;
    fail(input, e);
  }
  const ms = performance.now() - t0;
  if (ms > limitMs) fail(input, new FuzzFailure(`input took ${ms.toFixed(0)} ms (possible hang)`));
  return ms;
}

// Super-linear time check: an input repeated 16 times must not take much
// more than 16 times as long.
function scalingCheck(input: Uint8Array): void {
  const base = input.subarray(0, 4096);
  if (base.length === 0) return;
  const small = concat(Array.from({ length: 8 }, () => base));
  const big = concat(Array.from({ length: 128 }, () => base));
  // The big input is up to 512 KiB: allow it proportionally more time.
  const measure = (b: Uint8Array) => {
    let best = Infinity;
    for (let i = 0; i < 3; i++) best = Math.min(best, timed(b, SLOW_MS * 16));
    return best;
  };
  const ts = Math.max(measure(small), 0.05);
  const tb = measure(big);
  if (tb > 5 && tb / ts > 16 * 6) {
    fail(big, new FuzzFailure(`super-linear: ${small.length} bytes ${ts.toFixed(2)} ms, ${big.length} bytes ${tb.toFixed(2)} ms`));
  }
}

// --- main loop ---

let parsedOK = 0;
let withDiags = 0;
const start = performance.now();
const deadline = start + SECONDS * 1000;
let count = 0;
let slowest = 0;
let lastReport = start;

// Repeated units that stress particular paths (nesting, long lines, many
// comments or errors) must scale linearly too.
const adversarial = [
  "(", "[", "{", "-", "!", "a.", "a ", "a /**/ ", "/**/ ", "// c\n", "x = 1\n", "x = [1,\n", "{a = 1, ",
  "a = b.c(d)[e] + f ^ g\n", "@", "\"", "\"\\", "`", "b {\n", "}", "1 + ", "2 ^ ", "'x' ", "\u00e9 ",
].map((u) => enc.encode(u.repeat(16)));
for (const a of adversarial) scalingCheck(a);

for (const s of seeds) {
  timed(s);
  if (lastParsed) parsedOK++;
  else withDiags++;
  count++;
}
for (let i = 0; i < 16; i++) scalingCheck(pick(seeds));

while (count < COUNT && performance.now() < deadline) {
  const r = rand();
  const input = r < 0.05
    ? generate()
    : r < 0.65
    ? mutateLayout(rand() < 0.5 ? pick(validSeeds) : mutateLayout(pick(validSeeds)))
    : mutate(r < 0.85 ? pick(seeds) : mutate(pick(seeds)));
  const ms = timed(input);
  if (lastParsed) parsedOK++;
  else withDiags++;
  if (ms > slowest) slowest = ms;
  count++;
  if ((count & 4095) === 0) {
    if (rand() < 0.05) scalingCheck(input);
    const now = performance.now();
    if (now - lastReport > 10_000) {
      lastReport = now;
      console.log(`  ${count} inputs, ${((now - start) / 1000).toFixed(0)} s`);
    }
  }
}

const secs = (performance.now() - start) / 1000;
console.log(
  `fuzz-syntax: seed ${SEED}: ${count} inputs in ${secs.toFixed(1)} s (${(count / secs).toFixed(0)}/s); ` +
    `${parsedOK} parsed and formatted (a single printer pass was not stable for ${unstablePasses}), ` +
    `${withDiags} rejected with diagnostics; ` +
    `slowest input ${slowest.toFixed(1)} ms; ${seeds.length} seeds (${validSeeds.length} valid)`,
);
if (failureKinds.size > 0) {
  for (const [kind, k] of failureKinds) console.log(`${k.count} x ${kind}\n  smallest: ${JSON.stringify(k.example)}`);
  process.exit(1);
}
