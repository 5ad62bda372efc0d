// Standard library behaviour beyond the conformance tables: Go's fmt verbs,
// JSON/YAML/base64/URL codecs with Go's errors, JSONPath as ojg evaluates
// it, strings functions with Go's Unicode rules, paths and host constants.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createStdlib, sprintf } from "../../src/syntax/stdlib/index.ts";
import {
  formatValue,
  NumberValue,
  ObjectValue,
  OptionalSecretValue,
  SecretValue,
  type Value,
} from "../../src/syntax/value/index.ts";
import { evaluateExpression, Scope } from "../../src/syntax/vm/index.ts";

function evalText(src: string, scope = new Scope()): string {
  return formatValue(evaluateExpression(src, scope));
}

function evalError(src: string, scope = new Scope()): string {
  try {
    evaluateExpression(src, scope);
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail(`expected ${src} to fail`);
}

const int = (n: number | bigint): Value => NumberValue.int(BigInt(n));
const float = (n: number): Value => NumberValue.float(n);

describe("string.format (Go fmt)", () => {
  const cases: Array<[string, Value[], string]> = [
    ["%d", [int(42)], "42"],
    ["%5d|%-5d|%05d", [int(42), int(42), int(42)], "   42|42   |00042"],
    ["%x %X %#x %o %#o %O %b", [int(255), int(255), int(255), int(8), int(8), int(8), int(5)], "ff FF 0xff 10 010 0o10 101"],
    ["%+d % d %.3d %x", [int(5), int(5), int(7), int(-255)], "+5  5 007 -ff"],
    ["%c %q %U %#U", [int(65), int(65), int(0x1f600), int(65)], "A 'A' U+1F600 U+0041 'A'"],
    ["%f|%.2f|%e|%g", [float(3.14159), float(3.14159), float(1234.5678), float(1234.5678)], "3.141590|3.14|1.234568e+03|1234.5678"],
    ["%v %v %v %v", [float(1e6), float(123456), float(1e21), float(0.1 + 0.2)], "1e+06 123456 1e+21 0.30000000000000004"],
    ["%.0f %.0f %.0f %.2f %.1f", [float(0.5), float(1.5), float(2.5), float(0.125), float(0.05)], "0 2 2 0.12 0.1"],
    ["%.1f %.2f %.0f", [float(234382741929078.25), float(45901345699149.945), float(-3642892621330626.5)], "234382741929078.2 45901345699149.95 -3642892621330626"],
    ["%b %x %x %e", [float(1), float(0.1), float(5e-324), float(0)], "4503599627370496p-52 0x1.999999999999ap-04 0x1p-1074 0.000000e+00"],
    ["%6.2f|%-8.3f|%08.3f", [float(3.14159), float(3.14159), float(-3.14159)], "  3.14|3.142   |-003.142"],
    ["%+.1e %G %#g %#.3g", [float(12345), float(1e-10), float(1), float(1)], "+1.2e+04 1E-10 1.00000 1.00"],
    ["%v %f %5.1f", [float(Infinity), float(-Infinity), float(NaN)], "+Inf -Inf   NaN"],
    ["%s|%q|%10s|%-4s|%.2s", ["hi", "hi", "hi", "hi", "hello"], `hi|"hi"|        hi|hi  |he`],
    ["%x|% x|%#x|%X", ["hi", "hi", "hi", "hi"], "6869|68 69|0x6869|6869"],
    ["%t %v", [true, false], "true false"],
    ["%d", ["x"], "%!d(string=x)"],
    ["%s", [int(5)], "%!s(int=5)"],
    ["%d %d", [int(1)], "1 %!d(MISSING)"],
    ["x", [int(1), "a"], "x%!(EXTRA int=1, string=a)"],
    ["%", [], "%!(NOVERB)"],
    ["%[2]d %[1]d", [int(1), int(2)], "2 1"],
    ["%[3]d", [int(1)], "%!d(BADINDEX)"],
    ["%*d|%-*d|%.*f", [int(5), int(42), int(5), int(42), int(2), float(3.14159)], "   42|42   |3.14"],
    ["%v %s %d", [null, null, null], "<nil> %!s(<nil>) %!d(<nil>)"],
    ["%v|%d|%q|%s|%v", [[int(1), "a", true], [int(1), int(2)], ["a", "b"], [int(1)], [null]], `[1 a true]|[1 2]|["a" "b"]|[%!s(int=1)]|[<nil>]`],
    ["%v", [ObjectValue.fromRecord({ b: int(1), a: "x" })], "map[a:x b:1]"],
    ["%#v", [ObjectValue.fromRecord({ a: int(1) })], `map[string]interface {}{"a":1}`],
    ["%T %T %T %T %T %T %T", [int(1), float(1.5), "x", [int(1)], ObjectValue.empty, null, true], "int float64 string []interface {} map[string]interface {} <nil> bool"],
    ["100%% %%", [], "100% %"],
    ["%v %#v %T", [NumberValue.uint(18446744073709551615n), NumberValue.uint(18446744073709551615n), NumberValue.uint(18446744073709551615n)], "18446744073709551615 0xffffffffffffffff uint64"],
    ["%#v %#v %#v", [int(1), true, "hello"], `1 true "hello"`],
    ["%s %T", [new SecretValue("pw"), new SecretValue("pw")], "pw alloytypes.Secret"],
    ["%v %+v", [new OptionalSecretValue("x", false), new OptionalSecretValue("x", false)], "{false x} {IsSecret:false Value:x}"],
  ];
  for (const [format, args, want] of cases) {
    it(`formats ${JSON.stringify(format)}`, () => assert.equal(sprintf(format, args), want));
  }

  it("is reachable from Alloy", () => {
    assert.equal(evalText(`string.format("%s has %d items (%.1f%%)", "cart", 3, 12.5)`), `"cart has 3 items (12.5%)"`);
    assert.equal(evalText(`format("%v", [1, 2])`), `"[1 2]"`);
  });
});

describe("strings", () => {
  it("maps case rune by rune like Go", () => {
    assert.equal(evalText(`string.to_upper("straße")`), `"STRAßE"`);
    assert.equal(evalText(`string.to_lower("İSTANBUL")`), `"istanbul"`);
    assert.equal(evalText(`string.to_lower("ΟΔΟΣ")`), `"οδοσ"`);
  });

  it("trims Go's white space", () => {
    assert.equal(evalText(`string.trim_space("\\u00a0 x \\u3000\\n")`), `"x"`);
    assert.equal(evalText(`string.trim_space("\\ufeffx")`), `"\\ufeffx"`);
    assert.equal(evalText(`string.trim("xxhixx", "x")`), `"hi"`);
    assert.equal(evalText(`string.trim_suffix("a", "")`), `"a"`);
    assert.equal(evalText(`string.trim_prefix("aab", "a")`), `"ab"`);
  });

  it("splits and replaces on runes for empty separators", () => {
    assert.equal(evalText(`string.split("a😀b", "")`), `["a", "😀", "b"]`);
    assert.equal(evalText(`string.split("", ",")`), `[""]`);
    assert.equal(evalText(`string.replace("ab", "", "-")`), `"-a-b-"`);
    assert.equal(evalText(`string.replace("1 + 2 + 3", "+", "-")`), `"1 - 2 - 3"`);
  });

  it("checks arity and argument types", () => {
    assert.equal(evalError(`string.join(["a"])`), "1:1: string.join expected 2 args, got 1");
    assert.equal(evalError(`string.format()`), "1:1: string.format expected at least 1 args, got 0");
    assert.equal(evalError(`to_lower(true)`), "1:10: true should be string, got bool");
    assert.equal(evalError(`string.join([1, [2]], ",")`), "1:17: [2] should be string, got array");
  });
});

describe("encoding", () => {
  it("decodes JSON with Go's errors", () => {
    const errors: Array<[string, string]> = [
      [`{"a": }`, "invalid character '}' looking for beginning of value"],
      ["", "unexpected end of JSON input"],
      ["[1,]", "invalid character ']' looking for beginning of value"],
      ["tru", "unexpected end of JSON input"],
      ["trux", "invalid character 'x' in literal true (expecting 'e')"],
      [`{"a" 1}`, "invalid character '1' after object key"],
      ["[1 2]", "invalid character '2' after array element"],
      [`{"a": 1 "b": 2}`, "invalid character '\"' after object key:value pair"],
      ["1 2", "invalid character '2' after top-level value"],
      ["{1:2}", "invalid character '1' looking for beginning of object key string"],
      [`"\\x"`, "invalid character 'x' in string escape code"],
      ["-a", "invalid character 'a' in numeric literal"],
      ["1.x", "invalid character 'x' after decimal point in numeric literal"],
      ["01", "invalid character '1' after top-level value"],
      ["é", "invalid character '\\xc3' looking for beginning of value"],
      ["'a'", "invalid character '\\'' looking for beginning of value"],
      ["1e400", "json: cannot unmarshal number 1e400 into Go value of type float64"],
    ];
    for (const [input, message] of errors) {
      const scope = new Scope({ input });
      assert.equal(evalError(`encoding.from_json(input)`, scope), `1:1: encoding.from_json ${message}`, input);
    }
    assert.equal(evalText(`encoding.from_json("{\\"b\\": [1, 2.5, \\"\\\\u00e9\\\\ud83d\\\\ude00\\"], \\"a\\": null}")`), '{\n\ta = null,\n\tb = [1, 2.5, "é😀"],\n}');
  });

  it("encodes JSON like json.Marshal", () => {
    assert.equal(
      evaluateExpression(`encoding.to_json({b = [1, 2.5, null, true, 1e21, 0.0000001], a = "<&>\\u2028", c = {}})`),
      `{"a":"\\u003c\\u0026\\u003e\\u2028","b":[1,2.5,null,true,1e+21,1e-7],"c":{}}`,
    );
    assert.equal(evalError(`encoding.to_json([1])`), "1:1: encoding.to_json jsonEncode only supports map");
  });

  it("decodes YAML like yaml.v3 into interface{}", () => {
    const doc = [
      "ints: [0x10, 0o17, 017, +5, 1_000, -3]",
      "floats: [.5, 1e3, 1.0, .inf, -.Inf]",
      "nulls: [~, null, Null, NULL]",
      "bools: [true, True, FALSE, yes, on]",
      "strings: ['123', \"1.5\", 2001-12-14, 08x]",
      "base: &b {x: 1, y: 2}",
      "merged: {<<: *b, y: 3}",
      "big: 18446744073709551615",
    ].join("\n");
    const v = evaluateExpression(`encoding.from_yaml(doc)`, new Scope({ doc })) as ObjectValue;
    assert.equal(formatValue(v.get("ints")!), "[16, 15, 15, 5, 1000, -3]");
    const floats = v.get("floats") as NumberValue[];
    assert.deepEqual(floats.map((n) => [n.kind, n.toFloat64()]), [
      ["float", 0.5],
      ["float", 1000],
      ["float", 1],
      ["float", Infinity],
      ["float", -Infinity],
    ]);
    assert.equal(formatValue(v.get("nulls")!), "[null, null, null, null]");
    assert.equal(formatValue(v.get("bools")!), `[true, true, false, "yes", "on"]`);
    assert.equal(formatValue(v.get("strings")!), `["123", "1.5", "2001-12-14", "08x"]`);
    assert.equal(formatValue(v.get("merged")!), "{\n\tx = 1,\n\ty = 3,\n}");
    assert.equal((v.get("big") as NumberValue).kind, "uint");
    assert.equal(evalText(`encoding.from_yaml("")`), "null");
    assert.equal(evalText(`encoding.from_yaml("a: 1\\n---\\na: 2")`), "{\n\ta = 1,\n}");
    assert.ok(evalError(`encoding.from_yaml("a: [1")`).startsWith("1:1: encoding.from_yaml yaml: "));
    assert.equal(evalError(`encoding.from_yaml("a: *x")`), "1:1: encoding.from_yaml yaml: unknown anchor 'x' referenced");
    assert.equal(evalText(`encoding.from_yaml("a: &x 1\\nb: *x\\nc: &x 2\\nd: *x")`), "{\n\ta = 1,\n\tb = 1,\n\tc = 2,\n\td = 2,\n}");
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) {
      const name = String.fromCharCode(97 + i);
      bomb.push(`${name}: &${name} [${Array(9).fill("*" + String.fromCharCode(96 + i)).join(", ")}]`);
    }
    assert.equal(
      evalError(`encoding.from_yaml(doc)`, new Scope({ doc: bomb.join("\n") })),
      "1:1: encoding.from_yaml yaml: document contains excessive aliasing",
    );
  });

  it("decodes base64 strictly", () => {
    assert.equal(evalText(`encoding.from_base64("Zm9v\\nYmFy")`), `"foobar"`);
    assert.equal(evalText(`encoding.from_base64("Zg==")`), `"f"`);
    assert.equal(evalText(`encoding.from_base64("")`), `""`);
    const bad: Array<[string, number]> = [
      ["Zm9v!", 4],
      ["Zm9", 0],
      ["Zg=", 3],
      ["Zg==x", 4],
      ["Z===", 1],
    ];
    for (const [input, at] of bad) {
      assert.equal(
        evalError(`encoding.from_base64(input)`, new Scope({ input })),
        `1:1: encoding.from_base64 illegal base64 data at input byte ${at}`,
        input,
      );
    }
    assert.equal(evalText(`encoding.to_base64("é")`), `"w6k="`);
    assert.equal(evalText(`encoding.to_URLbase64("\\u00ff\\u00fe")`), `"w7_Dvg=="`);
    assert.equal(evalText(`encoding.from_URLbase64("w7_Dvg==")`), `"ÿþ"`);
  });

  it("escapes URL query components", () => {
    assert.equal(evalText(`encoding.url_encode("a b&c/d=é")`), `"a+b%26c%2Fd%3D%C3%A9"`);
    assert.equal(evalText(`encoding.url_decode("a+b%26c%2fd%3D%C3%A9")`), `"a b&c/d=é"`);
    assert.equal(evalError(`encoding.url_decode("%zz")`), `1:1: encoding.url_decode invalid URL escape "%zz"`);
    assert.equal(evalError(`encoding.url_decode("ab%4")`), `1:1: encoding.url_decode invalid URL escape "%4"`);
  });
});

