// The app shell: navigation bar, client-side routes below <base href>, toasts, the reload button.
// Routes follow Alloy's UI: /, /component/<id>, /graph[/<module>], /clustering, /debug/<id>,
// /remotecfg and /remotecfg/component/<id>.
import { reloadConfig, serverRoot } from "./api.ts";
import { h, mount } from "./dom.ts";
import { clusteringPage } from "./pages/clustering.ts";
import { componentPage } from "./pages/component.ts";
import { componentsPage } from "./pages/components.ts";
import { debugPage } from "./pages/debug.ts";
import { graphPage } from "./pages/graph.ts";
import { notFoundPage } from "./pages/not-found.ts";
import type { PageContext } from "./widgets.ts";

type Page = (ctx: PageContext, ...params: string[]) => void;

const ROUTES: [RegExp, Page, string][] = [
  [/^$/, (ctx) => componentsPage(ctx, ""), "components"],
  [/^remotecfg\/?$/, (ctx) => componentsPage(ctx, "remotecfg/"), "remotecfg"],
  [/^component\/(.+)$/, (ctx, id) => componentPage(ctx, id!, ""), "components"],
  [/^remotecfg\/component\/(.+)$/, (ctx, id) => componentPage(ctx, id!, "remotecfg/"), "remotecfg"],
  [/^graph\/?$/, (ctx) => graphPage(ctx, ""), "graph"],
  [/^graph\/(.+)$/, (ctx, id) => graphPage(ctx, id!), "graph"],
  [/^clustering\/?$/, (ctx) => clusteringPage(ctx), "clustering"],
  [/^debug\/(.+)$/, (ctx, id) => debugPage(ctx, id!), "components"],
];

/** The path of <base href> ("/" when there is none), as Alloy's UI reads it. */
function basePath(): string {
  const base = document.querySelector("base");
  const path = base ? new URL(base.href).pathname : "/";
  return path.endsWith("/") ? path : `${path}/`;
}

const LOGO = `<svg viewBox="0 0 32 32" aria-hidden="true"><defs><linearGradient id="lg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#ffb347"/><stop offset="1" stop-color="#f05a28"/></linearGradient></defs><circle cx="16" cy="16" r="14" fill="none" stroke="url(#lg)" stroke-width="4"/><circle cx="16" cy="16" r="5" fill="url(#lg)"/><circle cx="16" cy="2.5" r="2.5" fill="#f05a28"/></svg>`;

function start(): void {
  const base = basePath();
  const app = document.getElementById("app")!;
  const main = h("main", { id: "main", class: "main" });
  const toasts = h("div", { class: "toasts", "aria-live": "polite" });
  const navItems: Record<string, HTMLAnchorElement> = {};
  const navLink = (key: string, path: string, text: string) => (navItems[key] = h("a", { href: base + path, class: "nav-link" }, text));

  const toast = (text: string, kind: "ok" | "error" = "ok") => {
    const el = h("div", { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : "status" }, text);
    toasts.append(el);
    setTimeout(() => el.classList.add("toast-out"), kind === "error" ? 8000 : 3500);
    setTimeout(() => el.remove(), kind === "error" ? 8500 : 4000);
  };

  const reload = h("button", { class: "button nav-button", type: "button", title: "Reload the configuration file (POST /-/reload)" }, "Reload config");
  reload.addEventListener("click", async () => {
    reload.setAttribute("disabled", "");
    try {
      const result = await reloadConfig(base);
      toast(result.ok ? "Configuration reloaded" : `Reload failed: ${result.message}`, result.ok ? "ok" : "error");
      if (result.ok) render();
    } catch (error) {
      toast(`Reload failed: ${(error as Error).message}`, "error");
    } finally {
      reload.removeAttribute("disabled");
    }
  });

  const logo = h("a", { href: base, class: "brand", title: "Alloy" });
  logo.innerHTML = `${LOGO}<span>Alloy</span>`;
  const nav = h(
    "nav",
    { class: "navbar" },
    logo,
    h(
      "div",
      { class: "nav-links" },
      navLink("components", "", "Components"),
      navLink("graph", "graph", "Graph"),
      navLink("clustering", "clustering", "Clustering"),
      navLink("remotecfg", "remotecfg", "Remote config"),
    ),
    h(
      "div",
      { class: "nav-actions" },
      reload,
      h("a", { href: `${serverRoot(base)}-/support`, class: "nav-link", download: "alloy-support-bundle.zip", title: "Download a support bundle (/-/support)" }, "Support bundle"),
      h("a", { href: "https://grafana.com/docs/alloy/latest/", class: "nav-link", target: "_blank", rel: "noopener" }, "Help"),
    ),
  );
  mount(app, nav, main, toasts);

  let controller: AbortController | undefined;
  let timers: ReturnType<typeof setInterval>[] = [];

  function render(): void {
    controller?.abort();
    for (const t of timers) clearInterval(t);
    timers = [];
    controller = new AbortController();
    const signal = controller.signal;
    const raw = location.pathname.startsWith(base) ? location.pathname.slice(base.length) : location.pathname.replace(/^\//, "");
    let path: string;
    try {
      path = decodeURIComponent(raw);
    } catch {
      path = raw;
    }
    const ctx: PageContext = {
      base,
      path,
      query: new URLSearchParams(location.search),
      signal,
      root: main,
      link: (p) => base + p,
      navigate: (p) => go(base + p),
      replaceQuery: (q) => {
        const text = q.toString();
        history.replaceState(history.state, "", `${location.pathname}${text ? `?${text}` : ""}`);
      },
      every: (ms, fn) => {
        let busy = false;
        const timer = setInterval(async () => {
          if (busy || document.visibilityState === "hidden" || signal.aborted) return;
          busy = true;
          try {
            await fn();
          } finally {
            busy = false;
          }
        }, ms);
        timers.push(timer);
      },
      setTitle: (title) => (document.title = `${title} · Alloy`),
      toast,
    };
    main.replaceChildren();
    let active = "";
    for (const [pattern, page, section] of ROUTES) {
      const match = pattern.exec(path);
      if (!match) continue;
      active = section;
      page(ctx, ...match.slice(1));
      break;
    }
    if (!active) notFoundPage(ctx);
    for (const [key, el] of Object.entries(navItems)) el.classList.toggle("active", key === active);
  }

  function go(href: string): void {
    const url = new URL(href, location.href);
    if (url.pathname + url.search === location.pathname + location.search && !url.hash) return;
    history.pushState(null, "", url.pathname + url.search + url.hash);
    render();
    if (!url.hash) window.scrollTo(0, 0);
  }

  // Links inside the app navigate without reloading the page.
  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    // HTML and SVG anchors alike: read attributes, as SVG's href and target are not strings.
    const anchor = (event.target as Element).closest?.("a");
    const href = anchor?.getAttribute("href");
    if (!anchor || !href || anchor.getAttribute("target") || anchor.hasAttribute("download")) return;
    const url = new URL(href, document.baseURI);
    if (url.origin !== location.origin || !url.pathname.startsWith(base) || url.pathname.startsWith(`${base}api/`)) return;
    if (url.pathname === location.pathname && url.search === location.search && url.hash) return; // in-page anchor
    event.preventDefault();
    go(url.href);
  });
  window.addEventListener("popstate", render);
  render();
}

start();
