// The browser code's logic that needs no DOM: Alloy values as text, body sections, the graph layout,
// and small helpers.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { serverRoot, type ComponentInfo, type Value } from "../../src/service/ui/web/api.ts";
import { relativeTime, encodeId } from "../../src/service/ui/web/dom.ts";
import { edgePath, layoutGraph, totalCrossings } from "../../src/service/ui/web/layout.ts";
import { formatRate, graphEdges } from "../../src/service/ui/web/pages/graph.ts";
import { partitionBody, quote, valueText } from "../../src/service/ui/web/value.ts";

const str = (value: string): Value => ({ type: "string", value });
const num = (value: number): Value => ({ type: "number", value });
const obj = (fields: Record<string, Value>): Value => ({ type: "object", value: Object.entries(fields).map(([key, value]) => ({ key, value })) });

describe("ui web: values as Alloy syntax", () => {
  it("prints scalars, strings with escapes, capsules and functions", () => {
    assert.equal(valueText({ type: "null" }), "null");
    assert.equal(valueText(num(1.5)), "1.5");
    assert.equal(valueText({ type: "bool", value: false }), "false");
    assert.equal(valueText(str('a "b"\n\tc\\')), '"a \\"b\\"\\n\\tc\\\\"');
    assert.equal(valueText({ type: "capsule", value: "(secret)" }), "(secret)");
    assert.equal(valueText({ type: "function", value: "function" }), "function");
    assert.equal(quote("\u0001"), '"\\x01"');
  });

  it("aligns object fields in groups broken by multi-line fields, arrays inline", () => {
    const value = obj({
      a: num(1),
      long_name: str("x"),
      "not-ident": { type: "array", value: [num(1), num(2)] },
      nested: obj({ k: str("v") }),
      z: { type: "bool", value: true },
    });
    assert.equal(
      valueText(value),
      '{\n\ta           = 1,\n\tlong_name   = "x",\n\t"not-ident" = [1, 2],\n\tnested      = {\n\t\tk = "v",\n\t},\n\tz = true,\n}',
    );
    assert.equal(valueText(obj({})), "{}");
  });

  it("prints a list of targets the way alloy fmt does", () => {
    const targets: Value = { type: "array", value: [obj({ __address__: str("a:1") }), obj({ __address__: str("b:2") })] };
    assert.equal(valueText(targets), '[{\n\t__address__ = "a:1",\n}, {\n\t__address__ = "b:2",\n}]');
  });

  it("splits a body into sections with unique keys", () => {
    const section = partitionBody(
      [
        { type: "attr", name: "url", value: str("x") },
        { type: "block", name: "rule", body: [{ type: "attr", name: "action", value: str("drop") }] },
        { type: "block", name: "rule", body: [] },
        { type: "block", name: "stage.json", label: "l", body: [] },
      ],
      "Arguments",
    );
    assert.deepEqual(section.attrs.map((a) => a.name), ["url"]);
    assert.deepEqual(section.sections.map((s) => s.key), ["arguments-rule_0", "arguments-rule_1", "arguments-stage.json.l_0"]);
    assert.deepEqual(section.sections[2]!.path, ["Arguments", 'stage.json "l"']);
  });
});

