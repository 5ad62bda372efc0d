// Remembers which expression produced which value during one evaluation, so
// that a value error can be reported at the expression that caused it
// (Alloy's `assoc` map in the vm).
//
// Objects (arrays, objects, numbers, functions, capsules) are matched by
// identity. Strings and booleans have no identity in JavaScript: they are
// matched by value within the current attribute, and by position when they
// are elements of an array or object literal evaluated here.

import type { ArrayExpr, Expr, ObjectExpr } from "../ast.ts";
import type { Value } from "../value/index.ts";

/** Where a value sits inside its parent, for locating literal elements. */
export interface ChildRef {
  readonly container: Value;
  readonly index?: number;
  readonly key?: string;
}

export class Tracker {
  private readonly objects = new Map<object, Expr>();
  private readonly primitives = new Map<string | boolean, Expr>();
  private readonly literals = new Map<object, ArrayExpr | ObjectExpr>();

  /** Forgets everything (called before each attribute). */
  clear(): void {
    this.objects.clear();
    this.primitives.clear();
    this.literals.clear();
  }

  /** Records that expr produced v; later producers of the same value win, as in Alloy. */
  record(v: Value, expr: Expr): void {
    if (v === null) return;
    if (typeof v === "object") this.objects.set(v, expr);
    else this.primitives.set(v, expr);
  }

  /** Records the literal that built an array or object, to find its elements' expressions. */
  recordLiteral(v: Value, expr: ArrayExpr | ObjectExpr): void {
    if (v !== null && typeof v === "object") this.literals.set(v, expr);
  }

  /** The expression that produced v, if known. */
  nodeFor(v: Value, parent?: ChildRef): Expr | undefined {
    if (v === null) return undefined;
    if (typeof v === "object") return this.objects.get(v);
    if (parent !== undefined && parent.container !== null && typeof parent.container === "object") {
      const lit = this.literals.get(parent.container);
      if (lit !== undefined) {
        const child = literalChild(lit, parent);
        if (child !== undefined) return child;
      }
    }
    return this.primitives.get(v);
  }
}

function literalChild(lit: ArrayExpr | ObjectExpr, ref: ChildRef): Expr | undefined {
  if (lit.type === "ArrayExpr") return ref.index !== undefined ? lit.elements[ref.index] : undefined;
  if (ref.key === undefined) return undefined;
  // The last field with the key wins, like the map Alloy builds.
  for (let i = lit.fields.length - 1; i >= 0; i--) {
    const f = lit.fields[i]!;
    if (f.name.name === ref.key) return f.value;
  }
  return undefined;
}