describe("json_path", () => {
  const store = JSON.stringify({
    store: {
      book: [
        { category: "reference", author: "Nigel Rees", title: "Sayings", price: 8.95, tags: ["a"] },
        { category: "fiction", author: "Evelyn Waugh", title: "Sword", price: 12.99, tags: ["b", "c"] },
        { category: "fiction", author: "Herman Melville", title: "Moby Dick", isbn: "0-553", price: 8, tags: [] },
      ],
      bicycle: { color: "red", price: 19.95 },
    },
  });
  const scope = new Scope({ store });
  const jp = (path: string): string => evalText(`json_path(store, ${JSON.stringify(path)})`, scope);

  it("selects children, indexes, slices and unions", () => {
    assert.equal(jp("$.store.bicycle.color"), `["red"]`);
    assert.equal(jp("store.bicycle.color"), `["red"]`);
    assert.equal(jp("$.store.book[0].title"), `["Sayings"]`);
    assert.equal(jp("$.store.book[-1].title"), `["Moby Dick"]`);
    assert.equal(jp("$.store.book[0,2].title"), `["Sayings", "Moby Dick"]`);
    assert.equal(jp("$.store.book[1:].price"), `[12.99, 8]`);
    assert.equal(jp("$.store.book[::2].author"), `["Nigel Rees", "Herman Melville"]`);
    assert.equal(jp("$['store']['bicycle']['price']"), `[19.95]`);
    assert.equal(jp("$.store.book[*].category"), `["reference", "fiction", "fiction"]`);
    assert.equal(jp("$.nothing"), `[]`);
  });

  it("keeps integers and floats apart as ojg does", () => {
    const v = evaluateExpression(`json_path(store, "$.store.book[2].price")`, scope) as NumberValue[];
    assert.equal(v[0]!.kind, "int");
    const f = evaluateExpression(`json_path(store, "$.store.book[0].price")`, scope) as NumberValue[];
    assert.equal(f[0]!.kind, "float");
  });

  it("descends recursively, deepest matches first", () => {
    assert.equal(evalText(`json_path("{\\"a\\": {\\"b\\": 1, \\"c\\": {\\"b\\": 2}}}", "$..b")`), "[2, 1]");
    assert.equal(jp("$..isbn"), `["0-553"]`);
  });

  it("filters", () => {
    assert.equal(jp("$.store.book[?(@.price < 10)].title"), `["Sayings", "Moby Dick"]`);
    assert.equal(jp("$.store.book[?(@.isbn)].title"), `["Moby Dick"]`);
    assert.equal(jp("$.store.book[?(@.category == 'fiction' && @.price > 10)].title"), `["Sword"]`);
    assert.equal(jp("$.store.book[?(@.author =~ /^H/)].title"), `["Moby Dick"]`);
    assert.equal(jp("$.store.book[?(@.price in [8, 12.99])].title"), `["Sword", "Moby Dick"]`);
    assert.equal(jp("$.store.book[?(length(@.tags) > 1)].title"), `["Sword"]`);
    assert.equal(jp("$.store.book[?(@.tags empty true)].title"), `["Moby Dick"]`);
    assert.equal(jp("$.store.book[?(@.isbn == Nothing)].title"), `["Sayings", "Sword"]`);
    assert.equal(jp("$.store.book[?(@.price * 2 > 20)].title"), `["Sword"]`);
    assert.equal(jp("$.store.book[?(!(@.price < 10))].title"), `["Sword"]`);
    assert.equal(jp("$.store.book[?(match(@.title, 'S.*'))].title"), `["Sayings", "Sword"]`);
    assert.equal(jp("$.store.book[?(search(@.title, 'ck'))].title"), `["Moby Dick"]`);
    assert.equal(jp("$.store.book[?(@.tags[*] == 'c')].title"), `["Sword"]`);
  });

  it("reports parse errors like ojg", () => {
    assert.equal(evalError(`json_path("{}", "$.a[")`), "1:1: json_path not terminated at 5 in $.a[");
    assert.equal(evalError(`json_path("{}", "$.a[x]")`), "1:1: json_path parse error at 5 in $.a[x]");
    assert.equal(evalError(`json_path("{}", "$[?(@.a ==)]")`), "1:1: json_path '' is not a value or function at 11 in $[?(@.a ==)]");
  });
});

