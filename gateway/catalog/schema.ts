// The catalog's file formats (docs/catalog.md): one upstream server per file in servers/, one
// virtual server per file in virtual/. Unknown fields are errors, so typos do not pass silently.
import { z } from "zod";
import {
  credentialsTransportProblems,
  envName,
  headerName,
  upstreamCredentials,
} from "./credentials.ts";
import { secretReferenceProblem } from "./secrets.ts";

/** Server and virtual server names: used in URLs (/mcp/<name>), policy data and `server__tool`. */
export const serverName = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/,
    "must be 1 to 64 lowercase letters, digits or dashes, starting and ending with a letter or digit",
  );

/** MCP's tool name rule (2025-11-25): 1 to 128 of A-Z a-z 0-9 _ . - */
export const toolName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,128}$/, "must be 1 to 128 letters, digits, '_', '.' or '-'");

export const risk = z.enum(["read", "write", "destructive"]);

const tags = z.array(z.string().min(1)).default([]);

/** A literal, or a reference resolved when the upstream starts: `env:NAME` or `file:/absolute/path`. */
const secretValue = z.string().superRefine((value, ctx) => {
  const problem = secretReferenceProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" });

const stdioTransport = z.strictObject({
  type: z.literal("stdio"),
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  env: z.record(envName, secretValue).default({}),
  cwd: z.string().min(1).optional(),
});

const httpTransport = z.strictObject({
  type: z.literal("http"),
  url: httpUrl,
  headers: z.record(headerName, secretValue).default({}),
});

const sseTransport = z.strictObject({
  type: z.literal("sse"),
  url: httpUrl,
  headers: z.record(headerName, secretValue).default({}),
});

export const transport = z.discriminatedUnion("type", [
  stdioTransport,
  httpTransport,
  sseTransport,
]);

/** Which callers share an upstream connection: each session, each principal, or all (docs/catalog.md). */
export const isolation = z.enum(["session", "principal", "shared"]);

/** The isolation a server gets: its own, else `principal` for stdio (a process per principal) and
 * `session` for HTTP (an upstream MCP session per downstream session). Never `shared` by default. */
export function isolationOf(server: {
  transport: { type: string };
  isolation?: Isolation | undefined;
}): Isolation {
  return server.isolation ?? (server.transport.type === "stdio" ? "principal" : "session");
}

const toolMetadata = z.strictObject({
  risk,
  tags,
  owner: z.string().min(1).optional(),
  /** replaces the upstream's description in tools/list */
  description: z.string().min(1).optional(),
});

export const serverFile = z
  .strictObject({
    name: serverName,
    description: z.string().default(""),
    owner: z.string().min(1).optional(),
    tags,
    transport,
    /** what the gateway presents to the upstream (docs/upstream-credentials.md) */
    credentials: upstreamCredentials.optional(),
    /** who shares a connection; absent: see isolationOf */
    isolation: isolation.optional(),
    /** session and principal isolation: connections (stdio: processes) open at once */
    max_connections: z.number().int().min(1).max(100_000).optional(),
    /** principal isolation: seconds a connection may stay unused before it is closed */
    idle_timeout_seconds: z
      .number()
      .positive()
      .max(7 * 86_400)
      .optional(),
    tools: z.record(toolName, toolMetadata).default({}),
    /** metadata of tools the upstream offers but `tools` does not list */
    tool_defaults: z
      .strictObject({ risk: risk.default("write"), tags })
      .default({ risk: "write", tags: [] }),
  })
  .superRefine((server, ctx) => {
    const scope = isolationOf(server);
    if (server.max_connections !== undefined && scope === "shared")
      ctx.addIssue({
        code: "custom",
        path: ["max_connections"],
        message:
          "applies to isolation session or principal only (a shared server has one connection)",
      });
    if (server.idle_timeout_seconds !== undefined && scope !== "principal")
      ctx.addIssue({
        code: "custom",
        path: ["idle_timeout_seconds"],
        message: `applies to isolation principal only (isolation is ${scope}${server.isolation ? "" : " by default"})`,
      });
    if (!server.credentials) return;
    for (const [path, message] of credentialsTransportProblems(
      server.credentials,
      server.transport,
    ))
      ctx.addIssue({ code: "custom", path, message });
  });

/** Prompt names are the upstream's own; MCP sets no character rule for them. */
export const promptName = z.string().min(1).max(128);

const virtualTool = z.strictObject({
  server: serverName,
  tool: toolName,
  /** the name agents see on this virtual server */
  rename: toolName.optional(),
  description: z.string().min(1).optional(),
});

const virtualPrompt = z.strictObject({
  server: serverName,
  prompt: promptName,
  /** the name agents see on this virtual server */
  rename: promptName.optional(),
  description: z.string().min(1).optional(),
});

/** every resource and resource template of the server, URIs unchanged */
const virtualResources = z.strictObject({ server: serverName });

export const virtualServerFile = z
  .strictObject({
    name: serverName,
    description: z.string().default(""),
    tools: z.array(virtualTool).default([]),
    prompts: z.array(virtualPrompt).default([]),
    resources: z.array(virtualResources).default([]),
  })
  .refine((v) => v.tools.length + v.prompts.length + v.resources.length > 0, {
    message: "a virtual server needs at least one entry in tools, prompts or resources",
  });

export type Risk = z.infer<typeof risk>;
export type Isolation = z.infer<typeof isolation>;
export type Transport = z.infer<typeof transport>;
export type StdioTransport = z.infer<typeof stdioTransport>;
export type HttpTransport = z.infer<typeof httpTransport> | z.infer<typeof sseTransport>;
export type ToolMetadata = z.infer<typeof toolMetadata>;
export type ServerFile = z.infer<typeof serverFile>;
export type VirtualServerFile = z.infer<typeof virtualServerFile>;
