// The pipeline graph of a module: components as nodes coloured by health, edges where data flows
// (or, on request, where one component references another), laid out in columns, with live rates
// from the /graph stream on the edges. Drag to pan, scroll to zoom, click a node to open it.
import { globalId, graphStreamPath, listComponents, readItems, type ComponentInfo, type GraphRate, type Source } from "../api.ts";
import { encodeId, h, mount, s } from "../dom.ts";
import { edgePath, layoutGraph, type Layout } from "../layout.ts";
import { componentPath, loading, message, pageHeader, type PageContext } from "../widgets.ts";

type EdgeMode = "flow" | "refs";

const NODE_HEIGHT = 54;
const CHAR_WIDTH = 7.4;

const TYPE_LABELS: Record<string, string> = {
  target: "targets",
  prometheus_metric: "metrics",
  loki_log: "logs",
  otel_metric: "OTel metrics",
  otel_log: "OTel logs",
  otel_trace: "OTel traces",
};

export function formatRate(rate: number): string {
  if (rate >= 1e6) return `${(rate / 1e6).toFixed(1)}M/s`;
  if (rate >= 1e3) return `${(rate / 1e3).toFixed(1)}k/s`;
  if (rate >= 10) return `${Math.round(rate)}/s`;
  return `${rate.toFixed(1)}/s`;
}

const nodeWidth = (c: ComponentInfo) => Math.min(340, Math.max(170, Math.max(c.localID.length, c.name.length + 2) * CHAR_WIDTH + 34));

/** The edges of a module's graph, by local id. */
export function graphEdges(components: readonly ComponentInfo[], mode: EdgeMode): { source: string; target: string }[] {
  const known = new Set(components.map((c) => c.localID));
  const edges: { source: string; target: string }[] = [];
  for (const c of components) {
    if (mode === "flow") {
      for (const target of c.dataFlowEdgesTo ?? []) if (known.has(target)) edges.push({ source: c.localID, target });
    } else {
      for (const ref of c.referencesTo ?? []) if (known.has(ref)) edges.push({ source: ref, target: c.localID });
    }
  }
  return edges;
}

