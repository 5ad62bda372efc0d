// The peer of the pipeline benchmark (scripts/bench/pipeline-agent.ts), run as its own process so that
// its CPU is not counted for the agents: a synthetic exporter with --targets targets of --series series
// in total (GET /metrics/t<i>, Prometheus text format, values change every scrape, --churn of the
// series renamed every --churn-every seconds), and a remote-write receiver (POST /write/<agent>) that
// decodes every request and counts samples and bytes per agent (GET /stats).
// Run: node --import tsx scripts/bench/pipeline-peer.ts --port 0 --series 200000 --targets 20
import { createServer } from "node:http";
import process from "node:process";
import { visitWriteRequest } from "../../src/wire/remotewrite/decode.ts";
import { readRequestBody } from "../../src/wire/remotewrite/request.ts";

const args = new Map<string, string>();
for (let i = 2; i + 1 < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1]!);
const SERIES = Number(args.get("series") ?? 200_000);
const TARGETS = Number(args.get("targets") ?? 20);
const CHURN = Number(args.get("churn") ?? 0);
const CHURN_EVERY_MS = Number(args.get("churn-every") ?? 60) * 1000;
const PER_TARGET = Math.ceil(SERIES / TARGETS);

// Families of 50 series with node_exporter-like labels; every body is rendered once per value set.
const METHODS = ["GET", "POST", "PUT", "DELETE"];
let generation = 0;
function render(target: number, valueSet: number): Buffer {
  const lines: string[] = [];
  const families = Math.ceil(PER_TARGET / 50);
  for (let f = 0; f < families; f++) {
    const name = `bench_requests_${f}_total`;
    lines.push(`# HELP ${name} Requests handled, family ${f}.`, `# TYPE ${name} counter`);
    for (let i = 0; i < 50 && f * 50 + i < PER_TARGET; i++) {
      const n = f * 50 + i;
      // Churn: a fraction of the series gets a new label value each generation.
      const gen = n < PER_TARGET * CHURN ? generation : 0;
      const v = (n * 7 + valueSet * 13 + target) % 100000;
      lines.push(`${name}{method="${METHODS[i % 4]}",code="${200 + (i % 5)}",handler="/api/v1/resource/${i}",pod="pod-${n % 97}-${gen}"} ${v}`);
    }
  }
  return Buffer.from(lines.join("\n") + "\n");
}

let bodies: Buffer[][] = [];
function renderAll() {
  bodies = Array.from({ length: TARGETS }, (_, t) => [render(t, 0), render(t, 1)]);
}
renderAll();
if (CHURN > 0) {
  setInterval(() => {
    generation++;
    renderAll();
  }, CHURN_EVERY_MS).unref();
}
const scrapes = new Array<number>(TARGETS).fill(0);

interface Stats {
  requests: number;
  samples: number;
  bytes: number;
  errors: number;
}
const stats = new Map<string, Stats>();

const server = createServer((req, res) => {
  const url = req.url ?? "/";
  const m = /^\/metrics\/t([0-9]+)$/.exec(url.split("?")[0]!);
  if (req.method === "GET" && m) {
    const t = Number(m[1]);
    const body = bodies[t]![scrapes[t]!++ % 2]!;
    res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4", "Content-Length": body.length });
    res.end(body);
    return;
  }
  if (req.method === "GET" && url === "/stats") {
    res.end(JSON.stringify(Object.fromEntries(stats)));
    return;
  }
  const w = /^\/write\/([a-z0-9-]+)$/.exec(url);
  if (req.method === "POST" && w) {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const s = stats.get(w[1]!) ?? { requests: 0, samples: 0, bytes: 0, errors: 0 };
      stats.set(w[1]!, s);
      const body = Buffer.concat(chunks);
      try {
        let n = 0;
        visitWriteRequest(readRequestBody(new Uint8Array(body.buffer, body.byteOffset, body.byteLength)), {
          series: () => 0,
          sample: () => void n++,
        });
        s.requests++;
        s.samples += n;
        s.bytes += body.length;
        res.end();
      } catch (e) {
        s.errors++;
        res.statusCode = 400;
        res.end(String(e));
      }
    });
    return;
  }
  res.statusCode = 404;
  res.end();
});
server.listen(Number(args.get("port") ?? 0), "127.0.0.1", () => {
  const port = (server.address() as { port: number }).port;
  process.stdout.write(`listening on 127.0.0.1:${port} series=${PER_TARGET * TARGETS} targets=${TARGETS}\n`);
});
process.on("SIGTERM", () => process.exit(0));
