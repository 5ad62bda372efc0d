// `declare "<name>" { ... }`: the template of a custom component. The node evaluates nothing; it
// is in the graph so that declares using each other in a loop are reported as a cycle, and so that
// instances depend on it.
import type { BlockStmt } from "../../syntax/ast.ts";
import { blockIdString, type BlockNode } from "./types.ts";

export class DeclareNode implements BlockNode {
  readonly nodeId: string;
  readonly label: string;
  #block: BlockStmt;

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

  async evaluate(): Promise<void> {}
}
