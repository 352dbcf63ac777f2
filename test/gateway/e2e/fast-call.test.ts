// The tools/call fast path (gateway/mcp/fast-call.ts) and the lean upstream POST
// (gateway/mcp/upstream/lean-post.ts), end to end over real HTTP: a plain call is answered with one
// JSON body; a call that needs its stream (sampling, elicitation, a log message) turns into SSE and
// the client's answers reach the upstream; a cancelled call stops upstream. The scripted fixture
// runs twice: over stdio, and over Streamable HTTP (where the gateway POSTs calls itself).
import { spawn, type ChildProcess } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Catalog, ToolMetadata } from "../../../gateway/catalog/index.ts";
import { loadConfig } from "../../../gateway/config.ts";
import { Gateway } from "../../../gateway/gateway.ts";
import { silentLogger } from "../../../gateway/log.ts";
import { TYPESCRIPT_NODE_FLAGS } from "../../../rego/node-typescript.ts";
import {
  catalogOf,
  freePort,
  recordingLogger,
  scriptedServer,
  stdio,
  stopChild,
  textOf,
  waitFor,
} from "../upstream/helpers.ts";

const SERVERS = ["scripted", "scriptedhttp"] as const;
const TOOLS = ["echo", "sample", "elicit", "log", "wait"];

let httpUpstream: ChildProcess | undefined;
let gateway: Gateway;
const upstreamLog = recordingLogger();

async function startScriptedHttp(port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [...TYPESCRIPT_NODE_FLAGS, scriptedServer, "--http", String(port)],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let output = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    upstreamLog.info(chunk.toString().trim());
  });
  await waitFor("scripted HTTP upstream", () => output.includes("listening"), 30_000);
  return child;
}

function testCatalog(port: number): Catalog {
  const catalog = catalogOf(
    {
      scripted: stdio([...TYPESCRIPT_NODE_FLAGS, scriptedServer]),
      scriptedhttp: { type: "http", url: `http://127.0.0.1:${port}/mcp`, headers: {} },
    },
    // the HTTP fixture serves one MCP session, so every caller shares it
    { scriptedhttp: { isolation: "shared" } },
  );
  const read: ToolMetadata = { risk: "read", tags: [] };
  for (const server of SERVERS)
    catalog.servers.get(server)!.tools = Object.fromEntries(TOOLS.map((t) => [t, read]));
  return catalog;
}

beforeAll(async () => {
  const port = await freePort();
  httpUpstream = await startScriptedHttp(port);
  const config = loadConfig({ flags: { port: 0, dev: true } });
  gateway = await Gateway.start(
    { ...config, audit: { ...config.audit, enabled: false } },
    { log: silentLogger, catalog: testCatalog(port) },
  );
  await waitFor(
    "upstreams ready",
    () => gateway.pool.status().every((s) => s.state === "ready"),
    30_000,
  );
}, 90_000);

afterAll(async () => {
  await gateway?.close();
  await stopChild(httpUpstream);
});

/** A raw Streamable HTTP session: initialize, then POSTs with its id. */
async function rawSession(): Promise<(body: unknown) => Promise<Response>> {
  const post = (body: unknown, sessionId?: string) =>
    fetch(gateway.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2025-11-25",
        ...(sessionId ? { "mcp-session-id": sessionId } : {}),
      },
      body: JSON.stringify(body),
    });
  const init = await post({
    jsonrpc: "2.0",
    id: 0,
    method: "initialize",
    params: {
      protocolVersion: "2025-11-25",
      capabilities: { elicitation: {} },
      clientInfo: { name: "raw", version: "1" },
    },
  });
  const sessionId = init.headers.get("mcp-session-id")!;
  await init.text();
  await (await post({ jsonrpc: "2.0", method: "notifications/initialized" }, sessionId)).text();
  return (body) => post(body, sessionId);
}

/** The JSON-RPC messages of an SSE body, in order. */
function sseMessages(text: string): Record<string, unknown>[] {
  return text
    .split("\n\n")
    .flatMap((event) =>
      event
        .split("\n")
        .filter((line) => line.startsWith("data: "))
        .map((line) => line.slice("data: ".length)),
    )
    .filter((data) => data !== "")
    .map((data) => JSON.parse(data) as Record<string, unknown>);
}

