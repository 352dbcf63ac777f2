// One policy decision per downstream request: builds the input from the session and the request
// (with the principal of the request's own credential), evaluates the active policy, and turns a
// denial into the JSON-RPC error the client sees. A denial the gateway made because the policy
// could not decide is told to the client without file paths or internals; the full message is in
// the decision record and the log, under the decision id.
import type { McpError } from "@modelcontextprotocol/sdk/types.js";
import type { CatalogServer } from "../catalog/index.ts";
import { failClosed } from "../policy/decision.ts";
import {
  buildDecisionInput,
  newDecisionId,
  type Decision,
  type ListCandidate,
  type McpPart,
  type ServerPart,
  type ToolPart,
} from "../policy/index.ts";
import { DENIED_BY_POLICY, rpcError } from "./errors.ts";
import { virtualServerName, type SessionState } from "./session-state.ts";

export interface DecisionRequest {
  requestId: string | number;
  mcp: Omit<McpPart, "virtualServer">;
  tool?: ToolPart | null;
  server?: ServerPart | null;
  list?: ListCandidate[];
}

export interface DecideOptions {
  /** false: the decision is not reported to the request's observers (telemetry, audit), for an
   * evaluation that only shapes the answer of a request already decided (initialize's
   * instructions); a request's observers hear of at most one decision */
  observe?: boolean;
}

/** Evaluates the active policy; any failure on the way (no policy, a bad input) is a denial. */
export function decide(
  session: SessionState,
  request: DecisionRequest,
  options: DecideOptions = {},
): Decision {
  const { context } = session;
  const observation =
    options.observe === false ? undefined : session.observations.get(request.requestId);
  let decision: Decision;
  try {
    const principal = session.principals.get(request.requestId);
    if (!principal) throw new Error(`request ${String(request.requestId)} has no principal`);
    const { policy } = context.current();
    const input = buildDecisionInput({
      request: {
        id: `${context.sessionId}/${String(request.requestId)}`,
        ip: context.request.ip ?? null,
        userAgent: context.request.userAgent ?? null,
      },
      principal,
      session: {
        id: context.stateless ? null : context.sessionId,
        client: session.client,
        protocolVersion: session.protocolVersion,
      },
      mcp: { ...request.mcp, virtualServer: virtualServerName(context) },
      tool: request.tool ?? null,
      server: request.server ?? null,
      ...(request.list ? { list: request.list } : {}),
    });
    decision = policy.decide(input);
    observation?.decided({ decision, input, bundleDigest: policy.bundleDigest });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const verdict = failClosed(
      { kind: "evaluation", message },
      `no decision could be made: ${message}`,
    );
    decision = { ...verdict, decisionId: newDecisionId(), evalMicros: 0, revision: "none" };
  }
  if (decision.error) logWithheld(decision);
  return decision;
}

export function denialError(decision: Decision, reasons = decision.reasons): McpError {
  // the gateway's own reasons for a policy that could not decide may quote internals
  const told = decision.error && reasons === decision.reasons ? reasons.map(clientReason) : reasons;
  const first = told[0] ?? "no reason given";
  return rpcError(
    DENIED_BY_POLICY,
    `denied by policy: ${first} (decision ${decision.decisionId})`,
    {
      decision_id: decision.decisionId,
      reasons: told,
    },
  );
}

const MAX_CLIENT_REASON_CHARS = 300;
/** `<file>.rego:12:5: ` and other source locations an evaluation error starts with */
const SOURCE_LOCATION = /[^\s"'()]*\.(?:rego|wasm|json|ya?ml|[cm]?[jt]s)(?::\d+){1,2}:?\s*/g;
/** any other file path: one with a known extension, or an absolute one */
const FILE_PATH = /[^\s"'()]*[\\/][^\s"'()]*\.(?:rego|wasm|json|ya?ml|[cm]?[jt]s)\b/g;
const ABSOLUTE_PATH = /(^|[\s"'(=])(?:[A-Za-z]:)?(?:[\\/][\w.@~+-]+){2,}[\\/]?/g;

/**
 * What a client may read of a reason the gateway wrote about a failed evaluation: its first line
 * (no stack), without source locations or file paths, bounded. What the error was (an evaluation
 * budget, a malformed decision, an input too large) stays; where in the policy files it was, not.
 */
export function clientReason(reason: string): string {
  const firstLine = reason.split("\n", 1)[0]!;
  const clean = firstLine
    .replace(SOURCE_LOCATION, "")
    .replace(FILE_PATH, "<file>")
    .replace(ABSOLUTE_PATH, "$1<path>");
  return clean.length > MAX_CLIENT_REASON_CHARS
    ? `${clean.slice(0, MAX_CLIENT_REASON_CHARS)}…`
    : clean;
}

/** When the client is told less than the gateway knows, the log keeps the rest, by decision id. */
function logWithheld(decision: Decision): void {
  const full = decision.reasons.join("; ");
  if (decision.reasons.every((r) => clientReason(r) === r)) return;
  console.error(
    `gatehouse: decision ${decision.decisionId} denied: the policy could not decide (${decision.error!.kind}): ${full}`,
  );
}

/** Decides and throws the denial, so handlers read as "allowed from here on". */
export function requireAllowed(session: SessionState, request: DecisionRequest): Decision {
  const decision = decide(session, request);
  if (!decision.allow) throw denialError(decision);
  return decision;
}

export function serverFacts(server: CatalogServer): ServerPart {
  return { name: server.name, tags: server.tags, owner: server.owner ?? null };
}
