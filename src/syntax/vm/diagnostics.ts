// Turns a value error into a diagnostic positioned at the expression that
// produced the offending value (Alloy's vm/error.go makeDiagnostic).
//
// The chain of value errors is walked from the outside in. Element and field
// errors append `[i]` / `.field` to a path; whenever a value in the chain is
// known to come from an expression, that expression becomes the anchor and
// the path restarts from it. The message is `<expression><path> <message>`,
// e.g. `key_value.object.field1[2] should be number, got string`, and the
// printed value is attached unless the anchor is the value itself.

import { endPos, startPos } from "../ast.ts";
import { Diagnostics, Severity } from "../diag.ts";
import { quote } from "../quote.ts";
import { NoPosition } from "../token.ts";
import {
  ArgError,
  ElementError,
  FieldError,
  formatValue,
  MissingKeyError,
  typeOf,
  type Value,
  ValueError,
  ValueTypeError,
  walkValueError,
} from "../value/index.ts";
import type { Expr } from "../ast.ts";
import { printNode } from "../printer.ts";
import type { ChildRef, Tracker } from "./tracker.ts";

/**
 * Converts err to Diagnostics when it is a value error; any other error is
 * returned unchanged.
 */
export function toDiagnostic(err: unknown, tr: Tracker): unknown {
  let node: Expr | undefined;
  let path = "";
  let message = "";
  let cause: Value = null;
  let literal = false;
  let parent: ChildRef | undefined;

  const isValueError = walkValueError(err, (e) => {
    let val: Value;
    let next: ChildRef | undefined;
    if (e instanceof ValueTypeError) {
      message = `should be ${e.expected}, got ${typeOf(e.value)}`;
      val = e.value;
    } else if (e instanceof MissingKeyError) {
      message = `does not have field named ${quote(e.missing)}`;
      val = e.value;
    } else if (e instanceof ElementError) {
      path += `[${e.index}]`;
      val = e.value;
      next = { container: e.value, index: e.index };
    } else if (e instanceof FieldError) {
      path += `.${e.field}`;
      val = e.value;
      next = { container: e.value, key: e.field };
    } else if (e instanceof ArgError) {
      message = e.inner.message;
      val = e.argument;
    } else {
      message = (e as ValueError).message;
      val = e.value;
    }
    cause = val;

    const found = tr.nodeFor(val, parent);
    if (found !== undefined) {
      // The anchor expression shows everything up to here: restart the path.
      if (literal) path = "";
      node = found;
      literal = true;
    } else {
      literal = false;
    }
    parent = next;
  });
  if (!isValueError) return err;

  const text = node !== undefined ? `${printNode(node)}${path} ${message}` : `${path} ${message}`;
  const value = cause !== null && !literal ? formatValue(cause) : "";
  return new Diagnostics([
    {
      severity: Severity.Error,
      startPos: node !== undefined ? startPos(node).position() : NoPosition,
      endPos: node !== undefined ? endPos(node).position() : NoPosition,
      message: text,
      value,
    },
  ]);
}
