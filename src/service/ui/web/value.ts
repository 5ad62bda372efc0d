// alloyjson values shown as Alloy syntax, the way `alloy fmt` lays them out: objects one field a
// line with aligned `=` (a multi-line field ends an alignment group), arrays inline, strings quoted.
// The output is a list of tokens so the page can colour them; `valueText` joins them.
import type { Statement, Value } from "./api.ts";

export type TokenKind = "punct" | "key" | "string" | "number" | "bool" | "null" | "capsule" | "function" | "space";

export interface Token {
  kind: TokenKind;
  text: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An Alloy string literal. */
export function quote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        break;
      case "\\":
        out += "\\\\";
        break;
      case "\n":
        out += "\\n";
        break;
      case "\r":
        out += "\\r";
        break;
      case "\t":
        out += "\\t";
        break;
      default:
        if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
        else out += ch;
    }
  }
  return out + '"';
}

function multiline(v: Value): boolean {
  if (v.type === "object") return v.value.length > 0;
  if (v.type === "array") return v.value.some(multiline);
  return false;
}

const keyText = (key: string) => (IDENTIFIER.test(key) ? key : quote(key));

function write(v: Value, indent: number, out: Token[]): void {
  switch (v.type) {
    case "null":
      out.push({ kind: "null", text: "null" });
      return;
    case "number":
      out.push({ kind: "number", text: String(v.value) });
      return;
    case "string":
      out.push({ kind: "string", text: quote(v.value) });
      return;
    case "bool":
      out.push({ kind: "bool", text: v.value ? "true" : "false" });
      return;
    case "function":
      out.push({ kind: "function", text: v.value });
      return;
    case "capsule":
      out.push({ kind: "capsule", text: v.value });
      return;
    case "array": {
      out.push({ kind: "punct", text: "[" });
      v.value.forEach((item, i) => {
        if (i > 0) out.push({ kind: "punct", text: ", " });
        write(item, indent, out);
      });
      out.push({ kind: "punct", text: "]" });
      return;
    }
    case "object": {
      if (v.value.length === 0) {
        out.push({ kind: "punct", text: "{}" });
        return;
      }
      out.push({ kind: "punct", text: "{\n" });
      // Fields are aligned in groups; a field spanning lines closes its group.
      let group: typeof v.value = [];
      const flush = () => {
        const width = Math.max(...group.map((f) => keyText(f.key).length));
        for (const field of group) {
          const key = keyText(field.key);
          out.push({ kind: "space", text: "\t".repeat(indent + 1) });
          out.push({ kind: "key", text: key });
          out.push({ kind: "punct", text: `${" ".repeat(width - key.length)} = ` });
          write(field.value, indent + 1, out);
          out.push({ kind: "punct", text: ",\n" });
        }
        group = [];
      };
      for (const field of v.value) {
        group.push(field);
        if (multiline(field.value)) flush();
      }
      if (group.length > 0) flush();
      out.push({ kind: "space", text: "\t".repeat(indent) });
      out.push({ kind: "punct", text: "}" });
      return;
    }
    default:
      out.push({ kind: "null", text: "null" });
  }
}

export function valueTokens(v: Value): Token[] {
  const out: Token[] = [];
  write(v, 0, out);
  return out;
}

export function valueText(v: Value): string {
  return valueTokens(v).map((t) => t.text).join("");
}

/** A body split into its attributes and its blocks, recursively, with keys unique in the page. */
export interface Section {
  /** Unique and stable: usable as an element id. */
  key: string;
  /** Path of names from the root, e.g. ["Arguments", "rule", "rule"]. */
  path: string[];
  attrs: { name: string; value: Value }[];
  sections: Section[];
}

export function partitionBody(body: readonly Statement[], root: string): Section {
  const build = (stmts: readonly Statement[], path: string[], key: string): Section => {
    const section: Section = { key, path, attrs: [], sections: [] };
    const seen = new Map<string, number>();
    for (const stmt of stmts) {
      if (stmt.type === "attr") {
        section.attrs.push({ name: stmt.name, value: stmt.value });
        continue;
      }
      const name = stmt.label ? `${stmt.name} "${stmt.label}"` : stmt.name;
      const n = seen.get(name) ?? 0;
      seen.set(name, n + 1);
      const childKey = `${key}-${(stmt.label ? `${stmt.name}.${stmt.label}` : stmt.name).replace(/[^A-Za-z0-9_.-]/g, "_")}_${n}`;
      section.sections.push(build(stmt.body ?? [], [...path, name], childKey));
    }
    return section;
  };
  return build(body, [root], root.toLowerCase().replace(/[^a-z0-9]+/g, "-"));
}

/** Number of lines a value takes when printed. */
export function lineCount(tokens: readonly Token[]): number {
  let n = 1;
  for (const t of tokens) for (let i = t.text.indexOf("\n"); i !== -1; i = t.text.indexOf("\n", i + 1)) n++;
  return n;
}
