// Writing schema values into the token builder (Go's builder.Body.AppendFrom):
// the converter fills a block's body from a component's arguments, leaving
// out optional settings that hold their defaults.

import { Block, type Body } from "../builder.ts";
import { toBuilderValue } from "../value/builder.ts";
import { type BodyItem, encodeBody } from "./encode.ts";
import type { Type } from "./types.ts";

/** Appends encoded statements to a builder body. */
export function appendBodyItems(body: Body, items: readonly BodyItem[]): void {
  for (const item of items) {
    if (item.type === "attr") {
      body.setAttributeValue(item.name, toBuilderValue(item.value));
    } else {
      const block = new Block(item.name.split("."), item.label);
      appendBodyItems(block.body, item.body);
      body.appendBlock(block);
    }
  }
}

/**
 * Appends the settings of `host` (a value of a body type, e.g. a component's
 * arguments) to a builder body, omitting optional ones at their defaults.
 */
export function appendFrom(body: Body, type: Type<any>, host: unknown): void {
  appendBodyItems(body, encodeBody(type, host, "builder"));
}
