// Component names as the validator resolves them (Alloy's validator/component_registry.go): the
// built-in registry with its stability and community gates, and, on top of it, one layer per
// module for the custom components its declares and imports define. A custom component is found
// by the first fragment of its name only (`math.add` → the namespace `math`), since what an import
// holds is not known without fetching it.
import type { StructType } from "../../syntax/schema/index.ts";
import type { Stability } from "../featuregate.ts";
import { lookupComponent, type Registry } from "../registry.ts";

/** What the validator knows of a component: the schema its block is checked against, if any. */
export interface Registration {
  args: StructType<any> | undefined;
}

export interface ComponentLookup {
  /** The registration of a component name, or Alloy's message why it cannot be used. */
  get(name: string): Registration | string;
}

/** The built-in components behind the given gates. */
export function builtinLookup(registry: Registry, minStability: Stability, enableCommunityComponents: boolean): ComponentLookup {
  return {
    get(name) {
      const definition = lookupComponent(registry, name, minStability, enableCommunityComponents);
      return typeof definition === "string" ? definition : { args: definition.args };
    },
  };
}

/** A module's custom components (declares by label, imports by namespace), then its parent's names. */
export class CustomComponents implements ComponentLookup {
  readonly #custom = new Map<string, Registration>();

  constructor(private readonly parent: ComponentLookup) {}

  get(name: string): Registration | string {
    const namespace = name.split(".")[0]!;
    return this.#custom.get(namespace) ?? this.parent.get(name);
  }

  /** A declare (with the schema of its arguments) or an import namespace (without a schema). */
  register(label: string, args: StructType<any> | undefined): void {
    this.#custom.set(label, { args });
  }
}
