// JSON-RPC errors the gateway answers with. The SDK's McpError prefixes its message with
// "MCP error <code>: " and the client adds that prefix again, so the message is set back to the
// plain text the client should read.
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { UpstreamError } from "./contracts.ts";

/** Server-defined range (-32000..-32099): the request was refused by the policy or its obligations. */
export const DENIED_BY_POLICY = -32003;
/** The legacy revisions' "resource not found". */
export const RESOURCE_NOT_FOUND = -32002;

export function rpcError(code: number, message: string, data?: unknown): McpError {
  const error = new McpError(code, message, data);
  error.message = message;
  return error;
}

export function invalidParams(message: string): McpError {
  return rpcError(ErrorCode.InvalidParams, message);
}

/** Any failure of a forwarded request, as the client should see it: upstream errors keep their
 * code; everything else is an internal error naming the server. */
export function forwardingError(server: string, e: unknown): McpError {
  if (e instanceof UpstreamError) return rpcError(e.code, e.message, e.data);
  if (e instanceof McpError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return rpcError(ErrorCode.InternalError, `server ${server} failed: ${message}`);
}
