// The session server in front of the real upstream pool (gateway/mcp/upstream), which runs
// @modelcontextprotocol/server-everything over stdio, with the default policy.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  CreateMessageRequestSchema,
  McpError,
  type Progress,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalog, type Catalog } from "../../../gateway/catalog/index.ts";
import type { UpstreamPool } from "../../../gateway/mcp/contracts.ts";
import { createUpstreamPool, type Logger } from "../../../gateway/mcp/upstream/index.ts";
import { PolicyEngine } from "../../../gateway/policy/index.ts";
import { alice, connect, mallory, POLICY_DIR, type Connected } from "./harness.ts";

const require = createRequire(import.meta.url);
const everythingEntry = join(
  dirname(require.resolve("@modelcontextprotocol/server-everything/package.json")),
  "dist/index.js",
);
const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };

let dir: string;
let catalog: Catalog;
let policy: PolicyEngine;
let pool: UpstreamPool;
const open: Connected[] = [];

async function session(
  options: Omit<Parameters<typeof connect>[0], "pool" | "policy" | "catalog">,
) {
  const s = await connect({ pool, policy, catalog, ...options });
  open.push(s);
  return s;
}

function text(result: unknown): string {
  return (result as { content: { text?: string }[] }).content.map((c) => c.text ?? "").join("");
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gatehouse-session-"));
  mkdirSync(join(dir, "servers"));
  writeFileSync(
    join(dir, "servers/everything.yaml"),
    JSON.stringify({
      name: "everything",
      transport: { type: "stdio", command: process.execPath, args: [everythingEntry, "stdio"] },
      tools: {
        echo: { risk: "read" },
        "get-sum": { risk: "read" },
        "trigger-long-running-operation": { risk: "write" },
        "trigger-sampling-request": { risk: "write" },
      },
      tool_defaults: { risk: "write" },
    }),
  );
  catalog = loadCatalog(dir);
  policy = await PolicyEngine.fromDirectories([POLICY_DIR]);
  pool = createUpstreamPool(catalog, { logger: quiet });
  // stdio: one process per principal, made at first use; the start-up probe says it can start
  const probed = () => pool.status().find((s) => s.name === "everything")?.state;
  for (let i = 0; i < 300 && probed() !== "ready"; i++) await new Promise((r) => setTimeout(r, 50));
  expect(probed()).toBe("ready");
}, 60_000);

afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  await pool?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("with the real upstream pool and server-everything", () => {
  it("lists namespaced tools filtered per principal", async () => {
    const forAlice = (await (await session({ principal: alice })).client.listTools()).tools.map(
      (t) => t.name,
    );
    expect(forAlice).toEqual(
      expect.arrayContaining([
        "everything__echo",
        "everything__get-sum",
        "everything__trigger-long-running-operation",
      ]),
    );
    const forMallory = (await (await session({ principal: mallory })).client.listTools()).tools.map(
      (t) => t.name,
    );
    expect(forMallory.sort()).toEqual(["everything__echo", "everything__get-sum"]);
  });

  it("calls a tool, and denies one the principal may not use", async () => {
    const s = await session({ principal: mallory });
    expect(
      text(await s.client.callTool({ name: "everything__echo", arguments: { message: "hi" } })),
    ).toBe("Echo: hi");
    const denied = await s.client
      .callTool({ name: "everything__trigger-long-running-operation", arguments: {} })
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(McpError);
    expect((denied as McpError).code).toBe(-32003);
  });

  it("relays progress with the client's token", async () => {
    const s = await session({ principal: alice });
    const seen: Progress[] = [];
    const result = await s.client.callTool(
      {
        name: "everything__trigger-long-running-operation",
        arguments: { duration: 0.3, steps: 3 },
      },
      undefined,
      { onprogress: (p) => seen.push(p) },
    );
    expect(text(result)).toContain("Steps: 3");
    expect(seen.map((p) => p.progress)).toEqual([1, 2, 3]);
  });

  it("cancels a long call, and the next call works", async () => {
    const s = await session({ principal: alice });
    const abort = new AbortController();
    const call = s.client.callTool(
      {
        name: "everything__trigger-long-running-operation",
        arguments: { duration: 20, steps: 20 },
      },
      undefined,
      { signal: abort.signal, onprogress: () => abort.abort("enough") },
    );
    await expect(call).rejects.toThrow();
    expect(
      text(await s.client.callTool({ name: "everything__echo", arguments: { message: "again" } })),
    ).toBe("Echo: again");
  });

  it("has the calling client answer a sampling request", async () => {
    const s = await session({
      principal: alice,
      capabilities: { sampling: {} },
      setup: (client) =>
        client.setRequestHandler(CreateMessageRequestSchema, async () => ({
          role: "assistant",
          model: "test",
          content: { type: "text", text: "sampled answer" },
        })),
    });
    const result = await s.client.callTool({
      name: "everything__trigger-sampling-request",
      arguments: { prompt: "hello" },
    });
    expect(JSON.stringify(result)).toContain("sampled answer");
  });

  it("reads a templated resource and gets a prompt", async () => {
    const s = await session({ principal: mallory });
    const read = await s.client.readResource({ uri: "demo://resource/dynamic/text/1" });
    expect(read.contents[0]?.uri).toBe("demo://resource/dynamic/text/1");
    const { prompts } = await s.client.listPrompts();
    expect(prompts.map((p) => p.name)).toContain("everything__simple-prompt");
    const prompt = await s.client.getPrompt({ name: "everything__simple-prompt" });
    expect(prompt.messages.length).toBeGreaterThan(0);
  });
});
