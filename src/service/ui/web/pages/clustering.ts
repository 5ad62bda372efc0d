// The cluster as this node sees it: the peers that share the work (participants and nodes that are
// leaving), their advertised addresses and states, this node marked. Refreshed every few seconds.
import { ApiError, listPeers, type Peer } from "../api.ts";
import { h, mount } from "../dom.ts";
import { loading, message, pageHeader, type PageContext } from "../widgets.ts";

export function clusteringPage(ctx: PageContext): void {
  ctx.setTitle("Clustering");
  const body = h("div", { class: "card" }, loading("peers"));
  const summary = h("span", { class: "muted count" });
  mount(
    ctx.root,
    pageHeader("Clustering", "Peers of this node's cluster that share the work of clustered components."),
    h("div", { class: "toolbar" }, summary),
    body,
  );
  let signature = "";

  async function load(): Promise<void> {
    let peers: Peer[];
    try {
      peers = await listPeers(ctx.signal);
    } catch (error) {
      if (ctx.signal.aborted) return;
      signature = "";
      summary.textContent = "";
      const notRunning = error instanceof ApiError && error.message === "cluster service not running";
      mount(
        body,
        notRunning
          ? message("info", "Clustering is not running on this node", "Start Alloy with --cluster.enabled to share work between nodes.")
          : message("error", "Cannot list the cluster's peers", (error as Error).message),
      );
      return;
    }
    const next = JSON.stringify(peers);
    if (next === signature) return;
    signature = next;
    const sorted = [...peers].sort((a, b) => Number(b.isSelf) - Number(a.isSelf) || a.name.localeCompare(b.name));
    const states = new Map<string, number>();
    for (const p of peers) states.set(p.state, (states.get(p.state) ?? 0) + 1);
    summary.textContent = `${peers.length} peer${peers.length === 1 ? "" : "s"}${[...states].map(([s, n]) => ` · ${n} ${s}`).join("")}`;
    if (peers.length === 0) {
      mount(body, message("empty", "No peers", "This node has not joined a cluster yet."));
      return;
    }
    mount(
      body,
      h(
        "table",
        { class: "table peers", "aria-label": "Cluster peers" },
        h("thead", null, h("tr", null, h("th", null, "Node name"), h("th", null, "Advertised address"), h("th", null, "State"), h("th", null, "Local node"))),
        h(
          "tbody",
          null,
          sorted.map((p) =>
            h(
              "tr",
              { class: p.isSelf ? "self" : "" },
              h("td", { class: "mono" }, p.name),
              h("td", { class: "mono" }, p.addr),
              h("td", null, h("span", { class: `badge state-${p.state}` }, p.state)),
              h("td", null, p.isSelf ? h("span", { class: "badge self-badge", title: "This Alloy instance" }, "✓ this node") : ""),
            ),
          ),
        ),
      ),
    );
  }

  void load();
  ctx.every(5000, load);
}
