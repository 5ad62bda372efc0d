// Static checking of a block against a schema without evaluating it
// (Alloy's syntax/typecheck, used by `alloy validate`): unknown or repeated
// attributes and blocks, missing required ones, and the types of literal
// values (including literals inside arrays and objects, and operators whose
// operands are literals). Expressions that need evaluation are not checked.

import { type BlockStmt, type Expr, endPos, type LiteralExpr, type Node, type ObjectExpr, startPos } from "../ast.ts";
import { type Diagnostic, errorDiagnostic } from "../diag.ts";
import { StructType } from "../schema/struct.ts";
import { ArrayType, MapType, NullableType, type Type } from "../schema/types.ts";
import type { Value } from "../value/index.ts";
import { literalValue } from "./literal.ts";
import { binaryOp, unaryOp } from "./ops.ts";

function diag(from: Node, to: Node, message: string): Diagnostic {
  return errorDiagnostic(startPos(from).position(), endPos(to).position(), message);
}

// Pointers do not matter to the checks.
function unwrap(type: Type<any>): Type<any> {
  while (type instanceof NullableType) type = type.inner;
  return type;
}

function isAny(type: Type<any>): boolean {
  return unwrap(type).alloyType === "any";
}

/** Checks a block against a body type (struct schema, map or any). */
export function typecheckBlock(b: BlockStmt, type: Type<any>): Diagnostic[] {
  const out: Diagnostic[] = [];
  checkBlock(b, unwrap(type), out);
  return out;
}

function checkBlock(b: BlockStmt, type: Type<any>, out: Diagnostic[]): void {
  if (!(type instanceof StructType)) {
    if (b.label !== "") {
      out.push(
        errorDiagnostic(b.namePos.position(), b.lCurlyPos.position(), `block ${JSON.stringify(b.name.join("."))} requires empty label`),
      );
    }
    return;
  }

  const blockCount = new Map<string, number>();
  for (const stmt of b.body) {
    if (stmt.type === "BlockStmt") {
      const name = stmt.name.join(".");
      blockCount.set(name, (blockCount.get(name) ?? 0) + 1);
    }
  }

  const seenAttrs = new Set<string>();
  for (const stmt of b.body) {
    if (stmt.type === "BlockStmt") checkStructBlock(stmt, type, blockCount, out);
    else {
      const name = stmt.name.name;
      const f = type.lookup.get(name);
      if (f === undefined) {
        out.push(diag(stmt, stmt, `unrecognized attribute name ${JSON.stringify(name)}`));
      } else if (f.def.kind !== "attr") {
        out.push(diag(stmt, stmt, `${JSON.stringify(name)} must be a block, but is used as an attribute`));
      } else if (seenAttrs.has(name)) {
        out.push(diag(stmt, stmt, `attribute ${JSON.stringify(name)} may only be provided once`));
      } else {
        seenAttrs.add(name);
        checkExpr(stmt.value, f.def.type, out);
      }
    }
  }

  for (const f of type.flat) {
    const d = f.def;
    if (d.kind === "label" || d.kind === "enum" || d.kind === "squash" || d.optional) continue;
    if (d.kind === "attr") {
      if (!seenAttrs.has(f.name)) out.push(diag(b, b, `missing required attribute ${JSON.stringify(f.name)}`));
    } else if (!blockCount.has(f.name)) {
      out.push(diag(b, b, `missing required block ${JSON.stringify(f.name)}`));
    }
  }
}

