// The embedded UI is built from src/service/ui/web/ by scripts/build-ui.ts and committed; this
// fails when the sources changed since, or when the built files do not fit together.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { uiSourceHash } from "../../scripts/build-ui.ts";
import { UI_ASSETS, UI_SOURCE_HASH } from "../../src/service/ui/assets.generated.ts";

describe("ui assets", () => {
  it("are built from the current sources (run `node --import tsx scripts/build-ui.ts` when this fails)", () => {
    assert.equal(UI_SOURCE_HASH, uiSourceHash(), "src/service/ui/assets.generated.ts is stale: run `node --import tsx scripts/build-ui.ts` and commit it");
  });

  it("has index.html with the base-href placeholder, pointing at files that exist", () => {
    const paths = new Set(UI_ASSETS.map((a) => a.path));
    const index = UI_ASSETS.find((a) => a.path === "/index.html");
    assert.ok(index, "index.html is embedded");
    assert.ok(index.body.includes('<base href="{{! .PublicURL !}}/" />'));
    const refs = [...index.body.matchAll(/(?:src|href)="([^"{]+)"/g)].map((m) => m[1]!).filter((r) => !r.includes(":"));
    assert.ok(refs.length >= 3, refs.join(" "));
    for (const ref of refs) assert.ok(paths.has(`/${ref}`), `${ref} is embedded`);
  });

  it("gives hashed names to the script and the stylesheet, and only to them", () => {
    for (const asset of UI_ASSETS) {
      assert.equal(asset.immutable, /\.[0-9a-f]{10}\.(js|css)$/.test(asset.path), asset.path);
      assert.ok(asset.body.length > 0, asset.path);
    }
  });
});
