// The live-debugging registry (Alloy's livedebugging_test.go, ported), the service block, and heap
// snapshots without string contents.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { redactHeapSnapshotText, REDACTED_STRING } from "../../src/service/http/heap-snapshot.ts";
import { LiveDebugging, newData, type Data, type LiveDebuggingHost } from "../../src/service/livedebugging/livedebugging.ts";
import { LiveDebuggingService } from "../../src/service/livedebugging/service.ts";

const DISABLED = "the live debugging service is disabled. Check the documentation to find out how to enable it";

function host(): LiveDebuggingHost {
  const components: Record<string, { componentName: string; liveDebugging: boolean }> = {
    "fake.liveDebugging": { componentName: "fake.liveDebugging", liveDebugging: true },
    "declared.cmp/fake.liveDebugging": { componentName: "fake.liveDebugging", liveDebugging: true },
    "fake.noLiveDebugging": { componentName: "fake.noLiveDebugging", liveDebugging: false },
    "declared.cmp/fake.noLiveDebugging": { componentName: "fake.noLiveDebugging", liveDebugging: false },
  };
  return {
    getComponent: (id) => components[id],
    listComponents: (moduleId) => {
      const ids = Object.keys(components).filter((id) => (moduleId === "" ? !id.includes("/") : id.startsWith(`${moduleId}/`)));
      if (ids.length === 0) throw new Error("module not found");
      return ids.map((id) => ({ globalId: id, liveDebugging: components[id]!.liveDebugging }));
    },
  };
}

function enabled(): LiveDebugging {
  const live = new LiveDebugging();
  live.setEnabled(true);
  return live;
}

describe("live debugging registry", () => {
  it("checks AddCallback as Alloy does, in Alloy's order", () => {
    const live = new LiveDebugging();
    const callback = () => {};
    assert.throws(() => live.addCallback(undefined, "callback1", "fake.liveDebugging", callback), { message: DISABLED });
    live.setEnabled(true);
    assert.throws(() => live.addCallback(undefined, "callback1", "fake.liveDebugging", callback), { message: "the live debugging service is not ready yet" });
    const h = host();
    assert.throws(() => live.addCallback(h, "callback1", "not found", callback), { message: "component not found" });
    live.addCallback(h, "callback1", "fake.liveDebugging", callback);
    assert.throws(() => live.addCallback(h, "callback1", "fake.noLiveDebugging", callback), {
      message: 'the component "fake.noLiveDebugging" does not support live debugging',
    });
    live.addCallback(h, "callback1", "declared.cmp/fake.liveDebugging", callback);
    assert.throws(() => live.addCallback(h, "callback1", "declared.cmp/fake.noLiveDebugging", callback), {
      message: 'the component "fake.noLiveDebugging" does not support live debugging',
    });
  });

  it("streams to callbacks, and stops when disabled", () => {
    const live = enabled();
    let received: Data | undefined;
    live.addCallback(host(), "callback1", "fake.liveDebugging", (data) => (received = data));
    live.publishIfActive(newData("fake.liveDebugging", "prometheus_metric", 3, () => "test data", { targetComponentIDs: ["component1"] }));
    assert.equal(received?.componentID, "fake.liveDebugging");
    assert.deepEqual(received?.targetComponentIDs, ["component1"]);
    assert.equal(received?.count, 3);
    assert.equal(received?.dataFunc(), "test data");
    live.setEnabled(false);
    live.publishIfActive(newData("fake.liveDebugging", "prometheus_metric", 3, () => "new test data"));
    assert.equal(received?.dataFunc(), "test data", "not updated: the block turned it off");
  });

  it("publishes to nobody without failing, and never calls dataFunc then", () => {
    const live = enabled();
    live.publishIfActive(newData("fake.liveDebugging", "loki_log", 1, () => assert.fail("dataFunc called without a listener")));
  });

  it("tells whether anyone listens", () => {
    const live = enabled();
    assert.equal(live.isActive("fake.liveDebugging"), false);
    live.addCallback(host(), "callback1", "fake.liveDebugging", () => {});
    assert.equal(live.isActive("fake.liveDebugging"), true);
    assert.equal(live.isActive("other.liveDebugging"), false);
    live.deleteCallback("callback1", "fake.liveDebugging");
    assert.equal(live.isActive("fake.liveDebugging"), false);
  });

  it("feeds several streams of one component, and deletes them one by one", () => {
    const live = enabled();
    const got: string[] = [];
    live.addCallback(host(), "callback1", "fake.liveDebugging", (d) => got.push(`1:${d.dataFunc()}`));
    live.addCallback(host(), "callback2", "fake.liveDebugging", (d) => got.push(`2:${d.dataFunc()}`));
    live.publishIfActive(newData("fake.liveDebugging", "prometheus_metric", 3, () => "test data"));
    assert.deepEqual(got, ["1:test data", "2:test data"]);
    live.deleteCallback("callback1", "fakeComponentID");
    live.deleteCallback("fakeCallbackID", "fake.liveDebugging");
    live.deleteCallback("callback1", "fake.liveDebugging");
    live.publishIfActive(newData("fake.liveDebugging", "prometheus_metric", 3, () => "again"));
    assert.deepEqual(got.slice(2), ["2:again"]);
  });

  it("subscribes a module's supporting components for the graph, even while disabled", () => {
    const live = new LiveDebugging();
    const got: string[] = [];
    const h = host();
    live.addCallbackMulti(h, "graph", "declared.cmp", (d) => got.push(d.componentID));
    live.publishIfActive(newData("declared.cmp/fake.liveDebugging", "loki_log", 1, () => ""));
    live.publishIfActive(newData("declared.cmp/fake.noLiveDebugging", "loki_log", 1, () => ""));
    assert.deepEqual(got, ["declared.cmp/fake.liveDebugging"]);
    assert.throws(() => live.addCallbackMulti(h, "graph", "nope", () => {}), { message: "module not found" });
    live.deleteCallbackMulti(h, "graph", "declared.cmp");
    assert.equal(live.isActive("declared.cmp/fake.liveDebugging"), false);
    live.deleteCallbackMulti(h, "graph", "nope");
  });

  it("is the livedebugging service: GA, off by default, the registry as its data", async () => {
    const service = new LiveDebuggingService();
    assert.equal(service.definition.name, "livedebugging");
    assert.equal(service.definition.stability, "generally-available");
    assert.equal(service.data(), service.registry);
    assert.equal(service.registry.enabled, false);
    service.update({ enabled: true });
    assert.equal(service.registry.enabled, true);
    const controller = new AbortController();
    const running = service.run(undefined, controller.signal);
    controller.abort();
    await running;
  });
});

