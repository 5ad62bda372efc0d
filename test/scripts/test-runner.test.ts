import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { countJUnit } from "../../scripts/test.ts";

describe("scripts/test.ts JUnit counting", () => {
  it("counts Deno's steps and skips its describe groups", () => {
    const xml = `<testsuites>
      <testsuite name="./a.test.ts"><testcase name="group" classname="a"></testcase><testcase name="plain" classname="a"></testcase></testsuite>
      <testsuite name="ext:deno_node/testing.ts">
        <testcase name="group &gt; one" classname="x"></testcase>
        <testcase name="group &gt; two" classname="x"><failure message="boom">boom</failure></testcase>
        <testcase name="group &gt; three" classname="x"><skipped/></testcase>
      </testsuite></testsuites>`;
    assert.deepEqual(countJUnit(xml, true), { passed: 2, failed: 1, skipped: 1 });
  });

  it("counts Node's and Bun's leaf test cases", () => {
    const xml = `<testsuites><testsuite name="suite" tests="3">
      <testcase name="a" classname="test"/>
      <testcase name="b" classname="test"><failure type="testCodeFailure" message="x"></failure></testcase>
      <testcase name="c" classname="test"/>
      <testcase name="token" classname="test"/><testcase name="token &gt; x" classname="test"/>
      <testcase name="a > b" classname="test"/><testcase name="c" classname="test"><failure message="x"/></testcase></testsuite></testsuites>`;
    assert.deepEqual(countJUnit(xml), { passed: 5, failed: 2, skipped: 0 });
  });

  it("counts nothing in an empty report", () => {
    assert.deepEqual(countJUnit("<testsuites></testsuites>"), { passed: 0, failed: 0, skipped: 0 });
  });
});
