import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LogController } from "../../src/runtime/logging/logger.ts";
import { formatLogfmt, formatTimestamp } from "../../src/runtime/logging/logfmt.ts";

function capture(options?: ConstructorParameters<typeof LogController>[1]) {
  const lines: string[] = [];
  const fixed = new Date("2026-11-25T10:00:00.120Z");
  const controller = new LogController({ write: (line) => lines.push(line) }, options, () => fixed);
  return { lines, controller };
}

describe("logging", () => {
  it("writes logfmt lines as go-kit does", () => {
    const { lines, controller } = capture();
    controller.logger({ component: "prometheus.scrape.default" }).info("scrape finished", {
      duration: "1.5s",
      targets: 3,
      err: "",
      quoted: 'say "hi"',
      path: "/etc/alloy/config.alloy",
      equals: "a=b",
    });
    assert.deepEqual(lines, [
      'ts=2026-11-25T10:00:00.12Z level=info msg="scrape finished" component=prometheus.scrape.default duration=1.5s targets=3 err= quoted="say \\"hi\\"" path=/etc/alloy/config.alloy equals="a=b"\n',
    ]);
  });

  it("writes JSON lines", () => {
    const { lines, controller } = capture({ level: "info", format: "json" });
    controller.logger().warn("disk almost full", { free_bytes: 1024, nested: { a: 1 } });
    assert.deepEqual(JSON.parse(lines[0]!), {
      ts: "2026-11-25T10:00:00.12Z",
      level: "warn",
      msg: "disk almost full",
      free_bytes: 1024,
      nested: { a: 1 },
    });
  });

  it("filters by level and follows level and format changes in existing loggers", () => {
    const { lines, controller } = capture({ level: "warn", format: "logfmt" });
    const logger = controller.logger().with({ service: "http" });
    logger.debug("hidden");
    logger.info("hidden too");
    logger.warn("shown");
    logger.error("shown too");
    controller.setOptions({ level: "debug", format: "json" });
    logger.debug("now shown");
    assert.deepEqual(
      lines.map((l) => (l.startsWith("{") ? JSON.parse(l).msg : /msg=("[^"]*"|\S+)/.exec(l)![1]!.replace(/"/g, ""))),
      ["shown", "shown too", "now shown"],
    );
    assert.equal(JSON.parse(lines[2]!).service, "http");
    assert.equal(JSON.parse(lines[2]!).level, "debug");
  });

  it("keeps repeated identical lines", () => {
    const { lines, controller } = capture();
    const logger = controller.logger();
    for (let i = 0; i < 10; i++) logger.error("same failure");
    assert.equal(lines.length, 10);
  });

  it("quotes and escapes like go-logfmt", () => {
    assert.equal(formatLogfmt([["k", "line\nbreak\ttab"]]), 'k="line\\nbreak\\ttab"');
    assert.equal(formatLogfmt([["k", "null"]]), 'k="null"');
    assert.equal(formatLogfmt([["k", null]]), "k=null");
    assert.equal(formatLogfmt([["bad key", 1]]), "bad_key=1");
    assert.equal(formatLogfmt([["err", new Error("boom now")]]), 'err="boom now"');
    assert.equal(formatTimestamp(new Date("2026-01-02T03:04:05.000Z")), "2026-01-02T03:04:05Z");
    assert.equal(formatTimestamp(new Date("2026-01-02T03:04:05.100Z")), "2026-01-02T03:04:05.1Z");
  });
});
