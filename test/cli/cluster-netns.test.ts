// Clustering across network namespaces (issue 7): three `alloy run` agents, under the runtime
// running the test, each on a "host" of its own — a network namespace the test makes, joined to the
// others through a veth pair into a bridge in a namespace of its own (test/helpers/netns.ts; the
// machine's own interfaces and routes are never touched). Each agent listens on 0.0.0.0:12345 in
// its namespace, finds the address to advertise on its veth through --cluster.advertise-interfaces
// (the default eth0,en0 does not exist there: without the flag it would advertise 127.0.0.1 and
// nobody could reach it), and joins the other two by bare IP (the port defaults to the listener's).
// The test reads each agent's /api/v0/web/peers with curl run inside that agent's namespace.
//
// Timings below are memberlist's as ckit sets them (spec/memberlist.md): probe interval P = 5s,
// suspicion multiplier 4, GossipToTheDeadTime 30s, gossip every 200ms; --cluster.rejoin-interval 5s.
//
// - Converge: every agent lists the three as participants, each at its veth address.
// - Partition: host 2's bridge port goes down. Each side finds the other dead and lists only
//   itself. Bound: a node probes its peers in turn, one per P, and a failed probe waits out its
//   whole probe period before the suspicion, a period that Lifeguard stretches by the node's
//   health score (+1 per failed probe whose indirect helpers send no nack): on the cut-off side the
//   second peer is suspected by ≈ P + P + 2P = 20s. With N = 3 memberlist awaits no confirmations
//   (k = SuspicionMult − 2 = 2 > N − 2), so a suspect is dead 4 · max(1, log10 3) · P = 20s later:
//   ≈ 40s, seen at 25–40s here. The assertion allows 90s for a loaded two-core machine.
// - Heal: the partition is held until every dead entry is reaped (30s after death, at the next
//   probe-list wrap, which comes within 2P on the healthy side and every tick on the lone side), so
//   that gossip to the dead cannot merge the sides and only a join can. Then the link comes back.
//   Every agent's rejoin loop joins its --cluster.join-addresses every 5s plus the time its failed
//   dials took (2s each, at most two): a join that reaches the other side starts ≤ 9s after the
//   link is back; its push/pull gives the joiner the other side's members and ckit states at once,
//   and the side it joined spreads the joiner's alive and participant messages by gossip in well
//   under a second. So one cluster of three within ≈ 10s; the assertion allows 30s.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BridgedHosts, skipWithoutNetns } from "../helpers/netns.ts";
import { repoRoot, spawnRuntime, type ChildRun } from "../helpers/runtime.ts";
import { makeTempDir } from "../helpers/tmp.ts";
import { eventually, sleep } from "../service/cluster/helpers.ts";

const entry = join(repoRoot, "src/cli/entry.ts");
const PORT = 12345;
const INTERFACE = "alloy0";
/** Beyond GossipToTheDeadTime (30s) plus the slowest probe-list wrap (2P on the healthy side). */
const HOLD_FOR_REAPING_MS = 45_000;
const PARTITION_BOUND_MS = 90_000;
const HEAL_BOUND_MS = 30_000;

interface Peer {
  name: string;
  addr: string;
  isSelf: boolean;
  state: string;
}

