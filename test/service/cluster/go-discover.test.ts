// --cluster.discover-peers: go-discover's config syntax (expected values are what go-discover
// v1.3.0's Parse returns for the same strings), provider dispatch and its errors, and how the
// discover function and getRandomPeers use the result.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { getRandomPeers, newPeerDiscovery } from "../../../src/service/cluster/discovery.ts";
import { parseDiscoverConfig } from "../../../src/service/cluster/go-discover-config.ts";
import { type DiscoverProvider, discoverAddrs, goDiscoverDiscovery } from "../../../src/service/cluster/go-discover.ts";
import { platform } from "../../../src/platform/mod.ts";
import { captureLogs } from "./log-capture.ts";

describe("parseDiscoverConfig", () => {
  const parsed = (input: string) => {
    const config = parseDiscoverConfig(input);
    return config && Object.fromEntries(config);
  };

  it("reads key=value pairs, quoted keys and values, and trims around '='", () => {
    assert.equal(parsed(""), undefined);
    assert.equal(parsed("   "), undefined);
    assert.deepEqual(parsed("key=a"), { key: "a" });
    assert.deepEqual(parsed(" key = a   key2 = b "), { key: "a", key2: "b" });
    assert.deepEqual(parsed("key=a+b key2=c/d"), { key: "a+b", key2: "c/d" });
    assert.deepEqual(parsed(String.raw`  "k e \\\" y" = "a \" b" key2=c`), { [String.raw`k e \" y`]: 'a " b', key2: "c" });
    assert.deepEqual(parsed('provider=k8s namespace=alloy label_selector="app.kubernetes.io/name=alloy,component=x"'), {
      provider: "k8s",
      namespace: "alloy",
      label_selector: "app.kubernetes.io/name=alloy,component=x",
    });
    assert.deepEqual(parsed(String.raw`k="\x41\u00e9\101"`), { k: "AéA" });
    assert.deepEqual(parsed('k="é" ü=ñ'), { k: "é", ü: "ñ" });
    assert.deepEqual(parsed('secret="fpOfcHQJAQBczjAxiVpeyLmX1M0M0KPBST+GU2GvEN4="'), { secret: "fpOfcHQJAQBczjAxiVpeyLmX1M0M0KPBST+GU2GvEN4=" });
  });

  it("fails with go-discover's messages", () => {
    const cases: [string, string][] = [
      ["provider=aws foo", "foo: missing '='"],
      ["key", "key: missing '='"],
      ["key=", "key: missing value"],
      ['key="a', "key: unbalanced quotes"],
      ['key="\\', "key: unterminated escape sequence"],
      ["key=a key=b", "key: duplicate key"],
      ["key key2", "key: missing '='"],
      ["secret_access_key=abc=", `secret_access_key: - equals in key's value, enclosing double-quote needed secret_access_key="value-with-=-symbol"`],
      ['"a"b=c', "a: missing '='"],
      ['"abc', ": error with key=value pair unbalanced quotes"],
      ["=x", `: - equals in key's value, enclosing double-quote needed ="value-with-=-symbol"`],
      ['k="\\q"', "k: invalid syntax"],
      ['k="a"="b"', `k: - equals in key's value, enclosing double-quote needed k="value-with-=-symbol"`],
      // Only ' ' separates tokens: a tab stays inside the value.
      ["k=v\tx=y", `k: - equals in key's value, enclosing double-quote needed k="value-with-=-symbol"`],
      ["provider=k8s  label_selector=app=x", `label_selector: - equals in key's value, enclosing double-quote needed label_selector="value-with-=-symbol"`],
      ['k="a b"c', "c: missing '='"],
      ["a==b", "a: missing value"],
    ];
    for (const [input, message] of cases) assert.throws(() => parseDiscoverConfig(input), { message }, input);
  });
});

/** A provider that answers from a list and records what it was asked. */
function fixedProvider(addrs: string[]): DiscoverProvider & { calls: Record<string, string>[] } {
  const calls: Record<string, string>[] = [];
  return {
    calls,
    async addrs(args) {
      calls.push(Object.fromEntries(args));
      return [...addrs];
    },
  };
}

describe("discoverAddrs", () => {
  const { logger } = captureLogs();

  it("hands the parsed arguments to the named provider", async () => {
    const k8s = fixedProvider(["10.0.0.1"]);
    assert.deepEqual(await discoverAddrs("provider=k8s namespace=alloy", new Map([["k8s", k8s]]), logger), ["10.0.0.1"]);
    assert.deepEqual(k8s.calls, [{ provider: "k8s", namespace: "alloy" }]);
  });

  it("names what is wrong with the provider", async () => {
    const providers = new Map([["k8s", fixedProvider([])]]);
    await assert.rejects(discoverAddrs("", providers, logger), { message: "discover: no provider" });
    await assert.rejects(discoverAddrs("namespace=x", providers, logger), { message: "discover: no provider" });
    await assert.rejects(discoverAddrs("provider=", providers, logger), { message: "discover: provider: missing value" });
    await assert.rejects(discoverAddrs("provider=aws region=eu-west-1", providers, logger), {
      message: "discover: provider aws is not supported by alloy-ts (supported providers: k8s)",
    });
    await assert.rejects(discoverAddrs("provider=nope", providers, logger), {
      message: "discover: unknown provider nope (supported providers: k8s)",
    });
  });
});

