// The gateway's decision engine: builds the contract's input, evaluates the active policy, fails closed.
export {
  PolicyEngine,
  BundleLoadError,
  bundleDigest,
  DECISION_ENTRYPOINT,
  DEFAULT_MAX_INPUT_BYTES,
  DEFAULT_MAX_MEMORY_PAGES,
  DEFAULT_MAX_MEMORY_MIB,
} from "./engine.ts";
export type { PolicyEngineOptions } from "./engine.ts";
export { DEFAULT_POLICY_LIMITS, policyLimitOptions } from "./config.ts";
export type { PolicyLimitsConfig } from "./config.ts";
export { readDecision, noObligations } from "./decision.ts";
export type { Decision, DecisionError, Obligations, RateLimit } from "./decision.ts";
export { newDecisionId, decisionIdTime } from "./decision-id.ts";
export { buildDecisionInput, INPUT_VERSION, LIST_METHODS } from "./input.ts";
export type {
  AuthKind,
  DecisionInput,
  DecisionInputParts,
  ListCandidate,
  McpPart,
  PrincipalPart,
  RequestPart,
  Risk,
  ServerPart,
  SessionPart,
  ToolPart,
} from "./input.ts";
export { validateArguments } from "./arguments.ts";
export type { ArgumentCheck, ArgumentError } from "./arguments.ts";
export type { PathFact } from "./argument-paths.ts";
export type { UrlFact } from "./argument-urls.ts";
