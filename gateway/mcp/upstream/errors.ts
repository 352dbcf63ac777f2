// Classifying what the SDK throws at a request, and keeping error text short.
import type { McpError } from "@modelcontextprotocol/sdk/types.js";

/** The SDK's own timeouts (not an upstream's -32001) carry their limit in `data`. */
export function sdkTimeout(e: McpError): "idle" | "total" | undefined {
  const data = e.data as { timeout?: unknown; maxTotalTimeout?: unknown } | undefined;
  if (typeof data?.maxTotalTimeout === "number") return "total";
  if (typeof data?.timeout === "number") return "idle";
  return undefined;
}

export function isSchemaError(e: unknown): boolean {
  return e instanceof Error && (e.name === "ZodError" || e.name === "$ZodError");
}

/** node:http's errors when the upstream cannot be reached or drops the connection */
const SOCKET_ERRORS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

export function isConnectionLoss(e: unknown): boolean {
  if (e instanceof TypeError) return true; // fetch failed: refused, reset, DNS
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string") return SOCKET_ERRORS.has(code);
  // 404: the upstream forgot our session (it restarted); -1: it answered with something not MCP
  return code === 404 || code === -1;
}

export function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
