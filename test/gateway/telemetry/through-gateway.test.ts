// Telemetry of real calls: the SDK's Client (with an API key and a W3C traceparent) -> a real
// Gateway (the repo's policies/) -> real upstreams: an MCP server over Streamable HTTP that
// records the headers it receives, and a scripted stdio server that can crash. Spans go to an
// in-memory exporter; metrics are read from the gateway's own GET /metrics.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiKeyStore } from "../../../gateway/auth/api-keys.ts";
import type { ToolMetadata } from "../../../gateway/catalog/index.ts";
import { defaultStoreLocation, openAuditStore } from "../../../gateway/audit/index.ts";
import { loadConfig } from "../../../gateway/config.ts";
import { Gateway } from "../../../gateway/gateway.ts";
import { silentLogger } from "../../../gateway/log.ts";
import {
  startHeaderRecorder,
  type HeaderRecorder,
} from "../../fixtures/upstreams/header-recorder.ts";
import { within } from "../server/helpers.ts";
import { catalogOf, scriptedServer, stdio, waitFor } from "../upstream/helpers.ts";
import { memoryTelemetry, parentOf, sample } from "./helpers.ts";
import { LOOPBACK_EGRESS } from "../../helpers/egress.ts";

const CLIENT_TRACE = "5b8aa5a2d2c872e8321cf37308d69df2";
const CLIENT_SPAN = "051581bf3cb55c13";
const meta = (risk: ToolMetadata["risk"]): ToolMetadata => ({ risk, tags: [] });

