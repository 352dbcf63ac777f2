// Which era a POST belongs to, and whether a 2026-07-28 request is well-formed at the HTTP level.
// The era and the header/body cross-checks of the edge come from the v2 SDK's classifier (the
// spec's dual-era rules: a `_meta` protocol version claims the stateless era, `initialize` or no
// claim is the handshake era); the checks the spec puts on the entry are here: a revision the
// gateway serves, no session header, the standard headers present, `Mcp-Name` equal to the body's
// name or URI, and a method the revision has.
import {
  classifyInboundRequest,
  PROTOCOL_VERSION_META_KEY,
  type JSONRPCRequest,
} from "@modelcontextprotocol/server";
import {
  ALL_REVISIONS,
  MCP_NAME_SOURCE,
  MODERN_ERROR,
  MODERN_METHODS,
  MODERN_REVISIONS,
} from "./revision.ts";

export type Route =
  | { kind: "legacy" }
  | { kind: "modern-request"; message: JSONRPCRequest; revision: string }
  | { kind: "modern-notification" }
  | { kind: "reject"; status: number; code: number; message: string; data?: unknown };

export interface RouteHeaders {
  protocolVersion?: string;
  mcpMethod?: string;
  mcpName?: string;
  sessionId?: string;
}

const BASE64_SENTINEL = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/;

function reject(status: number, code: number, message: string, data?: unknown): Route {
  return { kind: "reject", status, code, message, ...(data !== undefined && { data }) };
}

/** A header value as the client meant it: `=?base64?…?=` decoded, anything else as is;
 * undefined for a sentinel that is not valid Base64 or UTF-8. */
export function decodeHeaderValue(value: string): string | undefined {
  if (!value.startsWith("=?base64?")) return value;
  const match = BASE64_SENTINEL.exec(value);
  if (!match || match[1]!.length % 4 !== 0) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(match[1]!, "base64"));
  } catch {
    return undefined;
  }
}

/** Whether a message's `_meta` names a protocol version: the only way into the stateless era. */
function claimsEnvelope(message: unknown): boolean {
  const params = (message as { params?: unknown } | null)?.params;
  const meta = (params as { _meta?: unknown } | null | undefined)?._meta;
  return meta !== null && typeof meta === "object" && PROTOCOL_VERSION_META_KEY in meta;
}

/** Routes a parsed POST body (after the HTTP checks every request gets). */
export function routePost(body: unknown, headers: RouteHeaders): Route {
  // the handshake era's traffic, told apart without the classifier's full walk (the common case)
  const claimed = Array.isArray(body) ? body.some(claimsEnvelope) : claimsEnvelope(body);
  if (!claimed && !MODERN_REVISIONS.includes(headers.protocolVersion ?? ""))
    return { kind: "legacy" };
  const outcome = classifyInboundRequest({
    httpMethod: "POST",
    protocolVersionHeader: headers.protocolVersion,
    mcpMethodHeader: headers.mcpMethod,
    mcpNameHeader: headers.mcpName,
    body,
  });
  if (outcome.kind === "reject")
    return reject(outcome.httpStatus, outcome.code, outcome.message, outcome.data);
  // a claim naming a handshake-era revision is served in that era, through its session
  if (outcome.kind === "legacy" || outcome.classification.era === "legacy")
    return { kind: "legacy" };
  const revision = outcome.classification.revision ?? "";
  if (!MODERN_REVISIONS.includes(revision))
    return reject(
      400,
      MODERN_ERROR.unsupportedProtocolVersion,
      `Unsupported protocol version ${JSON.stringify(revision.slice(0, 40))}: this gateway serves ${ALL_REVISIONS.join(", ")}`,
      { supported: ALL_REVISIONS, requested: revision },
    );
  if (headers.sessionId)
    return reject(
      400,
      MODERN_ERROR.invalidRequest,
      `Bad Request: protocol revision ${revision} has no sessions; send the request without Mcp-Session-Id`,
    );
  if (outcome.messageKind === "notification") return { kind: "modern-notification" };
  const { message } = outcome;
  if (!headers.protocolVersion)
    return reject(
      400,
      MODERN_ERROR.headerMismatch,
      `Bad Request: the MCP-Protocol-Version header is required (the body names ${revision})`,
    );
  if (!headers.mcpMethod)
    return reject(
      400,
      MODERN_ERROR.headerMismatch,
      `Bad Request: the Mcp-Method header is required (the body names ${message.method})`,
    );
  const nameField = MCP_NAME_SOURCE[message.method];
  if (nameField !== undefined) {
    const problem = nameHeaderProblem(message, nameField, headers.mcpName);
    if (problem) return reject(400, MODERN_ERROR.headerMismatch, `Bad Request: ${problem}`);
  }
  if (!MODERN_METHODS.has(message.method))
    return reject(
      404,
      MODERN_ERROR.methodNotFound,
      `Method not found: ${message.method.slice(0, 80)} is not a protocol revision ${revision} method this gateway serves`,
    );
  return { kind: "modern-request", message, revision };
}

function nameHeaderProblem(
  message: JSONRPCRequest,
  field: string,
  header: string | undefined,
): string | undefined {
  const inBody = (message.params as Record<string, unknown> | undefined)?.[field];
  if (typeof inBody !== "string") return undefined; // the handler answers the missing field
  if (header === undefined || header === "")
    return `the Mcp-Name header is required for ${message.method} (the body names ${JSON.stringify(inBody.slice(0, 80))})`;
  const decoded = decodeHeaderValue(header);
  if (decoded === undefined) return "the Mcp-Name header carries an invalid =?base64?…?= value";
  if (decoded !== inBody)
    return `the request headers and body disagree: the body names ${JSON.stringify(inBody.slice(0, 80))} but the Mcp-Name header names ${JSON.stringify(decoded.slice(0, 80))}`;
  return undefined;
}
