// Which proxy a request goes through: Go's net/http rules (http.ProxyURL for proxy_url alone,
// golang.org/x/net/http/httpproxy for no_proxy and the environment), case by case as Go's own tests
// state them.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { noProxyMatcher, parseProxyAddress, proxySelector } from "../../src/platform/proxy.ts";

const bypassed = (noProxy: string, url: string) => noProxyMatcher(noProxy)(new URL(url));
const env = (vars: Record<string, string>) => (name: string) => vars[name];

describe("platform: proxy selection", () => {
  it("proxy_url alone sends every request through the proxy, loopback included", () => {
    const select = proxySelector({ url: "http://proxy.example:3128" }, env({}));
    for (const target of ["http://127.0.0.1:9090/metrics", "https://localhost/", "https://mimir.example/api/v1/push"]) {
      assert.equal(select(new URL(target))?.href, "http://proxy.example:3128/", target);
    }
  });

  it("never proxies localhost or loopback addresses once a NO_PROXY list applies", () => {
    for (const host of ["localhost", "127.0.0.1", "127.0.0.2", "[::1]", "[::ffff:127.0.0.1]"]) {
      assert.equal(bypassed("example.com", `http://${host}:80/`), true, host);
    }
    assert.equal(bypassed("example.com", "http://[::2]/"), false);
    const select = proxySelector({ url: "http://proxy.example:3128", noProxy: "example.com" }, env({}));
    assert.equal(select(new URL("http://127.0.0.1:9090/")), null);
    assert.equal(select(new URL("http://other.example/"))?.host, "proxy.example:3128");
  });

  it("matches NO_PROXY entries as Go does: IPs, CIDRs, domains, leading dots, ports and *", () => {
    const list = "192.168.1.1,192.168.1.3:80,10.0.0.0/30,2001:db8::/32,[2001:db9::1]:443,foo.com,.bar.org,*.baz.net,qux.io:8080";
    const cases: [string, boolean][] = [
      ["http://192.168.1.1/", true], // exact IPv4
      ["http://192.168.1.2/", false],
      ["http://192.168.1.3/", true], // IPv4 with port 80 (http's default)
      ["https://192.168.1.3/", false], // port 443 does not match
      ["http://10.0.0.3/", true], // inside the CIDR
      ["http://10.0.0.4/", false],
      ["http://[2001:db8::42]/", true], // IPv6 CIDR
      ["https://[2001:db9::1]/", true], // [IPv6]:port
      ["http://[2001:db9::1]/", false],
      ["http://foo.com/", true], // the domain itself
      ["http://www.foo.com/", true], // and its subdomains
      ["http://barfoo.com/", false], // not a suffix at a dot
      ["http://bar.org/", false], // leading dot: subdomains only
      ["http://x.bar.org/", true],
      ["http://baz.net/", false], // "*." is a leading dot
      ["http://a.baz.net/", true],
      ["http://qux.io:8080/", true], // domain with port
      ["http://qux.io/", false],
      ["http://FOO.COM/", true], // case-insensitive
    ];
    for (const [url, expected] of cases) assert.equal(bypassed(list, url), expected, url);
    assert.equal(bypassed("*", "http://anything.example/"), true);
    assert.equal(bypassed(" , ,", "http://anything.example/"), false);
  });

  it("reads HTTP_PROXY, HTTPS_PROXY and NO_PROXY (upper case first, then lower case) for proxy_from_environment", () => {
    const select = proxySelector(
      { fromEnvironment: true },
      env({ HTTP_PROXY: "http-proxy.example:3128", https_proxy: "https://secure-proxy.example", NO_PROXY: "internal.example", no_proxy: "ignored.example" }),
    );
    // A bare host:port is an http:// proxy.
    assert.equal(select(new URL("http://a.example/"))?.href, "http://http-proxy.example:3128/");
    assert.equal(select(new URL("https://a.example/"))?.href, "https://secure-proxy.example/");
    assert.equal(select(new URL("https://svc.internal.example/")), null);
    assert.equal(select(new URL("https://ignored.example/"))?.host, "secure-proxy.example");
    // Loopback is never proxied from the environment.
    assert.equal(select(new URL("http://127.0.0.1:9090/")), null);
    // Nothing set: direct.
    assert.equal(proxySelector({ fromEnvironment: true }, env({}))(new URL("http://a.example/")), null);
  });

  it("refuses HTTP_PROXY in a CGI environment, as Go does", () => {
    const select = proxySelector({ fromEnvironment: true }, env({ HTTP_PROXY: "http://p.example", REQUEST_METHOD: "GET" }));
    assert.throws(() => select(new URL("http://a.example/")), /refusing to use HTTP_PROXY value in CGI environment/);
    assert.equal(select(new URL("https://a.example/")), null);
  });

  it("parses proxy addresses as httpproxy does and refuses unknown schemes with a clear error", () => {
    assert.equal(parseProxyAddress("proxy.example:3128").href, "http://proxy.example:3128/");
    assert.equal(parseProxyAddress("socks5://user:pw@127.0.0.1:1080").protocol, "socks5:");
    assert.throws(() => proxySelector({ url: "ftp://proxy.example:2121" }, env({})), /unsupported proxy scheme "ftp" in ftp:\/\/proxy\.example:2121\//);
    // The password never appears in messages.
    assert.throws(() => proxySelector({ url: "ftp://u:secret@proxy.example" }, env({})), (e: Error) => !e.message.includes("secret"));
  });
});
