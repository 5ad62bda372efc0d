// A service in the root graph: always present, configured by an optional top-level block named
// after it, updated when that configuration changes, run like a component (Alloy's ServiceNode).
import type { BlockStmt } from "../../syntax/ast.ts";
import { decodeBody, type Scope } from "../../syntax/vm/index.ts";
import type { Service, ServiceHost } from "../service.ts";
import { type RunnableNode, wrapError } from "./types.ts";

export class ServiceNode implements RunnableNode {
  readonly nodeId: string;
  #block: BlockStmt | undefined;
  #args: unknown;
  #configured = false;

  constructor(
    readonly service: Service<any>,
    private readonly host: ServiceHost,
  ) {
    this.nodeId = service.definition.name;
  }

  get block(): BlockStmt | undefined {
    return this.#block;
  }

  /** Sets or (with undefined) removes the block configuring the service. */
  updateBlock(block: BlockStmt | undefined): void {
    this.#block = block;
  }

  async evaluate(scope: Scope): Promise<void> {
    const schema = this.service.definition.args;
    if (!schema) {
      if (this.#block) throw new Error(`service "${this.nodeId}" does not support being configured`);
      return;
    }
    let args: unknown;
    try {
      args = decodeBody(this.#block?.body ?? [], schema, scope);
    } catch (e) {
      throw wrapError("decoding configuration", e);
    }
    if (this.#configured && schema.equal(this.#args, args)) return;
    try {
      await this.service.update(args);
    } catch (e) {
      throw wrapError("updating service", e);
    }
    this.#args = args;
    this.#configured = true;
  }

  run(signal: AbortSignal): Promise<void> {
    return this.service.run(this.host, signal);
  }
}
