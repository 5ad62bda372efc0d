// Byte sizes as alecthomas/units.Base2Bytes reads and prints them ("512KiB", "10MB", "1GiB1MiB"),
// which Prometheus uses for body_size_limit and Alloy prints back.

const SI = ["", "K", "M", "G", "T", "P", "E"];

function unitMap(suffix: string, shortSuffix: string): Map<string, number> {
  const m = new Map<string, number>([[shortSuffix, 1]]);
  let unit = 1;
  for (const p of SI.slice(1)) {
    unit *= 1024;
    m.set(p + suffix, unit);
  }
  return m;
}

const BYTES = unitMap("iB", "B");
const OLD_BYTES = unitMap("B", "B");

function parseUnit(orig: string, units: Map<string, number>): number {
  let s = orig;
  let neg = false;
  if (s !== "" && (s[0] === "-" || s[0] === "+")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0;
  const invalid = () => new Error("units: invalid " + orig);
  if (s === "") throw invalid();
  let total = 0;
  while (s !== "") {
    if (!(s[0] === "." || (s[0]! >= "0" && s[0]! <= "9"))) throw invalid();
    const intMatch = /^[0-9]*/.exec(s)![0];
    s = s.slice(intMatch.length);
    let g = intMatch === "" ? 0 : Number(intMatch);
    let post = false;
    if (s[0] === ".") {
      s = s.slice(1);
      const frac = /^[0-9]*/.exec(s)![0];
      s = s.slice(frac.length);
      if (frac !== "") g += Number(frac) / 10 ** frac.length;
      post = frac !== "";
    }
    if (intMatch === "" && !post) throw invalid();
    const unit = /^[^0-9.]*/.exec(s)![0];
    s = s.slice(unit.length);
    const mult = units.get(unit);
    if (mult === undefined) throw new Error(`units: unknown unit ${unit} in ${orig}`);
    total += g * mult;
  }
  if (neg) total = -total;
  if (total < -(2 ** 63) || total > 2 ** 63 - 1) throw new Error("units: overflow parsing unit");
  return Math.trunc(total);
}

/** units.ParseBase2Bytes: "KiB" and "KB" both mean 1024. */
export function parseBase2Bytes(s: string): number {
  try {
    return parseUnit(s, BYTES);
  } catch {
    return parseUnit(s, OLD_BYTES);
  }
}

/** units.Base2Bytes.String(). */
export function formatBase2Bytes(n: number): string {
  const out: string[] = new Array(SI.length).fill("");
  let rest = BigInt(Math.trunc(n));
  for (let i = 0; i < SI.length; i++) {
    const mod = rest % 1024n;
    if (mod !== 0n || (i === 0 && rest === 0n)) out[SI.length - 1 - i] = `${mod}${SI[i]}${i === 0 ? "B" : "iB"}`;
    rest /= 1024n;
    if (rest === 0n) break;
  }
  return out.join("");
}
