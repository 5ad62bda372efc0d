// host:port addresses and IP literals exactly as Go's net package reads and writes them. Cluster
// addresses come from flags and DNS and end up in logs and in peers' views, so the edge cases
// (a bare IPv6 address, "host:" with an empty port, IPv4-mapped addresses) must come out as
// Alloy's do: net.SplitHostPort, net.JoinHostPort, net.ParseIP + IP.String, and the two helpers
// of cluster_builder.go built on them (findPort, appendDefaultPort).
import { ipToString, parseIP as parseIPBytes } from "./memberlist/util.ts";

/** Go's net.SplitHostPort: the port is kept as text (it may be empty or not a number). */
export function splitHostPort(address: string): { host: string; port: string } {
  const fail = (why: string): never => {
    // Go's AddrError leaves the address out when it is empty.
    throw new Error(address === "" ? why : `address ${address}: ${why}`);
  };
  const lastColon = address.lastIndexOf(":");
  if (lastColon < 0) fail("missing port in address");
  let host: string;
  // Positions before which a '[' or ']' may legitimately appear.
  let openFrom = 0;
  let closeFrom = 0;
  if (address.startsWith("[")) {
    const end = address.indexOf("]");
    if (end < 0) fail("missing ']' in address");
    if (end + 1 === address.length) fail("missing port in address");
    if (end + 1 !== lastColon) fail(address[end + 1] === ":" ? "too many colons in address" : "missing port in address");
    host = address.slice(1, end);
    openFrom = 1;
    closeFrom = end + 1;
  } else {
    host = address.slice(0, lastColon);
    if (host.includes(":")) fail("too many colons in address");
  }
  if (address.indexOf("[", openFrom) >= 0) fail("unexpected '[' in address");
  if (address.indexOf("]", closeFrom) >= 0) fail("unexpected ']' in address");
  return { host, port: address.slice(lastColon + 1) };
}

/** Whether Go's SplitHostPort accepts the address, i.e. it already names a port. */
export function hasPort(address: string): boolean {
  try {
    splitHostPort(address);
    return true;
  } catch {
    return false;
  }
}

/** Go's net.JoinHostPort: brackets around any host holding a colon. */
export function joinHostPort(host: string, port: string | number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

const IPV4_OCTET = /^(0|[1-9]\d{0,2})$/;

function strictDottedQuad(text: string): boolean {
  const parts = text.split(".");
  return parts.length === 4 && parts.every((p) => IPV4_OCTET.test(p) && Number(p) <= 255);
}

/**
 * Go's net.ParseIP followed by IP.String: the canonical text of an IP literal, or undefined when
 * the text is not one. Like Go it refuses brackets, zones and IPv4 octets with leading zeros, and
 * prints IPv4-mapped IPv6 addresses as IPv4.
 */
export function canonicalIP(text: string): string | undefined {
  if (!text.includes(":")) return strictDottedQuad(text) ? text : undefined;
  if (/[[\]%]/.test(text)) return undefined;
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (tail.includes(".") && !strictDottedQuad(tail)) return undefined;
  const bytes = parseIPBytes(text);
  return bytes ? ipToString(bytes) : undefined;
}

/** Go's strconv.Atoi for the decimal text of a port; undefined when it is not a number. */
function atoi(text: string): number | undefined {
  return /^[+-]?\d+$/.test(text) ? Number(text) : undefined;
}

/** cluster_builder.go findPort: the port of a host:port address, or defaultPort when it has none. */
export function findPort(address: string, defaultPort: number): number {
  try {
    return atoi(splitHostPort(address).port) ?? defaultPort;
  } catch {
    return defaultPort;
  }
}

/** cluster_builder.go appendDefaultPort: the address as given when it names a port, else joined with port. */
export function appendDefaultPort(address: string, port: number | string): string {
  return hasPort(address) ? address : joinHostPort(address, port);
}
