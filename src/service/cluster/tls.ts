// The client side of --cluster.enable-tls (Alloy's cluster.go loadTLSConfigFromFile): peers are
// dialled over TLS with the CA, certificate and key read once at start-up and the server name of
// --cluster.tls-server-name. The server side is the `http` block's tls: peers must serve HTTPS.
// Bad files fail the start with Alloy's messages, before any peer is contacted.
import type { Platform, TlsClientConfig } from "../../platform/types.ts";
import { goFileError } from "../../runtime/os-error.ts";

export interface ClusterTlsPaths {
  caPath: string;
  certPath: string;
  keyPath: string;
  serverName: string;
}

/** Reads and checks the files; errors read `failed to load TLS config from file: …` as Alloy's. */
export async function loadClusterTls(platform: Platform, paths: ClusterTlsPaths): Promise<TlsClientConfig> {
  try {
    return await readTls(platform, paths);
  } catch (error) {
    throw new Error(`failed to load TLS config from file: ${(error as Error).message}`);
  }
}

async function readTls(platform: Platform, paths: ClusterTlsPaths): Promise<TlsClientConfig> {
  const read = (path: string) => platform.fs.readTextFile(path).catch((e: unknown) => Promise.reject(goFileError("open", path, e)));
  let ca: string;
  try {
    ca = await read(paths.caPath);
  } catch (error) {
    throw new Error(`failed to read TLS CA file: ${(error as Error).message}`);
  }
  // Go's tls.LoadX509KeyPair reads the certificate, then the key.
  let cert: string;
  let key: string;
  try {
    cert = await read(paths.certPath);
    key = await read(paths.keyPath);
  } catch (error) {
    throw new Error(`failed to load X509 key pair: ${(error as Error).message}`);
  }
  const tls: TlsClientConfig = { ca, cert, key, ...(paths.serverName ? { serverName: paths.serverName } : {}) };
  checkMaterial(platform, tls, paths.caPath);
  return tls;
}

/**
 * The platform's TLS client checks PEM material as Go's crypto/tls does (a CA bundle with no usable
 * certificate, a key that is not the certificate's) when a client is built; one is built and
 * dropped here so that the mistakes are found now rather than at every peer's handshake.
 */
function checkMaterial(platform: Platform, tls: TlsClientConfig, caPath: string): void {
  let client;
  try {
    client = platform.createFetchClient({ tls });
  } catch (error) {
    const part = (error as { part?: string }).part;
    if (part === "ca") throw new Error(`failed to append CA from PEM with path ${caPath}`);
    if (part === "keypair") throw new Error(`failed to load X509 key pair: ${(error as Error).message}`);
    throw error;
  }
  void client.close();
}
