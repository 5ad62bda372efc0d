// Decodes a Go interpreted string literal ("...") to bytes, for the Go fuzz
// corpus format (`[]byte("...")`).
export function decodeGoString(lit: string): Uint8Array {
  if (lit.length < 2 || lit[0] !== '"' || lit[lit.length - 1] !== '"') throw new Error(`not a Go string: ${lit}`);
  const out: number[] = [];
  const enc = new TextEncoder();
  const body = lit.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== "\\") {
      const cp = body.codePointAt(i)!;
      const s = String.fromCodePoint(cp);
      out.push(...enc.encode(s));
      i += s.length - 1;
      continue;
    }
    const e = body[++i];
    const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, "\\": 92, '"': 34, "'": 39 };
    if (e !== undefined && e in simple) {
      out.push(simple[e]!);
    } else if (e === "x") {
      out.push(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (e === "u" || e === "U") {
      const n = e === "u" ? 4 : 8;
      out.push(...enc.encode(String.fromCodePoint(parseInt(body.slice(i + 1, i + 1 + n), 16))));
      i += n;
    } else if (e !== undefined && e >= "0" && e <= "7") {
      out.push(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else {
      throw new Error(`bad escape \\${e} in ${lit}`);
    }
  }
  return new Uint8Array(out);
}

/** Parses a Go fuzz corpus file with a single []byte argument. */
export function decodeFuzzCorpus(text: string): Uint8Array {
  const lines = text.split("\n").filter((l) => l !== "");
  if (lines[0] !== "go test fuzz v1") throw new Error("not a go fuzz corpus file");
  const m = /^\[\]byte\((".*")\)$/.exec(lines[1]!);
  if (!m) throw new Error(`unsupported corpus line: ${lines[1]}`);
  return decodeGoString(m[1]!);
}
