// Randomized checks with bounded iterations: generated bodies parse back to the labels and values they
// were made from, and mutated bodies give a ParseError (naming a line) or parse, never anything else.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PromTextParser } from "../../src/wire/exposition/promtext.ts";
import { OpenMetricsParser } from "../../src/wire/exposition/openmetrics.ts";
import { Entry, type ExpositionParser, ParseError } from "../../src/wire/exposition/common.ts";
import { LabelsBuilder } from "../../src/wire/labels/builder.ts";
import { RawSeriesCache } from "../../src/wire/labels/rawcache.ts";
import { InvalidSeriesError, SampleBatch, ScrapeReader } from "../../src/wire/exposition/reader.ts";
import { compareStrings } from "../../src/wire/labels/compare.ts";

function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>>= 0), x / 2 ** 32);
}

const CHARS = ["a", "b", "z", "0", " ", "\\", '"', "\n", "é", "€", "😀", "{", "}", ",", "=", "#"];
const escape = (s: string) => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

function generate(r: () => number, om: boolean): { text: string; expected: { labels: string[]; value: number; t?: number }[] } {
  const lines: string[] = [];
  const expected: { labels: string[]; value: number; t?: number }[] = [];
  const n = 1 + Math.floor(r() * 40);
  for (let i = 0; i < n; i++) {
    const name = `m_${Math.floor(r() * 5)}`;
    if (r() < 0.2) lines.push(`# HELP ${name} help ${i}`);
    const labels: [string, string][] = [];
    const nl = Math.floor(r() * 4);
    for (let k = 0; k < nl; k++) {
      let v = "";
      const len = Math.floor(r() * 8);
      for (let c = 0; c < len; c++) v += CHARS[Math.floor(r() * CHARS.length)];
      labels.push([`l${k}`, v]);
    }
    const value = r() < 0.1 ? NaN : Math.round((r() - 0.5) * 1e6) / 1e3;
    const ts = r() < 0.3 ? Math.floor(r() * 2e12) : undefined;
    const body = labels.length ? `{${labels.map(([k, v]) => `${k}="${escape(v)}"`).join(",")}}` : "";
    const tsText = ts === undefined ? "" : om ? ` ${ts / 1000}` : ` ${ts}`;
    lines.push(`${name}${body} ${Number.isNaN(value) ? "NaN" : value}${tsText}`);
    const flat = ["__name__", name, ...labels.flat()];
    const pairs: [string, string][] = [];
    for (let k = 0; k < flat.length; k += 2) pairs.push([flat[k]!, flat[k + 1]!]);
    pairs.sort((a, b) => compareStrings(a[0], b[0]));
    const e: { labels: string[]; value: number; t?: number } = { labels: pairs.flat(), value };
    if (ts !== undefined) e.t = om ? Math.trunc((ts / 1000) * 1000) : ts;
    expected.push(e);
  }
  return { text: lines.join("\n") + (om ? "\n# EOF\n" : "\n"), expected };
}

function drain(p: ExpositionParser): { labels: string[]; value: number; t?: number }[] {
  const out: { labels: string[]; value: number; t?: number }[] = [];
  const lb = new LabelsBuilder();
  for (let e = p.next(); e !== Entry.EOF; e = p.next()) {
    if (e !== Entry.Series) continue;
    const row: { labels: string[]; value: number; t?: number } = { labels: p.labels(lb).toArray(), value: p.value };
    if (p.hasTimestamp) row.t = p.timestamp;
    out.push(row);
  }
  return out;
}

const enc = new TextEncoder();

