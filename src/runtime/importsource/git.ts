// import.git: a module from a file or directory of a git repository, cloned into the import's data
// folder and pulled at pull_frequency. Git itself does the work, through Platform.runCommand: the
// clone, a forced fetch, and a checkout of the revision looked up as a tag, then as a branch of
// origin, then as any revision git can resolve (Alloy's internal/vcs order).
import type { BlockStmt } from "../../syntax/ast.ts";
import { attr, block, Minute, struct, t } from "../../syntax/schema/index.ts";
import type { SecretValue } from "../../syntax/value/index.ts";
import { decodeBody, type Scope } from "../../syntax/vm/index.ts";
import type { Platform } from "../../platform/mod.ts";
import type { Health } from "../component.ts";
import { health } from "../health.ts";
import type { Logger } from "../logging/logger.ts";
import { wrapError } from "../nodes/types.ts";
import { joinPath } from "../paths.ts";
import { waitForWake } from "../signal.ts";
import type { ContentHandler, ImportSource, ImportSourceOptions } from "./types.ts";

const BasicAuth = struct({ username: attr(t.string()), password: attr(t.secret()) });
const SshKey = struct({
  username: attr(t.string()),
  key: attr(t.secret(), { optional: true }),
  key_file: attr(t.string(), { optional: true }),
  passphrase: attr(t.secret(), { optional: true }),
});

const SPECIAL_REFS = new Set(["HEAD", "FETCH_HEAD", "ORIG_HEAD", "MERGE_HEAD", "CHERRY_PICK_HEAD"]);

export const GitArguments = struct(
  {
    repository: attr(t.string()),
    revision: attr(t.string(), { optional: true }),
    path: attr(t.string()),
    pull_frequency: attr(t.duration(), { optional: true }),
    basic_auth: block(BasicAuth, { optional: true }),
    ssh_key: block(SshKey, { optional: true }),
  },
  {
    defaults: () => ({ revision: "main", pull_frequency: Minute }),
    validate: (a) => {
      if (SPECIAL_REFS.has(a.revision)) {
        return "revision cannot be a special git reference such as HEAD, FETCH_HEAD, ORIG_HEAD, MERGE_HEAD, or CHERRY_PICK_HEAD";
      }
      // git reads keys from files; an inline key would have to be written to disk with 0600 rights.
      if (a.ssh_key?.key?.value) return "ssh_key.key is not supported yet, use ssh_key.key_file";
    },
  },
);

type Args = ReturnType<typeof GitArguments.defaults>;

/** The repository exists but could not be updated: the last checkout stays in use. */
class UpdateFailedError extends Error {}

export class ImportGit implements ImportSource {
  #block: BlockStmt;
  #args: Args | undefined;
  #repo: GitRepo | undefined;
  #repoKey = "";
  #health: Health = health("unknown", "");
  #argsChanged: (() => void) | undefined;
  readonly #repoPath: string;
  readonly #platform: Platform;
  readonly #logger: Logger;
  readonly #onContentChange: ContentHandler;

  constructor(options: ImportSourceOptions) {
    this.#block = options.block;
    this.#platform = options.platform;
    this.#logger = options.logger;
    this.#onContentChange = options.onContentChange;
    this.#repoPath = joinPath(options.dataPath, "repo");
  }

  updateBlock(block: BlockStmt): void {
    this.#block = block;
  }

