// Secrets (Alloy's alloytypes.Secret and alloytypes.OptionalSecret).
//
// A secret is a capsule around a sensitive string. Strings convert into
// secrets, never the other way round, and secrets print as `(secret)`.
// An optional secret is a string that may or may not be sensitive: it
// converts into a plain string only while it is not secret.

import { quote } from "../quote.ts";
import { CapsuleValue, type ConversionTarget, NoConversion, type Value } from "./types.ts";

export const SECRET_TYPE = "alloytypes.Secret";
export const OPTIONAL_SECRET_TYPE = "alloytypes.OptionalSecret";

const secretsToStringsMessage = "secrets may not be converted into strings";

/** A sensitive string. */
export class SecretValue extends CapsuleValue {
  declare readonly raw: string;

  constructor(value: string) {
    super(SECRET_TYPE, value);
  }

  /** The sensitive text. Only code that truly needs it should read it. */
  get value(): string {
    return this.raw;
  }

  override convertInto(target: ConversionTarget): Value | NoConversion {
    switch (target) {
      case OPTIONAL_SECRET_TYPE:
        return new OptionalSecretValue(this.raw, true);
      case "string":
        throw new Error(secretsToStringsMessage);
    }
    return NoConversion;
  }

  override printed(): string {
    return "(secret)";
  }

  override equals(other: CapsuleValue): boolean {
    return other instanceof SecretValue && other.raw === this.raw;
  }

  // Keep the sensitive text out of accidental string conversions and logs.
  override toString(): string {
    return "(secret)";
  }

  toJSON(): string {
    return "(secret)";
  }
}

/** A string that is treated as sensitive only when isSecret is true. */
export class OptionalSecretValue extends CapsuleValue {
  declare readonly raw: string;
  readonly isSecret: boolean;

  constructor(value: string, isSecret: boolean) {
    super(OPTIONAL_SECRET_TYPE, value);
    this.isSecret = isSecret;
  }

  get value(): string {
    return this.raw;
  }

  override convertInto(target: ConversionTarget): Value | NoConversion {
    switch (target) {
      case SECRET_TYPE:
        return new SecretValue(this.raw);
      case "string":
        if (this.isSecret) throw new Error(secretsToStringsMessage);
        return this.raw;
    }
    return NoConversion;
  }

  override printed(): string {
    return this.isSecret ? "(secret)" : quote(this.raw);
  }

  override equals(other: CapsuleValue): boolean {
    return other instanceof OptionalSecretValue && other.raw === this.raw && other.isSecret === this.isSecret;
  }

  override toString(): string {
    return this.isSecret ? "(secret)" : this.raw;
  }

  toJSON(): string {
    return this.toString();
  }
}
