// The conformance fixture answers as the MCP conformance suite expects (docs/mcp.md §3.3), on the
// 2025 handshake (the v1 SDK client, as the gateway's upstream connections speak it) and on protocol
// revision 2026-07-28 (plain HTTP requests, and the v2 SDK client); the suites themselves run in
// `npm run conformance:mcp`.
import { request } from "node:http";
import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernTransport,
} from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpFixture, type RunningFixture } from "../fixtures/conformance-server/http.ts";
import { messagesOf, postModern, REVISION } from "../helpers/modern-request.ts";
import { stdioFixtureUpstream } from "./processes.ts";

const TIMEOUT = { timeout: 10_000 };

let fixture: RunningFixture;
let client: Client;

beforeAll(async () => {
  fixture = await startHttpFixture();
  client = new Client(
    { name: "fixture-test", version: "1.0.0" },
    { capabilities: { sampling: {}, elicitation: {} } },
  );
  client.setRequestHandler(CreateMessageRequestSchema, (req) => {
    const content = req.params.messages[0]!.content as { text?: string };
    return {
      role: "assistant",
      model: "test-model",
      content: { type: "text", text: `echo ${content.text}` },
    };
  });
  client.setRequestHandler(ElicitRequestSchema, (req) => {
    const fields =
      "requestedSchema" in req.params ? Object.keys(req.params.requestedSchema.properties) : [];
    return {
      action: "accept",
      content: { username: "ada", email: `ada@example.com (${fields.join(",")})` },
    };
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(fixture.url)));
});

afterAll(async () => {
  await client?.close();
  await fixture?.close();
});

function textOf(result: Record<string, unknown>): string {
  const [first] = result.content as { type: string; text?: string }[];
  return first?.type === "text" ? (first.text ?? "") : "";
}

