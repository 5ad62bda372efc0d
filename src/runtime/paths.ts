// Slash-separated path helpers with Go's path/filepath semantics on Unix (Clean, Join, Dir, Base),
// so that file names in messages and ids match Alloy's. Only web-standard code lives outside
// src/platform/, hence no node:path.

/** Go's path.Clean: the shortest equivalent path, "." for an empty one. */
export function cleanPath(path: string): string {
  if (path === "") return ".";
  const rooted = path.startsWith("/");
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(part);
  }
  const joined = out.join("/");
  if (rooted) return "/" + joined;
  return joined === "" ? "." : joined;
}

/** Go's filepath.Join: joins non-empty elements and cleans the result ("" when all are empty). */
export function joinPath(...parts: string[]): string {
  const nonEmpty = parts.filter((p) => p !== "");
  return nonEmpty.length === 0 ? "" : cleanPath(nonEmpty.join("/"));
}

/** Go's filepath.Dir. */
export function dirPath(path: string): string {
  const i = path.lastIndexOf("/");
  return cleanPath(i < 0 ? "" : path.slice(0, i + 1));
}

/** Go's path.Split: everything up to and including the last slash, and the rest. */
export function splitPath(path: string): [string, string] {
  const i = path.lastIndexOf("/");
  return [path.slice(0, i + 1), path.slice(i + 1)];
}

export function isAbsolutePath(path: string): boolean {
  return path.startsWith("/");
}

/** An absolute path for `path` relative to `cwd`. */
export function resolvePath(cwd: string, path: string): string {
  return cleanPath(isAbsolutePath(path) ? path : `${cwd}/${path}`);
}
