// Building stdlib functions with Alloy's calling convention.
//
// A "typed" function behaves like a Go function called through Alloy's
// reflection: a fixed (or variadic) parameter list checked for arity
// ("expected 2 args, got 1", "expected at least 1 args, got 0"), arguments
// decoded into the parameter types (failures are ArgErrors naming the
// argument), and errors from the body reported on the function value.
// A "raw" function receives the values as they are and reports its own errors.

import type { Type } from "../schema/types.ts";
import { ArgError, FunctionValue, type Value, ValueError } from "../value/index.ts";

export interface Signature {
  readonly params: readonly Type<any>[];
  /** Type of the trailing variadic parameter, if any. */
  readonly variadic?: Type<any>;
}

/** A function with Go-like typed parameters. `body` receives decoded arguments. */
export function typedFunc(name: string, sig: Signature, body: (...args: any[]) => Value): FunctionValue {
  const { params, variadic } = sig;
  return new FunctionValue(name, (args, self) => {
    if (variadic !== undefined) {
      if (args.length < params.length) {
        throw new ValueError(self, `expected at least ${params.length} args, got ${args.length}`);
      }
    } else if (args.length !== params.length) {
      throw new ValueError(self, `expected ${params.length} args, got ${args.length}`);
    }
    const decoded = new Array<unknown>(args.length);
    for (let i = 0; i < args.length; i++) {
      const type = i < params.length ? params[i]! : variadic!;
      try {
        decoded[i] = type.decode(args[i]!);
      } catch (e) {
        throw new ArgError(self, args[i]!, i, e as Error);
      }
    }
    try {
      return body(...decoded);
    } catch (e) {
      throw new ValueError(self, e instanceof Error ? e : new Error(String(e)));
    }
  });
}

/** A function over raw values; it reports its own errors. */
export function rawFunc(name: string, body: (args: readonly Value[], self: FunctionValue) => Value): FunctionValue {
  return new FunctionValue(name, body);
}
