// References between blocks: the chains of names an expression reads (`a.b.c`), and their
// resolution against the nodes of a graph by the shortest prefix that names a node
// (Alloy's internal/util/ast). A reference `prometheus.scrape.default.targets` resolves to the node
// `prometheus.scrape.default`, leaving `targets` as the field path.
import type { Body, Expr, Ident, Stmt } from "../syntax/ast.ts";
import { endPos, startPos } from "../syntax/ast.ts";
import { type Diagnostic, errorDiagnostic } from "../syntax/diag.ts";
import type { GraphNode } from "./dag.ts";

/** An uninterrupted chain of field accesses starting at an identifier. */
export type Traversal = Ident[];

export function traversalString(t: Traversal): string {
  return t.map((i) => i.name).join(".");
}

/**
 * Every traversal in a body. Indexing and calls interrupt a chain: `a.b[0].c` yields `a.b`, and
 * `f(x).y` yields `f` and `x.y` (Alloy's walker keeps extending the last chain it started).
 */
export function traversalsFromBody(body: Body): Traversal[] {
  const walker = new TraversalWalker();
  walker.body(body);
  walker.flush();
  return walker.traversals;
}

class TraversalWalker {
  readonly traversals: Traversal[] = [];
  #building = false;
  #current: Traversal = [];

  flush(): void {
    if (this.#building && this.#current.length > 0) this.traversals.push(this.#current);
    this.#building = false;
    this.#current = [];
  }

  body(body: Body): void {
    for (const stmt of body) this.stmt(stmt);
  }

  stmt(stmt: Stmt): void {
    if (stmt.type === "AttributeStmt") this.expr(stmt.value);
    else this.body(stmt.body);
  }

  expr(e: Expr): void {
    switch (e.type) {
      case "IdentifierExpr":
        this.flush();
        this.#building = true;
        this.#current.push(e.ident);
        return;
      case "AccessExpr":
        this.expr(e.value);
        if (this.#building) this.#current.push(e.name);
        return;
      case "IndexExpr":
        this.expr(e.value);
        this.flush();
        this.expr(e.index);
        return;
      case "CallExpr":
        this.expr(e.value);
        this.flush();
        for (const arg of e.args) this.expr(arg);
        return;
      case "ArrayExpr":
        for (const el of e.elements) this.expr(el);
        return;
      case "ObjectExpr":
        for (const field of e.fields) this.expr(field.value);
        return;
      case "UnaryExpr":
        this.expr(e.value);
        return;
      case "BinaryExpr":
        this.expr(e.left);
        this.expr(e.right);
        return;
      case "ParenExpr":
        this.expr(e.inner);
        return;
      case "LiteralExpr":
        return;
    }
  }
}

export interface Reference<N> {
  target: N;
  /** The field path after the node's id. */
  rest: Traversal;
}

/** Resolves a traversal to the node named by its shortest prefix, or explains why it cannot. */
export function resolveTraversal<N extends GraphNode>(
  t: Traversal,
  lookup: (id: string) => N | undefined,
): Reference<N> | Diagnostic {
  let id = "";
  for (let i = 0; i < t.length; i++) {
    id = i === 0 ? t[0]!.name : `${id}.${t[i]!.name}`;
    const target = lookup(id);
    if (target) return { target, rest: t.slice(i + 1) };
  }
  return errorDiagnostic(
    startPos(t[0]!).position(),
    endPos(t[t.length - 1]!).position(),
    `component "${id}" does not exist or is out of scope`,
  );
}

export function isReference<N>(r: Reference<N> | Diagnostic): r is Reference<N> {
  return "target" in r;
}

/** What the names a stdlib lookup needs (the controller's stdlib, or the default one). */
export interface StdlibNames {
  isIdentifier(name: string): boolean;
  isDeprecated(name: string): boolean;
  isExperimental(fullName: string): boolean;
}

/**
 * How a traversal of a block is understood (Alloy's findReferences, shared by the loader and the
 * validator, which report the outcomes differently):
 * - `reference`: it names a node (`shadowsStdlib` when the first name is also a stdlib identifier);
 * - `unresolved`: neither a node nor a variable of the scope or the standard library;
 * - `deprecated`: a deprecated standard library alias (`env`, `concat` …);
 * - `experimental`: an experimental standard library function, by its full name;
 * - `scope`: any other variable or standard library name.
 */
export type TraversalUse<N> =
  | { kind: "reference"; reference: Reference<N>; shadowsStdlib: boolean }
  | { kind: "unresolved"; diagnostic: Diagnostic }
  | { kind: "deprecated" }
  | { kind: "experimental"; name: string }
  | { kind: "scope" };

export function classifyTraversal<N extends GraphNode>(
  t: Traversal,
  lookup: (id: string) => N | undefined,
  inScope: (name: string) => boolean,
  stdlib: StdlibNames,
): TraversalUse<N> {
  const resolved = resolveTraversal(t, lookup);
  const first = t[0]!.name;
  if (isReference(resolved)) return { kind: "reference", reference: resolved, shadowsStdlib: stdlib.isIdentifier(first) };
  if (!inScope(first)) return { kind: "unresolved", diagnostic: resolved };
  if (stdlib.isDeprecated(first)) return { kind: "deprecated" };
  const name = traversalString(t);
  if (stdlib.isExperimental(name)) return { kind: "experimental", name };
  return { kind: "scope" };
}
