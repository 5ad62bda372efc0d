// Scopes: the variables visible to an expression. Lookups walk from the
// innermost scope outwards and finally fall back to the standard library
// (Alloy's Scope.Lookup). Variables hold Alloy values; the controller puts
// component exports, module arguments and foreach variables here.

import { defaultStdlib, type Stdlib } from "../stdlib/index.ts";
import { fromJS, type Value } from "../value/index.ts";

export class Scope {
  readonly variables: ReadonlyMap<string, Value>;
  readonly parent: Scope | undefined;
  readonly stdlib: Stdlib;

  constructor(
    variables: ReadonlyMap<string, Value> | Readonly<Record<string, Value>> = new Map(),
    parent?: Scope,
    stdlib?: Stdlib,
  ) {
    this.variables = variables instanceof Map ? variables : new Map(Object.entries(variables));
    this.parent = parent;
    this.stdlib = stdlib ?? parent?.stdlib ?? defaultStdlib;
  }

  /** A scope whose variables come from plain host data (see fromJS). */
  static fromJS(vars: Readonly<Record<string, unknown>>, stdlib?: Stdlib): Scope {
    const m = new Map<string, Value>();
    for (const k of Object.keys(vars)) m.set(k, fromJS(vars[k]));
    return new Scope(m, undefined, stdlib);
  }

  /** A nested scope with extra variables that shadow this one's. */
  child(variables: ReadonlyMap<string, Value> | Readonly<Record<string, Value>>): Scope {
    return new Scope(variables, this, this.stdlib);
  }

  /** Looks a name up in the scope chain, then in the standard library. */
  lookup(name: string): Value | undefined {
    for (let s: Scope | undefined = this; s !== undefined; s = s.parent) {
      const v = s.variables.get(name);
      if (v !== undefined) return v;
    }
    return this.stdlib.identifiers.get(name);
  }

  /** Reports whether name resolves to a variable (not the standard library). */
  hasVariable(name: string): boolean {
    for (let s: Scope | undefined = this; s !== undefined; s = s.parent) {
      if (s.variables.has(name)) return true;
    }
    return false;
  }

  isStdlibIdentifier(name: string): boolean {
    return this.stdlib.identifiers.has(name);
  }

  isStdlibDeprecated(name: string): boolean {
    return this.stdlib.isDeprecated(name);
  }

  isStdlibExperimental(fullName: string): boolean {
    return this.stdlib.isExperimental(fullName);
  }
}