describe("alloy run: clustering across network namespaces", { skip: skipWithoutNetns() }, () => {
  const dir = makeTempDir();
  const net = new BridgedHosts({ count: 3, subnet: "10.201.0", interfaceName: INTERFACE });
  const agents: { name: string; run: ChildRun }[] = [];
  const nameOf = (i: number) => `host-${i}`;

  /** Agent i's peers, asked from inside its namespace. */
  const peersOf = (i: number) =>
    new Promise<Peer[]>((resolve, reject) => {
      const [command, ...prefix] = net.exec(i);
      execFile(command!, [...prefix, "curl", "-s", "-S", "--fail", "--max-time", "5", `http://127.0.0.1:${PORT}/api/v0/web/peers`], (error, stdout) => {
        if (error) reject(error);
        else resolve(JSON.parse(String(stdout)) as Peer[]);
      });
    });

  /** Fails as soon as any agent exits: polling a dead agent would only wait out the timeout. */
  const anyExit = () =>
    Promise.race(
      agents.map(({ name, run }) =>
        run.exited.then(({ code, signal }) => {
          throw new Error(`${name} exited (${code ?? signal}):\n${run.output.slice(-4000)}`);
        }),
      ),
    );

  /** Whether each agent i in `groups` lists exactly the participants of its group. */
  const listing = async (groups: number[][]) => {
    for (const group of groups) {
      const want = group.map((i) => `${nameOf(i)}@${net.hosts[i]!.address}:${PORT}=participant`).join(",");
      for (const i of group) {
        const seen = (await peersOf(i)).map((p) => `${p.name}@${p.addr}=${p.state}`).sort().join(",");
        if (seen !== want) return undefined;
      }
    }
    return true;
  };

  /** Resolves once `listing(groups)` holds; fails after timeoutMs, or at once when an agent exits. */
  const listsOnly = (groups: number[][], timeoutMs: number) =>
    Promise.race([anyExit(), eventually(groups.map((g) => `[${g.map(nameOf).join(" ")}]`).join(" and "), () => listing(groups), timeoutMs, 500)]);

  before(async () => {
    net.create();
    const config = join(dir.path, "self.alloy");
    writeFileSync(config, 'prometheus.exporter.self "x" {}\n');
    for (const [i, host] of net.hosts.entries()) {
      const others = net.hosts.filter((h) => h !== host).map((h) => h.address);
      const run = spawnRuntime(
        entry,
        [
          "run",
          `--server.http.listen-addr=0.0.0.0:${PORT}`,
          `--storage.path=${join(dir.path, `data-${i}`)}`,
          "--disable-reporting",
          "--cluster.enabled",
          `--cluster.node-name=${nameOf(i)}`,
          `--cluster.advertise-interfaces=${INTERFACE}`,
          `--cluster.join-addresses=${others.join(",")}`,
          "--cluster.rejoin-interval=5s",
          config,
        ],
        { cwd: dir.path, prefix: net.exec(i) },
      );
      agents.push({ name: nameOf(i), run });
      await run.waitFor(/Alloy is running/, 60_000);
    }
  });

  after(async () => {
    for (const { run } of agents) run.kill("SIGTERM");
    await Promise.all(agents.map(({ run }) => run.completion(30_000).catch(() => {})));
    // Only once the agents are gone: a namespace with processes inside outlives its name.
    const problems = net.destroy();
    dir.cleanup();
    assert.deepEqual(problems, [], "namespaces removed");
  });

  it("converges: each agent lists the three as participants at their veth addresses", async () => {
    await listsOnly([[0, 1, 2]], 60_000);
    for (const [i, { run }] of agents.entries()) {
      assert.match(run.output, new RegExp(`msg="starting cluster node".*advertise_addr=${net.hosts[i]!.address.replaceAll(".", "\\.")}:${PORT}`));
      assert.doesNotMatch(run.output, /could not find advertise address/);
    }
  });

  it("splits when a host is cut off: each side lists only its own side", async () => {
    const cutAt = Date.now();
    net.cut(2);
    await listsOnly([[0, 1], [2]], PARTITION_BOUND_MS);
    console.log(`# host-2 cut off: both sides list only themselves after ${((Date.now() - cutAt) / 1000).toFixed(1)}s`);
    // The split is stable: a second look a few probe rounds later shows the same.
    await sleep(10_000);
    await listsOnly([[0, 1], [2]], 0);
    // Packets to the unreachable host wait out their timeout in a lane of their own: the healthy
    // side's pings and acks are not held behind them, so neither suspects the other.
    assert.doesNotMatch(agents[0]!.run.output, /suspect host-1 has failed/);
    assert.doesNotMatch(agents[1]!.run.output, /suspect host-0 has failed/);
  });

  it("merges back into one cluster of three through rejoin once the link is healed", async () => {
    // Until here every side has seen the other dead for ≥ 10s; hold until the dead are forgotten.
    await sleep(HOLD_FOR_REAPING_MS - 10_000);
    await listsOnly([[0, 1], [2]], 0);
    const healedAt = Date.now();
    net.heal(2);
    await listsOnly([[0, 1, 2]], HEAL_BOUND_MS);
    console.log(`# link healed: one cluster of three again after ${((Date.now() - healedAt) / 1000).toFixed(1)}s`);
    // The lone side kept trying its peers throughout, and one of those attempts got through.
    assert.match(agents[2]!.run.output, /msg="failed to rejoin list of peers"[^\n]*dial 10\.201\.0\.1[12]:12345/);
  });
});
