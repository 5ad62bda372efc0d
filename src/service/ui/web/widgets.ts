// Pieces several pages share: health badges, page headers, messages, tables of components, values.
import { globalId, type ComponentInfo, type HealthState, type Source, type Value } from "./api.ts";
import { encodeId, h, relativeTime, type Child } from "./dom.ts";
import { lineCount, valueTokens } from "./value.ts";

/** What every page gets from the app shell. */
export interface PageContext {
  /** The UI's base path, from <base href>, ending in `/`. */
  base: string;
  /** The decoded path below the base, without a leading `/`. */
  path: string;
  query: URLSearchParams;
  /** Aborted when the user leaves the page. */
  signal: AbortSignal;
  root: HTMLElement;
  /** An href for a path below the base. */
  link(path: string): string;
  navigate(path: string): void;
  /** Rewrites the query string without rendering the page again. */
  replaceQuery(query: URLSearchParams): void;
  /** Runs fn every ms while the page is open and the tab visible. */
  every(ms: number, fn: () => void | Promise<void>): void;
  setTitle(title: string): void;
  toast(message: string, kind?: "ok" | "error"): void;
}

export const HEALTH_STATES: HealthState[] = ["healthy", "unhealthy", "unknown", "exited"];

export function healthBadge(state: HealthState | string): HTMLElement {
  return h("span", { class: `badge health-${state}`, title: `Health: ${state}` }, state);
}

export function pageHeader(title: string, description: Child, ...actions: Child[]): HTMLElement {
  return h(
    "header",
    { class: "page-header" },
    h("div", { class: "page-title" }, h("h1", null, title), description ? h("p", { class: "page-desc" }, description) : null),
    actions.length > 0 ? h("div", { class: "page-actions" }, actions) : null,
  );
}

export function message(kind: "error" | "info" | "empty", title: string, detail?: Child): HTMLElement {
  return h("div", { class: `message message-${kind}`, role: kind === "error" ? "alert" : "status" }, h("strong", null, title), detail ? h("div", { class: "message-detail" }, detail) : null);
}

export const loading = (what: string) => h("div", { class: "loading" }, h("span", { class: "spinner" }), `Loading ${what}…`);

/** The page path of a component. */
export function componentPath(c: { moduleID: string; localID: string }, source: Source = ""): string {
  return `${source ? "remotecfg/" : ""}component/${encodeId(globalId(c))}`;
}

export function componentLink(ctx: PageContext, c: ComponentInfo, source: Source = "", text?: string): HTMLElement {
  return h("a", { href: ctx.link(componentPath(c, source)), class: "component-link" }, text ?? c.localID);
}

/** A compact table of components: health, id, component name. */
export function componentTable(ctx: PageContext, components: readonly ComponentInfo[], source: Source = ""): HTMLElement {
  if (components.length === 0) return message("empty", "No components");
  return h(
    "table",
    { class: "table compact" },
    h("thead", null, h("tr", null, h("th", { class: "col-health" }, "Health"), h("th", null, "ID"), h("th", null, "Component"))),
    h(
      "tbody",
      null,
      components.map((c) =>
        h("tr", null, h("td", null, healthBadge(c.health.state)), h("td", null, componentLink(ctx, c, source)), h("td", { class: "muted mono" }, c.name)),
      ),
    ),
  );
}

/** An Alloy value, coloured; long ones folded with a button to show the rest. */
export function valueView(value: Value): HTMLElement {
  const tokens = valueTokens(value);
  const lines = lineCount(tokens);
  const code = h("code", null);
  const render = (limitLines: number) => {
    code.replaceChildren();
    let line = 1;
    for (const token of tokens) {
      let text = token.text;
      if (line > limitLines) break;
      const newlines = text.split("\n").length - 1;
      if (line + newlines > limitLines) {
        text = text.split("\n").slice(0, limitLines - line + 1).join("\n");
      }
      line += newlines;
      code.append(token.kind === "space" || token.kind === "punct" ? document.createTextNode(text) : h("span", { class: `tok-${token.kind}` }, text));
    }
  };
  const pre = h("pre", { class: "value" }, code);
  const FOLD = 40;
  if (lines <= FOLD * 2) {
    render(Infinity);
    return pre;
  }
  render(FOLD);
  const button = h("button", { class: "button small", type: "button" }, `Show all ${lines} lines`);
  let open = false;
  button.addEventListener("click", () => {
    open = !open;
    render(open ? Infinity : FOLD);
    button.textContent = open ? "Show less" : `Show all ${lines} lines`;
  });
  return h("div", { class: "value-folded" }, pre, button);
}

/** "updated 3 minutes ago" with the exact time on hover. */
export function timeView(iso: string | undefined): HTMLElement | null {
  const rel = relativeTime(iso);
  if (!rel || !iso) return null;
  return h("time", { datetime: iso, title: new Date(iso).toLocaleString() }, rel);
}

/** Component reference docs (as Alloy's UI links them). */
export function docsUrl(name: string): string {
  const namespace = name.split(".")[0]!;
  return `https://grafana.com/docs/alloy/latest/reference/components/${namespace}/${name}/`;
}
