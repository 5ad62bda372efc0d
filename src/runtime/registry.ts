// A set of component definitions by name, with Alloy's naming rules: dot-separated identifiers, and
// no name may be a dotted prefix of another (a reference `a.b.c` must resolve one way only).
import type { ComponentDefinition } from "./component.ts";
import { checkStability, type Stability } from "./featuregate.ts";

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

/**
 * The definition of a component a configuration may use, or Alloy's reason why it cannot be used:
 * unknown, community components not enabled, or below the minimum stability (Alloy's Registry.Get).
 */
export function lookupComponent(
  registry: Registry,
  name: string,
  minStability: Stability,
  enableCommunityComponents: boolean,
): ComponentDefinition<any, any> | string {
  const definition = registry.get(name);
  if (!definition) return `cannot find the definition of component name "${name}"`;
  if (definition.community) {
    if (!enableCommunityComponents) {
      return `the component "${name}" is a community component. Use the --feature.community-components.enabled command-line flag to enable community components`;
    }
    // Community components are not subject to stability levels.
    return definition;
  }
  return checkStability(`component "${name}"`, definition.stability, minStability) ?? definition;
}
