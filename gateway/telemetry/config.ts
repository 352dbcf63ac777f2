// The `telemetry` config section and how it combines with the standard OTEL_* environment
// variables (which win over the config file, as GATEHOUSE_* variables do) into one settings value.
import { z } from "zod";

/** One source's `telemetry` section: every field optional, unknown fields refused. */
export const telemetryLayer = z
  .strictObject({
    /** master switch for traces and metrics (OTEL_SDK_DISABLED=true also turns it off) */
    enabled: z.boolean(),
    /** service.name of every span and metric (OTEL_SERVICE_NAME wins) */
    serviceName: z.string().min(1),
    /** base URL of an OTLP/HTTP collector, e.g. http://collector:4318; /v1/traces and
     * /v1/metrics are appended (OTEL_EXPORTER_OTLP_[TRACES_|METRICS_]ENDPOINT win) */
    otlpEndpoint: z.url({
      protocol: /^https?$/,
      error: "must be an http(s) URL, e.g. http://collector:4318",
    }),
    /** OTLP/HTTP encoding (OTEL_EXPORTER_OTLP_[TRACES_|METRICS_]PROTOCOL win) */
    otlpProtocol: z.enum(["http/json", "http/protobuf"]),
    /** Prometheus text at GET /metrics on the gateway's port */
    prometheus: z.boolean(),
  })
  .partial();

export type TelemetryLayer = z.infer<typeof telemetryLayer>;

export interface TelemetryConfig {
  enabled: boolean;
  serviceName: string;
  otlpEndpoint: string | null;
  otlpProtocol: OtlpProtocol;
  prometheus: boolean;
}

export type OtlpProtocol = "http/json" | "http/protobuf";
const OTLP_PROTOCOLS: readonly string[] = ["http/json", "http/protobuf"];

export const DEFAULT_TELEMETRY: TelemetryConfig = {
  enabled: true,
  serviceName: "gatehouse",
  otlpEndpoint: null,
  otlpProtocol: "http/json",
  prometheus: true,
};

/** Merges `telemetry` sections over the defaults, later layers winning field by field. */
export function resolveTelemetryConfig(layers: (TelemetryLayer | undefined)[]): TelemetryConfig {
  const merged: TelemetryConfig = { ...DEFAULT_TELEMETRY };
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer ?? {})) {
      if (value !== undefined) Object.assign(merged, { [key]: value });
    }
  }
  return merged;
}

export type TraceExporterKind = "otlp" | "console" | "none";

/** What to start, after the environment is applied. */
export interface TelemetrySettings {
  enabled: boolean;
  serviceName: string;
  /** null: no spans are made at all (cheapest) */
  traces:
    { exporter: "otlp"; url: string; protocol: OtlpProtocol } | { exporter: "console" } | null;
  metrics: {
    prometheus: boolean;
    /** OTLP metrics push, or null */
    otlp: { url: string; intervalMs: number; protocol: OtlpProtocol } | null;
  };
}

/** Bad telemetry settings; one line per problem, naming the variable or field. */
export class TelemetryConfigError extends Error {
  override name = "TelemetryConfigError";
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
  }
}

const DEFAULT_METRIC_INTERVAL_MS = 60_000;

/**
 * The settings the SDK is started with. Traces are exported when something says where: an OTLP
 * endpoint (config or OTEL_EXPORTER_OTLP_*ENDPOINT), or OTEL_TRACES_EXPORTER=otlp|console
 * (otlp then goes to the OTLP default, http://localhost:4318). Metrics are served at /metrics
 * unless `prometheus: false`, and pushed by OTLP when an endpoint is known and
 * OTEL_METRICS_EXPORTER does not say none.
 */
