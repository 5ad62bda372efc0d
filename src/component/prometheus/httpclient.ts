// The common HTTP client settings and client, for the components that make requests
// (prometheus.scrape, prometheus.remote_write, discovery.http, remote.http …). They live in the
// runtime layer, which import.http shares them from.
export * from "../../runtime/httpclient.ts";
