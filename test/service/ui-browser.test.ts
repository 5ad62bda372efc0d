// The UI in a real browser: Debian's Chromium driven by playwright-core, against the UI service and
// a fake host served on a real socket under a non-root prefix. Screenshots of each page land in
// .test-tmp/ui-screenshots/.
//
// Node only: playwright-core talks to the browser through Node's child processes and pipes, which
// Deno and Bun do not carry far enough; the same UI and API are tested under all three runtimes by
// the other ui-*.test.ts files.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { platform, type HttpServer } from "../../src/platform/mod.ts";
import { UiService } from "../../src/service/ui/service.ts";
import { currentRuntime, repoRoot } from "../helpers/runtime.ts";
import { fakeUiHost, type FakeUiHost } from "./ui-fake-host.ts";

const CHROMIUM = "/usr/bin/chromium";
const runtime = currentRuntime();
const skip =
  runtime !== "node"
    ? `playwright-core drives Chromium from Node only (this is ${runtime}); the UI's API and files are tested on every runtime elsewhere`
    : !existsSync(CHROMIUM)
      ? `${CHROMIUM} is absent: install Debian's chromium (apt-get install -y chromium) to run the browser test`
      : false;

// Only the types of playwright-core: the module itself is loaded under Node only.
type Playwright = typeof import("playwright-core");
type BrowserContext = Awaited<ReturnType<Playwright["chromium"]["launchPersistentContext"]>>;
type Page = Awaited<ReturnType<BrowserContext["newPage"]>>;

const PREFIX = "/alloy/";
const shots = join(repoRoot, ".test-tmp", "ui-screenshots");

interface Session {
  fake: FakeUiHost;
  ui: UiService;
  server: HttpServer;
  context: BrowserContext;
  page: Page;
  base: string;
  profile: string;
  errors: string[];
  reloads: number;
}

let session: Session | undefined;

