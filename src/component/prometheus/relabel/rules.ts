// Relabelling rules: the `rule` block shared by discovery.relabel, prometheus.relabel and
// prometheus.remote_write's write_relabel_config (Alloy's common/relabel), and Prometheus's relabel
// semantics over a label builder (model/relabel): replace, keep, drop, keepequal, dropequal, hashmod,
// labelmap, labeldrop, labelkeep, lowercase, uppercase, with anchored RE2 regexps (`^(?s:<regex>)$`).
//
// Why hand-written: the semantics are Prometheus's, down to the builder's iteration order (base labels
// first, then labels added so far, over a snapshot) and Go's `$` expansion; relabelling runs once per
// new series and its result is cached by the callers, so clarity wins over speed here.

import { CapsuleValue } from "../../../syntax/value/index.ts";
import { attr, struct, t, type Type } from "../../../syntax/schema/index.ts";
import type { LabelsBuilder } from "../../../wire/labels/builder.ts";
import { hashMod } from "./md5.ts";
import { GoRegexp } from "./re2.ts";

export type Action =
  | "replace"
  | "keep"
  | "drop"
  | "hashmod"
  | "labelmap"
  | "labeldrop"
  | "labelkeep"
  | "lowercase"
  | "uppercase"
  | "keepequal"
  | "dropequal";

const ACTIONS: ReadonlySet<string> = new Set([
  "replace", "keep", "drop", "hashmod", "labelmap", "labeldrop", "labelkeep", "lowercase", "uppercase", "keepequal", "dropequal",
]);

/** A relabel regexp: the text as written, compiled anchored as Prometheus does. */
export class RelabelRegexp {
  readonly re: GoRegexp;
  constructor(readonly source: string) {
    // Prometheus compiles "^(?s:" + s + ")$"; its errors name that text.
    this.re = new GoRegexp(`^(?s:${source})$`);
  }
  test(s: string): boolean {
    return this.re.test(s);
  }
}

export const DEFAULT_REGEX = "(.*)";
const defaultRegexp = new RelabelRegexp(DEFAULT_REGEX);
const regexpCache = new Map<string, RelabelRegexp>([[DEFAULT_REGEX, defaultRegexp]]);

export function relabelRegexp(source: string): RelabelRegexp {
  let re = regexpCache.get(source);
  if (re === undefined) {
    re = new RelabelRegexp(source);
    if (regexpCache.size > 10_000) regexpCache.clear();
    regexpCache.set(source, re);
  }
  return re;
}

export interface RelabelRule {
  source_labels: string[] | null;
  separator: string;
  regex: RelabelRegexp;
  modulus: number;
  target_label: string;
  replacement: string;
  action: Action;
}

const RegexType = t.text<RelabelRegexp>({
  name: "regexp",
  parse: (s) => relabelRegexp(s),
  format: (r) => r.source,
  zero: () => relabelRegexp(""),
  equal: (a, b) => a.source === b.source,
  isZero: (r) => r.source === "",
});

const ActionType = t.text<Action>({
  name: "action",
  parse: (s) => {
    if (!ACTIONS.has(s)) throw new Error(`unrecognized action type "${s}"`);
    return s as Action;
  },
  format: (a) => a,
  zero: () => "" as Action,
});

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RELABEL_TARGET = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;

/** Alloy's relabel.Config.Validate. */
export function validateRule(rc: RelabelRule): string | undefined {
  const a = rc.action;
  if ((a as string) === "") return "relabel action cannot be empty";
  if (rc.modulus === 0 && a === "hashmod") return "relabel configuration for hashmod requires non-zero modulus";
  const needsTarget = a === "replace" || a === "hashmod" || a === "lowercase" || a === "uppercase" || a === "keepequal" || a === "dropequal";
  if (needsTarget && rc.target_label === "") return `relabel configuration for ${a} action requires 'target_label' value`;
  const q = JSON.stringify;
  if (a === "replace" && !rc.target_label.includes("$") && !LABEL_NAME.test(rc.target_label)) {
    return `${q(rc.target_label)} is invalid 'target_label' for ${a} action`;
  }
  if (a === "replace" && rc.target_label.includes("$") && !RELABEL_TARGET.test(rc.target_label)) {
    return `${q(rc.target_label)} is invalid 'target_label' for ${a} action`;
  }
  const simple = a === "lowercase" || a === "uppercase" || a === "keepequal" || a === "dropequal";
  if (simple && !LABEL_NAME.test(rc.target_label)) return `${q(rc.target_label)} is invalid 'target_label' for ${a} action`;
  if (simple && rc.replacement !== "$1") return `'replacement' can not be set for ${a} action`;
  if (a === "labelmap" && !RELABEL_TARGET.test(rc.replacement)) return `${q(rc.replacement)} is invalid 'replacement' for ${a} action`;
  if (a === "hashmod" && !LABEL_NAME.test(rc.target_label)) return `${q(rc.target_label)} is invalid 'target_label' for ${a} action`;
  if (a === "labeldrop" || a === "labelkeep") {
    if (rc.source_labels !== null || rc.target_label !== "" || rc.modulus !== 0 || rc.separator !== ";" || rc.replacement !== "$1") {
      return `${a} action requires only 'regex', and no other fields`;
    }
  }
  if (a === "keepequal" || a === "dropequal") {
    if (rc.regex.source !== DEFAULT_REGEX || rc.modulus !== 0 || rc.separator !== ";" || rc.replacement !== "$1") {
      return `${a} action requires only 'source_labels' and 'target_label', and no other fields`;
    }
  }
  return undefined;
}

