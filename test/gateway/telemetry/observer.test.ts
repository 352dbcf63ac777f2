// The telemetry observer driven the way the MCP layer drives it: span tree, attributes, trace
// context in and out, redaction, and the metrics that result.
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import type { RequestFacts } from "../../../gateway/observer.ts";
import { buildDecisionInput, noObligations, type Decision } from "../../../gateway/policy/index.ts";
import { memoryTelemetry, only, parentOf, sample } from "./helpers.ts";

const TOKEN = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";

function requestFacts(overrides: Partial<RequestFacts> = {}): RequestFacts {
  const now = performance.timeOrigin + performance.now();
  return {
    method: "tools/call",
    requestId: 7,
    sessionId: "session-1",
    principal: { sub: "alice@example.com", auth: "jwt", groups: ["eng"] },
    virtualServer: null,
    remoteAddress: "127.0.0.1",
    userAgent: "test-agent/1.0",
    traceparent: null,
    tracestate: null,
    startedAt: now,
    auth: { kind: "jwt", startedAt: now - 2, endedAt: now - 1 },
    ...overrides,
  };
}

/** the upstream side of a tools/call of github's create_issue */
const upstreamCall = (transport: string) => ({
  server: "github",
  transport,
  method: "tools/call",
  target: "create_issue",
});

function decisionFacts(allow: boolean, reasons: string[] = ["eng may read"]) {
  const input = buildDecisionInput({
    request: { id: "7" },
    principal: { sub: "alice@example.com", auth: "jwt" },
    session: { id: "session-1" },
    mcp: {
      method: "tools/call",
      server: "github",
      tool: "create_issue",
      arguments: { token: TOKEN },
    },
    server: { name: "github" },
  });
  const decision: Decision = {
    allow,
    reasons,
    obligations: noObligations(),
    visible_tools: [],
    decisionId: "0190f0e2-0000-7000-8000-000000000001",
    evalMicros: 42,
    revision: "rev-abc",
  };
  return { decision, input, bundleDigest: "d".repeat(64) };
}

