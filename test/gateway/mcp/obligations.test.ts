// The default policy's rate_limit obligation (data.access.rate_limits.fetch: 60 per 1m), and
// requests the gateway does not know.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { McpError, ResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { PolicyEngine } from "../../../gateway/policy/index.ts";
import { connect, mallory, POLICY_DIR, type Connected } from "./harness.ts";
import { memoryPool } from "./memory-pool.ts";

let policy: PolicyEngine;
let pool: Awaited<ReturnType<typeof memoryPool>>;
let s: Connected;

beforeAll(async () => {
  policy = await PolicyEngine.fromDirectories([POLICY_DIR]);
  const fetch = new McpServer({ name: "test-fetch", version: "1.0.0" });
  fetch.registerTool("fetch", { inputSchema: { url: z.string() } }, async ({ url }) => ({
    content: [{ type: "text", text: `fetched ${url}` }],
  }));
  pool = await memoryPool({ fetch });
  s = await connect({ pool, policy, principal: mallory });
}, 60_000);

afterAll(async () => {
  await s?.close();
  await pool?.close();
});

describe("obligations", () => {
  it("enforces rate_limit per principal and tool", async () => {
    const call = () =>
      s.client.callTool({ name: "fetch__fetch", arguments: { url: "https://docs.example.com/a" } });
    for (let i = 0; i < 60; i++) await call();
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(-32003);
    expect((error as McpError).message).toContain(
      "rate limit of 60 calls per 1m on fetch__fetch exceeded for mallory",
    );
    expect(pool.connection("fetch").seen).toHaveLength(60);
  });
});

describe("bad requests", () => {
  it("answers -32601 for an unknown method and -32602 for a call without a name", async () => {
    const unknown = await s.client
      .request({ method: "foo/bar" } as never, ResultSchema)
      .catch((e: unknown) => e);
    expect((unknown as McpError).code).toBe(-32601);
    const nameless = await s.client
      .request({ method: "tools/call", params: { arguments: {} } } as never, ResultSchema)
      .catch((e: unknown) => e);
    expect((nameless as McpError).code).toBe(-32602);
  });
});
