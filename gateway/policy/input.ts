// The input document of the policy contract (docs/policy-contract.md), built from typed parts.
// This is the one place that knows its shape: fields are added here, never repurposed.
import { validateArguments, type ArgumentError } from "./arguments.ts";
import { valueFacts } from "./argument-facts.ts";
import type { PathFact } from "./argument-paths.ts";
import type { UrlFact } from "./argument-urls.ts";

export const INPUT_VERSION = 1;

export type Risk = "read" | "write" | "destructive";
export type AuthKind = "jwt" | "api_key" | "dev" | "none";

/** Methods whose decision filters a candidate list (`input.list` => `visible_tools`). */
export const LIST_METHODS: ReadonlySet<string> = new Set([
  "tools/list",
  "prompts/list",
  "resources/list",
  "resources/templates/list",
]);

export interface RequestPart {
  id: string;
  time?: Date;
  ip?: string | null;
  userAgent?: string | null;
}

export interface PrincipalPart {
  sub: string;
  iss?: string | null;
  clientId?: string | null;
  /** organisation or tenant the principal belongs to (a mapped token claim) */
  tenant?: string | null;
  groups?: string[];
  roles?: string[];
  scopes?: string[];
  claims?: Record<string, unknown>;
  auth: AuthKind;
}

export interface SessionPart {
  /** null for a protocol revision 2026-07-28 request, which has no session */
  id: string | null;
  client?: { name: string; version: string } | null;
  protocolVersion?: string | null;
}

export interface McpPart {
  method: string;
  server?: string | null;
  virtualServer?: string | null;
  tool?: string | null;
  /** tools/call: the name the client sent (namespaced on /mcp, a virtual server's own name) */
  calledTool?: string | null;
  arguments?: Record<string, unknown>;
  uri?: string | null;
  prompt?: string | null;
  /** tools/call: the tool's inputSchema as the upstream declared it in tools/list. The arguments
   * are checked against it; absent, they are reported invalid (fail closed). */
  inputSchema?: unknown;
}

export interface ToolPart {
  annotations?: Record<string, unknown>;
  risk?: Risk | null;
  tags?: string[];
  owner?: string | null;
}

export interface ServerPart {
  name: string;
  tags?: string[];
  owner?: string | null;
}

export interface ListCandidate {
  server: string;
  name: string;
  risk?: Risk | null;
  tags?: string[];
}

export interface DecisionInputParts {
  request: RequestPart;
  principal: PrincipalPart;
  session?: SessionPart | null;
  mcp: McpPart;
  tool?: ToolPart | null;
  server?: ServerPart | null;
  /** candidates of a list method; required there (empty when no upstream offers any) */
  list?: ListCandidate[];
}

export interface DecisionInput {
  version: typeof INPUT_VERSION;
  request: { id: string; time: string; ip: string | null; user_agent: string | null };
  principal: {
    sub: string;
    iss: string | null;
    client_id: string | null;
    tenant: string | null;
    groups: string[];
    roles: string[];
    scopes: string[];
    claims: Record<string, unknown>;
    auth: AuthKind;
  };
  session: {
    id: string | null;
    client: { name: string; version: string } | null;
    protocol_version: string | null;
  } | null;
  mcp: {
    method: string;
    server: string | null;
    virtual_server: string | null;
    tool: string | null;
    /** tools/call: the tool name as the client sent it, for messages (decide on server and tool) */
    called_tool: string | null;
    arguments: Record<string, unknown>;
    uri: string | null;
    prompt: string | null;
    /** tools/call: whether the arguments match the tool's inputSchema; null for other methods */
    arguments_valid: boolean | null;
    /** why they do not (the first ones; path is a JSON pointer into the arguments) */
    argument_errors: ArgumentError[];
    /** top-level argument names the inputSchema does not declare */
    undeclared_arguments: string[];
    /** path-named argument values and file: URIs (arguments and uri), normalized */
    paths: PathFact[];
    /** URL-valued strings (arguments at any depth and uri), parsed */
    urls: UrlFact[];
  };
  tool: {
    annotations: Record<string, unknown>;
    risk: Risk | null;
    tags: string[];
    owner: string | null;
  } | null;
  server: { name: string; tags: string[]; owner: string | null } | null;
  list?: { server: string; name: string; risk: Risk | null; tags: string[] }[];
  /** the revision deciding (commit SHA when synced from Git) and its bundle's sha256; set by
   * PolicyEngine.decide, so it is absent from a built input until then */
  policy?: { revision: string; bundle_digest: string };
}

export function buildDecisionInput(parts: DecisionInputParts): DecisionInput {
  const { request, principal, session, mcp, tool, server } = parts;
  const args = mcp.arguments ?? {};
  const check =
    mcp.method === "tools/call"
      ? validateArguments(mcp.inputSchema, args, { server: mcp.server ?? "", tool: mcp.tool ?? "" })
      : null;
  const input: DecisionInput = {
    version: INPUT_VERSION,
    request: {
      id: request.id,
      time: (request.time ?? new Date()).toISOString(),
      ip: request.ip ?? null,
      user_agent: request.userAgent ?? null,
    },
    principal: {
      sub: principal.sub,
      iss: principal.iss ?? null,
      client_id: principal.clientId ?? null,
      tenant: principal.tenant ?? null,
      groups: principal.groups ?? [],
      roles: principal.roles ?? [],
      scopes: principal.scopes ?? [],
      claims: principal.claims ?? {},
      auth: principal.auth,
    },
    session: session
      ? {
          id: session.id,
          client: session.client ?? null,
          protocol_version: session.protocolVersion ?? null,
        }
      : null,
    mcp: {
      method: mcp.method,
      server: mcp.server ?? null,
      virtual_server: mcp.virtualServer ?? null,
      tool: mcp.tool ?? null,
      called_tool: mcp.calledTool ?? null,
      arguments: args,
      uri: mcp.uri ?? null,
      prompt: mcp.prompt ?? null,
      arguments_valid: check?.valid ?? null,
      argument_errors: check?.errors ?? [],
      undeclared_arguments: check?.undeclared ?? [],
      ...valueFacts(args, mcp.uri ?? null),
    },
    tool: tool
      ? {
          annotations: tool.annotations ?? {},
          risk: tool.risk ?? null,
          tags: tool.tags ?? [],
          owner: tool.owner ?? null,
        }
      : null,
    server: server
      ? { name: server.name, tags: server.tags ?? [], owner: server.owner ?? null }
      : null,
  };
  if (parts.list !== undefined || LIST_METHODS.has(mcp.method)) {
    input.list = (parts.list ?? []).map((c) => ({
      server: c.server,
      name: c.name,
      risk: c.risk ?? null,
      tags: c.tags ?? [],
    }));
  }
  return input;
}