describe("conformance fixture over Streamable HTTP", () => {
  it("declares the capabilities the suite needs", () => {
    const capabilities = client.getServerCapabilities();
    expect(capabilities?.resources?.subscribe).toBe(true);
    expect(Object.keys(capabilities ?? {})).toEqual(
      expect.arrayContaining(["tools", "resources", "prompts", "logging", "completions"]),
    );
  });

  it("lists every tool with a description, and keeps 2020-12 schema keywords", async () => {
    const { tools } = await client.listTools(undefined, TIMEOUT);
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        "test_simple_text",
        "test_sampling",
        "test_elicitation_sep1330_enums",
        "test_reconnection",
      ]),
    );
    for (const tool of tools) expect(tool.description).toBeTruthy();
    const schema = tools.find((t) => t.name === "json_schema_2020_12_tool")!.inputSchema as Record<
      string,
      unknown
    >;
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.additionalProperties).toBe(false);
    expect(schema.$defs).toHaveProperty("address");
  });

  it("returns text, a valid PNG and a valid WAV", async () => {
    expect(textOf(await client.callTool({ name: "test_simple_text" }, undefined, TIMEOUT))).toBe(
      "This is a simple text response for testing.",
    );
    const image = await client.callTool({ name: "test_image_content" }, undefined, TIMEOUT);
    const [png] = image.content as { type: string; data: string; mimeType: string }[];
    expect(png!.mimeType).toBe("image/png");
    expect(Buffer.from(png!.data, "base64").subarray(1, 4).toString("ascii")).toBe("PNG");
    const audio = await client.callTool({ name: "test_audio_content" }, undefined, TIMEOUT);
    const [wav] = audio.content as { type: string; data: string; mimeType: string }[];
    expect(wav!.type).toBe("audio");
    const bytes = Buffer.from(wav!.data, "base64");
    expect([
      bytes.subarray(0, 4).toString("ascii"),
      bytes.subarray(8, 12).toString("ascii"),
    ]).toEqual(["RIFF", "WAVE"]);
    expect(bytes.readUInt32LE(4)).toBe(bytes.length - 8);
  });

  it("reports progress with the caller's token, and flags tool errors", async () => {
    const progress: number[] = [];
    await client.callTool({ name: "test_tool_with_progress" }, undefined, {
      ...TIMEOUT,
      onprogress: (p) => progress.push(p.progress),
    });
    expect(progress).toEqual([0, 50, 100]);
    const failed = await client.callTool({ name: "test_error_handling" }, undefined, TIMEOUT);
    expect(failed.isError).toBe(true);
  });

  it("asks the client to sample and to elicit during a call", async () => {
    const sampled = await client.callTool(
      { name: "test_sampling", arguments: { prompt: "2+2?" } },
      undefined,
      TIMEOUT,
    );
    expect(textOf(sampled)).toBe("LLM response: echo 2+2?");
    const elicited = await client.callTool(
      { name: "test_elicitation", arguments: { message: "who are you?" } },
      undefined,
      TIMEOUT,
    );
    expect(textOf(elicited)).toContain("action=accept");
    expect(textOf(elicited)).toContain("username,email");
  });

  it("closes the SSE stream mid-call; the client resumes it and gets the result", async () => {
    const result = await client.callTool({ name: "test_reconnection" }, undefined, TIMEOUT);
    expect(textOf(result)).toContain("after the stream was closed");
  });

  it("serves static, binary and templated resources, and subscriptions", async () => {
    const { resources } = await client.listResources(undefined, TIMEOUT);
    for (const resource of resources) expect(resource.description).toBeTruthy();
    const text = await client.readResource({ uri: "test://static-text" }, TIMEOUT);
    expect(text.contents[0]).toMatchObject({
      text: "This is the content of the static text resource.",
    });
    const binary = await client.readResource({ uri: "test://static-binary" }, TIMEOUT);
    expect(binary.contents[0]).toMatchObject({ mimeType: "image/png", blob: expect.any(String) });
    const templated = await client.readResource({ uri: "test://template/123/data" }, TIMEOUT);
    expect(JSON.parse((templated.contents[0] as { text: string }).text)).toEqual({
      id: "123",
      templateTest: true,
      data: "Data for ID: 123",
    });
    await expect(client.readResource({ uri: "test://nothing" }, TIMEOUT)).rejects.toThrow(
      /not found/,
    );
    expect(await client.subscribeResource({ uri: "test://watched-resource" }, TIMEOUT)).toEqual({});
    expect(await client.unsubscribeResource({ uri: "test://watched-resource" }, TIMEOUT)).toEqual(
      {},
    );
  });

  it("renders prompts and completes prompt arguments", async () => {
    const prompt = await client.getPrompt(
      { name: "test_prompt_with_arguments", arguments: { arg1: "hello", arg2: "world" } },
      TIMEOUT,
    );
    expect(prompt.messages[0]!.content).toEqual({
      type: "text",
      text: "Prompt with arguments: arg1='hello', arg2='world'",
    });
    await expect(client.getPrompt({ name: "test_prompt_with_arguments" }, TIMEOUT)).rejects.toThrow(
      /arg1/,
    );
    const completion = await client.complete(
      {
        ref: { type: "ref/prompt", name: "test_prompt_with_arguments" },
        argument: { name: "arg1", value: "he" },
      },
      TIMEOUT,
    );
    expect(completion.completion.values).toEqual(["hello", "help"]);
  });

  it("refuses a foreign Host or Origin (DNS rebinding)", async () => {
    const status = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request(fixture.url, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
        });
        req.setTimeout(5_000, () => req.destroy(new Error("timed out")));
        req.on("response", (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end("{}");
      });
    expect(await status({ host: "evil.example.com" })).toBe(403);
    expect(await status({ origin: "http://evil.example.com" })).toBe(403);
  });
});

interface ModernAnswer {
  status: number;
  body: {
    result?: Record<string, unknown> & { resultType?: string; requestState?: string };
    error?: { code: number; message: string };
  };
}

