// The messages of the alloy-remote-config API (package collector.v1, api/collector/v1/collector.proto
// of github.com/grafana/alloy-remote-config, v0.0.12 as Alloy uses it) in protobuf's binary wire
// format, written by hand: four small messages do not need a generic protobuf library.
//
// Encoding follows proto3: fields in number order, default scalars and empty maps left out, a set
// sub-message written even when all its fields are defaults (presence is what the server reads for
// remote_config_status and effective_config), map entries with both key and value. Decoding skips
// fields it does not know, as every protobuf reader must.

export enum RemoteConfigStatuses {
  UNSET = 0,
  APPLIED = 1,
  APPLYING = 2,
  FAILED = 3,
}

/** The enum's names in the .proto, for logs and JSON. */
export const REMOTE_CONFIG_STATUS_NAMES: Record<RemoteConfigStatuses, string> = {
  [RemoteConfigStatuses.UNSET]: "RemoteConfigStatuses_UNSET",
  [RemoteConfigStatuses.APPLIED]: "RemoteConfigStatuses_APPLIED",
  [RemoteConfigStatuses.APPLYING]: "RemoteConfigStatuses_APPLYING",
  [RemoteConfigStatuses.FAILED]: "RemoteConfigStatuses_FAILED",
};

export interface RemoteConfigStatus {
  status: RemoteConfigStatuses;
  errorMessage: string;
}

/** One configuration file the collector runs (OpAMP's AgentConfigFile). */
export interface AgentConfigFile {
  body: Uint8Array;
  contentType: string;
}

/** EffectiveConfig { AgentConfigMap config_map = 1 } with AgentConfigMap { map<string, AgentConfigFile> config_map = 1 }. */
export interface EffectiveConfig {
  configMap: ReadonlyMap<string, AgentConfigFile>;
}

export interface GetConfigRequest {
  id: string;
  /** local_attributes (4); Alloy no longer sends the deprecated attributes (2). */
  localAttributes: Readonly<Record<string, string>>;
  hash: string;
  remoteConfigStatus?: RemoteConfigStatus | undefined;
  effectiveConfig?: EffectiveConfig | undefined;
}

export interface GetConfigResponse {
  content: string;
  hash: string;
  notModified: boolean;
}

export interface RegisterCollectorRequest {
  id: string;
  localAttributes: Readonly<Record<string, string>>;
  name: string;
}

export interface UnregisterCollectorRequest {
  id: string;
}

// --- writing ---------------------------------------------------------------------------------

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

const utf8 = new TextEncoder();

