// The `http` block's basic authentication: which paths need credentials, and a constant-time check
// of them (sha256 of both sides compared in full, so timing says nothing about how much matched).

export interface BasicAuthConfig {
  username: string;
  password: string;
  /** Path prefixes the filter applies to. */
  filterPaths: string[];
  /** True: only the listed prefixes need auth; false: everything except them does. */
  authenticateMatchingPaths: boolean;
}

const encoder = new TextEncoder();

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function needsAuth(config: BasicAuthConfig, path: string): boolean {
  const matches = config.filterPaths.some((prefix) => path.startsWith(prefix));
  return config.authenticateMatchingPaths ? matches : !matches;
}

/** Undefined when the request may pass; otherwise why not (for the log). */
export async function checkBasicAuth(config: BasicAuthConfig, request: Request): Promise<string | undefined> {
  if (!needsAuth(config, new URL(request.url).pathname)) return undefined;
  const header = request.headers.get("authorization") ?? "";
  if (!header.toLowerCase().startsWith("basic ")) return "missing basic auth credentials";
  let decoded: string;
  try {
    decoded = atob(header.slice(6).trim());
  } catch {
    return "malformed basic auth credentials";
  }
  const colon = decoded.indexOf(":");
  if (colon === -1) return "malformed basic auth credentials";
  const [user, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
  const [a, b, c, d] = await Promise.all([digest(user), digest(config.username), digest(password), digest(config.password)]);
  // Both comparisons always run.
  const userOk = sameBytes(a, b);
  const passwordOk = sameBytes(c, d);
  return userOk && passwordOk ? undefined : "invalid basic auth credentials";
}
