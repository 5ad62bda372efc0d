// URLs as Go's net/url parses and prints them: Prometheus validates its URL settings with
// url.Parse (and reports its errors), and Alloy prints URL arguments with URL.String, redacting
// the password of URL-typed settings.

export interface GoURL {
  scheme: string;
  opaque: string;
  /** null when there is no userinfo. */
  user: { username: string; password: string | null } | null;
  host: string;
  path: string;
  rawPath: string;
  omitHost: boolean;
  forceQuery: boolean;
  rawQuery: string;
  fragment: string;
  rawFragment: string;
}

type Mode = "path" | "pathSegment" | "host" | "zone" | "userPassword" | "queryComponent" | "fragment";

const isAlnum = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
const isHex = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
const unhex = (c: number) => (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function shouldEscape(c: number, mode: Mode): boolean {
  if (isAlnum(c)) return false;
  const ch = String.fromCharCode(c);
  if ((mode === "host" || mode === "zone") && "!$&'()*+,;=:[]<>\"".includes(ch)) return false;
  if ("-_.~".includes(ch)) return false;
  if ("$&+,/:;=?@".includes(ch)) {
    switch (mode) {
      case "path":
        return ch === "?";
      case "pathSegment":
        return ch === "/" || ch === ";" || ch === "," || ch === "?";
      case "userPassword":
        return ch === "@" || ch === "/" || ch === "?" || ch === ":";
      case "queryComponent":
        return true;
      case "fragment":
        return false;
      default:
        break;
    }
  }
  if (mode === "fragment" && "!()*".includes(ch)) return false;
  return true;
}

const quoteGo = (s: string) => JSON.stringify(s);

function unescape(s: string, mode: Mode): string {
  const bytes = encoder.encode(s);
  for (let i = 0; i < bytes.length; ) {
    const c = bytes[i]!;
    if (c === 0x25) {
      if (i + 2 >= bytes.length || !isHex(bytes[i + 1]!) || !isHex(bytes[i + 2]!)) {
        throw new Error(`invalid URL escape ${quoteGo(decoder.decode(bytes.slice(i, i + 3)))}`);
      }
      const seq = decoder.decode(bytes.slice(i, i + 3));
      if (mode === "host" && unhex(bytes[i + 1]!) < 8 && seq !== "%25") throw new Error(`invalid URL escape ${quoteGo(seq)}`);
      i += 3;
    } else {
      if ((mode === "host" || mode === "zone") && c < 0x80 && shouldEscape(c, mode)) {
        throw new Error(`invalid character ${quoteGo(String.fromCharCode(c))} in host name`);
      }
      i++;
    }
  }
  const out: number[] = [];
  for (let i = 0; i < bytes.length; ) {
    const c = bytes[i]!;
    if (c === 0x25) {
      out.push((unhex(bytes[i + 1]!) << 4) | unhex(bytes[i + 2]!));
      i += 3;
    } else if (c === 0x2b && mode === "queryComponent") {
      out.push(0x20);
      i++;
    } else {
      out.push(c);
      i++;
    }
  }
  return decoder.decode(new Uint8Array(out));
}

function escape(s: string, mode: Mode): string {
  let out = "";
  for (const c of encoder.encode(s)) {
    if (shouldEscape(c, mode)) {
      if (c === 0x20 && mode === "queryComponent") out += "+";
      else out += "%" + "0123456789ABCDEF"[c >> 4]! + "0123456789ABCDEF"[c & 15]!;
    } else {
      out += String.fromCharCode(c);
    }
  }
  return out;
}

function getScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) continue;
    if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e) {
      if (i === 0) return ["", raw];
      continue;
    }
    if (c === 0x3a) {
      if (i === 0) throw new Error("missing protocol scheme");
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ["", raw];
  }
  return ["", raw];
}

function validOptionalPort(port: string): boolean {
  if (port === "") return true;
  if (port[0] !== ":") return false;
  return /^[0-9]*$/.test(port.slice(1));
}

function parseHost(host: string): string {
  if (host.startsWith("[")) {
    const i = host.lastIndexOf("]");
    if (i < 0) throw new Error("missing ']' in host");
    const colonPort = host.slice(i + 1);
    if (!validOptionalPort(colonPort)) throw new Error(`invalid port ${quoteGo(colonPort)} after host`);
  } else {
    const i = host.lastIndexOf(":");
    if (i !== -1) {
      const colonPort = host.slice(i);
      if (!validOptionalPort(colonPort)) throw new Error(`invalid port ${quoteGo(colonPort)} after host`);
    }
  }
  return unescape(host, "host");
}

function validUserinfo(s: string): boolean {
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (isAlnum(c)) continue;
    if ("-._:~!$&'()*+,;=%@".includes(ch)) continue;
    return false;
  }
  return true;
}

function validEncoded(s: string, mode: Mode): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if ("!$&'()*+,;=:@[]".includes(ch)) continue;
    if (ch === "%") continue;
    if (shouldEscape(s.charCodeAt(i), mode)) return false;
  }
  return true;
}

