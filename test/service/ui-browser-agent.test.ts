// The UI of the real agent in a real browser: `alloy run` started as a child process under Node,
// Deno and Bun in turn, with the UI under a non-root prefix, and Debian's Chromium driven by
// playwright-core. Every page is visited (list, component, a module's component, graph, a
// module's graph, clustering, live debugging, an unknown page), the list links to a component and
// to the graph, a bad reload turns a component unhealthy on screen, and the reload button brings it
// back. Screenshots land in .test-tmp/ui-agent-screenshots/<runtime>-NN-page.png.
//
// The test itself runs under Node only: playwright-core talks to the browser through Node's child
// processes and pipes, which Deno and Bun do not carry far enough. The agents it starts run under
// all three runtimes.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { currentRuntime, repoRoot, spawnCommand, type ChildRun, type Runtime } from "../helpers/runtime.ts";
import { makeTempDir } from "../helpers/tmp.ts";

const CHROMIUM = "/usr/bin/chromium";
const runtime = currentRuntime();
const skip =
  runtime !== "node"
    ? `playwright-core drives Chromium from Node only (this is ${runtime}); this test starts the agent under Node, Deno and Bun in turn`
    : !existsSync(CHROMIUM)
      ? `${CHROMIUM} is absent: install Debian's chromium (apt-get install -y chromium) to run the browser test`
      : false;

type Playwright = typeof import("playwright-core");
type BrowserContext = Awaited<ReturnType<Playwright["chromium"]["launchPersistentContext"]>>;
type Page = Awaited<ReturnType<BrowserContext["newPage"]>>;

const PREFIX = "/alloy/";
const shots = join(repoRoot, ".test-tmp", "ui-agent-screenshots");
const entry = join(repoRoot, "src/cli/entry.ts");
const bin = (name: string) => join(repoRoot, "node_modules", ".bin", name);

/** The command line that runs `alloy` under a runtime. */
function alloyCommand(target: Runtime): [string, string[]] {
  switch (target) {
    case "node":
      // tsx by path: `--import tsx` would resolve from the agent's working directory.
      return [process.execPath, ["--import", pathToFileURL(join(repoRoot, "node_modules/tsx/dist/loader.mjs")).href, entry]];
    case "deno":
      return [bin("deno"), ["run", "--no-check", "--allow-all", entry]];
    case "bun":
      return [bin("bun"), [entry]];
  }
}

let browser: { context: BrowserContext; page: Page; profile: string; errors: string[] } | undefined;

