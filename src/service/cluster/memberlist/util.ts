// memberlist's formulas and small helpers (memberlist:util.go), and IP addresses as bytes.

/** RetransmitMult · ceil(log10(n+1)): how many times a broadcast is sent. */
export function retransmitLimit(retransmitMult: number, n: number): number {
  return retransmitMult * Math.ceil(Math.log10(n + 1));
}

/** SuspicionMult · max(1, log10(max(1, n))) · interval, with the scale truncated to 1/1000. */
export function suspicionTimeout(suspicionMult: number, n: number, intervalMs: number): number {
  const nodeScale = Math.max(1, Math.log10(Math.max(1, n)));
  // Go: Duration(mult) * Duration(nodeScale*1000) * interval / 1000, in integer nanoseconds.
  return (suspicionMult * Math.trunc(nodeScale * 1000) * intervalMs) / 1000;
}

/** The push/pull period, stretched for clusters above 32 nodes. */
export function pushPullScale(intervalMs: number, n: number): number {
  if (n <= 32) return intervalMs;
  const multiplier = Math.ceil(Math.log2(n) - Math.log2(32)) + 1;
  return multiplier * intervalMs;
}

/** The time left on a suspicion timer after n of k confirmations (memberlist:suspicion.go). */
export function remainingSuspicionTime(n: number, k: number, elapsedMs: number, minMs: number, maxMs: number): number {
  const frac = Math.log(n + 1) / Math.log(k + 1);
  const raw = maxMs / 1000 - frac * (maxMs / 1000 - minMs / 1000);
  let timeout = Math.floor(1000 * raw);
  if (timeout < minMs) timeout = minMs;
  return timeout - elapsedMs;
}

/** A random integer in [0, n). */
export function randomOffset(n: number, random: () => number): number {
  if (n === 0) return 0;
  return Math.floor(random() * n) % n;
}

export function shuffle<T>(items: T[], random: () => number) {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

/**
 * Up to k distinct random entries that exclude rejects, found in at most 3·len random draws (so a
 * small or mostly excluded list may give fewer).
 */
export function kRandomNodes<T extends { name: string }>(
  k: number,
  nodes: readonly T[],
  exclude: (node: T) => boolean,
  random: () => number,
): T[] {
  const out: T[] = [];
  const n = nodes.length;
  for (let i = 0; i < 3 * n && out.length < k; i++) {
    const node = nodes[randomOffset(n, random)]!;
    if (exclude(node)) continue;
    if (out.some((o) => o.name === node.name)) continue;
    out.push(node);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// IP addresses as Go's net.IP: 4 bytes for IPv4, 16 for IPv6.

export function parseIP(text: string): Uint8Array | null {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const bytes = v4.slice(1).map(Number);
    if (bytes.some((b) => b > 255)) return null;
    return Uint8Array.from(bytes);
  }
  if (!text.includes(":")) return null;
  let s = text.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  // An embedded dotted quad at the end.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (tail) {
    const four = parseIP(tail[1]!);
    if (!four) return null;
    s = s.slice(0, -tail[1]!.length) + `${((four[0]! << 8) | four[1]!).toString(16)}:${((four[2]! << 8) | four[3]!).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = groups[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  }
  return out;
}

/** Go's IP.To4: the 4-byte form of an IPv4 or IPv4-mapped address, else null. */
export function toIPv4(ip: Uint8Array): Uint8Array | null {
  if (ip.length === 4) return ip;
  if (ip.length === 16 && ip.subarray(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff) {
    return ip.slice(12);
  }
  return null;
}

/** Go's IP.String for 4- and 16-byte addresses. */
export function ipToString(ip: Uint8Array | null): string {
  if (!ip || ip.length === 0) return "<nil>";
  const v4 = toIPv4(ip);
  if (v4) return Array.from(v4).join(".");
  if (ip.length !== 16) return "?" + Array.from(ip, (b) => b.toString(16).padStart(2, "0")).join("");
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((ip[i]! << 8) | ip[i + 1]!);
  // The longest run of two or more zero groups becomes "::".
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

export function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Splits "host:port" or "[v6]:port"; throws when there is no port. */
export function splitHostPort(addr: string): { host: string; port: number } {
  const m = /^\[([^\]]*)\]:(\d+)$/.exec(addr) ?? /^([^:]*):(\d+)$/.exec(addr);
  if (!m) throw new Error(`address ${addr}: missing port in address`);
  const port = Number(m[2]);
  if (port > 65535) throw new Error(`address ${addr}: invalid port`);
  return { host: m[1]!, port };
}

/** Whether s carries a port (memberlist's hasPort). */
export function hasPort(s: string): boolean {
  if (s.lastIndexOf("[") === 0) return s.lastIndexOf(":") > s.lastIndexOf("]");
  return s.split(":").length - 1 === 1;
}

export function ensurePort(s: string, port: number): string {
  if (hasPort(s)) return s;
  return joinHostPort(s.replace(/^\[|\]$/g, ""), port);
}

export function bytesEqual(a: Uint8Array | null | undefined, b: Uint8Array | null | undefined): boolean {
  const x = a ?? new Uint8Array(0);
  const y = b ?? new Uint8Array(0);
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
