// What to tell an author about `rego_type_error: undefined function <name>`: whether the name is
// a builtin OPA had and Rego v1 removed, or nothing anyone defines. The compiler's message stays
// OPA's; tools show this hint beside it.
import type { RegoIssue } from "../errors.ts";
import { lookupBuiltin } from "../builtins/registry.ts";

/** OPA's deprecated builtins, which OPA v1 no longer accepts in Rego v1 modules. */
const REMOVED_IN_V1: ReadonlySet<string> = new Set([
  "all",
  "any",
  "cast_array",
  "cast_boolean",
  "cast_null",
  "cast_object",
  "cast_set",
  "cast_string",
  "net.cidr_overlap",
  "re_match",
  "set_diff",
]);

const UNDEFINED_FUNCTION = /^undefined function (\S+)$/;

/** The hint for an issue, or undefined when it is not an undefined-function error. */
export function undefinedFunctionHint(issue: RegoIssue): string | undefined {
  if (issue.code !== "rego_type_error") return undefined;
  const name = UNDEFINED_FUNCTION.exec(issue.message)?.[1];
  if (name === undefined) return undefined;
  if (name === "print") return "print(...) is a statement: it has no value to use";
  if (REMOVED_IN_V1.has(name) && !lookupBuiltin(name))
    return `unknown function ${name}: an OPA builtin that was deprecated and removed in Rego v1; Gatehouse does not support it`;
  if (name.startsWith("data."))
    return `unknown function ${name}: no module defines a function with this name`;
  return `unknown function ${name}: not an OPA builtin and not defined in any module`;
}
