// The `remotecfg` service (Alloy's internal/service/remotecfg): registers this collector with a
// configuration server speaking the alloy-remote-config API, polls it for a configuration, and
// runs that configuration in a controller of its own whose components have ids `remotecfg/<id>`
// (listed by the UI's remotecfg pages). The last configuration that loaded is cached on disk under
// `<storage.path>/remotecfg/<hash of the block>` and loaded from there when the server cannot be
// reached, at start-up and whenever the block changes.
//
// The order of events and the metrics follow Alloy's config_manager.go: each poll counts an
// attempt; a failed request counts a failure and, when allowed, falls back to the cache; a
// not_modified answer changes nothing; new content is loaded, and when it does not load the cached
// configuration is loaded again so that components are not left half-updated. Each GetConfig
// reports the status of the last configuration received (APPLYING, APPLIED, FAILED with its
// error) and the effective configuration, once each time they change, with an immediate second
// request when something changed during a poll.
//
// One deliberate difference, so that an agent whose server is down still starts from its cache: a
// failed RegisterCollector is logged, not fatal. Alloy fails the block's update with it (and with
// it the initial load) and stops polling when registration fails in Run; this service keeps the
// configuration running, retries the registration before each poll until it succeeds, and polls.
import type { Http2Client, Platform, TlsClientConfig } from "../../platform/mod.ts";
import type { Logger } from "../../runtime/logging/logger.ts";
import type { Registerer } from "../../runtime/metrics/registry.ts";
import type { Runtime } from "../../runtime/runtime.ts";
import type { Service, ServiceDefinition, ServiceHost } from "../../runtime/service.ts";
import { joinPath } from "../../runtime/paths.ts";
import { userAgent } from "../../runtime/useragent.ts";
import { SecretValue } from "../../syntax/value/index.ts";
import type { File } from "../../syntax/ast.ts";
import { allMessages, Severity } from "../../syntax/diag.ts";
import { printNode } from "../../syntax/printer.ts";
import { HttpClient, type HttpClientConfig } from "../../component/prometheus/httpclient.ts";
import { loadSeed } from "../usage-stats.ts";
import {
  argumentsHash,
  customTls,
  fnv32Hex,
  RemotecfgBlock,
  type RemotecfgArgs,
  RESERVED_ATTRIBUTE_NAMESPACE,
  unsupportedClientSettings,
} from "./arguments.ts";
import { type CollectorClient, ConnectCollectorClient } from "./client.ts";
import { RemotecfgMetrics } from "./metrics.ts";
import { type EffectiveConfig, type GetConfigResponse, type RemoteConfigStatus, RemoteConfigStatuses } from "./proto.ts";

export const REMOTECFG_SERVICE = "remotecfg";

/** Random spread of each poll around poll_frequency (Alloy's jitter ticker). */
const BASE_JITTER_MS = 100;
/** How long the collector may take to unregister at shutdown. */
const UNREGISTER_TIMEOUT_MS = 1000;
/** MIME type of the effective configuration sent back to the server. */
const EFFECTIVE_CONFIG_CONTENT_TYPE = "text/plain";

export interface RemotecfgOptions {
  platform: Platform;
  logger: Logger;
  /** `--storage.path`: the cache lives in `<storagePath>/remotecfg/`, the seed in `<storagePath>/alloy_seed.json`. */
  storagePath: string;
  metrics: Registerer;
  /** The agent's version without a leading "v" (collector.version, the User-Agent). */
  version: string;
  /** The path `alloy run` loaded; module_path of the remote configuration is its directory. */
  configPath(): string | undefined;
  /** fetch used for the API (defaults to the global fetch). */
  fetch?: typeof fetch;
}

/** What the service shares (Alloy's remotecfg.Data): its controller once running. */
export interface RemotecfgData {
  host: Runtime | undefined;
}

/** Thrown by getConfig when the server answered not_modified. */
class NotModified extends Error {}

/** Alloy's GetHost messages. */
export const REMOTECFG_STARTING = "remote config service startup in progress";