class Writer {
  #buf = new Uint8Array(64);
  #len = 0;

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  varint(value: number): void {
    this.#reserve(10);
    let v = value;
    while (v >= 0x80) {
      this.#buf[this.#len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.#buf[this.#len++] = v;
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  raw(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
  }

  /** A length-delimited field, written even when empty. */
  bytesField(field: number, bytes: Uint8Array): void {
    this.tag(field, LEN);
    this.varint(bytes.length);
    this.raw(bytes);
  }

  /** A string field, left out when empty (proto3 implicit presence). */
  string(field: number, value: string): void {
    if (value !== "") this.bytesField(field, utf8.encode(value));
  }

  /** A string field written even when empty (map keys and values). */
  stringAlways(field: number, value: string): void {
    this.bytesField(field, utf8.encode(value));
  }

  enumOrVarint(field: number, value: number): void {
    if (value === 0) return;
    this.tag(field, VARINT);
    this.varint(value);
  }

  message(field: number, write: (w: Writer) => void): void {
    const inner = new Writer();
    write(inner);
    this.bytesField(field, inner.finish());
  }

  /** map<string, string>, entries in key order so that equal maps encode equally. */
  stringMap(field: number, map: Readonly<Record<string, string>>): void {
    for (const key of Object.keys(map).sort()) {
      this.message(field, (entry) => {
        entry.stringAlways(1, key);
        entry.stringAlways(2, map[key]!);
      });
    }
  }

  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

function writeStatus(w: Writer, status: RemoteConfigStatus): void {
  w.enumOrVarint(1, status.status);
  w.string(2, status.errorMessage);
}

function writeEffectiveConfig(w: Writer, config: EffectiveConfig): void {
  w.message(1, (configMap) => {
    for (const key of [...config.configMap.keys()].sort()) {
      const file = config.configMap.get(key)!;
      configMap.message(1, (entry) => {
        entry.stringAlways(1, key);
        entry.message(2, (f) => {
          if (file.body.length > 0) f.bytesField(1, file.body);
          f.string(2, file.contentType);
        });
      });
    }
  });
}

export function encodeGetConfigRequest(request: GetConfigRequest): Uint8Array {
  const w = new Writer();
  w.string(1, request.id);
  w.string(3, request.hash);
  w.stringMap(4, request.localAttributes);
  if (request.remoteConfigStatus) w.message(5, (m) => writeStatus(m, request.remoteConfigStatus!));
  if (request.effectiveConfig) w.message(6, (m) => writeEffectiveConfig(m, request.effectiveConfig!));
  return w.finish();
}

export function encodeRegisterCollectorRequest(request: RegisterCollectorRequest): Uint8Array {
  const w = new Writer();
  w.string(1, request.id);
  w.string(3, request.name);
  w.stringMap(4, request.localAttributes);
  return w.finish();
}

export function encodeUnregisterCollectorRequest(request: UnregisterCollectorRequest): Uint8Array {
  const w = new Writer();
  w.string(1, request.id);
  return w.finish();
}

// --- reading ---------------------------------------------------------------------------------

const utf8Strict = new TextDecoder("utf-8", { fatal: true });

export class ProtoDecodeError extends Error {}

class Reader {
  #pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.#pos >= this.buf.length;
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.#pos >= this.buf.length) throw new ProtoDecodeError("unexpected EOF");
      const b = this.buf[this.#pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
    }
    throw new ProtoDecodeError("variable length integer overflow");
  }

  bytes(): Uint8Array {
    const n = this.varint();
    if (this.#pos + n > this.buf.length) throw new ProtoDecodeError("unexpected EOF");
    const out = this.buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case VARINT:
        this.varint();
        return;
      case I64:
        this.#advance(8);
        return;
      case LEN:
        this.bytes();
        return;
      case I32:
        this.#advance(4);
        return;
      default:
        throw new ProtoDecodeError(`cannot skip wire type ${wireType}`);
    }
  }

  #advance(n: number): void {
    if (this.#pos + n > this.buf.length) throw new ProtoDecodeError("unexpected EOF");
    this.#pos += n;
  }
}

function readString(r: Reader, name: string): string {
  try {
    return utf8Strict.decode(r.bytes());
  } catch (e) {
    if (e instanceof ProtoDecodeError) throw e;
    throw new ProtoDecodeError(`string field ${name} contains invalid UTF-8`);
  }
}

/** Decodes GetConfigResponse { string content = 1; string hash = 2; bool not_modified = 3; }. */
export function decodeGetConfigResponse(bytes: Uint8Array): GetConfigResponse {
  const r = new Reader(bytes);
  const out: GetConfigResponse = { content: "", hash: "", notModified: false };
  while (!r.done) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    if (field === 1 && wireType === LEN) out.content = readString(r, "collector.v1.GetConfigResponse.content");
    else if (field === 2 && wireType === LEN) out.hash = readString(r, "collector.v1.GetConfigResponse.hash");
    else if (field === 3 && wireType === VARINT) out.notModified = r.varint() !== 0;
    else r.skip(wireType);
  }
  return out;
}

/** Reads a message the client only needs to be well formed (RegisterCollectorResponse and the like). */
export function checkMessage(bytes: Uint8Array): void {
  const r = new Reader(bytes);
  while (!r.done) r.skip(r.varint() % 8);
}
