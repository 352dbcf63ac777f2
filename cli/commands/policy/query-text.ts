import { parseQuery } from "../../../rego/syntax/index.ts";

/**
 * A query that is one plain term (`data.authz.allow`) has no variable to report its value in, so it
 * is evaluated as `result = <term>` (as `opa eval` shows an expression's value); other queries are
 * kept as written. Parse errors are left for the build to report with their locations.
 */
export function queryWithResultVariable(query: string): string {
  let body;
  try {
    body = parseQuery(query);
  } catch {
    return query;
  }
  const only = body.length === 1 ? body[0] : undefined;
  const plainTerm = only?.type === "term" && !only.negated && only.with.length === 0;
  return plainTerm && !/\bresult\b/.test(query) ? `result = ${query}` : query;
}