export function resolveTelemetrySettings(
  config: TelemetryConfig,
  env: Record<string, string | undefined>,
): TelemetrySettings {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const disabled = read("OTEL_SDK_DISABLED")?.toLowerCase() === "true";
  const enabled = config.enabled && !disabled;
  const serviceName = read("OTEL_SERVICE_NAME") ?? config.serviceName;

  const protocolOf = (signal: "TRACES" | "METRICS"): OtlpProtocol => {
    const own = `OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`;
    const name = read(own) !== undefined ? own : "OTEL_EXPORTER_OTLP_PROTOCOL";
    const protocol = read(name);
    if (protocol === undefined) return config.otlpProtocol;
    if (OTLP_PROTOCOLS.includes(protocol)) return protocol as OtlpProtocol;
    problems.push(
      `${name}: gatehouse exports OTLP over HTTP; expected http/json or http/protobuf, got ${JSON.stringify(protocol)} (for grpc, point it at the collector's OTLP/HTTP port, 4318)`,
    );
    return config.otlpProtocol;
  };
  const base = read("OTEL_EXPORTER_OTLP_ENDPOINT") ?? config.otlpEndpoint ?? undefined;
  const signalUrl = (signal: "TRACES" | "METRICS", path: string): string | undefined => {
    const own = read(`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`);
    if (own !== undefined)
      return checkedUrl(`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`, own, problems);
    if (base === undefined) return undefined;
    const url = checkedUrl("OTLP endpoint", base, problems);
    return url === undefined ? undefined : `${url.replace(/\/+$/, "")}/${path}`;
  };

  const tracesUrl = signalUrl("TRACES", "v1/traces");
  const tracesExporter = exporterKind(
    "OTEL_TRACES_EXPORTER",
    read("OTEL_TRACES_EXPORTER"),
    problems,
  );
  let traces: TelemetrySettings["traces"] = null;
  if (tracesExporter === "console") traces = { exporter: "console" };
  else if (tracesExporter === "otlp" || (tracesExporter === undefined && tracesUrl !== undefined))
    traces = {
      exporter: "otlp",
      url: tracesUrl ?? "http://localhost:4318/v1/traces",
      protocol: protocolOf("TRACES"),
    };

  const metricsUrl = signalUrl("METRICS", "v1/metrics");
  const metricsProtocol = protocolOf("METRICS");
  const metricsExporter = read("OTEL_METRICS_EXPORTER");
  const metricsOff = metricsExporter !== undefined && /(^|,)\s*none\s*(,|$)/.test(metricsExporter);
  const interval = read("OTEL_METRIC_EXPORT_INTERVAL");
  let intervalMs = DEFAULT_METRIC_INTERVAL_MS;
  if (interval !== undefined) {
    intervalMs = Number(interval);
    if (!Number.isInteger(intervalMs) || intervalMs <= 0) {
      problems.push(
        `OTEL_METRIC_EXPORT_INTERVAL: expected a positive integer (milliseconds), got ${JSON.stringify(interval)}`,
      );
    }
  }
  // a bad shared variable is met once per signal: say it once
  if (problems.length > 0) throw new TelemetryConfigError([...new Set(problems)]);
  return {
    enabled,
    serviceName,
    traces: enabled ? traces : null,
    metrics: {
      prometheus: enabled && config.prometheus,
      otlp:
        enabled && metricsUrl !== undefined && !metricsOff
          ? { url: metricsUrl, intervalMs, protocol: metricsProtocol }
          : null,
    },
  };
}

function exporterKind(
  name: string,
  value: string | undefined,
  problems: string[],
): TraceExporterKind | undefined {
  if (value === undefined) return undefined;
  const kinds = value.split(",").map((part) => part.trim());
  if (kinds.includes("none")) return "none";
  for (const kind of kinds) {
    if (kind !== "otlp" && kind !== "console") {
      problems.push(`${name}: expected otlp, console or none, got ${JSON.stringify(kind)}`);
      return undefined;
    }
  }
  // one exporter per signal: otlp when both are named
  return kinds.includes("otlp") ? "otlp" : "console";
}

function checkedUrl(source: string, value: string, problems: string[]): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol === "http:" || url.protocol === "https:") return value;
  } catch {
    // reported below
  }
  problems.push(`${source}: expected an http(s) URL, got ${JSON.stringify(value)}`);
  return undefined;
}
