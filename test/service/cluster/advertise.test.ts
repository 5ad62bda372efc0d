// The advertise address: ckit's FirstAddress preference order over given interface lists, and
// Alloy's getAdvertiseAddress rules for the flag, the interfaces and the listen port.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { NetworkAddress, NetworkInterface } from "../../../src/platform/types.ts";
import { platform } from "../../../src/platform/mod.ts";
import { advertiseAddress, DEFAULT_ADVERTISE_INTERFACES, firstAddress } from "../../../src/service/cluster/advertise.ts";
import { captureLogs } from "./log-capture.ts";

function iface(name: string, ...addresses: string[]): NetworkInterface {
  return {
    name,
    addresses: addresses.map(
      (address): NetworkAddress => ({
        address,
        family: address.includes(":") ? 6 : 4,
        netmask: address.includes(":") ? "ffff:ffff:ffff:ffff::" : "255.255.255.0",
        internal: address === "::1" || address.startsWith("127."),
      }),
    ),
  };
}

const lo = iface("lo", "127.0.0.1", "::1");

describe("firstAddress", () => {
  it("prefers IPv4, then IPv6, then link-local IPv4, then link-local IPv6, never loopback", () => {
    assert.equal(firstAddress(["eth0"], [iface("eth0", "fe80::1", "169.254.0.5", "fd00::7", "10.0.0.7")]), "10.0.0.7");
    assert.equal(firstAddress(["eth0"], [iface("eth0", "fe80::1", "169.254.0.5", "fd00::7")]), "fd00::7");
    assert.equal(firstAddress(["eth0"], [iface("eth0", "fe80::1", "169.254.0.5")]), "169.254.0.5");
    assert.equal(firstAddress(["eth0"], [iface("eth0", "fe80::1")]), "fe80::1");
    assert.equal(firstAddress(["lo", "eth0"], [lo, iface("eth0", "fe80::1")]), "fe80::1");
  });

  it("keeps the first address of a family unless a later one is not link-local", () => {
    assert.equal(firstAddress(["eth0"], [iface("eth0", "10.0.0.1", "10.0.0.2")]), "10.0.0.1");
    assert.equal(firstAddress(["eth0"], [iface("eth0", "169.254.1.1", "10.0.0.2")]), "10.0.0.2");
    assert.equal(firstAddress(["eth0"], [iface("eth0", "fd00::1", "fd00::2")]), "fd00::1");
  });

  it("stops at the first interface with a routable IPv4 address and otherwise compares across interfaces", () => {
    const ifaces = [iface("eth0", "fd00::1"), iface("eth1", "10.0.0.1"), iface("eth2", "10.0.0.2")];
    assert.equal(firstAddress(["eth0", "eth1", "eth2"], ifaces), "10.0.0.1");
    assert.equal(firstAddress(["eth0", "eth2", "eth1"], ifaces), "10.0.0.2");
    // An IPv6 address beats a link-local IPv4 one found on an earlier interface.
    assert.equal(firstAddress(["a", "b"], [iface("a", "169.254.9.9"), iface("b", "2001:db8::1")]), "2001:db8::1");
    assert.equal(firstAddress(["a", "b"], [iface("a", "fe80::9"), iface("b", "169.254.9.9")]), "169.254.9.9");
  });

  it("looks at every interface when none are named, skipping missing ones that are named", () => {
    const ifaces = [lo, iface("wlan0", "192.168.1.20")];
    assert.equal(firstAddress(undefined, ifaces), "192.168.1.20");
    assert.equal(firstAddress([], ifaces), "192.168.1.20");
    assert.equal(firstAddress(["eth0", "wlan0"], ifaces), "192.168.1.20");
  });

  it("says which interfaces it looked at when none had a usable address", () => {
    assert.throws(() => firstAddress(["lo"], [lo]), { message: "no useable address found for interfaces [lo]" });
    assert.throws(() => firstAddress(undefined, [lo]), { message: "no useable address found for interfaces [lo]" });
    assert.throws(() => firstAddress(["eth0"], [lo]), {
      message: 'no useable address found for interfaces [eth0]: 1 error occurred:\n\t* interface "eth0": route ip+net: no such network interface\n\n',
    });
    assert.throws(() => firstAddress([...DEFAULT_ADVERTISE_INTERFACES], [lo]), {
      message:
        "no useable address found for interfaces [eth0 en0]: 2 errors occurred:\n" +
        '\t* interface "eth0": route ip+net: no such network interface\n' +
        '\t* interface "en0": route ip+net: no such network interface\n\n',
    });
  });

  it("works on the machine's own interfaces", () => {
    const own = platform().networkInterfaces();
    let found: string | undefined;
    try {
      found = firstAddress(undefined, own);
    } catch (error) {
      assert.match((error as Error).message, /^no useable address found for interfaces \[/);
      return;
    }
    const all = own.flatMap((i) => i.addresses.map((a) => a.address.replace(/%.*$/, "")));
    assert.ok(all.includes(found), `${found} is one of ${all.join(", ")}`);
    assert.ok(!found.startsWith("127.") && found !== "::1");
  });
});

describe("advertiseAddress", () => {
  const ifaces = [lo, iface("eth0", "fe80::1", "10.1.2.3"), iface("ens5", "fd00::42")];

  it("uses the flag as given, adding the listen port when it names none", () => {
    const { logger } = captureLogs();
    const clustering = { interfaces: DEFAULT_ADVERTISE_INTERFACES, networkInterfaces: () => ifaces, logger };
    assert.equal(advertiseAddress({ advertiseAddress: "10.0.0.7", listenPort: 12345 }), "10.0.0.7:12345");
    assert.equal(advertiseAddress({ advertiseAddress: "10.0.0.7:7946", listenPort: 12345, clustering }), "10.0.0.7:7946");
    assert.equal(advertiseAddress({ advertiseAddress: "fd00::9", listenPort: 80, clustering }), "[fd00::9]:80");
  });

  it("is 127.0.0.1 with the listen port without clustering", () => {
    assert.equal(advertiseAddress({ advertiseAddress: "", listenPort: 9000 }), "127.0.0.1:9000");
  });

  it("takes the interfaces' best address when clustering, 'all' meaning every interface", () => {
    const { logger, lines } = captureLogs();
    const options = (interfaces: readonly string[]) => ({ advertiseAddress: "", listenPort: 12345, clustering: { interfaces, networkInterfaces: () => ifaces, logger } });
    assert.equal(advertiseAddress(options(DEFAULT_ADVERTISE_INTERFACES)), "10.1.2.3:12345");
    assert.equal(advertiseAddress(options(["ens5"])), "[fd00::42]:12345");
    assert.equal(advertiseAddress(options(["all"])), "10.1.2.3:12345");
    assert.deepEqual(lines, []);
  });

  it("warns and falls back to 127.0.0.1 when the interfaces have no usable address", () => {
    const { logger, lines } = captureLogs();
    const address = advertiseAddress({
      advertiseAddress: "",
      listenPort: 12345,
      clustering: { interfaces: DEFAULT_ADVERTISE_INTERFACES, networkInterfaces: () => [lo], logger },
    });
    assert.equal(address, "127.0.0.1:12345");
    assert.equal(lines.length, 1);
    assert.match(
      lines[0]!,
      /level=warn msg="could not find advertise address using network interfaces falling back to localhost" interfaces="\[eth0 en0\]" err="no useable address found for interfaces \[eth0 en0\]: 2 errors occurred:\\n\\t\* interface \\"eth0\\": route ip\+net: no such network interface/,
    );
  });
});