describe("heap snapshots", () => {
  it("lose string contents but keep names of types, properties and functions", () => {
    const snapshot = {
      snapshot: {
        meta: {
          node_fields: ["type", "name", "id", "self_size", "edge_count", "trace_node_id", "detachedness"],
          node_types: [["hidden", "array", "string", "object", "code", "closure", "regexp", "number", "native", "synthetic", "concatenated string", "sliced string"], "string"],
          edge_fields: ["type", "name_or_index", "to_node"],
          edge_types: [["context", "element", "property", "internal", "hidden", "shortcut", "weak"], "string_or_number", "node"],
          trace_function_info_fields: ["function_id", "name", "script_name", "script_id", "line", "column"],
        },
      },
      // An object "Config" with property "password" -> string "hunter2"; a cons string; a sliced one;
      // a string equal to a property name stays (it names a property too).
      nodes: [3, 0, 1, 32, 2, 0, 0, 2, 1, 3, 24, 0, 0, 0, 10, 3, 5, 32, 0, 0, 0, 11, 4, 7, 24, 0, 0, 0, 2, 2, 9, 24, 0, 0, 0],
      edges: [2, 2, 7, 1, 0, 14],
      trace_function_infos: [1, 5, 6, 0, 1, 1],
      strings: ["Config", "hunter2", "password", "token=abc+def", "abc", "fn", "file.ts"],
    };
    // The string node named "password" (index 2) shares its name with the property.
    const redacted = JSON.parse(redactHeapSnapshotText(JSON.stringify(snapshot)));
    assert.deepEqual(redacted.strings, ["Config", REDACTED_STRING, "password", REDACTED_STRING, REDACTED_STRING, "fn", "file.ts"]);
    assert.deepEqual(redacted.nodes, snapshot.nodes);
    assert.deepEqual(redacted.edges, snapshot.edges);
  });
});
