import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { FlagError, parseFlags, type FlagSet } from "../../src/cli/flags.ts";
import { Second } from "../../src/syntax/schema/duration.ts";

const flags: FlagSet = {
  name: { type: "string", default: "x", description: "" },
  on: { type: "boolean", short: "o", description: "" },
  wait: { type: "duration", default: "1m", description: "" },
  count: { type: "int", default: "5", description: "" },
  ifaces: { type: "stringSlice", default: "eth0,en0", description: "" },
};

describe("flags (pflag semantics)", () => {
  it("fills defaults", () => {
    const { values, given } = parseFlags([], flags);
    assert.deepEqual(values, { name: "x", on: false, wait: 60 * Second, count: 5, ifaces: ["eth0", "en0"] });
    assert.equal(given.size, 0);
  });

  it("takes --flag=value and --flag value, positionals anywhere, and -- to end flags", () => {
    const parsed = parseFlags(["a", "--name", "y", "--count=7", "b", "--", "--on"], flags);
    assert.deepEqual(parsed.positionals, ["a", "b", "--on"]);
    assert.equal(parsed.values.name, "y");
    assert.equal(parsed.values.count, 7);
    assert.equal(parsed.values.on, false);
  });

  it("reads Go's boolean spellings, and never takes the next word for a boolean", () => {
    for (const [text, value] of [["1", true], ["T", true], ["True", true], ["0", false], ["f", false], ["FALSE", false]] as const) {
      assert.equal(parseFlags([`--on=${text}`], flags).values.on, value, text);
    }
    assert.deepEqual(parseFlags(["--on", "path"], flags).positionals, ["path"]);
    assert.equal(parseFlags(["-o"], flags).values.on, true);
    assert.throws(() => parseFlags(["--on=yes"], flags), /strconv\.ParseBool: parsing "yes": invalid syntax/);
  });

  it("replaces a list default on first use and appends after", () => {
    assert.deepEqual(parseFlags(["--ifaces=a", "--ifaces", "b,c"], flags).values.ifaces, ["a", "b", "c"]);
    assert.deepEqual(parseFlags(["--ifaces="], flags).values.ifaces, []);
  });

  it("reports pflag's errors", () => {
    const cases: [string[], RegExp][] = [
      [["--nope"], /^unknown flag: --nope$/],
      [["-z"], /^unknown shorthand flag: 'z' in -z$/],
      [["--name"], /^flag needs an argument: --name$/],
      [["--wait=5"], /^invalid argument "5" for "--wait" flag: time: missing unit in duration "5"$/],
      [["--count=1.5"], /^invalid argument "1\.5" for "--count" flag: strconv\.ParseInt: parsing "1\.5": invalid syntax$/],
      [["-o=maybe"], /^invalid argument "maybe" for "-o, --on" flag: strconv\.ParseBool/],
    ];
    for (const [args, message] of cases) {
      assert.throws(() => parseFlags(args, flags), (error: Error) => error instanceof FlagError && message.test(error.message), args.join(" "));
    }
  });
});
