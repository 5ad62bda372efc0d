// Stand-ins for the Alloy components the validator vectors name (internal/validator/testdata):
// their argument schemas as Alloy declares them (names, attribute or block, required or optional,
// types), enough for `alloy validate` to check a block. They cannot run: they exist for the
// validator tests only, never in the product registry. local.file is the real one.
import { localFile } from "../../src/component/local/file.ts";
import { type ComponentDefinition, defineComponent } from "../../src/runtime/component.ts";
import { Registry } from "../../src/runtime/registry.ts";
import type { Stability } from "../../src/runtime/featuregate.ts";
import { attr, block, blocks, enumBlocks, MapType, squash, struct, StructType, t, type Type } from "../../src/syntax/schema/index.ts";
import { NumberValue, type Value } from "../../src/syntax/value/index.ts";

/**
 * discovery.Target: an object of strings. Alloy's is a capsule converting from objects only, whose
 * conversion error is what Alloy reports for anything else.
 */
class TargetType extends MapType<string> {
  constructor() {
    super(t.string());
  }
  override decode(v: Value): Record<string, string> {
    if (v instanceof NumberValue) throw new Error("target::ConvertFrom: conversion from 'int64' is not supported");
    return super.decode(v);
  }
}
const targets = () => t.array(new TargetType());

const receivers = (name: string) => t.array(t.capsule(name));
const opt = { optional: true } as const;
const optional = <T>(type: Type<T>) => attr(type, opt);

// common/config.HTTPClientConfig, squashed into several components.
const TlsConfig = struct({
  ca_pem: optional(t.string()),
  ca_file: optional(t.string()),
  cert_pem: optional(t.string()),
  cert_file: optional(t.string()),
  key_pem: optional(t.secret()),
  key_file: optional(t.string()),
  server_name: optional(t.string()),
  insecure_skip_verify: optional(t.bool()),
  min_version: optional(t.string()),
});
const HttpClientConfig = struct({
  basic_auth: block(struct({ username: optional(t.string()), password: optional(t.secret()), password_file: optional(t.string()) }), opt),
  authorization: block(struct({ type: optional(t.string()), credentials: optional(t.secret()), credentials_file: optional(t.string()) }), opt),
  bearer_token: optional(t.secret()),
  bearer_token_file: optional(t.string()),
  proxy_url: optional(t.string()),
  tls_config: block(TlsConfig, opt),
  follow_redirects: optional(t.bool()),
  enable_http2: optional(t.bool()),
});

const RelabelRule = struct({
  source_labels: optional(t.array(t.string())),
  separator: optional(t.string()),
  regex: optional(t.string()),
  modulus: optional(t.uint64()),
  target_label: optional(t.string()),
  replacement: optional(t.string()),
  action: optional(t.string()),
});

const headerAction = t.text({
  name: "action",
  parse: (s: string) => {
    if (!["insert", "update", "upsert", "delete"].includes(s)) throw new Error(`unknown action ${s}`);
    return s;
  },
  format: (s: string) => s,
  zero: () => "",
});

const stub = (name: string, args: StructType<any>, stability: Stability = "generally-available"): ComponentDefinition<any, any> =>
  defineComponent({
    name,
    stability,
    args,
    build() {
      throw new Error(`${name} is a validator stand-in and cannot run`);
    },
  });

