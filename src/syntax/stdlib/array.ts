// array.concat, array.combine_maps, array.group_by and coalesce: functions
// that work on raw values (Alloy implements them without decoding their
// arguments, and reports argument errors itself).

import {
  ArgError,
  capsuleAsObject,
  CapsuleValue,
  NumberValue,
  ObjectValue,
  OptionalSecretValue,
  SecretValue,
  type Value,
  ValueTypeError,
} from "../value/index.ts";
import { rawFunc } from "./func.ts";

/** array.concat (and the deprecated concat). */
export const concat = rawFunc("concat", (args, self) => {
  if (args.length === 0) return [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!Array.isArray(a)) throw new ArgError(self, a, i, new ValueTypeError(a, "array"));
  }
  // A single array is returned as is (values are immutable).
  if (args.length === 1) return args[0]!;
  const out: Value[] = [];
  for (const a of args) for (const e of a as readonly Value[]) out.push(e);
  return out;
});

function asObject(v: Value): ObjectValue | undefined {
  return v instanceof ObjectValue ? v : capsuleAsObject(v);
}

// Go's Value.Equal: same type and, for numbers, the same Go kind and value.
// Arrays, objects and functions are not comparable (Alloy would panic).
function strictEqual(a: Value, b: Value): boolean {
  if (a === null || typeof a !== "object") return a === b;
  if (a instanceof NumberValue && b instanceof NumberValue) {
    if (a.kind !== b.kind) return false;
    return a.kind === "float" ? a.float === b.float : a.big === b.big;
  }
  if (a instanceof CapsuleValue && b instanceof CapsuleValue) return a.equals(b);
  return false;
}

/** array.combine_maps (experimental). */
export const combineMaps = rawFunc("combine_maps", (args, self) => {
  if (args.length !== 3 && args.length !== 4) {
    throw new Error(`combine_maps: expected 3 or 4 arguments, got ${args.length}`);
  }
  for (const i of [0, 1]) {
    const list = args[i]!;
    if (!Array.isArray(list)) throw new ArgError(self, list, i, new ValueTypeError(list, "array"));
    (list as readonly Value[]).forEach((elem, j) => {
      if (!(elem instanceof ObjectValue) && capsuleAsObject(elem) === undefined) {
        throw new ArgError(self, elem, j, new ValueTypeError(elem, "object"));
      }
    });
  }
  const conditions = args[2]!;
  if (!Array.isArray(conditions)) throw new ArgError(self, conditions, 2, new ValueTypeError(conditions, "array"));
  if (conditions.length === 0) {
    throw new ArgError(self, conditions, 2, new Error("combine_maps: merge conditions must not be empty"));
  }
  let passthrough = false;
  if (args.length === 4) {
    const p = args[3]!;
    if (typeof p !== "boolean") throw new ArgError(self, p, 3, new ValueTypeError(p, "bool"));
    passthrough = p;
  }
  const keys = (conditions as readonly Value[]).map((c) => {
    if (typeof c !== "string") throw new Error("combine_maps: merge conditions must be strings");
    return c;
  });

  const lhs = args[0] as readonly Value[];
  const rhs = args[1] as readonly Value[];
  const out: Value[] = [];
  for (const l of lhs) {
    for (const r of rhs) {
      const left = asObject(l)!;
      const right = asObject(r)!;
      const join = keys.every((k) => {
        const lv = left.get(k);
        const rv = right.get(k);
        return lv !== undefined && rv !== undefined && strictEqual(lv, rv);
      });
      if (join) {
        const m = new Map<string, Value>(left.entries);
        for (const [k, v] of right.entries) m.set(k, v);
        out.push(new ObjectValue(m, false));
      } else if (passthrough) {
        // Alloy appends the left element once per non-matching right element.
        out.push(l);
      }
    }
  }
  return out;
});

/** array.group_by (experimental). Groups keep the order in which they first appear. */
export const groupBy = rawFunc("group_by", (args, self) => {
  if (args.length !== 3) throw new Error(`group_by: expected 3 arguments, got ${args.length}`);
  const [list, key, dropMissing] = args as [Value, Value, Value];
  if (!Array.isArray(list)) throw new ArgError(self, list, 0, new ValueTypeError(list, "array"));
  if (typeof key !== "string") throw new ArgError(self, key, 1, new ValueTypeError(key, "string"));
  if (typeof dropMissing !== "boolean") throw new ArgError(self, dropMissing, 2, new ValueTypeError(dropMissing, "bool"));

  const groups = new Map<string, Value[]>();
  (list as readonly Value[]).forEach((item, i) => {
    const obj = asObject(item);
    if (obj === undefined) throw new ArgError(self, item, i, new ValueTypeError(item, "object"));
    const v = obj.get(key);
    let group: string;
    if (v === undefined) {
      if (dropMissing) return;
      group = "";
    } else if (typeof v !== "string") {
      throw new ArgError(self, v, i, new ValueTypeError(v, "string"));
    } else {
      group = v;
    }
    let items = groups.get(group);
    if (items === undefined) {
      items = [];
      groups.set(group, items);
    }
    items.push(obj);
  });
  const out: Value[] = [];
  for (const [g, items] of groups) {
    out.push(
      new ObjectValue(
        new Map<string, Value>([
          [key, g],
          ["items", items],
        ]),
        false,
      ),
    );
  }
  return out;
});

// Go's reflect IsZero for the value behind an Alloy value.
function isZeroValue(v: Value): boolean {
  if (v === null || v === "" || v === false) return true;
  if (v instanceof NumberValue) return v.kind === "float" ? Object.is(v.float, 0) : v.big === 0n;
  if (v instanceof SecretValue) return v.value === "";
  if (v instanceof OptionalSecretValue) return v.value === "" && !v.isSecret;
  if (v instanceof CapsuleValue) return v.raw === null || v.raw === undefined;
  return false;
}

/** coalesce: the first argument that is not null, zero or empty; else the last argument. */
export const coalesce = rawFunc("coalesce", (args) => {
  if (args.length === 0) return null;
  for (const arg of args) {
    if (arg === null || isZeroValue(arg)) continue;
    const obj = capsuleAsObject(arg);
    if (obj !== undefined && obj.size === 0) continue;
    if ((Array.isArray(arg) && arg.length === 0) || (arg instanceof ObjectValue && arg.size === 0)) continue;
    return arg;
  }
  return args[args.length - 1]!;
});
