// The UI's view of the API: the JSON shapes of Alloy's /api/v0/web and the fetches that read them.
// URLs are relative, so they resolve against <base href>, which the server sets to the UI prefix.

export type HealthState = "healthy" | "unhealthy" | "unknown" | "exited";

export type Value =
  | { type: "null"; value?: null }
  | { type: "number"; value: number }
  | { type: "string"; value: string }
  | { type: "bool"; value: boolean }
  | { type: "array"; value: Value[] }
  | { type: "object"; value: ObjectField[] }
  | { type: "function"; value: string }
  | { type: "capsule"; value: string };

export interface ObjectField {
  key: string;
  value: Value;
}

export type Statement =
  | { type: "attr"; name: string; value: Value }
  | { type: "block"; name: string; label?: string; body: Statement[] };

export interface ComponentInfo {
  name: string;
  type?: string;
  localID: string;
  moduleID: string;
  label?: string;
  referencesTo: string[];
  referencedBy: string[];
  dataFlowEdgesTo: string[];
  health: { state: HealthState; message: string; updatedTime: string };
  arguments?: Statement[];
  exports?: Statement[];
  debugInfo?: Statement[];
  createdModuleIDs?: string[];
  liveDebuggingEnabled: boolean;
}

export interface Peer {
  name: string;
  addr: string;
  isSelf: boolean;
  state: string;
}

export interface GraphRate {
  componentID: string;
  targetComponentIDs: string[] | null;
  type: string;
  rate: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const API = "api/v0/web";

/** The global id of a component: `<moduleID>/<localID>`, or the local id in the root module. */
export const globalId = (c: { moduleID: string; localID: string }) => (c.moduleID ? `${c.moduleID}/${c.localID}` : c.localID);

/** `remotecfg/` for the remote configuration's API routes, "" otherwise. */
export type Source = "" | "remotecfg/";

async function getJSON<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(`${API}/${path}`, { cache: "no-cache", credentials: "same-origin", ...(signal ? { signal } : {}) });
  const text = await response.text();
  if (!response.ok) throw new ApiError(response.status, text.trim() || `${response.status} ${response.statusText}`);
  return JSON.parse(text) as T;
}

const encodePath = (id: string) => id.split("/").map(encodeURIComponent).join("/");

export function listComponents(moduleID: string, source: Source = "", signal?: AbortSignal): Promise<ComponentInfo[]> {
  const path = moduleID === "" ? `${source}components` : `${source}modules/${encodePath(moduleID)}/components`;
  return getJSON<ComponentInfo[]>(path, signal);
}

export function getComponent(id: string, source: Source = "", signal?: AbortSignal): Promise<ComponentInfo> {
  return getJSON<ComponentInfo>(`${source}components/${encodePath(id)}`, signal);
}

export function listPeers(signal?: AbortSignal): Promise<Peer[]> {
  return getJSON<Peer[]>("peers", signal);
}

/**
 * Reads a stream of `|;|`-terminated items, calling onItem for each complete one, until the
 * signal aborts or the server ends it. Rejects with the server's message when it answers an error.
 */
export async function readItems(path: string, signal: AbortSignal, onItem: (item: string) => void): Promise<void> {
  const response = await fetch(`${API}/${path}`, { cache: "no-cache", credentials: "same-origin", signal });
  if (!response.ok || !response.body) {
    const text = await response.text();
    throw new ApiError(response.status, text.trim() || `${response.status} ${response.statusText}`);
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      const items = buffer.split("|;|");
      buffer = items.pop() ?? "";
      for (const item of items) onItem(item);
    }
  } finally {
    reader.releaseLock();
  }
}

export function debugStreamPath(id: string, sampleProb: number): string {
  return `debug/${encodePath(id)}?sampleProb=${sampleProb}`;
}

export function graphStreamPath(moduleID: string, windowSeconds: number): string {
  return `${moduleID ? `graph/${encodePath(moduleID)}` : "graph"}?window=${windowSeconds}`;
}

/** The server's root (where /-/reload lives) relative to the UI prefix. */
export function serverRoot(basePath: string): string {
  const depth = basePath.split("/").filter(Boolean).length;
  return "../".repeat(depth);
}

/** Asks the server to reload its configuration; resolves to the server's answer. */
export async function reloadConfig(basePath: string): Promise<{ ok: boolean; message: string }> {
  const response = await fetch(`${serverRoot(basePath)}-/reload`, { method: "POST", credentials: "same-origin" });
  return { ok: response.ok, message: (await response.text()).trim() };
}
