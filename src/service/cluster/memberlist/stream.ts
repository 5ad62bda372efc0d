// Byte streams for memberlist's stream messages (push/pull, stream user messages, TCP pings): the
// connection a transport hands over, and a reader that decodes incrementally with a deadline,
// without waiting for the peer to close its side.
import { realClock, type Clock, type TimerHandle } from "./clock.ts";
import { MsgpackReader, NeedMoreData, type MpValue } from "./msgpack.ts";

/** A full-duplex byte stream between two nodes (a TCP connection, or ckit's HTTP/2 stream). */
export interface StreamConn {
  /** The peer's "ip:port", or "unknown". */
  readonly remoteAddr: string;
  /** The next chunk of bytes; null at the end of the stream. */
  read(): Promise<Uint8Array | null>;
  write(data: Uint8Array): Promise<void>;
  /** Ends the stream both ways; never throws. */
  close(): void;
}

export class EOFError extends Error {
  constructor(message = "EOF") {
    super(message);
  }
}

export class TimeoutError extends Error {
  constructor() {
    super("i/o timeout");
  }
}

/** Buffered, incremental reading from a StreamConn, or from bytes already in memory. */
export class StreamReader {
  #buf: Uint8Array = new Uint8Array(0);
  #off = 0;
  #eof = false;
  #pending: Promise<Uint8Array | null> | undefined;
  #deadline = Infinity;

  constructor(
    readonly conn: StreamConn | null,
    readonly clock: Clock = realClock,
  ) {}

  static fromBytes(bytes: Uint8Array): StreamReader {
    const r = new StreamReader(null);
    r.#buf = bytes;
    r.#eof = true;
    return r;
  }

  /** Reads fail with TimeoutError once the clock passes at (clock milliseconds). */
  setDeadline(at: number) {
    this.#deadline = at;
  }

  get buffered(): number {
    return this.#buf.length - this.#off;
  }

  /** Reads one more chunk into the buffer; false at the end of the stream. */
  async #fill(): Promise<boolean> {
    if (this.#eof || !this.conn) return false;
    const remaining = this.#deadline - this.clock.now();
    if (remaining <= 0) throw new TimeoutError();
    const read = (this.#pending ??= this.conn.read());
    let timer: TimerHandle | undefined;
    const chunk = await (this.#deadline === Infinity
      ? read
      : Promise.race([
          read,
          new Promise<never>((_, reject) => {
            timer = this.clock.setTimeout(() => reject(new TimeoutError()), remaining);
          }),
        ]).finally(() => this.clock.clearTimeout(timer)));
    this.#pending = undefined;
    if (chunk === null) {
      this.#eof = true;
      return false;
    }
    if (chunk.length === 0) return true;
    const left = this.#buf.subarray(this.#off);
    const next = new Uint8Array(left.length + chunk.length);
    next.set(left);
    next.set(chunk, left.length);
    this.#buf = next;
    this.#off = 0;
    return true;
  }

  /** The next n bytes without consuming them; null when the stream ends first. */
  async peek(n: number): Promise<Uint8Array | null> {
    while (this.buffered < n) if (!(await this.#fill())) return null;
    return this.#buf.subarray(this.#off, this.#off + n);
  }

  async readByte(): Promise<number> {
    const b = await this.peek(1);
    if (!b) throw new EOFError();
    this.#off++;
    return b[0]!;
  }

  async readExact(n: number): Promise<Uint8Array> {
    const b = await this.peek(n);
    if (!b) throw new EOFError(n > 0 && this.buffered > 0 ? "unexpected EOF" : "EOF");
    this.#off += n;
    return b.slice();
  }

  /** Decodes one msgpack value, reading more bytes as needed. */
  async readValue(): Promise<MpValue> {
    for (;;) {
      const r = new MsgpackReader(this.#buf, this.#off);
      try {
        const value = r.read();
        this.#off = r.offset;
        return value;
      } catch (error) {
        if (!(error instanceof NeedMoreData)) throw error;
      }
      if (!(await this.#fill())) throw new EOFError(this.buffered > 0 ? "unexpected EOF" : "EOF");
    }
  }
}
