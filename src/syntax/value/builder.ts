// Bridges Alloy values to the token builder (src/syntax/builder.ts), so that
// code generating Alloy source (the converter, `alloy fmt`-style output) can
// place evaluated values into files. Numbers keep Alloy's printed form,
// objects keep their key order rules, capsules print as Alloy prints them.

import { type BuilderToken, type BuilderValue, literal, OrderedObject, tok, type Tokenizer } from "../builder.ts";
import { Token } from "../token.ts";
import { NumberValue } from "./number.ts";
import { capsuleAsObject, CapsuleValue, FunctionValue, ObjectValue, type Value } from "./types.ts";

class NumberTokens implements Tokenizer {
  constructor(private readonly text: string) {}
  alloyTokenize(): BuilderToken[] {
    return [tok(Token.NUMBER, this.text)];
  }
}

class LiteralTokens implements Tokenizer {
  constructor(private readonly text: string) {}
  alloyTokenize(): BuilderToken[] {
    return [literal(this.text)];
  }
}

function objectToBuilder(obj: ObjectValue): BuilderValue {
  if (obj.ordered) return new OrderedObject([...obj.entries].map(([k, v]) => [k, toBuilderValue(v)] as const));
  const out: Record<string, BuilderValue> = {};
  for (const [k, v] of obj.entries) {
    if (k === "__proto__") Object.defineProperty(out, k, { value: toBuilderValue(v), enumerable: true });
    else out[k] = toBuilderValue(v);
  }
  return out;
}

/** Converts a value to something the token builder can encode. */
export function toBuilderValue(v: Value): BuilderValue {
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (v instanceof NumberValue) return new NumberTokens(v.toString());
  if (Array.isArray(v)) return v.map(toBuilderValue);
  if (v instanceof ObjectValue) return objectToBuilder(v);
  if (v instanceof FunctionValue) return new LiteralTokens("function");
  const c = v as CapsuleValue;
  const printed = c.printed();
  if (printed !== undefined) return new LiteralTokens(printed);
  const obj = capsuleAsObject(c);
  if (obj !== undefined) return objectToBuilder(obj);
  return new LiteralTokens(c.describe());
}