async function open(): Promise<Session> {
  if (session) return session;
  const fake = fakeUiHost();
  const ui = new UiService({ host: fake.host, prefix: PREFIX, debugFlushMs: 200 });
  const state = { reloads: 0 };
  // A reload that makes loki.write unhealthy, then one that fails, as /-/reload answers them.
  const server = await platform().serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request) => {
      if (new URL(request.url).pathname === "/-/reload") {
        state.reloads++;
        if (state.reloads === 1) {
          fake.setHealth("loki.write.default", "unhealthy", "failed to push: connection refused");
          return new Response("config reloaded\n", { headers: { "content-type": "text/plain; charset=utf-8" } });
        }
        return new Response("error during the initial load: /etc/alloy/config.alloy:3:1: unrecognized attribute name \"nope\"\n", { status: 400 });
      }
      return ui.handler(request);
    },
  });
  const { chromium } = (await import("playwright-core")) as Playwright;
  const profile = mkdtempSync(join(tmpdir(), "alloy-ts-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1360, height: 860 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  // The browser's own notes about failed requests are left out: the failed reload is one, on purpose.
  page.on("console", (msg) => {
    if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource")) errors.push(msg.text());
  });
  mkdirSync(shots, { recursive: true });
  session = {
    fake,
    ui,
    server,
    context,
    page,
    base: `http://127.0.0.1:${server.port}${PREFIX}`,
    profile,
    errors,
    get reloads() {
      return state.reloads;
    },
  };
  return session;
}

after(async () => {
  if (!session) return;
  session.ui.close();
  await session.context.close();
  await session.server.close(200);
  rmSync(session.profile, { recursive: true, force: true });
});

const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${name}.png`) });

describe("ui in Chromium", () => {
  it("lists the components with their health, and filters them", { skip }, async () => {
    const { page, base } = await open();
    await page.goto(base);
    const rows = page.locator("table.components tbody tr:not([hidden])");
    await rows.nth(8).waitFor();
    assert.equal(await rows.count(), 9);
    const unhealthy = page.locator('tr[data-id="prometheus.remote_write.default"]');
    assert.equal(await unhealthy.locator(".badge").innerText(), "unhealthy");
    assert.match(await unhealthy.innerText(), /401 Unauthorized/);
    await shot(page, "01-components");

    await page.getByRole("button", { name: /Unhealthy/ }).click();
    await page.waitForFunction(() => document.querySelectorAll("table.components tbody tr:not([hidden])").length === 1);
    assert.match(page.url(), /\?health=unhealthy$/);
    await page.getByRole("button", { name: /^All/ }).click();
    await page.getByLabel("Filter components").fill("loki");
    await page.waitForFunction(() => document.querySelectorAll("table.components tbody tr:not([hidden])").length === 3);
  });

  it("opens a component from the list and shows its health, arguments, exports and references", { skip }, async () => {
    const { page, base } = await open();
    await page.goto(base);
    await page.getByRole("link", { name: "prometheus.remote_write.default", exact: true }).click();
    await page.waitForURL(`${base}component/prometheus.remote_write.default`);
    await page.locator("h1.component-title").waitFor();
    assert.match(await page.locator("h1.component-title").innerText(), /prometheus\.remote_write\.default\s+unhealthy/);
    assert.match(await page.locator(".health-card").innerText(), /invalid credentials/);
    const args = await page.locator("#arguments").innerText();
    assert.match(args, /url\s+"https:\/\/prometheus\.example\.com\/api\/v1\/write"/);
    assert.match(args, /password\s+\(secret\)/);
    assert.match(await page.locator("#exports").innerText(), /receiver\s+prometheus\.Appendable/);
    await shot(page, "02-component");

    // From the dependants to the scrape component, which has debug info and live debugging.
    await page.locator("#dependants").getByRole("link", { name: "prometheus.scrape.pods" }).click();
    await page.waitForURL(`${base}component/prometheus.scrape.pods`);
    await page.locator("#debug-info").waitFor();
    assert.match(await page.locator("#debug-info").innerText(), /last_scrape_duration\s+"12\.3ms"/);
    assert.match(await page.locator("#arguments").innerText(), /__address__\s+= "10\.0\.3\.17:8080"/);
    assert.equal(await page.getByRole("link", { name: "Live debugging" }).count(), 1);
  });

  it("drills into a custom component's module", { skip }, async () => {
    const { page, base } = await open();
    await page.goto(`${base}component/pipeline.default`);
    const section = page.locator("#modules");
    await section.waitFor();
    await section.getByRole("link", { name: "remote.http.config" }).click();
    await page.waitForURL(`${base}component/pipeline.default/remote.http.config`);
    await page.locator("h1.component-title").waitFor();
    assert.match(await page.locator("h1.component-title").innerText(), /exited/);
    assert.match(await page.locator(".breadcrumbs").innerText(), /Components\s*\/\s*pipeline\.default\s*\/\s*remote\.http\.config/);
    assert.match(await page.locator("#dependencies").innerText(), /local\.file\.token/);
  });

  it("draws the graph with live rates, and opens a component from it", { skip }, async () => {
    const { page, base, fake } = await open();
    await page.goto(base);
    await page.getByRole("link", { name: "Graph" }).click();
    await page.waitForURL(`${base}graph`);
    await page.locator("svg.graph .nodes > g").nth(8).waitFor();
    assert.equal(await page.locator("svg.graph .nodes > g").count(), 9);
    assert.equal(await page.locator("svg.graph path.edge").count(), 5);

    // Rates arrive from the /graph stream; a 1-second window keeps the test short.
    await page.getByLabel("Rate window").selectOption("1");
    const emit = setInterval(() => fake.emit("prometheus.scrape.pods", { type: "prometheus_metric", count: 500 }), 100);
    try {
      await page.locator(".edge-label[visibility=visible] text").first().waitFor();
      assert.match(await page.locator(".edge-label[visibility=visible] text").first().textContent() ?? "", /\/s$/);
    } finally {
      clearInterval(emit);
    }
    await shot(page, "03-graph");

    await page.locator('svg.graph a.node[data-id="prometheus.scrape.pods"]').click();
    await page.waitForURL(`${base}component/prometheus.scrape.pods`);
    await page.locator("h1.component-title").waitFor();
  });

  it("answers unknown routes with the app, which says there is no such page", { skip }, async () => {
    const { page, base } = await open();
    const response = await page.goto(`${base}no/such/page`);
    assert.equal(response?.status(), 200);
    await page.getByRole("heading", { name: "Page not found" }).waitFor();
    await page.getByRole("link", { name: "Go to the component list" }).click();
    await page.waitForURL(base);
  });

  it("lists the cluster's peers and marks this node", { skip }, async () => {
    const { page, base } = await open();
    await page.goto(`${base}clustering`);
    const rows = page.locator("table.peers tbody tr");
    await rows.nth(2).waitFor();
    assert.equal(await rows.count(), 3, "viewers are not listed");
    assert.match(await rows.first().innerText(), /alloy-0\s+10\.0\.0\.10:12345\s+participant\s+✓ this node/);
    await shot(page, "04-clustering");
  });

  it("streams live debugging data", { skip }, async () => {
    const { page, base, fake } = await open();
    await page.goto(`${base}component/prometheus.scrape.pods`);
    await page.getByRole("link", { name: "Live debugging" }).click();
    await page.waitForURL(`${base}debug/prometheus.scrape.pods`);
    let n = 0;
    const emit = setInterval(() => fake.emit("prometheus.scrape.pods", { text: `sample ${++n} up{job="pods"} 1` }), 50);
    try {
      await page.locator(".log-line").nth(4).waitFor();
    } finally {
      clearInterval(emit);
    }
    assert.match(await page.locator(".log-line").first().innerText(), /^sample \d+ up\{job="pods"\} 1$/);
    await shot(page, "05-live-debugging");
    await page.getByRole("button", { name: "Stop" }).click();
    await page.getByRole("button", { name: "Resume" }).waitFor();
  });

  it("shows a component turn unhealthy after a reload, and a failed reload's error", { skip }, async () => {
    const s = await open();
    const { page, base } = s;
    await page.goto(base);
    const row = page.locator('tr[data-id="loki.write.default"]');
    await row.waitFor();
    assert.equal(await row.locator(".badge").innerText(), "healthy");
    await page.getByRole("button", { name: "Reload config" }).click();
    await page.getByText("Configuration reloaded").waitFor();
    await page.waitForFunction(() => document.querySelector('tr[data-id="loki.write.default"] .badge')?.textContent === "unhealthy");
    assert.match(await row.innerText(), /connection refused/);
    await page.getByRole("button", { name: "Reload config" }).click();
    await page.getByText(/Reload failed: error during the initial load/).waitFor();
    assert.equal(s.reloads, 2);
    await shot(page, "06-after-reload");
  });

  it("raised no script errors", { skip }, async () => {
    const { errors } = await open();
    assert.deepEqual(errors, []);
  });
});
