// Configuration sources: one or more files parsed and merged into one module, their top-level
// statements split into components, config blocks and declares (Alloy's internal/runtime/source.go).
// Files are processed in sorted name order so the same input always loads the same way.
import type { BlockStmt, Body, File } from "../syntax/ast.ts";
import { endPos, startPos } from "../syntax/ast.ts";
import { type Diagnostic, Diagnostics, errorDiagnostic } from "../syntax/diag.ts";
import { parseFileWithDiagnostics } from "../syntax/parser.ts";

/** Config blocks: top-level blocks that configure the controller rather than run a component. */
export const CONFIG_BLOCK_NAMES: ReadonlySet<string> = new Set([
  "logging",
  "tracing",
  "argument",
  "export",
  "foreach",
  "import.file",
  "import.string",
  "import.http",
  "import.git",
]);

export const IMPORT_BLOCK_NAMES: ReadonlySet<string> = new Set(["import.file", "import.string", "import.http", "import.git"]);

/** A failure that is not about a position in the source (encoding, unreadable files …). */
export class SourceError extends Error {
  override name = "SourceError";
}

/**
 * A statement that cannot appear at the top level. Alloy reports it on its own instead of merging
 * it with the syntax errors of other files, so it has its own class.
 */
export class StatementError extends Diagnostics {
  override name = "StatementError";
}

/** A parsed configuration module. */
export class Source {
  /** Raw contents by file name; empty for sources built from an AST. */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** Parsed files by name. */
  readonly parsed: ReadonlyMap<string, File>;
  readonly components: readonly BlockStmt[];
  readonly configs: readonly BlockStmt[];
  readonly declares: readonly BlockStmt[];

  constructor(parts: {
    files?: ReadonlyMap<string, Uint8Array>;
    parsed?: ReadonlyMap<string, File>;
    components: readonly BlockStmt[];
    configs: readonly BlockStmt[];
    declares: readonly BlockStmt[];
  }) {
    this.files = parts.files ?? new Map();
    this.parsed = parts.parsed ?? new Map();
    this.components = parts.components;
    this.configs = parts.configs;
    this.declares = parts.declares;
  }

  /** File contents as text, for printing diagnostics with source excerpts. */
  sourceTexts(): Map<string, Uint8Array> {
    return new Map(this.files);
  }
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

/**
 * Alloy accepts only UTF-8 configuration (a UTF-8 byte order mark is fine). Other byte order marks
 * name the encoding in the error, anything else that is not UTF-8 is "unknown". The UTF-32 marks
 * are checked first because UTF-32LE's mark starts with UTF-16LE's.
 */
export function ensureUtf8(bytes: Uint8Array): Uint8Array {
  const boms: [readonly number[], string][] = [
    [[0x00, 0x00, 0xfe, 0xff], "UTF32BigEndian"],
    [[0xff, 0xfe, 0x00, 0x00], "UTF32LittleEndian"],
    [[0xfe, 0xff], "UTF16BigEndian"],
    [[0xff, 0xfe], "UTF16LittleEndian"],
  ];
  if (startsWith(bytes, UTF8_BOM)) return bytes;
  for (const [bom, name] of boms) {
    if (startsWith(bytes, bom)) throw new SourceError(`configuration is encoded with ${name} but must be utf8`);
  }
  try {
    new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new SourceError("unknown encoding for config");
  }
  return bytes;
}

/**
 * Splits top-level statements: `declare` blocks, config blocks, and everything else as components
 * (services are told apart later, by the controller that knows them). A top-level attribute is an
 * error, thrown as Diagnostics.
 */
export function sourceFromBody(body: Body): Source {
  const components: BlockStmt[] = [];
  const configs: BlockStmt[] = [];
  const declares: BlockStmt[] = [];
  for (const stmt of body) {
    if (stmt.type === "AttributeStmt") {
      throw new StatementError([
        errorDiagnostic(
          startPos(stmt.name).position(),
          endPos(stmt.name).position(),
          `unrecognized attribute ${stmt.name.name}`,
        ),
      ]);
    }
    const name = stmt.name.join(".");
    if (name === "declare") declares.push(stmt);
    else if (CONFIG_BLOCK_NAMES.has(name)) configs.push(stmt);
    else components.push(stmt);
  }
  return new Source({ components, configs, declares });
}

/** Parses one file. Throws Diagnostics for syntax errors and SourceError for encoding errors. */
export function parseSource(name: string, content: Uint8Array | string): Source {
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : ensureUtf8(content);
  const { node, diagnostics } = parseFileWithDiagnostics(name, bytes);
  if (diagnostics.length > 0) throw new Diagnostics(diagnostics);
  const split = sourceFromBody(node.body);
  return new Source({
    files: new Map([[name, bytes]]),
    parsed: new Map([[name, node]]),
    components: split.components,
    configs: split.configs,
    declares: split.declares,
  });
}

/**
 * Parses several files into one module. Syntax errors of every file are collected and thrown
 * together; other errors (encoding, a top-level attribute) stop at the first, as in Alloy.
 */
export function parseSources(sources: ReadonlyMap<string, Uint8Array | string>): Source {
  const names = [...sources.keys()].sort(compareNames);
  const files = new Map<string, Uint8Array>();
  const parsed = new Map<string, File>();
  const components: BlockStmt[] = [];
  const configs: BlockStmt[] = [];
  const declares: BlockStmt[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const name of names) {
    let fragment: Source;
    try {
      fragment = parseSource(name, sources.get(name)!);
    } catch (e) {
      // Only a list of parse errors is merged; a single diagnostic or other error ends the load.
      if (e instanceof Diagnostics && !(e instanceof StatementError)) {
        diagnostics.push(...e.diagnostics);
        continue;
      }
      throw e;
    }
    files.set(name, fragment.files.get(name)!);
    parsed.set(name, fragment.parsed.get(name)!);
    components.push(...fragment.components);
    configs.push(...fragment.configs);
    declares.push(...fragment.declares);
  }
  if (diagnostics.length > 0) throw new Diagnostics(diagnostics);
  return new Source({ files, parsed, components, configs, declares });
}

/** Go's byte-wise string order (sort.Strings), which differs from UTF-16 order for astral characters. */
export function compareNames(a: string, b: string): number {
  const ea = new TextEncoder().encode(a);
  const eb = new TextEncoder().encode(b);
  const n = Math.min(ea.length, eb.length);
  for (let i = 0; i < n; i++) if (ea[i] !== eb[i]) return ea[i]! - eb[i]!;
  return ea.length - eb.length;
}

/** sha256 over the contents in sorted name order, hex encoded (empty string for no sources). */
export async function sourceHash(files: ReadonlyMap<string, Uint8Array>): Promise<string> {
  if (files.size === 0) return "";
  const names = [...files.keys()].sort(compareNames);
  const total = names.reduce((n, name) => n + files.get(name)!.length, 0);
  const all = new Uint8Array(total);
  let offset = 0;
  for (const name of names) {
    all.set(files.get(name)!, offset);
    offset += files.get(name)!.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}
