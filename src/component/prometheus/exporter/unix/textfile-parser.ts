// The Prometheus text format as node_exporter's textfile collector reads it (Go's expfmt TextParser with
// legacy name validation): families by name, summaries and histograms folded from their _sum, _count,
// quantile and bucket lines, and the same accept/reject rules and error texts ("text format parsing
// error in line N: ...").
//
// Why not the scrape parser (src/wire/exposition/promtext.ts): that one is Prometheus's textparse, which
// streams series and accepts input the textfile collector refuses (a second TYPE line, trailing blanks
// after a value, a last line without its newline), and the collector's contract with its users is
// "a file that expfmt refuses counts as node_textfile_scrape_error". This runs on small local files
// once per scrape, so it works on a string, one character at a time, as expfmt does on bytes.

import { NumberSyntaxError, parsePromFloat } from "../../../../wire/exposition/float.ts";
import { goQuote } from "../../../../wire/exposition/goquote.ts";

export type TextFamilyType = "counter" | "gauge" | "untyped" | "summary" | "histogram" | "gaugehistogram";

export interface TextMetric {
  labels: [name: string, value: string][];
  value: number;
  timestampMs?: number;
  summary?: { quantiles: [number, number][]; sum: number; count: number };
  /** Bucket and sample counts are integers unless `floatCounts` (a non-integer count was seen). */
  histogram?: { buckets: [upperBound: number, count: number][]; sum: number; count: number; floatCounts: boolean };
}

export interface TextFamily {
  name: string;
  help: string | undefined;
  type: TextFamilyType | undefined;
  metrics: TextMetric[];
}

export class TextFormatError extends Error {
  constructor(readonly line: number, readonly detail: string) {
    super(`text format parsing error in line ${line}: ${detail}`);
  }
}

/** Reading past the end of the input (Go's io.EOF inside a line). */
class EndOfInput extends Error {}

const LEGACY_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LEGACY_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: Record<string, TextFamilyType> = {
  COUNTER: "counter",
  GAUGE: "gauge",
  UNTYPED: "untyped",
  SUMMARY: "summary",
  HISTOGRAM: "histogram",
  GAUGE_HISTOGRAM: "gaugehistogram",
  GAUGEHISTOGRAM: "gaugehistogram",
};
const encoder = new TextEncoder();