function checkStructBlock(b: BlockStmt, type: StructType<any>, blockCount: Map<string, number>, out: Diagnostic[]): void {
  const name = b.name.join(".");
  const member = type.enumLookup.get(name);
  if (member !== undefined) {
    checkBlock(b, unwrap(member.type), out);
    return;
  }
  const f = type.lookup.get(name);
  if (f === undefined) {
    out.push(diag(b, b, `unrecognized block name ${JSON.stringify(name)}`));
    return;
  }
  const d = f.def;
  if (d.kind === "attr") {
    out.push(diag(b, b, `${JSON.stringify(name)} must be an attribute, but is used as a block`));
    return;
  }
  const count = blockCount.get(name) ?? 0;
  if (d.kind === "blocks") {
    if (d.exactly !== undefined && d.exactly !== count) {
      out.push(diag(b, b, `block ${JSON.stringify(name)} must be specified exactly ${d.exactly} times, but was specified ${count} times`));
      return;
    }
    checkBlock(b, unwrap(d.type), out);
    return;
  }
  if (d.kind === "block") {
    if (count > 1) {
      out.push(diag(b, b, `block ${JSON.stringify(name)} may only be specified once`));
      return;
    }
    checkBlock(b, unwrap(d.type), out);
  }
}

// Decodes a constant into the type; returns the error message, if any.
function checkValue(v: Value, type: Type<any>): string | undefined {
  try {
    type.decode(v);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function checkLiteral(expr: LiteralExpr, type: Type<any>, out: Diagnostic[]): void {
  let v: Value;
  try {
    v = literalValue(expr);
  } catch {
    return; // malformed literals are reported by evaluation
  }
  const msg = checkValue(v, type);
  if (msg !== undefined) out.push(diag(expr, expr, msg));
}

function checkExpr(expr: Expr, type: Type<any>, out: Diagnostic[]): void {
  switch (expr.type) {
    case "LiteralExpr":
      checkLiteral(expr, type, out);
      return;
    case "ArrayExpr": {
      if (isAny(type)) return;
      const t = unwrap(type);
      if (!(t instanceof ArrayType)) {
        out.push(diag(expr, expr, `expected ${t.alloyType}, got array`));
        return;
      }
      if (isAny(t.elem)) return;
      for (const e of expr.elements) checkExpr(e, t.elem, out);
      return;
    }
    case "ObjectExpr":
      checkObject(expr, type, out);
      return;
    case "UnaryExpr": {
      if (expr.value.type !== "LiteralExpr") return;
      let operand: Value;
      try {
        operand = literalValue(expr.value);
      } catch {
        return;
      }
      try {
        unaryOp(expr.kind, operand);
      } catch (e) {
        out.push(diag(expr.value, expr.value, (e as Error).message));
        return;
      }
      checkLiteral(expr.value, type, out);
      return;
    }
    case "BinaryExpr": {
      if (expr.left.type !== "LiteralExpr" || expr.right.type !== "LiteralExpr") return;
      let result: Value;
      try {
        result = binaryOp(literalValue(expr.left), expr.kind, literalValue(expr.right));
      } catch (e) {
        out.push(diag(expr.left, expr.right, (e as Error).message));
        return;
      }
      const msg = checkValue(result, type);
      if (msg !== undefined) out.push(diag(expr, expr, msg));
      return;
    }
    default:
      return; // needs evaluation
  }
}

function checkObject(expr: ObjectExpr, type: Type<any>, out: Diagnostic[]): void {
  if (isAny(type)) return;
  const t = unwrap(type);
  if (t.alloyType === "capsule") {
    out.push(diag(expr, expr, "expected capsule, got object"));
    return;
  }
  if (t instanceof MapType) {
    if (isAny(t.elem)) return;
    for (const f of expr.fields) checkExpr(f.value, t.elem, out);
    return;
  }
  if (!(t instanceof StructType)) {
    out.push(diag(expr, expr, `expected ${t.alloyType}, got object`));
    return;
  }
  const seen = new Set<string>();
  for (const f of expr.fields) {
    const name = f.name.name;
    const field = t.lookup.get(name);
    if (field === undefined) {
      out.push(errorDiagnostic(startPos(f.name).position(), endPos(f.value).position(), `unrecognized attribute name ${JSON.stringify(name)}`));
      continue;
    }
    seen.add(name);
    const d = field.def;
    if (d.kind === "attr" || d.kind === "block") checkExpr(f.value, d.type, out);
  }
  for (const f of t.flat) {
    if (f.def.kind !== "attr" || f.def.optional) continue;
    if (!seen.has(f.name)) out.push(diag(expr, expr, `missing required attribute ${JSON.stringify(f.name)}`));
  }
}
