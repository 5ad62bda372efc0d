// The value model and the evaluator: number kinds and Go arithmetic,
// implicit conversions, decoding widths, printing (checked against the token
// builder), host conversions, scopes and error positions.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ExprBuilder } from "../../src/syntax/builder.ts";
import { attr, struct, t } from "../../src/syntax/schema/index.ts";
import {
  CapsuleValue,
  type ConversionTarget,
  convertValue,
  formatValue,
  fromJS,
  FunctionValue,
  NoConversion,
  NumberValue,
  ObjectValue,
  OptionalSecretValue,
  SecretValue,
  toBuilderValue,
  toJS,
  typeOf,
  type Value,
  valuesEqual,
} from "../../src/syntax/value/index.ts";
import { Diagnostics } from "../../src/syntax/diag.ts";
import { decodeExpression, evaluateExpression, Scope } from "../../src/syntax/vm/index.ts";

function evalText(src: string, scope = new Scope()): string {
  return formatValue(evaluateExpression(src, scope));
}

function evalError(src: string, scope = new Scope()): Error {
  try {
    evaluateExpression(src, scope);
  } catch (e) {
    return e as Error;
  }
  assert.fail(`expected ${src} to fail`);
}

function kindOf(src: string): string {
  const v = evaluateExpression(src);
  return v instanceof NumberValue ? v.kind : typeOf(v);
}

describe("numbers", () => {
  it("parses literals as int64, then uint64, then float64", () => {
    assert.equal(kindOf("9223372036854775807"), "int");
    assert.equal(kindOf("9223372036854775808"), "uint");
    assert.equal(kindOf("18446744073709551616"), "float");
    assert.equal(kindOf("1.0"), "float");
    assert.equal(evalText("010"), "8");
    assert.equal(kindOf("08"), "float");
    assert.equal(evalError("1e400").message, `strconv.ParseFloat: parsing "1e400": value out of range`);
  });

  it("computes in the widest kind with Go's wrap-around", () => {
    assert.equal(evalText("9223372036854775807 + 1"), "-9223372036854775808");
    assert.equal(evalText("18446744073709551615 + 1"), "0");
    assert.equal(kindOf("18446744073709551615 + 1"), "int"); // int literal 1 widens the uint
    assert.equal(kindOf("18446744073709551615 + 18446744073709551615"), "uint");
    assert.equal(evalText("1 - 18446744073709551615"), "2");
    assert.equal(evalText("-7 / 2"), "-3");
    assert.equal(evalText("7.0 / 2"), "3.5");
    assert.equal(evalText("-7 % 3"), "-1");
    assert.equal(evalText("7.5 % 2"), "1.5");
    assert.equal(evalText("2 ^ 10"), "1024");
    assert.equal(evalText("2 ^ 64"), "0");
    assert.equal(evalText("2 ^ -1"), "2");
    assert.equal(evalText("0 ^ 0"), "1");
    assert.equal(evalText("3 ^ 2 ^ 2"), "81");
    assert.equal(evalText("-(9223372036854775808)"), "-9223372036854775808");
    assert.equal(kindOf("-(5)"), "int");
    assert.equal(evalText("1 / 3.0"), "0.3333333333333333");
    assert.equal(evalText("1e21 * 1"), "1000000000000000000000");
    assert.equal(evalText("0.000001 * 0.1"), "0.0000001");
    assert.equal(evalText("-0.0"), "-0");
  });

  it("rejects division by zero", () => {
    assert.equal(evalError("5 / 0").message, "1:5: 0 divide by zero error");
    assert.equal(evalError("5 % 0.0").message, "1:5: 0.0 divide by zero error");
  });

  it("compares across kinds and strings byte-wise", () => {
    assert.equal(evalText("3 == 3.0"), "true");
    assert.equal(evalText("1 < 1.5"), "true");
    // Alloy compares uint and int as int64: the uint wraps to -1.
    assert.equal(evalText("18446744073709551615 > 1"), "false");
    assert.equal(evalText(`"a" < "b" && "B" < "a" && "\\uffff" < "😀"`), "true");
    assert.equal(evalText(`[1, {a = 2}] == [1, {a = 2}]`), "true");
    assert.equal(evalText(`null == null`), "true");
    assert.equal(evalText(`1 == "1"`), "false");
    assert.equal(evalText(`string.format != string.format`), "true");
  });
});

