// Custom components: the cases of Alloy's internal/runtime/declare_test.go (TestDeclare,
// TestDeclareError, TestDeclareModulePath), run against this controller.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeTempDir } from "../helpers/tmp.ts";
import { delay, eventually, exportNumber, exportString, newTestRuntime } from "./helpers.ts";

const tmp = makeTempDir();
after(() => tmp.cleanup());

const COUNT = `testcomponents.count "inc" {\n  frequency = "10ms"\n  max = 10\n}\n`;
const PASSTHROUGH = `testcomponents.passthrough "pt" {\n  input = argument.input.value\n  lag = "1ms"\n}\n`;

const cases: { name: string; config: string; expected: number }[] = [
  {
    name: "BasicDeclare",
    config: `declare "test" {\n  argument "input" {\n    optional = false\n  }\n${PASSTHROUGH}  export "output" {\n    value = testcomponents.passthrough.pt.output\n  }\n}\n${COUNT}test "myModule" {\n  input = testcomponents.count.inc.count\n}\ntestcomponents.summation "sum" {\n  input = test.myModule.output\n}\n`,
    expected: 10,
  },
  {
    name: "NestedDeclares",
    config: `declare "test" {
  argument "input" {
    optional = false
  }
  declare "nested" {
    argument "input" {
      optional = false
    }
    export "output" {
      value = argument.input.value
    }
  }
${PASSTHROUGH}  nested "default" {
    input = testcomponents.passthrough.pt.output
  }
  export "output" {
    value = nested.default.output
  }
}
${COUNT}test "myModule" {
  input = testcomponents.count.inc.count
}
testcomponents.summation "sum" {
  input = test.myModule.output
}
`,
    expected: 10,
  },
  {
    name: "DeclaredInParentDepth1",
    config: `declare "test" {
  argument "input" {
    optional = false
  }
${PASSTHROUGH}  rootDeclare "default" {
    input = testcomponents.passthrough.pt.output
  }
  export "output" {
    value = rootDeclare.default.output
  }
}
declare "rootDeclare" {
  argument "input" {
    optional = false
  }
  export "output" {
    value = argument.input.value
  }
}
${COUNT}test "myModule" {
  input = testcomponents.count.inc.count
}
testcomponents.summation "sum" {
  input = test.myModule.output
}
`,
    expected: 10,
  },
  {
    name: "DeclaredInParentDepth2",
    config: `declare "test" {
  argument "input" {
    optional = false
  }
${PASSTHROUGH}  declare "anotherDeclare" {
    argument "input" {
      optional = false
    }
    rootDeclare "default" {
      input = argument.input.value
    }
    export "output" {
      value = rootDeclare.default.output
    }
  }
  anotherDeclare "myOtherDeclare" {
    input = testcomponents.passthrough.pt.output
  }
  export "output" {
    value = anotherDeclare.myOtherDeclare.output
  }
}
declare "rootDeclare" {
  argument "input" {
    optional = false
  }
  export "output" {
    value = argument.input.value
  }
}
${COUNT}test "myModule" {
  input = testcomponents.count.inc.count
}
testcomponents.summation "sum" {
  input = test.myModule.output
}
`,
    expected: 10,
  },
  {
    name: "ShadowNamespace",
    config: `declare "prometheus" {\n  argument "input" {\n    optional = false\n  }\n${PASSTHROUGH}  export "output" {\n    value = testcomponents.passthrough.pt.output\n  }\n}\n${COUNT}prometheus "myModule" {\n  input = testcomponents.count.inc.count\n}\ntestcomponents.summation "sum" {\n  input = prometheus.myModule.output\n}\n`,
    expected: 10,
  },
  {
    name: "ShadowDeclare",
    config: `declare "a" {
  argument "input" {
    optional = false
  }
  export "output" {
    value = argument.input.value
  }
}
declare "test" {
  // redeclare "a"
  declare "a" {
    export "output" {
      value = -10
    }
  }
  a "default" {}
  export "output" {
    value = a.default.output
  }
}
test "myModule" {}
testcomponents.summation "sum" {
  input = test.myModule.output
}
`,
    expected: -10,
  },
  {
    name: "ShadowStdlib",
    config: `declare "constants" {\n  argument "input" {\n    optional = false\n  }\n${PASSTHROUGH}  export "output" {\n    value = testcomponents.passthrough.pt.output\n  }\n}\n${COUNT}constants "myModule" {\n  input = testcomponents.count.inc.count\n}\ntestcomponents.summation "sum" {\n  input = constants.myModule.output\n}\n`,
    expected: 10,
  },
  {
    name: "CommunityComponent",
    config: `declare "com" {\n  argument "input" {\n    optional = false\n  }\n  testcomponents.community "default" {}\n${PASSTHROUGH}  export "output" {\n    value = testcomponents.passthrough.pt.output\n  }\n}\n${COUNT}com "myModule" {\n  input = testcomponents.count.inc.count\n}\ntestcomponents.summation "sum" {\n  input = com.myModule.output\n}\n`,
    expected: 10,
  },
];

