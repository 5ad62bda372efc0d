// The controller's variables: snapshots that keep their content while the cache changes, exports
// cached along id paths, module arguments, module exports.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Namespace, ValueCache } from "../../src/runtime/controller/value-cache.ts";
import { defaultStdlib } from "../../src/syntax/stdlib/index.ts";
import { NumberValue, ObjectValue, type Value, valuesEqual } from "../../src/syntax/value/index.ts";
import { evaluateExpression } from "../../src/syntax/vm/index.ts";

const obj = (rec: Record<string, Value>) => ObjectValue.fromRecord(rec);
const n = (v: number) => NumberValue.int(v);

describe("runtime: namespace snapshots", () => {
  it("keep showing the content they were taken with", () => {
    const ns = Namespace.of({ a: n(1), b: n(2) });
    const first = ns.snapshot();
    ns.set("a", n(10));
    ns.set("c", n(3));
    ns.delete("b");
    const second = ns.snapshot();
    ns.set("a", n(100));
    assert.ok(valuesEqual(first, obj({ a: n(1), b: n(2) })));
    assert.ok(valuesEqual(second, obj({ a: n(10), c: n(3) })));
    assert.ok(valuesEqual(ns.snapshot(), obj({ a: n(100), c: n(3) })));
    assert.equal(first.get("c"), undefined);
    assert.deepEqual(first.keys(), ["a", "b"]);
  });

  it("are reused while nothing changed, and capture nested namespaces", () => {
    const root = new Namespace();
    const inner = new Namespace();
    root.set("inner", inner);
    inner.set("x", n(1));
    const first = root.snapshot();
    assert.equal(root.snapshot(), first);
    inner.set("x", n(2));
    root.invalidate();
    const second = root.snapshot();
    assert.notEqual(second, first);
    assert.ok(valuesEqual((first.get("inner") as ObjectValue).get("x")!, n(1)));
    assert.ok(valuesEqual((second.get("inner") as ObjectValue).get("x")!, n(2)));
  });

  it("clone deeply", () => {
    const root = new Namespace();
    const inner = Namespace.of({ x: n(1) });
    root.set("inner", inner);
    const copy = root.clone();
    inner.set("x", n(2));
    assert.ok(valuesEqual((copy.snapshot().get("inner") as ObjectValue).get("x")!, n(1)));
  });
});

describe("runtime: value cache", () => {
  it("caches exports along the id path and removes components that left", () => {
    const cache = new ValueCache(defaultStdlib);
    cache.cacheExports(["prometheus", "scrape", "a"], obj({ targets: "x" }));
    cache.cacheExports(["prometheus", "scrape", "b"], obj({ targets: "y" }));
    cache.cacheExports(["prometheus", "relabel", "c"], obj({ output: "z" }));
    const before = cache.scope();
    assert.equal(evaluateExpression("prometheus.scrape.b.targets", before), "y");
    cache.syncIds(
      new Map([
        ["prometheus.scrape.a", ["prometheus", "scrape", "a"]],
        ["prometheus.relabel.c", ["prometheus", "relabel", "c"]],
      ]),
    );
    cache.syncIds(new Map([["prometheus.scrape.a", ["prometheus", "scrape", "a"]]]));
    const after = cache.scope();
    assert.throws(() => evaluateExpression("prometheus.relabel", after), /field "relabel" does not exist/);
    assert.equal(evaluateExpression("prometheus.scrape.a.targets", after), "x");
    // A scope taken before keeps what it saw.
    assert.equal(evaluateExpression("prometheus.relabel.c.output", before), "z");
  });

  it("refuses to cache exports below a value", () => {
    const cache = new ValueCache(defaultStdlib);
    cache.setScopeVariables(Namespace.of({ module_path: "/etc" }));
    assert.throws(
      () => cache.cacheExports(["module_path", "x"], obj({})),
      { message: 'expected a map but found a value for "module_path" when trying to cache the export for module_path.x' },
    );
  });

  it("exposes module arguments as argument.<name>.value", () => {
    const cache = new ValueCache(defaultStdlib);
    cache.cacheModuleArgument("input", n(5));
    assert.ok(valuesEqual(evaluateExpression("argument.input.value", cache.scope()), n(5)));
    cache.syncModuleArgs(new Set());
    assert.throws(() => evaluateExpression("argument", cache.scope()), /identifier "argument" does not exist/);
  });

  it("counts changes of module exports", () => {
    const cache = new ValueCache(defaultStdlib);
    const start = cache.exportChangeIndex;
    cache.cacheModuleExportValue("out", n(1));
    cache.cacheModuleExportValue("out", n(1));
    assert.equal(cache.exportChangeIndex, start + 1);
    cache.cacheModuleExportValue("out", n(2));
    assert.equal(cache.exportChangeIndex, start + 2);
    assert.ok(valuesEqual(cache.moduleExports().get("out")!, n(2)));
  });
});