async function connectClient(): Promise<Client> {
  const client = new Client(
    { name: "fast-call-test", version: "1.0.0" },
    { capabilities: { sampling: {}, elicitation: {} } },
  );
  client.setRequestHandler(CreateMessageRequestSchema, async () => ({
    role: "assistant",
    model: "test",
    content: { type: "text", text: "from the client" },
  }));
  client.setRequestHandler(ElicitRequestSchema, async () => ({
    action: "accept",
    content: { name: "ada" },
  }));
  await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url)));
  return client;
}

describe.each(SERVERS)("the fast path to %s", (server) => {
  it("answers a plain call with one JSON body", async () => {
    const post = await rawSession();
    const response = await post({
      jsonrpc: "2.0",
      id: 7,
      method: "tools/call",
      params: { name: `${server}__echo`, arguments: { text: "hi" } },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({
      jsonrpc: "2.0",
      id: 7,
      result: { content: [{ type: "text", text: "echo: hi" }] },
    });
  });

  it("leaves a call with a progress token to the SDK path (an SSE stream)", async () => {
    const post = await rawSession();
    const response = await post({
      jsonrpc: "2.0",
      id: "p1",
      method: "tools/call",
      params: { name: `${server}__echo`, arguments: { text: "x" }, _meta: { progressToken: 1 } },
    });
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const messages = sseMessages(await response.text());
    expect(messages.at(-1)).toMatchObject({ id: "p1", result: { content: [{ text: "echo: x" }] } });
  });

  it("relays sampling, elicitation and log messages of a call on its own stream", async () => {
    const client = await connectClient();
    try {
      const logs: unknown[] = [];
      client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
        logs.push(n.params.data);
      });
      const sampled = await client.callTool({ name: `${server}__sample`, arguments: {} });
      expect(textOf(sampled)).toBe("sampled: from the client");
      const elicited = await client.callTool({ name: `${server}__elicit`, arguments: {} });
      expect(textOf(elicited)).toBe('elicited: accept {"name":"ada"}');
      const logged = await client.callTool({
        name: `${server}__log`,
        arguments: { tag: server },
      });
      expect(textOf(logged)).toBe("logged");
      expect(logs).toContain(`log from call ${server}`);
    } finally {
      await client.close();
    }
  });

  it("streams an elicitation over raw HTTP: the answer POST is absorbed with 202", async () => {
    const post = await rawSession();
    const call = post({
      jsonrpc: "2.0",
      id: 9,
      method: "tools/call",
      params: { name: `${server}__elicit`, arguments: {} },
    });
    const response = await call;
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reader = response.body!.getReader();
    let text = "";
    while (!text.includes("elicitation/create")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended early: ${text}`);
      text += new TextDecoder().decode(value);
    }
    const [request] = sseMessages(text);
    expect(request).toMatchObject({ method: "elicitation/create" });
    expect(String(request!.id)).toMatch(/^gatehouse-/);
    const answer = await post({
      jsonrpc: "2.0",
      id: request!.id,
      result: { action: "decline" },
    });
    expect(answer.status).toBe(202);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(sseMessages(text).at(-1)).toMatchObject({
      id: 9,
      result: { content: [{ text: "elicited: decline {}" }] },
    });
  });

  it("stops the upstream's work when the client cancels the call", async () => {
    const post = await rawSession();
    const call = post({
      jsonrpc: "2.0",
      id: 11,
      method: "tools/call",
      params: { name: `${server}__wait`, arguments: {} },
    });
    const before = upstreamLog.text().split("wait cancelled").length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const cancel = await post({
      jsonrpc: "2.0",
      method: "notifications/cancelled",
      params: { requestId: 11, reason: "changed my mind" },
    });
    expect(cancel.status).toBe(202);
    const response = await call;
    // a cancelled request gets no JSON-RPC answer: the HTTP exchange just ends
    expect(response.status).toBe(202);
    expect(await response.text()).toBe("");
    if (server === "scriptedhttp")
      await waitFor(
        "the upstream saw the cancellation",
        () => upstreamLog.text().split("wait cancelled").length > before,
        10_000,
      );
    const next = await post({
      jsonrpc: "2.0",
      id: 12,
      method: "tools/call",
      params: { name: `${server}__echo`, arguments: { text: "after" } },
    });
    expect(await next.json()).toMatchObject({
      id: 12,
      result: { content: [{ text: "echo: after" }] },
    });
  });
});
