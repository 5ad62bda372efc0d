// discovery.file: Go's glob rules, target groups from JSON and YAML files with __meta_filepath,
// refreshes when files change, come and go, last good targets for a file that turns bad, Alloy's
// validation, and the metrics Prometheus's file discovery exposes.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { BadPatternError, glob, globMatch } from "../../../src/component/discovery/glob.ts";
import { platform } from "../../../src/platform/mod.ts";
import { formatMetricsText } from "../../../src/runtime/index.ts";
import { makeTempDir } from "../../helpers/tmp.ts";
import { eventually, newRuntime, targetsOf } from "./helpers.ts";

const dir = makeTempDir("alloy-ts-discovery-file-");
after(() => dir.cleanup());

describe("discovery.file: Go's filepath.Match and Glob", () => {
  // From Go's path/filepath match_test.go.
  const table: [string, string, boolean | "bad"][] = [
    ["abc", "abc", true], ["*", "abc", true], ["*c", "abc", true], ["a*", "a", true], ["a*", "abc", true],
    ["a*", "ab/c", false], ["a*/b", "abc/b", true], ["a*/b", "a/c/b", false], ["a*b*c*d*e*/f", "axbxcxdxe/f", true],
    ["a*b*c*d*e*/f", "axbxcxdxexxx/f", true], ["a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false], ["a*b*c*d*e*/f", "axbxcxdxexxx/fff", false],
    ["a*b?c*x", "abxbbxdbxebxczzx", true], ["a*b?c*x", "abxbbxdbxebxczzy", false], ["ab[c]", "abc", true], ["ab[b-d]", "abc", true],
    ["ab[e-g]", "abc", false], ["ab[^c]", "abc", false], ["ab[^b-d]", "abc", false], ["ab[^e-g]", "abc", true],
    ["a\\*b", "a*b", true], ["a\\*b", "ab", false], ["a?b", "a☺b", true], ["a[^a]b", "a☺b", true], ["a???b", "a☺b", false],
    ["a[^a][^a][^a]b", "a☺b", false], ["[a-ζ]*", "α", true], ["*[a-ζ]", "A", false], ["a?b", "a/b", false], ["a*b", "a/b", false],
    ["[\\]a]", "]", true], ["[\\-]", "-", true], ["[x\\-]", "x", true], ["[x\\-]", "-", true], ["[x\\-]", "z", false],
    ["[\\-x]", "x", true], ["[\\-x]", "-", true], ["[\\-x]", "a", false], ["[]a]", "]", "bad"], ["[-]", "-", "bad"],
    ["[x-]", "x", "bad"], ["[-x]", "x", "bad"], ["\\", "a", "bad"], ["[a-b-c]", "a", "bad"], ["[", "a", "bad"], ["[^", "a", "bad"],
    ["[^bc", "a", "bad"], ["a[", "a", "bad"], ["a[", "ab", "bad"], ["a[", "x", "bad"], ["a/b[", "x", "bad"], ["*x", "xxx", true],
  ];
  for (const [pattern, name, want] of table) {
    it(`Match(${JSON.stringify(pattern)}, ${JSON.stringify(name)})`, () => {
      if (want === "bad") assert.throws(() => globMatch(pattern, name), BadPatternError);
      else assert.equal(globMatch(pattern, name), want);
    });
  }

  it("globs files in one directory and across matching directories, in lexical order", async () => {
    const root = `${dir.path}/glob`;
    for (const sub of ["a", "b", "c.d"]) mkdirSync(`${root}/${sub}`, { recursive: true });
    for (const f of ["a/x.json", "a/y.json", "a/z.yml", "b/x.json", ".hidden.json"]) writeFileSync(`${root}/${f}`, "[]");
    const fs = platform().fs;
    assert.deepEqual(await glob(fs, `${root}/a/*.json`), [`${root}/a/x.json`, `${root}/a/y.json`]);
    assert.deepEqual(await glob(fs, `${root}/*/x.json`), [`${root}/a/x.json`, `${root}/b/x.json`]);
    assert.deepEqual(await glob(fs, `${root}/*.json`), [`${root}/.hidden.json`], "a dot file is not special");
    assert.deepEqual(await glob(fs, `${root}/a/[xz].*`), [`${root}/a/x.json`, `${root}/a/z.yml`]);
    assert.deepEqual(await glob(fs, `${root}/a/x.json`), [`${root}/a/x.json`]);
    assert.deepEqual(await glob(fs, `${root}/a/missing.json`), []);
    assert.deepEqual(await glob(fs, `${root}/missing/*.json`), []);
    await assert.rejects(glob(fs, `${root}/a/[.json`), BadPatternError);
  });
});

const write = (path: string, content: string) => writeFileSync(path, content);

describe("discovery.file", () => {
  it("exports the targets of JSON and YAML files with group labels and __meta_filepath", async () => {
    const d = `${dir.path}/basic`;
    mkdirSync(d, { recursive: true });
    write(`${d}/a.json`, JSON.stringify([
      { targets: ["127.0.0.1:9091", "127.0.0.1:9092"], labels: { environment: "dev" } },
      { targets: ["127.0.0.1:9093"], labels: { environment: "prod", __meta_filepath: "overridden" } },
    ]));
    write(`${d}/b.yaml`, "- targets:\n  - 127.0.0.1:9999\n  labels:\n    job: worker\n    port: 80\n- targets: ['127.0.0.1:9090']\n");
    write(`${d}/ignored.txt`, "not a target file");
    const runtime = newRuntime(`${d}/data`);
    try {
      const loaded = await runtime.load({ "c.alloy": `discovery.file "t" {\n  files = ["${d}/*.json", "${d}/b.yaml"]\n}\n` });
      assert.ok(loaded.ok, loaded.error);
      runtime.start();
      await eventually(() => assert.equal(targetsOf(runtime, "discovery.file.t").length, 5));
      assert.deepEqual(targetsOf(runtime, "discovery.file.t"), [
        { __address__: "127.0.0.1:9091", __meta_filepath: `${d}/a.json`, environment: "dev" },
        { __address__: "127.0.0.1:9092", __meta_filepath: `${d}/a.json`, environment: "dev" },
        { __address__: "127.0.0.1:9093", __meta_filepath: `${d}/a.json`, environment: "prod" },
        { __address__: "127.0.0.1:9999", __meta_filepath: `${d}/b.yaml`, job: "worker", port: "80" },
        { __address__: "127.0.0.1:9090", __meta_filepath: `${d}/b.yaml` },
      ]);
    } finally {
      await runtime.stop();
    }
  });

  it("follows files as they change, appear and go away", async () => {
    const d = `${dir.path}/changes`;
    mkdirSync(d, { recursive: true });
    write(`${d}/one.json`, JSON.stringify([{ targets: ["a:1"] }, { targets: ["b:2"] }]));
    const runtime = newRuntime(`${d}/data`);
    const addresses = () => targetsOf(runtime, "discovery.file.t").map((t) => t.__address__).sort();
    try {
      // A long refresh_interval: only the directory watch can see the changes in time.
      const loaded = await runtime.load({ "c.alloy": `discovery.file "t" {\n  files = ["${d}/*.json"]\n  refresh_interval = "1h"\n}\n` });
      assert.ok(loaded.ok, loaded.error);
      runtime.start();
      await eventually(() => assert.deepEqual(addresses(), ["a:1", "b:2"]));

      write(`${d}/one.json`, JSON.stringify([{ targets: ["a:1", "c:3"] }]));
      await eventually(() => assert.deepEqual(addresses(), ["a:1", "c:3"]), 10_000);

      write(`${d}/two.json`, JSON.stringify([{ targets: ["d:4"], labels: { team: "x" } }]));
      await eventually(() => assert.deepEqual(addresses(), ["a:1", "c:3", "d:4"]), 10_000);

      rmSync(`${d}/one.json`);
      await eventually(() => assert.deepEqual(addresses(), ["d:4"]), 10_000);
      assert.deepEqual(targetsOf(runtime, "discovery.file.t"), [{ __address__: "d:4", __meta_filepath: `${d}/two.json`, team: "x" }]);
    } finally {
      await runtime.stop();
    }
  });

  it("keeps a file's last targets while it cannot be parsed, and logs why", async () => {
    const d = `${dir.path}/bad`;
    mkdirSync(d, { recursive: true });
    write(`${d}/t.json`, JSON.stringify([{ targets: ["a:1"] }]));
    write(`${d}/u.yml`, "- targets: [b:2]\n");
    const lines: string[] = [];
    const runtime = newRuntime(`${d}/data`, lines);
    const addresses = () => targetsOf(runtime, "discovery.file.t").map((t) => t.__address__).sort();
    try {
      const loaded = await runtime.load({ "c.alloy": `discovery.file "t" {\n  files = ["${d}/t.json", "${d}/u.yml"]\n}\n` });
      assert.ok(loaded.ok, loaded.error);
      runtime.start();
      await eventually(() => assert.deepEqual(addresses(), ["a:1", "b:2"]));

      write(`${d}/t.json`, `[{"targets": ["a:1"], "bogus": true}]`);
      write(`${d}/u.yml`, "- targets: [b:2\n");
      await eventually(() => {
        assert.ok(lines.some((l) => l.includes("Error reading file") && l.includes(`${d}/t.json`) && l.includes(`json: unknown field \\"bogus\\"`)), lines.join("\n"));
        assert.ok(lines.some((l) => l.includes("Error reading file") && l.includes(`${d}/u.yml`) && l.includes("did not find expected")), lines.join("\n"));
      });
      assert.deepEqual(addresses(), ["a:1", "b:2"]);
      const metrics = formatMetricsText(runtime.metrics().families);
      assert.match(metrics, /prometheus_sd_file_read_errors_total\{component_id="discovery.file.t",component_path="\/"\} [1-9]/);
      assert.match(metrics, new RegExp(`prometheus_sd_file_mtime_seconds\\{component_id="discovery.file.t",component_path="/",filename="${d}/t.json"\\} \\d+`));

      write(`${d}/t.json`, JSON.stringify([{ targets: ["a:2"] }]));
      await eventually(() => assert.deepEqual(addresses(), ["a:2", "b:2"]), 10_000);
    } finally {
      await runtime.stop();
    }
  });

  it("finds files in a directory that appears later through refresh_interval, and logs the failed watch", async () => {
    const d = `${dir.path}/later`;
    mkdirSync(d, { recursive: true });
    const lines: string[] = [];
    const runtime = newRuntime(`${d}/data`, lines);
    try {
      const loaded = await runtime.load({ "c.alloy": `discovery.file "t" {\n  files = ["${d}/sub/*.yml"]\n  refresh_interval = "100ms"\n}\n` });
      assert.ok(loaded.ok, loaded.error);
      runtime.start();
      await eventually(() => assert.ok(lines.some((l) => l.includes("Error adding file watch") && l.includes(`${d}/sub/`)), lines.join("\n")));
      mkdirSync(`${d}/sub`);
      write(`${d}/sub/t.yml`, "- targets: [late:1]\n");
      await eventually(() => assert.deepEqual(targetsOf(runtime, "discovery.file.t"), [{ __address__: "late:1", __meta_filepath: `${d}/sub/t.yml` }]));
    } finally {
      await runtime.stop();
    }
  });

  it("refuses patterns that are not JSON or YAML files, and a zero refresh_interval", async () => {
    const runtime = newRuntime(`${dir.path}/validation`);
    const bad = await runtime.load({ "c.alloy": `discovery.file "t" {\n  files = ["/tmp/targets.txt"]\n}\n` });
    assert.equal(bad.ok, false);
    assert.match(bad.error ?? "", /path name "\/tmp\/targets.txt" is not valid for file discovery/);
    const zero = await runtime.load({ "c.alloy": `discovery.file "t" {\n  files = ["/tmp/t.json"]\n  refresh_interval = "0s"\n}\n` });
    assert.equal(zero.ok, false);
    assert.match(zero.error ?? "", /refresh_interval must be greater than 0/);
    const missing = await runtime.load({ "c.alloy": `discovery.file "t" {}\n` });
    assert.match(missing.error ?? "", /missing required attribute "files"/);
  });
});
