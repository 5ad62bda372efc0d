// A symbol table: every distinct label name and value string is stored once and named by a small
// integer. Label sets (series.ts) and the remote-write encoder's label cache are arrays of these ids.
//
// Why hand-written: a Map<string, number> plus an array is all it takes, but the table also keeps each
// symbol's UTF-8 bytes on demand so that encoders copy bytes instead of re-encoding strings per request.

const encoder = new TextEncoder();

export class SymbolTable {
  private readonly ids = new Map<string, number>();
  private readonly strings: string[] = [];
  private readonly bytes: (Uint8Array | undefined)[] = [];

  /** The id of `s`, adding it if new. */
  intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.ids.set(s, id);
      this.strings.push(s);
      this.bytes.push(undefined);
    }
    return id;
  }

  /** The id of `s`, or -1 if it was never interned. */
  lookup(s: string): number {
    return this.ids.get(s) ?? -1;
  }

  /** The string of an id. */
  string(id: number): string {
    return this.strings[id]!;
  }

  /** The UTF-8 bytes of an id's string (computed once, then cached). */
  utf8(id: number): Uint8Array {
    let b = this.bytes[id];
    if (b === undefined) {
      b = encoder.encode(this.strings[id]!);
      this.bytes[id] = b;
    }
    return b;
  }

  get size(): number {
    return this.strings.length;
  }
}
