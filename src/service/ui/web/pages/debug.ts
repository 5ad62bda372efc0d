// Live debugging: what a component receives or produces, streamed from /debug/<id> as it happens.
// Stop and resume, a sample rate, a text filter, copy, and auto-scroll that stops when the reader
// scrolls up. The newest 5000 items are kept.
import { debugStreamPath, getComponent, readItems, type Source } from "../api.ts";
import { encodeId, h, mount } from "../dom.ts";
import { healthBadge, message, pageHeader, type PageContext } from "../widgets.ts";

const MAX_LINES = 5000;

export function debugPage(ctx: PageContext, id: string): void {
  const source: Source = id.startsWith("remotecfg/") ? "remotecfg/" : "";
  ctx.setTitle(`Live debugging ${id}`);
  let lines: string[] = [];
  let running = true;
  let sampleProb = 1;
  let filterText = "";
  let autoScroll = true;
  let stream: AbortController | undefined;

  const toggle = h("button", { type: "button", class: "button primary" }, "Stop");
  const clear = h("button", { type: "button", class: "button" }, "Clear");
  const copy = h("button", { type: "button", class: "button" }, "Copy");
  const filter = h("input", { type: "search", class: "input search", placeholder: "Filter lines", "aria-label": "Filter lines", spellcheck: "false" });
  const rate = h("input", { type: "range", min: 0, max: 100, step: 1, value: 100, "aria-label": "Sample rate", class: "range" });
  const rateLabel = h("span", { class: "range-value" }, "100%");
  const follow = h("input", { type: "checkbox", checked: true, id: "follow" });
  const status = h("span", { class: "live-status muted" }, "Connecting…");
  const output = h("div", { class: "log", role: "log", "aria-live": "off", tabindex: 0 });
  const heading = h("span", null, "Component ", h("a", { href: ctx.link(`${source ? "remotecfg/" : ""}component/${encodeId(id)}`) }, h("code", null, id)));
  const badge = h("span", { class: "title-badge" });

  mount(
    ctx.root,
    pageHeader("Live debugging", h("span", null, heading, " ", badge)),
    h(
      "div",
      { class: "toolbar" },
      h("div", { class: "button-group" }, toggle, clear, copy),
      filter,
      h("label", { class: "range-label" }, "Sample rate", rate, rateLabel),
      h("label", { class: "check" }, follow, "Auto-scroll"),
      status,
    ),
    output,
  );

  void getComponent(id, source, ctx.signal)
    .then((c) => mount(badge, healthBadge(c.health.state)))
    .catch(() => {});

  const matches = (line: string) => !filterText || line.toLowerCase().includes(filterText);
  const lineEl = (line: string) => h("div", { class: "log-line" }, line);

  function renderAll(): void {
    const fragment = document.createDocumentFragment();
    for (const line of lines) if (matches(line)) fragment.append(lineEl(line));
    output.replaceChildren(fragment);
    updateStatus();
    scroll();
  }

  let pending: string[] = [];
  let frame = 0;
  function flush(): void {
    frame = 0;
    const batch = pending;
    pending = [];
    lines.push(...batch);
    const overflow = lines.length - MAX_LINES;
    if (overflow > 0) {
      lines = lines.slice(overflow);
      renderAll();
      return;
    }
    const fragment = document.createDocumentFragment();
    for (const line of batch) if (matches(line)) fragment.append(lineEl(line));
    output.append(fragment);
    updateStatus();
    scroll();
  }

  function updateStatus(): void {
    const shown = filterText ? output.childElementCount : lines.length;
    const what = filterText ? `${shown} of ${lines.length} lines` : `${lines.length} lines`;
    status.textContent = running ? `Streaming · ${what}` : `Stopped · ${what}`;
  }

  function scroll(): void {
    if (autoScroll) output.scrollTop = output.scrollHeight;
  }

  function start(): void {
    stream?.abort();
    const controller = new AbortController();
    stream = controller;
    ctx.signal.addEventListener("abort", () => controller.abort(), { once: true });
    status.textContent = "Listening for incoming data…";
    readItems(debugStreamPath(id, sampleProb), controller.signal, (item) => {
      pending.push(item);
      if (!frame) frame = requestAnimationFrame(flush);
    })
      .then(() => {
        if (controller.signal.aborted) return;
        running = false;
        toggle.textContent = "Resume";
        status.textContent = "The stream ended.";
      })
      .catch((error: Error) => {
        if (controller.signal.aborted) return;
        running = false;
        status.textContent = "";
        // A component without live debugging never gets it: retrying cannot help. A disabled
        // service can be enabled by a reload, so say how.
        const unsupported = /does not support live debugging/.test(error.message);
        const disabled = error.message.startsWith("the live debugging service is disabled");
        toggle.textContent = "Retry";
        toggle.toggleAttribute("disabled", unsupported);
        const detail = disabled
          ? [error.message, h("div", null, "Add ", h("code", null, "livedebugging { enabled = true }"), " to the configuration, reload it, then retry.")]
          : error.message;
        output.replaceChildren(message("error", "Live debugging is not available", detail));
        lines = [];
      });
  }

  toggle.addEventListener("click", () => {
    running = !running;
    toggle.textContent = running ? "Stop" : "Resume";
    if (running) {
      if (output.querySelector(".message")) output.replaceChildren();
      start();
    } else {
      stream?.abort();
      updateStatus();
    }
  });
  clear.addEventListener("click", () => {
    lines = [];
    renderAll();
  });
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(lines.filter(matches).join("\n"));
      ctx.toast("Copied to the clipboard");
    } catch (error) {
      ctx.toast(`Cannot copy: ${(error as Error).message}`, "error");
    }
  });
  filter.addEventListener("input", () => {
    filterText = filter.value.trim().toLowerCase();
    renderAll();
  });
  rate.addEventListener("input", () => (rateLabel.textContent = `${rate.value}%`));
  rate.addEventListener("change", () => {
    sampleProb = Number(rate.value) / 100;
    if (running) start();
  });
  follow.addEventListener("change", () => {
    autoScroll = follow.checked;
    scroll();
  });
  let lastTop = 0;
  output.addEventListener("scroll", () => {
    if (autoScroll && output.scrollTop < lastTop - 4) {
      autoScroll = false;
      follow.checked = false;
    }
    lastTop = output.scrollTop;
  });
  ctx.signal.addEventListener("abort", () => {
    if (frame) cancelAnimationFrame(frame);
  });

  start();
}