  async evaluate(scope: Scope): Promise<void> {
    let args: Args;
    try {
      args = decodeBody(this.#block.body, GitArguments, scope);
    } catch (e) {
      throw wrapError("decoding configuration", e);
    }
    if (this.#args && GitArguments.equal(this.#args, args)) return;
    try {
      await this.#update(args);
      this.#health = health("healthy", "module updated");
    } catch (e) {
      this.#health = health("unhealthy", (e as Error).message);
      throw wrapError("updating component", e);
    }
  }

  async #update(args: Args): Promise<void> {
    const key = JSON.stringify([args.repository, args.revision, args.basic_auth, args.ssh_key], (_k, v) =>
      v && typeof v === "object" && "value" in v ? (v as SecretValue).value : v,
    );
    if (!this.#repo || key !== this.#repoKey) {
      const repo = new GitRepo(this.#platform, this.#repoPath, args);
      try {
        await repo.open();
      } catch (e) {
        // A repository that exists but cannot be updated is still usable from its last checkout.
        if (!(e instanceof UpdateFailedError) || (!this.#repo && !(await repo.cloned()))) throw e;
        this.#logger.error("failed to update repository", { err: (e as Error).message });
      }
      this.#repo = repo;
      this.#repoKey = key;
    }
    try {
      await this.#pollFile(args);
    } catch (e) {
      if (!(e instanceof UpdateFailedError)) throw e;
      this.#logger.error("failed to poll file from repository", { err: (e as Error).message });
    }
    this.#args = args;
    this.#argsChanged?.();
  }

  async #pollFile(args: Args): Promise<void> {
    const repo = this.#repo!;
    await repo.update();
    const target = joinPath(this.#repoPath, args.path);
    const info = await this.#platform.fs.stat(target);
    if (!info) throw new Error(`stat ${args.path}: no such file or directory`);
    const files = new Map<string, string>();
    if (info.isDirectory) {
      for (const entry of await this.#platform.fs.readDir(target)) {
        if (entry.isDirectory || !entry.name.endsWith(".alloy")) continue;
        files.set(entry.name, await this.#platform.fs.readTextFile(joinPath(target, entry.name)));
      }
    } else {
      files.set(args.path, await this.#platform.fs.readTextFile(target));
    }
    await this.#onContentChange(files);
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const frequencyMs = (this.#args?.pull_frequency ?? 0) / 1e6;
      // A pull_frequency of 0 disables pulling until the arguments change.
      await waitForWake(signal, (wake) => (this.#argsChanged = wake), frequencyMs > 0 ? frequencyMs : undefined);
      this.#argsChanged = undefined;
      if (signal.aborted || !this.#args || frequencyMs <= 0) continue;
      this.#logger.info("updating repository");
      try {
        await this.#pollFile(this.#args);
        this.#health = health("healthy", "module updated");
      } catch (e) {
        this.#health = health("unhealthy", (e as Error).message);
        this.#logger.error("failed to update repository", { pullFrequency: frequencyMs, err: (e as Error).message });
      }
    }
  }

  health(): Health {
    return this.#health;
  }

  /** The local clone: paths in the imported module are relative to the repository's root. */
  modulePath(): string {
    return this.#repoPath;
  }
}

/** A clone of a repository at `path`, driven with the git program. */
class GitRepo {
  constructor(
    private readonly platform: Platform,
    private readonly path: string,
    private readonly args: Args,
  ) {}

  async cloned(): Promise<boolean> {
    const entries = await this.platform.fs.readDir(joinPath(this.path, ".git")).catch(() => []);
    return entries.length > 0;
  }

  /** Clones when needed, then fetches and checks out the revision. */
  async open(): Promise<void> {
    if (!(await this.cloned())) {
      await this.platform.fs.remove(this.path);
      await this.platform.fs.mkdirp(this.path);
      const result = await this.#git(["clone", "--no-checkout", "--", this.args.repository, this.path], null);
      if (result.code !== 0) throw new Error(`failed to download repository "${this.args.repository}": ${gitMessage(result)}`);
    }
    await this.update();
  }

  async update(): Promise<void> {
    const repository = this.args.repository;
    const fetch = await this.#git(["fetch", "--force", "--tags", "origin", "+refs/heads/*:refs/remotes/origin/*"]);
    if (fetch.code !== 0) throw new UpdateFailedError(`failed to update repository "${repository}": ${gitMessage(fetch)}`);
    const commit = await this.#resolve(this.args.revision);
    if (!commit) throw new Error(`invalid revision "${this.args.revision}"`);
    const checkout = await this.#git(["checkout", "--force", "--detach", commit]);
    if (checkout.code !== 0) throw new UpdateFailedError(`failed to update repository "${repository}": ${gitMessage(checkout)}`);
  }

  /** The commit a revision names: a tag, then a branch of origin, then anything git resolves. */
  async #resolve(revision: string): Promise<string | undefined> {
    for (const candidate of [`refs/tags/${revision}`, `refs/remotes/origin/${revision}`, revision]) {
      const result = await this.#git(["rev-parse", "--verify", "--quiet", "--end-of-options", `${candidate}^{commit}`]);
      if (result.code === 0) return result.stdout.trim();
    }
    return undefined;
  }

  /** Runs git in the clone, or (cwd null) in the process's directory, where a relative repository is. */
  #git(args: string[], cwd: string | null = this.path) {
    const env: Record<string, string> = { GIT_TERMINAL_PROMPT: "0" };
    const config: string[] = [];
    const auth = this.args.basic_auth;
    if (auth) {
      const token = btoa(String.fromCharCode(...new TextEncoder().encode(`${auth.username}:${auth.password?.value ?? ""}`)));
      config.push("-c", `http.extraHeader=Authorization: Basic ${token}`);
    }
    const ssh = this.args.ssh_key;
    if (ssh?.key_file) {
      env.GIT_SSH_COMMAND = `ssh -i '${ssh.key_file.replace(/'/g, "'\\''")}' -o IdentitiesOnly=yes -l '${ssh.username.replace(/'/g, "'\\''")}'`;
    }
    return this.platform.runCommand("git", [...config, ...args], { ...(cwd === null ? {} : { cwd }), extraEnv: env });
  }
}

function gitMessage(result: { stderr: string; stdout: string; code: number }): string {
  const text = (result.stderr || result.stdout).trim().split("\n").filter((l) => l !== "").pop();
  return text ?? `git exited with status ${result.code}`;
}
