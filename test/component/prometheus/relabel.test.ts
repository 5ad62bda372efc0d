// Relabelling: Prometheus's own TestRelabel table (transcribed to testdata/relabel-vectors.json), Go
// regexp (RE2) behaviours that JavaScript does not share, rule validation with Alloy's messages, and
// the discovery.relabel component in a runtime.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { discoveryRelabel, relabelTargets } from "../../../src/component/discovery/relabel.ts";
import { md5 } from "../../../src/component/prometheus/relabel/md5.ts";
import { compileGoRegexp, RegexpSyntaxError } from "../../../src/component/prometheus/relabel/re2.ts";
import {
  goToLower,
  processBuilder,
  RelabelBuilder,
  type RelabelRule,
  relabelRegexp,
  validateRule,
} from "../../../src/component/prometheus/relabel/rules.ts";
import { createRuntime, Registry } from "../../../src/runtime/index.ts";
import { LogController } from "../../../src/runtime/logging/logger.ts";
import { ObjectValue } from "../../../src/syntax/value/index.ts";

interface VectorRule {
  source_labels?: string[];
  regex?: string;
  target_label?: string;
  separator?: string;
  replacement?: string;
  action?: string;
  modulus?: number;
}

interface Vector {
  input: Record<string, string>;
  relabel: VectorRule[];
  output?: Record<string, string>;
  drop?: true;
}

const vectors = JSON.parse(readFileSync(new URL("./testdata/relabel-vectors.json", import.meta.url), "utf8")) as {
  cases: Vector[];
};

/** The defaults Prometheus's test loop fills in (and Alloy's SetToDefault gives). */
function rule(r: VectorRule): RelabelRule {
  return {
    source_labels: r.source_labels ?? null,
    separator: r.separator || ";",
    regex: relabelRegexp(r.regex || "(.*)"),
    modulus: r.modulus ?? 0,
    target_label: r.target_label ?? "",
    replacement: r.replacement || "$1",
    action: (r.action || "replace") as RelabelRule["action"],
  };
}

function run(input: Record<string, string>, rules: RelabelRule[]): Record<string, string> | undefined {
  const lb = new RelabelBuilder().resetFlat(Object.entries(input).flat());
  if (!processBuilder(lb, rules)) return undefined;
  return lb.toObject();
}

const LEGACY_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

describe("relabel: Prometheus's TestRelabel vectors", () => {
  assert.ok(vectors.cases.length >= 30);
  vectors.cases.forEach((v, i) => {
    // Alloy validates label names with the legacy scheme: a replace whose target is not a legacy name
    // does nothing there, where Prometheus 3 (UTF-8 names) sets it.
    const utf8Target = v.relabel.some((r) => (r.action ?? "replace") === "replace" && r.target_label?.includes("."));
    it(`case ${i}: ${v.relabel.map((r) => r.action ?? "replace").join(", ")}${utf8Target ? " (legacy names)" : ""}`, () => {
      const got = run(v.input, v.relabel.map(rule));
      if (v.drop) {
        assert.equal(got, undefined);
        return;
      }
      let want = v.output!;
      if (utf8Target) want = Object.fromEntries(Object.entries(want).filter(([k]) => LEGACY_NAME.test(k) || k in v.input));
      assert.deepEqual(sorted(got!), sorted(want));
    });
  });
});

