// `import.file|string|http|git "<namespace>"`: makes the declares of a module available as
// `<namespace>.<declare>` components. The node's source delivers the module's files; the node
// parses them, keeps their declare blocks, and turns their import blocks into child import nodes
// that it evaluates and runs itself. New content re-evaluates the components using the namespace
// (Alloy's ImportConfigNode).
import type { BlockStmt, Body, File } from "../../syntax/ast.ts";
import { Diagnostics } from "../../syntax/diag.ts";
import { parseFile } from "../../syntax/parser.ts";
import { Scope } from "../../syntax/vm/index.ts";
import type { Health } from "../component.ts";
import type { ImportContent } from "../controller/custom-registry.ts";
import { globalIdOf, pathLabels, type ControllerGlobals } from "../controller/globals.ts";
import { TaskRunner } from "../controller/runner.ts";
import { Namespace } from "../controller/value-cache.ts";
import { health, leastHealthy } from "../health.ts";
import { ImportFile } from "../importsource/file.ts";
import { ImportGit } from "../importsource/git.ts";
import { ImportHttp } from "../importsource/http.ts";
import { ImportString } from "../importsource/string.ts";
import type { ImportSource, ImportSourceOptions } from "../importsource/types.ts";
import type { Logger } from "../logging/logger.ts";
import { joinPath } from "../paths.ts";
import { waitForWake } from "../signal.ts";
import { blockIdString, type BlockNode, type RunnableNode } from "./types.ts";

export type ImportKind = "import.file" | "import.string" | "import.http" | "import.git";

/** Called with every module an import parsed (Alloy's OnImportContent hook, used by tooling). */
export type ImportContentHook = (fileName: string, content: File) => void;

function sourceFor(kind: ImportKind, options: ImportSourceOptions): ImportSource {
  switch (kind) {
    case "import.file":
      return new ImportFile(options);
    case "import.string":
      return new ImportString(options.block, options.onContentChange);
    case "import.http":
      return new ImportHttp(options);
    case "import.git":
      return new ImportGit(options);
  }
}

export class ImportConfigNode implements RunnableNode, ImportContent {
  readonly nodeId: string;
  readonly globalId: string;
  readonly label: string;
  readonly kind: ImportKind;
  readonly logger: Logger;
  #block: BlockStmt;
  readonly #source: ImportSource;
  readonly #globals: ControllerGlobals;
  readonly #dataPath: string;
  /** Told when new content arrived: the controller, or the parent import for a nested import. */
  readonly #notify: (node: ImportConfigNode) => void;

  #content: ReadonlyMap<string, string> | undefined;
  #declares = new Map<string, Body>();
  #children = new Map<string, ImportConfigNode>();
  #inContentUpdate = false;
  #childrenChanged: (() => void) | undefined;
  #evalHealth = health("unknown", "");
  #runHealth = health("unknown", "");
  #contentHealth = health("unknown", "");

