// Attribute and span names. Semantic-convention names are copied here rather than imported from
// @opentelemetry/semantic-conventions/incubating, as its docs advise for unstable conventions.

// MCP semantic conventions (https://opentelemetry.io/docs/specs/semconv/gen-ai/mcp/)
export const MCP_METHOD_NAME = "mcp.method.name";
export const MCP_SESSION_ID = "mcp.session.id";
export const MCP_RESOURCE_URI = "mcp.resource.uri";
export const JSONRPC_REQUEST_ID = "jsonrpc.request.id";
export const GEN_AI_TOOL_NAME = "gen_ai.tool.name";
export const GEN_AI_PROMPT_NAME = "gen_ai.prompt.name";
export const GEN_AI_OPERATION_NAME = "gen_ai.operation.name";
export const RPC_RESPONSE_STATUS_CODE = "rpc.response.status_code";
// RPC, network, client (stable)
export const RPC_SYSTEM_NAME = "rpc.system.name";
export const RPC_METHOD_ORIGINAL = "rpc.method_original";
export const ERROR_TYPE = "error.type";
export const NETWORK_TRANSPORT = "network.transport";
export const NETWORK_PROTOCOL_NAME = "network.protocol.name";
export const CLIENT_ADDRESS = "client.address";
export const USER_AGENT_ORIGINAL = "user_agent.original";

// Gatehouse's own
export const GH_PRINCIPAL_SUBJECT = "gatehouse.principal.subject";
export const GH_PRINCIPAL_AUTH = "gatehouse.principal.auth";
export const GH_VIRTUAL_SERVER = "gatehouse.virtual_server";
export const GH_SERVER = "gatehouse.server";
export const GH_TOOL = "gatehouse.tool";
export const GH_DECISION = "gatehouse.decision";
export const GH_DECISION_ID = "gatehouse.decision.id";
export const GH_DECISION_REASONS = "gatehouse.decision.reasons";
export const GH_DECISION_ERROR = "gatehouse.decision.error";
export const GH_POLICY_REVISION = "gatehouse.policy.revision";
export const GH_BUNDLE_DIGEST = "gatehouse.policy.bundle_digest";
export const GH_EVAL_TIME_US = "gatehouse.policy.eval_time_us";
export const GH_OUTCOME = "gatehouse.outcome";
export const GH_AUTH_KIND = "gatehouse.auth.kind";
export const GH_UPSTREAM_TRANSPORT = "gatehouse.upstream.transport";

export const SPAN_AUTH = "auth";
export const SPAN_POLICY_DECISION = "policy.decision";

/**
 * MCP methods a client may send. Anything else is reported as "_OTHER" in span names and metric
 * attributes (as the RPC conventions say), so a client cannot grow metric cardinality at will.
 */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  "initialize",
  "ping",
  "tools/list",
  "tools/call",
  "resources/list",
  "resources/templates/list",
  "resources/read",
  "resources/subscribe",
  "resources/unsubscribe",
  "prompts/list",
  "prompts/get",
  "completion/complete",
  "logging/setLevel",
  "tasks/get",
  "tasks/result",
  "tasks/list",
  "tasks/cancel",
]);

export function boundedMethod(method: string): string {
  return KNOWN_METHODS.has(method) ? method : "_OTHER";
}

/** A JSON-RPC error code as a metric attribute: the reserved range (-32768..-32000, where
 * JSON-RPC, MCP and the gateway define theirs) as is, anything an upstream invents as "_OTHER". */
export function boundedErrorCode(code: number): string {
  return code >= -32768 && code <= -32000 ? String(code) : "_OTHER";
}