describe("conversions", () => {
  it("converts numbers to strings and back", () => {
    assert.equal(convertValue(NumberValue.float(1e21), "string"), "1000000000000000000000");
    assert.equal(convertValue(NumberValue.float(1e-7), "string"), "0.0000001");
    assert.equal(convertValue(NumberValue.int(-3n), "string"), "-3");
    assert.equal((convertValue("-5", "number") as NumberValue).kind, "int");
    assert.equal((convertValue("1.5", "number") as NumberValue).kind, "float");
    assert.equal((convertValue("5", "number") as NumberValue).kind, "uint");
    assert.equal((convertValue("1e3", "number") as NumberValue).toFloat64(), 1000);
    assert.throws(() => convertValue("", "number"), { message: "expected number, got string" });
    assert.throws(() => convertValue("abc", "number"), { message: "expected number, got string" });
    assert.throws(() => convertValue(true, "string"), { message: "expected string, got bool" });
  });

  it("decodes into Go widths", () => {
    assert.equal(decodeExpression("300", t.int8()), 44);
    assert.equal(decodeExpression("-1", t.uint8()), 255);
    assert.equal(decodeExpression("3.9", t.int()), 3);
    assert.equal(decodeExpression("3.2", t.float32()), Math.fround(3.2));
    assert.equal(decodeExpression(`"12"`, t.int()), 12);
    assert.equal(decodeExpression("12", t.string()), "12");
    assert.equal(decodeExpression("null", t.int()), 0);
    assert.deepEqual(decodeExpression("null", t.array(t.string())), []);
  });

  it("never turns secrets into strings", () => {
    const scope = new Scope({ s: new SecretValue("pw"), o: new OptionalSecretValue("pw", true), p: new OptionalSecretValue("7", false) });
    assert.equal(
      (() => {
        try {
          decodeExpression("s", t.string(), scope);
        } catch (e) {
          return (e as Error).message;
        }
        return "";
      })(),
      "1:1: s secrets may not be converted into strings",
    );
    assert.ok(evaluateExpression(`"a" + s`, scope) instanceof SecretValue);
    assert.equal(decodeExpression("p", t.int(), scope), 7);
    assert.equal(decodeExpression(`p + "1"`, t.string(), scope), "71");
    assert.equal(formatValue(evaluateExpression(`o + "x"`, scope)), "(secret)");
    assert.equal(decodeExpression("s", t.optionalSecret(), scope)!.isSecret, true);
    assert.equal(decodeExpression(`"x"`, t.secret(), scope)!.value, "x");
    assert.equal(String(new SecretValue("pw")), "(secret)");
    assert.equal(JSON.stringify({ a: new SecretValue("pw") }), `{"a":"(secret)"}`);
  });
});

describe("printing", () => {
  const samples: Value[] = [
    null,
    true,
    "quote\"d\n",
    NumberValue.int(-5n),
    NumberValue.uint(18446744073709551615n),
    NumberValue.float(1.5),
    NumberValue.float(1e21),
    [],
    [NumberValue.int(1n), "a", [null]],
    ObjectValue.empty,
    ObjectValue.fromRecord({ b: NumberValue.int(1n), a: "x", "not-ident": true, true: false }),
    ObjectValue.fromRecord({ zz: NumberValue.int(1n), a: ObjectValue.fromRecord({ inner: [ObjectValue.fromRecord({ k: "v" })] }), long_name: "x" }, true),
    new SecretValue("pw"),
    new OptionalSecretValue("shown", false),
    new OptionalSecretValue("hidden", true),
    new CapsuleValue("loki.LogsReceiver", {}),
    new FunctionValue("f", () => null),
    [ObjectValue.fromRecord({ a: NumberValue.int(1n) }), ObjectValue.fromRecord({ bb: NumberValue.int(2n) })],
  ];

  it("matches the token builder and Alloy's printer", () => {
    for (const v of samples) {
      const b = new ExprBuilder();
      b.setValue(toBuilderValue(v));
      assert.equal(formatValue(v), b.toString(), formatValue(v));
    }
  });

  it("aligns fields within runs of single-line values", () => {
    const v = ObjectValue.fromRecord(
      { a: NumberValue.int(1n), bbb: ObjectValue.fromRecord({ c: NumberValue.int(2n) }), dddd: NumberValue.int(3n), e: NumberValue.int(4n) },
      true,
    );
    assert.equal(formatValue(v), "{\n\ta   = 1,\n\tbbb = {\n\t\tc = 2,\n\t},\n\tdddd = 3,\n\te    = 4,\n}");
  });
});

