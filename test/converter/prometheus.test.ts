// The Prometheus converter beyond Alloy's vectors: every scrape and remote_write option, several
// discovery mechanisms at once, labels, unsupported mechanisms, Prometheus's load errors.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { convert, diagnosticString, Severity } from "../../src/converter/mod.ts";

const errors = (yaml: string) =>
  convert(yaml, "prometheus")
    .diagnostics.items.filter((d) => d.severity !== Severity.Info)
    .map(diagnosticString);

const loadError = (yaml: string) => {
  const r = convert(yaml, "prometheus");
  assert.equal(r.output, null);
  assert.equal(r.diagnostics.items.length, 1, r.diagnostics.toString());
  assert.equal(r.diagnostics.items[0]!.severity, Severity.Critical);
  return r.diagnostics.items[0]!.summary.replace(/^failed to parse Prometheus config: /, "");
};

const FULL = `global:
  scrape_interval: 30s
  scrape_timeout: 20s
  external_labels:
    region: eu
    host: \${HOSTNAME}
    price: $$5
  body_size_limit: 10MB
  sample_limit: 1000
scrape_configs:
  - job_name: "full-job"
    honor_labels: true
    honor_timestamps: false
    params:
      module: [http_2xx]
    scrape_protocols: [PrometheusProto, OpenMetricsText1.0.0]
    fallback_scrape_protocol: PrometheusText1.0.0
    always_scrape_classic_histograms: true
    convert_classic_histograms_to_nhcb: true
    metrics_path: /probe
    scheme: https
    enable_compression: false
    native_histogram_min_bucket_factor: 1.5
    oauth2:
      client_id: id
      client_secret: s3cret
      token_url: https://auth/token
    tls_config:
      ca_file: /ca.pem
      min_version: TLS12
    follow_redirects: false
    proxy_url: http://user:pass@proxy:3128
    static_configs:
      - targets: [a:1]
        labels:
          "weird.label": v
remote_write:
  - url: https://prom.example/api/v1/write
    name: full
    remote_timeout: 10s
    headers:
      X-Scope-OrgID: tenant
    send_exemplars: false
    queue_config:
      max_shards: 200
      retry_on_http_429: false
    metadata_config:
      send: false
`;

const FULL_ALLOY = `prometheus.scrape "full_job" {
	targets = [{
		__address__   = "a:1",
		"weird.label" = "v",
	}]
	forward_to       = [prometheus.remote_write.default.receiver]
	job_name         = "full-job"
	honor_labels     = true
	honor_timestamps = false
	params           = {
		module = ["http_2xx"],
	}
	scrape_classic_histograms = true
	scrape_interval           = "30s"
	scrape_timeout            = "20s"
	scrape_protocols          = ["PrometheusProto", "OpenMetricsText1.0.0"]
	metrics_path              = "/probe"
	scheme                    = "https"
	body_size_limit           = "10MiB"
	sample_limit              = 1000

	oauth2 {
		client_id     = "id"
		client_secret = "s3cret"
		token_url     = "https://auth/token"

		tls_config { }
	}
	proxy_url = "http://user:xxxxx@proxy:3128"

	tls_config {
		ca_file     = "/ca.pem"
		min_version = "TLS12"
	}
	follow_redirects                   = false
	scrape_fallback_protocol           = "PrometheusText1.0.0"
	convert_classic_histograms_to_nhcb = true
	enable_compression                 = false
	native_histogram_min_bucket_factor = 1.5
}

prometheus.remote_write "default" {
	external_labels = {
		host   = "myhost",
		price  = "$5",
		region = "eu",
	}

	endpoint {
		name           = "full"
		url            = "https://prom.example/api/v1/write"
		remote_timeout = "10s"
		headers        = {
			"X-Scope-OrgID" = "tenant",
		}
		send_exemplars = false

		queue_config {
			max_shards        = 200
			retry_on_http_429 = false
		}

		metadata_config {
			send = false
		}
	}
}
`;

