// Go's txtar archives (golang.org/x/tools/txtar): a comment, then files introduced by
// `-- name --` lines, each running to the next marker.
export interface Archive {
  comment: string;
  files: Map<string, string>;
}

const MARKER = /^-- (.+?) --$/;

export function parseTxtar(text: string): Archive {
  const lines = text.split("\n");
  // A trailing newline does not start an empty last line.
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const files = new Map<string, string>();
  let comment: string[] = [];
  let current: string[] | undefined;
  let name = "";
  const flush = () => {
    if (current) files.set(name, current.length > 0 ? current.join("\n") + "\n" : "");
  };
  for (const line of lines) {
    const m = MARKER.exec(line);
    if (m) {
      flush();
      name = m[1]!.trim();
      current = [];
    } else if (current) current.push(line);
    else comment.push(line);
  }
  flush();
  return { comment: comment.length > 0 ? comment.join("\n") + "\n" : "", files };
}
