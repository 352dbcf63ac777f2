// GET /metrics on the gateway's Koa app: Prometheus text when on, a clear 404 when off.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../../gateway/log.ts";
import { createApp } from "../../../gateway/server.ts";
import { Telemetry } from "../../../gateway/telemetry/index.ts";
import { memoryTelemetry } from "./helpers.ts";

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(telemetry: Telemetry): Promise<string> {
  const app = createApp({
    notReadyReason: () => undefined,
    readyFacts: () => ({}),
    hasVirtualServer: () => false,
    handleMcp: async () => {},
    metricsText: () => telemetry.metricsText(),
    log: silentLogger,
  });
  server = createServer(app.callback());
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

describe("GET /metrics", () => {
  it("answers Prometheus text", async () => {
    const { telemetry } = memoryTelemetry();
    telemetry.setSyncState({ revision: "rev-1", lastError: null });
    const response = await fetch(await serve(telemetry));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(await response.text()).toMatch(/^gatehouse_sync_healthy\{[^}]*\} 1$/m);
  });

  it("answers 404 saying why when Prometheus is off", async () => {
    const response = await fetch(await serve(Telemetry.off()));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error:
        "Prometheus metrics are off (telemetry.enabled or telemetry.prometheus is false, or OTEL_SDK_DISABLED=true)",
    });
  });
});
