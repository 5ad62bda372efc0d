// Files through node:fs, which Node, Deno and Bun all implement.
import { watch as fsWatch } from "node:fs";
import * as fsp from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import process from "node:process";
import type { AppendHandle, DirEntry, FileInfo, FileSystem, WatchEvent, Watcher } from "../types.ts";

const encoder = new TextEncoder();
const toBytes = (data: Uint8Array | string) => (typeof data === "string" ? encoder.encode(data) : data);

export function isNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "ENOENT";
}

class NodeAppendHandle implements AppendHandle {
  #size: number;
  constructor(readonly path: string, private readonly handle: fsp.FileHandle, size: number) {
    this.#size = size;
  }
  get size() {
    return this.#size;
  }
  async write(data: Uint8Array) {
    let offset = 0;
    // A write may be partial; loop until every byte is in the file.
    while (offset < data.length) {
      const { bytesWritten } = await this.handle.write(data, offset, data.length - offset);
      offset += bytesWritten;
    }
    this.#size += data.length;
  }
  sync() {
    return this.handle.sync();
  }
  close() {
    return this.handle.close();
  }
}

let tempCounter = 0;

export const nodeFileSystem: FileSystem = {
  async readFile(path) {
    const buffer = await fsp.readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  },
  readTextFile(path) {
    return fsp.readFile(path, "utf8");
  },
  async readDir(path) {
    const entries = await fsp.readdir(path, { withFileTypes: true });
    const result: DirEntry[] = entries.map((entry) => ({
      name: entry.name,
      isFile: entry.isFile(),
      isDirectory: entry.isDirectory(),
      isSymlink: entry.isSymbolicLink(),
    }));
    return result.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  },
  async stat(path) {
    try {
      const [target, link] = await Promise.all([fsp.stat(path), fsp.lstat(path)]);
      const info: FileInfo = {
        isFile: target.isFile(),
        isDirectory: target.isDirectory(),
        isSymlink: link.isSymbolicLink(),
        size: target.size,
        mtimeMs: target.mtimeMs,
      };
      return info;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  },
  realPath(path) {
    return fsp.realpath(path);
  },
  async writeFileAtomic(path, data) {
    const temp = join(dirname(path), `.${basename(path)}.tmp-${Date.now()}-${tempCounter++}`);
    const handle = await fsp.open(temp, "w");
    try {
      await handle.writeFile(toBytes(data));
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fsp.rename(temp, path);
    } catch (error) {
      await fsp.rm(temp, { force: true });
      throw error;
    }
    await syncDirectory(dirname(path));
  },
  async openAppend(path) {
    const handle = await fsp.open(path, "a");
    const { size } = await handle.stat();
    return new NodeAppendHandle(path, handle, size);
  },
  async appendFile(path, data, options) {
    const handle = await fsp.open(path, "a");
    try {
      await handle.appendFile(toBytes(data));
      if (options?.sync) await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename(from, to) {
    return fsp.rename(from, to);
  },
  async mkdirp(path) {
    await fsp.mkdir(path, { recursive: true });
  },
  remove(path) {
    return fsp.rm(path, { recursive: true, force: true });
  },
  watch(path, onEvent) {
    const root = resolve(path);
    const watcher = fsWatch(root, { persistent: false }, (eventType, filename) => {
      const target = filename ? join(root, filename.toString()) : root;
      const event: WatchEvent = { kind: eventType === "change" ? "modify" : "rename", path: target };
      onEvent(event);
    });
    // A watched path that disappears makes some runtimes emit "error"; the owner polls or re-watches.
    watcher.on("error", () => {});
    const result: Watcher = { close: () => watcher.close() };
    return result;
  },
  cwd() {
    return process.cwd();
  },
};

/** fsync a directory so that a rename inside it survives a crash; not every OS allows it. */
async function syncDirectory(path: string) {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(path, "r");
    await handle.sync();
  } catch {
    // Windows cannot open directories; the rename is as durable as the OS makes it.
  } finally {
    await handle?.close();
  }
}