export const VALIDATOR_COMPONENTS: readonly ComponentDefinition<any, any>[] = [
  localFile,
  stub("local.file_match", struct({ path_targets: attr(targets()), sync_period: optional(t.duration()), ignore_older_than: optional(t.duration()) })),
  stub(
    "remote.http",
    struct({
      url: attr(t.string()),
      poll_frequency: optional(t.duration()),
      poll_timeout: optional(t.duration()),
      is_secret: optional(t.bool()),
      method: optional(t.string()),
      headers: optional(t.map(t.string())),
      body: optional(t.string()),
      client: block(HttpClientConfig, opt),
    }),
  ),
  stub(
    "loki.source.file",
    struct({
      targets: attr(targets()),
      forward_to: attr(receivers("loki.LogsReceiver")),
      encoding: optional(t.string()),
      decompression: block(struct({ enabled: attr(t.bool()), initial_delay: optional(t.duration()), format: attr(t.string()) }), opt),
      file_watch: block(struct({ min_poll_frequency: optional(t.duration()), max_poll_frequency: optional(t.duration()) }), opt),
      file_match: block(struct({ enabled: optional(t.bool()), sync_period: optional(t.duration()) }), opt),
      tail_from_end: optional(t.bool()),
      legacy_positions_file: optional(t.string()),
      on_positions_file_error: optional(t.string()),
    }),
  ),
  stub(
    "loki.process",
    struct({
      forward_to: attr(receivers("loki.LogsReceiver")),
      stages: enumBlocks(
        {
          logfmt: struct({ mapping: attr(t.map(t.string())), source: optional(t.string()) }),
          labels: struct({ values: optional(t.map(t.nullable(t.string()))) }),
        },
        { optional: true, name: "stage" },
      ),
    }),
  ),
  stub(
    "loki.write",
    struct({
      endpoint: blocks(
        struct({
          name: optional(t.string()),
          url: attr(t.string()),
          batch_wait: optional(t.duration()),
          tenant_id: optional(t.string()),
          headers: optional(t.map(t.string())),
          http_client: squash(HttpClientConfig),
        }),
        opt,
      ),
      max_streams: optional(t.int()),
      external_labels: optional(t.map(t.string())),
    }),
  ),
  stub(
    "prometheus.relabel",
    struct({ forward_to: attr(receivers("storage.Appendable")), rule: blocks(RelabelRule, opt), max_cache_size: optional(t.int()) }),
  ),
  stub(
    "prometheus.scrape",
    struct({
      targets: attr(targets()),
      forward_to: attr(receivers("storage.Appendable")),
      job_name: optional(t.string()),
      honor_labels: optional(t.bool()),
      params: optional(t.map(t.array(t.string()))),
      scrape_interval: optional(t.duration()),
      scrape_timeout: optional(t.duration()),
      metrics_path: optional(t.string()),
      scheme: optional(t.string()),
      http_client: squash(HttpClientConfig),
    }),
  ),
  stub(
    "prometheus.remote_write",
    struct({
      external_labels: optional(t.map(t.string())),
      endpoint: blocks(
        struct({
          name: optional(t.string()),
          url: attr(t.string()),
          remote_timeout: optional(t.duration()),
          headers: optional(t.map(t.string())),
          send_exemplars: optional(t.bool()),
          http_client: squash(HttpClientConfig),
        }),
        opt,
      ),
      wal: block(struct({ truncate_frequency: optional(t.duration()), min_keepalive_time: optional(t.duration()), max_keepalive_time: optional(t.duration()) }), opt),
    }),
  ),
  stub(
    "prometheus.exporter.redis",
    struct({
      redis_addr: attr(t.string()),
      redis_user: optional(t.string()),
      redis_password: optional(t.secret()),
      namespace: optional(t.string()),
      include_system_metrics: optional(t.bool()),
    }),
  ),
  stub(
    "discovery.kubernetes",
    struct({
      api_server: optional(t.string()),
      role: attr(t.string()),
      kubeconfig_file: optional(t.string()),
      namespaces: block(struct({ own_namespace: optional(t.bool()), names: optional(t.array(t.string())) }), opt),
      selectors: blocks(struct({ role: attr(t.string()), label: optional(t.string()), field: optional(t.string()) }), opt),
      http_client: squash(HttpClientConfig),
    }),
  ),
  stub("discovery.relabel", struct({ targets: attr(targets()), rule: blocks(RelabelRule, opt) })),
  stub(
    "otelcol.exporter.otlp",
    struct({
      timeout: optional(t.duration()),
      client: block(
        struct({
          endpoint: attr(t.string()),
          compression: optional(t.string()),
          tls: block(struct({ insecure: optional(t.bool()), insecure_skip_verify: optional(t.bool()) }), opt),
          headers: optional(t.map(t.string())),
        }),
      ),
    }),
  ),
  stub(
    "otelcol.auth.headers",
    struct({
      header: blocks(
        struct({ key: attr(t.string()), value: optional(t.nullable(t.string())), from_context: optional(t.nullable(t.string())), action: optional(headerAction) }),
        opt,
      ),
    }),
  ),
];

export function validatorRegistry(): Registry {
  return new Registry(VALIDATOR_COMPONENTS);
}
