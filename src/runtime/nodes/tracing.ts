// The `tracing` block: sampling of the agent's own traces and where to send them. The agent does
// not export traces yet, so the node validates the block and keeps the options for whoever will.
import type { BlockStmt } from "../../syntax/ast.ts";
import { attr, block, struct, t } from "../../syntax/schema/index.ts";
import { Minute } from "../../syntax/schema/index.ts";
import type { Value } from "../../syntax/value/index.ts";
import { decodeBody, type Scope } from "../../syntax/vm/index.ts";
import type { BlockNode } from "./types.ts";
import { wrapError } from "./types.ts";

export const JaegerRemoteSamplerBlock = struct(
  {
    url: attr(t.string(), { optional: true }),
    max_operations: attr(t.int(), { optional: true }),
    refresh_interval: attr(t.duration(), { optional: true }),
  },
  { defaults: () => ({ url: "http://127.0.0.1:5778/sampling", max_operations: 256, refresh_interval: Minute }) },
);

export const TracingBlock = struct(
  {
    sampling_fraction: attr(t.float64(), { optional: true }),
    send_traceparent: attr(t.bool(), { optional: true }),
    sampler: block(struct({ jaeger_remote: block(JaegerRemoteSamplerBlock, { optional: true }) }), {
      optional: true,
    }),
    write_to: attr(t.array(t.value()), { optional: true }),
  },
  { defaults: () => ({ sampling_fraction: 0.1, send_traceparent: false, write_to: [] as Value[] }) },
);

export type TracingOptions = ReturnType<typeof TracingBlock.defaults>;

/** The current tracing options, for the tracer that will use them. */
export class TracingConfigHolder {
  options: TracingOptions = TracingBlock.defaults();
  readonly #listeners = new Set<(options: TracingOptions) => void>();

  update(options: TracingOptions): void {
    this.options = options;
    for (const listener of this.#listeners) listener(options);
  }

  /** Calls listener on every change; returns a function that stops it. */
  onChange(listener: (options: TracingOptions) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

export class TracingConfigNode implements BlockNode {
  readonly nodeId = "tracing";
  #block: BlockStmt | undefined;

  constructor(
    private readonly holder: TracingConfigHolder,
    block: BlockStmt | undefined,
  ) {
    this.#block = block;
  }

  get block(): BlockStmt | undefined {
    return this.#block;
  }

  updateBlock(block: BlockStmt): void {
    this.#block = block;
  }

  async evaluate(scope: Scope): Promise<void> {
    let options = TracingBlock.defaults();
    if (this.#block) {
      try {
        options = decodeBody(this.#block.body, TracingBlock, scope);
      } catch (e) {
        throw wrapError("decoding configuration", e);
      }
    }
    this.holder.update(options);
  }
}
