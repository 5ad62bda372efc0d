// The write-ahead log's file format, as Prometheus's tsdb/wlog: numbered segment files (00000000,
// 00000001, ...) made of 32 KiB pages; a record is split into fragments that never cross a page, each
// with a 7-byte header (type: full/first/middle/last, with a snappy flag bit; big-endian uint16 length;
// big-endian CRC32C of the fragment). A page that cannot hold another header is padded with zeros.
// Records never cross segments. `promtool tsdb dump`-style readers can read these files.
//
// Why hand-written: the format is the design (crash safety by CRC and page structure), and the
// Platform offers append-only files, so the writer keeps the current page in memory and appends the
// bytes of each flush; a reader walks whole segment files.

import type { AppendHandle, Platform } from "../../../platform/mod.ts";

export const PAGE_SIZE = 32 * 1024;
export const RECORD_HEADER_SIZE = 7;
/** Segments are smaller than Prometheus's 128 MiB: readers load whole segment files. */
export const DEFAULT_SEGMENT_SIZE = 16 * 1024 * 1024;

const REC_PAGE_TERM = 0;
const REC_FULL = 1;
const REC_FIRST = 2;
const REC_MIDDLE = 3;
const REC_LAST = 4;
const SNAPPY_MASK = 1 << 3;
const REC_TYPE_MASK = SNAPPY_MASK - 1;

// CRC-32C (Castagnoli), slicing-by-8: eight tables, eight bytes per step (every WAL byte is summed
// when written; a byte at a time was most of the WAL writer's time).
const CRC_TABLES = new Int32Array(256 * 8);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  CRC_TABLES[n] = c;
}
for (let n = 0; n < 256; n++) {
  for (let t = 1; t < 8; t++) {
    const prev = CRC_TABLES[(t - 1) * 256 + n]!;
    CRC_TABLES[t * 256 + n] = CRC_TABLES[prev & 0xff]! ^ (prev >>> 8);
  }
}

