// Values that print themselves: references to other components' exports (written as raw
// expressions) and lists of discovery targets (Alloy's ConvertTargets: static targets as object
// lists, exports as expressions, several sources joined with array.concat).
import { type BuilderToken, literal, tok, type Tokenizer, valueTokens } from "../../syntax/builder.ts";
import { Token } from "../../syntax/token.ts";

/** An expression printed as is, e.g. `prometheus.remote_write.default.receiver`. */
export class ExprRef implements Tokenizer {
  constructor(readonly expr: string) {}
  alloyTokenize(): BuilderToken[] {
    return [literal(this.expr)];
  }
}

/** The key the converter uses for a target that stands for another component's export. */
export const EXPR_KEY = "__expr__";

/** A discovery target: a label set, or `{ __expr__: "<expression>" }`. */
export type Target = Record<string, string>;

/** A target list holding one component export. */
export function exportTargets(expr: string): Target[] {
  return [{ [EXPR_KEY]: expr }];
}

/** Tokens for a list of targets (Go's ConvertTargets.AlloyTokenize). */
export function targetTokens(targets: readonly Target[]): BuilderToken[] {
  if (targets.length === 0) return valueTokens([]);
  const out: BuilderToken[] = [];
  const many = targets.length > 1;
  if (many) out.push(literal("array.concat"), tok(Token.LPAREN), literal("\n"));
  targets.forEach((target, i) => {
    const last = i === targets.length - 1;
    const labels: Record<string, string> = {};
    let hasLabels = false;
    for (const key of Object.keys(target)) {
      if (key === EXPR_KEY) {
        out.push(literal(target[key]!));
        if (!last) out.push(tok(Token.COMMA), literal("\n"));
      } else {
        Object.defineProperty(labels, key, { value: target[key], enumerable: true, writable: true, configurable: true });
        hasLabels = true;
      }
    }
    if (hasLabels) {
      out.push(...valueTokens([labels]));
      if (!last) out.push(tok(Token.COMMA), literal("\n"));
    }
  });
  if (many) out.push(tok(Token.COMMA), literal("\n"), tok(Token.RPAREN));
  return out;
}