describe("exposition parsers, randomized", () => {
  for (const om of [false, true]) {
    const name = om ? "OpenMetrics" : "text 0.0.4";
    it(`${name}: generated bodies parse back to what made them`, () => {
      const r = rng(om ? 11 : 7);
      for (let i = 0; i < 300; i++) {
        const { text, expected } = generate(r, om);
        const body = enc.encode(text);
        const p = om ? new OpenMetricsParser(body) : new PromTextParser(body);
        assert.deepEqual(drain(p), expected, text);
      }
    });

    it(`${name}: mutated bodies give a ParseError with a line, or parse`, () => {
      const r = rng(om ? 5 : 3);
      const junk = [0, 9, 10, 32, 34, 35, 44, 61, 92, 123, 125, 0xff, 0xc3, 0x80, 48, 97];
      let errors = 0;
      for (let i = 0; i < 1500; i++) {
        const body = enc.encode(generate(r, om).text);
        const edits = 1 + Math.floor(r() * 3);
        for (let k = 0; k < edits; k++) body[Math.floor(r() * body.length)] = junk[Math.floor(r() * junk.length)]!;
        const cut = r() < 0.2 ? body.subarray(0, Math.floor(r() * body.length)) : body;
        try {
          drain(om ? new OpenMetricsParser(cut) : new PromTextParser(cut));
        } catch (e) {
          assert.ok(e instanceof ParseError, String(e));
          assert.ok(e.line >= 1 && e.message.startsWith(`line ${e.line}: `));
          errors++;
        }
      }
      assert.ok(errors > 100, `${errors} errors`);
    });
  }
});

describe("scrape reader", () => {
  it("decodes labels once per series, serves repeats from the cache, drops and tracks disappearance", () => {
    const resolved: string[] = [];
    const reader = new ScrapeReader(new RawSeriesCache(), {
      resolve(lb) {
        resolved.push(lb.toArray().join(","));
        return lb.get("drop") === "yes" ? -1 : resolved.length - 1;
      },
    });
    const batch = new SampleBatch(2);
    const scrape1 = 'a{x="1"} 1\na{x="2"} 2 1000\nb{drop="yes"} 3\nc 4\n';
    let res = reader.read(new PromTextParser(enc.encode(scrape1)), batch);
    assert.deepEqual(res, { samples: 4, dropped: 1, newSeries: 4 });
    assert.deepEqual(Array.from(batch.ids.subarray(0, batch.length)), [0, 1, 3]);
    assert.deepEqual(Array.from(batch.values.subarray(0, batch.length)), [1, 2, 4]);
    assert.ok(Number.isNaN(batch.timestamps[0]!));
    assert.equal(batch.timestamps[1], 1000);
    reader.cache.nextIteration();
    res = reader.read(new PromTextParser(enc.encode('a{x="1"} 5\nb{drop="yes"} 6\nc 7\n')), batch.reset());
    assert.deepEqual(res, { samples: 3, dropped: 1, newSeries: 0 });
    const gone: number[] = [];
    reader.cache.forEachDisappeared((_, id) => gone.push(id));
    assert.deepEqual(gone, [1]);
    assert.equal(resolved.length, 4);
  });

  it("refuses a label set with a repeated name", () => {
    const reader = new ScrapeReader(new RawSeriesCache(), { resolve: () => 0 });
    assert.throws(() => reader.read(new PromTextParser(enc.encode('a{x="1",x="2"} 1\n')), new SampleBatch()), (e) =>
      e instanceof InvalidSeriesError && e.message === 'label name "x" is not unique: invalid sample');
  });

  it("collects OpenMetrics exemplars and start timestamps", () => {
    const reader = new ScrapeReader(new RawSeriesCache(), { resolve: () => 7 });
    const batch = new SampleBatch();
    reader.read(new OpenMetricsParser(enc.encode('# TYPE f counter\nf_total 1 # {id="a"} 2 3.5\nf_created 10\n# EOF\n'), { skipCreatedSeries: true }), batch, { startTimestamps: true });
    assert.equal(batch.length, 1);
    assert.equal(batch.startTimestamps[0], 10000);
    assert.deepEqual(batch.exemplars, [{ sample: 0, labels: ["id", "a"], value: 2, timestamp: 3500 }]);
  });
});
