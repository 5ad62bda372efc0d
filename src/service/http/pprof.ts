// /debug/pprof (with --server.http.enable-pprof): profiles of the runtime the agent runs on.
// `profile` is a CPU profile in pprof's protobuf format (gzipped, as Go serves it, so
// `go tool pprof http://host/debug/pprof/profile?seconds=5` works) or, with ?format=cpuprofile, V8's
// JSON for Chrome DevTools; `heap` is a V8 heap snapshot whose string contents are redacted (a Go
// heap profile holds no data either; see heap-snapshot.ts). What a runtime cannot give is an
// explicit 501 naming the runtime.
import { Hono } from "hono";
import type { Platform } from "../../platform/mod.ts";
import { cpuProfileToPprof } from "../../wire/pprof/encode.ts";
import { redactedHeapSnapshot } from "./heap-snapshot.ts";

const INDEX = (runtime: string) => `<html>
<head><title>/debug/pprof/</title></head>
<body>
<p>/debug/pprof/ — profiles of alloy-ts running on ${runtime}</p>
<table>
<tr><td><a href="profile?seconds=30">profile</a></td><td>CPU profile in pprof format; ?seconds=N (default 30), ?format=cpuprofile for V8 JSON (Chrome DevTools).</td></tr>
<tr><td><a href="heap">heap</a></td><td>V8 heap snapshot (.heapsnapshot, open in Chrome DevTools' Memory tab), string contents redacted.</td></tr>
</table>
</body>
</html>
`;

async function gzip(bytes: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export function pprofRoutes(platform: Platform): Hono {
  const app = new Hono();
  const runtime = `${platform.runtime.name} ${platform.runtime.version}`;
  const unavailable = (what: string, error: unknown) =>
    new Response(`${what} is not available on ${runtime}: ${(error as Error).message}\n`, { status: 501 });

  app.get("/debug/pprof", (c) => c.redirect("/debug/pprof/", 301));
  app.get("/debug/pprof/", () => new Response(INDEX(runtime), { headers: { "content-type": "text/html; charset=utf-8" } }));

  app.get("/debug/pprof/profile", async (c) => {
    const seconds = Number(c.req.query("seconds") ?? "30");
    if (!Number.isFinite(seconds) || seconds <= 0) return new Response("bad seconds\n", { status: 400 });
    let profile;
    try {
      profile = await platform.profiler.cpuProfile(seconds * 1000, c.req.raw.signal);
    } catch (error) {
      if ((error as Error).message.includes("already")) return new Response(`${(error as Error).message}\n`, { status: 409 });
      return unavailable("CPU profiling", error);
    }
    if (c.req.query("format") === "cpuprofile") {
      return new Response(JSON.stringify(profile), {
        headers: { "content-type": "application/json", "content-disposition": 'attachment; filename="alloy.cpuprofile"' },
      });
    }
    const body = await gzip(cpuProfileToPprof(profile));
    return new Response(body, {
      headers: { "content-type": "application/octet-stream", "content-disposition": 'attachment; filename="profile"' },
    });
  });

  app.get("/debug/pprof/heap", async () => {
    try {
      return new Response(await redactedHeapSnapshot(platform.profiler.heapSnapshot()), {
        headers: { "content-type": "application/json", "content-disposition": 'attachment; filename="alloy.heapsnapshot"' },
      });
    } catch (error) {
      return unavailable("heap snapshots", error);
    }
  });

  app.all("/debug/pprof/*", (c) => new Response(`profile ${c.req.path.slice("/debug/pprof/".length)} is not available on ${runtime}\n`, { status: 404 }));
  return app;
}
