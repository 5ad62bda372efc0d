// discovery.dns against a real DNS server on loopback (test/helpers/dns-server.ts): SRV, A, AAAA, MX
// and NS records with Prometheus's meta labels, changes between refreshes, names that vanish, the
// last targets of a name whose look-up fails, the metrics, and Alloy's validation.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { builtinRegistry } from "../../../src/component/registry.ts";
import { platform } from "../../../src/platform/mod.ts";
import { createRuntime, formatMetricsText, type Runtime } from "../../../src/runtime/index.ts";
import { LogController } from "../../../src/runtime/logging/logger.ts";
import { type DnsTable, startDnsServer } from "../../helpers/dns-server.ts";
import { makeTempDir } from "../../helpers/tmp.ts";
import { eventually, targetsOf } from "./helpers.ts";

const dir = makeTempDir("alloy-ts-discovery-dns-");
after(() => dir.cleanup());

/** A runtime whose platform resolves names with the given DNS server only. */
function dnsRuntime(port: number, name: string, lines: string[] = []): Runtime {
  const base = platform();
  return createRuntime({
    registry: builtinRegistry(),
    platform: { ...base, dns: base.dnsResolver({ address: "127.0.0.1", port }) },
    logs: new LogController({ write: (line) => lines.push(line) }, { level: "debug", format: "logfmt" }),
    storagePath: `${dir.path}/${name}`,
  });
}

const meta = (name: string, extra: Record<string, string> = {}) => ({
  __meta_dns_mx_record_target: "",
  __meta_dns_name: name,
  __meta_dns_ns_record_target: "",
  __meta_dns_srv_record_port: "",
  __meta_dns_srv_record_target: "",
  ...extra,
});

async function discover(table: DnsTable, body: string): Promise<Record<string, string>[]> {
  const dns = await startDnsServer(table);
  const runtime = dnsRuntime(dns.port, "once");
  try {
    const loaded = await runtime.load({ "c.alloy": `discovery.dns "t" {\n${body}\n}\n` });
    assert.ok(loaded.ok, loaded.error);
    runtime.start();
    let targets: Record<string, string>[] = [];
    await eventually(() => {
      targets = targetsOf(runtime, "discovery.dns.t");
      assert.ok(targets.length > 0);
    });
    return targets;
  } finally {
    await runtime.stop();
    await dns.close();
  }
}