/** One 2026-07-28 request to the fixture as plain HTTP, and the last message of its answer. */
async function modernRequest(
  method: string,
  params: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<ModernAnswer> {
  const sent = { method, params, headers };
  const response = await postModern(fixture.url, sent, AbortSignal.timeout(TIMEOUT.timeout));
  const messages = await messagesOf(response);
  return { status: response.status, body: messages.at(-1) as ModernAnswer["body"] };
}

describe("conformance fixture on protocol revision 2026-07-28, same URL", () => {
  it("answers server/discover with the revision, its capabilities and its identity", async () => {
    const { status, body } = await modernRequest("server/discover", {});
    expect(status).toBe(200);
    expect(body.result).toMatchObject({
      supportedVersions: [REVISION],
      capabilities: { tools: { listChanged: true }, prompts: {}, resources: {} },
      _meta: { "io.modelcontextprotocol/serverInfo": { name: "gatehouse-conformance-fixture" } },
    });
  });

  it("serves tools/call whose Mcp-Method and Mcp-Name match the body, and refuses a mismatch", async () => {
    const call = { name: "test_simple_text", arguments: {} };
    const served = await modernRequest("tools/call", call);
    expect(served.status).toBe(200);
    expect(served.body.result).toMatchObject({
      resultType: "complete",
      content: [{ type: "text", text: "This is a simple text response for testing." }],
    });
    const renamed = await modernRequest("tools/call", call, { "mcp-name": "test_error_handling" });
    expect(renamed.status).toBe(400);
    expect(renamed.body.error?.code).toBe(-32020);
    const listed = await modernRequest("tools/list", {});
    expect(listed.body.result).toMatchObject({ ttlMs: 60_000, cacheScope: "public" });
  });

  it("asks with input_required under sealed state, completes on the retry, refuses altered state", async () => {
    const call = { name: "test_input_required_result_request_state", arguments: {} };
    const first = await modernRequest("tools/call", call);
    expect(first.body.result).toMatchObject({
      resultType: "input_required",
      inputRequests: { confirm: { method: "elicitation/create" } },
    });
    const requestState = first.body.result!.requestState!;
    const inputResponses = { confirm: { action: "accept", content: { ok: true } } };
    const retried = await modernRequest("tools/call", { ...call, inputResponses, requestState });
    expect(retried.body.result).toMatchObject({ resultType: "complete" });
    expect(textOf(retried.body.result!)).toContain("state-ok");
    const altered = await modernRequest("tools/call", {
      ...call,
      inputResponses,
      requestState: `${requestState}x`,
    });
    expect(altered.body.error?.code).toBe(-32602);
  });

  it("has no 2025-era methods there: resources/subscribe is 404 with -32601", async () => {
    const { status, body } = await modernRequest("resources/subscribe", {
      uri: "test://watched-resource",
    });
    expect([status, body.error?.code]).toEqual([404, -32601]);
  });

  it("serves the v2 client: elicitation answered in a retry, list changes on subscriptions/listen", async () => {
    const client = new ModernClient(
      { name: "fixture-test-modern", version: "1.0.0" },
      { capabilities: { elicitation: {} }, versionNegotiation: { mode: { pin: REVISION } } },
    );
    client.setRequestHandler("elicitation/create", () => ({
      action: "accept",
      content: { username: "ada", email: "ada@example.com" },
    }));
    const toolsChanged = new Promise<void>((resolve) =>
      client.setNotificationHandler("notifications/tools/list_changed", () => resolve()),
    );
    await client.connect(new ModernTransport(new URL(fixture.url)));
    try {
      const elicited = await client.callTool(
        { name: "test_elicitation", arguments: { message: "who are you?" } },
        TIMEOUT,
      );
      expect(textOf(elicited)).toBe(
        'Elicitation result: action=accept, content={"username":"ada","email":"ada@example.com"}',
      );
      const subscription = await client.listen({ toolsListChanged: true }, TIMEOUT);
      await client.callTool({ name: "test_trigger_tool_change", arguments: {} }, TIMEOUT);
      await toolsChanged;
      await subscription.close();
    } finally {
      await client.close();
    }
  });
});

describe("conformance fixture over stdio", () => {
  it("lists the same tools and answers a call", async () => {
    const stdioClient = new Client({ name: "fixture-test-stdio", version: "1.0.0" });
    await stdioClient.connect(
      new StdioClientTransport({ ...stdioFixtureUpstream(), stderr: "pipe" }),
    );
    try {
      const { tools } = await stdioClient.listTools(undefined, TIMEOUT);
      expect(tools.map((t) => t.name)).toContain("test_simple_text");
      const result = await stdioClient.callTool(
        { name: "test_embedded_resource" },
        undefined,
        TIMEOUT,
      );
      expect(result.content).toEqual([
        {
          type: "resource",
          resource: {
            uri: "test://embedded-resource",
            mimeType: "text/plain",
            text: "This is an embedded resource content.",
          },
        },
      ]);
    } finally {
      await stdioClient.close();
    }
  });
});
