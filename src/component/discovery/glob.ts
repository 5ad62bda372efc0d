// Go's filepath.Glob and filepath.Match (Unix rules), which Prometheus's file discovery expands its
// `files` patterns with: `*` and `?` never cross a `/`, `[...]` classes with ranges and `^`, `\`
// escapes; no `**`, no braces, and dot files are not special. Matches come back in lexical order per
// directory, joined and cleaned as Go's filepath.Join does.
import type { FileSystem } from "../../platform/mod.ts";
import { joinPath, splitPath } from "../../runtime/paths.ts";

export class BadPatternError extends Error {
  constructor() {
    super("syntax error in pattern");
  }
}

const hasMeta = (path: string) => /[*?[\\]/.test(path);

/** Whether name matches the whole pattern; throws BadPatternError for a malformed pattern. */
export function globMatch(pattern: string, name: string): boolean {
  outer: while (pattern.length > 0) {
    let star: boolean;
    let chunk: string;
    [star, chunk, pattern] = scanChunk(pattern);
    if (star && chunk === "") return !name.includes("/"); // a trailing * matches the rest without a /
    const [rest, ok] = matchChunk(chunk, name);
    // The last chunk must use up the name; otherwise a star may still match more of it.
    if (ok && (rest.length === 0 || pattern.length > 0)) {
      name = rest;
      continue;
    }
    if (star) {
      for (let i = 0; i < name.length && name[i] !== "/"; i++) {
        const [rest, ok] = matchChunk(chunk, name.slice(i + 1));
        if (ok) {
          if (pattern.length === 0 && rest.length > 0) continue;
          name = rest;
          continue outer;
        }
      }
    }
    // No match: the rest of the pattern must still be well-formed.
    while (pattern.length > 0) {
      [, chunk, pattern] = scanChunk(pattern);
      matchChunk(chunk, "");
    }
    return false;
  }
  return name.length === 0;
}

/** The next run of non-star pattern, and whether stars came before it. */
function scanChunk(pattern: string): [boolean, string, string] {
  let star = false;
  while (pattern[0] === "*") {
    pattern = pattern.slice(1);
    star = true;
  }
  let inRange = false;
  let i = 0;
  scan: for (; i < pattern.length; i++) {
    switch (pattern[i]) {
      case "\\":
        if (i + 1 < pattern.length) i++; // a dangling escape is reported by matchChunk
        break;
      case "[":
        inRange = true;
        break;
      case "]":
        inRange = false;
        break;
      case "*":
        if (!inRange) break scan;
    }
  }
  return [star, pattern.slice(0, i), pattern.slice(i)];
}

/**
 * Matches chunk (literals, classes and ?) against the start of s; returns what is left of s. After a
 * mismatch the rest of the chunk is still read, so a malformed pattern always throws.
 */
function matchChunk(chunk: string, s: string): [string, boolean] {
  let failed = false;
  let c = 0; // index in chunk
  let i = 0; // index in s
  while (c < chunk.length) {
    if (!failed && i >= s.length) failed = true;
    const ch = chunk[c]!;
    if (ch === "[") {
      let r = -1;
      if (!failed) {
        r = s.codePointAt(i)!;
        i += r > 0xffff ? 2 : 1;
      }
      c++;
      let negated = false;
      if (chunk[c] === "^") {
        negated = true;
        c++;
      }
      let match = false;
      for (let ranges = 0; ; ranges++) {
        if (c < chunk.length && chunk[c] === "]" && ranges > 0) {
          c++;
          break;
        }
        let lo: number;
        let hi: number;
        [lo, c] = classChar(chunk, c);
        hi = lo;
        if (chunk[c] === "-") [hi, c] = classChar(chunk, c + 1);
        if (lo <= r && r <= hi) match = true;
      }
      if (match === negated) failed = true;
    } else if (ch === "?") {
      if (!failed) {
        if (s[i] === "/") failed = true;
        i += s.codePointAt(i)! > 0xffff ? 2 : 1;
      }
      c++;
    } else {
      let lit = ch;
      if (ch === "\\") {
        c++;
        if (c >= chunk.length) throw new BadPatternError();
        lit = chunk[c]!;
      }
      if (!failed) {
        if (s[i] !== lit) failed = true;
        i++;
      }
      c++;
    }
  }
  return failed ? ["", false] : [s.slice(i), true];
}

/** A possibly escaped character of a class, and the index after it (Go's getEsc). */
function classChar(chunk: string, c: number): [number, number] {
  if (c >= chunk.length || chunk[c] === "-" || chunk[c] === "]") throw new BadPatternError();
  if (chunk[c] === "\\") {
    c++;
    if (c >= chunk.length) throw new BadPatternError();
  }
  const r = chunk.codePointAt(c)!;
  c += r > 0xffff ? 2 : 1;
  if (c >= chunk.length) throw new BadPatternError();
  return [r, c];
}

/** Go's filepath.Glob: the existing paths matching pattern; I/O errors are ignored, as in Go. */
export async function glob(fs: FileSystem, pattern: string): Promise<string[]> {
  globMatch(pattern, ""); // throws for a malformed pattern
  if (!hasMeta(pattern)) return (await exists(fs, pattern)) ? [pattern] : [];
  let [dir, file] = splitPath(pattern);
  dir = dir === "" ? "." : dir === "/" ? dir : dir.slice(0, -1);
  if (!hasMeta(dir)) return matchIn(fs, dir, file);
  if (dir === pattern) throw new BadPatternError();
  const matches: string[] = [];
  for (const d of await glob(fs, dir)) matches.push(...(await matchIn(fs, d, file)));
  return matches;
}

async function exists(fs: FileSystem, path: string): Promise<boolean> {
  try {
    return (await fs.stat(path)) !== null;
  } catch {
    return false;
  }
}

async function matchIn(fs: FileSystem, dir: string, pattern: string): Promise<string[]> {
  let names: string[];
  try {
    const info = await fs.stat(dir);
    if (!info?.isDirectory) return [];
    names = (await fs.readDir(dir)).map((e) => e.name).sort();
  } catch {
    return [];
  }
  return names.filter((name) => globMatch(pattern, name)).map((name) => joinPath(dir, name));
}