const isBlank = (c: string) => c === " " || c === "\t";
const isNameStart = (c: string) => (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_" || c === '"';
const isLabelNameChar = (c: string, quoted: boolean) => isNameStart(c) || (c >= "0" && c <= "9") || (quoted && c !== "");
const isMetricNameChar = (c: string, quoted: boolean) => isLabelNameChar(c, quoted) || c === ":";

/** Go's %q of a single byte (a quoted rune literal). */
function quoteChar(c: string): string {
  const q = goQuote(c);
  return `'${q.slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

function parseFloat(text: string): number {
  const b = encoder.encode(text);
  return parsePromFloat(b, 0, b.length);
}

/** Parses a whole file; throws TextFormatError on the first error, as expfmt does. */
export function parseTextFormat(text: string): Map<string, TextFamily> {
  return new TextParser(text).parse();
}

class TextParser {
  readonly #text: string;
  #pos = 0;
  #line = 0;
  /** The last character read ("" before the first). */
  #cur = "";
  #token = "";
  readonly #families = new Map<string, TextFamily>();
  #family: TextFamily | undefined;
  #metric: TextMetric | undefined;
  #pendingLabels: [string, string][] = [];
  // Summary and histogram lines fold into one metric per label set (without quantile/le).
  #foldLabels: Map<string, string> | undefined;
  #quantile = NaN;
  #bucket = NaN;
  #isCount = false;
  #isSum = false;
  readonly #folded = new Map<TextFamily, Map<string, TextMetric>>();

  constructor(text: string) {
    this.#text = text;
  }

  parse(): Map<string, TextFamily> {
    try {
      while (this.#startOfLine());
    } catch (e) {
      if (e instanceof EndOfInput) throw new TextFormatError(this.#line, "unexpected end of input stream");
      throw e;
    }
    for (const [name, f] of this.#families) if (f.metrics.length === 0) this.#families.delete(name);
    return this.#families;
  }

  #error(detail: string): never {
    throw new TextFormatError(this.#line, detail);
  }

  /** The last character read (a call, so that the checks after each advance are not narrowed away). */
  #ch(): string {
    return this.#cur;
  }

  #advance(): string {
    if (this.#pos >= this.#text.length) throw new EndOfInput();
    this.#cur = this.#text[this.#pos++]!;
    return this.#cur;
  }

  #skipBlanks(): void {
    do this.#advance();
    while (isBlank(this.#ch()));
  }

  #skipBlanksIfBlank(): void {
    if (isBlank(this.#ch())) this.#skipBlanks();
  }

  /** One line; false at the end of the input. */
  #startOfLine(): boolean {
    this.#line++;
    let inBraces = false;
    this.#foldLabels = undefined;
    try {
      this.#skipBlanks();
    } catch (e) {
      if (e instanceof EndOfInput) return false; // the only place where the end is expected
      throw e;
    }
    if (this.#ch() === "#") {
      this.#comment();
      return true;
    }
    if (this.#ch() === "\n") return true;
    if (this.#ch() === "{") {
      // {"name", label="value"} 1: the name comes inside the braces.
      inBraces = true;
      this.#family = undefined;
      this.#metric = undefined;
    } else {
      this.#metricName();
    }
    this.#labelsThenValue(inBraces);
    return true;
  }

  #comment(): void {
    this.#skipBlanks();
    if (this.#ch() === "\n") return;
    this.#readUntilBlank();
    if (this.#ch() === "\n") return;
    const keyword = this.#token;
    if (keyword !== "HELP" && keyword !== "TYPE") {
      while (this.#ch() !== "\n") this.#advance();
      return;
    }
    this.#skipBlanks();
    this.#readName(isMetricNameChar, " ");
    if (this.#ch() === "\n") return;
    if (!isBlank(this.#ch())) this.#error("invalid metric name in comment");
    this.#selectFamily();
    this.#skipBlanks();
    if (this.#ch() === "\n") return;
    const family = this.#family!;
    if (keyword === "HELP") {
      if (family.help !== undefined) this.#error(`second HELP line for metric name ${goQuote(family.name)}`);
      family.help = this.#readUntilNewline(true);
      return;
    }
    if (family.type !== undefined) this.#error(`second TYPE line for metric name ${goQuote(family.name)}, or TYPE reported after samples`);
    const word = this.#readUntilNewline(false);
    const type = TYPES[word.toUpperCase()];
    if (!type) this.#error(`unknown metric type ${goQuote(word)}`);
    family.type = type;
  }

  #metricName(): void {
    this.#readName(isMetricNameChar, " ");
    if (this.#token === "") this.#error("invalid metric name");
    this.#selectFamily();
    this.#family!.type ??= "untyped";
    this.#metric = { labels: [], value: 0 };
    this.#skipBlanksIfBlank();
  }

  #labelsThenValue(inBraces: boolean): void {
    const type = this.#family?.type;
    if (type === "summary" || type === "histogram" || type === "gaugehistogram") {
      this.#foldLabels = new Map([["__name__", this.#family!.name]]);
      this.#quantile = NaN;
      this.#bucket = NaN;
    }
    if (this.#ch() === "{") this.#labels(inBraces);
    this.#value();
  }

  #labels(inBraces: boolean): void {
    let nameInBraces = false;
    for (;;) {
      this.#skipBlanks();
      if (this.#ch() === "}") {
        if (!this.#family) this.#error("invalid metric name");
        break;
      }
      this.#readName(isLabelNameChar, "=");
      if (this.#token === "") this.#error(`invalid label name for metric ${goQuote(this.#family?.name ?? "")}`);
      this.#skipBlanksIfBlank();
      if (this.#ch() !== "=") {
        if (!inBraces) this.#error(`expected '=' after label name, found ${quoteChar(this.#ch())}`);
        // {"name", label="value"}: a bare (usually quoted) token is the metric name.
        if (nameInBraces) this.#error(`multiple metric names for metric ${goQuote(this.#family?.name ?? "")}`);
        if (this.#ch() !== "," && this.#ch() !== "}") this.#error(`unexpected end of metric name ${quoteChar(this.#ch())}`);
        this.#selectFamily();
        this.#family!.type ??= "untyped";
        this.#metric = { labels: [], value: 0 };
        nameInBraces = true;
        if (this.#ch() === "}") break;
        continue;
      }
      this.#labelValue(this.#token);
      this.#skipBlanks();
      if (this.#ch() === ",") continue;
      if (this.#ch() === "}") {
        if (!this.#family) this.#error("invalid metric name");
        break;
      }
      this.#error(`unexpected end of label value ${goQuote(this.#pendingLabels.at(-1)?.[1] ?? "")}`);
    }
    this.#metric!.labels.push(...this.#pendingLabels);
    this.#pendingLabels = [];
    this.#skipBlanks();
  }

  #labelValue(name: string): void {
    if (name === "__name__") this.#error(`label name "__name__" is reserved`);
    if (!LEGACY_LABEL_NAME.test(name)) this.#error(`invalid label name ${goQuote(name)}`);
    const type = this.#family?.type;
    const special = (type === "summary" && name === "quantile") || ((type === "histogram" || type === "gaugehistogram") && name === "le");
    const pair: [string, string] = [name, ""];
    if (!special) {
      if (this.#pendingLabels.some(([n]) => n === name)) this.#error(`duplicate label names for metric ${goQuote(this.#family?.name ?? "")}`);
      this.#pendingLabels.push(pair);
    }
    this.#skipBlanks();
    if (this.#ch() !== '"') this.#error(`expected '"' at start of label value, found ${quoteChar(this.#ch())}`);
    pair[1] = this.#readLabelValue();
    if (type === "summary" || type === "histogram" || type === "gaugehistogram") {
      if (special) {
        let bound: number;
        try {
          bound = parseFloat(pair[1]);
        } catch {
          this.#error(`expected float as value for '${name}' label, got ${goQuote(pair[1])}`);
        }
        if (name === "quantile") this.#quantile = bound;
        else this.#bucket = bound;
      } else {
        this.#foldLabels!.set(name, pair[1]);
      }
    }
  }

  #value(): void {
    const family = this.#family!;
    let metric = this.#metric!;
    if (this.#foldLabels && (family.type === "summary" || family.type === "histogram" || family.type === "gaugehistogram")) {
      let byLabels = this.#folded.get(family);
      if (!byLabels) this.#folded.set(family, (byLabels = new Map()));
      const key = JSON.stringify([...this.#foldLabels].sort());
      const existing = byLabels.get(key);
      if (existing) metric = this.#metric = existing;
      else {
        byLabels.set(key, metric);
        family.metrics.push(metric);
      }
    } else {
      family.metrics.push(metric);
    }
    this.#readUntilBlank();
    let value: number;
    try {
      value = parseFloat(this.#token);
    } catch (e) {
      if (!(e instanceof NumberSyntaxError)) throw e;
      this.#error(`expected float as value, got ${goQuote(this.#token)}`);
    }
    this.#store(family, metric, value);
    if (this.#ch() === "\n") return;
    this.#timestamp(metric);
  }

  #store(family: TextFamily, metric: TextMetric, value: number): void {
    switch (family.type) {
      case "summary": {
        const s = (metric.summary ??= { quantiles: [], sum: 0, count: 0 });
        // expfmt keeps the count as a uint64 (truncated).
        if (this.#isCount) s.count = value >= 0 ? Math.trunc(value) : 0;
        else if (this.#isSum) s.sum = value;
        else if (!Number.isNaN(this.#quantile)) s.quantiles.push([this.#quantile, value]);
        return;
      }
      case "histogram":
      case "gaugehistogram": {
        const h = (metric.histogram ??= { buckets: [], sum: 0, count: 0, floatCounts: false });
        if (this.#isSum) {
          h.sum = value;
          return;
        }
        if (!this.#isCount && Number.isNaN(this.#bucket)) return;
        const integral = value >= 0 && Number.isInteger(value);
        if (!integral) {
          if (value < 0) this.#error(`negative ${this.#isCount ? "count" : "bucket population"} for histogram ${goQuote(family.name)}`);
          h.floatCounts = true;
        }
        if (this.#isCount) h.count = value;
        else h.buckets.push([this.#bucket, value]);
        return;
      }
      default:
        metric.value = value;
    }
  }

  #timestamp(metric: TextMetric): void {
    this.#skipBlanks();
    this.#readUntilBlank();
    if (!/^[+-]?[0-9]+$/.test(this.#token) || !Number.isSafeInteger(Number(this.#token))) {
      this.#error(`expected integer as timestamp, got ${goQuote(this.#token)}`);
    }
    metric.timestampMs = Number(this.#token);
    const rest = this.#readUntilNewline(false);
    if (rest.length > 0) this.#error(`spurious string after timestamp: ${goQuote(rest)}`);
  }

  /** Finds or creates the family the token names (a _sum/_count/_bucket line joins its summary or histogram). */
  #selectFamily(): void {
    const name = this.#token;
    this.#isCount = this.#isSum = false;
    if (!LEGACY_METRIC_NAME.test(name)) this.#error(`invalid metric name ${goQuote(name)}`);
    this.#family = this.#families.get(name);
    if (this.#family) return;
    const isCount = name.length > 6 && name.endsWith("_count");
    const isSum = name.length > 4 && name.endsWith("_sum");
    const isBucket = name.length > 7 && name.endsWith("_bucket");
    const base = isCount ? name.slice(0, -6) : isSum ? name.slice(0, -4) : undefined;
    const summary = base !== undefined ? this.#families.get(base) : undefined;
    if (summary?.type === "summary") {
      this.#family = summary;
      this.#isCount = isCount;
      this.#isSum = isSum;
      return;
    }
    const histogram = this.#families.get(isBucket ? name.slice(0, -7) : (base ?? name));
    if (histogram && (histogram.type === "histogram" || histogram.type === "gaugehistogram")) {
      this.#family = histogram;
      this.#isCount = isCount;
      this.#isSum = isSum;
      return;
    }
    this.#family = { name, help: undefined, type: undefined, metrics: [] };
    this.#families.set(name, this.#family);
  }

  /** A metric or label name, optionally quoted with escapes; stops before `stop` when unquoted. */
  #readName(isChar: (c: string, quoted: boolean) => boolean, stop: string): void {
    this.#token = "";
    if (!(isNameStart(this.#ch()) || (stop === " " && this.#ch() === ":"))) return;
    let quoted = false;
    let escaped = false;
    for (;;) {
      const c = this.#ch();
      if (escaped) {
        this.#token += this.#unescape(c);
        escaped = false;
      } else if (c === '"') {
        quoted = !quoted;
        if (!quoted) {
          this.#advance();
          return;
        }
      } else if (c === "\n") {
        this.#error(`${stop === " " ? "metric" : "label"} name ${goQuote(this.#token)} contains unescaped new-line`);
      } else if (c === "\\") {
        escaped = true;
      } else {
        this.#token += c;
      }
      this.#advance();
      if (!isChar(this.#ch(), quoted) || (!quoted && this.#ch() === stop)) return;
    }
  }

  #readLabelValue(): string {
    let value = "";
    let escaped = false;
    for (;;) {
      const c = this.#advance();
      if (escaped) {
        value += this.#unescape(c);
        escaped = false;
      } else if (c === '"') {
        return value;
      } else if (c === "\n") {
        this.#error(`label value ${goQuote(value)} contains unescaped new-line`);
      } else if (c === "\\") {
        escaped = true;
      } else {
        value += c;
      }
    }
  }

  /** The character after a backslash: \\, \" and \n are the only escapes. */
  #unescape(c: string): string {
    if (c === "\\" || c === '"') return c;
    if (c === "n") return "\n";
    this.#error(`invalid escape sequence '\\${c}'`);
  }

  #readUntilBlank(): void {
    this.#token = "";
    while (!isBlank(this.#ch()) && this.#ch() !== "\n") {
      this.#token += this.#ch();
      this.#advance();
    }
  }

  /** The rest of the line from the current character; HELP texts know \\ and \n (and \"). */
  #readUntilNewline(escapes: boolean): string {
    let text = "";
    let escaped = false;
    for (;;) {
      const c = this.#ch();
      if (escapes && escaped) {
        text += this.#unescape(c);
        escaped = false;
      } else if (c === "\n") {
        return text;
      } else if (escapes && c === "\\") {
        escaped = true;
      } else {
        text += c;
      }
      this.#advance();
    }
  }
}
