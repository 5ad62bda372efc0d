// Network namespaces for tests that need agents on separate hosts: one namespace per host, each
// joined by a veth pair to a bridge that lives in a namespace of its own. Everything is made inside
// namespaces this helper creates (`ip -n NS link add … peer … netns OTHER` never puts a link in the
// machine's own namespace), so the host's interfaces and routes are never touched. Names carry the
// test process's pid and a random tag, so parallel runs never clash; addresses come from a
// private range that, being confined to these namespaces, can repeat across runs.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import process from "node:process";

/** Runs `ip`, failing with its stderr (the command names what was being set up). */
function ip(...args: string[]): string {
  try {
    return execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 10_000 });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? "").trim();
    throw new Error(`ip ${args.join(" ")}: ${stderr || (error as Error).message}`);
  }
}

/**
 * A `skip` value for node:test: why namespaces cannot be made here (no `ip`, not root, no
 * permission in this container), or false when they can. In CI (CI=true) nothing is skipped, so a
 * machine that cannot make namespaces fails the test instead of hiding it.
 */
export function skipWithoutNetns(): string | false {
  if (process.env.CI === "true") return false;
  const probe = `alloyts-probe-${process.pid}-${randomBytes(3).toString("hex")}`;
  try {
    ip("netns", "add", probe);
  } catch (error) {
    return `network namespaces are not available here (needs iproute2 and root): ${(error as Error).message}`;
  }
  try {
    ip("netns", "del", probe);
  } catch {
    // Made but not removable would be odd; the test's own clean-up reports real trouble.
  }
  return false;
}

export interface Host {
  /** The namespace the host's processes run in. */
  namespace: string;
  /** The host's address on the bridge, without prefix length. */
  address: string;
  /** The interface inside the namespace that holds the address. */
  interfaceName: string;
}

export interface BridgedHostsOptions {
  count: number;
  /** The first three octets of a /24, e.g. "10.201.0"; hosts get .11, .12, … */
  subnet: string;
  /** The interface name inside each host namespace. */
  interfaceName: string;
}

/**
 * Hosts on one bridge. `cut(i)` takes host i's port on the bridge down, so that nothing passes
 * between it and the others (both directions, at once, without touching the host's own state);
 * `heal(i)` brings it back. `destroy()` removes everything made so far and may be called at any
 * point, also after a failed construction or twice.
 */
export class BridgedHosts {
  readonly hosts: Host[] = [];
  readonly #tag = `alloyts-${process.pid}-${randomBytes(3).toString("hex")}`;
  readonly #bridgeNs = `${this.#tag}-br`;
  /** Namespaces made so far, so that destroy() removes exactly these. */
  readonly #made: string[] = [];

  constructor(readonly options: BridgedHostsOptions) {}

  /** Makes the namespaces, links and addresses; on failure removes what it made and throws. */
  create(): this {
    const { count, subnet, interfaceName } = this.options;
    try {
      this.#addNamespace(this.#bridgeNs);
      ip("-n", this.#bridgeNs, "link", "add", "br0", "type", "bridge");
      ip("-n", this.#bridgeNs, "link", "set", "br0", "up");
      for (let i = 0; i < count; i++) {
        const namespace = `${this.#tag}-h${i}`;
        const address = `${subnet}.${11 + i}`;
        this.#addNamespace(namespace);
        ip("-n", this.#bridgeNs, "link", "add", this.#port(i), "type", "veth", "peer", "name", interfaceName, "netns", namespace);
        ip("-n", this.#bridgeNs, "link", "set", this.#port(i), "master", "br0", "up");
        ip("-n", namespace, "addr", "add", `${address}/24`, "dev", interfaceName);
        ip("-n", namespace, "link", "set", interfaceName, "up");
        // The test reaches each host's HTTP server from inside its namespace, over loopback.
        ip("-n", namespace, "link", "set", "lo", "up");
        this.hosts.push({ namespace, address, interfaceName });
      }
    } catch (error) {
      this.destroy();
      throw error;
    }
    return this;
  }

  /** The prefix that runs a command in host i's namespace (it execs the command in place). */
  exec(i: number): string[] {
    return ["ip", "netns", "exec", this.hosts[i]!.namespace];
  }

  cut(i: number): void {
    ip("-n", this.#bridgeNs, "link", "set", this.#port(i), "down");
  }

  heal(i: number): void {
    ip("-n", this.#bridgeNs, "link", "set", this.#port(i), "up");
  }

  /**
   * Deletes every namespace made (their links go with them). Processes still inside keep their
   * namespace alive after the name is gone, so stop them first.
   */
  destroy(): string[] {
    const problems: string[] = [];
    while (this.#made.length > 0) {
      const namespace = this.#made.pop()!;
      try {
        ip("netns", "del", namespace);
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    return problems;
  }

  #addNamespace(name: string) {
    ip("netns", "add", name);
    this.#made.push(name);
  }

  /** Host i's veth end in the bridge namespace. */
  #port(i: number): string {
    return `port${i}`;
  }
}
