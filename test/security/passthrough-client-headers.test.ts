// Token passthrough and header leaks towards an upstream: the client's credential (bearer JWT or
// API key), its cookies and its W3C `tracestate` (the caller's vendor data) never reach the
// upstream; the trace context the upstream sees is the gateway's own span, in the client's trace.
// A real gateway (no --dev, telemetry on in-memory providers) trusting a real OpenID provider, in
// front of an HTTP upstream that records every header it receives.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ToolMetadata } from "../../gateway/catalog/index.ts";
import { startHeaderRecorder, type HeaderRecorder } from "../fixtures/upstreams/header-recorder.ts";
import { memoryTelemetry } from "../gateway/telemetry/helpers.ts";
import { catalogOf } from "../gateway/upstream/helpers.ts";
import {
  auth,
  handshake,
  request,
  rpc,
  startIdentityGateway,
  type IdentityGateway,
} from "./identity-gateway.ts";

const meta = (risk: ToolMetadata["risk"]): ToolMetadata => ({ risk, tags: [] });
const CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CLIENT_SPAN = "00f067aa0ba902b7";
const CLIENT_TRACESTATE = "vendor=client-secret-state,other=internal-routing-hint";

let recorder: HeaderRecorder;
let gw: IdentityGateway;
const memory = memoryTelemetry();

beforeAll(async () => {
  recorder = await startHeaderRecorder();
  const catalog = catalogOf({ recorder: { type: "http", url: recorder.url, headers: {} } });
  catalog.servers.get("recorder")!.tools = { echo: meta("read") };
  gw = await startIdentityGateway({
    catalog,
    deps: { telemetry: memory.telemetry },
    waitFor: ["recorder"],
  });
}, 120_000);

afterAll(async () => {
  await gw?.close();
  await recorder?.close();
});

const echo = (message: string) =>
  request("tools/call", { name: "recorder__echo", arguments: { message } });

/** Every header value the upstream received, as one text. */
const everythingReceived = () => recorder.requests.map((r) => JSON.stringify(r.headers)).join("\n");

describe("nothing of the client's request headers passes to the upstream", () => {
  it("the client's bearer token (a real access token) never reaches the upstream", async () => {
    const token = await gw.userToken("alice", ["eng"]);
    const session = await handshake(gw.gateway.url, auth(token));
    const answer = await rpc(gw.gateway.url, auth(token), echo("with a token"), session);
    expect(answer.json.result.content[0].text).toBe("with a token");
    expect(recorder.requests.length).toBeGreaterThan(0);
    expect(everythingReceived()).not.toContain(token);
    expect(everythingReceived()).not.toContain(token.split(".")[1]!);
    expect(recorder.valuesOf("authorization")).toEqual([]);
  });

  it("an API key sent as X-API-Key, and the client's cookies, never reach the upstream", async () => {
    const { key } = gw.apiKey("ci-bot", ["eng"]);
    const headers = { "x-api-key": key, cookie: "session=client-cookie-value" };
    const session = await handshake(gw.gateway.url, headers);
    const answer = await rpc(gw.gateway.url, headers, echo("with a key"), session);
    expect(answer.json.result.content[0].text).toBe("with a key");
    expect(everythingReceived()).not.toContain(key);
    expect(everythingReceived()).not.toContain("client-cookie-value");
    expect(recorder.valuesOf("x-api-key")).toEqual([]);
    expect(recorder.valuesOf("cookie")).toEqual([]);
  });

  it("the client's tracestate is not forwarded; the upstream sees the gateway's own span in the client's trace", async () => {
    const token = auth(await gw.craftedToken({ sub: "traced", groups: ["eng"] }));
    const traced = {
      ...token,
      traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`,
      tracestate: CLIENT_TRACESTATE,
    };
    const session = await handshake(gw.gateway.url, traced);
    const before = recorder.requests.length;
    const answer = await rpc(gw.gateway.url, traced, echo("traced"), session);
    expect(answer.json.result.content[0].text).toBe("traced");
    const sent = recorder.requests.slice(before);
    const parents = sent.flatMap((r) =>
      r.headers.traceparent ? [String(r.headers.traceparent)] : [],
    );
    expect(parents.length).toBeGreaterThan(0);
    for (const parent of parents) {
      const [, trace, span] = parent.split("-");
      expect(trace).toBe(CLIENT_TRACE);
      expect(span).not.toBe(CLIENT_SPAN);
    }
    expect(recorder.valuesOf("tracestate")).toEqual([]);
    expect(everythingReceived()).not.toContain("client-secret-state");
    // nor does the gateway's exported trace carry it
    const spans = memory.spans().filter((s) => s.spanContext().traceId === CLIENT_TRACE);
    expect(spans.length).toBeGreaterThan(0);
    for (const span of spans)
      expect(span.spanContext().traceState?.serialize() ?? "").not.toContain("client-secret-state");
  });
});