export class RemotecfgService implements Service<RemotecfgArgs> {
  readonly definition: ServiceDefinition<RemotecfgArgs> = {
    name: REMOTECFG_SERVICE,
    stability: "generally-available",
    args: RemotecfgBlock,
    dependsOn: [],
  };
  readonly metrics: RemotecfgMetrics;
  readonly #options: RemotecfgOptions;
  readonly #logger: Logger;
  readonly #systemAttributes: Record<string, string>;
  #userAgent: string | undefined;
  readonly #cacheDir: string;

  #args: RemotecfgArgs | undefined;
  #id = "";
  #attributes: Record<string, string> = {};
  /** Built from the arguments on first use; dropped when they change and when the service stops. */
  #client: CollectorClient | undefined;
  #tls: TlsClientConfig | undefined;
  #clientKey = "";
  /** The HTTP/2 client used when tls_config asks for a CA, a client certificate, a server name or no verification. */
  #tlsClient: Http2Client | undefined;
  #registered = false;
  #argsHash = "";
  /** Milliseconds between polls; undefined disables polling (no url). */
  #pollMs: number | undefined;
  #controller: Runtime | undefined;
  #runSignal: AbortSignal | undefined;
  #wake: (() => void) | undefined;
  /** fetchLoadConfig runs one at a time (polls and updates). */
  #queue: Promise<void> = Promise.resolve();
  #seedId: Promise<string> | undefined;

  // The config manager's state.
  #remoteHash = "";
  #lastLoadedHash = "";
  #lastReceivedHash = "";
  #status: RemoteConfigStatus = { status: RemoteConfigStatuses.UNSET, errorMessage: "" };
  #lastSentStatus: RemoteConfigStatus | undefined;
  #effective: Uint8Array | undefined;
  /** The configuration that last loaded, parsed (Alloy's astFile, for the support bundle). */
  #ast: File | undefined;
  #lastSentEffective: Uint8Array | undefined;