describe("discovery.dns", () => {
  it("finds SRV records: host and port from the record, rooted target in the meta label", async () => {
    const targets = await discover(
      { SRV: { "_web._tcp.example.test": [{ target: "web1.example.test", port: 8080, priority: 10, weight: 5 }, { target: "web2.example.test", port: 8081, priority: 10, weight: 5 }] } },
      `names = ["_web._tcp.example.test"]`,
    );
    assert.deepEqual(
      targets.sort((a, b) => a.__address__!.localeCompare(b.__address__!)),
      [
        { __address__: "web1.example.test:8080", ...meta("_web._tcp.example.test", { __meta_dns_srv_record_port: "8080", __meta_dns_srv_record_target: "web1.example.test." }) },
        { __address__: "web2.example.test:8081", ...meta("_web._tcp.example.test", { __meta_dns_srv_record_port: "8081", __meta_dns_srv_record_target: "web2.example.test." }) },
      ],
    );
  });

  it("finds A and AAAA records with the configured port", async () => {
    const a = await discover({ A: { "hosts.example.test": ["10.0.0.1", "10.0.0.2"] } }, `names = ["hosts.example.test"]\ntype = "A"\nport = 9100`);
    assert.deepEqual(a.map((t) => t.__address__).sort(), ["10.0.0.1:9100", "10.0.0.2:9100"]);
    assert.deepEqual(a[0], { __address__: a[0]!.__address__, ...meta("hosts.example.test") });
    const aaaa = await discover({ AAAA: { "hosts.example.test": ["fd00::1"] } }, `names = ["hosts.example.test"]\ntype = "aaaa"\nport = 9100`);
    assert.deepEqual(aaaa, [{ __address__: "[fd00::1]:9100", ...meta("hosts.example.test") }]);
  });

  it("finds MX and NS records with the configured port", async () => {
    const mx = await discover({ MX: { "example.test": [{ exchange: "mail.example.test", priority: 10 }] } }, `names = ["example.test"]\ntype = "MX"\nport = 25`);
    assert.deepEqual(mx, [{ __address__: "mail.example.test:25", ...meta("example.test", { __meta_dns_mx_record_target: "mail.example.test." }) }]);
    const ns = await discover({ NS: { "example.test": ["ns1.example.test"] } }, `names = ["example.test"]\ntype = "NS"\nport = 53`);
    assert.deepEqual(ns, [{ __address__: "ns1.example.test:53", ...meta("example.test", { __meta_dns_ns_record_target: "ns1.example.test." }) }]);
  });

  it("follows changes: a vanished name loses its targets, a failing one keeps them", async () => {
    const table: DnsTable = { ttl: 0, A: { "one.test": ["10.0.0.1"], "two.test": ["10.0.0.2"] } };
    const dns = await startDnsServer(table);
    const lines: string[] = [];
    const runtime = dnsRuntime(dns.port, "changes", lines);
    const addresses = () => targetsOf(runtime, "discovery.dns.t").map((t) => t.__address__).sort();
    try {
      const loaded = await runtime.load({
        "c.alloy": `discovery.dns "t" {\n  names = ["one.test", "two.test", "three.test"]\n  type = "A"\n  port = 80\n  refresh_interval = "50ms"\n}\n`,
      });
      assert.ok(loaded.ok, loaded.error);
      runtime.start();
      await eventually(() => assert.deepEqual(addresses(), ["10.0.0.1:80", "10.0.0.2:80"]));

      table.A!["one.test"] = ["10.0.0.1", "10.0.0.11"];
      table.A!["three.test"] = ["10.0.0.3"];
      await eventually(() => assert.deepEqual(addresses(), ["10.0.0.11:80", "10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"].sort()));

      table.fail = ["two.test"];
      delete table.A!["three.test"];
      await eventually(() => assert.deepEqual(addresses(), ["10.0.0.11:80", "10.0.0.1:80", "10.0.0.2:80"].sort()));
      await eventually(() => assert.ok(lines.some((l) => l.includes("Error refreshing DNS targets") && l.includes("two.test")), lines.join("\n")));
      assert.ok(addresses().includes("10.0.0.2:80"), "the failing name keeps its targets");

      const metrics = formatMetricsText(runtime.metrics().families);
      assert.match(metrics, /prometheus_sd_dns_lookup_failures_total\{component_id="discovery.dns.t",component_path="\/"\} [1-9]/);
      assert.match(metrics, /prometheus_sd_dns_lookups_total\{component_id="discovery.dns.t",component_path="\/"\} ([3-9]|\d{2,})/);

      table.fail = [];
      table.A!["two.test"] = ["10.0.0.22"];
      await eventually(() => assert.deepEqual(addresses(), ["10.0.0.11:80", "10.0.0.1:80", "10.0.0.22:80"].sort()));
    } finally {
      await runtime.stop();
      await dns.close();
    }
  });

  it("refuses an unknown record type, a missing port and a zero refresh_interval with Alloy's messages", async () => {
    const runtime = dnsRuntime(53, "validation");
    const check = async (body: string, message: RegExp) => {
      const result = await runtime.load({ "c.alloy": `discovery.dns "t" {\n  names = ["x.test"]\n${body}\n}\n` });
      assert.equal(result.ok, false);
      assert.match(result.error ?? "", message);
    };
    await check(`type = "TXT"`, /invalid DNS-SD records type TXT/);
    for (const type of ["A", "AAAA", "MX", "NS"]) {
      await check(`type = "${type}"`, /a port is required in DNS-SD configs for all record types except SRV/);
    }
    await check(`refresh_interval = "0s"`, /refresh_interval must be greater than 0/);
  });
});