export function crc32c(b: Uint8Array, start = 0, end = b.length): number {
  const T = CRC_TABLES;
  let crc = -1;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const lo = crc ^ (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24));
    crc = T[1792 + (lo & 0xff)]! ^ T[1536 + ((lo >>> 8) & 0xff)]! ^ T[1280 + ((lo >>> 16) & 0xff)]! ^ T[1024 + (lo >>> 24)]! ^
      T[768 + b[i + 4]!]! ^ T[512 + b[i + 5]!]! ^ T[256 + b[i + 6]!]! ^ T[b[i + 7]!]!;
  }
  for (; i < end; i++) crc = T[(crc ^ b[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

export function segmentName(index: number): string {
  return String(index).padStart(8, "0");
}

/** Segment indexes in a directory, ascending (files whose names are numbers). */
export async function listSegments(platform: Platform, dir: string): Promise<number[]> {
  const st = await platform.fs.stat(dir);
  if (st === null) return [];
  const out: number[] = [];
  for (const e of await platform.fs.readDir(dir)) {
    if (/^[0-9]+$/.test(e.name) && e.isFile) out.push(Number(e.name));
  }
  return out.sort((a, b) => a - b);
}

/** A position in the log: segment index and byte offset (always at a record boundary). */
export interface Position {
  segment: number;
  offset: number;
}

export function comparePositions(a: Position, b: Position): number {
  return a.segment !== b.segment ? a.segment - b.segment : a.offset - b.offset;
}

/**
 * Appends records to segment files. log() fills the in-memory page and queues the bytes; the
 * returned promise resolves once they are written (in order). Not safe for concurrent log() callers
 * that do not await (they are serialized internally anyway).
 */
export class SegmentWriter {
  private page = new Uint8Array(PAGE_SIZE);
  private alloc = 0; // bytes used in the page
  private flushed = 0; // bytes of the page already written
  private donePages = 0; // complete pages in the current segment
  private handle: AppendHandle | undefined;
  private queue: Promise<void> = Promise.resolve();
  private failed: Error | undefined;
  segment = -1;

  constructor(
    private readonly platform: Platform,
    readonly dir: string,
    readonly segmentSize = DEFAULT_SEGMENT_SIZE,
  ) {}

  /** Starts writing a new segment with the given index (the directory must exist). */
  async openSegment(index: number): Promise<void> {
    this.enqueue(async () => {
      await this.closeHandle();
      this.handle = await this.platform.fs.openAppend(`${this.dir}/${segmentName(index)}`);
    });
    this.segment = index;
    this.page = new Uint8Array(PAGE_SIZE);
    this.alloc = this.flushed = this.donePages = 0;
    await this.written();
  }

  /** Position after everything logged so far. */
  get position(): Position {
    return { segment: this.segment, offset: this.donePages * PAGE_SIZE + this.alloc };
  }

  private pagesPerSegment(): number {
    return Math.floor(this.segmentSize / PAGE_SIZE);
  }

  /**
   * Logs records (each is written whole into one segment). Returns the position after the last one
   * and a promise that resolves when the bytes are written to the file (rejects if writing failed).
   */
  log(records: readonly Uint8Array[]): { end: Position; written: Promise<void> } {
    if (this.failed) throw this.failed;
    for (const rec of records) {
      if (this.pageFull()) this.flushPage(true);
      // A record that does not fit in the rest of this segment starts the next one.
      let left = PAGE_SIZE - this.alloc - RECORD_HEADER_SIZE;
      left += (PAGE_SIZE - RECORD_HEADER_SIZE) * (this.pagesPerSegment() - this.donePages - 1);
      if (rec.length > left && (this.donePages > 0 || this.alloc > 0)) this.cutSegment();
      for (let i = 0, off = 0; i === 0 || off < rec.length; i++) {
        const room = PAGE_SIZE - this.alloc - RECORD_HEADER_SIZE;
        const l = Math.min(rec.length - off, room);
        const last = off + l === rec.length;
        const type = i === 0 ? (last ? REC_FULL : REC_FIRST) : last ? REC_LAST : REC_MIDDLE;
        const p = this.page;
        const a = this.alloc;
        p[a] = type;
        p[a + 1] = (l >>> 8) & 0xff;
        p[a + 2] = l & 0xff;
        const crc = crc32c(rec, off, off + l);
        p[a + 3] = crc >>> 24;
        p[a + 4] = (crc >>> 16) & 0xff;
        p[a + 5] = (crc >>> 8) & 0xff;
        p[a + 6] = crc & 0xff;
        p.set(rec.subarray(off, off + l), a + RECORD_HEADER_SIZE);
        this.alloc += l + RECORD_HEADER_SIZE;
        off += l;
        if (this.pageFull()) this.flushPage(true);
      }
    }
    if (this.alloc > this.flushed) this.flushPage(false);
    return { end: this.position, written: this.written() };
  }

  private pageFull(): boolean {
    return PAGE_SIZE - this.alloc < RECORD_HEADER_SIZE;
  }

  /** Queues the unwritten part of the page; a full (or forced) page is padded and a new one begun. */
  private flushPage(clear: boolean): void {
    if (clear) this.alloc = PAGE_SIZE;
    const bytes = this.page.slice(this.flushed, this.alloc);
    this.flushed = this.alloc;
    // The handle is read when the write runs: a segment cut queued before it has swapped it by then.
    this.enqueue(() => this.handle!.write(bytes));
    if (clear) {
      this.page = new Uint8Array(PAGE_SIZE);
      this.alloc = this.flushed = 0;
      this.donePages++;
    }
  }

  /** Closes the current segment (padding its last page, fsync) and starts the next one. */
  cutSegment(): number {
    if (this.alloc > 0) this.flushPage(true);
    const next = this.segment + 1;
    this.enqueue(async () => {
      await this.closeHandle();
      this.handle = await this.platform.fs.openAppend(`${this.dir}/${segmentName(next)}`);
    });
    this.segment = next;
    this.donePages = 0;
    return next;
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(() => (this.failed ? undefined : task())).catch((e) => {
      this.failed ??= e as Error;
    });
  }

  /** Resolves when everything queued so far is written; rejects once a write failed. */
  written(): Promise<void> {
    return this.queue.then(() => {
      if (this.failed) throw this.failed;
    });
  }

  /** Waits for queued writes and fsyncs the current segment. */
  async sync(): Promise<void> {
    this.enqueue(async () => this.handle?.sync());
    await this.written();
  }

  private async closeHandle(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    if (h) {
      await h.sync();
      await h.close();
    }
  }

  async close(): Promise<void> {
    if (this.alloc > this.flushed) this.flushPage(false);
    this.enqueue(() => this.closeHandle());
    await this.queue;
  }
}

/** One record read back, with the position after it. */
export interface ReadRecord {
  data: Uint8Array;
  end: number;
}

export class CorruptionError extends Error {
  override name = "CorruptionError";
  constructor(
    readonly segment: number,
    readonly offset: number,
    message: string,
  ) {
    super(`corruption in segment ${segmentName(segment)} at ${offset}: ${message}`);
  }
}

/**
 * Reads the records of one segment's bytes from `start` (a record boundary). A torn write at the end
 * (an incomplete record in the last page) ends the reading without error when `tail` is set, as a
 * crash leaves it; elsewhere it is corruption.
 */
export function readSegment(bytes: Uint8Array, segment: number, start: number, tail: boolean): { records: ReadRecord[]; end: number; corrupt?: CorruptionError } {
  const records: ReadRecord[] = [];
  let pos = start;
  let parts: Uint8Array[] = [];
  let partLen = 0;
  let recordEnd = start;
  const n = bytes.length;
  while (pos < n) {
    const pageEnd = (Math.floor(pos / PAGE_SIZE) + 1) * PAGE_SIZE;
    if (pageEnd - pos < RECORD_HEADER_SIZE) {
      pos = pageEnd;
      continue;
    }
    if (pos + RECORD_HEADER_SIZE > n) break;
    const header = bytes[pos]!;
    const type = header & REC_TYPE_MASK;
    if (type === REC_PAGE_TERM) {
      // The rest of the page must be zeros.
      pos = pageEnd;
      continue;
    }
    const len = (bytes[pos + 1]! << 8) | bytes[pos + 2]!;
    const crc = ((bytes[pos + 3]! << 24) | (bytes[pos + 4]! << 16) | (bytes[pos + 5]! << 8) | bytes[pos + 6]!) >>> 0;
    const dataStart = pos + RECORD_HEADER_SIZE;
    const dataEnd = dataStart + len;
    if (dataEnd > n) {
      if (tail) break;
      return { records, end: recordEnd, corrupt: new CorruptionError(segment, pos, "record extends past the end of the segment") };
    }
    if (dataEnd > pageEnd) return { records, end: recordEnd, corrupt: new CorruptionError(segment, pos, "record crosses a page boundary") };
    if (crc32c(bytes, dataStart, dataEnd) !== crc) {
      if (tail && dataEnd >= n - PAGE_SIZE) break;
      return { records, end: recordEnd, corrupt: new CorruptionError(segment, pos, "unexpected checksum") };
    }
    if (header & SNAPPY_MASK) {
      return { records, end: recordEnd, corrupt: new CorruptionError(segment, pos, "compressed records are not supported") };
    }
    const frag = bytes.subarray(dataStart, dataEnd);
    pos = dataEnd;
    if (type === REC_FULL) {
      if (parts.length > 0) return { records, end: recordEnd, corrupt: new CorruptionError(segment, pos, "full record after a first fragment") };
      records.push({ data: frag, end: pos });
      recordEnd = pos;
    } else if (type === REC_FIRST) {
      parts = [frag];
      partLen = len;
    } else if (type === REC_MIDDLE || type === REC_LAST) {
      if (parts.length === 0) return { records, end: recordEnd, corrupt: new CorruptionError(segment, pos, "fragment without a first one") };
      parts.push(frag);
      partLen += len;
      if (type === REC_LAST) {
        const data = new Uint8Array(partLen);
        let o = 0;
        for (const p of parts) {
          data.set(p, o);
          o += p.length;
        }
        records.push({ data, end: pos });
        recordEnd = pos;
        parts = [];
        partLen = 0;
      }
    } else {
      return { records, end: recordEnd, corrupt: new CorruptionError(segment, pos, `unknown record type ${type}`) };
    }
  }
  return { records, end: recordEnd };
}