  constructor(options: RemotecfgOptions) {
    this.#options = options;
    this.#logger = options.logger;
    this.metrics = new RemotecfgMetrics(options.metrics);
    const { platform } = options;
    this.#systemAttributes = {
      [`${RESERVED_ATTRIBUTE_NAMESPACE}.version`]: `v${options.version}`,
      [`${RESERVED_ATTRIBUTE_NAMESPACE}.os`]: platform.runtime.os,
    };
    this.#cacheDir = joinPath(options.storagePath, REMOTECFG_SERVICE);
  }

  data(): RemotecfgData {
    return { host: this.#controller };
  }

  /** The controller running the remote configuration; throws Alloy's GetHost error while there is none. */
  host(): Runtime {
    if (!this.#controller) throw new Error(REMOTECFG_STARTING);
    return this.#controller;
  }

  /** Where the configuration for the current block is cached. */
  get cachePath(): string {
    return joinPath(this.#cacheDir, this.#argsHash);
  }

  /** Hash of the configuration running (from the server or the cache); "" before any. */
  get lastLoadedHash(): string {
    return this.#lastLoadedHash;
  }

  /** Hash of the last configuration the server sent, whether it loaded or not. */
  get lastReceivedHash(): string {
    return this.#lastReceivedHash;
  }

  /** The status reported to the server with the next change. */
  get status(): Readonly<RemoteConfigStatus> {
    return this.#status;
  }

  // --- configuration ---------------------------------------------------------------------------

  async update(args: RemotecfgArgs): Promise<void> {
    if (args.url === "") {
      // No block, or no url: nothing is polled. What runs keeps running, as in Alloy.
      this.#args = args;
      this.#client = undefined;
      this.#clientKey = "";
      await this.#closeTlsClient();
      this.#registered = false;
      this.#setLastLoadedHash("");
      this.#setLastReceivedHash("");
      this.#remoteHash = "";
      this.#setPollFrequency(undefined);
      return;
    }
    const unsupported = unsupportedClientSettings(args);
    if (unsupported !== undefined) throw new Error(unsupported);

    const id = args.id !== "" ? args.id : await this.#defaultId();
    const settings = args.http_client as HttpClientConfig;
    const tls = await this.#tlsSettings(args);
    const clientKey = JSON.stringify([args.url, clientSettingsKey(settings), tls ?? null]);
    if (clientKey !== this.#clientKey) {
      await this.#closeTlsClient();
      this.#client = undefined;
      this.#tls = tls;
      this.#clientKey = clientKey;
    }
    this.#argsHash = argumentsHash(args);
    this.#setPollFrequency(args.poll_frequency / 1e6);
    this.#attributes = { ...this.#systemAttributes, ...(args.attributes ?? {}) };
    this.#id = id;
    this.#args = args;

    this.#registered = false;
    await this.#register();

    // Once running, a changed block fetches at once (and may use the cache of the new block).
    if (this.#controller?.ready) await this.#fetchLoadConfig(true);
  }

  /** The TLS settings for the platform's HTTP/2 client, files read now; undefined when fetch will do. */
  async #tlsSettings(args: RemotecfgArgs): Promise<TlsClientConfig | undefined> {
    const tls = (args.http_client as HttpClientConfig).tls_config;
    if (!customTls(tls) || !args.url.startsWith("https:")) return undefined;
    const read = async (pem: string, file: string, what: string) => {
      if (pem !== "" || file === "") return pem;
      try {
        return await this.#options.platform.fs.readTextFile(file);
      } catch (error) {
        throw new Error(`remotecfg: unable to read ${what} ${file}: ${message(error)}`);
      }
    };
    const out: TlsClientConfig = {};
    const ca = await read(tls.ca_pem, tls.ca_file, "CA cert");
    const cert = await read(tls.cert_pem, tls.cert_file, "client cert");
    const key = await read(tls.key_pem?.value ?? "", tls.key_file, "client key");
    if (ca !== "") out.ca = ca;
    if (cert !== "") out.cert = cert;
    if (key !== "") out.key = key;
    if (tls.server_name !== "") out.serverName = tls.server_name;
    if (tls.insecure_skip_verify) out.insecureSkipVerify = true;
    return out;
  }

  #api(): CollectorClient {
    if (this.#client) return this.#client;
    const args = this.#args!;
    let transport: typeof fetch = this.#options.fetch ?? ((input, init) => fetch(input, init));
    if (this.#tls) {
      const client = this.#options.platform.createHttp2Client(new URL(args.url).origin, { tls: this.#tls, connectTimeoutMs: 10_000 });
      this.#tlsClient = client;
      transport = (input, init) => client.fetch(input, init);
    }
    // The transport already carries the TLS settings (the HTTP/2 client); HttpClient adds the rest.
    const http = new HttpClient({ ...(args.http_client as HttpClientConfig), tls_config: null }, transport, this.#options.platform);
    this.#client = new ConnectCollectorClient(args.url, (url, init) => http.fetch(url, init), this.#agent());
    return this.#client;
  }

  /** Alloy's User-Agent, `Alloy/<version> (<os>; <deploy mode>)`, read when first needed. */
  #agent(): string {
    return (this.#userAgent ??= userAgent(this.#options.platform, this.#options.version));
  }

  async #closeTlsClient(): Promise<void> {
    const client = this.#tlsClient;
    if (!client) return;
    this.#tlsClient = undefined;
    this.#client = undefined;
    await client.close();
  }

  #defaultId(): Promise<string> {
    const { platform, storagePath, version } = this.#options;
    this.#seedId ??= loadSeed(platform, storagePath, version, this.#logger).then((seed) => seed.UID);
    return this.#seedId;
  }

  #setPollFrequency(ms: number | undefined): void {
    if (this.#pollMs === ms) return;
    this.#pollMs = ms;
    this.#wake?.();
  }

  get #enabled(): boolean {
    return this.#args !== undefined && this.#args.url !== "";
  }

  // --- running ---------------------------------------------------------------------------------

  async run(host: ServiceHost, signal: AbortSignal): Promise<void> {
    this.#runSignal = signal;
    const controller = host.newController(REMOTECFG_SERVICE);
    this.#controller = controller;
    // A new controller runs nothing yet (a runtime started again): what ran before must load again.
    this.#remoteHash = "";
    this.#lastLoadedHash = "";
    this.#lastReceivedHash = "";
    this.#effective = undefined;
    this.#ast = undefined;
    try {
      await this.#fetchLoadConfig(true); // the cache is a fallback at start-up
      await this.#register();
      controller.start();
      while (!signal.aborted) {
        if (await this.#nextTick(signal)) await this.#fetchLoadConfig(false);
      }
    } finally {
      if (this.#enabled) {
        try {
          await this.#api().unregisterCollector({ id: this.#id }, AbortSignal.timeout(UNREGISTER_TIMEOUT_MS));
        } catch (error) {
          this.#logger.error("failed to unregister collector during service shutdown", { err: message(error) });
        }
      }
      await this.#queue;
      await controller.stop();
      await this.#closeTlsClient();
      this.#runSignal = undefined;
      if (this.#controller === controller) this.#controller = undefined;
    }
  }

  /** Resolves true when a poll is due, false when woken early (new frequency) or stopped. */
  #nextTick(signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (due: boolean) => {
        if (timer !== undefined) clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        this.#wake = undefined;
        resolve(due);
      };
      const onAbort = () => finish(false);
      if (signal.aborted) return finish(false);
      signal.addEventListener("abort", onAbort, { once: true });
      this.#wake = () => finish(false);
      if (this.#pollMs !== undefined) {
        const jitter = (Math.random() * 2 - 1) * BASE_JITTER_MS;
        timer = setTimeout(() => finish(true), Math.max(0, this.#pollMs + jitter));
      }
    });
  }

  /** Polls now (tests and tools); resolves when the configuration was fetched and applied. */
  pollNow(): Promise<void> {
    return this.#fetchLoadConfig(false);
  }

  /** Each request is bounded by the run and by one poll period, so a hung server cannot stall polling. */
  #requestSignal(): AbortSignal {
    const timeout = AbortSignal.timeout(Math.max(10_000, this.#pollMs ?? 60_000));
    return this.#runSignal ? AbortSignal.any([this.#runSignal, timeout]) : timeout;
  }

  async #register(): Promise<void> {
    if (!this.#enabled) return;
    try {
      await this.#api().registerCollector({ id: this.#id, localAttributes: this.#attributes, name: this.#args!.name }, this.#requestSignal());
      this.#registered = true;
    } catch (error) {
      this.#logger.error("failed to register collector with remote server", { id: this.#id, name: this.#args!.name, err: message(error) });
    }
  }

  // --- fetching and loading (config_manager.go) -----------------------------------------------

  #fetchLoadConfig(allowCacheFallback: boolean): Promise<void> {
    const next = this.#queue.then(async () => {
      if (!this.#enabled) return;
      if (!this.#registered) await this.#register();
      try {
        await this.#fetchLoadRemoteConfig();
      } catch (error) {
        if (allowCacheFallback) {
          this.#logger.error("failed to fetch remote config, falling back to cache", { err: message(error) });
          await this.#fetchLoadLocalConfig();
        } else {
          this.#logger.error("failed to fetch remote config, continuing with current config", { err: message(error) });
        }
      }
      await this.#notifyStatusUpdate();
    });
    this.#queue = next.catch(() => {});
    return next;
  }

  async #getConfig(): Promise<GetConfigResponse> {
    const status = this.#statusForRequest();
    const effective = this.#effectiveConfigForRequest();
    const start = performance.now();
    let response: GetConfigResponse;
    try {
      response = await this.#api().getConfig(
        { id: this.#id, localAttributes: this.#attributes, hash: this.#remoteHash, remoteConfigStatus: status, effectiveConfig: effective },
        this.#requestSignal(),
      );
    } catch (error) {
      // Not sent after all: send them with the next request.
      this.#lastSentStatus = undefined;
      this.#lastSentEffective = undefined;
      this.#logger.error("failed to get configuration from remote server", { id: this.#id, err: message(error) });
      throw error;
    }
    this.metrics.getConfigTime.observe((performance.now() - start) / 1000);
    if (response.notModified) throw new NotModified("config not modified since last fetch");
    return response;
  }

  async #fetchLoadRemoteConfig(): Promise<void> {
    this.#logger.debug("fetching remote configuration");
    let response: GetConfigResponse | undefined;
    let failure: unknown;
    try {
      response = await this.#getConfig();
    } catch (error) {
      failure = error;
    }
    this.metrics.totalAttempts.inc();

    if (failure instanceof NotModified) {
      this.#logger.debug("skipping over API response since it has not been modified since last fetch");
      this.metrics.lastFetchNotModified.set(1);
      // APPLIED only when what the server keeps sending is what runs (not a broken config it repeats).
      if (this.#lastLoadedHash !== "" && this.#lastReceivedHash !== "" && this.#lastLoadedHash === this.#lastReceivedHash) {
        this.#setStatus(RemoteConfigStatuses.APPLIED, "");
      }
      return;
    }
    if (failure !== undefined) {
      this.#logger.error("failed to fetch remote config", { err: message(failure) });
      this.metrics.totalFailures.inc();
      this.metrics.lastLoadSuccess.set(0);
      this.#setStatus(RemoteConfigStatuses.FAILED, message(failure));
      throw failure;
    }

    this.metrics.lastFetchSuccessTime.set(Date.now() / 1000);
    this.metrics.lastFetchNotModified.set(0);
    if (response!.hash !== "") {
      this.#logger.debug("setting remote hash", { hash: response!.hash });
      this.#remoteHash = response!.hash;
    }
    const bytes = new TextEncoder().encode(response!.content);
    const hash = fnv32Hex(bytes);
    if (this.#lastReceivedHash === hash) {
      this.#logger.debug("skipping over API response since it matched the last received one", { config_hash: hash });
      return;
    }
    this.#setLastReceivedHash(hash);
    if (this.#lastLoadedHash === hash) {
      // A broken configuration was replaced by the one that runs: nothing to load.
      this.#logger.debug("skipping over API response since it matched the last loaded one", { config_hash: hash });
      this.#setStatus(RemoteConfigStatuses.APPLIED, "");
      return;
    }

    this.#logger.info("attempting to parse and load new remote configuration", { config_hash: hash });
    this.#setStatus(RemoteConfigStatuses.APPLYING, "");
    try {
      await this.#parseAndLoad(bytes);
    } catch (error) {
      this.#logger.error("failed to parse and load new remote configuration", {
        received_hash: hash,
        loaded_hash: this.#lastLoadedHash,
        err: message(error),
      });
      this.metrics.lastLoadSuccess.set(0);
      this.#setStatus(RemoteConfigStatuses.FAILED, message(error));
      // What did not load may have left components half-updated: load the cached configuration again.
      if (this.#lastLoadedHash !== "") {
        this.#logger.info("attempting to reload cached configuration to restore component health");
        let cached: Uint8Array;
        try {
          cached = await this.#options.platform.fs.readFile(this.cachePath);
        } catch (readError) {
          this.#logger.error("failed to read cached configuration for fallback", { err: message(readError) });
          throw readError;
        }
        try {
          await this.#parseAndLoad(cached);
        } catch (reloadError) {
          this.#logger.error("failed to reload cached configuration", { err: message(reloadError) });
          throw reloadError;
        }
        this.#logger.info("successfully restored cached configuration");
        this.metrics.lastLoadSuccess.set(1);
        return;
      }
      throw error;
    }

    this.#setLastLoadedHash(hash);
    this.metrics.lastLoadSuccess.set(1);
    this.#setStatus(RemoteConfigStatuses.APPLIED, "");
    this.#logger.info("successfully loaded remote configuration", { config_hash: hash, config_size: bytes.length });
    await this.#writeCache(bytes);
  }

  async #fetchLoadLocalConfig(): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = await this.#options.platform.fs.readFile(this.cachePath);
    } catch (error) {
      this.#logger.error("failed to read from cache", { cache_path: this.cachePath, err: message(error) });
      return;
    }
    try {
      await this.#parseAndLoad(bytes);
    } catch (error) {
      this.#logger.error("failed to load from cache", { cache_path: this.cachePath, err: message(error) });
      return;
    }
    const hash = fnv32Hex(bytes);
    this.#setLastLoadedHash(hash);
    this.#logger.info("successfully loaded configuration from cache", { config_hash: hash, config_size: bytes.length, cache_path: this.cachePath });
  }

  async #writeCache(bytes: Uint8Array): Promise<void> {
    try {
      await this.#options.platform.fs.mkdirp(this.#cacheDir);
      await this.#options.platform.fs.writeFileAtomic(this.cachePath, bytes);
    } catch (error) {
      this.#logger.error("failed to flush remote configuration contents the on-disk cache", { err: message(error) });
    }
  }

  /** Loads a configuration into the service's controller; throws with every diagnostic's message. */
  async #parseAndLoad(bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0) return;
    const controller = this.#controller;
    if (!controller) throw new Error("controller not available - parseAndLoad called before Run()");
    const path = this.#options.configPath();
    const result = await controller.load(new Map([["", bytes]]), path === undefined ? {} : { path });
    if (!result.ok) {
      // Alloy reports every diagnostic's message (AllMessages) as the FAILED status's error.
      const errors = result.diagnostics.filter((d) => d.severity === Severity.Error);
      throw new Error(errors.length > 0 ? allMessages(errors) : (result.error ?? "load failed"));
    }
    this.#effective = bytes;
    this.#ast = controller.parsedSources.get("");
  }

  /**
   * The configuration that last loaded, printed with secrets redacted; "" before any (Alloy's
   * GetCachedAstFile, which its support bundle stores as sources/remote-config/remote.alloy).
   */
  redactedConfig(): string {
    return this.#ast ? printNode(this.#ast, { redactSecrets: true }) : "";
  }

  #setLastLoadedHash(hash: string): void {
    this.#lastLoadedHash = hash;
    this.metrics.configHash.with(hash).set(1);
  }

  #setLastReceivedHash(hash: string): void {
    this.#lastReceivedHash = hash;
    this.metrics.lastReceivedConfigHash.with(hash).set(1);
  }

  // --- what each request reports ---------------------------------------------------------------

  #setStatus(status: RemoteConfigStatuses, errorMessage: string): void {
    this.#status = { status, errorMessage };
  }

  /** The status when it changed since last sent (or was never sent), else nothing. */
  #statusForRequest(): RemoteConfigStatus | undefined {
    const last = this.#lastSentStatus;
    if (last && last.status === this.#status.status && last.errorMessage === this.#status.errorMessage) return undefined;
    this.#lastSentStatus = { ...this.#status };
    return { ...this.#status };
  }

  #effectiveConfigForRequest(): EffectiveConfig | undefined {
    const current = this.#effective;
    if (!current || sameBytes(current, this.#lastSentEffective)) return undefined;
    this.#lastSentEffective = current;
    return { configMap: new Map([["", { body: current, contentType: EFFECTIVE_CONFIG_CONTENT_TYPE }]]) };
  }

  #hasPendingUpdates(): boolean {
    const last = this.#lastSentStatus;
    const statusPending = !last || last.status !== this.#status.status || last.errorMessage !== this.#status.errorMessage;
    const effectivePending = this.#effective !== undefined && !sameBytes(this.#effective, this.#lastSentEffective);
    return statusPending || effectivePending;
  }

  /** Tells the server at once about a status or configuration that changed during the poll. */
  async #notifyStatusUpdate(): Promise<void> {
    if (!this.#hasPendingUpdates()) {
      this.#logger.debug("no pending status/effective-config updates; skipping notify");
      return;
    }
    this.#logger.debug("making immediate GetConfig call to report status update");
    try {
      await this.#getConfig();
      this.#logger.debug("successfully notified server of status update");
    } catch (error) {
      if (error instanceof NotModified) this.#logger.debug("successfully notified server of status update");
      else this.#logger.error("status notification call failed, will retry on next poll", { err: message(error) });
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array | undefined): boolean {
  if (!b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The client settings a new API client depends on (secrets by value, so a new password takes effect). */
function clientSettingsKey(h: HttpClientConfig): string {
  return JSON.stringify(h, (_key, value: unknown) => (value instanceof SecretValue ? { secret: value.value } : value));
}
