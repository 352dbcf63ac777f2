// A naive file server over stdio, the kind of upstream a file:// resource URI attack targets: it
// offers `file:///{+path}` and reads whatever path the URI names, with no check of its own. Every
// URI it is asked to read is appended to the file named by RECORD_FILE, so a test can prove that
// a refused request never reached it. Run: node mcp05-file-resources-server.ts
import { appendFileSync, readFileSync } from "node:fs";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";

const server = new Server(
  { name: "naive-files", version: "1.0.0" },
  { capabilities: { resources: {}, tools: {} } },
);

server.setRequestHandler(ListToolsRequestSchema, () => ({
  tools: [{ name: "stat", inputSchema: { type: "object", properties: {} } }],
}));
server.setRequestHandler(ListResourcesRequestSchema, () => ({ resources: [] }));
server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
  resourceTemplates: [{ uriTemplate: "file:///{+path}", name: "any file" }],
}));
server.setRequestHandler(ReadResourceRequestSchema, (request) => {
  const { uri } = request.params;
  appendFileSync(process.env.RECORD_FILE!, `${uri}\n`);
  const path = decodeURIComponent(new URL(uri).pathname);
  return { contents: [{ uri, mimeType: "text/plain", text: readFileSync(path, "utf8") }] };
});

await server.connect(new StdioServerTransport());
