// import.string: the module is the `content` attribute itself. module_path is inherited from the
// importing module's scope.
import type { BlockStmt } from "../../syntax/ast.ts";
import { attr, struct, t } from "../../syntax/schema/index.ts";
import { decodeBody, type Scope } from "../../syntax/vm/index.ts";
import type { Health } from "../component.ts";
import { wrapError } from "../nodes/types.ts";
import { aborted, type ContentHandler, type ImportSource } from "./types.ts";

export const StringArguments = struct({ content: attr(t.optionalSecret()) });

export class ImportString implements ImportSource {
  #block: BlockStmt;
  #content: string | undefined;
  #modulePath = "";

  constructor(
    block: BlockStmt,
    private readonly onContentChange: ContentHandler,
  ) {
    this.#block = block;
  }

  updateBlock(block: BlockStmt): void {
    this.#block = block;
  }

  async evaluate(scope: Scope): Promise<void> {
    let content: string;
    try {
      content = decodeBody(this.#block.body, StringArguments, scope).content?.value ?? "";
    } catch (e) {
      throw wrapError("decoding configuration", e);
    }
    if (content === this.#content) return;
    this.#content = content;
    const modulePath = scope.variables.get("module_path");
    this.#modulePath = typeof modulePath === "string" ? modulePath : "";
    await this.onContentChange(new Map([["import_string", content]]));
  }

  run(signal: AbortSignal): Promise<void> {
    return aborted(signal);
  }

  health(): Health {
    // Always healthy; Alloy gives this report no time.
    return { state: "healthy", message: "", updatedAt: new Date(0) };
  }

  modulePath(): string {
    return this.#modulePath;
  }
}
