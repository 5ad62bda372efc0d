// The Prometheus converter: prometheus.yml → discovery.* / discovery.relabel / prometheus.scrape /
// prometheus.relabel / prometheus.remote_write, in that order, with Alloy's labels, its
// diagnostics for what has no Alloy equivalent, and an info summary per scrape job and for the
// remote write component.
import { Block, FileBuilder } from "../../syntax/builder.ts";
import { quote } from "../../syntax/quote.ts";
import type { StructType } from "../../syntax/schema/index.ts";
import { Diagnostics, Severity } from "../diag.ts";
import { appendArgs } from "../common/encode.ts";
import { labelWithIndex, sanitizeLabel } from "../common/labels.ts";
import { prettyPrint } from "../common/print.ts";
import { ExprRef, exportTargets, type Target } from "../common/tokenizers.ts";
import * as discovery from "../schemas/discovery.ts";
import { RelabelArguments, RemoteWriteArguments, ScrapeArguments } from "../schemas/prometheus.ts";
import { discoveryArgs, remoteWriteArgs, scrapeArgs, staticTargets, toRules } from "./components.ts";
import { type Config, loadConfig, type LoadOptions, type ScrapeConfig, storageConfigured } from "./config.ts";
import type { HTTPClientConfig } from "./common.ts";
import type { SDConfig } from "./sd.ts";

interface PromBlock {
  block: Block;
  name: string[];
  label: string;
  summary: string;
  detail: string;
}

/** Blocks by category, written in Alloy's order (Go's build.PrometheusBlocks). */
class PrometheusBlocks {
  readonly discovery: PromBlock[] = [];
  readonly discoveryRelabel: PromBlock[] = [];
  readonly scrape: PromBlock[] = [];
  readonly relabel: PromBlock[] = [];
  readonly remoteWrite: PromBlock[] = [];

  all(): PromBlock[] {
    return [...this.discovery, ...this.discoveryRelabel, ...this.scrape, ...this.relabel, ...this.remoteWrite];
  }

  scrapeInfo(): Diagnostics {
    const diags = new Diagnostics();
    for (const s of this.scrape) {
      let detail = s.detail;
      for (const group of [this.discovery, this.discoveryRelabel, this.relabel]) {
        for (const b of group) if (b.label.startsWith(s.label)) detail += `\n\tA ${b.name.join(".")}.${b.label} component`;
      }
      diags.add(Severity.Info, s.summary, detail);
    }
    for (const rw of this.remoteWrite) diags.add(Severity.Info, rw.summary, rw.detail);
    return diags;
  }
}

function newBlock(name: string[], label: string, schema: StructType<any>, args: unknown): Block {
  const block = new Block(name, label);
  appendArgs(block.body, schema, args);
  return block;
}

const DISCOVERY_SCHEMAS: Record<string, StructType<any>> = {
  azure: discovery.Azure, consul: discovery.Consul, digitalocean: discovery.DigitalOcean, dns: discovery.DNS, docker: discovery.Docker,
  dockerswarm: discovery.DockerSwarm, ec2: discovery.EC2, file: discovery.File, gce: discovery.GCE, http: discovery.HTTP, ionos: discovery.Ionos,
  kubernetes: discovery.Kubernetes, kuma: discovery.Kuma, lightsail: discovery.Lightsail, linode: discovery.Linode, marathon: discovery.Marathon,
  nerve: discovery.Zookeeper, openstack: discovery.OpenStack, ovhcloud: discovery.OVHCloud, scaleway: discovery.Scaleway,
  serverset: discovery.Zookeeper, triton: discovery.Triton,
};

function appendServiceDiscovery(pb: PrometheusBlocks, configs: SDConfig[], label: string): Target[] {
  const targets: Target[] = [];
  const counts = new Map<string, number>();
  for (const config of configs) {
    if (config.name === "static") {
      targets.push(...staticTargets(config.config));
      continue;
    }
    const schema = DISCOVERY_SCHEMAS[config.name];
    const args = discoveryArgs(config);
    if (!schema || !args) continue; // unsupported: reported by validate
    const n = counts.get(config.name) ?? 0;
    counts.set(config.name, n + 1);
    const sdLabel = labelWithIndex(n, label);
    const name = ["discovery", config.name];
    pb.discovery.push({ block: newBlock(name, sdLabel, schema, args), name, label: sdLabel, summary: "", detail: "" });
    targets.push(...exportTargets(`discovery.${config.name}.${sdLabel}.targets`));
  }
  return targets;
}

