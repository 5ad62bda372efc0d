// Test helpers: run a parser to the end and list its entries in a compact, comparable form.
import { LabelsBuilder } from "../../src/wire/labels/builder.ts";
import { Entry, type ExpositionParser, ParseError } from "../../src/wire/exposition/common.ts";

export type Parsed =
  | { help: string; text: string }
  | { type: string; metric: string }
  | { unit: string; metric: string }
  | { comment: string }
  | { m: string; v: number; lset: string[]; t?: number; st?: number; es?: { labels: string[]; value: number; ts?: number }[] };

const dec = new TextDecoder();

/** Parses to the end like Prometheus's testParse helper (labels, start timestamp, then exemplars). */
export function collect(p: ExpositionParser, opts: { st?: boolean } = {}): Parsed[] {
  const out: Parsed[] = [];
  const lb = new LabelsBuilder();
  for (;;) {
    const e = p.next();
    if (e === Entry.EOF) return out;
    switch (e) {
      case Entry.Series: {
        const got: Parsed & { m: string } = { m: dec.decode(p.buf.subarray(p.seriesStart, p.seriesEnd)), v: p.value, lset: p.labels(lb).toArray() };
        if (p.hasTimestamp) got.t = p.timestamp;
        if (opts.st) {
          const st = p.startTimestamp();
          if (st !== 0) got.st = st;
        }
        const es: { labels: string[]; value: number; ts?: number }[] = [];
        while (p.exemplar(lb)) {
          const ex: { labels: string[]; value: number; ts?: number } = { labels: lb.toArray(), value: p.exemplarValue };
          if (p.exemplarHasTimestamp) ex.ts = p.exemplarTimestamp;
          es.push(ex);
        }
        if (es.length > 0) got.es = es;
        out.push(got);
        break;
      }
      case Entry.Help:
        out.push({ help: p.metadataName(), text: p.helpText() });
        break;
      case Entry.Type:
        out.push({ type: p.metricType, metric: p.metadataName() });
        break;
      case Entry.Unit:
        out.push({ unit: p.unitText(), metric: p.metadataName() });
        break;
      case Entry.Comment:
        out.push({ comment: p.commentText() });
        break;
    }
  }
}

/** The ParseError reason from parsing to the end, or "EOF" when it succeeds. */
export function errorOf(p: ExpositionParser): string {
  try {
    while (p.next() !== Entry.EOF);
    return "EOF";
  } catch (e) {
    if (e instanceof ParseError) return e.reason;
    throw e;
  }
}

export function series(m: string, v: number, lset: string[], extra: { t?: number; st?: number; es?: { labels: string[]; value: number; ts?: number }[] } = {}): Parsed {
  return { m, v, lset, ...extra };
}
