// remote.http: the body of an HTTP response, polled at poll_frequency and exported as `content`
// (a secret when is_secret), as Alloy's remote.http. The first poll happens while the component is
// built and every update polls again, so dependants see the content in the same load and a failed
// poll fails the evaluation; later polls report through health and keep the last content.
import { parseURL } from "../../converter/common/gourl.ts";
import { defineComponent, type Health } from "../../runtime/component.ts";
import { health } from "../../runtime/health.ts";
import { fetchErrorText } from "../../runtime/importsource/http.ts";
import { waitForWake } from "../../runtime/signal.ts";
import { attr, block, Millisecond, Minute, Second, struct, t } from "../../syntax/schema/index.ts";
import { OptionalSecretValue } from "../../syntax/value/index.ts";
import { HttpClient, type HttpClientConfig, httpClientFields, memoryAddress, validateHttpClient } from "../prometheus/httpclient.ts";

/** Alloy's common HTTP client block (DefaultHTTPClientConfig: follow redirects, HTTP/2 enabled). */
const ClientBlock = struct(httpClientFields(true), { validate: (c) => validateHttpClient(c as HttpClientConfig) });

/** Go's token characters, the only ones http.NewRequest accepts in a method. */
const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const Arguments = struct(
  {
    url: attr(t.string()),
    poll_frequency: attr(t.duration(), { default: Minute }),
    poll_timeout: attr(t.duration(), { default: 10 * Second }),
    is_secret: attr(t.bool(), { optional: true }),
    method: attr(t.string(), { default: "GET" }),
    headers: attr(t.map(t.string()), { optional: true }),
    body: attr(t.string(), { optional: true }),
    client: block(ClientBlock, { optional: true, default: () => ClientBlock.defaults() }),
  },
  {
    validate: (a) => {
      if (a.poll_frequency <= 0) return "poll_frequency must be greater than 0";
      if (a.poll_timeout <= 0) return "poll_timeout must be greater than 0";
      if (a.poll_timeout >= a.poll_frequency) return "poll_timeout must be less than poll_frequency";
      // The checks of http.NewRequest: the method is a token ("" means GET), the URL parses.
      if (a.method !== "" && !METHOD.test(a.method)) return `net/http: invalid method ${JSON.stringify(a.method)}`;
      try {
        parseURL(a.url);
      } catch (error) {
        return (error as Error).message;
      }
      return undefined;
    },
  },
);

type Args = ReturnType<typeof Arguments.decode>;

const Exports = struct({
  content: attr(t.optionalSecret()),
});

export const remoteHttp = defineComponent({
  name: "remote.http",
  stability: "generally-available",
  args: Arguments,
  exports: Exports,
  async build(context, initial) {
    let args = initial;
    /** A client for the `client` block; unusable TLS files fail the arguments, as in Alloy. */
    const newClient = async (a: Args): Promise<HttpClient> => {
      const c = new HttpClient(a.client as HttpClientConfig, context.fetch, context.platform, { memoryAddr: memoryAddress(context) });
      try {
        await c.prepare();
      } catch (error) {
        await c.close();
        throw error;
      }
      return c;
    };
    let client = await newClient(args);
    let current: Health = health("unknown", "component started");
    let lastPoll = 0;
    let lastContent: { value: string; isSecret: boolean } | undefined;
    /** Ends requests in flight when the component stops. */
    const stopped = new AbortController();
    let wake: (() => void) | undefined;
    /** Polls run one at a time (an update's poll and the loop's could meet). */
    let queue: Promise<unknown> = Promise.resolve();

    const pollOnce = async (): Promise<void> => {
      lastPoll = Date.now();
      const a = args;
      const method = a.method === "" ? "GET" : a.method;
      const timeout = AbortSignal.timeout(Math.max(1, a.poll_timeout / Millisecond));
      let response: Response;
      try {
        const headers = new Headers();
        for (const [name, value] of Object.entries(a.headers ?? {})) headers.set(name, value);
        // Alloy's User-Agent wins over the headers unless they set it with exactly this name.
        headers.set("User-Agent", a.headers?.["User-Agent"] ?? context.userAgent);
        response = await client.fetch(a.url, {
          method,
          headers,
          ...(a.body !== "" ? { body: a.body } : {}),
          signal: AbortSignal.any([timeout, stopped.signal]),
        });
      } catch (error) {
        context.logger.error("failed to perform request", { err: (error as Error).message });
        // Go's client names the method in title case: Get "https://…": <reason>.
        const op = method.charAt(0).toUpperCase() + method.slice(1).toLowerCase();
        const reason = timeout.aborted ? "context deadline exceeded" : fetchErrorText(error);
        throw new Error(`performing request: ${op} ${JSON.stringify(a.url)}: ${reason}`);
      }
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        context.logger.error("failed to read response", { err: (error as Error).message });
        throw new Error(`reading response: ${(error as Error).message}`);
      }
      if (response.status !== 200) {
        const status = `${response.status} ${response.statusText}`.trim();
        context.logger.error("unexpected status code from response", { status });
        throw new Error(`unexpected status code ${status}`);
      }
      const next = { value: text.trim(), isSecret: a.is_secret };
      if (lastContent?.value !== next.value || lastContent.isSecret !== next.isSecret) {
        context.onStateChange({ content: new OptionalSecretValue(next.value, next.isSecret) });
      }
      lastContent = next;
    };

    /** One poll; health tells how it went, and the error is thrown too. */
    const poll = (): Promise<void> => {
      const run = queue.then(async () => {
        try {
          await pollOnce();
          current = health("healthy", "polled endpoint");
        } catch (error) {
          current = health("unhealthy", `polling failed: ${(error as Error).message}`);
          throw error;
        }
      });
      queue = run.catch(() => {});
      return run;
    };

    await poll();

    return {
      async run(signal) {
        signal.addEventListener("abort", () => stopped.abort(), { once: true });
        while (!signal.aborted) {
          const wait = lastPoll + args.poll_frequency / Millisecond - Date.now();
          if (wait > 0) {
            await waitForWake(signal, (w) => (wake = w), wait);
            wake = undefined;
            continue;
          }
          await poll().catch(() => {}); // reported by health and the log
        }
        await queue;
        await client.close();
      },
      async update(next: Args) {
        const nextClient = await newClient(next);
        const previous = client;
        // As in Alloy, the new arguments stay even when their first poll fails: later polls use them.
        args = next;
        client = nextClient;
        wake?.();
        const polled = poll();
        void queue.then(() => previous.close());
        await polled;
      },
      health: () => current,
    };
  },
});
