// Ring keys (ckit:shard/key.go): a key is a 64-bit XXH64 hash. Components key targets with Alloy's
// label hashes, which live in the wire layer so that components can reach them too.
import { xxhash64, Xxh64Digest } from "../../../wire/labels/xxhash64.ts";

export { nonMetaLabelsHash, specificLabelsHash, hashLabelsWithPredicate } from "../../../wire/labels/target-hash.ts";

/** shard.StringKey: XXH64 of the string's UTF-8 bytes. */
export function stringKey(s: string): bigint {
  return xxhash64(s);
}

/** shard.KeyBuilder: a key from data written in pieces; key() may be read at any point. */
export class KeyBuilder {
  readonly #digest = new Xxh64Digest();

  write(data: Uint8Array | string): this {
    if (typeof data === "string") this.#digest.writeString(data);
    else this.#digest.write(data);
    return this;
  }

  reset(): this {
    this.#digest.reset();
    return this;
  }

  key(): bigint {
    return this.#digest.sum64();
  }
}