export function graphPage(ctx: PageContext, moduleID: string): void {
  const source: Source = moduleID.startsWith("remotecfg/") ? "remotecfg/" : "";
  ctx.setTitle(moduleID ? `Graph of ${moduleID}` : "Graph");
  let mode = (ctx.query.get("edges") as EdgeMode | null) ?? undefined;
  let windowSeconds = Number(ctx.query.get("window") ?? "5") || 5;
  let components: ComponentInfo[] = [];
  let signature = "";

  const modeSelect = h(
    "select",
    { class: "input", "aria-label": "Edges" },
    h("option", { value: "flow" }, "Data flow"),
    h("option", { value: "refs" }, "References"),
  );
  const windowSelect = h(
    "select",
    { class: "input", "aria-label": "Rate window", title: "Seconds over which live rates are averaged" },
    [1, 5, 10, 30, 60].map((n) => h("option", { value: String(n), ...(n === windowSeconds ? { selected: true } : {}) }, `${n}s window`)),
  );
  const filter = h("input", { type: "search", class: "input search", placeholder: "Highlight components", "aria-label": "Highlight components", spellcheck: "false" });
  const zoomOut = h("button", { type: "button", class: "button", title: "Zoom out", "aria-label": "Zoom out" }, "−");
  const fit = h("button", { type: "button", class: "button", title: "Fit the graph in view" }, "Fit");
  const zoomIn = h("button", { type: "button", class: "button", title: "Zoom in", "aria-label": "Zoom in" }, "+");
  const live = h("span", { class: "live-status muted" });
  const canvas = h("div", { class: "graph-canvas card" }, loading("the graph"));
  const legend = h(
    "div",
    { class: "legend muted" },
    ["healthy", "unhealthy", "unknown", "exited"].map((state) => h("span", { class: "legend-item" }, h("span", { class: `legend-swatch health-bg-${state}` }), state)),
    h("span", { class: "legend-item" }, h("span", { class: "legend-swatch module-swatch" }), "runs a module"),
  );

  const title = moduleID ? "Module graph" : "Graph";
  const description = moduleID
    ? h("span", null, "Components of module ", h("code", null, moduleID), ". ", h("a", { href: ctx.link(`${source ? "remotecfg/" : ""}component/${encodeId(moduleID)}`) }, "Open the component that runs it"), ".")
    : "How data flows between the components of the configuration. Click a component to open it.";
  mount(
    ctx.root,
    pageHeader(title, description),
    h("div", { class: "toolbar" }, modeSelect, windowSelect, filter, h("div", { class: "button-group" }, zoomOut, fit, zoomIn), live),
    canvas,
    legend,
  );

  // View transform: screen = world * scale + (tx, ty).
  let scale = 1;
  let tx = 0;
  let ty = 0;
  let layout: Layout | undefined;
  let svg: SVGSVGElement | undefined;
  let world: SVGGElement | undefined;
  const nodeEls = new Map<string, SVGGElement>();
  let edgeEls: { source: string; target: string; path: SVGPathElement; label: SVGGElement }[] = [];

  const applyTransform = () => world?.setAttribute("transform", `translate(${tx.toFixed(1)},${ty.toFixed(1)}) scale(${scale.toFixed(4)})`);
  const zoomAt = (factor: number, px: number, py: number) => {
    const next = Math.min(2.5, Math.max(0.1, scale * factor));
    tx = px - ((px - tx) * next) / scale;
    ty = py - ((py - ty) * next) / scale;
    scale = next;
    applyTransform();
  };
  const fitView = (shrinkOnly = false) => {
    if (!layout || !svg) return;
    const { width, height } = canvas.getBoundingClientRect();
    const fitted = Math.min(width / Math.max(layout.width, 1), height / Math.max(layout.height, 1), 1.2);
    // A big graph is shown at a readable size from its top left rather than shrunk to dots.
    scale = shrinkOnly && fitted < 0.55 ? 0.8 : fitted;
    tx = scale === fitted ? (width - layout.width * scale) / 2 : 0;
    ty = scale === fitted ? Math.max(0, (height - layout.height * scale) / 2) : 0;
    applyTransform();
  };
  zoomIn.addEventListener("click", () => {
    const r = canvas.getBoundingClientRect();
    zoomAt(1.25, r.width / 2, r.height / 2);
  });
  zoomOut.addEventListener("click", () => {
    const r = canvas.getBoundingClientRect();
    zoomAt(0.8, r.width / 2, r.height / 2);
  });
  fit.addEventListener("click", () => fitView());

  function highlight(ids: Set<string> | undefined): void {
    if (!svg) return;
    svg.classList.toggle("dim", ids !== undefined);
    for (const [id, el] of nodeEls) el.classList.toggle("lit", ids?.has(id) ?? false);
    for (const e of edgeEls) {
      const lit = ids !== undefined && ids.has(e.source) && ids.has(e.target);
      e.path.classList.toggle("lit", lit);
      e.label.classList.toggle("lit", lit);
    }
  }
  const applyFilter = () => {
    const needle = filter.value.trim().toLowerCase();
    if (!needle) return highlight(undefined);
    highlight(new Set(components.filter((c) => `${c.localID} ${c.name}`.toLowerCase().includes(needle)).map((c) => c.localID)));
  };
  filter.addEventListener("input", applyFilter);

  function draw(): void {
    const edgeMode: EdgeMode = mode ?? (components.some((c) => (c.dataFlowEdgesTo ?? []).length > 0) ? "flow" : "refs");
    modeSelect.value = edgeMode;
    const byId = new Map(components.map((c) => [c.localID, c]));
    const edges = graphEdges(components, edgeMode);
    layout = layoutGraph(
      components.map((c) => ({ id: c.localID, width: nodeWidth(c), height: NODE_HEIGHT })),
      edges,
    );
    nodeEls.clear();
    edgeEls = [];
    world = s("g", null);
    const edgeLayer = s("g", { class: "edges" });
    const labelLayer = s("g", { class: "edge-labels" });
    const nodeLayer = s("g", { class: "nodes" });
    world.append(edgeLayer, nodeLayer, labelLayer);
    for (const e of layout.edges) {
      const path = s("path", { d: edgePath(e.points), class: "edge", "marker-end": "url(#arrow)" });
      const label = s("g", { class: "edge-label", visibility: "hidden" });
      const mid = e.points[Math.floor((e.points.length - 1) / 2)]!;
      const next = e.points[Math.floor((e.points.length - 1) / 2) + 1] ?? mid;
      label.setAttribute("transform", `translate(${((mid.x + next.x) / 2).toFixed(1)},${((mid.y + next.y) / 2).toFixed(1)})`);
      label.append(s("rect", { x: -30, y: -10, width: 60, height: 20, rx: 10 }), s("text", { "text-anchor": "middle", dy: "0.35em" }));
      edgeLayer.append(path);
      labelLayer.append(label);
      edgeEls.push({ source: e.source, target: e.target, path, label });
    }
    for (const placed of layout.nodes.values()) {
      const c = byId.get(placed.id)!;
      const isModule = (c.createdModuleIDs ?? []).length > 0;
      const maxChars = Math.floor((placed.width - 30) / CHAR_WIDTH);
      const cut = (t: string) => (t.length > maxChars ? `${t.slice(0, maxChars - 1)}…` : t);
      const anchor = s(
        "a",
        { href: ctx.link(componentPath(c, source)), class: `node health-${c.health.state}${isModule ? " module" : ""}`, "data-id": c.localID },
        s("title", null, `${c.localID}\n${c.name} · ${c.health.state}${c.health.message ? `\n${c.health.message}` : ""}`),
        s("rect", { class: "node-box", width: placed.width, height: placed.height, rx: 9 }),
        s("rect", { class: "node-bar", width: 6, height: placed.height, rx: 3 }),
        s("text", { class: "node-id", x: 16, y: 22 }, cut(c.localID)),
        s("text", { class: "node-name", x: 16, y: 40 }, cut(c.name)),
      );
      const g = s("g", { transform: `translate(${placed.x.toFixed(1)},${placed.y.toFixed(1)})` }, anchor);
      if (isModule) {
        const moduleLink = s(
          "a",
          { href: ctx.link(`graph/${encodeId(c.createdModuleIDs![0]!)}`), class: "node-module-link" },
          s("title", null, `Open the graph of module ${c.createdModuleIDs![0]}`),
          s("rect", { x: placed.width - 58, y: -9, width: 52, height: 18, rx: 9 }),
          s("text", { x: placed.width - 32, y: 4, "text-anchor": "middle" }, "module"),
        );
        g.append(moduleLink);
      }
      g.addEventListener("mouseenter", () => {
        if (filter.value.trim()) return;
        const ids = new Set([c.localID]);
        for (const e of edges) {
          if (e.source === c.localID) ids.add(e.target);
          if (e.target === c.localID) ids.add(e.source);
        }
        highlight(ids);
      });
      g.addEventListener("mouseleave", () => (filter.value.trim() ? undefined : highlight(undefined)));
      nodeEls.set(c.localID, g);
      nodeLayer.append(g);
    }
    svg = s(
      "svg",
      { class: "graph", role: "img", "aria-label": `Graph of ${components.length} components` },
      s(
        "defs",
        null,
        s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, s("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow" })),
      ),
      world,
    );
    mount(canvas, svg);
    attachPanZoom(svg);
    fitView(true);
    applyFilter();
    if (edgeMode === "refs") live.textContent = "Live rates are shown in the data flow view.";
  }

  function attachPanZoom(el: SVGSVGElement): void {
    let drag: { x: number; y: number; tx: number; ty: number; moved: boolean } | undefined;
    el.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      drag = { x: event.clientX, y: event.clientY, tx, ty, moved: false };
    });
    el.addEventListener("pointermove", (event) => {
      if (!drag) return;
      const dx = event.clientX - drag.x;
      const dy = event.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return;
      if (!drag.moved) el.setPointerCapture(event.pointerId);
      drag.moved = true;
      el.classList.add("panning");
      tx = drag.tx + dx;
      ty = drag.ty + dy;
      applyTransform();
    });
    const end = () => {
      el.classList.remove("panning");
      // A drag that ends on a node must not open it.
      if (drag?.moved) el.addEventListener("click", (e) => e.preventDefault(), { capture: true, once: true });
      drag = undefined;
    };
    el.addEventListener("pointerup", end);
    el.addEventListener("pointercancel", end);
    el.addEventListener(
      "wheel",
      (event) => {
        event.preventDefault();
        const r = el.getBoundingClientRect();
        zoomAt(Math.exp(-event.deltaY * 0.0015), event.clientX - r.left, event.clientY - r.top);
      },
      { passive: false },
    );
  }

  function showRates(rates: GraphRate[]): void {
    if (!layout || modeSelect.value !== "flow") return;
    const gid = (local: string) => globalId({ moduleID, localID: local });
    for (const e of edgeEls) {
      const byType = new Map<string, number>();
      for (const r of rates) {
        if (r.rate <= 0 || r.componentID !== gid(e.source)) continue;
        if (r.targetComponentIDs && r.targetComponentIDs.length > 0 && !r.targetComponentIDs.includes(gid(e.target))) continue;
        byType.set(r.type, (byType.get(r.type) ?? 0) + r.rate);
      }
      if (byType.size === 0) {
        e.label.setAttribute("visibility", "hidden");
        e.path.removeAttribute("data-type");
        continue;
      }
      const [type] = [...byType.entries()].sort((a, b) => b[1] - a[1])[0]!;
      const total = [...byType.values()].reduce((a, b) => a + b, 0);
      const text = formatRate(total);
      e.label.setAttribute("visibility", "visible");
      e.label.setAttribute("class", `edge-label type-${type}`);
      e.path.setAttribute("data-type", type);
      const rect = e.label.querySelector("rect")!;
      const width = text.length * 6.6 + 16;
      rect.setAttribute("x", String(-width / 2));
      rect.setAttribute("width", String(width));
      const label = e.label.querySelector("text")!;
      label.textContent = text;
      const tip = [...byType.entries()].map(([t, r]) => `${formatRate(r)} ${TYPE_LABELS[t] ?? t}`).join("\n");
      let title = e.label.querySelector<SVGTitleElement>("title");
      if (!title) {
        title = s("title", null);
        e.label.append(title);
      }
      title.textContent = tip;
    }
  }

  let stream: AbortController | undefined;
  function startStream(): void {
    stream?.abort();
    const controller = new AbortController();
    stream = controller;
    ctx.signal.addEventListener("abort", () => controller.abort(), { once: true });
    live.textContent = `Live rates over ${windowSeconds}s`;
    const run = async () => {
      while (!controller.signal.aborted) {
        try {
          await readItems(graphStreamPath(moduleID, windowSeconds), controller.signal, (item) => {
            try {
              showRates(JSON.parse(item) as GraphRate[]);
            } catch {
              // A partial or malformed item: the next window brings a fresh one.
            }
          });
        } catch (error) {
          if (controller.signal.aborted) return;
          live.textContent = `Live rates unavailable: ${(error as Error).message}`;
        }
        await new Promise((resolve) => setTimeout(resolve, 5000));
      }
    };
    void run();
  }

  modeSelect.addEventListener("change", () => {
    mode = modeSelect.value as EdgeMode;
    const q = new URLSearchParams(ctx.query);
    q.set("edges", mode);
    ctx.replaceQuery(q);
    draw();
    if (mode === "flow") startStream();
  });
  windowSelect.addEventListener("change", () => {
    windowSeconds = Number(windowSelect.value);
    const q = new URLSearchParams(ctx.query);
    q.set("window", String(windowSeconds));
    ctx.replaceQuery(q);
    startStream();
  });

  async function load(): Promise<void> {
    let list: ComponentInfo[];
    try {
      list = await listComponents(moduleID, source, ctx.signal);
    } catch (error) {
      if (ctx.signal.aborted) return;
      signature = "";
      mount(canvas, message("error", moduleID ? `Cannot list the components of module ${moduleID}` : "Cannot list components", (error as Error).message));
      return;
    }
    // Redraw only when the graph itself changed; health changes just recolour.
    const next = JSON.stringify(list.map((c) => [c.localID, c.name, c.dataFlowEdgesTo, c.referencesTo, c.createdModuleIDs]));
    components = list;
    if (components.length === 0) {
      signature = next;
      mount(canvas, message("empty", "No components", "There is nothing to draw."));
      return;
    }
    if (next !== signature) {
      signature = next;
      draw();
      return;
    }
    for (const c of components) {
      const node = nodeEls.get(c.localID)?.querySelector(".node");
      if (node) node.setAttribute("class", `node health-${c.health.state}${(c.createdModuleIDs ?? []).length > 0 ? " module" : ""}`);
    }
  }

  void load().then(() => startStream());
  ctx.every(10000, load);
}