  constructor(
    globals: ControllerGlobals,
    block: BlockStmt,
    options: { dataPath?: string; notify?: (node: ImportConfigNode) => void } = {},
  ) {
    this.#globals = globals;
    this.#block = block;
    this.nodeId = blockIdString(block);
    this.globalId = globalIdOf(globals.controllerId, this.nodeId);
    this.label = block.label;
    this.kind = block.name.join(".") as ImportKind;
    this.#notify = options.notify ?? ((node) => globals.onBlockNodeUpdate(node));
    this.#dataPath = joinPath(options.dataPath ?? globals.dataPath, this.globalId);
    const [path, id] = pathLabels(this.globalId);
    this.logger = globals.logger.with({ config_path: path, config_id: id });
    this.#source = sourceFor(this.kind, {
      block,
      globalId: this.globalId,
      dataPath: this.#dataPath,
      platform: globals.platform,
      fetch: globals.fetch,
      logger: this.logger,
      onContentChange: (files) => this.#onContentUpdate(files),
    });
  }

  get block(): BlockStmt {
    return this.#block;
  }

  updateBlock(block: BlockStmt): void {
    this.#block = block;
    this.#source.updateBlock(block);
  }

  async evaluate(scope: Scope): Promise<void> {
    try {
      await this.#source.evaluate(scope);
      this.#evalHealth = health("healthy", "source evaluated");
    } catch (e) {
      this.#evalHealth = health("unhealthy", `source evaluation failed: ${(e as Error).message}`);
      throw e;
    }
  }

  async #onContentUpdate(files: ReadonlyMap<string, string>): Promise<void> {
    // The same content again changes nothing.
    if (this.#content && sameContent(this.#content, files)) return;
    this.#inContentUpdate = true;
    try {
      this.#content = new Map(files);
      this.#declares = new Map();
      this.#children = new Map();
      for (const [name, text] of files) {
        let file;
        try {
          // Alloy names the parsed module after the import's label.
          file = parseFile(this.label, text);
        } catch (e) {
          const message = e instanceof Diagnostics ? e.message : String(e);
          this.logger.error("failed to parse file on update", { file: name, err: message });
          this.#contentHealth = health("unhealthy", `imported content from "${name}" cannot be parsed: ${message}`);
          return;
        }
        this.#globals.onImportContent?.(name, file);
        try {
          this.#processContent(file.body);
        } catch (e) {
          this.logger.error("failed to process imported content", { file: name, err: (e as Error).message });
          this.#contentHealth = health("unhealthy", `imported content from "${name}" is invalid: ${(e as Error).message}`);
          return;
        }
      }
      try {
        await this.#evaluateChildren();
      } catch (e) {
        this.logger.error("failed to evaluate nested import", { err: (e as Error).message });
        this.#contentHealth = health("unhealthy", `nested import block failed to evaluate: ${(e as Error).message}`);
        return;
      }
      this.#childrenChanged?.();
      this.#contentHealth = health("healthy", "content updated");
    } finally {
      this.#inContentUpdate = false;
    }
    this.#notify(this);
  }

  /** Keeps declare blocks and creates child import nodes; anything else is an error. */
  #processContent(body: Body): void {
    for (const stmt of body) {
      if (stmt.type !== "BlockStmt") throw new Error("only declare and import blocks are allowed in a module");
      const name = stmt.name.join(".");
      if (name === "declare") {
        if (this.#declares.has(stmt.label)) {
          this.logger.error("declare block redefined", { name: stmt.label });
          continue;
        }
        this.#declares.set(stmt.label, stmt.body);
      } else if (name === "import.file" || name === "import.string" || name === "import.http" || name === "import.git") {
        if (this.#children.has(stmt.label)) throw new Error(`import block redefined ${stmt.label}`);
        if (this.kind === "import.http" && name === "import.file") {
          throw new Error(
            `importing a module via import.http (nodeID: ${this.nodeId}) that contains an import.file block is not supported`,
          );
        }
        // Children keep their data inside their parent's folder so that ids cannot collide.
        this.#children.set(
          stmt.label,
          new ImportConfigNode(this.#globals, stmt, { dataPath: this.#dataPath, notify: () => this.#onChildContentUpdate() }),
        );
      } else {
        throw new Error(`only declare and import blocks are allowed in a module, got ${name}`);
      }
    }
  }

  async #evaluateChildren(): Promise<void> {
    for (const child of this.#children.values()) {
      try {
        await child.evaluate(new Scope(new Map([["module_path", this.#source.modulePath()]]), undefined, this.#globals.stdlib));
      } catch (e) {
        throw new Error(`imported node ${child.label} failed to evaluate, ${(e as Error).message}`);
      }
    }
  }

  #onChildContentUpdate(): void {
    // During its own content update the node notifies once at the end.
    if (!this.#inContentUpdate) this.#notify(this);
  }

  async run(signal: AbortSignal): Promise<void> {
    const runner = new TaskRunner<ImportConfigNode>({
      // Fresh children replace the previous ones after every content update.
      key: (child) => child,
      run: (child, childSignal) => child.run(childSignal),
      onError: (child, error) => {
        child.logger.error("nested import stopped running", { err: (error as Error).message });
        child.#runHealth = health("unhealthy", `nested import stopped running: ${(error as Error).message}`);
      },
    });
    this.#runHealth = health("healthy", "started import");
    let wake: () => void = () => {};
    let sourceDone = false;
    let sourceError: unknown;
    // The import runs as long as its source does.
    const source = this.#source.run(signal).then(
      () => void ((sourceDone = true), wake()),
      (e) => void ((sourceDone = true), (sourceError = e), wake()),
    );
    try {
      await runner.apply(this.#children.values());
      while (!signal.aborted && !sourceDone) {
        await waitForWake(signal, (resolve) => {
          wake = resolve;
          this.#childrenChanged = resolve;
        });
        this.#childrenChanged = undefined;
        if (signal.aborted || sourceDone) break;
        await runner.apply(this.#children.values());
        this.#runHealth = health("healthy", "nested imports updated successfully");
      }
      await source;
      if (sourceError !== undefined) throw sourceError;
    } catch (e) {
      this.#runHealth = health("exited", `import shut down with error: ${(e as Error).message}`);
      throw e;
    } finally {
      await runner.stop();
    }
    this.#runHealth = health("exited", "import shut down cleanly");
  }

  health(): Health {
    let result = leastHealthy(this.#runHealth, this.#evalHealth, this.#contentHealth, this.#source.health());
    for (const child of this.#children.values()) result = leastHealthy(result, child.health());
    return result;
  }

  // --- ImportContent -------------------------------------------------------

  scopeVariables(): Namespace {
    return Namespace.of({ module_path: this.#source.modulePath() });
  }

  importedDeclares(): ReadonlyMap<string, Body> {
    return this.#declares;
  }

  children(): ReadonlyMap<string, ImportContent> {
    return this.#children;
  }
}

function sameContent(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

export function isImportNode(node: BlockNode): node is ImportConfigNode {
  return node instanceof ImportConfigNode;
}
