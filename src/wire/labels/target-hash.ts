// The hashes Alloy keys a target by when it shards targets across a cluster
// (alloy:internal/component/discovery/target.go HashLabelsWithPredicate): the chosen labels sorted
// by name, then XXH64 over `name 0xFF value 0xFF` for each — Prometheus's labels.StableHash over a
// subset. Alloy promises these never change between versions, so that a rolling upgrade keeps each
// target on the node that owned it; components use them as ckit ring keys.
import { compareStrings } from "./compare.ts";
import { Xxh64Digest } from "./xxhash64.ts";

/** Labels as components pass targets around. */
export type LabelMap = Readonly<Record<string, string>>;

const metaLabelPrefix = "__meta_";
const separator = 0xff;

/** XXH64 over the labels whose names pass pred, in UTF-8 byte order of their names. */
export function hashLabelsWithPredicate(labels: LabelMap, pred: (name: string) => boolean): bigint {
  const names = Object.keys(labels).filter(pred).sort(compareStrings);
  const digest = new Xxh64Digest();
  for (const name of names) {
    digest.writeString(name).writeByte(separator).writeString(labels[name]!).writeByte(separator);
  }
  return digest.sum64();
}

/** Target.NonMetaLabelsHash: every label but the `__meta_` ones (discovery.DistributedTargets' key). */
export function nonMetaLabelsHash(labels: LabelMap): bigint {
  return hashLabelsWithPredicate(labels, (name) => !name.startsWith(metaLabelPrefix));
}

/** Target.SpecificLabelsHash: only the named labels (those present). */
export function specificLabelsHash(labels: LabelMap, names: readonly string[]): bigint {
  const wanted = new Set(names);
  return hashLabelsWithPredicate(labels, (name) => wanted.has(name));
}
