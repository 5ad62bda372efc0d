// The `remotecfg` block (Alloy's internal/service/remotecfg/arguments.go): where the configuration
// API is, who this collector is, how often to ask, and the HTTP client settings (common/config's
// HTTPClientConfig, squashed). `alloy validate` and the service decode it with the same schema.
//
// The schema checks exactly what Alloy checks. What alloy-ts's HTTP client cannot do is refused
// when the service applies the block (unsupportedClientSettings), with a message naming the
// setting, so a configuration Alloy accepts still validates and is never silently half-applied.
import { httpClientFields, validateHttpClient, type HttpClientConfig } from "../../component/prometheus/httpclient.ts";
import { FileBuilder } from "../../syntax/builder.ts";
import { appendFrom, attr, formatDuration, type HostOf, Minute, Second, squash, struct, t } from "../../syntax/schema/index.ts";

export const RESERVED_ATTRIBUTE_NAMESPACE = "collector";

const optional = { optional: true } as const;

/** Alloy's DefaultHTTPClientConfig: follow_redirects and enable_http2 on. */
const HttpClientBlock = struct(httpClientFields(true));

export const RemotecfgBlock = struct(
  {
    url: attr(t.string(), optional),
    // Default: the agent's seed UID, filled in by the service (it is read from storage).
    id: attr(t.string(), optional),
    name: attr(t.string(), optional),
    attributes: attr(t.map(t.string()), optional),
    poll_frequency: attr(t.duration(), optional),
    http_client: squash(HttpClientBlock),
  },
  {
    defaults: () => ({ attributes: {}, poll_frequency: Minute }),
    validate: (a) => {
      if (a.poll_frequency < 10 * Second) {
        return `poll_frequency must be at least "10s", got ${JSON.stringify(formatDuration(a.poll_frequency))}`;
      }
      for (const key of Object.keys(a.attributes ?? {})) {
        if (key.startsWith(`${RESERVED_ATTRIBUTE_NAMESPACE}.`)) {
          return `${JSON.stringify(RESERVED_ATTRIBUTE_NAMESPACE)} is a reserved namespace for remotecfg attribute keys`;
        }
      }
      // Alloy's HTTPClientConfig.Validate; the shared client's own limits come last and are checked
      // when the service applies the block.
      const problem = validateHttpClient(a.http_client as HttpClientConfig);
      if (problem !== undefined && !problem.includes("not supported by alloy-ts")) return problem;
      return undefined;
    },
  },
);

export type RemotecfgArgs = HostOf<typeof RemotecfgBlock>;

type TlsSettings = NonNullable<HttpClientConfig["tls_config"]>;

/** Whether a tls_config asks for more than the system's roots (a CA, a client certificate, a server name, no verification). */
export function customTls(tls: TlsSettings | null | undefined): tls is TlsSettings {
  return (
    tls !== null &&
    tls !== undefined &&
    (tls.ca_pem !== "" || tls.ca_file !== "" || tls.cert_pem !== "" || tls.cert_file !== "" || (tls.key_pem?.value ?? "") !== "" ||
      tls.key_file !== "" || tls.server_name !== "" || tls.insecure_skip_verify)
  );
}

/**
 * What alloy-ts cannot do with these settings, in words for the user; undefined when everything
 * asked for is supported. Web-standard fetch has no proxy and no per-request TLS settings, so a
 * tls_config for an https url goes through the platform's HTTP/2 client, which has them (the server
 * must then speak HTTP/2, as Go servers with TLS do).
 */
export function unsupportedClientSettings(args: RemotecfgArgs): string | undefined {
  const h = args.http_client as HttpClientConfig;
  const shared = validateHttpClient({ ...h, tls_config: null });
  if (shared !== undefined) return `remotecfg: ${shared}`;
  // Its TLS requests go through the HTTP/2 client, which has no proxy.
  if (h.proxy_url !== "") return "remotecfg: proxy_url is not supported by alloy-ts yet";
  if (h.proxy_from_environment) return "remotecfg: proxy_from_environment is not supported by alloy-ts yet";
  if (h.oauth2 && (h.oauth2.proxy_url !== "" || h.oauth2.proxy_from_environment)) {
    return "remotecfg: a proxy for the oauth2 token request is not supported by alloy-ts yet";
  }
  if (h.oauth2?.tls_config && (h.oauth2.tls_config.server_name !== "" || h.oauth2.tls_config.min_version !== "")) {
    return "remotecfg: oauth2 tls_config is not supported by alloy-ts yet";
  }
  if (h.tls_config && h.tls_config.min_version !== "") return "remotecfg: tls_config min_version is not supported by alloy-ts yet";
  if (customTls(h.tls_config) && args.url.startsWith("https:") && !h.enable_http2) {
    return "remotecfg: tls_config with enable_http2 = false is not supported by alloy-ts yet (its TLS client speaks HTTP/2)";
  }
  return undefined;
}

/** FNV-1 (32 bits) as Go's hash/fnv New32, printed as 8 hex digits (Alloy's getHash). */
export function fnv32Hex(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (const b of bytes) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ b) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/**
 * The name of the arguments' cache file: a hash of the block written out in Alloy syntax (Alloy
 * hashes syntax.Marshal of its Arguments), so a different url, id or attributes has its own cache.
 */
export function argumentsHash(args: RemotecfgArgs): string {
  const file = new FileBuilder();
  appendFrom(file.body, RemotecfgBlock, args);
  return fnv32Hex(new TextEncoder().encode(file.toString()));
}
