// `export "<name>" { value = ... }`: an output of a module, handed to the component that runs the
// module as its exports.
import type { BlockStmt } from "../../syntax/ast.ts";
import { attr, struct, t } from "../../syntax/schema/index.ts";
import type { Value } from "../../syntax/value/index.ts";
import { decodeBody, type Scope } from "../../syntax/vm/index.ts";
import { blockIdString, type BlockNode, wrapError } from "./types.ts";

export const ExportBlock = struct({ value: attr(t.value()) });

export class ExportConfigNode implements BlockNode {
  readonly nodeId: string;
  readonly label: string;
  #block: BlockStmt;
  #value: Value = null;

  constructor(block: BlockStmt) {
    this.nodeId = blockIdString(block);
    this.label = block.label;
    this.#block = block;
  }

  get block(): BlockStmt {
    return this.#block;
  }

  updateBlock(block: BlockStmt): void {
    this.#block = block;
  }

  async evaluate(scope: Scope): Promise<void> {
    try {
      this.#value = decodeBody(this.#block.body, ExportBlock, scope).value;
    } catch (e) {
      throw wrapError("decoding configuration", e);
    }
  }

  get value(): Value {
    return this.#value;
  }
}
