// Public API of the Alloy evaluator.
//
//   evaluateExpression(expr | source, scope)      -> Value
//   decodeExpression(expr | source, type, scope)  -> host value of `type`
//   decodeBody(file | body | block, type, scope)  -> host value of `type`
//
// Errors are thrown: Diagnostics (from diag.ts) for problems that have a
// position, plain Errors otherwise (e.g. `missing required attribute "x"`).

import type { BlockStmt, Body, Expr, File } from "../ast.ts";
import { parseExpression } from "../parser.ts";
import type { Type } from "../schema/types.ts";
import type { Value } from "../value/index.ts";
import { decodeBlockOrBody } from "./body.ts";
import { toDiagnostic } from "./diagnostics.ts";
import { evalExpr } from "./evaluate.ts";
import { Scope } from "./scope.ts";
import { Tracker } from "./tracker.ts";

export { Scope } from "./scope.ts";
export { binaryOp, unaryOp } from "./ops.ts";
export { literalValue, unquote, valueFromLiteral } from "./literal.ts";

function toExpr(src: Expr | string): Expr {
  return typeof src === "string" ? parseExpression(src) : src;
}

/** Evaluates an expression (AST or source text) to a value. */
export function evaluateExpression(src: Expr | string, scope: Scope = new Scope()): Value {
  const expr = toExpr(src);
  const tr = new Tracker();
  try {
    return evalExpr(expr, scope, tr);
  } catch (e) {
    throw toDiagnostic(e, tr);
  }
}

/** Evaluates an expression and decodes the result into `type`. */
export function decodeExpression<T>(src: Expr | string, type: Type<T>, scope: Scope = new Scope()): T {
  const expr = toExpr(src);
  const tr = new Tracker();
  try {
    return type.decode(evalExpr(expr, scope, tr));
  } catch (e) {
    throw toDiagnostic(e, tr);
  }
}

/**
 * Decodes a file, a body or a block into `type` (a struct schema, a map
 * type or the any type). For a block, its label is checked against the
 * schema's label field.
 */
export function decodeBody<T>(node: File | Body | BlockStmt, type: Type<T>, scope: Scope = new Scope()): T {
  const target: Body | BlockStmt = Array.isArray(node) ? node : node.type === "File" ? node.body : node;
  const tracker = new Tracker();
  try {
    return decodeBlockOrBody({ scope, tracker }, target, type) as T;
  } catch (e) {
    throw toDiagnostic(e, tracker);
  }
}
export { typecheckBlock } from "./typecheck.ts";
