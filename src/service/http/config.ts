// The `http` configuration block (Alloy's http service arguments): basic authentication with a path
// filter, and TLS for the listener. Decoded with the same schemas as components, so mistakes get
// Alloy's messages with positions; the TLS rules below are Alloy's validation, word for word.
import type { ClientAuthType, TlsServerConfig, TlsVersion } from "../../platform/mod.ts";
import { attr, block, struct, t, type HostOf } from "../../syntax/schema/index.ts";
import { opensslCipherName } from "../../component/common/net/cipher-suites.ts";
import type { BasicAuthConfig } from "./auth.ts";

const CLIENT_AUTH_TYPES: readonly ClientAuthType[] = [
  "NoClientCert",
  "RequestClientCert",
  "RequireAnyClientCert",
  "VerifyClientCertIfGiven",
  "RequireAndVerifyClientCert",
];

const TLS_VERSIONS: Record<string, TlsVersion> = { TLS10: "TLSv1", TLS11: "TLSv1.1", TLS12: "TLSv1.2", TLS13: "TLSv1.3" };

const BasicBlock = struct({
  username: attr(t.string()),
  password: attr(t.secret()),
});

const FilterBlock = struct({
  paths: attr(t.array(t.string()), { default: [] }),
  authenticate_matching_paths: attr(t.bool(), { default: true }),
});

const AuthBlock = struct({
  basic: block(BasicBlock, { optional: true }),
  filter: block(FilterBlock, { optional: true }),
});

const TlsBlock = struct(
  {
    cert_pem: attr(t.string(), { default: "" }),
    cert_file: attr(t.string(), { default: "" }),
    key_pem: attr(t.secret(), { optional: true }),
    key_file: attr(t.string(), { default: "" }),
    client_ca_pem: attr(t.string(), { default: "" }),
    client_ca_file: attr(t.string(), { default: "" }),
    client_auth_type: attr(t.string(), { default: "NoClientCert" }),
    cipher_suites: attr(t.array(t.string()), { default: [] }),
    curve_preferences: attr(t.array(t.string()), { default: [] }),
    min_version: attr(t.string(), { default: "" }),
    max_version: attr(t.string(), { default: "" }),
  },
  {
    validate(tls) {
      const keyPem = tls.key_pem?.value ?? "";
      if (tls.cert_pem && tls.cert_file) return "cannot specify both cert_pem and cert_file";
      if (keyPem && tls.key_file) return "cannot specify both key_pem and key_file";
      if (tls.client_ca_pem && tls.client_ca_file) return "cannot specify both client_ca_pem and client_ca_file";
      if (!tls.cert_pem && !tls.cert_file) return "must specify either cert_pem or cert_file";
      if (!keyPem && !tls.key_file) return "must specify either key_pem or key_file";
      if (!(CLIENT_AUTH_TYPES as readonly string[]).includes(tls.client_auth_type)) {
        return `unknown client_auth_type ${JSON.stringify(tls.client_auth_type)}`;
      }
      if (tls.client_auth_type === "NoClientCert" && (tls.client_ca_pem || tls.client_ca_file)) {
        return "cannot specify client_ca_pem or client_ca_file when client_auth_type is NoClientCert";
      }
      for (const version of [tls.min_version, tls.max_version]) {
        if (version && !TLS_VERSIONS[version]) return `unknown TLS version: ${version}`;
      }
      return undefined;
    },
  },
);

export const HttpBlock = struct({
  auth: block(AuthBlock, { optional: true }),
  tls: block(TlsBlock, { optional: true }),
});

export type HttpBlockArgs = HostOf<typeof HttpBlock>;
type TlsArgs = NonNullable<HttpBlockArgs["tls"]>;

/** Basic auth as the service applies it; undefined when the block asks for none. */
export function basicAuthOf(args: HttpBlockArgs): BasicAuthConfig | undefined {
  const basic = args.auth?.basic;
  if (!basic) return undefined;
  // Without a filter block every path needs credentials (Go's zero value: no paths, flag false).
  const filter = args.auth?.filter;
  return {
    username: basic.username,
    password: basic.password?.value ?? "",
    filterPaths: filter?.paths ?? [],
    authenticateMatchingPaths: filter ? filter.authenticate_matching_paths : false,
  };
}

/** The listener's TLS settings, reading the files the block names. */
export async function tlsConfigOf(tls: TlsArgs, readFile: (path: string) => Promise<string>): Promise<TlsServerConfig> {
  const config: TlsServerConfig = {
    cert: tls.cert_pem || (await readFile(tls.cert_file)),
    key: tls.key_pem?.value || (await readFile(tls.key_file)),
    clientAuth: tls.client_auth_type as ClientAuthType,
  };
  const clientCa = tls.client_ca_pem || (tls.client_ca_file ? await readFile(tls.client_ca_file) : "");
  if (clientCa) config.clientCa = clientCa;
  if (tls.min_version) config.minVersion = TLS_VERSIONS[tls.min_version];
  if (tls.max_version) config.maxVersion = TLS_VERSIONS[tls.max_version];
  if (tls.cipher_suites.length > 0) config.ciphers = tls.cipher_suites.map((name) => opensslCipherName(name) ?? name).join(":");
  return config;
}
