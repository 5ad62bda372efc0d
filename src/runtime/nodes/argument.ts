// `argument "<name>" { optional, default, comment }`: declares an input of a module. The value a
// module is given (or the default) is exposed as `argument.<name>.value` by the controller.
import type { BlockStmt } from "../../syntax/ast.ts";
import { attr, struct, t } from "../../syntax/schema/index.ts";
import type { Value } from "../../syntax/value/index.ts";
import { decodeBody, type Scope } from "../../syntax/vm/index.ts";
import { blockIdString, type BlockNode, wrapError } from "./types.ts";

export const ArgumentBlock = struct({
  optional: attr(t.bool(), { optional: true }),
  default: attr(t.value(), { optional: true }),
  comment: attr(t.string(), { optional: true }),
});

export class ArgumentConfigNode implements BlockNode {
  readonly nodeId: string;
  readonly label: string;
  #block: BlockStmt;
  #optional = false;
  #default: Value = null;

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
      const args = decodeBody(this.#block.body, ArgumentBlock, scope);
      this.#optional = args.optional;
      this.#default = args.default;
    } catch (e) {
      throw wrapError("decoding configuration", e);
    }
  }

  get optional(): boolean {
    return this.#optional;
  }

  get defaultValue(): Value {
    return this.#default;
  }
}
