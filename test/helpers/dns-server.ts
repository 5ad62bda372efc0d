// A tiny authoritative DNS server on 127.0.0.1 (UDP) for resolver tests: it answers A, AAAA, SRV, MX
// and NS questions from a table, NOERROR with no answers for a name it knows under other types
// (NODATA), and NXDOMAIN for everything else. The table is read on every question, so a test can
// change it between look-ups.
//
// A name listed in `fail` cannot be resolved: its UDP answer is truncated, so the client asks again
// over TCP, where the server drops the connection. Every runtime's resolver reports that at once as
// a failure; SERVFAIL would not do (Deno's resolver and, with search domains, Bun's report it as
// "not found") and a silent server would cost each test the resolver's timeout.
import { createSocket, type Socket } from "node:dgram";
import { createServer, isIPv6, type Server } from "node:net";

export interface DnsTable {
  A?: Record<string, string[]>;
  AAAA?: Record<string, string[]>;
  SRV?: Record<string, { target: string; port: number; priority: number; weight: number }[]>;
  MX?: Record<string, { exchange: string; priority: number }[]>;
  NS?: Record<string, string[]>;
  /** Names the server fails to answer, whatever the type (see above). */
  fail?: string[];
  /** Seconds resolvers may cache an answer (60 when absent); 0 for tables a test changes. */
  ttl?: number;
}

const TYPE = { A: 1, NS: 2, MX: 15, AAAA: 28, SRV: 33 } as const;
const RCODE = { NOERROR: 0, NXDOMAIN: 3 } as const;

export async function startDnsServer(table: DnsTable): Promise<{ port: number; close(): Promise<void> }> {
  // UDP and TCP on the same port number: a port free for UDP may be taken for TCP, so try again.
  for (let attempt = 0; ; attempt++) {
    const socket = createSocket("udp4");
    socket.on("message", (query, remote) => {
      const reply = answer(query, table);
      if (reply) socket.send(reply, remote.port, remote.address);
    });
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    const port = socket.address().port;
    const tcp = createServer((connection) => connection.destroy());
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once("error", reject);
        tcp.listen(port, "127.0.0.1", resolve);
      });
    } catch (error) {
      await closeBoth(socket);
      if (attempt >= 20) throw error;
      continue;
    }
    return { port, close: () => closeBoth(socket, tcp) };
  }
}

async function closeBoth(socket: Socket, tcp?: Server): Promise<void> {
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  if (tcp) await new Promise<void>((resolve) => tcp.close(() => resolve()));
}

function readName(message: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let i = offset;
  while (message[i]! !== 0) {
    const length = message[i]!;
    labels.push(message.subarray(i + 1, i + 1 + length).toString("ascii"));
    i += 1 + length;
  }
  return { name: labels.join(".").toLowerCase(), end: i + 1 };
}

function encodeName(name: string): Buffer {
  const parts = name.split(".").filter(Boolean).map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}

function ipv6Bytes(address: string): Buffer {
  const [head, tail] = address.split("::") as [string, string | undefined];
  const headParts = head ? head.split(":") : [];
  const tailParts = tail ? tail.split(":") : [];
  const groups = [...headParts, ...Array(8 - headParts.length - tailParts.length).fill("0"), ...tailParts];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function u16(...values: number[]): Buffer {
  const out = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => out.writeUInt16BE(v, i * 2));
  return out;
}

function answer(query: Buffer, table: DnsTable): Buffer | undefined {
  if (query.length < 12) return undefined;
  const id = query.readUInt16BE(0);
  const { name, end } = readName(query, 12);
  const type = query.readUInt16BE(end);
  const question = query.subarray(12, end + 4);
  const records: Buffer[] = [];
  const rr = (data: Buffer, rrType: number) => {
    const head = Buffer.alloc(10);
    head.writeUInt16BE(rrType, 0);
    head.writeUInt16BE(1, 2); // class IN
    head.writeUInt32BE(table.ttl ?? 60, 4);
    head.writeUInt16BE(data.length, 8);
    records.push(Buffer.concat([encodeName(name), head, data]));
  };
  const failing = table.fail?.includes(name) ?? false;
  const known = Boolean(table.A?.[name] || table.AAAA?.[name] || table.SRV?.[name] || table.MX?.[name] || table.NS?.[name]);
  if (!failing) {
    if (type === TYPE.A) for (const ip of table.A?.[name] ?? []) rr(Buffer.from(ip.split(".").map(Number)), TYPE.A);
    if (type === TYPE.AAAA) for (const ip of table.AAAA?.[name] ?? []) if (isIPv6(ip)) rr(ipv6Bytes(ip), TYPE.AAAA);
    if (type === TYPE.SRV) {
      for (const srv of table.SRV?.[name] ?? []) rr(Buffer.concat([u16(srv.priority, srv.weight, srv.port), encodeName(srv.target)]), TYPE.SRV);
    }
    if (type === TYPE.MX) for (const mx of table.MX?.[name] ?? []) rr(Buffer.concat([u16(mx.priority), encodeName(mx.exchange)]), TYPE.MX);
    if (type === TYPE.NS) for (const ns of table.NS?.[name] ?? []) rr(encodeName(ns), TYPE.NS);
  }
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  // Response, authoritative; truncated (TC) for a failing name.
  header.writeUInt16BE(0x8400 | (failing ? 0x0200 : known ? RCODE.NOERROR : RCODE.NXDOMAIN), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  return Buffer.concat([header, question, ...records]);
}