describe("file, sys and constants", () => {
  it("joins paths like filepath.Join", () => {
    assert.equal(evalText(`file.path_join("/a/", "../b", "", "c")`), `"/b/c"`);
    assert.equal(evalText(`file.path_join("a", "..")`), `"."`);
    assert.equal(evalText(`file.path_join("..", "a")`), `"../a"`);
    assert.equal(evalText(`file.path_join("", "")`), `""`);
    const win = new Scope(new Map(), undefined, createStdlib({ host: { os: "windows" } }));
    assert.equal(evalText(`file.path_join("C:\\\\a", "b/../c")`, win), `"C:\\\\a\\\\c"`);
    assert.equal(evalText(`file.path_join("a", "", "b")`, win), `"a\\\\b"`);
    assert.equal(evalText(`file.path_join("C:", "f")`, win), `"C:f"`);
  });

  it("reads the environment through the host's getter", () => {
    const env: Record<string, string> = { HOME: "/home/alloy" };
    const scope = new Scope(new Map(), undefined, createStdlib({ env: (n) => env[n] }));
    assert.equal(evalText(`sys.env("HOME")`, scope), `"/home/alloy"`);
    assert.equal(evalText(`env("MISSING")`, scope), `""`);
  });

  it("exposes host facts and the normalised version", () => {
    const lib = createStdlib({ host: { hostname: "box", os: "darwin", arch: "arm64" }, version: "1.2" });
    const scope = new Scope(new Map(), undefined, lib);
    assert.equal(evalText(`constants.hostname + "/" + constants.os + "/" + constants.arch`, scope), `"box/darwin/arm64"`);
    assert.equal(evalText(`constants.version`, scope), `"v1.2.0"`);
    const version = (v: string): string => formatValue((createStdlib({ version: v }).identifiers.get("constants") as ObjectValue).get("version")!);
    assert.equal(version("v1.5.0-rc.1+abc"), `"v1.5.0-rc.1+abc"`);
    assert.equal(version("devel"), `"devel"`);
    assert.equal(version(""), `"v0.0.0"`);
    assert.equal(version(" 01.02.03 "), `"v1.2.3"`);
  });

  it("knows stability and deprecation", () => {
    const lib = createStdlib();
    assert.equal(lib.isExperimental("array.group_by"), true);
    assert.equal(lib.isExperimental("array.combine_maps"), true);
    assert.equal(lib.isExperimental("array.concat"), false);
    assert.equal(lib.stability("array.group_by"), "experimental");
    assert.equal(lib.stability("string.format"), "generally-available");
    assert.equal(lib.isDeprecated("json_decode"), true);
    assert.equal(lib.isDeprecated("encoding"), false);
    for (const name of ["constants", "coalesce", "json_path", "sys", "convert", "array", "encoding", "string", "file"]) {
      assert.ok(lib.isIdentifier(name), name);
    }
  });
});

describe("coalesce and arrays", () => {
  it("skips Alloy's empty values", () => {
    assert.equal(evalText(`coalesce(null, "", 0, 0.0, false, [], {}, "x")`), `"x"`);
    assert.equal(evalText(`coalesce(0, false)`), "false");
    assert.equal(evalText(`coalesce(-0.0, 1)`), "-0");
  });

  it("reports argument errors on the argument", () => {
    assert.equal(evalError(`array.concat([1], 2)`), "1:19: 2 should be array, got number");
    assert.equal(evalText(`array.concat()`), "[]");
    assert.equal(
      evalError(`array.combine_maps([{"a" = 1}], [{"a" = 1}], ["a"], 1)`),
      "1:53: 1 should be bool, got number",
    );
  });

  it("combines maps only on values of the same Go type", () => {
    assert.equal(evalText(`array.combine_maps([{"a" = 1}], [{"a" = 1.0}], ["a"])`), "[]");
    assert.equal(evalText(`array.combine_maps([{"a" = 1}], [{"a" = 1, "b" = 2}], ["a"])`), "[{\n\ta = 1,\n\tb = 2,\n}]");
  });
});
