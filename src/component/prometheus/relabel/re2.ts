// Go regular expressions (RE2 syntax, regexp.Compile) on JavaScript's RegExp, for relabelling.
//
// Why hand-written: relabel rules are Go regexps, and the same text means different things in JS —
// \s and \w and case folding differ, `$` and `^` and `.` depend on Go's flags (set per group, with
// `(?i)` and `(?s:...)`), Go rejects backreferences and lookarounds that JS accepts, `\Q...\E`, POSIX
// classes and `(?P<name>)` exist only in Go, and Go's `$name` replacement expansion has its own rules.
// So the pattern is parsed with Go's grammar (regexp/syntax, Perl flags) and re-emitted as a JS
// pattern (u mode) that spells every construct out: classes as explicit code point ranges, `.` as
// [^\n] or [^], case-insensitive literals as classes of their fold orbit. Errors carry Go's messages
// (`error parsing regexp: missing closing ): ...`).

const MAX_RUNE = 0x10ffff;
const MAX_REPEAT = 1000;

export class RegexpSyntaxError extends Error {
  override name = "RegexpSyntaxError";
  constructor(
    readonly code: string,
    readonly expr: string,
  ) {
    super(`error parsing regexp: ${code}: \`${expr}\``);
  }
}

const ERR = {
  invalidCharClass: "invalid character class",
  invalidCharRange: "invalid character class range",
  invalidEscape: "invalid escape sequence",
  invalidNamedCapture: "invalid named capture",
  invalidPerlOp: "invalid or unsupported Perl syntax",
  invalidRepeatOp: "invalid nested repetition operator",
  invalidRepeatSize: "invalid repeat count",
  missingBracket: "missing closing ]",
  missingParen: "missing closing )",
  missingRepeatArgument: "missing argument to repetition operator",
  trailingBackslash: "trailing backslash at end of expression",
  unexpectedParen: "unexpected )",
  duplicateName: "duplicate capture group name",
} as const;

interface Flags {
  i: boolean; // case-insensitive
  m: boolean; // multi-line ^ $
  s: boolean; // . matches \n
  U: boolean; // ungreedy
}

/** A sorted list of disjoint code point ranges [lo0, hi0, lo1, hi1, ...]. */
type Ranges = number[];

