// The HTTP service of `alloy run`: the hono app on the platform server (HTTP/1.1 and h2c on one
// port), the `http` block applied at each load (TLS on, off or changed for new connections; basic
// auth at once), and the in-memory address for requests from inside the agent.
import type { Hono } from "hono";
import type { HttpServer, Platform, TlsServerConfig } from "../../platform/mod.ts";
import type { Logger } from "../../runtime/logging/logger.ts";
import type { HttpAppEnv } from "./app.ts";
import type { BasicAuthConfig } from "./auth.ts";
import { basicAuthOf, tlsConfigOf, type HttpBlockArgs } from "./config.ts";
import { parseListenAddress } from "./listen-address.ts";
import { memoryFetch } from "./memory.ts";

export interface HttpServiceOptions {
  platform: Platform;
  logger: Logger;
  listenAddr: string;
  memoryAddr: string;
}

export class HttpService {
  #server: HttpServer | undefined;
  #app: Hono | undefined;
  #auth: BasicAuthConfig | undefined;
  /** The listener's TLS settings from the last `http` block; applied at start if it came first. */
  #tls: TlsServerConfig | undefined;
  /** fetch for components: the in-memory address reaches the app without a socket. */
  readonly fetch: typeof fetch;

  constructor(private readonly options: HttpServiceOptions) {
    this.fetch = memoryFetch(options.memoryAddr, (request) => {
      if (!this.#app) return new Response("HTTP service not started\n", { status: 503 });
      return this.#app.fetch(request);
    });
  }

  /** The basic auth of the current `http` block, read by the app per request. */
  basicAuth(): BasicAuthConfig | undefined {
    return this.#auth;
  }

  /** Applies an `http` block (or its absence); rejects when a TLS file cannot be read. */
  async apply(args: HttpBlockArgs | undefined): Promise<void> {
    const tls = args?.tls ? await tlsConfigOf(args.tls, (path) => this.options.platform.fs.readTextFile(path)) : undefined;
    this.#auth = args ? basicAuthOf(args) : undefined;
    if (tls || this.#tls) {
      this.options.logger.info(tls ? "applying TLS config to HTTP server" : "applying non-TLS config to HTTP server");
    }
    this.#tls = tls;
    this.#server?.setTls(tls);
  }

  /** Starts listening; rejects with Alloy's message when the address cannot be bound. */
  async start(app: Hono): Promise<void> {
    this.#app = app;
    const address = parseListenAddress(this.options.listenAddr);
    try {
      this.#server = await this.options.platform.serve({
        hostname: address.hostname,
        port: address.port,
        tls: this.#tls,
        fetch: (request, connection) => app.fetch(request, { connection } satisfies HttpAppEnv),
        onError: (error) => this.options.logger.debug("http connection error", { err: error.message }),
      });
    } catch (error) {
      throw new Error(`failed to listen on ${this.options.listenAddr}: ${(error as Error).message}`);
    }
    // The bound address: with port 0 the system picked one, and this line is how users (and tests) learn it.
    const host = address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname;
    this.options.logger.info("now listening for http traffic", { service: "http", addr: `${host}:${this.#server.port}` });
  }

  /** The port actually bound (useful with port 0). */
  get port(): number | undefined {
    return this.#server?.port;
  }

  async stop(graceMs = 5000): Promise<void> {
    await this.#server?.close(graceMs);
    this.#server = undefined;
  }
}
