// The controller's variables: component exports cached along their id path
// (`prometheus.scrape.default` -> prometheus.scrape.default = exports), the module's arguments
// (argument.<name>.value), and variables handed down from a parent (module_path, a foreach item).
// It also tracks the module's export blocks for the parent (Alloy's valueCache).
//
// Exports live in a tree of namespaces. Each namespace keeps an immutable snapshot (an Alloy
// object) that is rebuilt only after something below it changed, so an evaluation sees a
// consistent copy without the whole tree being copied for every node.
import type { Stdlib } from "../../syntax/stdlib/index.ts";
import { ObjectValue, type Value, valuesEqual } from "../../syntax/value/index.ts";
import { Scope } from "../../syntax/vm/index.ts";

/** A level of the variable tree: values and nested namespaces by name. */
export class Namespace {
  readonly entries = new Map<string, Value | Namespace>();
  #snapshot: ObjectValue | undefined;

  get(key: string): Value | Namespace | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: Value | Namespace): void {
    this.entries.set(key, value);
    this.#snapshot = undefined;
  }

  delete(key: string): void {
    if (this.entries.delete(key)) this.#snapshot = undefined;
  }

  /** Forgets the cached snapshot after a change further down. */
  invalidate(): void {
    this.#snapshot = undefined;
  }

  /** This namespace as an Alloy object (a map: its keys print sorted). */
  snapshot(): ObjectValue {
    if (!this.#snapshot) {
      const m = new Map<string, Value>();
      for (const [k, v] of this.entries) m.set(k, v instanceof Namespace ? v.snapshot() : v);
      this.#snapshot = new ObjectValue(m, false);
    }
    return this.#snapshot;
  }

  /** A deep copy of the namespaces; values are immutable and shared. */
  clone(): Namespace {
    const copy = new Namespace();
    for (const [k, v] of this.entries) copy.entries.set(k, v instanceof Namespace ? v.clone() : v);
    return copy;
  }

  /** A namespace holding plain variables. */
  static of(variables: Readonly<Record<string, Value>>): Namespace {
    const ns = new Namespace();
    for (const [k, v] of Object.entries(variables)) ns.entries.set(k, v);
    return ns;
  }
}

/** A scope that remembers the variable tree it was made from, for modules that inherit it. */
export class ControllerScope extends Scope {
  readonly #tree: () => Namespace;

  constructor(variables: ReadonlyMap<string, Value>, stdlib: Stdlib, tree: () => Namespace) {
    super(variables, undefined, stdlib);
    this.#tree = tree;
  }

  /** A fresh deep copy of the variables as a tree (Go's deepCopyMap of scope.Variables). */
  variableTree(): Namespace {
    return this.#tree();
  }
}

const ARGUMENT = "argument";

export class ValueCache {
  #root = new Namespace();
  #rootMap: Map<string, Value> | undefined;
  #componentIds = new Map<string, readonly string[]>();
  readonly #moduleArguments = new Map<string, Value>();
  #moduleExports = new Map<string, Value>();
  #exportChangeIndex = 0;

  constructor(private readonly stdlib: Stdlib) {}

  /** Replaces the variables handed down by the parent; cached exports are cached again on evaluation. */
  setScopeVariables(variables: Namespace | undefined): void {
    if (!variables) return;
    this.#root = variables.clone();
    this.#rootMap = undefined;
  }

  /**
   * Caches a component's exports under its id path. Fails when a prefix of the path already holds a
   * value rather than a namespace.
   */
  cacheExports(id: readonly string[], exports: Value): void {
    let ns = this.#root;
    const touched: Namespace[] = [ns];
    for (let i = 0; i < id.length - 1; i++) {
      const key = id[i]!;
      const next = ns.get(key);
      if (next === undefined) {
        const created = new Namespace();
        ns.set(key, created);
        ns = created;
      } else if (next instanceof Namespace) {
        ns = next;
      } else {
        throw new Error(
          `expected a map but found a value for "${key}" when trying to cache the export for ${id.join(".")}`,
        );
      }
      touched.push(ns);
    }
    ns.set(id[id.length - 1]!, exports ?? ObjectValue.empty);
    for (const t of touched) t.invalidate();
    this.#rootMap = undefined;
  }

  /** Removes cached exports of components that are no longer in the graph. */
  syncIds(ids: ReadonlyMap<string, readonly string[]>): void {
    for (const [name, id] of this.#componentIds) {
      if (!ids.has(name)) this.#remove(this.#root, id, 0);
    }
    this.#componentIds = new Map(ids);
    this.#rootMap = undefined;
  }

  #remove(ns: Namespace, id: readonly string[], index: number): void {
    const key = id[index]!;
    const entry = ns.get(key);
    if (entry === undefined) return;
    if (index === id.length - 1) {
      ns.delete(key);
      return;
    }
    if (!(entry instanceof Namespace)) throw new Error(`expected a map but found a value for "${key}"`);
    this.#remove(entry, id, index + 1);
    entry.invalidate();
    // Empty namespaces go too: removing the last prometheus component removes `prometheus`.
    if (entry.entries.size === 0) ns.delete(key);
    else ns.invalidate();
  }

  getModuleArgument(name: string): Value | undefined {
    return this.#moduleArguments.get(name);
  }

  hasModuleArgument(name: string): boolean {
    return this.#moduleArguments.has(name);
  }

  cacheModuleArgument(name: string, value: Value): void {
    this.#moduleArguments.set(name, value);
    this.#rootMap = undefined;
  }

  /** Drops arguments the module is no longer given. */
  syncModuleArgs(names: ReadonlySet<string>): void {
    for (const name of [...this.#moduleArguments.keys()]) if (!names.has(name)) this.#moduleArguments.delete(name);
    this.#rootMap = undefined;
  }

  /** Records an export block's value; a new or different value bumps the change index. */
  cacheModuleExportValue(name: string, value: Value): void {
    const previous = this.#moduleExports.get(name);
    if (previous === undefined && !this.#moduleExports.has(name)) this.#exportChangeIndex++;
    else if (!valuesEqual(previous ?? null, value)) this.#exportChangeIndex++;
    this.#moduleExports.set(name, value);
  }

  clearModuleExports(): void {
    this.#exportChangeIndex++;
    this.#moduleExports = new Map();
  }

  get exportChangeIndex(): number {
    return this.#exportChangeIndex;
  }

  moduleExports(): ReadonlyMap<string, Value> {
    return new Map(this.#moduleExports);
  }

  #argumentNamespace(): Namespace {
    const ns = new Namespace();
    for (const [name, value] of this.#moduleArguments) ns.entries.set(name, Namespace.of({ value }));
    return ns;
  }

  #variables(): Map<string, Value> {
    if (!this.#rootMap) {
      const m = new Map<string, Value>();
      for (const [k, v] of this.#root.entries) m.set(k, v instanceof Namespace ? v.snapshot() : v);
      if (this.#moduleArguments.size > 0) m.set(ARGUMENT, this.#argumentNamespace().snapshot());
      this.#rootMap = m;
    }
    return this.#rootMap;
  }

  /** The scope nodes are evaluated with. */
  scope(): ControllerScope {
    return new ControllerScope(this.#variables(), this.stdlib, () => this.variableTree());
  }

  /** A deep copy of every variable as a tree, arguments included (what a foreach child inherits). */
  variableTree(): Namespace {
    const tree = this.#root.clone();
    if (this.#moduleArguments.size > 0) tree.entries.set(ARGUMENT, this.#argumentNamespace());
    return tree;
  }
}