/** The `rule` block (relabel.Config). */
export const RuleBlock = struct(
  {
    source_labels: attr(t.nullable(t.array(t.string())), { optional: true }),
    separator: attr(t.string(), { optional: true }),
    regex: attr(RegexType, { optional: true }),
    modulus: attr(t.uint64(), { optional: true }),
    target_label: attr(t.string(), { optional: true }),
    replacement: attr(t.string(), { optional: true }),
    action: attr(ActionType, { optional: true }),
  },
  {
    defaults: () => ({ action: "replace" as Action, separator: ";", regex: defaultRegexp, replacement: "$1", source_labels: null }),
    validate: (rc) => validateRule(rc as RelabelRule),
  },
);

/** Capsule type name of exported rules (Alloy's relabel.Rules). */
export const RULES_CAPSULE = "relabel.Rules";

/** A `rules` export: the rules as a capsule that other components accept. */
export class RulesCapsule extends CapsuleValue {
  constructor(readonly rules: readonly RelabelRule[]) {
    super(RULES_CAPSULE, rules);
  }
  override equals(other: CapsuleValue): boolean {
    return other instanceof RulesCapsule && sameRules(this.rules, other.rules);
  }
}

export function rulesType(): Type<RelabelRule[] | null> {
  return t.capsule<RelabelRule[]>(RULES_CAPSULE);
}

function sameRules(a: readonly RelabelRule[], b: readonly RelabelRule[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    if (
      x.action !== y.action || x.separator !== y.separator || x.regex.source !== y.regex.source || x.modulus !== y.modulus ||
      x.target_label !== y.target_label || x.replacement !== y.replacement ||
      JSON.stringify(x.source_labels) !== JSON.stringify(y.source_labels)
    ) {
      return false;
    }
  }
  return true;
}

/**
 * Prometheus's labels.Builder: base labels, labels set since (in order), labels deleted since. Get
 * looks at added labels first; Range visits base labels that were neither deleted nor overridden,
 * then the added ones, over a snapshot taken when Range starts.
 */
export class RelabelBuilder {
  private baseNames: string[] = [];
  private baseValues: string[] = [];
  private addNames: string[] = [];
  private addValues: string[] = [];
  private dels: string[] = [];

  /** Starts from a flat [name, value, ...] list (any order). */
  resetFlat(flat: readonly string[]): this {
    this.baseNames.length = this.baseValues.length = 0;
    for (let i = 0; i + 1 < flat.length; i += 2) {
      this.baseNames.push(flat[i]!);
      this.baseValues.push(flat[i + 1]!);
    }
    this.addNames.length = this.addValues.length = this.dels.length = 0;
    return this;
  }

  /** Starts from a label builder's content. */
  resetFrom(lb: LabelsBuilder): this {
    this.baseNames.length = this.baseValues.length = 0;
    for (let i = 0; i < lb.length; i++) {
      this.baseNames.push(lb.names[i]!);
      this.baseValues.push(lb.values[i]!);
    }
    this.addNames.length = this.addValues.length = this.dels.length = 0;
    return this;
  }

  get(name: string): string {
    const a = this.addNames.indexOf(name);
    if (a >= 0) return this.addValues[a]!;
    if (this.dels.includes(name)) return "";
    const b = this.baseNames.indexOf(name);
    return b >= 0 ? this.baseValues[b]! : "";
  }

  set(name: string, value: string): void {
    if (value === "") {
      this.del(name);
      return;
    }
    const a = this.addNames.indexOf(name);
    if (a >= 0) this.addValues[a] = value;
    else {
      this.addNames.push(name);
      this.addValues.push(value);
    }
  }