let dataDir: string;
let recorder: HeaderRecorder;
let gateway: Gateway;
let client: Client;
let apiKey: string;
const memory = memoryTelemetry();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "gatehouse-telemetry-"));
  apiKey = new ApiKeyStore(dataDir).create({ sub: "ci-bot", groups: ["eng"] }).key;
  recorder = await startHeaderRecorder();
  const catalog = catalogOf({
    recorder: { type: "http", url: recorder.url, headers: {} },
    scripted: stdio([scriptedServer]),
  });
  catalog.servers.get("recorder")!.tools = { echo: meta("read") };
  // eng may read everywhere, but holds no write grant on scripted (policies/access/data.yaml)
  catalog.servers.get("scripted")!.tools = { crash: meta("read"), env: meta("write") };
  const config = loadConfig({
    flags: { port: 0, dataDir, auth: { apiKeys: true }, egress: LOOPBACK_EGRESS },
  });
  gateway = await Gateway.start(config, {
    log: silentLogger,
    catalog,
    telemetry: memory.telemetry,
  });
  await waitFor(
    "upstreams ready",
    () => gateway.pool.status().every((s) => s.state === "ready"),
    30_000,
  );
  client = new Client({ name: "telemetry-e2e", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(gateway.url), {
    requestInit: {
      headers: {
        authorization: `Bearer ${apiKey}`,
        traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`,
      },
    },
  });
  await within("connect", client.connect(transport));
}, 60_000);

afterAll(async () => {
  await client?.close();
  await gateway?.close();
  await recorder?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** The request span of the call to `tool`, and its children. */
function treeOf(tool: string): { root: ReadableSpan; children: ReadableSpan[] } {
  const spans = memory.spans();
  const roots = spans.filter(
    (s) => s.kind === SpanKind.SERVER && s.attributes["gen_ai.tool.name"] === tool,
  );
  expect(roots).toHaveLength(1);
  const root = roots[0]!;
  const children = spans.filter((s) => parentOf(s) === root.spanContext().spanId);
  return { root, children };
}

const names = (spans: ReadableSpan[]) => spans.map((s) => s.name).sort();

describe("telemetry through the gateway", () => {
  it("traces an allowed call: request, auth, policy.decision and upstream spans", async () => {
    await within("echo", client.callTool({ name: "recorder__echo", arguments: { message: "hi" } }));
    const { root, children } = treeOf("echo");
    expect(root.name).toBe("tools/call echo");
    expect(names(children)).toEqual(["auth", "policy.decision", "tools/call echo"]);
    expect(root.status.code).toBe(SpanStatusCode.UNSET);
    expect(root.attributes).toMatchObject({
      "mcp.method.name": "tools/call",
      "gatehouse.principal.subject": "ci-bot",
      "gatehouse.principal.auth": "api_key",
      "gatehouse.server": "recorder",
      "gatehouse.tool": "echo",
      "gatehouse.decision": "allow",
      "gatehouse.policy.revision": gateway.current().policy.revision,
      "gatehouse.outcome": "ok",
    });
    expect(root.attributes["gatehouse.decision.id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(root.attributes["gatehouse.policy.bundle_digest"]).toMatch(/^[0-9a-f]{64}$/);
    expect(typeof root.attributes["mcp.session.id"]).toBe("string");
    const auth = children.find((s) => s.name === "auth")!;
    expect(auth.attributes["gatehouse.auth.kind"]).toBe("api_key");
    const upstream = children.find((s) => s.kind === SpanKind.CLIENT)!;
    expect(upstream.attributes).toMatchObject({
      "gatehouse.server": "recorder",
      "gatehouse.upstream.transport": "http",
      "gatehouse.outcome": "ok",
    });
  });

  it("names the request span in the call's decision record", async () => {
    const { root } = treeOf("echo");
    const store = openAuditStore(defaultStoreLocation(dataDir), {
      schema: "gatehouse",
      readonly: true,
    });
    try {
      const records = await store.query({ traceId: CLIENT_TRACE, tool: "echo", limit: 10 });
      expect(records.length).toBeGreaterThan(0);
      expect(records[0]!.span_id).toBe(root.spanContext().spanId);
      expect(records[0]!.decision_id).toBe(root.attributes["gatehouse.decision.id"]);
    } finally {
      await store.close();
    }
  });

  it("continues the client's trace", () => {
    const { root } = treeOf("echo");
    expect(root.spanContext().traceId).toBe(CLIENT_TRACE);
    expect(parentOf(root)).toBe(CLIENT_SPAN);
  });

  it("hands the upstream span's trace context to the HTTP upstream", () => {
    const upstream = treeOf("echo").children.find((s) => s.kind === SpanKind.CLIENT)!;
    expect(recorder.valuesOf("traceparent")).toContain(
      `00-${CLIENT_TRACE}-${upstream.spanContext().spanId}-01`,
    );
  });

  it("traces a denial with its reasons, without an upstream span and not as an error", async () => {
    await expect(client.callTool({ name: "scripted__env", arguments: {} })).rejects.toThrow(
      /denied by policy/,
    );
    const { root, children } = treeOf("env");
    expect(names(children)).toEqual(["auth", "policy.decision"]);
    expect(root.status.code).toBe(SpanStatusCode.UNSET);
    expect(root.attributes["gatehouse.decision"]).toBe("deny");
    expect(root.attributes["gatehouse.outcome"]).toBe("denied");
    expect((root.attributes["gatehouse.decision.reasons"] as string[]).length).toBeGreaterThan(0);
  });

  it("marks an upstream failure as an error on the upstream and request spans", async () => {
    await expect(client.callTool({ name: "scripted__crash", arguments: {} })).rejects.toThrow();
    const { root, children } = treeOf("crash");
    const upstream = children.find((s) => s.kind === SpanKind.CLIENT)!;
    for (const span of [root, upstream]) {
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.attributes["gatehouse.outcome"]).toBe("error");
      expect(span.attributes["error.type"]).toMatch(/^-?\d+$/);
    }
    expect(upstream.attributes["network.transport"]).toBe("pipe");
  });

  it("never puts the API key or call arguments in a span", () => {
    const everything = JSON.stringify(memory.spans().map((s) => [s.name, s.attributes, s.status]));
    expect(everything).not.toContain(apiKey);
    expect(everything).not.toContain('"hi"');
  });

  it("serves Prometheus text with the counters at GET /metrics", async () => {
    const response = await fetch(new URL("/metrics", gateway.url));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const calls = { mcp_method_name: "tools/call" };
    expect(sample(text, "gatehouse_requests_total", { ...calls, gatehouse_outcome: "ok" })).toBe(1);
    expect(
      sample(text, "gatehouse_requests_total", { ...calls, gatehouse_outcome: "denied" }),
    ).toBe(1);
    expect(sample(text, "gatehouse_requests_total", { ...calls, gatehouse_outcome: "error" })).toBe(
      1,
    );
    expect(
      sample(text, "gatehouse_policy_decisions_total", {
        ...calls,
        gatehouse_decision: "deny",
        gatehouse_server: "scripted",
      }),
    ).toBe(1);
    expect(sample(text, "gatehouse_upstream_up", { gatehouse_server: "recorder" })).toBe(1);
    expect(
      sample(text, "mcp_client_operation_duration_count", { gatehouse_server: "recorder" }),
    ).toBe(1);
  });
});
