// Paths the UI has no page for (the server answers them with index.html, as Alloy does).
import { h, mount } from "../dom.ts";
import { message, pageHeader, type PageContext } from "../widgets.ts";

export function notFoundPage(ctx: PageContext): void {
  ctx.setTitle("Page not found");
  mount(
    ctx.root,
    pageHeader("Page not found", null),
    message("empty", `There is no page at /${ctx.path}`, h("span", null, h("a", { href: ctx.link("") }, "Go to the component list"), ".")),
  );
}