/** Go's url.Parse; throws Error with Go's message (`parse "<url>": <reason>`). */
export function parseURL(rawURL: string): GoURL {
  const hash = rawURL.indexOf("#");
  const u = hash < 0 ? rawURL : rawURL.slice(0, hash);
  const frag = hash < 0 ? "" : rawURL.slice(hash + 1);
  let url: GoURL;
  try {
    url = parseNoFragment(u);
  } catch (error) {
    throw new Error(`parse ${quoteGo(u)}: ${(error as Error).message}`);
  }
  if (frag !== "") {
    try {
      url.fragment = unescape(frag, "fragment");
      url.rawFragment = escape(url.fragment, "fragment") === frag ? "" : frag;
    } catch (error) {
      throw new Error(`parse ${quoteGo(rawURL)}: ${(error as Error).message}`);
    }
  }
  return url;
}

function parseNoFragment(raw: string): GoURL {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(raw)) throw new Error("net/url: invalid control character in URL");
  const url: GoURL = { scheme: "", opaque: "", user: null, host: "", path: "", rawPath: "", omitHost: false, forceQuery: false, rawQuery: "", fragment: "", rawFragment: "" };
  if (raw === "*") {
    url.path = "*";
    return url;
  }
  let [scheme, rest] = getScheme(raw);
  url.scheme = scheme.toLowerCase();
  if (rest.endsWith("?") && rest.split("?").length === 2) {
    url.forceQuery = true;
    rest = rest.slice(0, -1);
  } else {
    const q = rest.indexOf("?");
    if (q >= 0) {
      url.rawQuery = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }
  if (!rest.startsWith("/")) {
    if (url.scheme !== "") {
      url.opaque = rest;
      return url;
    }
    const segment = rest.split("/")[0]!;
    if (segment.includes(":")) throw new Error("first path segment in URL cannot contain colon");
  }
  if ((url.scheme !== "" || !rest.startsWith("///")) && rest.startsWith("//")) {
    let authority = rest.slice(2);
    rest = "";
    const slash = authority.indexOf("/");
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    const at = authority.lastIndexOf("@");
    url.host = parseHost(at < 0 ? authority : authority.slice(at + 1));
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      if (!validUserinfo(userinfo)) throw new Error("net/url: invalid userinfo");
      const colon = userinfo.indexOf(":");
      url.user = colon < 0
        ? { username: unescape(userinfo, "userPassword"), password: null }
        : { username: unescape(userinfo.slice(0, colon), "userPassword"), password: unescape(userinfo.slice(colon + 1), "userPassword") };
    }
  } else if (url.scheme !== "" && rest.startsWith("/")) {
    url.omitHost = true;
  }
  url.path = unescape(rest, "path");
  url.rawPath = escape(url.path, "path") === rest ? "" : rest;
  return url;
}

function escapedPath(u: GoURL): string {
  if (u.rawPath !== "" && validEncoded(u.rawPath, "path")) {
    try {
      if (unescape(u.rawPath, "path") === u.path) return u.rawPath;
    } catch {
      // fall through
    }
  }
  if (u.path === "*") return "*";
  return escape(u.path, "path");
}

function userString(user: NonNullable<GoURL["user"]>, redact: boolean): string {
  let s = escape(user.username, "userPassword");
  if (user.password !== null) s += ":" + (redact ? "xxxxx" : escape(user.password, "userPassword"));
  return s;
}

/** Go's URL.String (or Redacted, which prints the password as xxxxx). */
export function urlString(u: GoURL, redact = false): string {
  let out = "";
  if (u.scheme !== "") out += u.scheme + ":";
  if (u.opaque !== "") {
    out += u.opaque;
  } else {
    if (u.scheme !== "" || u.host !== "" || u.user !== null) {
      if (!(u.omitHost && u.host === "" && u.user === null)) {
        if (u.host !== "" || u.path !== "" || u.user !== null) out += "//";
        if (u.user !== null) out += userString(u.user, redact) + "@";
        if (u.host !== "") out += escape(u.host, "host");
      }
    }
    const path = escapedPath(u);
    if (path !== "" && path[0] !== "/" && u.host !== "") out += "/";
    if (out === "" && path.split("/")[0]!.includes(":")) out += "./";
    out += path;
  }
  if (u.forceQuery || u.rawQuery !== "") out += "?" + u.rawQuery;
  if (u.fragment !== "") {
    out += "#" + (u.rawFragment !== "" && validEncoded(u.rawFragment, "fragment") ? u.rawFragment : escape(u.fragment, "fragment"));
  }
  return out;
}

/** The text of a URL with its password hidden; "" for an empty setting. */
export function redactedURL(s: string): string {
  if (s === "") return "";
  try {
    return urlString(parseURL(s), true);
  } catch {
    return s;
  }
}
