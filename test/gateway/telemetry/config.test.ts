// The telemetry section and the OTEL_* environment: which exporters start, and clear errors.
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../gateway/config.ts";
import {
  DEFAULT_TELEMETRY,
  TelemetryConfigError,
  resolveTelemetryConfig,
  resolveTelemetrySettings,
} from "../../../gateway/telemetry/index.ts";

const settings = (env: Record<string, string> = {}, config = {}) =>
  resolveTelemetrySettings({ ...DEFAULT_TELEMETRY, ...config }, env);

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    if (e instanceof TelemetryConfigError) return e.problems;
    throw e;
  }
  throw new Error("expected a TelemetryConfigError");
}

describe("telemetry settings", () => {
  it("serves Prometheus metrics and makes no spans until told where to send them", () => {
    expect(settings()).toEqual({
      enabled: true,
      serviceName: "gatehouse",
      traces: null,
      metrics: { prometheus: true, otlp: null },
    });
  });

  it("appends the signal paths to the configured OTLP endpoint", () => {
    const s = settings({}, { otlpEndpoint: "http://collector:4318/" });
    expect(s.traces).toEqual({
      exporter: "otlp",
      url: "http://collector:4318/v1/traces",
      protocol: "http/json",
    });
    expect(s.metrics.otlp).toEqual({
      url: "http://collector:4318/v1/metrics",
      intervalMs: 60_000,
      protocol: "http/json",
    });
  });

  it("lets OTEL_* variables win over the config file", () => {
    const s = settings(
      {
        OTEL_SERVICE_NAME: "edge-gw",
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://env:4318",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://traces:9999/custom",
        OTEL_METRIC_EXPORT_INTERVAL: "5000",
      },
      { otlpEndpoint: "http://file:4318", serviceName: "from-file" },
    );
    expect(s.serviceName).toBe("edge-gw");
    expect(s.traces).toMatchObject({ exporter: "otlp", url: "http://traces:9999/custom" });
    expect(s.metrics.otlp).toMatchObject({ url: "http://env:4318/v1/metrics", intervalMs: 5000 });
  });

  it("encodes OTLP as JSON unless http/protobuf is asked for, per signal", () => {
    const env = { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/protobuf" };
    const s = settings(env, { otlpEndpoint: "http://c:4318" });
    expect(s.traces).toMatchObject({ protocol: "http/protobuf" });
    expect(s.metrics.otlp).toMatchObject({ protocol: "http/json" });
    const file = settings({}, { otlpEndpoint: "http://c:4318", otlpProtocol: "http/protobuf" });
    expect(file.metrics.otlp).toMatchObject({ protocol: "http/protobuf" });
  });

  it("follows OTEL_TRACES_EXPORTER and OTEL_METRICS_EXPORTER", () => {
    expect(settings({ OTEL_TRACES_EXPORTER: "console" }).traces).toEqual({ exporter: "console" });
    expect(settings({ OTEL_TRACES_EXPORTER: "otlp" }).traces).toEqual({
      exporter: "otlp",
      url: "http://localhost:4318/v1/traces",
      protocol: "http/json",
    });
    const none = settings(
      { OTEL_TRACES_EXPORTER: "none", OTEL_METRICS_EXPORTER: "none" },
      { otlpEndpoint: "http://c:4318" },
    );
    expect(none.traces).toBeNull();
    expect(none.metrics).toEqual({ prometheus: true, otlp: null });
  });

  it("turns everything off with enabled: false or OTEL_SDK_DISABLED", () => {
    const off = { traces: null, metrics: { prometheus: false, otlp: null } };
    expect(settings({}, { enabled: false, otlpEndpoint: "http://c:4318" })).toMatchObject(off);
    expect(settings({ OTEL_SDK_DISABLED: "true" })).toMatchObject(off);
  });

  it("names each bad variable with what to do", () => {
    expect(
      problemsOf(() =>
        settings({
          OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
          OTEL_TRACES_EXPORTER: "zipkin",
          OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318",
          OTEL_METRIC_EXPORT_INTERVAL: "soon",
        }),
      ),
    ).toEqual([
      'OTLP endpoint: expected an http(s) URL, got "collector:4318"',
      'OTEL_TRACES_EXPORTER: expected otlp, console or none, got "zipkin"',
      'OTEL_EXPORTER_OTLP_PROTOCOL: gatehouse exports OTLP over HTTP; expected http/json or http/protobuf, got "grpc" (for grpc, point it at the collector\'s OTLP/HTTP port, 4318)',
      'OTEL_METRIC_EXPORT_INTERVAL: expected a positive integer (milliseconds), got "soon"',
    ]);
  });

  it("merges config layers field by field", () => {
    expect(
      resolveTelemetryConfig([{ prometheus: false }, { serviceName: "gw", prometheus: undefined }]),
    ).toEqual({ ...DEFAULT_TELEMETRY, prometheus: false, serviceName: "gw" });
  });

  it("is a section of the gateway config, validated with the source named", () => {
    const config = loadConfig({
      flags: { telemetry: { serviceName: "edge", otlpEndpoint: "http://c:4318" } },
    });
    expect(config.telemetry).toEqual({
      ...DEFAULT_TELEMETRY,
      serviceName: "edge",
      otlpEndpoint: "http://c:4318",
    });
    const bad = () =>
      loadConfig({ flags: { telemetry: { otlpEndpoint: "ftp://c", tracing: true } as never } });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(
      "command line: telemetry.otlpEndpoint: must be an http(s) URL, e.g. http://collector:4318",
    );
  });
});
