// Go's path/filepath.Join for file.path_join. The separator and the rules
// follow the operating system Alloy reports (constants.os): "/" everywhere
// except Windows, where "\" is used and drive letters and UNC volumes are kept.

/** Lexical path cleaning (Go's Clean) over the part after the volume name. */
function cleanPath(path: string, sep: string, volume: string): string {
  const isSep = (c: string | undefined): boolean => c === sep || (sep === "\\" && c === "/");
  const rooted = isSep(path[0]);
  const parts: string[] = [];
  for (const seg of path.split(sep === "\\" ? /[\\/]/ : "/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (parts.length > 0 && parts[parts.length - 1] !== "..") parts.pop();
      else if (!rooted) parts.push("..");
      continue;
    }
    parts.push(seg);
  }
  let out = (rooted ? sep : "") + parts.join(sep);
  if (out === "") out = volume !== "" && !rooted ? "" : ".";
  return volume + out;
}

// Length of the volume name of a Windows path ("C:", "\\host\share").
function windowsVolumeLength(p: string): number {
  if (p.length >= 2 && p[1] === ":" && /[a-zA-Z]/.test(p[0]!)) return 2;
  const isSep = (c: string | undefined): boolean => c === "\\" || c === "/";
  if (p.length >= 2 && isSep(p[0]) && isSep(p[1])) {
    // UNC: \\host\share
    let i = 2;
    while (i < p.length && !isSep(p[i])) i++;
    if (i === 2 || i >= p.length) return p.length;
    i++;
    while (i < p.length && !isSep(p[i])) i++;
    return i;
  }
  return 0;
}

/** filepath.Clean. */
export function clean(path: string, windows: boolean): string {
  if (!windows) return cleanPath(path, "/", "");
  const vlen = windowsVolumeLength(path);
  const volume = path.slice(0, vlen).replace(/\//g, "\\");
  const rest = path.slice(vlen);
  if (rest === "" && vlen > 2) return volume;
  return cleanPath(rest, "\\", volume);
}

/** filepath.Join: joins the non-empty elements and cleans the result. */
export function join(elems: readonly string[], windows: boolean): string {
  if (!windows) {
    const nonEmpty = elems.filter((e) => e !== "");
    return nonEmpty.length === 0 ? "" : clean(nonEmpty.join("/"), false);
  }
  let b = "";
  let last = "";
  const isSep = (c: string): boolean => c === "\\" || c === "/";
  for (let e of elems) {
    if (b.length === 0) {
      // The first non-empty element is kept as is.
    } else if (isSep(last)) {
      // Do not create a UNC path from non-UNC elements.
      while (e.length > 0 && isSep(e[0]!)) e = e.slice(1);
      if (b.length === 1 && e.startsWith("??") && (e.length === 2 || isSep(e[2]!))) b += ".\\";
    } else if (last === ":") {
      // "C:" + "f" stays relative to the drive's current directory.
    } else {
      b += "\\";
      last = "\\";
    }
    if (e.length > 0) {
      b += e;
      last = e[e.length - 1]!;
    }
  }
  return b === "" ? "" : clean(b, true);
}
