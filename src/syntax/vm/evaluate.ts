// Expression evaluation (Alloy's vm.evaluateExpr).
//
// Semantics worth knowing:
//   - both sides of && and || are always evaluated (no short-circuit);
//   - `obj.missing` is an error, `obj["missing"]` is null;
//   - an index out of range is an error;
//   - capsules that can present themselves as objects support `.` and `[]`.
// Errors are thrown; value errors are turned into positioned diagnostics by
// the public entry points (see diagnostics.ts).

import { endPos, type Expr, type Node, startPos } from "../ast.ts";
import { Diagnostics, errorDiagnostic } from "../diag.ts";
import {
  capsuleAsObject,
  CapsuleValue,
  FunctionValue,
  NumberValue,
  ObjectValue,
  typeOf,
  type Value,
  ValueError,
  ValueTypeError,
} from "../value/index.ts";
import { literalValue } from "./literal.ts";
import { binaryOp, unaryOp } from "./ops.ts";
import type { Scope } from "./scope.ts";
import type { Tracker } from "./tracker.ts";

/** A diagnostic spanning an AST node. */
export function positioned(node: Node, message: string): Diagnostics {
  return new Diagnostics([errorDiagnostic(startPos(node).position(), endPos(node).position(), message)]);
}

/**
 * Evaluates an expression. Throws value errors (for diagnostics.ts to
 * position), Diagnostics, or plain errors from functions.
 */
export function evalExpr(expr: Expr, scope: Scope, tr: Tracker): Value {
  const v = evalInner(expr, scope, tr);
  tr.record(v, expr);
  return v;
}

function evalInner(expr: Expr, scope: Scope, tr: Tracker): Value {
  switch (expr.type) {
    case "LiteralExpr":
      return literalValue(expr);

    case "BinaryExpr": {
      const lhs = evalExpr(expr.left, scope, tr);
      const rhs = evalExpr(expr.right, scope, tr);
      return binaryOp(lhs, expr.kind, rhs);
    }

    case "ArrayExpr": {
      const out = new Array<Value>(expr.elements.length);
      for (let i = 0; i < out.length; i++) out[i] = evalExpr(expr.elements[i]!, scope, tr);
      tr.recordLiteral(out, expr);
      return out;
    }

    case "ObjectExpr": {
      const m = new Map<string, Value>();
      for (const f of expr.fields) m.set(f.name.name, evalExpr(f.value, scope, tr));
      const obj = new ObjectValue(m, false);
      tr.recordLiteral(obj, expr);
      return obj;
    }

    case "IdentifierExpr": {
      const v = scope.lookup(expr.ident.name);
      if (v === undefined) throw positioned(expr, `identifier ${JSON.stringify(expr.ident.name)} does not exist`);
      return v;
    }

    case "AccessExpr": {
      const val = evalExpr(expr.value, scope, tr);
      const name = expr.name.name;
      let obj: ObjectValue | undefined;
      if (val instanceof ObjectValue) obj = val;
      else if (val instanceof CapsuleValue) {
        obj = capsuleAsObject(val);
        if (obj === undefined) {
          throw new ValueError(val, `expected object or array or a capsule convertible to an object, got ${typeOf(val)}`);
        }
      } else {
        throw new ValueError(val, `cannot access field ${JSON.stringify(name)} on value of type ${typeOf(val)}`);
      }
      const field = obj.get(name);
      if (field === undefined) throw positioned(expr.name, `field ${JSON.stringify(name)} does not exist`);
      return field;
    }

    case "IndexExpr": {
      const val = evalExpr(expr.value, scope, tr);
      const idx = evalExpr(expr.index, scope, tr);
      if (Array.isArray(val)) {
        if (!(idx instanceof NumberValue)) throw new ValueTypeError(idx, "number");
        const i = Number(idx.toInt64());
        if (i < 0 || i >= val.length) {
          throw new ValueError(idx, `index ${i} is out of range of array with length ${val.length}`);
        }
        return val[i]!;
      }
      let obj: ObjectValue | undefined;
      if (val instanceof ObjectValue) obj = val;
      else if (val instanceof CapsuleValue) {
        obj = capsuleAsObject(val);
        if (obj === undefined) {
          throw new ValueError(val, `expected object or array or a capsule convertible to an object, got ${typeOf(val)}`);
        }
      } else {
        throw new ValueError(val, `expected object or array, got ${typeOf(val)}`);
      }
      if (typeof idx !== "string") throw new ValueTypeError(idx, "string");
      return obj.get(idx) ?? null;
    }

    case "ParenExpr":
      return evalExpr(expr.inner, scope, tr);

    case "UnaryExpr":
      return unaryOp(expr.kind, evalExpr(expr.value, scope, tr));

    case "CallExpr": {
      const fn = evalExpr(expr.value, scope, tr);
      if (!(fn instanceof FunctionValue)) throw new ValueTypeError(fn, "function");
      const args = new Array<Value>(expr.args.length);
      for (let i = 0; i < args.length; i++) args[i] = evalExpr(expr.args[i]!, scope, tr);
      return fn.call(args);
    }
  }
}
