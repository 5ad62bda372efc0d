// One component: health with its message, arguments, exports and debug info as Alloy syntax,
// what it references and what references it, and for module loaders (declare'd components,
// import.*, module.*, foreach) the components of the modules it runs. Health refreshes by itself;
// a change elsewhere is offered as a reload so the page does not jump while being read.
import { getComponent, globalId, listComponents, type ComponentInfo, type Source } from "../api.ts";
import { encodeId, h, mount, type Child } from "../dom.ts";
import { partitionBody, type Section } from "../value.ts";
import {
  componentTable,
  docsUrl,
  healthBadge,
  loading,
  message,
  timeView,
  valueView,
  type PageContext,
} from "../widgets.ts";

function parseId(id: string): { moduleID: string; localID: string } {
  const slash = id.lastIndexOf("/");
  return slash === -1 ? { moduleID: "", localID: id } : { moduleID: id.slice(0, slash), localID: id.slice(slash + 1) };
}

export function componentPage(ctx: PageContext, id: string, source: Source): void {
  const { moduleID, localID } = parseId(id);
  ctx.setTitle(localID);
  mount(ctx.root, loading(`component ${id}`));
  let shown = "";

  async function load(initial: boolean): Promise<void> {
    let component: ComponentInfo;
    try {
      component = await getComponent(id, source, ctx.signal);
    } catch (error) {
      if (ctx.signal.aborted) return;
      if (!initial) return;
      const status = (error as { status?: number }).status;
      mount(
        ctx.root,
        breadcrumbs(ctx, moduleID, localID, source),
        message(
          "error",
          status === 404 ? `Component ${id} not found` : `Cannot load component ${id}`,
          status === 404 ? h("span", null, "It may have been removed by a reload. ", h("a", { href: ctx.link(source ? "remotecfg" : "") }, "Back to the component list")) : (error as Error).message,
        ),
      );
      return;
    }
    const { health, ...rest } = component;
    const signature = JSON.stringify(rest);
    if (initial) {
      shown = signature;
      await render(component);
      return;
    }
    updateHealth(component);
    if (signature !== shown && !ctx.root.querySelector(".stale")) {
      const button = h("button", { type: "button", class: "button small" }, "Show the new values");
      button.addEventListener("click", () => void load(true));
      ctx.root.querySelector(".component-head")?.after(h("div", { class: "stale message message-info", role: "status" }, h("strong", null, "This component's values changed."), button));
    }
  }

  function updateHealth(component: ComponentInfo): void {
    const slot = ctx.root.querySelector(".health-slot");
    if (slot) mount(slot, healthCard(component));
    const badge = ctx.root.querySelector(".title-badge");
    if (badge) mount(badge, healthBadge(component.health.state));
  }

  async function render(component: ComponentInfo): Promise<void> {
    // The module's components give health and names to the references.
    let siblings: ComponentInfo[] = [];
    try {
      siblings = await listComponents(component.moduleID, source, ctx.signal);
    } catch {
      // References are still listed by id.
    }
    const modules: { id: string; components: ComponentInfo[] | Error }[] = [];
    for (const moduleId of component.createdModuleIDs ?? []) {
      try {
        modules.push({ id: moduleId, components: await listComponents(moduleId, source, ctx.signal) });
      } catch (error) {
        modules.push({ id: moduleId, components: error as Error });
      }
    }
    if (ctx.signal.aborted) return;
    const byLocal = new Map(siblings.map((c) => [c.localID, c]));
    const refs = (ids: string[]) =>
      ids.map((ref) => byLocal.get(ref) ?? ({ localID: ref, moduleID: component.moduleID, name: "", health: { state: "unknown", message: "", updatedTime: "" } } as unknown as ComponentInfo));

    const sections: { id: string; title: string; children?: Section }[] = [];
    const args = partitionBody(component.arguments ?? [], "Arguments");
    const exports = partitionBody(component.exports ?? [], "Exports");
    const debug = partitionBody(component.debugInfo ?? [], "Debug info");
    sections.push({ id: args.key, title: "Arguments", children: args });
    sections.push({ id: exports.key, title: "Exports", children: exports });
    if ((component.debugInfo ?? []).length > 0) sections.push({ id: debug.key, title: "Debug info", children: debug });
    if (component.referencesTo.length > 0) sections.push({ id: "dependencies", title: "Dependencies" });
    if (component.referencedBy.length > 0) sections.push({ id: "dependants", title: "Dependants" });
    if (modules.length > 0) sections.push({ id: "modules", title: component.name === "foreach" ? "Foreach modules" : "Module components" });

    const gid = globalId(component);
    const actions: Child[] = [];
    if (component.name.includes(".")) actions.push(h("a", { href: docsUrl(component.name), class: "button", target: "_blank", rel: "noopener" }, "Documentation"));
    if (component.liveDebuggingEnabled) actions.push(h("a", { href: ctx.link(`debug/${encodeId(gid)}`), class: "button primary" }, "Live debugging"));
    for (const m of (component.createdModuleIDs ?? []).slice(0, 1)) actions.push(h("a", { href: ctx.link(`graph/${encodeId(m)}`), class: "button" }, "Module graph"));
    actions.push(h("a", { href: `api/v0/web/${source}components/${encodeId(gid)}`, class: "button subtle", target: "_blank", rel: "noopener", title: "This component as the API returns it" }, "JSON"));

    mount(
      ctx.root,
      breadcrumbs(ctx, component.moduleID, component.localID, source),
      h(
        "div",
        { class: "detail" },
        h(
          "aside",
          { class: "toc" },
          h("div", { class: "toc-title" }, "On this page"),
          h("ul", null, sections.map((s) => h("li", null, h("a", { href: `#${s.id}` }, s.title), s.children ? tocChildren(s.children) : null))),
        ),
        h(
          "div",
          { class: "detail-body" },
          h(
            "div",
            { class: "component-head" },
            h("h1", { class: "component-title" }, h("span", { class: "mono" }, component.localID), h("span", { class: "title-badge" }, healthBadge(component.health.state))),
            h(
              "div",
              { class: "component-meta" },
              h("span", null, "Component ", h("code", null, component.name)),
              component.label ? h("span", null, "Label ", h("code", null, component.label)) : null,
              component.moduleID ? h("span", null, "Module ", h("code", null, component.moduleID)) : null,
              component.liveDebuggingEnabled ? null : h("span", { class: "muted" }, "Live debugging is not available for this component"),
            ),
            h("div", { class: "component-actions" }, actions),
          ),
          h("div", { class: "health-slot" }, healthCard(component)),
          bodySection(args),
          bodySection(exports),
          (component.debugInfo ?? []).length > 0 ? bodySection(debug) : null,
          component.referencesTo.length > 0
            ? h("section", { id: "dependencies", class: "section" }, h("h2", null, "Dependencies"), h("p", { class: "muted" }, "Components this one references."), componentTable(ctx, refs(component.referencesTo), source))
            : null,
          component.referencedBy.length > 0
            ? h("section", { id: "dependants", class: "section" }, h("h2", null, "Dependants"), h("p", { class: "muted" }, "Components that reference this one."), componentTable(ctx, refs(component.referencedBy), source))
            : null,
          modules.length > 0
            ? h(
                "section",
                { id: "modules", class: "section" },
                h("h2", null, component.name === "foreach" ? "Foreach modules" : "Module components"),
                modules.map((m) =>
                  h(
                    "div",
                    { class: "module-block" },
                    h("h3", null, h("code", null, m.id), h("a", { href: ctx.link(`graph/${encodeId(m.id)}`), class: "button small" }, "Graph")),
                    m.components instanceof Error ? message("error", "Cannot list the module's components", m.components.message) : componentTable(ctx, m.components, source),
                  ),
                ),
              )
            : null,
        ),
      ),
    );
    if (location.hash) document.getElementById(decodeURIComponent(location.hash.slice(1)))?.scrollIntoView();
  }

  void load(true);
  ctx.every(5000, () => load(false));
}

