// The component list: every component of the root module (or of the remote configuration) with its
// health, filterable by text and health, sortable, refreshed every few seconds. The filter lives in
// the query string so a filtered view can be shared.
import { listComponents, type ComponentInfo, type HealthState, type Source } from "../api.ts";
import { encodeId, h, mount } from "../dom.ts";
import { HEALTH_STATES, componentPath, healthBadge, loading, message, pageHeader, type PageContext } from "../widgets.ts";

type SortKey = "health" | "id" | "name";

const HEALTH_ORDER: Record<string, number> = { unhealthy: 0, exited: 1, unknown: 2, healthy: 3 };

export function componentsPage(ctx: PageContext, source: Source): void {
  const remote = source !== "";
  ctx.setTitle(remote ? "Remote configuration" : "Components");
  let components: ComponentInfo[] = [];
  let signature = "";
  let text = ctx.query.get("q") ?? "";
  let health = (ctx.query.get("health") ?? "all") as HealthState | "all";
  let sort = (ctx.query.get("sort") ?? "id") as SortKey;
  let descending = ctx.query.get("order") === "desc";

  const search = h("input", {
    type: "search",
    class: "input search",
    placeholder: "Filter by id or component name",
    value: text,
    "aria-label": "Filter components",
    autocomplete: "off",
    spellcheck: "false",
  });
  const chips = h("div", { class: "chips", role: "group", "aria-label": "Filter by health" });
  const count = h("span", { class: "muted count" });
  const tbody = h("tbody", null);
  const headers: Record<SortKey, HTMLElement> = {
    health: h("th", { class: "col-health sortable", "data-sort": "health" }, "Health"),
    id: h("th", { class: "sortable", "data-sort": "id" }, "ID"),
    name: h("th", { class: "sortable", "data-sort": "name" }, "Component"),
  };
  const table = h(
    "table",
    { class: "table components", "aria-label": "Components" },
    h("thead", null, h("tr", null, headers.health, headers.id, headers.name, h("th", { class: "col-num", title: "Components this one references" }, "Uses"), h("th", { class: "col-num", title: "Components that reference this one" }, "Used by"), h("th", null, ""))),
    tbody,
  );
  const body = h("div", { class: "card" }, loading("components"));

  mount(
    ctx.root,
    pageHeader(
      remote ? "Remote configuration" : "Components",
      remote ? "Components loaded by the remotecfg block." : "Components defined in the configuration, with their current health.",
    ),
    h("div", { class: "toolbar" }, search, chips, count),
    body,
  );

  const keyOf = (c: ComponentInfo, key: SortKey) => (key === "health" ? `${HEALTH_ORDER[c.health.state] ?? 9}` : key === "name" ? c.name : c.localID);
  const collator = new Intl.Collator("en", { numeric: true });

  function saveQuery(): void {
    const q = new URLSearchParams();
    if (text) q.set("q", text);
    if (health !== "all") q.set("health", health);
    if (sort !== "id") q.set("sort", sort);
    if (descending) q.set("order", "desc");
    ctx.replaceQuery(q);
  }

  function renderChips(): void {
    const counts = new Map<string, number>();
    for (const c of components) counts.set(c.health.state, (counts.get(c.health.state) ?? 0) + 1);
    const chip = (state: HealthState | "all", label: string, n: number) => {
      const el = h("button", { type: "button", class: `chip chip-${state}${health === state ? " active" : ""}`, "aria-pressed": String(health === state) }, label, h("span", { class: "chip-count" }, String(n)));
      el.addEventListener("click", () => {
        health = health === state ? "all" : state;
        saveQuery();
        renderChips();
        applyFilter();
      });
      return el;
    };
    mount(
      chips,
      chip("all", "All", components.length),
      HEALTH_STATES.filter((s) => s === "healthy" || s === "unhealthy" || counts.has(s)).map((s) => chip(s, s[0]!.toUpperCase() + s.slice(1), counts.get(s) ?? 0)),
    );
  }

  const rows = new Map<string, { row: HTMLTableRowElement; component: ComponentInfo; haystack: string }>();

  function renderRows(): void {
    rows.clear();
    const fragment = document.createDocumentFragment();
    for (const c of components) {
      const path = componentPath(c, source);
      const modules = c.createdModuleIDs ?? [];
      const row = h(
        "tr",
        { "data-id": c.localID, "data-health": c.health.state },
        h("td", null, healthBadge(c.health.state)),
        h(
          "td",
          { class: "col-id" },
          h("a", { href: ctx.link(path), class: "component-link" }, c.localID),
          c.health.state !== "healthy" && c.health.message ? h("div", { class: "row-message", title: c.health.message }, c.health.message) : null,
        ),
        h("td", { class: "mono muted" }, c.name),
        h("td", { class: "col-num" }, c.referencesTo.length || ""),
        h("td", { class: "col-num" }, c.referencedBy.length || ""),
        h(
          "td",
          { class: "col-actions" },
          modules.length > 0 ? h("a", { href: ctx.link(`graph/${encodeId(modules[0]!)}`), class: "pill", title: `Graph of module ${modules[0]}` }, modules.length > 1 ? `${modules.length} modules` : "module") : null,
          c.liveDebuggingEnabled ? h("a", { href: ctx.link(`debug/${encodeId(c.moduleID ? `${c.moduleID}/${c.localID}` : c.localID)}`), class: "pill", title: "Live debugging" }, "live") : null,
          h("a", { href: ctx.link(path), class: "button small" }, "View"),
        ),
      );
      rows.set(c.localID, { row, component: c, haystack: `${c.localID} ${c.name} ${c.label ?? ""}`.toLowerCase() });
      fragment.append(row);
    }
    tbody.replaceChildren(fragment);
    applySort();
    applyFilter();
  }

  function applySort(): void {
    for (const [key, th] of Object.entries(headers)) {
      th.classList.toggle("sorted", key === sort);
      th.setAttribute("aria-sort", key === sort ? (descending ? "descending" : "ascending") : "none");
    }
    const list = [...rows.values()].sort(
      (a, b) => (collator.compare(keyOf(a.component, sort), keyOf(b.component, sort)) || collator.compare(a.component.localID, b.component.localID)) * (descending ? -1 : 1),
    );
    for (const { row } of list) tbody.append(row);
  }

  function applyFilter(): void {
    const needle = text.trim().toLowerCase();
    let shown = 0;
    for (const { row, component, haystack } of rows.values()) {
      const visible = (health === "all" || component.health.state === health) && (!needle || haystack.includes(needle));
      row.hidden = !visible;
      if (visible) shown++;
    }
    count.textContent = shown === components.length ? `${components.length} components` : `Showing ${shown} of ${components.length}`;
    // Only the filter's own note: "No components" (an empty configuration) stays.
    const empty = body.querySelector(".message-empty[data-filter]");
    if (shown === 0 && components.length > 0) {
      if (!empty) {
        const note = message("empty", "No components match the filter", "Clear the text or pick another health state.");
        note.dataset.filter = "";
        body.append(note);
      }
    } else empty?.remove();
  }

  for (const [key, th] of Object.entries(headers)) {
    const toggle = () => {
      if (sort === key) descending = !descending;
      else {
        sort = key as SortKey;
        descending = false;
      }
      saveQuery();
      applySort();
    };
    th.tabIndex = 0;
    th.title = "Sort";
    th.addEventListener("click", toggle);
    th.addEventListener("keydown", (event: KeyboardEvent) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        toggle();
      }
    });
  }
  search.addEventListener("input", () => {
    text = search.value;
    saveQuery();
    applyFilter();
  });
  const focusSearch = (event: KeyboardEvent) => {
    if (event.key === "/" && document.activeElement?.tagName !== "INPUT") {
      event.preventDefault();
      search.focus();
    }
  };
  document.addEventListener("keydown", focusSearch);
  ctx.signal.addEventListener("abort", () => document.removeEventListener("keydown", focusSearch));

  async function load(): Promise<void> {
    let list: ComponentInfo[];
    try {
      list = await listComponents("", source, ctx.signal);
    } catch (error) {
      if (ctx.signal.aborted) return;
      signature = "";
      mount(body, message("error", remote ? "Cannot list the remote configuration's components" : "Cannot list components", (error as Error).message));
      return;
    }
    const next = JSON.stringify(list);
    if (next === signature) return;
    signature = next;
    components = list;
    if (components.length === 0) {
      mount(body, message("empty", "No components", remote ? "The remote configuration defines no components." : "The configuration defines no components."));
    } else if (!body.contains(table)) {
      mount(body, table);
    }
    renderChips();
    renderRows();
  }

  void load();
  ctx.every(5000, load);
}
