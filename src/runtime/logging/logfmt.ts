// Alloy's two log line formats: go-kit's logfmt (go-logfmt quoting rules) and JSON.

export type LogFields = Record<string, unknown>;

/** Timestamp as Go's RFC3339Nano prints it in UTC: trailing zeros of the fraction dropped. */
export function formatTimestamp(date: Date): string {
  const iso = date.toISOString(); // 2006-01-02T15:04:05.000Z
  return iso.replace(/\.?0+Z$/, "Z");
}

/** The text of a value as go-kit renders it before quoting. */
function valueText(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof Error) return value.message;
  if (value instanceof Date) return formatTimestamp(value);
  if (typeof value === "object") {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

/** go-logfmt quotes a value holding a space, control character, '=', '"' or invalid UTF-8. */
function needsQuotes(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c === 0x3d || c === 0x22 || c === 0x7f || c === 0xfffd) return true;
  }
  return false;
}

function quote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c === 0x7f) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += ch;
  }
  return out + '"';
}

function logfmtValue(value: unknown): string {
  const text = valueText(value);
  // go-logfmt writes the string "null" quoted, so that it cannot be read back as a nil value.
  if (text === "null" && value !== null && value !== undefined) return '"null"';
  return needsQuotes(text) ? quote(text) : text;
}

function logfmtKey(key: string): string {
  // Keys cannot be quoted in logfmt; go-logfmt replaces the characters that would break the line.
  let out = "";
  for (const ch of key) out += ch <= " " || ch === "=" || ch === '"' ? "_" : ch;
  return out || "?";
}

export function formatLogfmt(fields: [string, unknown][]): string {
  return fields.map(([key, value]) => `${logfmtKey(key)}=${logfmtValue(value)}`).join(" ");
}

export function formatJson(fields: [string, unknown][]): string {
  const object: Record<string, unknown> = {};
  for (const [key, value] of fields) {
    object[key] = value instanceof Error ? value.message : value === undefined ? null : value;
  }
  return JSON.stringify(object, (_key, value) => (typeof value === "bigint" ? value.toString() : value));
}
