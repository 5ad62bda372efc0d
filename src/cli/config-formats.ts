// The configuration formats `run --config.format` and `convert --source-format` accept.
export const CONFIG_FORMATS = ["alloy", "otelcol", "prometheus", "promtail", "static"] as const;