function breadcrumbs(ctx: PageContext, moduleID: string, localID: string, source: Source): HTMLElement {
  const items: Child[] = [h("a", { href: ctx.link(source ? "remotecfg" : "") }, source ? "Remote configuration" : "Components")];
  // Each module id prefix names the component that runs the module.
  const parts = moduleID ? moduleID.split("/") : [];
  parts.forEach((part, i) => {
    const prefix = parts.slice(0, i + 1).join("/");
    items.push(h("span", { class: "crumb-sep" }, "/"), h("a", { href: ctx.link(`${source ? "remotecfg/" : ""}component/${encodeId(prefix)}`) }, part));
  });
  items.push(h("span", { class: "crumb-sep" }, "/"), h("span", { class: "crumb-current" }, localID));
  return h("nav", { class: "breadcrumbs", "aria-label": "Breadcrumb" }, items);
}

function tocChildren(section: Section): HTMLElement | null {
  if (section.sections.length === 0) return null;
  return h("ul", null, section.sections.map((s) => h("li", null, h("a", { href: `#${s.key}` }, s.path[s.path.length - 1]), tocChildren(s))));
}

function healthCard(component: ComponentInfo): HTMLElement {
  const { state, message: text, updatedTime } = component.health;
  return h(
    "div",
    { class: `health-card health-card-${state}` },
    h("div", { class: "health-card-head" }, healthBadge(state), h("span", { class: "muted" }, timeView(updatedTime) ? ["Updated ", timeView(updatedTime)] : "")),
    text ? h("p", { class: "health-message" }, text) : h("p", { class: "muted health-message" }, "No health message."),
  );
}

function bodySection(section: Section, depth = 0): HTMLElement {
  const title = depth === 0 ? h("h2", null, section.path[0]) : h("h3", null, section.path.slice(1).map((p, i) => [i > 0 ? h("span", { class: "crumb-sep" }, "/") : null, h("code", null, p)]));
  const empty = section.attrs.length === 0 && section.sections.length === 0;
  return h(
    "section",
    { id: section.key, class: depth === 0 ? "section" : "subsection" },
    title,
    section.attrs.length > 0
      ? h(
          "table",
          { class: "table attrs" },
          h("tbody", null, section.attrs.map((a) => h("tr", null, h("th", { scope: "row", class: "attr-name mono" }, a.name), h("td", null, valueView(a.value))))),
        )
      : depth > 0 || empty
        ? h("p", { class: "muted empty-block" }, depth === 0 ? `No ${section.path[0]!.toLowerCase()}.` : "(No set attributes in this block)")
        : null,
    section.sections.map((s) => bodySection(s, depth + 1)),
  );
}
