// --cluster.join-addresses resolved against a real DNS server on loopback (test/helpers/dns-server.ts):
// literal IPs, A/AAAA and SRV records, the DNS-SD prefixes, default ports, warnings and Alloy's
// error text when nothing resolves.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { platform } from "../../../src/platform/mod.ts";
import { joinAddressDiscovery, splitJoinAddresses } from "../../../src/service/cluster/join-addresses.ts";
import { type DnsTable, startDnsServer } from "../../helpers/dns-server.ts";
import { captureLogs } from "./log-capture.ts";

const table: DnsTable = {
  A: { "peers.test": ["10.0.0.1", "10.0.0.2"], "node-a.test": ["10.0.0.1"], "v4only.test": ["10.0.0.9"] },
  AAAA: { "peers.test": ["fd00::1"] },
  SRV: {
    "_alloy._tcp.peers.test": [
      { target: "node-b.peers.test", port: 7000, priority: 20, weight: 1 },
      { target: "node-a.peers.test", port: 7001, priority: 10, weight: 1 },
    ],
    "srvonly.test": [{ target: "node-c.peers.test", port: 9999, priority: 1, weight: 0 }],
  },
};

describe("join addresses", () => {
  let server: Awaited<ReturnType<typeof startDnsServer>>;
  before(async () => {
    server = await startDnsServer(table);
  });
  after(async () => {
    await server.close();
  });

  function resolve(joinPeers: string[], defaultPort = 12345) {
    const { logger, lines } = captureLogs();
    const dns = platform().dnsResolver({ address: "127.0.0.1", port: server.port });
    return { discover: joinAddressDiscovery({ joinPeers, defaultPort, dns, logger }), lines };
  }

  it("splits the flag on commas without trimming", () => {
    assert.deepEqual(splitJoinAddresses(""), []);
    assert.deepEqual(splitJoinAddresses("a:1,b"), ["a:1", "b"]);
    assert.deepEqual(splitJoinAddresses("a, b,"), ["a", " b", ""]);
  });

  it("takes IP literals as they are, with the default port when none is given", async () => {
    const { discover } = resolve(["10.10.10.10", "11.11.11.11:7777", "::1", "[fd00::2]:80", "::ffff:10.1.2.3"]);
    assert.deepEqual(await discover(), ["10.10.10.10:12345", "11.11.11.11:7777", "[::1]:12345", "[fd00::2]:80", "10.1.2.3:12345"]);
  });

  it("looks up A and AAAA records of names", async () => {
    const { discover } = resolve(["peers.test", "v4only.test:80"]);
    assert.deepEqual(await discover(), ["10.0.0.1:12345", "10.0.0.2:12345", "[fd00::1]:12345", "10.0.0.9:80"]);
  });

  it("falls back to SRV records of the bare name, ignoring their ports", async () => {
    const { discover } = resolve(["srvonly.test", "_alloy._tcp.peers.test:8000"]);
    // Targets keep the root dot, as Go's LookupSRV returns them; lower priority first.
    assert.deepEqual(await discover(), ["node-c.peers.test.:12345", "node-a.peers.test.:8000", "node-b.peers.test.:8000"]);
  });

  it("uses the record type a DNS-SD prefix asks for", async () => {
    const { discover } = resolve(["dns+peers.test:7946", "dnssrv+_alloy._tcp.peers.test", "dnssrvnoa+srvonly.test:1", "dns+10.9.9.9"]);
    assert.deepEqual(await discover(), [
      "10.0.0.1:7946",
      "10.0.0.2:7946",
      "[fd00::1]:7946",
      "node-a.peers.test.:12345",
      "node-b.peers.test.:12345",
      "node-c.peers.test.:1",
      "10.9.9.9:12345",
    ]);
  });

  it("drops duplicates and warns about entries that do not resolve", async () => {
    const { discover, lines } = resolve(["10.0.0.1", "node-a.test", "missing.test", "dns+peers.test"]);
    assert.deepEqual(await discover(), ["10.0.0.1:12345", "10.0.0.2:12345", "[fd00::1]:12345"]);
    const warnings = lines.filter((l) => l.includes("level=warn"));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /msg="failed to resolve provided join address" addr=missing.test/);
  });

  it("fails with every resolver's error when nothing resolves", async () => {
    const { discover, lines } = resolve(["missing.test", "dns+gone.test:80"]);
    await assert.rejects(discover(), {
      message: [
        'static peer discovery: failed to find any valid join addresses: could not parse as an IP or IP:port address: "missing.test"',
        'failed to resolve "A/AAAA" records: lookup missing.test: no such host',
        'failed to resolve "SRV" records: lookup missing.test: no such host',
        'failed to resolve "A/AAAA" records: lookup gone.test: no such host',
        'could not parse as an IP or IP:port address: "dns+gone.test"',
        'failed to resolve "A/AAAA" records: lookup dns+gone.test: no such host',
        'failed to resolve "SRV" records: lookup dns+gone.test: no such host',
      ].join("\n"),
    });
    assert.equal(lines.filter((l) => l.includes('msg="failed to resolve provided join address"')).length, 2);
  });

  it("resolves again on every call, following DNS changes", async () => {
    const { discover } = resolve(["moving.test"]);
    await assert.rejects(discover(), /failed to find any valid join addresses/);
    table.A!["moving.test"] = ["10.0.0.50", "10.0.0.51"];
    // (A changed answer may come from the resolver's cache until its TTL ends on Deno and Bun;
    // a name that did not exist is asked again.)
    assert.deepEqual(await discover(), ["10.0.0.50:12345", "10.0.0.51:12345"]);
  });
});
