// Protocol revision 2026-07-28 on the gateway's one URL (gateway/mcp/modern/): requests that name
// the revision in `_meta` are served without a session, next to handshake-era sessions; the
// result shape; multi round-trip requests for a legacy upstream's questions and the policy's
// confirmation; the v2 SDK client in modern mode. Refusals (headers, requestState) are attacks:
// test/security/deputy-modern-headers.test.ts and session-modern-request-state.test.ts.
import { Client as ModernClient } from "@modelcontextprotocol/client";
import { StreamableHTTPClientTransport as ModernTransport } from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { describe, expect, it } from "vitest";
import { textOf } from "../upstream/helpers.ts";
import { REVISION, messagesOf, type Sent } from "../../helpers/modern-request.ts";
import { useModernGateway } from "./modern-gateway.ts";

const modern = useModernGateway();
const post = (sent: Sent) => modern.post(sent);
const answerOf = (sent: Sent) => modern.answerOf(sent);
const firstRound = (params: Record<string, unknown>) => modern.firstRound(params);

describe("2026-07-28 requests on the gateway's URL", () => {
  it("server/discover tells the revisions, the capabilities and who the gateway is", async () => {
    const response = await post({ method: "server/discover" });
    expect(response.headers.get("mcp-session-id")).toBeNull();
    const [answer] = await messagesOf(response);
    expect(answer!.result).toMatchObject({
      resultType: "complete",
      serverInfo: { name: "gatehouse" },
      cacheScope: "private",
      capabilities: { tools: {} },
    });
    expect(answer!.result.supportedVersions).toEqual(
      expect.arrayContaining([REVISION, "2025-11-25"]),
    );
    expect(answer!.result.ttlMs).toBeGreaterThan(0);
  });

  it("tools/list is the principal's list, cached privately", async () => {
    const { status, body } = await answerOf({ method: "tools/list" });
    expect(status).toBe(200);
    expect(body.result.tools.map((t: { name: string }) => t.name)).toContain("scripted__echo");
    expect(body.result).toMatchObject({ resultType: "complete", cacheScope: "private" });
  });

  it("tools/call is decided and forwarded; its result says it is complete", async () => {
    const { body } = await answerOf({
      method: "tools/call",
      params: { name: "scripted__echo", arguments: { text: "hi" } },
    });
    expect(body.result.resultType).toBe("complete");
    expect(JSON.stringify(body.result.content)).toContain("hi");
    expect(body.result._meta["io.modelcontextprotocol/serverInfo"].name).toBe("gatehouse");
  });

  it("successive calls of one principal share one session-isolated upstream connection", async () => {
    expect(modern.gateway.pool.status()[0]!.isolation).toBe("session");
    for (let i = 0; i < 3; i++)
      await answerOf({
        method: "tools/call",
        params: { name: "scripted__echo", arguments: { text: String(i) } },
      });
    // the stateless requests' connection, plus the probe (used by the legacy session test, if run)
    expect(modern.gateway.pool.status()[0]!.connections.open).toBe(1);
  });

  it("no log message is sent to a request that asks for no level", async () => {
    const response = await post({
      method: "tools/call",
      params: { name: "scripted__log", arguments: {} },
    });
    const messages = await messagesOf(response);
    expect(messages.map((m) => m.method ?? "answer")).toEqual(["answer"]);
  });

  it("a log message below the request's own log level is not sent", async () => {
    const response = await post({
      method: "tools/call",
      params: {
        name: "scripted__log",
        arguments: {},
        _meta: { "io.modelcontextprotocol/logLevel": "error" },
      },
    });
    const messages = await messagesOf(response);
    expect(messages.map((m) => m.method ?? "answer")).toEqual(["answer"]);
  });

  it("a log message of the upstream rides on the call's own stream, at the requested level", async () => {
    const response = await post({
      method: "tools/call",
      params: {
        name: "scripted__log",
        arguments: {},
        _meta: { "io.modelcontextprotocol/logLevel": "debug" },
      },
    });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const messages = await messagesOf(response);
    expect(messages.some((m) => m.method === "notifications/message")).toBe(true);
    expect(messages.at(-1)!.result.resultType).toBe("complete");
  });

  it("accepts an Mcp-Name in the =?base64?…?= form", async () => {
    const encoded = `=?base64?${Buffer.from("scripted__echo").toString("base64")}?=`;
    const { status, body } = await answerOf({
      method: "tools/call",
      params: { name: "scripted__echo", arguments: { text: "b64" } },
      headers: { "mcp-name": encoded },
    });
    expect(status).toBe(200);
    expect(body.result.resultType).toBe("complete");
  });
});