/**
 * Appends the components for a Prometheus configuration (Go's AppendAllNested). Options let the
 * static converter prefix labels, add targets and reuse a remote_write.
 */
export function appendAll(
  pb: PrometheusBlocks,
  cfg: Config,
  opts: { jobLabel?: (job: string) => string; extraTargets?: Target[]; remoteWriteReceiver?: string } = {},
): Diagnostics {
  let receiver = opts.remoteWriteReceiver;
  if (receiver === undefined) {
    const prefix = opts.jobLabel ? opts.jobLabel("") : "";
    const rwLabel = prefix === "" ? "default" : sanitizeLabel(prefix);
    const rws = cfg.remote_write ?? [];
    if (rws.length > 0) {
      const name = ["prometheus", "remote_write"];
      const names = rws.map((rw) => rw.name).join(",");
      pb.remoteWrite.push({
        block: newBlock(name, rwLabel, RemoteWriteArguments, remoteWriteArgs(cfg.global, rws)),
        name,
        label: rwLabel,
        summary: `Converted ${rws.length} remote_write[s] ${quote(names)} into...`,
        detail: `\tA prometheus.remote_write.${rwLabel} component`,
      });
    }
    receiver = `prometheus.remote_write.${rwLabel}.receiver`;
  }
  const rwForward = [new ExprRef(receiver)];

  for (const sc of cfg.scrape_configs ?? []) {
    const label = sanitizeLabel(opts.jobLabel ? opts.jobLabel(sc.job_name) : sc.job_name);
    let forwardTo = rwForward;
    const metricRules = toRules(sc.metric_relabel_configs);
    if (metricRules) {
      const name = ["prometheus", "relabel"];
      pb.relabel.push({ block: newBlock(name, label, RelabelArguments, { forward_to: rwForward, rule: metricRules, max_cache_size: 100_000, cache_ttl: 0 }), name, label, summary: "", detail: "" });
      forwardTo = [new ExprRef(`prometheus.relabel.${label}.receiver`)];
    }
    let targets = appendServiceDiscovery(pb, sc.sd, label);
    targets.push(...(opts.extraTargets ?? []));
    const rules = toRules(sc.relabel_configs);
    if (rules) {
      const name = ["discovery", "relabel"];
      pb.discoveryRelabel.push({ block: newBlock(name, label, discovery.DiscoveryRelabel, { targets, rule: rules }), name, label, summary: "", detail: "" });
      targets = exportTargets(`discovery.relabel.${label}.output`);
    }
    const name = ["prometheus", "scrape"];
    pb.scrape.push({
      block: newBlock(name, label, ScrapeArguments, scrapeArgs(sc, forwardTo, targets)),
      name,
      label,
      summary: `Converted scrape_configs job_name ${quote(sc.job_name)} into...`,
      detail: `\tA prometheus.scrape.${label} component`,
    });
  }

  const diags = validate(cfg);
  diags.addAll(pb.scrapeInfo());
  return diags;
}

// ---------------------------------------------------------------------------------------------
// What cannot be converted (Go's prometheusconvert/validate.go).

function unsupported(diags: Diagnostics, invalid: boolean, name: string): void {
  if (invalid) diags.add(Severity.Error, `The converter does not support converting the provided ${name} config.`);
}

function validateHTTP(diags: Diagnostics, c: HTTPClientConfig): void {
  unsupported(diags, c.tls_config.max_version !== "", "HTTP Client max_version");
}

function validateSD(diags: Diagnostics, config: SDConfig): void {
  switch (config.name) {
    case "static":
    case "dns":
    case "file":
    case "gce":
    case "nerve":
    case "serverset":
    case "openstack":
    case "ovhcloud":
    case "scaleway":
    case "triton":
      return;
    case "azure": {
      validateHTTP(diags, config.config.http);
      const m = config.config.authentication_method;
      if (!["ManagedIdentity", "SDK", "WorkloadIdentity", "", "OAuth"].includes(m)) {
        diags.add(Severity.Critical, `unknown authentication_method ${quote(m)}. Supported methods are "OAuth", "ManagedIdentity", "SDK" or "WorkloadIdentity"`);
      }
      return;
    }
    case "digitalocean": {
      const h = config.config.http;
      unsupported(diags, h.basic_auth !== null, "digitalocean_sd_configs basic_auth");
      unsupported(diags, h.authorization !== null, "digitalocean_sd_configs authorization");
      unsupported(diags, h.oauth2 !== null, "digitalocean_sd_configs oauth2");
      unsupported(diags, JSON.stringify(h.tls_config) !== JSON.stringify(emptyTLS()), "digitalocean_sd_configs tls_config");
      validateHTTP(diags, h);
      return;
    }
    case "consul":
    case "docker":
    case "dockerswarm":
    case "ec2":
    case "http":
    case "ionos":
    case "kubernetes":
    case "kuma":
    case "lightsail":
    case "linode":
    case "marathon":
      validateHTTP(diags, (config.config as { http: HTTPClientConfig }).http);
      return;
    default:
      diags.add(Severity.Error, `The converter does not support converting the provided ${config.name} service discovery.`);
  }
}

