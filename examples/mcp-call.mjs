#!/usr/bin/env node
// A minimal MCP client for trying the gateway, on the official SDK:
//   node examples/mcp-call.mjs --list                      the tools you may see
//   node examples/mcp-call.mjs <tool> ['<json arguments>']  call one; prints its text content
// The gateway is http://127.0.0.1:8080/mcp unless GATEHOUSE_URL says otherwise; GATEHOUSE_TOKEN,
// when set, is sent as the bearer token (e.g. a dev token from `gatehouse token`). A refused call
// prints the gateway's error (the policy's reason and the decision id) and exits 1.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const url = new URL(process.env.GATEHOUSE_URL ?? "http://127.0.0.1:8080/mcp");
const token = process.env.GATEHOUSE_TOKEN;
const [tool, argumentsJson = "{}"] = process.argv.slice(2);
if (tool === undefined) {
  process.stderr.write("usage: node examples/mcp-call.mjs --list | <tool> ['<json arguments>']\n");
  process.exit(2);
}

const client = new Client({ name: "gatehouse-example", version: "1.0.0" });
const transport = new StreamableHTTPClientTransport(url, {
  requestInit: token ? { headers: { authorization: `Bearer ${token}` } } : undefined,
});
try {
  await client.connect(transport);
  if (tool === "--list") {
    const { tools } = await client.listTools();
    for (const t of tools) console.log(t.name);
  } else {
    const result = await client.callTool({ name: tool, arguments: JSON.parse(argumentsJson) });
    for (const part of result.content ?? []) console.log(part.type === "text" ? part.text : part);
    if (result.isError) process.exitCode = 1;
  }
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
} finally {
  await client.close();
}
