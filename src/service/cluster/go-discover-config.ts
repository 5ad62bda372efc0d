// The `provider=k8s key=val "some key"="some \"val\""` strings of --cluster.discover-peers, read
// as hashicorp/go-discover's config.go reads them, error texts included: a lexer that yields text,
// '=' or an error, and a parser that expects key, '=', value in turn. Only ' ' separates tokens
// (the whole string is trimmed first); double-quoted text is unquoted as a Go string literal; a
// quoted token ends at its closing quote even when more text follows.
import { unquote } from "../../syntax/vm/literal.ts";

type Token = { kind: "text"; value: string } | { kind: "equal" } | { kind: "error"; message: string };

/** go-discover's Parse: the key/value pairs, or undefined for an empty string (Go's nil map). */
export function parseDiscoverConfig(input: string): Map<string, string> | undefined {
  const config = new Map<string, string>();
  let runes = Array.from(input.trim());
  let expect: "key" | "equal" | "value" = "key";
  let key = "";
  while (runes.length > 0) {
    const { token, length } = lex(runes);
    runes = runes.slice(length);
    switch (expect) {
      case "key":
        if (token.kind === "text") {
          key = token.value;
          if (config.has(key)) throw new Error(`${key}: duplicate key`);
          expect = "equal";
        } else if (token.kind === "equal") {
          // A second '=' where a key should start: the previous value held an unquoted '='.
          throw new Error(`${key}: - equals in key's value, enclosing double-quote needed ${key}="value-with-=-symbol"`);
        } else {
          throw new Error(`${key}: error with key=value pair ${token.message}`);
        }
        break;
      case "equal":
        if (token.kind !== "equal") throw new Error(`${key}: missing '='`);
        expect = "value";
        break;
      case "value":
        if (token.kind === "text") {
          config.set(key, token.value);
          expect = "key";
        } else if (token.kind === "error") {
          throw new Error(`${key}: ${token.message}`);
        } else {
          throw new Error(`${key}: missing value`);
        }
        break;
    }
  }
  if (expect === "equal") throw new Error(`${key}: missing '='`);
  if (expect === "value") throw new Error(`${key}: missing value`);
  return config.size === 0 ? undefined : config;
}

/** strconv.Unquote of a trimmed double-quoted token; Go refuses a raw newline inside. */
function unquoteToken(runes: string[]): Token {
  const text = runes.join("").trim();
  try {
    if (text.includes("\n")) throw new Error("invalid syntax");
    return { kind: "text", value: unquote(text) };
  } catch (error) {
    return { kind: "error", message: (error as Error).message };
  }
}

/** The next token and how many runes it used (go-discover's lex). */
function lex(runes: string[]): { token: Token; length: number } {
  let state: "start" | "equal" | "text" | "quoted" | "escape" | "quoteEnd" = "start";
  for (let i = 0; i < runes.length; i++) {
    const r = runes[i]!;
    switch (state) {
      case "start":
        if (r === " ") break;
        state = r === "=" ? "equal" : r === '"' ? "quoted" : "text";
        break;
      case "equal":
        return { token: { kind: "equal" }, length: i };
      case "text":
        if (r === "=" || r === " ") return { token: { kind: "text", value: runes.slice(0, i).join("").trim() }, length: i };
        break;
      case "quoted":
        if (r === '"') state = "quoteEnd";
        else if (r === "\\") state = "escape";
        break;
      case "escape":
        state = "quoted";
        break;
      case "quoteEnd":
        return { token: unquoteToken(runes.slice(0, i)), length: i };
    }
  }
  switch (state) {
    case "equal":
      return { token: { kind: "equal" }, length: runes.length };
    case "quoted":
      return { token: { kind: "error", message: "unbalanced quotes" }, length: runes.length };
    case "escape":
      return { token: { kind: "error", message: "unterminated escape sequence" }, length: runes.length };
    case "quoteEnd":
      return { token: unquoteToken(runes), length: runes.length };
    default:
      return { token: { kind: "text", value: runes.join("").trim() }, length: runes.length };
  }
}