describe("a legacy upstream's requests to a 2026-07-28 client (multi round-trip)", () => {
  const elicit = { name: "scripted__elicit", arguments: {} };

  it("an upstream elicitation becomes input_required; the retry with the answer completes", async () => {
    const { key, request, state } = await firstRound(elicit);
    expect(request.method).toBe("elicitation/create");
    expect(request.params.message).toBe("your name?");
    expect(state).toMatch(/^g1\./);
    // the state is sealed: the question and answers are not readable from it
    expect(Buffer.from(state.slice(3), "base64url").toString("latin1")).not.toContain("your name");
    const { body } = await answerOf({
      method: "tools/call",
      params: {
        ...elicit,
        inputResponses: { [key]: { action: "accept", content: { name: "Ada" } } },
        requestState: state,
      },
    });
    expect(body.result.resultType).toBe("complete");
    expect(JSON.stringify(body.result.content)).toContain(
      'elicited: accept {\\"name\\":\\"Ada\\"}',
    );
  });

  it("a client that did not declare elicitation gets MissingRequiredClientCapability (-32021)", async () => {
    const { status, body } = await answerOf({
      method: "tools/call",
      params: { ...elicit, _meta: { "io.modelcontextprotocol/clientCapabilities": {} } },
    });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({
      code: -32021,
      data: { requiredCapabilities: { elicitation: {} } },
    });
  });

  it("an upstream sampling request is asked the same way", async () => {
    const sample = { name: "scripted__sample", arguments: { prompt: "hello" } };
    const { key, request, state } = await firstRound(sample);
    expect(request.method).toBe("sampling/createMessage");
    const { body } = await answerOf({
      method: "tools/call",
      params: {
        ...sample,
        inputResponses: {
          [key]: { role: "assistant", model: "m", content: { type: "text", text: "sampled!" } },
        },
        requestState: state,
      },
    });
    expect(JSON.stringify(body.result.content)).toContain("sampled: sampled!");
  });

  it("the policy's confirmation is asked the same way, and only an explicit yes runs the call", async () => {
    const confirmed = { name: "scripted__echo", arguments: { text: "sure", confirm_me: true } };
    const { key, request, state } = await firstRound(confirmed);
    expect(request.method).toBe("elicitation/create");
    expect(request.params.message).toContain("Confirm the call scripted__echo");
    const retry = (action: string, confirm: boolean) =>
      answerOf({
        method: "tools/call",
        params: {
          ...confirmed,
          inputResponses: { [key]: { action, content: { confirm } } },
          requestState: state,
        },
      });
    const { body } = await retry("accept", true);
    expect(JSON.stringify(body.result.content)).toContain("echo: sure");

    const again = await firstRound(confirmed);
    const { body: declined } = await answerOf({
      method: "tools/call",
      params: {
        ...confirmed,
        inputResponses: { [again.key]: { action: "decline" } },
        requestState: again.state,
      },
    });
    expect(declined.error).toMatchObject({
      code: -32003,
      message: expect.stringContaining("not confirmed"),
    });
  });
});

describe("clients of both eras on one URL", () => {
  it("the v1 SDK client (handshake era) still opens a session and calls", async () => {
    const client = new Client({ name: "legacy", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(modern.gateway.url)));
    const result = await client.callTool({ name: "scripted__echo", arguments: { text: "legacy" } });
    expect(textOf(result)).toContain("legacy");
    await client.close();
  });

  it("the v2 SDK client pinned to 2026-07-28 lists and calls without a session", async () => {
    const client = new ModernClient(
      { name: "modern", version: "1.0.0" },
      { versionNegotiation: { mode: { pin: REVISION } } },
    );
    await client.connect(new ModernTransport(new URL(modern.gateway.url)));
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toContain("scripted__echo");
    const result = await client.callTool({ name: "scripted__echo", arguments: { text: "modern" } });
    expect(JSON.stringify(result.content)).toContain("modern");
    await client.close();
  });
});
