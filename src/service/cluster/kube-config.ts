// How go-discover's k8s provider reaches the Kubernetes API: client-go's in-cluster configuration
// (the service account a pod is given) or a kubeconfig file. Of kubeconfig, the parts that need
// no plugin are read: the current context's server, CA, TLS server name and skip-verify, and its
// user's token, token file, basic auth or client certificate, and the cluster's proxy-url.
// Credential plugins (exec, auth-provider) are refused by name instead of being ignored.
import { dirname, isAbsolute, resolve } from "pathe";
import { parse as parseYaml } from "yaml";
import type { FileSystem, TlsClientConfig } from "../../platform/types.ts";
import type { Logger } from "./memberlist/config.ts";
import { joinHostPort } from "./net-address.ts";

/** Where and how to call the API server. */
export interface KubeApiConfig {
  /** The server's URL, e.g. https://10.96.0.1:443 (a path prefix is kept). */
  server: string;
  tls: TlsClientConfig;
  /** The Authorization header value, if any. */
  authorization?: string;
  /** A kubeconfig cluster's proxy-url; without one, client-go follows HTTPS_PROXY and NO_PROXY. */
  proxyUrl?: string;
}

export type KubeFs = Pick<FileSystem, "readTextFile" | "stat">;

/** The folder Kubernetes mounts a pod's service account credentials in. */
export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** An error worded as Go's os package words it (`open x: no such file or directory`). */
function fileError(path: string, error: unknown): Error {
  const code = (error as { code?: string }).code;
  const reason =
    code === "ENOENT" || (error as Error).name === "NotFound" ? "no such file or directory"
    : code === "EACCES" ? "permission denied"
    : code === "EISDIR" ? "is a directory"
    : (error as Error).message;
  return new Error(`open ${path}: ${reason}`);
}

async function readFile(fs: KubeFs, path: string): Promise<string> {
  try {
    return await fs.readTextFile(path);
  } catch (error) {
    throw fileError(path, error);
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/**
 * client-go's rest.InClusterConfig: the API server from KUBERNETES_SERVICE_HOST/PORT, the
 * service account's token, and its CA (a CA that cannot be read is logged and the system's
 * roots are used, as client-go does).
 */
export async function inClusterConfig(
  getEnv: (name: string) => string | undefined,
  fs: KubeFs,
  logger: Logger,
  serviceAccountDir = SERVICE_ACCOUNT_DIR,
): Promise<KubeApiConfig> {
  const host = getEnv("KUBERNETES_SERVICE_HOST") ?? "";
  const port = getEnv("KUBERNETES_SERVICE_PORT") ?? "";
  if (host === "" || port === "") {
    throw new Error("unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined");
  }
  // client-go reads the token file through a source that trims it.
  const token = (await readFile(fs, `${serviceAccountDir}/token`)).trim();
  const tls: TlsClientConfig = {};
  const caPath = `${serviceAccountDir}/ca.crt`;
  try {
    const ca = await readFile(fs, caPath);
    if (!PEM_CERTIFICATE.test(ca)) throw new Error("data does not contain any valid RSA or ECDSA certificates");
    tls.ca = ca;
  } catch (error) {
    logger.error(`Expected to load root CA config from ${caPath}, but got err: ${(error as Error).message}`);
  }
  return { server: `https://${joinHostPort(host, port)}`, tls, authorization: `Bearer ${token}` };
}

type YamlObject = Record<string, unknown>;

function isObject(value: unknown): value is YamlObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The entry of a kubeconfig list (clusters, users, contexts) with the given name. */
function named(list: unknown, name: string, field: string): YamlObject | undefined {
  if (!Array.isArray(list)) return undefined;
  const entry = list.find((e) => isObject(e) && e.name === name) as YamlObject | undefined;
  const body = entry?.[field];
  return isObject(body) ? body : entry ? {} : undefined;
}

function text(object: YamlObject, key: string): string {
  const value = object[key];
  return typeof value === "string" ? value : "";
}

function decodeBase64(value: string, what: string): string {
  try {
    const binary = atob(value.replace(/\s+/g, ""));
    return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    throw new Error(`invalid configuration: ${what} is not valid base64`);
  }
}

/**
 * A kubeconfig file's current context, as client-go's clientcmd builds a client from it. Errors
 * follow client-go's wording where it has one.
 */
export async function kubeconfigFileConfig(path: string, fs: KubeFs): Promise<KubeApiConfig> {
  if (!(await fs.stat(path))) throw new Error(`stat ${path}: no such file or directory`);
  let document: unknown;
  try {
    document = parseYaml(await readFile(fs, path));
  } catch (error) {
    throw new Error(`error loading config file "${path}": ${(error as Error).message}`);
  }
  const config = isObject(document) ? document : {};
  const base = dirname(path);
  // Paths in a kubeconfig are relative to the file itself.
  const fileAt = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const pem = async (object: YamlObject, dataKey: string, fileKey: string) => {
    const data = text(object, dataKey);
    if (data !== "") return decodeBase64(data, dataKey);
    const file = text(object, fileKey);
    return file === "" ? undefined : await readFile(fs, fileAt(file));
  };

  const contextName = text(config, "current-context");
  if (contextName === "") {
    throw new Error("invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable");
  }
  const context = named(config.contexts, contextName, "context");
  if (!context) throw new Error(`invalid configuration: context was not found for specified context: ${contextName}`);
  const clusterName = text(context, "cluster");
  const cluster = named(config.clusters, clusterName, "cluster");
  if (!cluster) throw new Error(`invalid configuration: cluster ${JSON.stringify(clusterName)} not found for context ${JSON.stringify(contextName)}`);
  const server = text(cluster, "server");
  if (server === "") throw new Error("invalid configuration: cluster has no server defined");

  const tls: TlsClientConfig = {};
  const ca = await pem(cluster, "certificate-authority-data", "certificate-authority");
  if (ca !== undefined) tls.ca = ca;
  if (cluster["insecure-skip-tls-verify"] === true) tls.insecureSkipVerify = true;
  const serverName = text(cluster, "tls-server-name");
  if (serverName !== "") tls.serverName = serverName;

  const out: KubeApiConfig = { server, tls };
  const proxyUrl = text(cluster, "proxy-url");
  if (proxyUrl !== "") out.proxyUrl = proxyUrl;
  const userName = text(context, "user");
  const user = userName === "" ? {} : named(config.users, userName, "user");
  if (!user) throw new Error(`invalid configuration: user ${JSON.stringify(userName)} not found for context ${JSON.stringify(contextName)}`);
  if (user.exec !== undefined) throw new Error(`user ${JSON.stringify(userName)}: exec credential plugins are not supported by alloy-ts`);
  if (user["auth-provider"] !== undefined) throw new Error(`user ${JSON.stringify(userName)}: auth-provider plugins are not supported by alloy-ts`);
  const cert = await pem(user, "client-certificate-data", "client-certificate");
  const key = await pem(user, "client-key-data", "client-key");
  if (cert !== undefined) tls.cert = cert;
  if (key !== undefined) tls.key = key;
  const token = text(user, "token") || (text(user, "tokenFile") && (await readFile(fs, fileAt(text(user, "tokenFile")))).trim());
  if (token) {
    out.authorization = `Bearer ${token}`;
  } else if (text(user, "username") !== "") {
    const credentials = new TextEncoder().encode(`${text(user, "username")}:${text(user, "password")}`);
    out.authorization = `Basic ${btoa(String.fromCharCode(...credentials))}`;
  }
  return out;
}
