// constants.version: Alloy normalises its build version to "v<semver>"
// (github.com/blang/semver ParseTolerant), "v0.0.0" when unset, and keeps
// text that is not a version unchanged.

const numeric = /^[0-9]+$/;
const identifier = /^[0-9A-Za-z-]+$/;

function validNumber(s: string): boolean {
  return numeric.test(s) && (s.length === 1 || s[0] !== "0");
}

/** semver.ParseTolerant followed by String(); undefined when not a version. */
export function parseTolerantSemver(input: string): string | undefined {
  let s = input.trim().replace(/^v/, "");
  // Split off pre-release and build metadata before padding the core.
  let core = s;
  let extra = "";
  const cut = s.search(/[-+]/);
  if (cut >= 0) {
    core = s.slice(0, cut);
    extra = s.slice(cut);
  }
  const parts = core.split(".");
  if (parts.length > 3) return undefined;
  // Leading zeros are tolerated and removed.
  for (let i = 0; i < parts.length; i++) {
    if (parts[i]!.length > 1) parts[i] = parts[i]!.replace(/^0+(?=\d)/, "");
  }
  while (parts.length < 3) parts.push("0");
  if (!parts.every(validNumber)) return undefined;
  s = parts.join(".") + extra;

  // Strict parse of the optional pre-release and build parts.
  let pre = "";
  let build = "";
  const plus = extra.indexOf("+");
  if (plus >= 0) {
    build = extra.slice(plus + 1);
    pre = extra.slice(0, plus);
  } else {
    pre = extra;
  }
  if (pre !== "") {
    const ids = pre.slice(1).split(".");
    for (const id of ids) {
      if (!identifier.test(id)) return undefined;
      if (numeric.test(id) && !validNumber(id)) return undefined;
    }
  }
  if (plus >= 0) {
    for (const id of build.split(".")) if (!identifier.test(id)) return undefined;
  }
  return s;
}

/** Alloy's normalizeVersion. */
export function normalizeVersion(version: string | undefined): string {
  const v = (version ?? "").trim();
  if (v === "") return "v0.0.0";
  const parsed = parseTolerantSemver(v);
  return parsed === undefined ? v : "v" + parsed;
}
