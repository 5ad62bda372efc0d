// discovery.http: targets from an HTTP endpoint that answers with a JSON list of target groups
// (Prometheus's http_sd), fetched at start and every refresh_interval with the component's HTTP client
// settings. Each group gets `__meta_url`. A failed refresh (network, status, content type, JSON) is
// logged and counted, and the targets of the last good one stay.
import { urlType } from "../../converter/schemas/common.ts";
import { parseURL, urlString } from "../../converter/common/gourl.ts";
import { Counter } from "../../runtime/metrics/registry.ts";
import { fetchErrorText } from "../../runtime/importsource/http.ts";
import { attr, Millisecond, Second, squash, struct, t } from "../../syntax/schema/index.ts";
import { formatFloatF } from "../../syntax/value/index.ts";
import { HttpClient, type HttpClientConfig, httpClientFields, memoryAddress, validateHttpClient } from "../prometheus/httpclient.ts";
import { defineDiscovery, refreshDiscoverer, RefreshMetrics, type TargetGroup } from "./discoverer.ts";
import { parseTargetGroupsJson } from "./targetgroups.ts";

const URL_LABEL = "__meta_url";

/** Prometheus's matchContentType. */
const JSON_CONTENT_TYPE = /^application\/json(;[\t\n\f\r ]*charset=("utf-8"|utf-8))?$/i;

const Arguments = struct(
  {
    http: squash(struct(httpClientFields(true))),
    refresh_interval: attr(t.duration(), { default: 60 * Second }),
    url: attr(urlType()),
  },
  {
    validate: (a) => {
      // Go's ticker would panic on a zero interval.
      if (a.refresh_interval <= 0) return "refresh_interval must be greater than 0";
      return validateHttpClient(a.http as HttpClientConfig);
    },
  },
);

export const discoveryHttp = defineDiscovery({
  name: "discovery.http",
  args: Arguments,
  setup(context) {
    const refreshMetrics = new RefreshMetrics(context.registerer).instantiate("http");
    const failures = new Counter({ name: "prometheus_sd_http_failures_total", help: "Number of HTTP service discovery refresh failures." });
    context.registerer.register(failures);
    // Prometheus's PrometheusUserAgent carries the version Alloy gives Prometheus's library: its own.
    const version = /^Alloy\/(\S+)/.exec(context.userAgent)?.[1] ?? "v0.0.0";
    const userAgent = `Prometheus/${version}`;
    return {
      async create(args) {
        const http = new HttpClient(args.http as HttpClientConfig, context.fetch, context.platform, { memoryAddr: memoryAddress(context) });
        // Unusable TLS files fail the arguments, as Prometheus's NewClientFromConfig does.
        try {
          await http.prepare();
        } catch (error) {
          await http.close();
          throw error;
        }
        // Go's URL.String: the URL the requests go to and the groups are labelled with.
        const url = urlString(parseURL(args.url));
        const intervalMs = args.refresh_interval / Millisecond;
        /** How many groups the last good response had, to remove the ones that disappear. */
        let lastLength = 0;

        const refresh = async (signal: AbortSignal): Promise<TargetGroup[]> => {
          try {
            const contents = parseTargetGroupsJson(await fetchBody(signal));
            const groups: TargetGroup[] = contents.map((c, i) => ({
              source: `${url}:${i}`,
              targets: c.targets,
              labels: { ...c.labels, [URL_LABEL]: url },
            }));
            for (let i = groups.length; i < lastLength; i++) groups.push({ source: `${url}:${i}`, targets: [], labels: {} });
            lastLength = contents.length;
            return groups;
          } catch (error) {
            if (!signal.aborted) failures.inc();
            throw error;
          }
        };

        const fetchBody = async (signal: AbortSignal): Promise<string> => {
          // The HTTP client's timeout is the refresh interval, as Prometheus sets it.
          const timeout = AbortSignal.timeout(intervalMs);
          const headers = new Headers({
            "User-Agent": userAgent,
            Accept: "application/json",
            "X-Prometheus-Refresh-Interval-Seconds": formatFloatF(intervalMs / 1000),
          });
          let response: Response;
          try {
            response = await http.fetch(url, { headers, signal: AbortSignal.any([signal, timeout]) });
          } catch (error) {
            throw new Error(`Get ${JSON.stringify(url)}: ${timeout.aborted ? "context deadline exceeded" : fetchErrorText(error)}`);
          }
          if (response.status !== 200) {
            await response.body?.cancel().catch(() => {});
            throw new Error(`server returned HTTP status ${`${response.status} ${response.statusText}`.trim()}`);
          }
          const contentType = response.headers.get("Content-Type") ?? "";
          if (!JSON_CONTENT_TYPE.test(contentType.trim())) {
            await response.body?.cancel().catch(() => {});
            throw new Error(`unsupported content type ${JSON.stringify(contentType)}`);
          }
          return response.text();
        };

        return { ...refreshDiscoverer({ logger: context.logger, intervalMs, metrics: refreshMetrics, refresh }), close: () => http.close() };
      },
    };
  },
});