describe("ui web: graph layout", () => {
  const node = (id: string) => ({ id, width: 200, height: 50 });

  it("puts each node right of its predecessors and keeps columns free of overlaps", () => {
    const nodes = ["a", "b", "c", "d", "e"].map(node);
    const edges = [
      { source: "a", target: "b" },
      { source: "b", target: "c" },
      { source: "a", target: "c" },
      { source: "d", target: "c" },
    ];
    const layout = layoutGraph(nodes, edges);
    const at = (id: string) => layout.nodes.get(id)!;
    assert.ok(at("a").x < at("b").x && at("b").x < at("c").x);
    // A source is moved next to its only consumer.
    assert.equal(at("d").layer, at("c").layer - 1);
    // Isolated nodes go below.
    assert.ok(at("e").y > Math.max(at("a").y, at("b").y, at("c").y, at("d").y));
    for (const a of layout.nodes.values()) {
      for (const b of layout.nodes.values()) {
        if (a === b) continue;
        const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
        assert.ok(!overlap, `${a.id} overlaps ${b.id}`);
      }
    }
    // Every edge runs from its source's right side to its target's left side.
    for (const e of layout.edges) {
      const first = e.points[0]!;
      const last = e.points[e.points.length - 1]!;
      assert.equal(first.x, at(e.source).x + at(e.source).width);
      assert.equal(last.x, at(e.target).x);
    }
    // The long edge a→c goes through a placeholder column.
    assert.equal(layout.edges.find((e) => e.source === "a" && e.target === "c")!.points.length, 4);
    assert.ok(layout.width >= at("c").x + 200 && layout.height >= at("e").y + 50);
  });

  it("survives cycles, self-loops, duplicates and unknown ids", () => {
    const layout = layoutGraph(["a", "b", "c"].map(node), [
      { source: "a", target: "b" },
      { source: "b", target: "c" },
      { source: "c", target: "a" },
      { source: "a", target: "a" },
      { source: "a", target: "b" },
      { source: "a", target: "zzz" },
    ]);
    assert.equal(layout.nodes.size, 3);
    assert.equal(layout.edges.length, 3);
    for (const e of layout.edges) assert.ok(Number.isFinite(e.points[0]!.y));
  });

  it("untangles crossings", () => {
    // Two parallel chains given in an order that crosses.
    const edges = [
      { source: "a1", target: "b2" },
      { source: "a2", target: "b1" },
      { source: "b1", target: "c1" },
      { source: "b2", target: "c2" },
    ];
    const layout = layoutGraph(["a1", "a2", "b1", "b2", "c1", "c2"].map(node), edges);
    const columns: { order: number; succs: { order: number }[] }[][] = [[], [], []];
    const order = (id: string) => [...layout.nodes.values()].filter((n) => n.layer === layout.nodes.get(id)!.layer).sort((x, y) => x.y - y.y).findIndex((n) => n.id === id);
    const vertex = new Map<string, { order: number; succs: { order: number }[] }>();
    for (const n of layout.nodes.values()) vertex.set(n.id, { order: order(n.id), succs: [] });
    for (const e of edges) vertex.get(e.source)!.succs.push(vertex.get(e.target)!);
    for (const n of layout.nodes.values()) columns[n.layer]!.push(vertex.get(n.id)!);
    assert.equal(totalCrossings(columns), 0);
  });

  it("lays out 500 components quickly", () => {
    const nodes = Array.from({ length: 500 }, (_, i) => node(`c${i}`));
    const edges = nodes.slice(1).map((n, i) => ({ source: `c${Math.floor(i / 3)}`, target: n.id }));
    const start = performance.now();
    const layout = layoutGraph(nodes, edges);
    const ms = performance.now() - start;
    assert.equal(layout.nodes.size, 500);
    assert.ok(ms < 2000, `${ms.toFixed(0)} ms`);
  });

  it("draws edges as curves through their points", () => {
    assert.equal(edgePath([{ x: 0, y: 0 }, { x: 100, y: 0 }]), "M0,0 L100,0");
    assert.equal(edgePath([{ x: 0, y: 0 }, { x: 100, y: 50 }]), "M0,0 C50,0 50,50 100,50");
  });
});

describe("ui web: helpers", () => {
  const component = (localID: string, extra: Partial<ComponentInfo> = {}): ComponentInfo => ({
    name: "x",
    localID,
    moduleID: "",
    referencesTo: [],
    referencedBy: [],
    dataFlowEdgesTo: [],
    health: { state: "healthy", message: "", updatedTime: "" },
    liveDebuggingEnabled: false,
    ...extra,
  });

  it("builds data-flow or reference edges between known components", () => {
    const list = [component("a", { dataFlowEdgesTo: ["b", "gone"] }), component("b", { referencesTo: ["a"] })];
    assert.deepEqual(graphEdges(list, "flow"), [{ source: "a", target: "b" }]);
    assert.deepEqual(graphEdges(list, "refs"), [{ source: "a", target: "b" }]);
  });

  it("formats rates", () => {
    assert.equal(formatRate(0.25), "0.3/s");
    assert.equal(formatRate(12.4), "12/s");
    assert.equal(formatRate(6170), "6.2k/s");
    assert.equal(formatRate(2.5e6), "2.5M/s");
  });

  it("finds the server root from the UI prefix", () => {
    assert.equal(serverRoot("/"), "");
    assert.equal(serverRoot("/alloy/ui/"), "../../");
  });

  it("says how long ago, and nothing for Go's zero time", () => {
    const now = Date.parse("2024-01-01T12:00:00Z");
    assert.equal(relativeTime("0001-01-01T00:00:00Z", now), "");
    assert.equal(relativeTime("2024-01-01T11:59:58Z", now), "just now");
    assert.equal(relativeTime("2024-01-01T11:59:00Z", now), "60 seconds ago".replace("60 seconds", "1 minute"));
    assert.equal(relativeTime("2024-01-01T09:00:00Z", now), "3 hours ago");
    assert.equal(relativeTime("2023-12-30T12:00:00Z", now), "2 days ago");
  });

  it("encodes ids segment by segment", () => {
    assert.equal(encodeId("module.file.a/prometheus.scrape.b c"), "module.file.a/prometheus.scrape.b%20c");
  });
});