describe("goDiscoverDiscovery", () => {
  it("adds the default port to addresses without one, on every call", async () => {
    const { logger } = captureLogs();
    const k8s = fixedProvider(["10.0.0.1", "10.0.0.2:7946", "fd00::5", "[fd00::6]:80"]);
    const discover = goDiscoverDiscovery({ config: "provider=k8s", defaultPort: 12345, providers: new Map([["k8s", k8s]]), logger });
    const expected = ["10.0.0.1:12345", "10.0.0.2:7946", "[fd00::5]:12345", "[fd00::6]:80"];
    assert.deepEqual(await discover(), expected);
    assert.deepEqual(await discover(), expected);
    assert.equal(k8s.calls.length, 2);
  });

  it("wraps failures as Alloy does", async () => {
    const { logger } = captureLogs();
    const discover = goDiscoverDiscovery({ config: "provider=gce", defaultPort: 1, providers: new Map(), logger });
    await assert.rejects(discover(), { message: "discovering peers: discover: provider gce is not supported by alloy-ts (supported providers: )" });
  });
});

describe("newPeerDiscovery", () => {
  const base = { defaultPort: 12345, dns: platform().dns, providers: new Map([["k8s", fixedProvider(["10.1.1.1"])]]) };

  it("refuses join and discover peers together", () => {
    const { logger } = captureLogs();
    assert.throws(() => newPeerDiscovery({ ...base, logger, joinPeers: ["a:1", "b"], discoverPeers: "provider=k8s" }), {
      message: 'at most one of join peers and discover peers may be set, got join peers ["a:1" "b"] and discover peers "provider=k8s"',
    });
  });

  it("has nothing to discover for a seed node", () => {
    const { logger, lines } = captureLogs();
    assert.equal(newPeerDiscovery({ ...base, logger, joinPeers: [], discoverPeers: "" }), undefined);
    assert.match(lines.join(""), /level=info msg="no peer discovery configured: both join and discover peers are empty"/);
  });

  it("uses join addresses, logging them", async () => {
    const { logger, lines } = captureLogs();
    const discover = newPeerDiscovery({ ...base, logger, joinPeers: ["10.0.0.1", "10.0.0.2:80"], discoverPeers: "" });
    assert.deepEqual(await discover!(), ["10.0.0.1:12345", "10.0.0.2:80"]);
    assert.match(lines[0]!, /msg="using provided peers for discovery" join_peers="10.0.0.1, 10.0.0.2:80"/);
  });

  it("uses go-discover without logging the string, which may hold credentials", async () => {
    const { logger, lines } = captureLogs();
    const discover = newPeerDiscovery({ ...base, logger, joinPeers: [], discoverPeers: "provider=k8s secret=s3cr3t" });
    assert.deepEqual(await discover!(), ["10.1.1.1:12345"]);
    assert.match(lines[0]!, /msg="using go-discovery to discover peers"/);
    assert.doesNotMatch(lines.join(""), /s3cr3t/);
  });
});

describe("getRandomPeers", () => {
  const peers = ["a:1", "b:1", "c:1", "d:1", "e:1", "f:1"];
  const discover = async () => [...peers];

  it("joins nobody without clustering or without a discover function", async () => {
    const { logger } = captureLogs();
    assert.deepEqual(await getRandomPeers({ enableClustering: false, discover, maxJoinPeers: 5, logger }), []);
    assert.deepEqual(await getRandomPeers({ enableClustering: true, discover: undefined, maxJoinPeers: 5, logger }), []);
  });

  it("returns every peer when max-join-peers is 0 or more than were found", async () => {
    const { logger, lines } = captureLogs();
    assert.deepEqual(await getRandomPeers({ enableClustering: true, discover, maxJoinPeers: 0, logger }), peers);
    assert.deepEqual(await getRandomPeers({ enableClustering: true, discover, maxJoinPeers: 7, logger }), peers);
    assert.match(lines[0]!, /level=debug msg="discovered peers" peers_count=6 peers=a:1,b:1,c:1,d:1,e:1,f:1/);
  });

  it("takes a random max-join-peers of them once at least that many were found", async () => {
    const { logger } = captureLogs();
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const picked = await getRandomPeers({ enableClustering: true, discover, maxJoinPeers: 3, logger });
      assert.equal(picked.length, 3);
      assert.equal(new Set(picked).size, 3);
      for (const p of picked) {
        assert.ok(peers.includes(p));
        seen.add(p);
      }
    }
    // Fifty draws of three out of six reach every peer unless the choice is not random.
    assert.equal(seen.size, peers.length);
    const exact = await getRandomPeers({ enableClustering: true, discover, maxJoinPeers: 6, logger });
    assert.deepEqual([...exact].sort(), peers);
  });

  it("lets discovery errors through for the service to log", async () => {
    const { logger } = captureLogs();
    const failing = async () => {
      throw new Error("static peer discovery: failed to find any valid join addresses: x");
    };
    await assert.rejects(getRandomPeers({ enableClustering: true, discover: failing, maxJoinPeers: 5, logger }), /failed to find any valid join addresses/);
  });
});