describe("prometheus converter", () => {
  it("converts every scrape and remote_write setting that differs from Alloy's defaults", () => {
    const r = convert(FULL, "prometheus", [], { getEnv: (name) => (name === "HOSTNAME" ? "myhost" : undefined) });
    assert.equal(r.diagnostics.items.filter((d) => d.severity !== Severity.Info).length, 0, r.diagnostics.toString());
    assert.equal(r.output, FULL_ALLOY);
  });

  it("numbers the second component of a kind, concatenates sources, and relabels before scraping", () => {
    const r = convert(
      `scrape_configs:
  - job_name: k8s
    kubernetes_sd_configs:
      - role: pod
      - role: node
    file_sd_configs:
      - files: [/a.json]
    static_configs:
      - targets: [x:1]
    relabel_configs:
      - action: labelmap
        regex: __meta_(.+)
    metric_relabel_configs:
      - action: drop
        source_labels: [__name__]
        regex: go_.*
`,
      "prometheus",
    );
    assert.equal(
      r.output,
      `discovery.file "k8s" {
	files = ["/a.json"]
}

discovery.kubernetes "k8s" {
	role = "pod"
}

discovery.kubernetes "k8s_2" {
	role = "node"
}

discovery.relabel "k8s" {
	targets = array.concat(
		discovery.file.k8s.targets,
		discovery.kubernetes.k8s.targets,
		discovery.kubernetes.k8s_2.targets,
		[{
			__address__ = "x:1",
		}],
	)

	rule {
		regex  = "__meta_(.+)"
		action = "labelmap"
	}
}

prometheus.scrape "k8s" {
	targets    = discovery.relabel.k8s.output
	forward_to = [prometheus.relabel.k8s.receiver]
	job_name   = "k8s"
}

prometheus.relabel "k8s" {
	forward_to = [prometheus.remote_write.default.receiver]

	rule {
		source_labels = ["__name__"]
		regex         = "go_.*"
		action        = "drop"
	}
}
`,
    );
  });

  it("reports components whose labels collide after sanitizing as critical", () => {
    const r = convert("scrape_configs:\n  - job_name: a-b\n  - job_name: a.b\n", "prometheus");
    assert.deepEqual(
      r.diagnostics.items.filter((d) => d.severity === Severity.Critical).map((d) => d.summary),
      ['duplicate label after conversion "prometheus.scrape.a_b". this is due to how valid Alloy labels are assembled and can be avoided by updating named properties in the source config.'],
    );
  });

  it("reports the discovery mechanisms Alloy does not convert, in Prometheus's order", () => {
    assert.deepEqual(
      errors(`scrape_configs:
  - job_name: x
    vultr_sd_configs: [{}]
    eureka_sd_configs: [{server: http://e}]
    hetzner_sd_configs: [{role: hcloud}]
    puppetdb_sd_configs: [{url: http://p, query: q}]
`),
      ["eureka", "hetzner", "puppetdb", "vultr"].map((n) => `(Error) The converter does not support converting the provided ${n} service discovery.`),
    );
  });

  it("reports digitalocean settings without an Alloy equivalent and TLS max_version", () => {
    assert.deepEqual(
      errors(`scrape_configs:
  - job_name: x
    digitalocean_sd_configs:
      - bearer_token: t
        tls_config:
          max_version: TLS13
`),
      [
        "(Error) The converter does not support converting the provided digitalocean_sd_configs authorization config.",
        "(Error) The converter does not support converting the provided digitalocean_sd_configs tls_config config.",
        "(Error) The converter does not support converting the provided HTTP Client max_version config.",
      ],
    );
  });

  it("fails with Prometheus's own load errors", () => {
    assert.equal(loadError("scrape_configs:\n  - job_name: ''\n"), "job_name is empty");
    assert.equal(loadError("scrape_configs:\n  - job_name: a\n  - job_name: a\n"), 'found multiple scrape configs with job name "a"');
    assert.equal(
      loadError("scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    scrape_timeout: 10s\n"),
      'scrape timeout greater than scrape interval for scrape config with job name "a"',
    );
    assert.equal(loadError("global:\n  scrape_interval: 1m\n  scrape_timeout: 2m\n"), "global scrape timeout greater than scrape interval");
    assert.equal(loadError("remote_write:\n  - name: x\n"), "url for remote_write is empty");
    assert.equal(loadError("scrape_configs:\n  - job_name: a\n    scrape_interval: 1x\n"), 'unknown unit "x" in duration "1x"');
    assert.equal(loadError("scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [http://a:1]\n"), '"http://a:1" is not a valid hostname');
    assert.equal(loadError("scrape_configs:\n  - job_name: a\n    consul_sd_configs:\n      -\n"), "empty or null section in consul_sd_configs");
    assert.equal(loadError("scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: explode\n"), 'unknown relabel action "explode"');
    assert.equal(
      loadError("scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - target_label: x\n        regex: '('\n"),
      "error parsing regexp: missing closing ): `^(?s:()$`",
    );
    assert.equal(
      loadError("scrape_configs:\n  - job_name: a\n    bogus: 1\n    kubernetes_sd_configs:\n      - role: pod\n        colour: red\n"),
      "yaml: unmarshal errors:\n  line 3: field bogus not found in type config.ScrapeConfig\n  line 6: field colour not found in type kubernetes.plain",
    );
    assert.equal(
      loadError("scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs: pod\n    static_configs: {targets: [x]}\n    scrape_interval: [1]\n"),
      "yaml: unmarshal errors:\n  line 3: cannot unmarshal !!str `pod` into []*kubernetes.SDConfig\n  line 4: cannot unmarshal !!map into []*targetgroup.Group\n  line 5: cannot unmarshal !!seq into string",
    );
    assert.equal(loadError("global:\n  body_size_limit: 1024\n"), "units: unknown unit  in 1024");
    assert.equal(loadError("scrape_configs:\n  - job_name: a\n    basic_auth: {username: u}\n    bearer_token: t\n"), "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured");
    assert.equal(loadError("scrape_configs:\n  - job_name: a\n    dns_sd_configs:\n      - names: [x]\n        type: A\n"), "a port is required in DNS-SD configs for all record types except SRV");
  });

  it("converts an empty configuration to nothing", () => {
    const r = convert("", "prometheus");
    assert.equal(r.output, null);
    assert.equal(r.diagnostics.items.length, 0);
  });
});
