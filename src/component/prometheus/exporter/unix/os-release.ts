// node_exporter's os collector: /etc/os-release (else /usr/lib/os-release) under rootfs_path as
// node_os_info, the major.minor of VERSION_ID as node_os_version and SUPPORT_END as a timestamp.

import { type Collector, isNotFound, NoDataError, read } from "./common.ts";

const FILES = ["/etc/os-release", "/usr/lib/os-release"];

/** KEY=value lines as a shell reads them: quotes, backslash escapes in double quotes, comments. */
export function parseEnvFile(text: string): Map<string, string> {
  const env = new Map<string, string>();
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim().replace(/^export\s+/, "");
    if (line === "" || line.startsWith("#")) return;
    const eq = line.indexOf("=");
    if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(line.slice(0, eq))) throw new Error(`line ${i + 1}: invalid line ${JSON.stringify(raw)}`);
    env.set(line.slice(0, eq), parseEnvValue(line.slice(eq + 1), i + 1));
  });
  return env;
}

function parseEnvValue(text: string, line: number): string {
  let value = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error(`line ${line}: unterminated single-quoted value`);
      value += text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error(`line ${line}: unterminated double-quoted value`);
        const d = text[i]!;
        if (d === '"') break;
        if (d === "\\" && i + 1 < text.length) {
          const e = text[++i]!;
          value += { n: "\n", t: "\t", r: "\r" }[e as "n" | "t" | "r"] ?? e;
        } else {
          value += d;
        }
        i++;
      }
      i++;
    } else if (c === "#" && (i === 0 || /\s/.test(text[i - 1]!))) {
      break; // a comment after the value
    } else if (c === "\\" && i + 1 < text.length) {
      value += text[i + 1];
      i += 2;
    } else {
      value += c;
      i++;
    }
  }
  return value.trim();
}

export const os: Collector = async (platform, o, out, log) => {
  const root = o.rootfs.replace(/\/+$/, "");
  let env: Map<string, string> | undefined;
  for (const file of FILES) {
    let text: string;
    try {
      text = await read(platform, `${root}${file}`);
    } catch (e) {
      if (isNotFound(e)) continue;
      throw e;
    }
    env = parseEnvFile(text);
    break;
  }
  if (!env) {
    log.debug("no os-release file found", { files: FILES.join(",") });
    throw new NoDataError();
  }
  const get = (key: string) => env.get(key) ?? "";
  out.add(
    "node_os_info",
    "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.",
    "gauge",
    1,
    {
      build_id: get("BUILD_ID"),
      id: get("ID"),
      id_like: get("ID_LIKE"),
      image_id: get("IMAGE_ID"),
      image_version: get("IMAGE_VERSION"),
      name: get("NAME"),
      pretty_name: get("PRETTY_NAME"),
      variant: get("VARIANT"),
      variant_id: get("VARIANT_ID"),
      version: get("VERSION"),
      version_codename: get("VERSION_CODENAME"),
      version_id: get("VERSION_ID"),
    },
  );
  const majorMinor = /^[0-9]+\.?[0-9]*/.exec(get("VERSION_ID"))?.[0];
  const version = majorMinor ? Number(majorMinor) : 0;
  if (version > 0) {
    out.add("node_os_version", "Metric containing the major.minor part of the OS version.", "gauge", version, { id: get("ID"), id_like: get("ID_LIKE"), name: get("NAME") });
  }
  const supportEnd = get("SUPPORT_END");
  if (supportEnd !== "") {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(supportEnd);
    if (!m) throw new Error(`parsing time ${JSON.stringify(supportEnd)} as "2006-01-02": cannot parse`);
    out.add("node_os_support_end_timestamp_seconds", "Metric containing the end-of-life date timestamp of the OS.", "gauge", Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 1000);
  }
};
