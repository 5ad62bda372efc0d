// Go's net.LookupIP and net.LookupSRV on top of the Platform's Dns, with Go's results and error
// texts: the join addresses Alloy builds from them are logged and compared by users, and the
// errors end up in "failed to find any valid join addresses: …".
import type { Dns, SrvRecord } from "../../platform/types.ts";
import { canonicalIP } from "./net-address.ts";

/** An error worded as Go's *net.DNSError ("lookup <name>: no such host"). */
function lookupError(name: string, error: unknown): Error {
  const code = (error as { code?: string; name?: string }).code ?? (error as { name?: string }).name;
  let reason: string;
  switch (code) {
    // NXDOMAIN, or the name exists without records of the type: Go says "no such host" for both.
    case "ENOTFOUND":
    case "ENODATA":
    case "NotFound":
      reason = "no such host";
      break;
    case "ESERVFAIL":
      reason = "server misbehaving";
      break;
    case "ETIMEOUT":
    case "TimedOut":
      reason = "i/o timeout";
      break;
    case "ECONNREFUSED":
    case "ConnectionRefused":
      reason = "connection refused";
      break;
    default:
      reason = error instanceof Error ? error.message : String(error);
  }
  return new Error(`lookup ${name}: ${reason}`);
}

/**
 * Go's isDomainName, which Go's resolver checks before asking anything: labels of 1 to 63 letters,
 * digits, '_' or '-' (no label starts or ends with '-'), an optional root dot, 253 characters at
 * most, and not all digits.
 */
function isDomainName(name: string): boolean {
  const body = name.endsWith(".") ? name.slice(0, -1) : name;
  if (body === "" || body.length > 253) return false;
  const labelOk = (label: string) => /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(label);
  return body.split(".").every(labelOk) && /[A-Za-z_-]/.test(body);
}

/**
 * Go's net.LookupIP: an IP literal (an IPv6 zone allowed) is its own answer; a name gets its A and
 * AAAA records, IPv4 first, and fails only when neither look-up found anything.
 */
export async function lookupIP(dns: Dns, name: string): Promise<string[]> {
  const zoneless = name.replace(/%[^%]*$/, "");
  const literal = canonicalIP(zoneless);
  if (literal !== undefined && (zoneless === name || literal.includes(":"))) return [literal];
  if (!isDomainName(name)) throw lookupError(name, { code: "ENOTFOUND" });
  const [v4, v6] = await Promise.allSettled([dns.resolveA(name), dns.resolveAAAA(name)]);
  const found = [...(v4.status === "fulfilled" ? v4.value : []), ...(v6.status === "fulfilled" ? v6.value : [])];
  if (found.length > 0) return found.map((ip) => canonicalIP(ip) ?? ip);
  const failure = v4.status === "rejected" ? v4.reason : v6.status === "rejected" ? v6.reason : { code: "ENOTFOUND" };
  throw lookupError(name, failure);
}

/**
 * Go's net.LookupSRV("", "", name): the records ordered by priority and, within a priority, shuffled
 * by weight (RFC 2782); targets are fully qualified with the root dot, as Go returns them.
 */
export async function lookupSRV(dns: Dns, name: string, random: () => number = Math.random): Promise<SrvRecord[]> {
  if (!isDomainName(name)) throw lookupError(name, { code: "ENOTFOUND" });
  let records: SrvRecord[];
  try {
    records = await dns.resolveSrv(name);
  } catch (error) {
    throw lookupError(name, error);
  }
  const sorted = records
    .map((r) => ({ ...r, target: r.target.endsWith(".") ? r.target : `${r.target}.` }))
    .sort((a, b) => a.priority - b.priority || a.weight - b.weight);
  for (let start = 0; start < sorted.length; ) {
    let end = start;
    while (end < sorted.length && sorted[end]!.priority === sorted[start]!.priority) end++;
    shuffleByWeight(sorted, start, end, random);
    start = end;
  }
  return sorted;
}

/** RFC 2782's weighted selection, in place on records[start, end) (Go's byPriorityWeight.shuffleByWeight). */
function shuffleByWeight(records: SrvRecord[], start: number, end: number, random: () => number) {
  let sum = 0;
  for (let i = start; i < end; i++) sum += records[i]!.weight;
  for (let first = start; sum > 0 && end - first > 1; first++) {
    const pick = Math.floor(random() * sum);
    let running = 0;
    for (let i = first; i < end; i++) {
      running += records[i]!.weight;
      if (running > pick) {
        [records[first], records[i]] = [records[i]!, records[first]!];
        break;
      }
    }
    sum -= records[first]!.weight;
  }
}
