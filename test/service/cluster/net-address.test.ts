// Go's net.SplitHostPort / JoinHostPort / ParseIP and cluster_builder.go's port helpers; the
// expected values are what Go 1.2x prints for the same inputs.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { appendDefaultPort, canonicalIP, findPort, joinHostPort, splitHostPort } from "../../../src/service/cluster/net-address.ts";

describe("splitHostPort", () => {
  it("splits as Go does, the port kept as text", () => {
    assert.deepEqual(splitHostPort("host:1"), { host: "host", port: "1" });
    assert.deepEqual(splitHostPort("host:"), { host: "host", port: "" });
    assert.deepEqual(splitHostPort("[::1]:7"), { host: "::1", port: "7" });
    assert.deepEqual(splitHostPort(":80"), { host: "", port: "80" });
    assert.deepEqual(splitHostPort("dns+alloy.local:11211"), { host: "dns+alloy.local", port: "11211" });
  });

  it("refuses with Go's messages", () => {
    const cases: [string, string][] = [
      ["host", "address host: missing port in address"],
      ["[::1]", "address [::1]: missing port in address"],
      ["::1", "address ::1: too many colons in address"],
      ["[::1]x:5", "address [::1]x:5: missing port in address"],
      ["a:b:c", "address a:b:c: too many colons in address"],
      ["[a]:b]:1", "address [a]:b]:1: too many colons in address"],
      ["x[:1", "address x[:1: unexpected '[' in address"],
      ["x]:1", "address x]:1: unexpected ']' in address"],
      ["[x:1", "address [x:1: missing ']' in address"],
      ["", "missing port in address"],
    ];
    for (const [input, message] of cases) assert.throws(() => splitHostPort(input), { message }, input);
  });
});

describe("canonicalIP", () => {
  it("prints IP literals as Go's IP.String does", () => {
    assert.equal(canonicalIP("10.0.0.1"), "10.0.0.1");
    assert.equal(canonicalIP("::1"), "::1");
    assert.equal(canonicalIP("::ffff:10.1.2.3"), "10.1.2.3");
    assert.equal(canonicalIP("2001:DB8::0:1"), "2001:db8::1");
    assert.equal(canonicalIP("::1.2.3.4"), "::102:304");
    assert.equal(canonicalIP("0:0:0:0:0:0:0:1"), "::1");
  });

  it("refuses what net.ParseIP refuses", () => {
    for (const text of ["010.0.0.1", "fe80::1%eth0", "[::1]", "1.2.3", "256.0.0.1", "host", "", "::ffff:01.2.3.4"]) {
      assert.equal(canonicalIP(text), undefined, text);
    }
  });
});

describe("port helpers", () => {
  it("joins with brackets for IPv6 hosts", () => {
    assert.equal(joinHostPort("10.0.0.1", 80), "10.0.0.1:80");
    assert.equal(joinHostPort("fd00::1", "80"), "[fd00::1]:80");
    assert.equal(joinHostPort("host.", ""), "host.:");
  });

  it("findPort falls back to the default when there is no numeric port", () => {
    assert.equal(findPort("127.0.0.1:12345", 80), 12345);
    assert.equal(findPort("[::1]:7", 80), 7);
    assert.equal(findPort(":9000", 80), 9000);
    assert.equal(findPort("localhost", 80), 80);
    assert.equal(findPort("localhost:http", 80), 80);
    assert.equal(findPort("localhost:", 80), 80);
  });

  it("appendDefaultPort keeps an address that names a port, even a non-numeric one", () => {
    assert.equal(appendDefaultPort("10.0.0.7", 12345), "10.0.0.7:12345");
    assert.equal(appendDefaultPort("10.0.0.7:7946", 12345), "10.0.0.7:7946");
    assert.equal(appendDefaultPort("::1", 5), "[::1]:5");
    assert.equal(appendDefaultPort("node.local:http", 5), "node.local:http");
    // Go cannot split "[::1]" (no port), so it is bracketed again.
    assert.equal(appendDefaultPort("[::1]", 5), "[[::1]]:5");
  });
});
