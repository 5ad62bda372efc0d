// The last step of every conversion: render the builder's tokens, then parse and print them with
// the formatter so the output is canonical, with a trailing newline (Go's common.PrettyPrint).
import { type FileBuilder, renderTokens } from "../../syntax/builder.ts";
import { isDiagnostics } from "../../syntax/diag.ts";
import { parseFile } from "../../syntax/parser.ts";
import { printNode } from "../../syntax/printer.ts";
import { Diagnostics, Severity } from "../diag.ts";

export function prettyPrint(file: FileBuilder): { text: string; diags: Diagnostics } {
  const diags = new Diagnostics();
  const raw = renderTokens(file.tokens());
  if (raw === "") return { text: "", diags };
  try {
    return { text: printNode(parseFile("", raw)) + "\n", diags };
  } catch (error) {
    const message = isDiagnostics(error) ? error.message : (error as Error).message;
    diags.add(Severity.Error, message);
    return { text: raw, diags };
  }
}
