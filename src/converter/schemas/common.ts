// Argument schemas shared by the components the converters emit: Alloy's common HTTP client
// settings (internal/component/common/config), relabel rules (common/relabel), discovery targets
// and references to receivers. Names, nesting, optionality and defaults are Alloy's, so the
// builder leaves out exactly what Alloy's converter leaves out. They are declared with
// src/syntax/schema so the components can take them over when they are implemented.
import { attr, block, blocks, squash, struct, t, type Type } from "../../syntax/schema/index.ts";
import { TargetListType } from "../common/encode.ts";
import { parseURL, redactedURL } from "../common/gourl.ts";

/** A Go text type carried as its text ("" is the zero value). */
function textString(name: string, check?: (s: string) => void): Type<string> {
  return t.text<string>({
    name,
    parse: (s) => {
      check?.(s);
      return s;
    },
    format: (s) => s,
    zero: () => "",
    isZero: (s) => s === "",
    equal: (a, b) => a === b,
  });
}

/** Alloy's config.URL: printed without its password. */
export const urlType = (): Type<string> =>
  t.text<string>({
    name: "url",
    parse: (s) => {
      parseURL(s);
      return s;
    },
    format: redactedURL,
    zero: () => "",
    isZero: (s) => s === "",
    equal: (a, b) => a === b,
  });

const TLS_VERSIONS = ["TLS10", "TLS11", "TLS12", "TLS13"];
export const tlsVersionType = (): Type<string> =>
  textString("tls_version", (s) => {
    if (!TLS_VERSIONS.includes(s)) throw new Error(`unknown TLS version: ${s}`);
  });

export const BasicAuth = struct({
  username: attr(t.string(), { optional: true }),
  password: attr(t.secret(), { optional: true }),
  password_file: attr(t.string(), { optional: true }),
});

export const Authorization = struct({
  type: attr(t.string(), { optional: true }),
  credentials: attr(t.secret(), { optional: true }),
  credentials_file: attr(t.string(), { optional: true }),
});

export const TLSConfig = struct({
  ca_pem: attr(t.string(), { optional: true }),
  ca_file: attr(t.string(), { optional: true }),
  cert_pem: attr(t.string(), { optional: true }),
  cert_file: attr(t.string(), { optional: true }),
  key_pem: attr(t.secret(), { optional: true }),
  key_file: attr(t.string(), { optional: true }),
  server_name: attr(t.string(), { optional: true }),
  insecure_skip_verify: attr(t.bool(), { optional: true }),
  min_version: attr(tlsVersionType(), { optional: true }),
});

export const ProxyConfig = struct({
  proxy_url: attr(urlType(), { optional: true }),
  no_proxy: attr(t.string(), { optional: true }),
  proxy_from_environment: attr(t.bool(), { optional: true }),
  proxy_connect_header: attr(t.nullable(t.map(t.array(t.secret()))), { optional: true }),
});

export const Headers = struct({
  http_headers: attr(t.nullable(t.map(t.array(t.secret()))), { optional: true }),
});

export const OAuth2Config = struct({
  client_id: attr(t.string(), { optional: true }),
  client_secret: attr(t.secret(), { optional: true }),
  client_secret_file: attr(t.string(), { optional: true }),
  scopes: attr(t.nullable(t.array(t.string())), { optional: true }),
  token_url: attr(t.string(), { optional: true }),
  endpoint_params: attr(t.nullable(t.map(t.string())), { optional: true }),
  proxy: squash(ProxyConfig),
  tls_config: block(TLSConfig, { optional: true }),
});

/** Alloy's config.HTTPClientConfig (squashed into the components that use it). */
export const HTTPClientConfig = struct({
  basic_auth: block(BasicAuth, { optional: true }),
  authorization: block(Authorization, { optional: true }),
  oauth2: block(OAuth2Config, { optional: true }),
  bearer_token: attr(t.secret(), { optional: true }),
  bearer_token_file: attr(t.string(), { optional: true }),
  proxy: squash(ProxyConfig),
  tls_config: block(TLSConfig, { optional: true, default: () => TLSConfig.zero() }),
  follow_redirects: attr(t.bool(), { optional: true }),
  enable_http2: attr(t.bool(), { optional: true }),
  headers: squash(Headers),
}, { defaults: () => ({ follow_redirects: true, enable_http2: true }) });

export type HTTPClientConfigHost = ReturnType<typeof HTTPClientConfig.zero>;

/** Alloy's DefaultHTTPClientConfig (follow redirects, HTTP/2 on). */
export const defaultHTTPClientConfig = (): HTTPClientConfigHost => HTTPClientConfig.defaults();

const RELABEL_ACTIONS = ["replace", "keep", "drop", "hashmod", "labelmap", "labeldrop", "labelkeep", "lowercase", "uppercase", "keepequal", "dropequal"];

/** One relabelling rule (Alloy's relabel.Config). */
export const RelabelRule = struct({
  source_labels: attr(t.nullable(t.array(t.string())), { optional: true }),
  separator: attr(t.string(), { optional: true }),
  regex: attr(textString("regex"), { optional: true }),
  modulus: attr(t.uint64(), { optional: true }),
  target_label: attr(t.string(), { optional: true }),
  replacement: attr(t.string(), { optional: true }),
  action: attr(textString("action", (s) => {
    if (!RELABEL_ACTIONS.includes(s)) throw new Error(`unrecognized action type ${JSON.stringify(s)}`);
  }), { optional: true }),
}, { defaults: () => ({ action: "replace", separator: ";", regex: "(.*)", replacement: "$1" }) });

export type RelabelRuleHost = ReturnType<typeof RelabelRule.zero>;

/** `rule` blocks. */
export const relabelRules = () => blocks(RelabelRule, { optional: true });

/** A list of discovery targets. */
export const targetsType = () => new TargetListType(t.map(t.string()));

/** A receiver of metrics exported by another component (Go's storage.Appendable). */
export const appendableType = () => t.capsule<unknown>("storage.Appendable");

/** The `clustering` block. */
export const ClusteringBlock = struct({ enabled: attr(t.bool()) });
