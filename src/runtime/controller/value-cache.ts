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

/** Marks a key that did not exist when a snapshot was taken. */
const ABSENT: unique symbol = Symbol("absent");

type Entry = Value | Namespace;

/**
 * What one snapshot of a namespace needs to answer reads after the namespace changed: the values
 * (at snapshot time) of the keys changed since, and the next snapshot taken, whose own record
 * covers later changes. Reads from the newest snapshot cost one lookup; a snapshot that is kept
 * longer walks the chain once and then keeps a copy (see SnapshotEntries.#materialize).
 */
interface SnapshotState {
  readonly before: Map<string, Entry | typeof ABSENT>;
  next: SnapshotState | undefined;
}

/** A level of the variable tree: values and nested namespaces by name. */
export class Namespace {
  readonly #entries = new Map<string, Entry>();
  /** Keys holding nested namespaces: few, while values (component exports) can be thousands. */
  readonly #namespaces = new Set<string>();
  #latest: { state: SnapshotState; value: ObjectValue } | undefined;
  #changed = true;

  get entries(): ReadonlyMap<string, Entry> {
    return this.#entries;
  }

  get(key: string): Entry | undefined {
    return this.#entries.get(key);
  }

  set(key: string, value: Entry): void {
    if (this.#entries.get(key) === value) return;
    this.#remember(key);
    this.#entries.set(key, value);
    if (value instanceof Namespace) this.#namespaces.add(key);
    else this.#namespaces.delete(key);
    this.#changed = true;
  }

  delete(key: string): void {
    if (!this.#entries.has(key)) return;
    this.#remember(key);
    this.#entries.delete(key);
    this.#namespaces.delete(key);
    this.#changed = true;
  }

  /** Something below this namespace changed: the next snapshot must capture it again. */
  invalidate(): void {
    this.#changed = true;
  }

  /** Keeps the value the latest snapshot saw for a key about to change. */
  #remember(key: string): void {
    const before = this.#latest?.state.before;
    if (before && !before.has(key)) before.set(key, this.#entries.has(key) ? this.#entries.get(key)! : ABSENT);
  }

  /**
   * This namespace as an Alloy object (a map: its keys print sorted) that keeps showing the
   * current content after later changes. Taking one is cheap: nested namespaces are captured as
   * their own snapshots, values are read on demand.
   */
  snapshot(): ObjectValue {
    if (this.#latest && !this.#changed) return this.#latest.value;
    const state: SnapshotState = { before: new Map(), next: undefined };
    const children = new Map<string, ObjectValue>();
    for (const k of this.#namespaces) children.set(k, (this.#entries.get(k) as Namespace).snapshot());
    if (this.#latest) this.#latest.state.next = state;
    const value = new ObjectValue(new SnapshotEntries(this.#entries, state, children), false);
    this.#latest = { state, value };
    this.#changed = false;
    return value;
  }

  /** A deep copy of the namespaces; values are immutable and shared. */
  clone(): Namespace {
    const copy = new Namespace();
    for (const [k, v] of this.#entries) copy.set(k, v instanceof Namespace ? v.clone() : v);
    return copy;
  }

  /** A namespace holding plain variables. */
  static of(variables: Readonly<Record<string, Value>>): Namespace {
    const ns = new Namespace();
    for (const [k, v] of Object.entries(variables)) ns.set(k, v);
    return ns;
  }
}

/** The entries of a namespace as they were when a snapshot was taken. */
class SnapshotEntries implements ReadonlyMap<string, Value> {
  #live: ReadonlyMap<string, Entry> | undefined;
  #state: SnapshotState | undefined;
  #copy: Map<string, Value> | undefined;

  constructor(
    live: ReadonlyMap<string, Entry>,
    state: SnapshotState,
    private readonly children: ReadonlyMap<string, ObjectValue>,
  ) {
    this.#live = live;
    this.#state = state;
  }

  #raw(key: string): Entry | typeof ABSENT {
    for (let s = this.#state; s; s = s.next) {
      if (s.before.has(key)) return s.before.get(key)!;
    }
    return this.#live!.has(key) ? this.#live!.get(key)! : ABSENT;
  }

  #resolve(key: string, raw: Entry | typeof ABSENT): Value | undefined {
    if (raw === ABSENT) return undefined;
    return raw instanceof Namespace ? this.children.get(key) : raw;
  }

  get(key: string): Value | undefined {
    if (this.#copy) return this.#copy.get(key);
    return this.#resolve(key, this.#raw(key));
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** The whole content, computed once; the chain of later changes is no longer needed after. */
  #materialize(): Map<string, Value> {
    if (!this.#copy) {
      const keys = new Set(this.#live!.keys());
      for (let s = this.#state; s; s = s.next) for (const k of s.before.keys()) keys.add(k);
      const copy = new Map<string, Value>();
      for (const k of keys) {
        const v = this.#resolve(k, this.#raw(k));
        if (v !== undefined) copy.set(k, v);
      }
      this.#copy = copy;
      this.#live = undefined;
      this.#state = undefined;
    }
    return this.#copy;
  }

  get size(): number {
    return this.#materialize().size;
  }

  forEach(fn: (value: Value, key: string, map: ReadonlyMap<string, Value>) => void): void {
    for (const [k, v] of this.#materialize()) fn(v, k, this);
  }

  entries(): MapIterator<[string, Value]> {
    return this.#materialize().entries();
  }

  keys(): MapIterator<string> {
    return this.#materialize().keys();
  }

  values(): MapIterator<Value> {
    return this.#materialize().values();
  }

  [Symbol.iterator](): MapIterator<[string, Value]> {
    return this.#materialize()[Symbol.iterator]();
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
    const leaf = id[id.length - 1]!;
    const value = exports ?? ObjectValue.empty;
    // Unchanged exports (the same value object) leave every snapshot valid.
    if (ns.get(leaf) === value) return;
    ns.set(leaf, value);
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
    for (const [name, value] of this.#moduleArguments) ns.set(name, Namespace.of({ value }));
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
    if (this.#moduleArguments.size > 0) tree.set(ARGUMENT, this.#argumentNamespace());
    return tree;
  }
}
