// Small purpose-built upstream servers for the session server's tests (SDK McpServer, in-process).
import { completable } from "@modelcontextprotocol/sdk/server/completable.js";
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  CreateMessageResultSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

export interface EverythingProbe {
  cancelled: boolean;
  /** resolves when a waiting long operation has started */
  started: Promise<void>;
}

export function everythingServer(): { server: McpServer; probe: EverythingProbe } {
  let markStarted = () => {};
  const probe: EverythingProbe = {
    cancelled: false,
    started: new Promise<void>((resolve) => (markStarted = resolve)),
  };
  const server = new McpServer(
    { name: "test-everything", version: "1.0.0" },
    { capabilities: { logging: {} }, instructions: "Test tools for everything." },
  );
  server.registerTool(
    "echo",
    {
      description: "Echoes",
      inputSchema: { message: z.string() },
      annotations: { readOnlyHint: true },
    },
    async ({ message }) => ({ content: [{ type: "text", text: `Echo: ${message}` }] }),
  );
  server.registerTool(
    "add",
    { inputSchema: { a: z.number(), b: z.number() } },
    async ({ a, b }) => ({ content: [{ type: "text", text: String(a + b) }] }),
  );
  server.registerTool("printEnv", {}, async () => ({
    content: [{ type: "text", text: "SECRET=1" }],
  }));
  server.registerTool(
    "longRunningOperation",
    { inputSchema: { steps: z.number(), wait: z.boolean().optional() } },
    async ({ steps, wait }, extra) => {
      const token = extra._meta?.progressToken;
      for (let step = 1; step <= steps; step++) {
        if (token !== undefined)
          await extra.sendNotification({
            method: "notifications/progress",
            params: { progressToken: token, progress: step, total: steps },
          });
      }
      if (wait) {
        markStarted();
        await new Promise<void>((resolve) => {
          extra.signal.addEventListener("abort", () => {
            probe.cancelled = true;
            resolve();
          });
        });
      }
      return { content: [{ type: "text", text: `done ${steps}` }] };
    },
  );
  server.registerTool(
    "sampleLLM",
    { inputSchema: { prompt: z.string() } },
    async ({ prompt }, extra) => {
      await extra.sendNotification({
        method: "notifications/message",
        params: { level: "info", data: `sampling for ${prompt}` },
      });
      const answer = await extra.sendRequest(
        {
          method: "sampling/createMessage",
          params: {
            messages: [{ role: "user", content: { type: "text", text: prompt } }],
            maxTokens: 10,
          },
        },
        CreateMessageResultSchema,
      );
      const text = answer.content.type === "text" ? answer.content.text : "?";
      return { content: [{ type: "text", text: `model said: ${text}` }] };
    },
  );
  server.registerPrompt(
    "greet",
    {
      description: "Greets",
      argsSchema: {
        name: completable(z.string(), (value) =>
          ["Bob", "Bea", "Carl"].filter((n) => n.startsWith(value)),
        ),
      },
    },
    ({ name }) => ({
      messages: [{ role: "user", content: { type: "text", text: `Hello ${name}` } }],
    }),
  );
  return { server, probe };
}

export function filesystemServer(): McpServer {
  const server = new McpServer({ name: "test-filesystem", version: "1.0.0" });
  server.server.registerCapabilities({ resources: { subscribe: true } });
  server.server.setRequestHandler(SubscribeRequestSchema, async () => ({}));
  server.server.setRequestHandler(UnsubscribeRequestSchema, async () => ({}));
  const files = new Map([["notes.txt", "remember the milk"]]);
  server.registerTool("read_file", { inputSchema: { path: z.string() } }, async ({ path }) => ({
    content: [{ type: "text", text: files.get(path.replace("/sandbox/", "")) ?? "missing" }],
  }));
  server.registerTool(
    "write_file",
    { inputSchema: { path: z.string(), content: z.string() } },
    async ({ path, content }) => {
      files.set(path.replace("/sandbox/", ""), content);
      return { content: [{ type: "text", text: "written" }] };
    },
  );
  server.registerTool("delete_file", { inputSchema: { path: z.string() } }, async ({ path }) => {
    files.delete(path.replace("/sandbox/", ""));
    return { content: [{ type: "text", text: `deleted ${path}` }] };
  });
  server.registerResource(
    "notes",
    "file:///sandbox/notes.txt",
    { mimeType: "text/plain" },
    async (uri) => ({
      contents: [{ uri: uri.href, text: files.get("notes.txt") ?? "" }],
    }),
  );
  server.registerResource(
    "sandbox-file",
    new ResourceTemplate("file:///sandbox/{name}", { list: undefined }),
    { mimeType: "text/plain" },
    async (uri, { name }) => ({
      contents: [{ uri: uri.href, text: files.get(String(name)) ?? "" }],
    }),
  );
  return server;
}

/** Many tools, to page through. */
export function manyToolsServer(count: number): McpServer {
  const server = new McpServer({ name: "test-many", version: "1.0.0" });
  for (let i = 0; i < count; i++)
    server.registerTool(`tool_${String(i).padStart(3, "0")}`, {}, async () => ({ content: [] }));
  return server;
}