describe("telemetry observer", () => {
  it("makes request, auth, policy.decision and upstream spans for an allowed call", async () => {
    const { telemetry, spans } = memoryTelemetry();
    const request = telemetry.observer.startRequest(requestFacts());
    request.decided(decisionFacts(true));
    const upstream = request.upstreamStarted(upstreamCall("streamable-http"));
    upstream.end({ status: "ok" });
    await request.end({ status: "ok" });

    const all = spans();
    expect(all.map((s) => s.name).sort()).toEqual(
      ["auth", "policy.decision", "tools/call create_issue", "tools/call create_issue"].sort(),
    );
    const root = all.find((s) => s.kind === SpanKind.SERVER)!;
    const upstreamSpan = all.find((s) => s.kind === SpanKind.CLIENT)!;
    const auth = only(all, "auth");
    const decision = only(all, "policy.decision");
    expect(parentOf(root)).toBeUndefined();
    for (const child of [auth, decision, upstreamSpan]) {
      expect(parentOf(child)).toBe(root.spanContext().spanId);
      expect(child.spanContext().traceId).toBe(root.spanContext().traceId);
    }
    expect(root.attributes).toMatchObject({
      "mcp.method.name": "tools/call",
      "rpc.system.name": "jsonrpc",
      "jsonrpc.request.id": "7",
      "mcp.session.id": "session-1",
      "gen_ai.tool.name": "create_issue",
      "gen_ai.operation.name": "execute_tool",
      "client.address": "127.0.0.1",
      "gatehouse.principal.subject": "alice@example.com",
      "gatehouse.server": "github",
      "gatehouse.tool": "create_issue",
      "gatehouse.decision": "allow",
      "gatehouse.decision.id": "0190f0e2-0000-7000-8000-000000000001",
      "gatehouse.decision.reasons": ["eng may read"],
      "gatehouse.policy.revision": "rev-abc",
      "gatehouse.policy.bundle_digest": "d".repeat(64),
      "gatehouse.policy.eval_time_us": 42,
      "gatehouse.outcome": "ok",
    });
    expect(root.status.code).toBe(SpanStatusCode.UNSET);
    expect(decision.attributes["gatehouse.decision"]).toBe("allow");
    expect(auth.attributes["gatehouse.auth.kind"]).toBe("jwt");
    // the request span covers authentication, which came first
    expect(hrMs(root.startTime)).toBeLessThanOrEqual(hrMs(auth.startTime));
    expect(upstreamSpan.attributes).toMatchObject({
      "gatehouse.server": "github",
      "gatehouse.upstream.transport": "streamable-http",
      "network.transport": "tcp",
      "gen_ai.tool.name": "create_issue",
      "gatehouse.outcome": "ok",
    });
    // arguments (with the token) appear nowhere
    expect(JSON.stringify(all.map((s) => s.attributes))).not.toContain(TOKEN);
  });

  it("marks a denial with its outcome and reasons, not as an error", async () => {
    const { telemetry, spans } = memoryTelemetry();
    const request = telemetry.observer.startRequest(requestFacts({ auth: null }));
    request.decided(decisionFacts(false, [`token ${TOKEN} is not allowed`]));
    await request.end({ status: "denied" });
    const all = spans();
    expect(all.map((s) => s.name).sort()).toEqual(["policy.decision", "tools/call create_issue"]);
    const root = only(all, "tools/call create_issue");
    expect(root.status.code).toBe(SpanStatusCode.UNSET);
    expect(root.attributes["gatehouse.decision"]).toBe("deny");
    expect(root.attributes["gatehouse.outcome"]).toBe("denied");
    expect(root.attributes["gatehouse.decision.reasons"]).toEqual([
      "token [redacted] is not allowed",
    ]);
    expect(JSON.stringify(all.map((s) => s.attributes))).not.toContain(TOKEN);
  });

  it("sets error status on the upstream and request spans when the upstream fails", async () => {
    const { telemetry, spans } = memoryTelemetry();
    const request = telemetry.observer.startRequest(requestFacts());
    request.decided(decisionFacts(true));
    const upstream = request.upstreamStarted(upstreamCall("stdio"));
    const failure = {
      status: "error",
      code: -32603,
      message: `upstream died holding ${TOKEN}`,
    } as const;
    upstream.end(failure);
    await request.end(failure);
    const all = spans();
    const root = all.find((s) => s.kind === SpanKind.SERVER)!;
    const up = all.find((s) => s.kind === SpanKind.CLIENT)!;
    for (const span of [root, up]) {
      expect(span.status).toEqual({
        code: SpanStatusCode.ERROR,
        message: "upstream died holding [redacted]",
      });
      expect(span.attributes["error.type"]).toBe("-32603");
      expect(span.attributes["rpc.response.status_code"]).toBe("-32603");
      expect(span.attributes["gatehouse.outcome"]).toBe("error");
    }
    expect(up.attributes["network.transport"]).toBe("pipe");
  });

  it("continues the client's trace and propagates the upstream span to HTTP upstreams, without the client's tracestate", async () => {
    const { telemetry, spans } = memoryTelemetry();
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const clientSpan = "00f067aa0ba902b7";
    const request = telemetry.observer.startRequest(
      requestFacts({ traceparent: `00-${traceId}-${clientSpan}-01`, tracestate: "vendor=1" }),
    );
    request.decided(decisionFacts(true));
    const upstream = request.upstreamStarted(upstreamCall("streamable-http"));
    const headers = upstream.propagationHeaders();
    upstream.end({ status: "ok" });
    await request.end({ status: "ok" });
    const all = spans();
    const root = all.find((s) => s.kind === SpanKind.SERVER)!;
    const up = all.find((s) => s.kind === SpanKind.CLIENT)!;
    expect(root.spanContext().traceId).toBe(traceId);
    expect(parentOf(root)).toBe(clientSpan);
    // the client's tracestate is its own vendor data: not taken into the gateway's spans
    expect(headers).toEqual({ traceparent: `00-${traceId}-${up.spanContext().spanId}-01` });
    expect(root.spanContext().traceState).toBeUndefined();
  });

  it("ignores a malformed traceparent and starts a new trace", async () => {
    const { telemetry, spans } = memoryTelemetry();
    const request = telemetry.observer.startRequest(requestFacts({ traceparent: "garbage" }));
    await request.end({ status: "ok" });
    const root = spans().find((s) => s.kind === SpanKind.SERVER);
    expect(parentOf(root!)).toBeUndefined();
    expect(root!.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it("reports unknown methods and invented error codes as _OTHER in metrics", async () => {
    const { telemetry, spans } = memoryTelemetry();
    await telemetry.observer
      .startRequest(requestFacts({ method: "x/secret-" + "a".repeat(200) }))
      .end({
        status: "error",
        code: -32601,
        message: "method not found",
      });
    const root = spans().find((s) => s.kind === SpanKind.SERVER);
    expect(root!.name).toBe("_OTHER");
    expect(root!.attributes["mcp.method.name"]).toBe("_OTHER");
    expect(root!.attributes["rpc.method_original"]).toBe("x/secret-" + "a".repeat(55));
    // an upstream's own error code outside JSON-RPC's reserved range
    await telemetry.observer
      .startRequest(requestFacts())
      .end({ status: "error", code: 4242, message: "upstream says no" });
    const text = (await telemetry.metricsText())!;
    expect(
      sample(text, "gatehouse_requests_total", {
        mcp_method_name: "_OTHER",
        gatehouse_outcome: "error",
        error_type: "-32601",
      }),
    ).toBe(1);
    expect(
      sample(text, "gatehouse_requests_total", {
        mcp_method_name: "tools/call",
        error_type: "_OTHER",
      }),
    ).toBe(1);
  });

  it("counts requests and decisions, and reports upstream health and sync state", async () => {
    const { telemetry } = memoryTelemetry();
    for (const allow of [true, true, false]) {
      const request = telemetry.observer.startRequest(requestFacts());
      request.decided(decisionFacts(allow));
      await request.end(allow ? { status: "ok" } : { status: "denied" });
    }
    telemetry.observeUpstreams({
      status: () => [
        {
          name: "github",
          transport: "http",
          isolation: "session",
          state: "ready",
          restarts: 0,
          since: "",
          connections: { open: 2, ready: 2, max: 256 },
        },
        {
          name: "files",
          transport: "stdio",
          isolation: "principal",
          state: "failed",
          restarts: 3,
          since: "",
          connections: { open: 0, ready: 0, max: 32 },
        },
      ],
    });
    telemetry.setSyncState({
      revision: "rev-abc",
      lastError: null,
      at: new Date(1_700_000_000_000),
    });
    const text = (await telemetry.metricsText())!;
    expect(sample(text, "gatehouse_requests_total", { gatehouse_outcome: "ok" })).toBe(2);
    expect(sample(text, "gatehouse_requests_total", { gatehouse_outcome: "denied" })).toBe(1);
    expect(
      sample(text, "gatehouse_policy_decisions_total", {
        gatehouse_decision: "allow",
        gatehouse_server: "github",
      }),
    ).toBe(2);
    expect(sample(text, "gatehouse_policy_decisions_total", { gatehouse_decision: "deny" })).toBe(
      1,
    );
    expect(
      sample(text, "mcp_server_operation_duration_count", {
        mcp_method_name: "tools/call",
      }),
    ).toBe(2);
    expect(
      sample(text, "gatehouse_policy_evaluation_duration_count", {
        gatehouse_decision: "allow",
      }),
    ).toBe(2);
    expect(sample(text, "gatehouse_upstream_up", { gatehouse_server: "github" })).toBe(1);
    expect(sample(text, "gatehouse_upstream_up", { gatehouse_server: "files" })).toBe(0);
    expect(sample(text, "gatehouse_upstream_restarts_total", { gatehouse_server: "files" })).toBe(
      3,
    );
    expect(sample(text, "gatehouse_sync_healthy")).toBe(1);
    expect(sample(text, "gatehouse_sync_last_success")).toBe(1_700_000_000);
    expect(sample(text, "gatehouse_policy_active", { gatehouse_policy_revision: "rev-abc" })).toBe(
      1,
    );

    telemetry.setSyncState({ revision: "rev-abc", lastError: "fetch failed" });
    const after = (await telemetry.metricsText())!;
    expect(sample(after, "gatehouse_sync_healthy")).toBe(0);
    expect(sample(after, "gatehouse_sync_last_success")).toBe(1_700_000_000);
    telemetry.setSyncState({ revision: "rev-def", lastError: null });
    const swapped = (await telemetry.metricsText())!;
    expect(
      sample(swapped, "gatehouse_policy_active", { gatehouse_policy_revision: "rev-def" }),
    ).toBe(1);
    expect(
      sample(swapped, "gatehouse_policy_active", { gatehouse_policy_revision: "rev-abc" }),
    ).toBe(0);
  });
});

describe("telemetry redaction", () => {
  const API_KEY = "ghk_0123456789abcdef_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq";
  const PASSWORD = "Pg-Pa55word-only-here";
  const SECRETS = [API_KEY, PASSWORD, TOKEN];

  /** everything a span exports: names, attributes, status, events */
  const exported = (all: ReturnType<ReturnType<typeof memoryTelemetry>["spans"]>) =>
    JSON.stringify(
      all.map((s) => ({ n: s.name, a: s.attributes, st: s.status, e: s.events, l: s.links })),
    );

  it("redacts every string attribute a client can choose: ids, user agent, subject, tool, URI", async () => {
    const { telemetry, spans } = memoryTelemetry();
    const facts = requestFacts({
      requestId: `req ${API_KEY}`,
      userAgent: `agent/1.0 (Bearer ${TOKEN})`,
      principal: { sub: `svc ${API_KEY}`, auth: "api_key", groups: [] },
    });
    const request = telemetry.observer.startRequest(facts);
    const { decision, input, bundleDigest } = decisionFacts(true);
    input.mcp.tool = `create_issue_${API_KEY}`;
    input.mcp.uri = `postgres://admin:${PASSWORD}@db/app`;
    request.decided({ decision, input, bundleDigest });
    const upstream = request.upstreamStarted({
      server: "github",
      transport: "stdio",
      method: "resources/read",
      target: `postgres://admin:${PASSWORD}@db/app`,
    });
    upstream.end({ status: "ok" });
    await request.end({ status: "ok" });
    const text = exported(spans());
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    const root = spans().find((s) => s.kind === SpanKind.SERVER)!;
    expect(root.attributes["mcp.resource.uri"]).toBe("postgres://admin:[redacted]@db/app");
    expect(root.attributes["jsonrpc.request.id"]).toBe("req [redacted]");
    expect(root.name).toBe("tools/call create_issue_[redacted]");
  });

  it("redacts a denial reason that quotes a key before cutting it to length", async () => {
    const { telemetry, spans } = memoryTelemetry();
    const request = telemetry.observer.startRequest(requestFacts());
    // the key straddles the 512-character cut: cutting first would leave part of it
    const reason = `${"x".repeat(500)} ${API_KEY}`;
    request.decided(decisionFacts(false, [reason, `password=${PASSWORD}`]));
    await request.end({ status: "denied" });
    const text = exported(spans());
    expect(text).not.toContain("ghk_0123");
    expect(text).not.toContain(PASSWORD);
    const root = only(spans(), "tools/call create_issue");
    expect(root.attributes["gatehouse.decision.reasons"]).toEqual([
      `${"x".repeat(500)} [redacted]`,
      "password=[redacted]",
    ]);
  });
});

function hrMs([seconds, nanos]: [number, number]): number {
  return seconds * 1000 + nanos / 1e6;
}
