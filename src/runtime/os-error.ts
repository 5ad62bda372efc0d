// File errors worded as Go's os package words them (`open x: no such file or directory`): Alloy's
// messages embed them, and users search for them.

/** A *PathError's text for a failed file operation. */
export function goFileError(op: string, path: string, e: unknown): Error {
  const code = (e as { code?: string }).code;
  const reason =
    code === "ENOENT" ? "no such file or directory" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "is a directory" : (e as Error).message;
  return new Error(`${op} ${path}: ${reason}`);
}
