// Protocol revision 2026-07-28 (the stateless era): what the gateway serves of it, and its codes.
import { SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/sdk/types.js";

/** The stateless revisions the gateway serves. */
export const MODERN_REVISIONS: readonly string[] = ["2026-07-28"];

/** Every revision the endpoint serves, newest first (told to a client that named another). */
export const ALL_REVISIONS: readonly string[] = [
  ...MODERN_REVISIONS,
  ...SUPPORTED_PROTOCOL_VERSIONS,
];

/** The spec's reserved codes (-32020..-32099) and the ones it reuses. */
export const MODERN_ERROR = {
  headerMismatch: -32020,
  missingRequiredClientCapability: -32021,
  unsupportedProtocolVersion: -32022,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
} as const;

/** The methods a 2026-07-28 client may send. initialize, ping, logging/setLevel and
 * resources/(un)subscribe are gone from it; subscriptions/listen is not served yet. */
export const MODERN_METHODS: ReadonlySet<string> = new Set([
  "server/discover",
  "tools/list",
  "tools/call",
  "resources/list",
  "resources/templates/list",
  "resources/read",
  "prompts/list",
  "prompts/get",
  "completion/complete",
]);

/** The body field each method's `Mcp-Name` header mirrors. */
export const MCP_NAME_SOURCE: Readonly<Record<string, string>> = {
  "tools/call": "name",
  "prompts/get": "name",
  "resources/read": "uri",
};

/** Results that depend on who asks: cached by the client only, and only this long. */
export const PRIVATE_CACHE_HINT = { ttlMs: 30_000, cacheScope: "private" } as const;

/** The methods whose results carry cache hints (the spec requires them there). */
export const CACHEABLE_METHODS: ReadonlySet<string> = new Set([
  "server/discover",
  "tools/list",
  "prompts/list",
  "resources/list",
  "resources/templates/list",
  "resources/read",
]);
