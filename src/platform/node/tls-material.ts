// Checks a FetchClient's PEM material before any connection is made, so that a bad CA bundle or a
// client key that belongs to another certificate is reported when the settings are applied, with the
// reason Go's crypto/tls gives, instead of as a handshake failure on every request.
// node:crypto's X509Certificate and createPrivateKey behave alike on Node, Deno and Bun.
import { createPrivateKey, X509Certificate } from "node:crypto";
import type { FetchClientTls } from "../types.ts";

/** Which part of the TLS settings an error is about: the CA bundle, or the client certificate and key. */
export type TlsMaterialPart = "ca" | "keypair";

export class TlsMaterialError extends Error {
  constructor(readonly part: TlsMaterialPart, message: string) {
    super(message);
    this.name = "TlsMaterialError";
  }
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const ANY_BLOCK = /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?-----END [A-Z0-9 ]+-----/;

export function checkTlsMaterial(tls: FetchClientTls | undefined): void {
  if (!tls) return;
  if (tls.ca !== undefined) {
    // Go's CertPool.AppendCertsFromPEM: blocks that do not parse are skipped; none at all is an error.
    const usable = (tls.ca.match(CERTIFICATE_BLOCK) ?? []).filter((block) => {
      try {
        new X509Certificate(block);
        return true;
      } catch {
        return false;
      }
    });
    if (usable.length === 0) throw new TlsMaterialError("ca", "no certificate in the CA PEM could be parsed");
  }
  if (tls.cert !== undefined || tls.key !== undefined) checkKeyPair(tls.cert ?? "", tls.key ?? "");
}

/** Go's tls.X509KeyPair checks, with its messages. */
function checkKeyPair(certPem: string, keyPem: string): void {
  const fail = (message: string) => new TlsMaterialError("keypair", message);
  const leafPem = certPem.match(CERTIFICATE_BLOCK)?.[0];
  if (!leafPem) throw fail("tls: failed to find any PEM data in certificate input");
  if (!ANY_BLOCK.test(keyPem)) throw fail("tls: failed to find any PEM data in key input");
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(leafPem);
  } catch (error) {
    throw fail(`x509: malformed certificate (${(error as Error).message})`);
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw fail("tls: failed to parse private key");
  }
  if (!leaf.checkPrivateKey(key)) throw fail("tls: private key does not match public key");
}