function sorted(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

describe("relabel: Go regexp semantics", () => {
  const matches = (re: string, s: string) => relabelRegexp(re).test(s);

  it("anchors the whole value and lets . match newlines (^(?s:...)$)", () => {
    assert.equal(matches("f.*", "foo"), true);
    assert.equal(matches("o", "foo"), false);
    assert.equal(matches("a.b", "a\nb"), true);
    assert.equal(matches("(?-s:a.b)", "a\nb"), false);
    assert.equal(matches("f|o", "foo"), false);
  });

  it("scopes flags to groups and supports (?i)", () => {
    assert.equal(matches("(?i)foo", "FoO"), true);
    assert.equal(matches("(?i:f)oo", "Foo"), true);
    assert.equal(matches("(?i:f)oo", "FOO"), false);
    assert.equal(matches("(?i)k", "\u212a"), true, "Kelvin sign folds to k");
    assert.equal(matches("(?i)[a-c]+", "AbC"), true);
  });

  it("uses Go's ASCII classes and POSIX classes", () => {
    assert.equal(matches("\\s", "\v"), false, "Go's \\s has no vertical tab");
    assert.equal(matches("\\s", "\u00a0"), false);
    assert.equal(matches("\\w+", "é"), false);
    assert.equal(matches("[[:alpha:]]+[[:digit:]]", "abc1"), true);
    assert.equal(matches("[[:^alpha:]]", "1"), true);
    assert.equal(matches("\\pL+", "héllo"), true);
    assert.equal(matches("\\p{Greek}+", "αβγ"), true);
    assert.equal(matches("\\PL", "a"), false);
  });

  it("reads \\Q...\\E, octal and hex escapes and escaped punctuation", () => {
    assert.equal(matches("\\Q.*\\E", ".*"), true);
    assert.equal(matches("\\Q.*\\E", "ab"), false);
    assert.equal(matches("\\x41\\x{42}\\101", "ABA"), true);
    assert.equal(matches("a\\:b\\#", "a:b#"), true);
    assert.equal(matches("a{,2}", "a{,2}"), true, "{,n} is a literal in Go");
  });

  it("rejects what Go rejects, with Go's messages", () => {
    const err = (re: string) => {
      try {
        compileGoRegexp(re);
      } catch (e) {
        assert.ok(e instanceof RegexpSyntaxError);
        return e.message;
      }
      return "compiled";
    };
    assert.equal(err("(a)\\1"), "error parsing regexp: invalid escape sequence: `\\1`");
    assert.equal(err("(?=a)"), "error parsing regexp: invalid or unsupported Perl syntax: `(?=`");
    assert.equal(err("a**"), "error parsing regexp: invalid nested repetition operator: `**`");
    assert.equal(err("*a"), "error parsing regexp: missing argument to repetition operator: `*`");
    assert.equal(err("(abc"), "error parsing regexp: missing closing ): `(abc`");
    assert.equal(err("abc)"), "error parsing regexp: unexpected ): `abc)`");
    assert.equal(err("[z-a]"), "error parsing regexp: invalid character class range: `z-a`");
    assert.equal(err("[abc"), "error parsing regexp: missing closing ]: `[abc`");
    assert.equal(err("a{1001}"), "error parsing regexp: invalid repeat count: `{1001}`");
    assert.equal(err("\\q"), "error parsing regexp: invalid escape sequence: `\\q`");
    assert.equal(err("[[:foo:]]"), "error parsing regexp: invalid character class range: `[:foo:]`");
    assert.equal(err("(?P<n>a)(?P<n>b)"), "error parsing regexp: duplicate capture group name: `n`");
    // As Prometheus compiles relabel regexps: the message names the anchored text.
    assert.throws(() => relabelRegexp("(abc"), { message: "error parsing regexp: missing closing ): `^(?s:(abc)$`" });
  });

  it("expands replacements as Go's Regexp.Expand", () => {
    const re = compileGoRegexp("(?P<first>a)(b)?(c)");
    const m = re.exec("ac")!;
    assert.equal(re.expand("$1-$2-$3", m), "a--c");
    assert.equal(re.expand("${first}x", m), "ax");
    assert.equal(re.expand("$firstx", m), "", "$firstx names group firstx");
    assert.equal(re.expand("$1x", m), "", "$1x names group 1x");
    assert.equal(re.expand("$$1 and $", m), "$1 and $");
    assert.equal(re.expand("${1", m), "${1");
    assert.equal(re.expand("$01", m), "", "leading zeros make a name, not a number");
  });

  it("keeps Go's leftmost-first submatches", () => {
    const re = compileGoRegexp("^(a|ab)(c|bcd)(d*)$");
    assert.deepEqual([...re.exec("abcd")!], ["abcd", "a", "bcd", ""]);
  });
});

describe("relabel: actions", () => {
  it("hashmod is md5's last 8 bytes, big-endian, modulo", () => {
    assert.equal([...md5("")].map((b) => b.toString(16).padStart(2, "0")).join(""), "d41d8cd98f00b204e9800998ecf8427e");
    assert.equal(
      [...md5("The quick brown fox jumps over the lazy dog")].map((b) => b.toString(16).padStart(2, "0")).join(""),
      "9e107d9d372bb6826bd81d3542a419d6",
    );
    const out = run({ a: "foo" }, [rule({ source_labels: ["a"], target_label: "h", action: "hashmod", modulus: 2 ** 40 })]);
    assert.equal(out!.h, ((BigInt("0x" + [...md5("foo")].slice(8).map((b) => b.toString(16).padStart(2, "0")).join(""))) % 2n ** 40n).toString());
  });

  it("lowercase and uppercase map code points as Go does", () => {
    assert.equal(goToLower("ÀB\u0130Σ"), "àbiσ");
    assert.equal(run({ a: "ABC" }, [rule({ source_labels: ["a"], target_label: "b", action: "lowercase" })])!.b, "abc");
    assert.equal(run({ a: "straße" }, [rule({ source_labels: ["a"], target_label: "b", action: "uppercase" })])!.b, "STRAßE");
  });

  it("replace with an empty result deletes the target label", () => {
    assert.deepEqual(run({ a: "x", b: "y" }, [{ ...rule({ source_labels: ["a"], target_label: "b" }), replacement: "" }]), { a: "x" });
  });

  it("validates rules with Alloy's messages", () => {
    const v = (r: VectorRule) => validateRule(rule(r));
    assert.equal(v({ action: "hashmod", target_label: "x" }), "relabel configuration for hashmod requires non-zero modulus");
    assert.equal(v({ action: "replace" }), "relabel configuration for replace action requires 'target_label' value");
    assert.equal(v({ action: "replace", target_label: "1x" }), `"1x" is invalid 'target_label' for replace action`);
    assert.equal(v({ action: "replace", target_label: "x_${1}" }), undefined);
    assert.equal(v({ action: "lowercase", target_label: "x", replacement: "y" }), "'replacement' can not be set for lowercase action");
    assert.equal(v({ action: "labeldrop", source_labels: ["a"] }), "labeldrop action requires only 'regex', and no other fields");
    assert.equal(
      v({ action: "keepequal", target_label: "x", regex: "a" }),
      "keepequal action requires only 'source_labels' and 'target_label', and no other fields",
    );
    assert.equal(v({ action: "labelmap", replacement: "-x" }), `"-x" is invalid 'replacement' for labelmap action`);
  });
});

describe("discovery.relabel", () => {
  it("relabels targets, drops, and keeps label names sorted", () => {
    const out = relabelTargets(
      [
        { __address__: "a:80", __meta_x: "keep", job: "j" },
        { __address__: "b:80", __meta_x: "drop" },
      ],
      [
        rule({ source_labels: ["__meta_x"], regex: "keep", action: "keep" }),
        rule({ source_labels: ["__address__"], regex: "(.*):80", target_label: "host" }),
      ],
    );
    assert.deepEqual(out, [{ __address__: "a:80", __meta_x: "keep", host: "a", job: "j" }]);
  });

  it("runs as a component: output and rules exports", async () => {
    const runtime = createRuntime({
      registry: new Registry([discoveryRelabel]),
      logs: new LogController({ write: () => {} }),
      storagePath: "/tmp/alloy-ts-unused",
    });
    const result = await runtime.load({
      "config.alloy": `
discovery.relabel "r" {
  targets = [{"__address__" = "localhost:9090", "env" = "PROD"}, {"__address__" = "localhost:9100", "env" = "dev"}]
  rule {
    source_labels = ["env"]
    regex         = "(?i)prod"
    action        = "keep"
  }
  rule {
    source_labels = ["env"]
    target_label  = "env"
    action        = "lowercase"
  }
}
`,
    });
    assert.equal(result.ok, true, result.error);
    const exports = runtime.component("discovery.relabel.r")!.exports as ObjectValue;
    const output = exports.get("output");
    assert.equal(JSON.stringify(toPlain(output)), JSON.stringify([{ __address__: "localhost:9090", env: "prod" }]));
    assert.equal((exports.get("rules") as { capsuleType: string }).capsuleType, "relabel.Rules");

    const bad = await runtime.load({
      "config.alloy": `discovery.relabel "r" {\n  targets = []\n  rule {\n    action = "explode"\n  }\n}\n`,
    });
    assert.equal(bad.ok, false);
    assert.match(bad.error ?? "", /unrecognized action type "explode"/);
  });
});

function toPlain(v: unknown): unknown {
  if (v instanceof ObjectValue) return Object.fromEntries([...v.keys()].sort().map((k) => [k, toPlain(v.get(k))]));
  if (Array.isArray(v)) return v.map(toPlain);
  return v;
}
