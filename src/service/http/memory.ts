// The in-memory address (`--server.http.memory-addr`, default alloy.internal:12345): requests from
// inside the agent to that host are answered by the agent's own HTTP app without a socket — how
// exporters are scraped and how components reach each other's handlers, as in Alloy.

export type FetchHandler = (request: Request) => Response | Promise<Response>;

/** A fetch that hands requests for memoryAddr to the app, and everything else to the network. */
export function memoryFetch(memoryAddr: string, app: FetchHandler, network: typeof fetch = fetch): typeof fetch {
  const host = memoryAddr.toLowerCase();
  const hostWithoutPort = host.replace(/:\d+$/, "");
  const isMemory = (url: URL) => url.host.toLowerCase() === host || (url.port === "" && url.hostname.toLowerCase() === hostWithoutPort);
  const dispatch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    if (!isMemory(new URL(request.url))) return network(request);
    return app(request);
  };
  return dispatch as typeof fetch;
}
