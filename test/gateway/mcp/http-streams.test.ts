// Upstream-initiated traffic must ride on the stream of the request that caused it: over Streamable
// HTTP with NO standalone GET stream (the server answers GET with 405), a sampling request and a
// log message from the upstream still reach the client.
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import {
  CreateMessageRequestSchema,
  LoggingMessageNotificationSchema,
  type Progress,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalog } from "../../../gateway/catalog/index.ts";
import { createSessionServer } from "../../../gateway/mcp/session-server.ts";
import { PolicyEngine } from "../../../gateway/policy/index.ts";
import { alice, CATALOG_DIR, POLICY_DIR } from "./harness.ts";
import { memoryPool } from "./memory-pool.ts";
import { everythingServer } from "./upstreams.ts";

let http: HttpServer;
let pool: Awaited<ReturnType<typeof memoryPool>>;
let client: Client;
let getRequests = 0;

beforeAll(async () => {
  const policy = await PolicyEngine.fromDirectories([POLICY_DIR]);
  const catalog = loadCatalog(CATALOG_DIR);
  pool = await memoryPool({ everything: everythingServer().server });
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => "http-session" });
  const server = createSessionServer({
    sessionId: "http-session",
    principal: alice,
    view: { kind: "all" },
    current: () => ({ catalog, policy }),
    pool,
    separator: "__",
    request: {},
  });
  await server.connect(transport);
  http = createServer((req, res) => {
    if (req.method === "GET") {
      getRequests++;
      res.writeHead(405, { allow: "POST, DELETE" }).end();
      return;
    }
    void transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  client = new Client(
    { name: "http-client", version: "1.0.0" },
    { capabilities: { sampling: {} } },
  );
  client.setRequestHandler(CreateMessageRequestSchema, async () => ({
    role: "assistant",
    model: "test",
    content: { type: "text", text: "over the POST stream" },
  }));
  await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
}, 60_000);

afterAll(async () => {
  await client?.close();
  await pool?.close();
  await new Promise((resolve) => http?.close(resolve));
});

describe("over Streamable HTTP without a GET stream", () => {
  it("relays sampling and log messages on the calling request's stream", async () => {
    const logs: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      logs.push(n.params.data);
    });
    const result = await client.callTool({
      name: "everything__sampleLLM",
      arguments: { prompt: "streams" },
    });
    expect(result.content).toEqual([{ type: "text", text: "model said: over the POST stream" }]);
    expect(logs).toContain("sampling for streams");
    expect(getRequests).toBeGreaterThan(0); // the client did try, and was refused
  });

  it("relays progress on the calling request's stream", async () => {
    const seen: Progress[] = [];
    await client.callTool(
      { name: "everything__longRunningOperation", arguments: { steps: 2 } },
      undefined,
      { onprogress: (p) => seen.push(p) },
    );
    expect(seen.map((p) => p.progress)).toEqual([1, 2]);
  });
});