describe("host data", () => {
  it("converts to and from plain JavaScript", () => {
    const v = fromJS({ a: [1, 1.5, "x", null, true], b: { c: 2n ** 64n - 1n } });
    assert.equal(formatValue(v), "{\n\ta = [1, 1.5, \"x\", null, true],\n\tb = {\n\t\tc = 18446744073709551615,\n\t},\n}");
    assert.deepEqual(toJS(v), { a: [1, 1.5, "x", null, true], b: { c: 18446744073709551615n } });
    assert.equal(valuesEqual(fromJS([1, { a: "b" }]), fromJS([1, { a: "b" }])), true);
    assert.deepEqual(toJS(fromJS({ ["__proto__"]: 1 } as Record<string, number>)), JSON.parse(`{"__proto__": 1}`));
  });

  it("calls host functions with plain data", () => {
    const scope = Scope.fromJS({ add: (a: number, b: number) => a + b });
    assert.equal(evalText("add(1, 2)", scope), "3");
  });
});

describe("evaluation", () => {
  it("looks names up through nested scopes, then the standard library", () => {
    const root = new Scope({ a: NumberValue.int(1n), string: "shadowed" });
    const child = root.child({ b: NumberValue.int(2n) });
    assert.equal(evalText("a + b", child), "3");
    assert.equal(evalText("string", child), `"shadowed"`);
    assert.equal(evalText(`encoding.to_base64("a")`, child), `"YQ=="`);
    assert.equal(child.hasVariable("a"), true);
    assert.equal(child.hasVariable("encoding"), false);
  });

  it("distinguishes field access from indexing", () => {
    assert.equal(evalText(`{a = 1}["b"]`), "null");
    assert.equal(evalError(`{a = 1}.b`).message, `1:9: field "b" does not exist`);
    assert.equal(evalError(`[1][5]`).message, "1:5: 5 index 5 is out of range of array with length 1");
    assert.equal(evalError(`[1]["a"]`).message, `1:5: "a" should be number, got string`);
    assert.equal(evalError(`{a = 1}[0]`).message, "1:9: 0 should be string, got number");
    assert.equal(evalError(`"x"[0]`).message, `1:1: "x" expected object or array, got string`);
    assert.equal(evalError(`[1].a`).message, `1:1: [1] cannot access field "a" on value of type array`);
  });

  it("evaluates both sides of && and ||", () => {
    assert.equal(evalError("false && nope").message, `1:10: identifier "nope" does not exist`);
    assert.equal(evalError("true || nope").message, `1:9: identifier "nope" does not exist`);
  });

  it("names the operand of a failing operator", () => {
    assert.equal(evalError(`1 + "a"`).message, `1:5: "a" should be number, got string`);
    assert.equal(evalError(`true + 1`).message, "1:1: true should be one of [number string capsule] for binop +, got bool");
    assert.equal(evalError(`!1`).message, "1:2: 1 should be bool, got number");
    assert.equal(evalError(`"a"()`).message, `1:1: "a" should be function, got string`);
  });

  it("attaches the offending value when the expression does not show it", () => {
    const scope = new Scope({ obj: ObjectValue.fromRecord({ list: [NumberValue.int(1n), "two"] }) });
    try {
      decodeExpression("obj", struct({ list: attr(t.array(t.int())) }), scope);
      assert.fail("expected an error");
    } catch (e) {
      assert.ok(e instanceof Diagnostics);
      assert.equal(e.message, "1:1: obj.list[1] should be number, got string");
      assert.equal(e.diagnostics[0]!.value, `"two"`);
    }
  });

  it("accesses capsules that present themselves as objects", () => {
    class Exports extends CapsuleValue {
      constructor() {
        super("component.Exports", null);
      }
      override convertInto(target: ConversionTarget): Value | NoConversion {
        return target === "object" ? ObjectValue.fromRecord({ port: NumberValue.int(80n) }) : NoConversion;
      }
    }
    const scope = new Scope({ c: new Exports() });
    assert.equal(evalText("c.port", scope), "80");
    assert.equal(evalText(`c["port"]`, scope), "80");
    assert.equal(evalText(`c["nope"]`, scope), "null");
    assert.equal(evalError("c.nope", scope).message, `1:3: field "nope" does not exist`);
    const opaque = new Scope({ c: new CapsuleValue("x.Y", {}) });
    assert.equal(
      evalError("c.a", opaque).message,
      "1:1: c expected object or array or a capsule convertible to an object, got capsule",
    );
  });

  it("calls host functions through the evaluator", () => {
    const twice = new FunctionValue("twice", (args) => NumberValue.int((args[0] as NumberValue).toInt64() * 2n));
    assert.equal(evalText("twice(21)", new Scope({ twice })), "42");
  });
});