function emptyTLS() {
  return {
    ca: "", cert: "", key: "", ca_file: "", cert_file: "", key_file: "", ca_ref: "", cert_ref: "", key_ref: "",
    server_name: "", insecure_skip_verify: false, min_version: "", max_version: "",
  };
}

function validateScrape(diags: Diagnostics, sc: ScrapeConfig): void {
  unsupported(diags, sc.track_timestamps_staleness, "scrape_configs track_timestamps_staleness");
  unsupported(diags, sc.native_histogram_bucket_limit !== 0, "scrape_configs native_histogram_bucket_limit");
  unsupported(diags, sc.keep_dropped_targets !== 0, "scrape_configs keep_dropped_targets");
  validateHTTP(diags, sc.http);
}

function validate(cfg: Config): Diagnostics {
  const diags = new Diagnostics();
  unsupported(diags, cfg.global.evaluation_interval !== 60_000_000_000, "global evaluation_interval");
  unsupported(diags, cfg.global.query_log_file !== "", "global query_log_file");
  unsupported(diags, (cfg.alerting.alertmanagers?.length ?? 0) > 0 || (cfg.alerting.alert_relabel_configs?.length ?? 0) > 0, "alerting");
  unsupported(diags, (cfg.rule_files?.length ?? 0) > 0, "rule_files");
  for (const sc of cfg.scrape_configs ?? []) {
    validateScrape(diags, sc);
    for (const sd of sc.sd) validateSD(diags, sd);
  }
  unsupported(diags, storageConfigured(cfg.storage), "storage");
  unsupported(diags, JSON.stringify(cfg.tracing) !== JSON.stringify(zeroTracing()), "tracing");
  for (const rw of cfg.remote_write ?? []) validateHTTP(diags, rw.http);
  unsupported(diags, (cfg.remote_read?.length ?? 0) > 0, "remote_read");
  return diags;
}

function zeroTracing() {
  return { client_type: "", endpoint: "", sampling_fraction: 0, insecure: false, tls_config: emptyTLS(), headers: null, compression: "", timeout: 0 };
}

// ---------------------------------------------------------------------------------------------

/** Critical diagnostics for components that ended up with the same name and label. */
export function validateNodes(blocks: readonly PromBlock[]): Diagnostics {
  const diags = new Diagnostics();
  const seen = new Set<string>();
  for (const b of blocks) {
    const id = b.name.join(".") + (b.block.label !== "" ? "." + b.block.label : "");
    if (seen.has(id)) {
      diags.add(Severity.Critical, `duplicate label after conversion ${quote(id)}. this is due to how valid Alloy labels are assembled and can be avoided by updating named properties in the source config.`);
    } else {
      seen.add(id);
    }
  }
  return diags;
}

export interface ConvertOutput {
  /** The Alloy configuration; null when nothing was produced. */
  output: string | null;
  diagnostics: Diagnostics;
}

/** Converts a Prometheus configuration file to Alloy. */
export function convertPrometheus(input: string, extraArgs: readonly string[], options: LoadOptions = {}): ConvertOutput {
  const diags = new Diagnostics();
  if (extraArgs.length > 0) {
    diags.add(Severity.Critical, `extra arguments are not supported for the prometheus converter: [${extraArgs.join(" ")}]`);
    return { output: null, diagnostics: diags };
  }
  let cfg: Config;
  try {
    cfg = loadConfig(input, options);
  } catch (error) {
    diags.add(Severity.Critical, `failed to parse Prometheus config: ${(error as Error).message}`);
    return { output: null, diagnostics: diags };
  }
  const pb = new PrometheusBlocks();
  diags.addAll(appendAll(pb, cfg));
  const blocks = pb.all();
  diags.addAll(validateNodes(blocks));
  const file = new FileBuilder();
  for (const b of blocks) file.body.appendBlock(b.block);
  const printed = prettyPrint(file);
  diags.addAll(printed.diags);
  return { output: printed.text === "" ? null : printed.text, diagnostics: diags };
}

export { PrometheusBlocks };
