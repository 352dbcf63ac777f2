// A raw protocol revision 2026-07-28 request over HTTP, for tests that check the wire itself: the
// per-request `_meta` envelope, the standard headers (Mcp-Method, and Mcp-Name from the body's
// name or uri; any of them overridable), and the JSON-RPC messages of the answer.

export const REVISION = "2026-07-28";

export interface Sent {
  method: string;
  params?: Record<string, unknown>;
  headers?: Record<string, string>;
  id?: number;
}

/** The request envelope: the revision, a client declaring elicitation and sampling, and `extra`. */
export function envelope(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    "io.modelcontextprotocol/protocolVersion": REVISION,
    "io.modelcontextprotocol/clientCapabilities": { elicitation: {}, sampling: {} },
    "io.modelcontextprotocol/clientInfo": { name: "modern-test", version: "1.0.0" },
    ...extra,
  };
}

export function postModern(
  url: string,
  { method, params = {}, headers = {}, id = 1 }: Sent,
  signal?: AbortSignal,
): Promise<Response> {
  const name = (params.name ?? params.uri) as string | undefined;
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": REVISION,
      "mcp-method": method,
      ...(name !== undefined ? { "mcp-name": name } : {}),
      ...headers,
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id,
      method,
      params: { ...params, _meta: envelope(params._meta as Record<string, unknown>) },
    }),
    signal,
  });
}

/** The JSON-RPC messages of a response: one JSON body, or every SSE event's. */
export async function messagesOf(response: Response): Promise<Record<string, any>[]> {
  const text = await response.text();
  if (!response.headers.get("content-type")?.includes("text/event-stream"))
    return [JSON.parse(text)];
  return text
    .split("\n")
    .filter((line) => line.startsWith("data: "))
    .map((line) => JSON.parse(line.slice("data: ".length)));
}
