// Confused deputy at the 2026-07-28 edge: intermediaries route, rate-limit and authorize on the
// Mcp-Method / Mcp-Name headers while the server executes the body, so a request whose headers
// and body disagree must be refused before anything runs (gateway/mcp/modern/route.ts). Also the
// revision's other refusals: unknown revisions, methods it does not have, session ids, GET.
import { describe, expect, it } from "vitest";
import { envelope, REVISION, type Sent } from "../helpers/modern-request.ts";
import { useModernGateway } from "../gateway/e2e/modern-gateway.ts";

const modern = useModernGateway();
const answerOf = (sent: Sent) => modern.answerOf(sent);
const firstRound = (params: Record<string, unknown>) => modern.firstRound(params);

const names = async (): Promise<string[]> =>
  (await answerOf({ method: "tools/list" })).body.result.tools.map((t: { name: string }) => t.name);

describe("a header that says one thing while the body does another", () => {
  it("a call to add-tool disguised as echo by its Mcp-Name is refused and never runs", async () => {
    const { status, body } = await answerOf({
      method: "tools/call",
      params: { name: "scripted__add-tool", arguments: {} },
      headers: { "mcp-name": "scripted__echo" },
    });
    expect([status, body.error?.code]).toEqual([400, -32020]);
    // add-tool would have added scripted__extra: the upstream never saw the call
    expect(await names()).not.toContain("scripted__extra");
  });

  it("a call disguised as a list by its Mcp-Method is refused and never runs", async () => {
    const { status, body } = await answerOf({
      method: "tools/call",
      params: { name: "scripted__add-tool", arguments: {} },
      headers: { "mcp-method": "tools/list" },
    });
    expect([status, body.error?.code]).toEqual([400, -32020]);
    expect(await names()).not.toContain("scripted__extra");
  });
});

describe("other malformed 2026-07-28 requests get the revision's errors", () => {
  const call = {
    method: "tools/call",
    params: { name: "scripted__echo", arguments: { text: "x" } },
  };

  it.each([
    ["an Mcp-Method that names another method", { "mcp-method": "tools/list" }],
    ["an Mcp-Name that names another tool", { "mcp-name": "scripted__log" }],
    ["no Mcp-Name", { "mcp-name": "" }],
    ["no Mcp-Method", { "mcp-method": "" }],
    ["an Mcp-Name that is not valid Base64", { "mcp-name": "=?base64?***?=" }],
  ])("%s: 400, HeaderMismatch (-32020)", async (_, headers) => {
    const { status, body } = await answerOf({ ...call, headers });
    expect(status).toBe(400);
    expect(body.error.code).toBe(-32020);
    expect(body.id).toBe(1);
  });

  it("a revision the gateway does not serve: 400, -32022, with the supported list", async () => {
    const response = await fetch(modern.gateway.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2099-01-01",
        "mcp-method": "tools/list",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 7,
        method: "tools/list",
        params: {
          _meta: { ...envelope(), "io.modelcontextprotocol/protocolVersion": "2099-01-01" },
        },
      }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as Record<string, any>;
    expect(body.error.code).toBe(-32022);
    expect(body.error.data).toEqual({
      supported: expect.arrayContaining([REVISION]),
      requested: "2099-01-01",
    });
  });

  it("a method the revision does not have: 404, -32601", async () => {
    for (const method of ["ping", "logging/setLevel", "initialize", "resources/subscribe"]) {
      const { status, body } = await answerOf({ method });
      expect([method, status, body.error?.code]).toEqual([method, 404, -32601]);
    }
  });

  it("a session id on a stateless request: 400", async () => {
    const { status, body } = await answerOf({
      method: "tools/list",
      headers: { "mcp-session-id": "abc" },
    });
    expect(status).toBe(400);
    expect(body.error.message).toContain("no sessions");
  });

  it("GET with the revision's version header: 405", async () => {
    const response = await fetch(modern.gateway.url, {
      headers: { accept: "text/event-stream", "mcp-protocol-version": REVISION },
    });
    expect(response.status).toBe(405);
    await response.text();
  });
});