async function openBrowser() {
  if (browser) return browser;
  const { chromium } = (await import("playwright-core")) as Playwright;
  const profile = mkdtempSync(join(tmpdir(), "alloy-ts-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1360, height: 860 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  // The browser's own notes about failed requests are left out: the bad reload's 400 is one, on purpose.
  page.on("console", (msg) => {
    if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource")) errors.push(msg.text());
  });
  mkdirSync(shots, { recursive: true });
  browser = { context, page, profile, errors };
  return browser;
}

after(async () => {
  if (!browser) return;
  await browser.context.close();
  rmSync(browser.profile, { recursive: true, force: true });
});

describe("the UI of the real agent in Chromium", { skip }, () => {
  for (const target of ["node", "deno", "bun"] as const) {
    describe(`alloy run under ${target}`, () => {
      const dir = makeTempDir();
      const motd = join(dir.path, "motd.txt");
      const pathFile = join(dir.path, "path.txt");
      const configPath = join(dir.path, "config.alloy");
      writeFileSync(motd, "hello from the UI test\n");
      // local.file.path's content names the file local.file.target reads: an edge in the graph.
      writeFileSync(pathFile, motd);
      writeFileSync(join(dir.path, "token.txt"), "ui-test-secret-token");
      const config = (motdFile: string) =>
        [
          "livedebugging {\n  enabled = true\n}\n",
          `local.file "motd" {\n  filename = "${motdFile}"\n}\n`,
          `local.file "path" {\n  filename = "${pathFile}"\n}\n`,
          'local.file "target" {\n  filename = local.file.path.content\n}\n',
          `local.file "token" {\n  filename = "${join(dir.path, "token.txt")}"\n  is_secret = true\n}\n`,
          'declare "reader" {\n  argument "file" { }\n\n  local.file "inner" {\n    filename = argument.file.value\n  }\n\n',
          '  export "content" {\n    value = local.file.inner.content\n  }\n}\n',
          `reader "r" {\n  file = "${motd}"\n}\n`,
        ].join("\n");
      let agent: ChildRun;
      let base: string;
      let n = 0;
      const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${target}-${String(++n).padStart(2, "0")}-${name}.png`) });

      before(async () => {
        writeFileSync(configPath, config(motd));
        const [command, args] = alloyCommand(target);
        agent = spawnCommand(command, [
          ...args,
          "run",
          "--server.http.listen-addr=127.0.0.1:0",
          `--server.http.ui-path-prefix=${PREFIX}`,
          "--cluster.node-name=ui-test-node",
          `--storage.path=${join(dir.path, "data")}`,
          configPath,
        ], { cwd: dir.path });
        const output = await agent.waitFor(/msg="now listening for http traffic".*addr=127\.0\.0\.1:\d+/);
        base = `http://127.0.0.1:${/addr=127\.0\.0\.1:(\d+)/.exec(output)![1]}${PREFIX}`;
        await agent.waitFor(/Alloy is running/);
      });

      after(async () => {
        agent?.kill("SIGTERM");
        await agent?.completion();
        dir.cleanup();
      });

      it("lists the components, and opens one from the list", async () => {
        const { page } = await openBrowser();
        await page.goto(base);
        const rows = page.locator("table.components tbody tr:not([hidden])");
        await rows.nth(4).waitFor();
        assert.equal(await rows.count(), 5);
        const ids = await rows.evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute("data-id")}:${tr.getAttribute("data-health")}`));
        assert.deepEqual(ids.sort(), ["local.file.motd", "local.file.path", "local.file.target", "local.file.token", "reader.r"].map((id) => `${id}:healthy`));
        await shot(page, "components");

        await page.getByRole("link", { name: "local.file.target", exact: true }).click();
        await page.waitForURL(`${base}component/local.file.target`);
        await page.locator("h1.component-title").waitFor();
        assert.match(await page.locator("h1.component-title").innerText(), /local\.file\.target\s+healthy/);
        assert.match(await page.locator("#exports").innerText(), /content\s+"hello from the UI test\\n"/);
        assert.match(await page.locator("#dependencies").innerText(), /local\.file\.path/);
        await shot(page, "component");

        // The secret stays a secret on screen too.
        await page.goto(`${base}component/local.file.token`);
        await page.locator("#exports").waitFor();
        assert.match(await page.locator("#exports").innerText(), /content\s+\(secret\)/);
        assert.doesNotMatch(await page.content(), /ui-test-secret-token/);
      });

      it("opens a module's components from the custom component", async () => {
        const { page } = await openBrowser();
        await page.goto(`${base}component/reader.r`);
        const modules = page.locator("#modules");
        await modules.waitFor();
        await modules.getByRole("link", { name: "local.file.inner" }).click();
        await page.waitForURL(`${base}component/reader.r/local.file.inner`);
        await page.locator("h1.component-title").waitFor();
        assert.match(await page.locator(".breadcrumbs").innerText(), /Components\s*\/\s*reader\.r\s*\/\s*local\.file\.inner/);
        await shot(page, "module-component");
      });

      it("draws the graph from the list's navigation, and opens a component from it", async () => {
        const { page } = await openBrowser();
        await page.goto(base);
        await page.locator("table.components tbody tr").first().waitFor();
        await page.getByRole("link", { name: "Graph", exact: true }).click();
        await page.waitForURL(`${base}graph`);
        await page.locator("svg.graph .nodes > g").nth(4).waitFor();
        assert.equal(await page.locator("svg.graph .nodes > g").count(), 5);
        assert.ok((await page.locator("svg.graph path.edge").count()) >= 1, "local.file.path → local.file.target");
        await shot(page, "graph");
        await page.locator('svg.graph a.node[data-id="local.file.path"]').click();
        await page.waitForURL(`${base}component/local.file.path`);
        await page.locator("h1.component-title").waitFor();

        await page.goto(`${base}graph/reader.r`);
        await page.locator('svg.graph a.node[data-id="local.file.inner"]').waitFor();
        await shot(page, "module-graph");
      });

      it("shows this node on the clustering page", async () => {
        const { page } = await openBrowser();
        await page.goto(`${base}clustering`);
        const row = page.locator("table.peers tbody tr");
        await row.first().waitFor();
        assert.equal(await row.count(), 1);
        // Advertised at the port the agent listens on (the system picked it: listen port 0).
        const port = new URL(base).port;
        assert.match(await row.first().innerText(), new RegExp(`ui-test-node\\s+127\\.0\\.0\\.1:${port}\\s+participant\\s+✓ this node`));
        await shot(page, "clustering");
      });

      it("says why live debugging is not available, shows the empty remote configuration, and unknown pages as such", async () => {
        const { page } = await openBrowser();
        await page.goto(`${base}debug/local.file.motd`);
        await page.getByText('the component "local.file" does not support live debugging').waitFor();
        assert.equal(await page.getByRole("button", { name: "Retry" }).isDisabled(), true, "retrying cannot help");
        await shot(page, "live-debugging");
        await page.getByRole("link", { name: "Remote config" }).click();
        await page.waitForURL(`${base}remotecfg`);
        await page.getByText("The remote configuration defines no components.").waitFor();
        await shot(page, "remote-config");
        await page.goto(`${base}no/such/page`);
        await page.getByRole("heading", { name: "Page not found" }).waitFor();
        await shot(page, "not-found");
      });

      it("shows a component turn unhealthy after a bad reload, and healthy again after the reload button", async () => {
        const { page } = await openBrowser();
        await page.goto(base);
        const row = page.locator('tr[data-id="local.file.motd"]');
        await row.waitFor();
        assert.equal(await row.getAttribute("data-health"), "healthy");

        writeFileSync(configPath, config(join(dir.path, "missing.txt")));
        const reload = await fetch(new URL("/-/reload", base), { method: "POST" });
        assert.equal(reload.status, 400);
        assert.match(await reload.text(), /missing\.txt/);
        // The list refreshes by itself.
        await page.waitForFunction(() => document.querySelector('tr[data-id="local.file.motd"]')?.getAttribute("data-health") === "unhealthy");
        assert.match(await row.innerText(), /no such file or directory/);
        await shot(page, "unhealthy");
        await page.goto(`${base}component/local.file.motd`);
        assert.match(await page.locator(".health-card").innerText(), /unhealthy[\s\S]*missing\.txt/);
        await shot(page, "unhealthy-component");

        writeFileSync(configPath, config(motd));
        await page.goto(base);
        await row.waitFor();
        await page.getByRole("button", { name: "Reload config" }).click();
        await page.getByText("Configuration reloaded").waitFor();
        await page.waitForFunction(() => document.querySelector('tr[data-id="local.file.motd"]')?.getAttribute("data-health") === "healthy");
        await shot(page, "reloaded");
      });

      it("raised no script errors", async () => {
        const { errors } = await openBrowser();
        assert.deepEqual(errors, []);
      });
    });
  }
});
