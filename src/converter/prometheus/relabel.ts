// Prometheus relabel_configs entries (model/relabel): YAML names, defaults, the actions and the
// validation Prometheus applies once the scrape's name validation scheme is known.
import { custom, slice, str, struct, uint64, via, type YType } from "../goyaml/decode.ts";
import { checkRegexp } from "./regexp.ts";

export interface RelabelConfig {
  source_labels: string[] | null;
  separator: string;
  /** The expression as written (Prometheus anchors it as ^(?s:…)$). */
  regex: string | null;
  modulus: number;
  target_label: string;
  replacement: string;
  action: string;
}

export const ACTIONS = ["replace", "keep", "drop", "hashmod", "labelmap", "labeldrop", "labelkeep", "lowercase", "uppercase", "keepequal", "dropequal"];

const action: YType<string> = via("relabel.Action", str, (s) => {
  const act = s.toLowerCase();
  if (ACTIONS.includes(act)) return act;
  throw new Error(`unknown relabel action ${JSON.stringify(s)}`);
}, () => "");

const regexp: YType<string | null> = via("relabel.Regexp", str, (s): string | null => {
  checkRegexp(s);
  return s;
}, () => null);

const labelName: YType<string> = via("model.LabelName", str, (s) => {
  if (!isValidUTF8LabelName(s)) throw new Error(`${JSON.stringify(s)} is not a valid label name`);
  return s;
}, () => "");

const sourceLabels: YType<string[] | null> = slice(labelName, "model.LabelNames");

const DEFAULTS: RelabelConfig = { source_labels: null, separator: ";", regex: "(.*)", modulus: 0, target_label: "", replacement: "$1", action: "replace" };

const plain = struct<RelabelConfig>("relabel.plain", {
  source_labels: sourceLabels,
  separator: str,
  regex: regexp,
  modulus: uint64,
  target_label: str,
  replacement: str,
  action,
});

export const relabelConfig: YType<RelabelConfig> = custom(plain, {
  reset: () => ({ ...DEFAULTS }),
  after: (c) => {
    if (c.regex === null) c.regex = "";
  },
  goName: "relabel.plain",
});

export function isValidUTF8LabelName(s: string): boolean {
  return s.length > 0 && !/[\uD800-\uDFFF]/.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ""));
}

const LEGACY_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LEGACY_TARGET = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;

/** Whether a label name is valid under the scheme ("utf8" or "legacy"). */
export function isValidLabelName(s: string, scheme: string): boolean {
  return scheme === "legacy" ? LEGACY_LABEL.test(s) : isValidUTF8LabelName(s);
}

/** relabel.Config.Validate with the scrape's name validation scheme. */
export function validateRelabel(c: RelabelConfig, scheme: string): void {
  const act = c.action;
  if (act === "") throw new Error("relabel action cannot be empty");
  if (c.modulus === 0 && act === "hashmod") throw new Error("relabel configuration for hashmod requires non-zero modulus");
  if (["replace", "hashmod", "lowercase", "uppercase", "keepequal", "dropequal"].includes(act) && c.target_label === "") {
    throw new Error(`relabel configuration for ${act} action requires 'target_label' value`);
  }
  const hasVar = c.target_label.includes("$");
  const validWithVar = (v: string) => (scheme === "utf8" ? isValidLabelName(v, scheme) : LEGACY_TARGET.test(v));
  const invalidTarget = () => new Error(`${JSON.stringify(c.target_label)} is invalid 'target_label' for ${act} action`);
  if (act === "replace" && !hasVar && !isValidLabelName(c.target_label, scheme)) throw invalidTarget();
  if (act === "replace" && hasVar && !validWithVar(c.target_label)) throw invalidTarget();
  const noReplacement = ["lowercase", "uppercase", "keepequal", "dropequal"];
  if (noReplacement.includes(act) && !isValidLabelName(c.target_label, scheme)) throw invalidTarget();
  if (noReplacement.includes(act) && c.replacement !== DEFAULTS.replacement) throw new Error(`'replacement' can not be set for ${act} action`);
  if (act === "labelmap" && !validWithVar(c.replacement)) throw new Error(`${JSON.stringify(c.replacement)} is invalid 'replacement' for ${act} action`);
  if (act === "hashmod" && !isValidLabelName(c.target_label, scheme)) throw invalidTarget();
  if (act === "dropequal" || act === "keepequal") {
    if (c.regex !== DEFAULTS.regex || c.modulus !== 0 || c.separator !== DEFAULTS.separator || c.replacement !== DEFAULTS.replacement) {
      throw new Error(`${act} action requires only 'source_labels' and \`target_label\`, and no other fields`);
    }
  }
  if (act === "labeldrop" || act === "labelkeep") {
    if (c.source_labels !== null || c.target_label !== "" || c.modulus !== 0 || c.separator !== DEFAULTS.separator || c.replacement !== DEFAULTS.replacement) {
      throw new Error(`${act} action requires only 'regex', and no other fields`);
    }
  }
}
