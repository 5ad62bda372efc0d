// Where custom components come from: the declare blocks of a module, the namespaces of its import
// blocks, and whatever its parents can see (Alloy's CustomComponentRegistry). An imported module
// has its own registry without a parent, so an imported declare cannot reach the importer's
// declares.
import type { Body, BlockStmt } from "../../syntax/ast.ts";
import type { Namespace } from "./value-cache.ts";

/** What an import node hands to the registry once it has content. */
export interface ImportContent {
  readonly label: string;
  /** Variables of modules built from the import (module_path). */
  scopeVariables(): Namespace;
  importedDeclares(): ReadonlyMap<string, Body>;
  /** Import blocks found in the imported content, with their own content. */
  children(): ReadonlyMap<string, ImportContent>;
}

export class CustomComponentRegistry {
  readonly declares = new Map<string, Body>();
  /** Import namespaces; undefined until the import has delivered content. */
  readonly imports = new Map<string, CustomComponentRegistry | undefined>();

  constructor(
    readonly parent: CustomComponentRegistry | undefined,
    /** Variables given to modules loaded from this registry's declares. */
    readonly scope: Namespace | undefined,
  ) {}

  registerDeclare(block: BlockStmt): void {
    this.declares.set(block.label, block.body);
  }

  /** Makes a namespace known before its content arrives, so component names can be told apart. */
  registerImport(namespace: string): void {
    this.imports.set(namespace, undefined);
  }

  /** Installs an import's content, with nested imports as namespaces of the imported registry. */
  updateImportContent(node: ImportContent): void {
    if (!this.imports.has(node.label)) throw new Error(`import "${node.label}" was not registered`);
    this.imports.set(node.label, registryFromImport(node));
  }
}

function registryFromImport(node: ImportContent): CustomComponentRegistry {
  const registry = new CustomComponentRegistry(undefined, node.scopeVariables());
  for (const [name, body] of node.importedDeclares()) registry.declares.set(name, body);
  addChildren(registry, node);
  return registry;
}

// Nested imports of an import all become namespaces of the top import's registry.
function addChildren(registry: CustomComponentRegistry, node: ImportContent): void {
  for (const child of node.children().values()) {
    const childRegistry = new CustomComponentRegistry(undefined, child.scopeVariables());
    for (const [name, body] of child.importedDeclares()) childRegistry.declares.set(name, body);
    addChildren(childRegistry, child);
    registry.imports.set(child.label, childRegistry);
  }
}

/** Whether `name` (a block's first name fragment) names a declare or import visible from reg. */
export function isCustomComponent(reg: CustomComponentRegistry | undefined, name: string): boolean {
  for (let r = reg; r; r = r.parent) {
    if (r.declares.has(name) || r.imports.has(name)) return true;
  }
  return false;
}

export interface CustomComponentConfig {
  template: Body;
  registry: CustomComponentRegistry;
}

/** A local declare, searched up the parents. */
export function findLocalDeclare(reg: CustomComponentRegistry, name: string): CustomComponentConfig | undefined {
  for (let r: CustomComponentRegistry | undefined = reg; r; r = r.parent) {
    const template = r.declares.get(name);
    if (template) return { template, registry: r };
  }
  return undefined;
}

/** A declare of an import namespace, searched up the parents. */
export function findImportedDeclare(
  reg: CustomComponentRegistry,
  namespace: string,
  name: string,
): CustomComponentConfig | undefined {
  for (let r: CustomComponentRegistry | undefined = reg; r; r = r.parent) {
    const imported = r.imports.get(namespace);
    const template = imported?.declares.get(name);
    if (imported && template) return { template, registry: imported };
  }
  return undefined;
}