  del(name: string): void {
    for (let a = this.addNames.indexOf(name); a >= 0; a = this.addNames.indexOf(name)) {
      this.addNames.splice(a, 1);
      this.addValues.splice(a, 1);
    }
    this.dels.push(name);
  }

  range(fn: (name: string, value: string) => void): void {
    const addNames = this.addNames.slice();
    const addValues = this.addValues.slice();
    const dels = this.dels.slice();
    const n = this.baseNames.length;
    const baseNames = this.baseNames.slice();
    const baseValues = this.baseValues.slice();
    for (let i = 0; i < n; i++) {
      const name = baseNames[i]!;
      if (!dels.includes(name) && !addNames.includes(name)) fn(name, baseValues[i]!);
    }
    for (let i = 0; i < addNames.length; i++) fn(addNames[i]!, addValues[i]!);
  }

  /** The resulting labels, sorted by name, into `lb`. */
  result(lb: LabelsBuilder): LabelsBuilder {
    lb.reset();
    this.range((name, value) => lb.add(name, value));
    return lb.sort();
  }

  /** The resulting labels as a plain object. */
  toObject(): Record<string, string> {
    const out: Record<string, string> = {};
    this.range((name, value) => {
      out[name] = value;
    });
    return out;
  }
}

/** Runs the rules over the builder; false when a rule drops the set (Prometheus's ProcessBuilder). */
export function processBuilder(lb: RelabelBuilder, rules: readonly RelabelRule[]): boolean {
  for (const rule of rules) if (!applyRule(rule, lb)) return false;
  return true;
}

function applyRule(cfg: RelabelRule, lb: RelabelBuilder): boolean {
  const sources = cfg.source_labels ?? [];
  let val: string;
  if (sources.length === 0) val = "";
  else if (sources.length === 1) val = lb.get(sources[0]!);
  else {
    val = lb.get(sources[0]!);
    for (let i = 1; i < sources.length; i++) val += cfg.separator + lb.get(sources[i]!);
  }
  switch (cfg.action) {
    case "drop":
      return !cfg.regex.test(val);
    case "keep":
      return cfg.regex.test(val);
    case "dropequal":
      return lb.get(cfg.target_label) !== val;
    case "keepequal":
      return lb.get(cfg.target_label) === val;
    case "replace": {
      const m = cfg.regex.re.exec(val);
      if (m === null) break;
      const target = cfg.regex.re.expand(cfg.target_label, m);
      if (!LABEL_NAME.test(target)) break;
      const res = cfg.regex.re.expand(cfg.replacement, m);
      if (res === "") lb.del(target);
      else lb.set(target, res);
      break;
    }
    case "lowercase":
      lb.set(cfg.target_label, goToLower(val));
      break;
    case "uppercase":
      lb.set(cfg.target_label, goToUpper(val));
      break;
    case "hashmod":
      lb.set(cfg.target_label, hashMod(val, BigInt(cfg.modulus)).toString());
      break;
    case "labelmap":
      lb.range((name, value) => {
        const m = cfg.regex.re.exec(name);
        if (m !== null) lb.set(cfg.regex.re.expand(cfg.replacement, m), value);
      });
      break;
    case "labeldrop":
      lb.range((name) => {
        if (cfg.regex.test(name)) lb.del(name);
      });
      break;
    case "labelkeep":
      lb.range((name) => {
        if (!cfg.regex.test(name)) lb.del(name);
      });
      break;
    default:
      throw new Error(`relabel: unknown relabel action type "${cfg.action as string}"`);
  }
  return true;
}

// Go's strings.ToLower/ToUpper map each code point on its own (unicode.ToLower/ToUpper: simple case
// mappings), where JavaScript applies full and context-dependent mappings.
const ASCII = /^[\x00-\x7f]*$/;

function mapCodePoints(s: string, upper: boolean): string {
  if (ASCII.test(s)) return upper ? s.toUpperCase() : s.toLowerCase();
  let out = "";
  for (const ch of s) {
    if (!upper && ch === "\u0130") {
      out += "i"; // İ -> i (the simple mapping; JS gives i + combining dot)
      continue;
    }
    const mapped = upper ? ch.toUpperCase() : ch.toLowerCase();
    out += [...mapped].length === 1 ? mapped : ch;
  }
  return out;
}

export function goToLower(s: string): string {
  return mapCodePoints(s, false);
}

export function goToUpper(s: string): string {
  return mapCodePoints(s, true);
}

/** Rules decoded from `rule` blocks, as used by the engine. */
export function asRules(blocks: readonly unknown[]): RelabelRule[] {
  return blocks as RelabelRule[];
}
