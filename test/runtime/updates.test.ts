// Propagation through pipelines with lag, as Alloy's internal/runtime/alloy_updates_test.go checks
// it: a slow component must not hold back the others.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeTempDir } from "../helpers/tmp.ts";
import { eventually, exportNumber, exportString, newTestRuntime } from "./helpers.ts";

const tmp = makeTempDir();
after(() => tmp.cleanup());

const pipeline = (lag: string) => `testcomponents.count "inc" {
  frequency = "10ms"
  max = 10
}

testcomponents.passthrough "inc_dep_1" {
  input = testcomponents.count.inc.count
  lag = "${lag}"
}

testcomponents.passthrough "inc_dep_2" {
  input = testcomponents.passthrough.inc_dep_1.output
  lag = "${lag}"
}

testcomponents.summation "sum" {
  input = testcomponents.passthrough.inc_dep_2.output
}
`;

const cases: [string, string, number][] = [
  ["Updates", pipeline("1ms"), 3000],
  ["Updates_WithLag", pipeline("10ms"), 3000],
  [
    "Updates_WithOtherLaggingPipeline",
    `${pipeline("1ms")}
testcomponents.count "inc_2" {
  frequency = "10ms"
  max = 10
}

testcomponents.passthrough "inc_dep_slow" {
  input = testcomponents.count.inc_2.count
  lag = "500ms"
}
`,
    2000,
  ],
  [
    "Updates_WithLaggingComponent",
    `${pipeline("1ms")}
testcomponents.passthrough "inc_dep_slow" {
  input = testcomponents.count.inc.count
  lag = "500ms"
}
`,
    2000,
  ],
];

describe("runtime: updates (Alloy's TestController_Updates*)", () => {
  for (const [name, config, within] of cases) {
    it(name, async () => {
      const { runtime } = newTestRuntime({ storagePath: join(tmp.path, name) });
      try {
        assert.equal((await runtime.load({ "main.alloy": config })).error, undefined);
        runtime.start();
        await eventually(
          () => exportNumber(runtime.component("testcomponents.summation.sum")!.exports, "last_added") === 10,
          within,
          "last_added == 10",
        );
        for (const id of ["testcomponents.passthrough.inc_dep_1", "testcomponents.passthrough.inc_dep_2"]) {
          const info = runtime.component(id)!;
          assert.equal((info.arguments as { input: string }).input, "10");
          assert.equal(exportString(info.exports, "output"), "10");
        }
        assert.deepEqual(runtime.component("testcomponents.summation.sum")!.arguments, { input: 10 });
      } finally {
        await runtime.stop();
      }
    });
  }
});
