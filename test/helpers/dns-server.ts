// A tiny authoritative DNS server on 127.0.0.1 (UDP) for resolver tests: it answers A, AAAA and SRV
// questions from a fixed table and NXDOMAIN for everything else.
import { createSocket } from "node:dgram";
import { isIPv6 } from "node:net";

export interface DnsTable {
  A?: Record<string, string[]>;
  AAAA?: Record<string, string[]>;
  SRV?: Record<string, { target: string; port: number; priority: number; weight: number }[]>;
}

const TYPE = { A: 1, AAAA: 28, SRV: 33 } as const;

export async function startDnsServer(table: DnsTable): Promise<{ port: number; close(): Promise<void> }> {
  const socket = createSocket("udp4");
  socket.on("message", (query, remote) => {
    const reply = answer(query, table);
    if (reply) socket.send(reply, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return {
    port: socket.address().port,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
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
    head.writeUInt32BE(60, 4); // TTL
    head.writeUInt16BE(data.length, 8);
    records.push(Buffer.concat([encodeName(name), head, data]));
  };
  const known = Boolean(table.A?.[name] || table.AAAA?.[name] || table.SRV?.[name]);
  if (type === TYPE.A) for (const ip of table.A?.[name] ?? []) rr(Buffer.from(ip.split(".").map(Number)), TYPE.A);
  if (type === TYPE.AAAA) for (const ip of table.AAAA?.[name] ?? []) if (isIPv6(ip)) rr(ipv6Bytes(ip), TYPE.AAAA);
  if (type === TYPE.SRV) {
    for (const srv of table.SRV?.[name] ?? []) {
      const fixed = Buffer.alloc(6);
      fixed.writeUInt16BE(srv.priority, 0);
      fixed.writeUInt16BE(srv.weight, 2);
      fixed.writeUInt16BE(srv.port, 4);
      rr(Buffer.concat([fixed, encodeName(srv.target)]), TYPE.SRV);
    }
  }
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x8400 | (known ? 0 : 3), 2); // response, authoritative, NOERROR or NXDOMAIN
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  return Buffer.concat([header, question, ...records]);
}
