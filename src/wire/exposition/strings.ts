// Strings decoded from scrape bodies that repeat from scrape to scrape: metric family names, HELP
// texts, TYPE names. A target writes the same metadata lines every time; decoding them anew cost a
// few strings and byte views per family per scrape, a third of what a Node agent allocated on the
// scrape -> remote_write path. Here each distinct byte string is decoded once and found again by its
// bytes (RawSeriesCache: hashed and compared in place, nothing allocated on a hit).
import { RawSeriesCache } from "../labels/rawcache.ts";

export type Decode = (b: Uint8Array, start: number, end: number) => string;

export class StringsByBytes {
  private readonly keys = new RawSeriesCache();
  private strings: string[] = [];
  private lookups = 0;
  private lookupsLastBody = 0;

  /** decode(b, start, end), decoded once for as long as the same bytes keep coming (decode must be pure). */
  get(b: Uint8Array, start: number, end: number, decode: Decode): string {
    this.lookups++;
    const e = this.keys.lookup(b, start, end);
    if (e >= 0) return this.strings[this.keys.value(e)]!;
    const s = decode(b, start, end);
    this.keys.insert(b, start, end, this.strings.length);
    this.strings.push(s);
    return s;
  }

  /**
   * A new body begins. Strings not seen in the last one are dropped once the cache holds more than
   * twice what a body looks up, so that metadata that keeps changing cannot grow it without bound.
   */
  nextBody(): void {
    this.lookupsLastBody = this.lookups;
    this.lookups = 0;
    this.keys.nextIteration();
    if (this.keys.size <= 2 * this.lookupsLastBody + 64) return;
    // Keep the entries seen in the body that just ended (the current iteration is the new body's).
    this.keys.sweep(2);
    const strings: string[] = [];
    for (let e = 0; e < this.keys.size; e++) {
      strings.push(this.strings[this.keys.value(e)]!);
      this.keys.setValue(e, e);
    }
    this.strings = strings;
  }

  get size(): number {
    return this.keys.size;
  }
}
