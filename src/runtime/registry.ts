// A set of component definitions by name, with Alloy's naming rules: dot-separated identifiers, and
// no name may be a dotted prefix of another (a reference `a.b.c` must resolve one way only).
import type { ComponentDefinition } from "./component.ts";

const PART = /^[A-Za-z][0-9A-Za-z_]*$/;

export class Registry {
  readonly #definitions = new Map<string, ComponentDefinition<any, any>>();

  constructor(definitions: Iterable<ComponentDefinition<any, any>> = []) {
    for (const definition of definitions) this.register(definition);
  }

  register(definition: ComponentDefinition<any, any>): void {
    const name = definition.name;
    if (!name.split(".").every((part) => PART.test(part))) throw new Error(`invalid component name "${name}"`);
    if (this.#definitions.has(name)) throw new Error(`component "${name}" is already registered`);
    for (const other of this.#definitions.keys()) {
      if (other.startsWith(`${name}.`) || name.startsWith(`${other}.`)) {
        const [shorter, longer] = other.length < name.length ? [other, name] : [name, other];
        throw new Error(`"${shorter}" cannot be used because it is incompatible with "${longer}"`);
      }
    }
    this.#definitions.set(name, definition);
  }

  get(name: string): ComponentDefinition<any, any> | undefined {
    return this.#definitions.get(name);
  }

  names(): string[] {
    return [...this.#definitions.keys()].sort();
  }
}
