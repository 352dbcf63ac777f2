// The decision the gateway acts on, read from `data.gatehouse.decision` (docs/policy-contract.md).
// Anything the gateway cannot read with certainty is a denial: the gateway fails closed.

export interface RateLimit {
  requests: number;
  per: string;
}

export interface Obligations {
  redact_arguments: string[];
  redact_result: string[];
  confirm: boolean;
  rate_limit: RateLimit | null;
}

/** Why a decision was not the policy's own: the gateway denied in its place. */
export interface DecisionError {
  kind: "input" | "evaluation" | "undefined" | "malformed";
  message: string;
}

export interface Decision {
  allow: boolean;
  reasons: string[];
  obligations: Obligations;
  visible_tools: string[];
  decisionId: string;
  evalMicros: number;
  /** the policy revision that decided (or failed to) */
  revision: string;
  error?: DecisionError;
  /** what the policy's print() and trace() calls wrote, bounded; absent when they wrote nothing */
  output?: string[];
}

/** The part of a decision that comes from the policy. */
export type PolicyVerdict = Pick<
  Decision,
  "allow" | "reasons" | "obligations" | "visible_tools" | "error"
>;

export function noObligations(): Obligations {
  return { redact_arguments: [], redact_result: [], confirm: false, rate_limit: null };
}

/** A denial the gateway makes itself; `reason` is what the client is told. */
export function failClosed(error: DecisionError, reason: string): PolicyVerdict {
  return {
    allow: false,
    reasons: [reason],
    obligations: noObligations(),
    visible_tools: [],
    error,
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "string")
    return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return typeof v === "object" ? "object" : `${typeof v} ${String(v)}`;
}

/** Reads an optional list of strings; pushes a problem and returns [] when it is something else. */
function stringList(v: unknown, field: string, problems: string[]): string[] {
  if (v === undefined) return [];
  if (Array.isArray(v) && v.every((s) => typeof s === "string")) return v;
  problems.push(`${field} must be a list of strings, got ${describe(v)}`);
  return [];
}

function readRateLimit(v: unknown, problems: string[]): RateLimit | null {
  if (v === undefined || v === null) return null;
  if (
    isObject(v) &&
    Number.isInteger(v.requests) &&
    (v.requests as number) > 0 &&
    typeof v.per === "string" &&
    v.per !== ""
  ) {
    return { requests: v.requests as number, per: v.per };
  }
  problems.push(
    `obligations.rate_limit must be null or {"requests": <positive integer>, "per": <string>}, got ${describe(v)}`,
  );
  return null;
}

function readObligations(v: unknown, problems: string[]): Obligations {
  if (v === undefined) return noObligations();
  if (!isObject(v)) {
    problems.push(`obligations must be an object, got ${describe(v)}`);
    return noObligations();
  }
  const confirm = v.confirm === undefined ? false : v.confirm;
  if (typeof confirm !== "boolean")
    problems.push(`obligations.confirm must be a boolean, got ${describe(confirm)}`);
  return {
    redact_arguments: stringList(v.redact_arguments, "obligations.redact_arguments", problems),
    redact_result: stringList(v.redact_result, "obligations.redact_result", problems),
    confirm: confirm === true,
    rate_limit: readRateLimit(v.rate_limit, problems),
  };
}

/**
 * Turns an entrypoint's result set (`[{"result": <decision>}]`, or `[]` when undefined) into a
 * verdict. `allow` must be the boolean true to allow; reasons, obligations and visible_tools may be
 * absent (empty) but never of another type, since the gateway could not enforce them.
 */
export function readDecision(resultSet: unknown): PolicyVerdict {
  if (
    !Array.isArray(resultSet) ||
    resultSet.length === 0 ||
    !isObject(resultSet[0]) ||
    !("result" in resultSet[0])
  ) {
    return failClosed(
      { kind: "undefined", message: "data.gatehouse.decision is undefined" },
      "policy decision is undefined: no rule of data.gatehouse.decision applied",
    );
  }
  if (resultSet.length > 1) {
    const message = `data.gatehouse.decision has ${resultSet.length} results, expected one`;
    return failClosed({ kind: "malformed", message }, `policy decision is malformed: ${message}`);
  }
  const decision = resultSet[0].result;
  const problems: string[] = [];
  if (!isObject(decision)) {
    problems.push(`the decision must be an object, got ${describe(decision)}`);
  } else if (typeof decision.allow !== "boolean") {
    problems.push(
      `allow must be a boolean, got ${decision.allow === undefined ? "nothing" : describe(decision.allow)}`,
    );
  }
  const fields = isObject(decision) ? decision : {};
  const verdict: PolicyVerdict = {
    allow: fields.allow === true,
    reasons: stringList(fields.reasons, "reasons", problems),
    obligations: readObligations(fields.obligations, problems),
    visible_tools: stringList(fields.visible_tools, "visible_tools", problems),
  };
  if (problems.length === 0) return verdict;
  const message = problems.join("; ");
  return failClosed({ kind: "malformed", message }, `policy decision is malformed: ${message}`);
}