function normalize(r: Ranges): Ranges {
  const pairs: [number, number][] = [];
  for (let k = 0; k < r.length; k += 2) pairs.push([r[k]!, r[k + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: Ranges = [];
  for (const [lo, hi] of pairs) {
    const n = out.length;
    if (n > 0 && lo <= out[n - 1]! + 1) {
      if (hi > out[n - 1]!) out[n - 1] = hi;
    } else {
      out.push(lo, hi);
    }
  }
  return out;
}

function negate(r: Ranges): Ranges {
  const n = normalize(r);
  const out: Ranges = [];
  let next = 0;
  for (let k = 0; k < n.length; k += 2) {
    if (n[k]! > next) out.push(next, n[k]! - 1);
    next = n[k + 1]! + 1;
  }
  if (next <= MAX_RUNE) out.push(next, MAX_RUNE);
  return out;
}

const PERL_CLASSES: Record<string, Ranges> = {
  d: [0x30, 0x39],
  s: [0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20],
  w: [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a],
};

const POSIX_CLASSES: Record<string, Ranges> = {
  alnum: [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a],
  alpha: [0x41, 0x5a, 0x61, 0x7a],
  ascii: [0x00, 0x7f],
  blank: [0x09, 0x09, 0x20, 0x20],
  cntrl: [0x00, 0x1f, 0x7f, 0x7f],
  digit: [0x30, 0x39],
  graph: [0x21, 0x7e],
  lower: [0x61, 0x7a],
  print: [0x20, 0x7e],
  punct: [0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e],
  space: [0x09, 0x0d, 0x20, 0x20],
  upper: [0x41, 0x5a],
  word: [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a],
  xdigit: [0x30, 0x39, 0x41, 0x46, 0x61, 0x66],
};

/** Go's unicode.Categories names; anything else after \p is tried as a script. */
const CATEGORIES = new Set([
  "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N", "Nd", "Nl", "No",
  "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So", "Z", "Zl", "Zp", "Zs",
]);

// Fold orbits that toLowerCase/toUpperCase do not reach (unicode.SimpleFold's extra members).
const EXTRA_FOLDS: number[][] = [
  [0x4b, 0x6b, 0x212a], // K k KELVIN SIGN
  [0x53, 0x73, 0x17f], // S s LONG S
  [0xc5, 0xe5, 0x212b], // Å å ANGSTROM SIGN
  [0xb5, 0x39c, 0x3bc], // µ Μ μ
  [0x398, 0x3b8, 0x3d1, 0x3f4], // Θ θ ϑ ϴ
  [0x3a9, 0x3c9, 0x2126], // Ω ω OHM SIGN
  [0xdf, 0x1e9e], // ß ẞ
  [0x392, 0x3b2, 0x3d0], // Β β ϐ
  [0x395, 0x3b5, 0x3f5], // Ε ε ϵ
  [0x39a, 0x3ba, 0x3f0], // Κ κ ϰ
  [0x3a0, 0x3c0, 0x3d6], // Π π ϖ
  [0x3a1, 0x3c1, 0x3f1], // Ρ ρ ϱ
  [0x3a3, 0x3c2, 0x3c3], // Σ ς σ
  [0x3a6, 0x3c6, 0x3d5], // Φ φ ϕ
  [0x345, 0x399, 0x3b9, 0x1fbe], // ͅ Ι ι ι
];
const extraFold = new Map<number, number[]>();
for (const orbit of EXTRA_FOLDS) for (const cp of orbit) extraFold.set(cp, orbit);

function singleCodePoint(s: string): number | undefined {
  const cp = s.codePointAt(0);
  if (cp === undefined) return undefined;
  return s.length === (cp > 0xffff ? 2 : 1) ? cp : undefined;
}

/** The code points equal to `cp` under simple case folding (including cp). */
function foldOrbit(cp: number): number[] {
  const extra = extraFold.get(cp);
  if (extra) return extra;
  const s = String.fromCodePoint(cp);
  const out = [cp];
  for (const v of [singleCodePoint(s.toLowerCase()), singleCodePoint(s.toUpperCase())]) {
    if (v !== undefined && !out.includes(v)) out.push(v);
  }
  return out;
}

function foldRanges(r: Ranges): Ranges {
  const out = r.slice();
  for (let k = 0; k < r.length; k += 2) {
    const lo = r[k]!, hi = r[k + 1]!;
    if (hi - lo > 4096) continue; // large ranges: assume closed under folding
    for (let cp = lo; cp <= hi; cp++) for (const v of foldOrbit(cp)) if (v !== cp) out.push(v, v);
  }
  return normalize(out);
}

function hex(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

function literalJS(cp: number): string {
  if ((cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f) {
    return String.fromCharCode(cp);
  }
  return hex(cp);
}

function rangesJS(r: Ranges): string {
  let s = "";
  for (let k = 0; k < r.length; k += 2) {
    const lo = r[k]!, hi = r[k + 1]!;
    s += lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`;
  }
  return s;
}

/** A class: explicit ranges plus \p{...} escapes that JS evaluates (Unicode tables stay in the engine). */
interface ClassItems {
  ranges: Ranges;
  props: string[]; // JS escapes like \p{L} or \P{Script=Greek}
}

function classJS(c: ClassItems, negated: boolean): string {
  const ranges = normalize(c.ranges);
  if (c.props.length === 0) {
    if (!negated && ranges.length === 2 && ranges[0] === ranges[1]) return literalJS(ranges[0]!);
    if (negated && ranges.length === 0) return "[^]";
    return `[${negated ? "^" : ""}${rangesJS(ranges)}]`;
  }
  return `[${negated ? "^" : ""}${rangesJS(ranges)}${c.props.join("")}]`;
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isWordChar(c: number): boolean {
  return isAlnum(c) || c === 0x5f;
}

class Parser {
  private pos = 0;
  /** Name of each capturing group by number ("" when unnamed); index 0 is the whole match. */
  readonly names: string[] = [""];

  constructor(private readonly src: string) {}

  private peek(off = 0): number {
    return this.pos + off < this.src.length ? this.src.codePointAt(this.pos + off)! : -1;
  }

  private next(): number {
    const c = this.src.codePointAt(this.pos)!;
    this.pos += c > 0xffff ? 2 : 1;
    return c;
  }

  private startsWith(s: string): boolean {
    return this.src.startsWith(s, this.pos);
  }

  parse(): string {
    const flags: Flags = { i: false, m: false, s: false, U: false };
    const out = this.alternation(flags, 0);
    if (this.pos < this.src.length) {
      // alternation() stops only at ')' when depth is 0.
      throw new RegexpSyntaxError(ERR.unexpectedParen, this.src);
    }
    return out;
  }

  /** Alternatives up to ')' or the end; flags are this group's (changed by `(?i)` inside it). */
  private alternation(flags: Flags, depth: number): string {
    const branches: string[] = [this.concat(flags, depth)];
    while (this.peek() === 0x7c /* | */) {
      this.pos++;
      branches.push(this.concat(flags, depth));
    }
    return branches.join("|");
  }

  private concat(flags: Flags, depth: number): string {
    let out = "";
    // The last atom, which a repetition operator applies to.
    let last: string | undefined;
    let lastIsAssertion = false;
    for (;;) {
      const c = this.peek();
      if (c === -1 || c === 0x7c) break;
      if (c === 0x29 /* ) */) {
        if (depth === 0) throw new RegexpSyntaxError(ERR.unexpectedParen, this.src);
        break;
      }
      if (this.atRepeat()) {
        const opStart = this.pos;
        const op = this.repeatOp();
        let lazy = false;
        if (this.peek() === 0x3f) {
          this.pos++;
          lazy = true;
        }
        if (last === undefined) throw new RegexpSyntaxError(ERR.missingRepeatArgument, this.src.slice(opStart, this.pos));
        if (this.atRepeat()) {
          // Go does not stack repetitions: a** is an error, not a doubled star.
          this.repeatOp();
          if (this.peek() === 0x3f) this.pos++;
          throw new RegexpSyntaxError(ERR.invalidRepeatOp, this.src.slice(opStart, this.pos));
        }
        if (flags.U) lazy = !lazy;
        out += `${lastIsAssertion ? `(?:${last})` : last}${op}${lazy ? "?" : ""}`;
        last = undefined;
        continue;
      }
      const atom = this.atom(flags, depth);
      if (atom === null) continue; // a flag group: the last atom stays repeatable, as in Go
      if (last !== undefined) out += last;
      last = atom.js;
      lastIsAssertion = atom.assertion;
    }
    if (last !== undefined) out += last;
    return out;
  }

  private atRepeat(): boolean {
    const c = this.peek();
    return c === 0x2a || c === 0x2b || c === 0x3f || (c === 0x7b && this.repeatAhead());
  }

  /** Whether `{` at pos starts a valid {n}, {n,} or {n,m}. */
  private repeatAhead(): boolean {
    return /^\{[0-9]+(?:,[0-9]*)?\}/.test(this.src.slice(this.pos, this.pos + 24));
  }

  private repeatOp(): string {
    const c = this.next();
    if (c === 0x2a) return "*";
    if (c === 0x2b) return "+";
    if (c === 0x3f) return "?";
    const start = this.pos - 1;
    const m = /^\{([0-9]+)(?:(,)([0-9]*))?\}/.exec(this.src.slice(start))!;
    this.pos = start + m[0].length;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === "" ? -1 : Number(m[3]);
    if (min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) {
      throw new RegexpSyntaxError(ERR.invalidRepeatSize, m[0]);
    }
    return max === min ? `{${min}}` : max < 0 ? `{${min},}` : `{${min},${max}}`;
  }

  private atom(flags: Flags, depth: number): { js: string; assertion: boolean } | null {
    const c = this.peek();
    switch (c) {
      case 0x28: // (
        return this.group(flags, depth);
      case 0x5b: // [
        return { js: this.charClass(flags), assertion: false };
      case 0x2e: // .
        this.pos++;
        return { js: flags.s ? "[^]" : "[^\\n]", assertion: false };
      case 0x5e: // ^
        this.pos++;
        return { js: flags.m ? "(?<![^\\n])" : "^", assertion: true };
      case 0x24: // $
        this.pos++;
        return { js: flags.m ? "(?![^\\n])" : "$", assertion: true };
      case 0x5c: // backslash
        return this.escapeAtom(flags);
      default:
        this.next();
        return { js: this.literal(c, flags), assertion: false };
    }
  }

  private literal(cp: number, flags: Flags): string {
    if (!flags.i) return literalJS(cp);
    const orbit = foldOrbit(cp);
    if (orbit.length === 1) return literalJS(cp);
    const r: Ranges = [];
    for (const v of orbit) r.push(v, v);
    return classJS({ ranges: r, props: [] }, false);
  }

  private group(flags: Flags, depth: number): { js: string; assertion: boolean } | null {
    const start = this.pos;
    this.pos++; // (
    if (this.peek() === 0x3f /* ? */) {
      // Named capture: (?P<name>re) or (?<name>re).
      if (this.startsWith("?P<") || (this.startsWith("?<") && this.peek(2) !== 0x3d && this.peek(2) !== 0x21)) {
        this.pos += this.startsWith("?P<") ? 3 : 2;
        const end = this.src.indexOf(">", this.pos);
        if (end < 0) throw new RegexpSyntaxError(ERR.invalidNamedCapture, this.src.slice(start));
        const name = this.src.slice(this.pos, end);
        const capture = this.src.slice(start, end + 1);
        if (name === "" || ![...name].every((ch) => isWordChar(ch.codePointAt(0)!))) {
          throw new RegexpSyntaxError(ERR.invalidNamedCapture, capture);
        }
        if (this.names.includes(name)) throw new RegexpSyntaxError(ERR.duplicateName, name);
        this.pos = end + 1;
        this.names.push(name);
        return { js: `(${this.groupBody(flags, depth, start)})`, assertion: false };
      }
      // Flags: (?flags) or (?flags:re).
      this.pos++;
      const inner: Flags = { ...flags };
      let sign = 1;
      let sawFlag = false;
      for (;;) {
        const ch = this.peek();
        if (ch === -1) throw new RegexpSyntaxError(ERR.missingParen, this.src);
        this.next();
        if (ch === 0x69 || ch === 0x6d || ch === 0x73 || ch === 0x55) {
          const key = String.fromCharCode(ch) as keyof Flags;
          inner[key] = sign > 0;
          sawFlag = true;
          continue;
        }
        if (ch === 0x2d /* - */ && sign > 0) {
          sign = -1;
          sawFlag = false;
          continue;
        }
        if ((ch === 0x3a || ch === 0x29) && !(sign < 0 && !sawFlag)) {
          if (ch === 0x29) {
            // (?flags): the rest of the current group.
            Object.assign(flags, inner);
            return null;
          }
          return { js: `(?:${this.groupBody(inner, depth, start)})`, assertion: false };
        }
        throw new RegexpSyntaxError(ERR.invalidPerlOp, this.src.slice(start, this.pos));
      }
    }
    this.names.push("");
    return { js: `(${this.groupBody({ ...flags }, depth, start)})`, assertion: false };
  }

  private groupBody(flags: Flags, depth: number, start: number): string {
    const body = this.alternation(flags, depth + 1);
    if (this.peek() !== 0x29) throw new RegexpSyntaxError(ERR.missingParen, this.src);
    void start;
    this.pos++;
    return body;
  }

  private escapeAtom(flags: Flags): { js: string; assertion: boolean } {
    const start = this.pos;
    this.pos++; // backslash
    const c = this.peek();
    if (c === -1) throw new RegexpSyntaxError(ERR.trailingBackslash, "");
    switch (c) {
      case 0x41: // \A
        this.pos++;
        return { js: "^", assertion: true };
      case 0x7a: // \z
        this.pos++;
        return { js: "$", assertion: true };
      case 0x62: // \b
        this.pos++;
        return { js: "\\b", assertion: true }; // ASCII word boundary in both (u mode, no i flag)
      case 0x42: // \B
        this.pos++;
        return { js: "\\B", assertion: true };
      case 0x51: {
        // \Q...\E: literal text.
        this.pos++;
        let end = this.src.indexOf("\\E", this.pos);
        if (end < 0) end = this.src.length;
        let js = "";
        for (const ch of this.src.slice(this.pos, end)) js += this.literal(ch.codePointAt(0)!, flags);
        this.pos = Math.min(end + 2, this.src.length);
        return { js: js === "" ? "(?:)" : `(?:${js})`, assertion: false };
      }
      case 0x64: case 0x44: case 0x73: case 0x53: case 0x77: case 0x57: case 0x70: case 0x50: {
        this.pos = start;
        const items: ClassItems = { ranges: [], props: [] };
        this.classEscape(items, flags);
        return { js: classJS(items, false), assertion: false };
      }
    }
    this.pos = start;
    const cp = this.escapeChar();
    return { js: this.literal(cp, flags), assertion: false };
  }

  /** \d \s \w \D \S \W \pX \p{X} \PX added to a class; returns false when not one of those. */
  private classEscape(items: ClassItems, flags: Flags): boolean {
    const c = this.peek(1);
    const lower = c | 0x20;
    if (lower === 0x64 || lower === 0x73 || lower === 0x77) {
      this.pos += 2;
      const r = PERL_CLASSES[String.fromCharCode(lower)]!;
      items.ranges.push(...(c === lower ? (flags.i ? foldRanges(r) : r) : negate(r)));
      return true;
    }
    if (c === 0x70 || c === 0x50) {
      const start = this.pos;
      this.pos += 2;
      let negated = c === 0x50;
      let name: string;
      if (this.peek() === 0x7b) {
        const end = this.src.indexOf("}", this.pos);
        if (end < 0) throw new RegexpSyntaxError(ERR.invalidCharRange, this.src.slice(start));
        name = this.src.slice(this.pos + 1, end);
        this.pos = end + 1;
        if (name.startsWith("^")) {
          negated = !negated;
          name = name.slice(1);
        }
      } else {
        const ch = this.peek();
        if (ch === -1) throw new RegexpSyntaxError(ERR.invalidCharRange, this.src.slice(start));
        name = String.fromCodePoint(this.next());
      }
      const text = this.src.slice(start, this.pos);
      if (name === "Any") {
        if (!negated) items.ranges.push(0, MAX_RUNE);
        return true;
      }
      const prop = CATEGORIES.has(name) ? name : `Script=${name}`;
      try {
        new RegExp(`\\p{${prop}}`, "u");
      } catch {
        throw new RegexpSyntaxError(ERR.invalidCharRange, text);
      }
      items.props.push(`\\${negated ? "P" : "p"}{${prop}}`);
      return true;
    }
    return false;
  }

  /** One escaped character (after `\`), as Go's parseEscape. */
  private escapeChar(): number {
    const start = this.pos;
    this.pos++; // backslash
    if (this.pos >= this.src.length) throw new RegexpSyntaxError(ERR.trailingBackslash, "");
    const c = this.next();
    const bad = () => new RegexpSyntaxError(ERR.invalidEscape, this.src.slice(start, this.pos));
    if (c < 0x80 && !isAlnum(c)) return c; // escaped punctuation is itself
    switch (c) {
      case 0x31: case 0x32: case 0x33: case 0x34: case 0x35: case 0x36: case 0x37: {
        // A single non-zero digit is a backreference (unsupported); more digits are octal.
        const d = this.peek();
        if (d < 0x30 || d > 0x37) throw bad();
        return this.octal(c);
      }
      case 0x30:
        return this.octal(c);
      case 0x78: {
        // \xHH or \x{H...}
        if (this.peek() === 0x7b) {
          this.pos++;
          let v = 0;
          let digits = 0;
          for (;;) {
            const d = this.peek();
            if (d === -1) throw bad();
            this.pos++;
            if (d === 0x7d) break;
            const h = hexDigit(d);
            if (h < 0) throw bad();
            v = v * 16 + h;
            digits++;
            if (v > MAX_RUNE) throw bad();
          }
          if (digits === 0) throw bad();
          return v;
        }
        const h1 = hexDigit(this.peek());
        if (h1 < 0) {
          if (this.peek() !== -1) this.pos++;
          throw bad();
        }
        this.pos++;
        const h2 = hexDigit(this.peek());
        if (h2 < 0) {
          if (this.peek() !== -1) this.pos++;
          throw bad();
        }
        this.pos++;
        return h1 * 16 + h2;
      }
      case 0x61: return 7; // \a
      case 0x66: return 12; // \f
      case 0x6e: return 10; // \n
      case 0x72: return 13; // \r
      case 0x74: return 9; // \t
      case 0x76: return 11; // \v
    }
    throw bad();
  }

  private octal(first: number): number {
    let v = first - 0x30;
    for (let k = 1; k < 3; k++) {
      const d = this.peek();
      if (d < 0x30 || d > 0x37) break;
      v = v * 8 + (d - 0x30);
      this.pos++;
    }
    return v;
  }

  private charClass(flags: Flags): string {
    const start = this.pos;
    this.pos++; // [
    let negated = false;
    if (this.peek() === 0x5e) {
      negated = true;
      this.pos++;
    }
    const items: ClassItems = { ranges: [], props: [] };
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === -1) throw new RegexpSyntaxError(ERR.missingBracket, this.src.slice(start));
      if (c === 0x5d && !first) {
        this.pos++;
        break;
      }
      first = false;
      // POSIX class [:alpha:] / [:^alpha:]
      if (c === 0x5b && this.peek(1) === 0x3a) {
        const end = this.src.indexOf(":]", this.pos + 2);
        if (end >= 0) {
          const text = this.src.slice(this.pos, end + 2);
          let name = this.src.slice(this.pos + 2, end);
          let neg = false;
          if (name.startsWith("^")) {
            neg = true;
            name = name.slice(1);
          }
          const r = POSIX_CLASSES[name];
          if (r === undefined) throw new RegexpSyntaxError(ERR.invalidCharRange, text);
          items.ranges.push(...(neg ? negate(r) : r));
          this.pos = end + 2;
          continue;
        }
      }
      if (c === 0x5c && this.classEscape(items, flags)) continue;
      const rangeStart = this.pos;
      const lo = this.classChar(start);
      let hi = lo;
      if (this.peek() === 0x2d && this.peek(1) !== 0x5d && this.peek(1) !== -1) {
        this.pos++;
        hi = this.classChar(start);
        if (hi < lo) throw new RegexpSyntaxError(ERR.invalidCharRange, this.src.slice(rangeStart, this.pos));
      }
      items.ranges.push(lo, hi);
    }
    if (flags.i) items.ranges = foldRanges(normalize(items.ranges));
    return classJS(items, negated);
  }

  private classChar(classStart: number): number {
    const c = this.peek();
    if (c === -1) throw new RegexpSyntaxError(ERR.missingBracket, this.src.slice(classStart));
    if (c === 0x5c) return this.escapeChar();
    return this.next();
  }
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** A compiled Go regexp. */
export class GoRegexp {
  /** The JavaScript equivalent (u mode). */
  readonly js: RegExp;
  /** Capture group names by number ("" for unnamed); [0] is the whole match. */
  readonly names: readonly string[];

  constructor(readonly source: string) {
    const p = new Parser(source);
    const pattern = p.parse();
    this.names = p.names;
    try {
      this.js = new RegExp(pattern, "u");
    } catch (e) {
      throw new RegexpSyntaxError(ERR.invalidCharClass, `${source} (${(e as Error).message})`);
    }
  }

  /** Whether the regexp matches somewhere in s. */
  test(s: string): boolean {
    this.js.lastIndex = 0;
    return this.js.test(s);
  }

  /** The leftmost match and its submatches (undefined for groups that did not take part), or null. */
  exec(s: string): RegExpExecArray | null {
    this.js.lastIndex = 0;
    return this.js.exec(s);
  }

  /** Go's Regexp.Expand of `template` with a match of this regexp ($1, ${1}, $name, ${name}, $$). */
  expand(template: string, match: ArrayLike<string | undefined>): string {
    if (template.indexOf("$") < 0) return template;
    let out = "";
    let t = template;
    for (;;) {
      const k = t.indexOf("$");
      if (k < 0) break;
      out += t.slice(0, k);
      t = t.slice(k + 1);
      if (t.startsWith("$")) {
        out += "$";
        t = t.slice(1);
        continue;
      }
      const ref = extractName(t);
      if (ref === undefined) {
        out += "$";
        continue;
      }
      t = ref.rest;
      if (ref.num >= 0) {
        if (ref.num < match.length) out += match[ref.num] ?? "";
      } else {
        const idx = this.names.indexOf(ref.name);
        if (idx > 0 && idx < match.length) out += match[idx] ?? "";
      }
    }
    return out + t;
  }
}

const LETTER_OR_DIGIT = /^[\p{L}\p{Nd}_]/u;

/** Go's regexp extract(): a $-reference name at the start of str. */
function extractName(str: string): { name: string; num: number; rest: string } | undefined {
  if (str === "") return undefined;
  let s = str;
  let brace = false;
  if (s[0] === "{") {
    brace = true;
    s = s.slice(1);
  }
  let i = 0;
  while (i < s.length) {
    const cp = s.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    if (!LETTER_OR_DIGIT.test(ch)) break;
    i += ch.length;
  }
  if (i === 0) return undefined;
  const name = s.slice(0, i);
  if (brace) {
    if (i >= s.length || s[i] !== "}") return undefined;
    i++;
  }
  let num = 0;
  for (let k = 0; k < name.length; k++) {
    const d = name.charCodeAt(k);
    if (d < 0x30 || d > 0x39 || num >= 1e8) {
      num = -1;
      break;
    }
    num = num * 10 + d - 0x30;
  }
  if (name[0] === "0" && name.length > 1) num = -1;
  return { name, num, rest: s.slice(i) };
}

/** regexp.Compile. */
export function compileGoRegexp(pattern: string): GoRegexp {
  return new GoRegexp(pattern);
}