describe("runtime: declare (Alloy's TestDeclare)", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const { runtime } = newTestRuntime({ storagePath: join(tmp.path, c.name), enableCommunityComponents: true });
      try {
        const result = await runtime.load({ "main.alloy": c.config });
        assert.equal(result.error, undefined);
        runtime.start();
        await eventually(
          () => exportNumber(runtime.component("testcomponents.summation.sum")!.exports, "last_added") === c.expected,
          10_000,
          `last_added == ${c.expected}`,
        );
      } finally {
        await runtime.stop();
      }
    });
  }

  it("gives a local declare the module_path of the module that declares it (empty here)", async () => {
    const { runtime } = newTestRuntime({ storagePath: join(tmp.path, "module_path") });
    try {
      const config = `declare "mod" {\n  export "output" {\n    value = module_path\n  }\n}\nmod "myModule" {}\ntestcomponents.passthrough "pass" {\n  input = mod.myModule.output\n}\n`;
      assert.equal((await runtime.load({ "main.alloy": config })).error, undefined);
      runtime.start();
      await delay(30);
      assert.equal(exportString(runtime.component("testcomponents.passthrough.pass")!.exports, "output"), "");
    } finally {
      await runtime.stop();
    }
  });
});

const errors: { name: string; config: string; expected: RegExp }[] = [
  {
    name: "CircleDependencyBetweenDeclares",
    config: `declare "a" {\n  b "t1" {}\n}\ndeclare "b" {\n  a "t2" {}\n}\na "t3" {}\n`,
    expected: /cycle: declare\.(a|b), declare\.(a|b)/,
  },
  {
    name: "CircleDependencyWithinDeclare",
    config: `declare "a" {\n  declare "b" {\n    c "t1" {}\n  }\n  declare "c" {\n    b "t2" {}\n  }\n  b "t3" {}\n}\na "t4" {}\n`,
    expected: /cycle: declare\.(b|c), declare\.(b|c)/,
  },
  {
    name: "CircleDependencyWithItself",
    config: `declare "a" {\n  a "t1" {}\n}\na "t2" {}\n`,
    expected: /self reference: declare\.a/,
  },
  {
    name: "OutOfScopeReference",
    config: `${COUNT}declare "example_a" {\n  testcomponents.summation "sum" {\n    input = testcomponents.count.inc.count // invalid reference\n  }\n}\nexample_a "test" {}\n`,
    expected: /component "testcomponents.count.inc.count" does not exist or is out of scope/,
  },
  {
    name: "OutOfScopeDefinition",
    config: `declare "a" {\n  b_1 "default" { } // this should error\n}\ndeclare "b" {\n  declare "b_1" {}\n}\na "example" {}\n`,
    expected: /cannot find the definition of component name "b_1"/,
  },
  {
    name: "ForbiddenDeclareLabel",
    config: `declare "declare" {}\n`,
    expected: /'declare' is not a valid label for a declare block/,
  },
];

describe("runtime: declare errors (Alloy's TestDeclareError)", () => {
  for (const c of errors) {
    it(c.name, async () => {
      const { runtime } = newTestRuntime({ storagePath: join(tmp.path, c.name) });
      const result = await runtime.load({ "main.alloy": c.config });
      assert.match(result.error ?? "", c.expected);
      runtime.start();
      await runtime.stop();
    });
  }
});
