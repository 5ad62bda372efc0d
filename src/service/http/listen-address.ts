// Go's host:port listen addresses: "127.0.0.1:12345", "[::1]:12345", ":12345" (every interface).

export interface ListenAddress {
  hostname: string;
  port: number;
}

export function parseListenAddress(text: string): ListenAddress {
  const colon = text.lastIndexOf(":");
  if (colon === -1) throw new Error(`address ${text}: missing port in address`);
  let host = text.slice(0, colon);
  const portText = text.slice(colon + 1);
  if (host.startsWith("[")) {
    if (!host.endsWith("]")) throw new Error(`address ${text}: missing ']' in address`);
    host = host.slice(1, -1);
  } else if (host.includes(":")) {
    throw new Error(`address ${text}: too many colons in address`);
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new Error(`address ${text}: invalid port`);
  return { hostname: host === "" ? "0.0.0.0" : host, port };
}
