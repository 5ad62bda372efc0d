// go-discover's k8s provider (provider/k8s/k8s_discover.go), which Alloy registers for
// --cluster.discover-peers "provider=k8s label_selector=… namespace=…". It lists the pods of a
// namespace through the Kubernetes API and joins the running, ready ones at their pod IP (or host
// IP with host_network=true), with the port named by the pod's
// consul.hashicorp.com/auto-join-port annotation when it has one.
//
// The API is reached as go-discover reaches it: a kubeconfig file first (the kubeconfig argument,
// else ~/.kube/config), then the pod's in-cluster service account.
import type { TlsClientConfig } from "../../platform/types.ts";
import { quote } from "../../syntax/quote.ts";
import type { DiscoverProvider } from "./go-discover.ts";
import { inClusterConfig, type KubeApiConfig, type KubeFs, kubeconfigFileConfig, SERVICE_ACCOUNT_DIR } from "./kube-config.ts";
import type { Logger } from "./memberlist/config.ts";

/** The pod annotation naming the port to join: a container port's name, or a number. */
export const PORT_ANNOTATION = "consul.hashicorp.com/auto-join-port";

/** An HTTPS client for one API server (the platform's FetchClient). */
export interface HttpsClient {
  fetch(input: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export interface HttpsClientSettings {
  tls: TlsClientConfig;
  /** The proxy a kubeconfig names; without one, HTTPS_PROXY and NO_PROXY apply as in client-go. */
  proxyUrl?: string;
}

export type HttpsClientFactory = (settings: HttpsClientSettings) => HttpsClient;

export interface K8sProviderOptions {
  fs: KubeFs;
  getEnv(name: string): string | undefined;
  /** Opens the client that talks to the API server with its TLS settings (custom CA, client certificate) and proxy. */
  connect: HttpsClientFactory;
  /** Where the service account's token and ca.crt are; Kubernetes' mount point unless a test says otherwise. */
  serviceAccountDir?: string;
  /** How long the pod list may take. client-go waits without limit; a stuck API server must not stall the join. */
  requestTimeoutMs?: number;
}

/** The parts of a core/v1 Pod the provider reads. */
interface Pod {
  metadata?: { name?: string; annotations?: Record<string, string> };
  spec?: { containers?: { ports?: { name?: string; containerPort?: number; hostPort?: number }[] }[] };
  status?: { phase?: string; podIP?: string; hostIP?: string; conditions?: { type?: string; status?: string }[] };
}

/** Go's strconv.ParseBool. */
function parseBool(value: string): boolean {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false;
  throw new Error(`strconv.ParseBool: parsing ${quote(value)}: invalid syntax`);
}

/** Go's strconv.ParseInt(text, 0, 32): a sign, then decimal, 0x, 0o, 0b or leading-0 octal, with underscores between digits. */
function parseInt32(text: string): number {
  const fail = (why: string): never => {
    throw new Error(`strconv.ParseInt: parsing ${quote(text)}: ${why}`);
  };
  const m = /^([+-]?)(0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|0(?:_?[0-7])*|[1-9](?:_?\d)*)$/.exec(text);
  if (!m) fail("invalid syntax");
  const digits = m![2]!.replace(/_/g, "");
  let value: number;
  if (/^0[xXoObB]/.test(digits)) value = Number(digits.toLowerCase());
  else if (digits.length > 1 && digits.startsWith("0")) value = parseInt(digits.slice(1), 8);
  else value = Number(digits);
  if (m![1] === "-") value = -value;
  if (value > 2 ** 31 - 1 || value < -(2 ** 31)) fail("value out of range");
  return value;
}

/** go-discover's podPort: a named container port (its host port with host_network), else the number. */
function podPort(pod: Pod, annotation: string, hostNetwork: boolean): number {
  for (const container of pod.spec?.containers ?? []) {
    for (const port of container.ports ?? []) {
      if (port.name !== annotation) continue;
      if (!hostNetwork) return port.containerPort ?? 0;
      // A named port without a host port does not count on the host network.
      if (port.hostPort) return port.hostPort;
    }
  }
  return parseInt32(annotation);
}

/** go-discover's PodAddrs: the addresses of the running, ready pods. */
export function podAddrs(pods: readonly Pod[], args: ReadonlyMap<string, string>, logger: Logger): string[] {
  let hostNetwork = false;
  const hostNetworkArg = args.get("host_network") ?? "";
  if (hostNetworkArg !== "") {
    try {
      hostNetwork = parseBool(hostNetworkArg);
    } catch (error) {
      throw new Error(`discover-k8s: host_network must be boolean value: ${(error as Error).message}`);
    }
  }
  const addrs: string[] = [];
  for (const pod of pods) {
    const name = quote(pod.metadata?.name ?? "");
    const phase = pod.status?.phase ?? "";
    if (phase !== "Running") {
      logger.debug(`[DEBUG] discover-k8s: ignoring pod ${name}, not running: ${quote(phase)}`);
      continue;
    }
    // Without a Ready condition the pod counts as ready.
    if ((pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status !== "True")) {
      logger.debug(`[DEBUG] discover-k8s: ignoring pod ${name}, not ready state`);
      continue;
    }
    let addr = (hostNetwork ? pod.status?.hostIP : pod.status?.podIP) ?? "";
    if (addr === "") {
      logger.debug(`[DEBUG] discover-k8s: ignoring pod ${name}, requested IP is empty`);
      continue;
    }
    const annotation = pod.metadata?.annotations?.[PORT_ANNOTATION] ?? "";
    if (annotation !== "") {
      let port: number;
      try {
        port = podPort(pod, annotation, hostNetwork);
      } catch (error) {
        logger.debug(`[DEBUG] discover-k8s: ignoring pod ${name}, error retrieving port: ${(error as Error).message}`);
        continue;
      }
      // go-discover writes "%s:%d" without brackets, also for an IPv6 pod IP.
      addr = `${addr}:${port}`;
    }
    addrs.push(addr);
  }
  return addrs;
}

/** The text of a failed API call: the Status object's message when the server sent one (as client-go shows it). */
async function apiError(response: Response): Promise<string> {
  const body = await response.text().catch(() => "");
  try {
    const status = JSON.parse(body) as { kind?: string; message?: string };
    if (status.kind === "Status" && status.message) return status.message;
  } catch {
    // Not JSON: describe the response instead.
  }
  const detail = body.trim() === "" ? "" : `: ${body.trim().slice(0, 200)}`;
  return `the server responded with HTTP ${response.status} (get pods)${detail}`;
}

/** GET /api/v1/namespaces/<ns>/pods with the selectors, as client-go's Pods(ns).List sends it. */
async function listPods(api: KubeApiConfig, args: ReadonlyMap<string, string>, options: K8sProviderOptions): Promise<Pod[]> {
  const namespace = args.get("namespace") || "default";
  const url = new URL(api.server);
  url.pathname = `${url.pathname.replace(/\/$/, "")}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
  // client-go sends only the selectors that are set, keys in sorted order.
  const field = args.get("field_selector") ?? "";
  const label = args.get("label_selector") ?? "";
  if (field !== "") url.searchParams.set("fieldSelector", field);
  if (label !== "") url.searchParams.set("labelSelector", label);
  const headers: Record<string, string> = { accept: "application/json" };
  if (api.authorization) headers.authorization = api.authorization;
  const client = options.connect(api.proxyUrl ? { tls: api.tls, proxyUrl: api.proxyUrl } : { tls: api.tls });
  try {
    let response: Response;
    try {
      response = await client.fetch(url.href, { headers, signal: AbortSignal.timeout(options.requestTimeoutMs ?? 30_000) });
    } catch (error) {
      throw new Error(`Get ${quote(url.href)}: ${(error as Error).message}`);
    }
    if (!response.ok) throw new Error(await apiError(response));
    const list = (await response.json().catch((error: Error) => {
      throw new Error(`decoding the pod list from ${url.href}: ${error.message}`);
    })) as { items?: Pod[] | null };
    return list.items ?? [];
  } finally {
    await client.close();
  }
}

/** go-discover's order: a kubeconfig file, then the in-cluster service account; both failures are reported. */
async function apiConfig(args: ReadonlyMap<string, string>, options: K8sProviderOptions, logger: Logger): Promise<KubeApiConfig> {
  let kubeconfig = args.get("kubeconfig") ?? "";
  let configError: string;
  if (kubeconfig === "") {
    const home = options.getEnv("HOME") || options.getEnv("USERPROFILE") || "";
    kubeconfig = home === "" ? "" : `${home.replace(/[\\/]$/, "")}/.kube/config`;
  }
  if (kubeconfig === "") {
    configError = "discover-k8s: error retrieving home directory: $HOME is not defined";
  } else {
    try {
      return await kubeconfigFileConfig(kubeconfig, options.fs);
    } catch (error) {
      configError = `discover-k8s: error loading kubeconfig: ${(error as Error).message}`;
    }
  }
  try {
    return await inClusterConfig(options.getEnv, options.fs, logger, options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR);
  } catch (error) {
    // hashicorp/go-multierror's list format.
    const points = [configError, `discover-k8s: error loading in-cluster config: ${(error as Error).message}`];
    throw new Error(`${points.length} errors occurred:\n\t${points.map((p) => `* ${p}`).join("\n\t")}\n\n`);
  }
}

export function k8sProvider(options: K8sProviderOptions): DiscoverProvider {
  return {
    async addrs(args, logger) {
      const api = await apiConfig(args, options, logger);
      let pods: Pod[];
      try {
        pods = await listPods(api, args, options);
      } catch (error) {
        throw new Error(`discover-k8s: error listing pods: ${(error as Error).message}`);
      }
      return podAddrs(pods, args, logger);
    },
  };
}
