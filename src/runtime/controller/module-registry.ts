// Every running module of one agent by id, so that module ids stay unique and the API can list
// the components of a module (Alloy's moduleRegistry).
export class ModuleRegistry<M = unknown> {
  readonly #modules = new Map<string, M>();

  register(id: string, module: M): void {
    if (this.#modules.has(id)) throw new Error(`module "${id}" already exists`);
    this.#modules.set(id, module);
  }

  unregister(id: string, module?: M): void {
    if (module === undefined || this.#modules.get(id) === module) this.#modules.delete(id);
  }

  get(id: string): M | undefined {
    return this.#modules.get(id);
  }

  ids(): string[] {
    return [...this.#modules.keys()].sort();
  }
}
